// Where samples 04 and 05 write (--save FILE, --report DIR), checked before training: a path that
// cannot work fails in a second, with the option's name, instead of after minutes of training. The
// check writes and deletes a probe file in the folder, so it sees what a listing would not (a
// read-only folder, /proc). Nothing the user already has there is touched.
namespace MnistBp.Samples.Digits;

/// <summary>Checks of the samples' output paths, made before any training.</summary>
public static class OutputPaths
{
    /// <summary>Throws unless a file can be written at <paramref name="path"/>: a name, not a folder, in a folder that takes new files.</summary>
    /// <param name="option">The option that gave the path, such as <c>--save</c>, for the message.</param>
    /// <param name="path">The file to be written.</param>
    /// <exception cref="IOException">The path cannot be written; the message names the option, the path and why.</exception>
    public static void RequireWritableFile(string option, string path)
    {
        RequireName(option, path, "a file name");
        if (Directory.Exists(path))
        {
            throw new IOException($"{option} {path}: that is a folder; give a file name.");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(folder))
        {
            throw new IOException($"{option} {path}: '{folder}' is a file, not a folder.");
        }

        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{option} {path}: the folder '{folder}' does not exist.");
        }

        Probe(option, path, folder);
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> is a folder that can be written, or can be created: not a file, and the
    /// nearest folder above it that exists takes new files.
    /// </summary>
    /// <param name="option">The option that gave the path, such as <c>--report</c>, for the message.</param>
    /// <param name="path">The folder to be written (created when missing).</param>
    /// <exception cref="IOException">The folder cannot be written or created; the message names the option, the path and why.</exception>
    public static void RequireWritableFolder(string option, string path)
    {
        RequireName(option, path, "a folder");
        string? existing = Path.GetFullPath(path);
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new IOException($"{option} {path}: '{existing}' is a file, not a folder; give a folder (it is created when missing).");
            }

            existing = Path.GetDirectoryName(existing);
        }

        Probe(option, path, existing ?? Path.GetFullPath(path));
    }

    private static void RequireName(string option, string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
        {
            throw new IOException($"{option} needs {what}, not an empty string.");
        }
    }

    private static void Probe(string option, string path, string folder)
    {
        string probe = Path.Combine(folder, $".mnistbp-probe-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} {path}: cannot write in '{folder}' ({e.Message})", e);
        }
    }
}
