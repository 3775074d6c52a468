// PythonTool: how the tests run a Python script that checks the library from outside .NET (the PNG
// decoder of the picture tests, the PyTorch oracle). It finds /usr/bin/python3 (else python3 on the
// PATH) and starts the script; on a bare machine with only the .NET SDK it ignores the test with the
// reason, so `dotnet test` passes there, but under the project's CI (MNISTBP_CI=1) a missing tool fails.
using System.Diagnostics;

namespace MnistBp.Tests;

internal static class PythonTool
{
    /// <summary>True under the project's CI (.ci/run sets MNISTBP_CI=1): a missing tool is then a failure, not a skip.</summary>
    public static bool RequireTools => Environment.GetEnvironmentVariable("MNISTBP_CI") == "1";

    /// <summary>/usr/bin/python3 when present (the interpreter Debian's python3-torch installs into), else python3 from the PATH.</summary>
    public static string Executable => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>
    /// Starts <paramref name="script"/> with <paramref name="arguments"/>, standard output and error redirected
    /// (and standard input when <paramref name="redirectInput"/>); ignores the test when no Python runs here,
    /// unless <see cref="RequireTools"/>.
    /// </summary>
    /// <param name="script">The script's path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="purpose">What Python is for, for the skip message, such as "decode PNGs independently".</param>
    /// <param name="redirectInput">Whether the caller writes to the script's standard input.</param>
    /// <returns>The running process.</returns>
    public static Process Start(string script, IEnumerable<string> arguments, string purpose, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(Executable, [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
        };
        Process? process = null;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception) when (!RequireTools)
        {
        }

        if (process is null)
        {
            // The checks must be independent of .NET, so they are Python; a bare machine with only the .NET SDK
            // may have none, and `dotnet test` must pass there. Under .ci/run (MNISTBP_CI=1) it fails instead.
            Assert.Ignore($"No python3 to {purpose}; .ci/run installs it.");
        }

        return process!;
    }

    /// <summary>Runs <paramref name="script"/> to its end: its exit code, standard output and standard error (see <see cref="Start"/> for a missing Python).</summary>
    /// <param name="script">The script's path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="purpose">What Python is for, for the skip message.</param>
    /// <returns>The exit code and what the script printed.</returns>
    public static (int ExitCode, string Output, string Error) Run(string script, IEnumerable<string> arguments, string purpose)
    {
        using Process process = Start(script, arguments, purpose);

        // Both pipes read at once, so a long message on one cannot block the other.
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        IgnoreStoreAlias(process.ExitCode, purpose);
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>Ignores the test when <paramref name="exitCode"/> is the Windows Store alias's 9009 (no real Python), unless <see cref="RequireTools"/>.</summary>
    /// <param name="exitCode">The exit code of a python3 process.</param>
    /// <param name="purpose">What Python is for, for the skip message.</param>
    public static void IgnoreStoreAlias(int exitCode, string purpose)
    {
        if (exitCode == 9009 && !RequireTools)
        {
            // Windows answers a missing python3 through its Store alias with exit code 9009: the same case as no Python.
            Assert.Ignore($"python3 is only the Windows Store alias here; install Python to {purpose}.");
        }
    }
}
