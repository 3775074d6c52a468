// The samples' output paths (--save FILE, --report DIR) are checked before training, with the option
// in the message; the check leaves nothing behind, neither a probe file nor a folder.
using MnistBp.Samples.Digits;

namespace MnistBp.Tests.Samples;

internal sealed class OutputPathsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "MnistBp.Tests", "out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_file_in_a_writable_folder_passes_and_leaves_nothing_behind()
    {
        string existing = Path.Combine(_folder, "old.bin");
        File.WriteAllText(existing, "a model the user keeps");
        OutputPaths.RequireWritableFile("--save", Path.Combine(_folder, "new.bin"));
        OutputPaths.RequireWritableFile("--save", existing);
        OutputPaths.RequireWritableFolder("--report", Path.Combine(_folder, "report", "deeper"));
        Assert.That(Directory.GetFileSystemEntries(_folder), Is.EqualTo(new[] { existing }), "no probe file, no folder created");
        Assert.That(File.ReadAllText(existing), Is.EqualTo("a model the user keeps"));
    }

    [Test]
    public void A_path_that_cannot_be_written_is_refused_naming_the_option()
    {
        string file = Path.Combine(_folder, "model.bin");
        File.WriteAllText(file, "x");
        // --save: the library's own check (ModelFile.RequireWritable), with the option in front
        Assert.That(() => OutputPaths.RequireWritableFile("--save", _folder),
            Throws.InstanceOf<IOException>().With.Message.EqualTo($"--save {_folder}: Cannot save the model to '{_folder}': it is a folder; give a file name."));
        string missing = Path.Combine(_folder, "missing", "m.bin");
        Assert.That(() => OutputPaths.RequireWritableFile("--save", missing),
            Throws.InstanceOf<IOException>().With.Message.EqualTo($"--save {missing}: Cannot save the model to '{missing}': the folder '{Path.Combine(_folder, "missing")}' does not exist."));
        Assert.That(() => OutputPaths.RequireWritableFile("--save", Path.Combine(file, "m.bin")),
            Throws.InstanceOf<IOException>().With.Message.EqualTo($"--save {Path.Combine(file, "m.bin")}: Cannot save the model to '{Path.Combine(file, "m.bin")}': '{file}' is a file, not a folder."));
        Assert.That(() => OutputPaths.RequireWritableFile("--save", " "), Throws.InstanceOf<IOException>().With.Message.EqualTo("--save needs a file name, not an empty or blank string."));
        Assert.That(() => OutputPaths.RequireWritableFolder("--report", file),
            Throws.InstanceOf<IOException>().With.Message.EqualTo($"--report {file}: '{file}' is a file, not a folder; give a folder (it is created when missing)."));
        Assert.That(() => OutputPaths.RequireWritableFolder("--report", Path.Combine(file, "a", "b")),
            Throws.InstanceOf<IOException>().With.Message.StartsWith($"--report {Path.Combine(file, "a", "b")}: '{file}' is a file, not a folder"));
        Assert.That(() => OutputPaths.RequireWritableFolder("--report", ""), Throws.InstanceOf<IOException>().With.Message.EqualTo("--report needs a folder, not an empty or blank string."));
    }

    [Test]
    public void A_folder_that_takes_no_new_file_is_refused_though_it_exists()
    {
        // /proc exists and lists, but no one, not even root, can create a file in it: only writing finds that out.
        Assume.That(Directory.Exists("/proc") && OperatingSystem.IsLinux(), "needs Linux's /proc");
        Assert.That(() => OutputPaths.RequireWritableFile("--save", "/proc/model.bin"),
            Throws.InstanceOf<IOException>().With.Message.EqualTo("--save /proc/model.bin: Cannot save the model to '/proc/model.bin': no file can be created in the folder '/proc' (its file system takes no new files)."));
        Assert.That(() => OutputPaths.RequireWritableFolder("--report", "/proc/report"),
            Throws.InstanceOf<IOException>().With.Message.StartsWith("--report /proc/report: cannot write in '/proc' ("));
    }
}
