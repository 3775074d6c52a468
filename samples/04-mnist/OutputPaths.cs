// Where samples 04 and 05 write (--save FILE, --report DIR), checked before training: a path that
// cannot work fails in a second, with the option's name, instead of after minutes of training. The
// checks write and delete a probe file in the folder, so they see what a listing would not (a
// read-only folder, /proc); --save uses the library's own check, the one ModelFile.Save makes.
// Nothing the user already has there is touched.
using MnistBp;

namespace MnistBp.Samples.Digits;

/// <summary>Checks of the samples' output paths, made before any training.</summary>
public static class OutputPaths
{
    /// <summary>
    /// Throws unless a model can be saved at <paramref name="path"/>: the library's own check
    /// (<see cref="ModelFile.RequireWritable"/>: the path as Save sees it, a symbolic link followed, a read-only file
    /// refused, then a probe file in the folder), with the option in the message.
    /// </summary>
    /// <param name="option">The option that gave the path, such as <c>--save</c>, for the message.</param>
    /// <param name="path">The model file to be written.</param>
    /// <exception cref="IOException">The path cannot be written; the message names the option, the path and why.</exception>
    public static void RequireWritableFile(string option, string path)
    {
        RequireName(option, path, "a file name");
        try
        {
            ModelFile.RequireWritable(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} {path}: {e.Message}", e);
        }
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
            throw new IOException($"{option} needs {what}, not an empty or blank string.");
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
