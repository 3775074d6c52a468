// Tests of the Mnist facade: how the data folder is chosen (argument, MNISTBP_DATA, per-user cache),
// finding files gzip or raw, the clear error when files are missing and downloading is off, loading
// end to end through a loopback mirror, and, when the real files are at hand, the 60000/10000 split.
// The tests that set MNISTBP_DATA restore it and do not run in parallel with others.
using MnistBp.Data;

namespace MnistBp.Tests;

public class MnistTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() =>
        _directory = Path.Combine(Path.GetTempPath(), "MnistBp.Tests", "mnist-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    [NonParallelizable]
    public void ResolveDirectory_prefers_the_argument_then_the_environment_variable_then_the_cache()
    {
        string? saved = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
        try
        {
            string fromEnvironment = Path.Combine(Path.GetTempPath(), "from-env");
            Environment.SetEnvironmentVariable(Mnist.EnvironmentVariable, fromEnvironment);

            Assert.That(Mnist.ResolveDirectory(_directory), Is.EqualTo(new MnistDirectory(Path.GetFullPath(_directory), MnistDirectorySource.Argument)));
            Assert.That(Mnist.ResolveDirectory(null), Is.EqualTo(new MnistDirectory(Path.GetFullPath(fromEnvironment), MnistDirectorySource.EnvironmentVariable)));

            Environment.SetEnvironmentVariable(Mnist.EnvironmentVariable, null);
            Assert.That(Mnist.ResolveDirectory(), Is.EqualTo(new MnistDirectory(Path.GetFullPath(Mnist.DefaultCacheDirectory), MnistDirectorySource.CacheDirectory)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Mnist.EnvironmentVariable, saved);
        }
    }

    [Test]
    public void DefaultCacheDirectory_is_MnistBp_mnist_in_a_per_user_folder()
    {
        string cache = Mnist.DefaultCacheDirectory;

        Assert.That(Path.IsPathRooted(cache), Is.True, cache);
        Assert.That(cache, Does.EndWith(Path.Combine("MnistBp", "mnist")));
    }

    [Test]
    public void FindFile_accepts_the_gzip_name_or_the_raw_name()
    {
        Directory.CreateDirectory(_directory);
        string gzip = Path.Combine(_directory, "a.gz");
        string raw = Path.Combine(_directory, "b");
        File.WriteAllBytes(gzip, [1]);
        File.WriteAllBytes(raw, [2]);

        Assert.That(Mnist.FindFile(_directory, "a.gz"), Is.EqualTo(gzip));
        Assert.That(Mnist.FindFile(_directory, "a"), Is.EqualTo(gzip));
        Assert.That(Mnist.FindFile(_directory, "b.gz"), Is.EqualTo(raw));
        Assert.That(Mnist.FindFile(_directory, "b"), Is.EqualTo(raw));
        Assert.That(Mnist.FindFile(_directory, "c.gz"), Is.Null);

        // With both present, the name as asked for wins.
        File.WriteAllBytes(Path.Combine(_directory, "a"), [3]);
        Assert.That(Mnist.FindFile(_directory, "a"), Is.EqualTo(Path.Combine(_directory, "a")));
        Assert.That(Mnist.FindFile(_directory, "a.gz"), Is.EqualTo(gzip));
    }

    [Test]
    public void IsPresent_needs_all_four_files_gzip_or_raw()
    {
        Assert.That(Mnist.IsPresent(_directory), Is.False, "no folder at all");

        WriteFilesGzipAndRaw(_directory, skip: Mnist.TestLabelsFileName);
        Assert.That(Mnist.IsPresent(_directory), Is.False, "one file missing");

        File.WriteAllBytes(Path.Combine(_directory, "t10k-labels-idx1-ubyte"), GeneratedMnist.Raw(Mnist.TestLabelsFileName));
        Assert.That(Mnist.IsPresent(_directory), Is.True);
    }

    [Test]
    public void Load_without_download_names_the_folder_and_the_missing_files()
    {
        WriteFilesGzipAndRaw(_directory, skip: Mnist.TrainImagesFileName);

        var exception = Assert.Throws<FileNotFoundException>(() => Mnist.Load(_directory, download: false));

        string folder = Path.GetFullPath(_directory);
        Assert.That(exception.Message, Does.Contain($"missing from '{folder}'").And.Contain("the folder passed in"));
        Assert.That(exception.Message, Does.Contain($": {Mnist.TrainImagesFileName}. "), "lists just the missing file first");
        Assert.That(exception.Message, Does.Contain(Mnist.EnvironmentVariable));
        foreach (MnistFileInfo file in Mnist.Files)
        {
            Assert.That(exception.Message, Does.Contain(file.FileName));
        }

        Assert.That(exception.FileName, Is.EqualTo(Path.Combine(folder, Mnist.TrainImagesFileName)));
        Assert.That(FileNamesIn(_directory), Has.Length.EqualTo(3), "nothing written");
    }

    [Test]
    public void Load_never_downloads_by_default_and_an_empty_folder_name_is_refused()
    {
        // Nothing to download from would be needed: the default is download: false, so the folder stays empty.
        Assert.Throws<FileNotFoundException>(() => Mnist.Load(_directory));
        Assert.That(FileNamesIn(_directory), Is.Empty, "nothing written");
        var blank = Assert.Throws<ArgumentException>(() => Mnist.Load("  "));
        Assert.That(blank.ParamName, Is.EqualTo("directory"));
        Assert.Throws<ArgumentException>(() => Mnist.ResolveDirectory(""));
    }

    [Test]
    public void Load_reads_files_already_present_gzip_and_raw_without_any_server()
    {
        WriteFilesGzipAndRaw(_directory, skip: null);

        // No downloader can be reached: the mirror below refuses connections, and it must not be needed.
        var unreachable = new MnistDownloader(mirrors: [LoopbackHttpServer.RefusingAddress()], files: GeneratedMnist.Files);
        MnistData data = Mnist.Load(_directory, downloader: unreachable);

        AssertGeneratedData(data);
        Assert.That(data.Location, Is.EqualTo(new MnistDirectory(Path.GetFullPath(_directory), MnistDirectorySource.Argument)));
    }

    [Test]
    public void Load_refuses_test_images_of_another_shape_and_a_set_without_images_naming_the_file()
    {
        // Found at load time, not after a whole training run that could not then be measured.
        WriteFilesGzipAndRaw(_directory, skip: null);
        int testCount = GeneratedMnist.TestCount;
        string testImages = Path.Combine(_directory, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(testImages, IdxBytes.Build([testCount, 28, 27], IdxBytes.Pattern(testCount * 28 * 27)));
        Assert.That(() => Mnist.Load(_directory), Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo(
            $"{Path.GetFullPath(testImages)}: its images are [28 x 27], but those of {Path.GetFullPath(Path.Combine(_directory, Mnist.TrainImagesFileName))} are " +
            "[28 x 28]; the training and test images of one data set must have the same shape."));

        File.WriteAllBytes(testImages, IdxBytes.Build([0, 28, 28], []));
        File.WriteAllBytes(Path.Combine(_directory, Mnist.TestLabelsFileName), IdxBytes.Gzip(IdxBytes.Build([0], [])));
        Assert.That(() => Mnist.Load(_directory), Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo(
            $"{Path.GetFullPath(testImages)}: the file is a valid IDX file but holds no images; a data set to train or test on needs at least one."));

        // the same for the training images, with the test files whole again
        WriteFilesGzipAndRaw(_directory, skip: null);
        string trainImages = Path.Combine(_directory, Mnist.TrainImagesFileName);
        File.WriteAllBytes(trainImages, IdxBytes.Gzip(IdxBytes.Build([0, 28, 28], [])));
        File.WriteAllBytes(Path.Combine(_directory, "train-labels-idx1-ubyte"), IdxBytes.Build([0], []));
        Assert.That(() => Mnist.Load(_directory), Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo(
            $"{Path.GetFullPath(trainImages)}: the file is a valid IDX file but holds no images; a data set to train or test on needs at least one."));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LoadAsync_downloads_from_a_loopback_mirror_then_reads_the_datasets(CancellationToken cancellationToken)
    {
        await using var server = LoopbackHttpServer.Start(GeneratedMnist.Serve);
        using var httpClient = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var downloader = new MnistDownloader(httpClient, [LoopbackHttpServer.RefusingAddress(), server.Folder("mnist")], GeneratedMnist.Files, TimeSpan.FromSeconds(10));
        var progress = new RecordingProgress();

        MnistData data = await Mnist.LoadAsync(_directory, download: true, progress: progress, downloader: downloader, cancellationToken: cancellationToken);

        AssertGeneratedData(data);
        Assert.That(progress.Reports.Count(r => r.Stage == MnistDownloadStage.Completed), Is.EqualTo(4));
        Assert.That(FileNamesIn(_directory), Is.EquivalentTo(Mnist.Files.Select(f => f.FileName)));

        // A second load finds the files and sends no request.
        int requests = server.RequestedPaths.Count;
        Assert.That(Mnist.Load(_directory, download: true, downloader: downloader).Test.Count, Is.EqualTo(GeneratedMnist.TestCount));
        Assert.That(server.RequestedPaths, Has.Count.EqualTo(requests));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Load_with_every_mirror_failing_says_where_to_put_the_files(CancellationToken cancellationToken)
    {
        await using var server = LoopbackHttpServer.Start(_ => LoopbackResponse.Status(500));
        using var httpClient = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var downloader = new MnistDownloader(httpClient, [server.Folder("a"), server.Folder("b")], GeneratedMnist.Files);

        var exception = Assert.ThrowsAsync<MnistDownloadException>(() => Mnist.LoadAsync(_directory, download: true, downloader: downloader, cancellationToken: cancellationToken));

        Assert.That(exception.Message, Does.Contain($"into '{Path.GetFullPath(_directory)}'").And.Contain(Mnist.EnvironmentVariable));
        Assert.That(FileNamesIn(_directory), Is.Empty);
    }

    [Test]
    [Category("RealData")]
    public void Load_of_the_real_files_gives_60000_training_and_10000_test_images()
    {
        string directory = TestPaths.RealMnistOrIgnore();

        MnistData data = Mnist.Load(directory, download: false);

        Assert.That(data.Train.Count, Is.EqualTo(60000));
        Assert.That(data.Test.Count, Is.EqualTo(10000));
        Assert.That(data.Train.FeatureCount, Is.EqualTo(784));
        Assert.That(data.Train.Labels[..10].ToArray(), Is.EqualTo(new byte[] { 5, 0, 4, 1, 9, 2, 1, 3, 1, 4 }));
        Assert.That(data.Test.Labels[..10].ToArray(), Is.EqualTo(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }));
    }

    /// <summary>Writes the generated files, training images and test labels gzip, the other two raw (without .gz).</summary>
    private static void WriteFilesGzipAndRaw(string directory, string? skip)
    {
        Directory.CreateDirectory(directory);
        foreach (MnistFileInfo file in Mnist.Files.Where(f => f.FileName != skip))
        {
            bool gzip = file.FileName is Mnist.TrainImagesFileName or Mnist.TestLabelsFileName;
            string path = Path.Combine(directory, gzip ? file.FileName : file.FileName[..^3]);
            File.WriteAllBytes(path, gzip ? GeneratedMnist.Bytes[file.FileName] : GeneratedMnist.Raw(file.FileName));
        }
    }

    private static void AssertGeneratedData(MnistData data)
    {
        Assert.That(data.Train.Count, Is.EqualTo(GeneratedMnist.TrainCount));
        Assert.That(data.Test.Count, Is.EqualTo(GeneratedMnist.TestCount));
        Assert.That(data.Train.FeatureCount, Is.EqualTo(GeneratedMnist.Side * GeneratedMnist.Side));
        Assert.That(data.Train.ClassCount, Is.EqualTo(Mnist.ClassCount));
        Assert.That(data.Train.Labels.ToArray(), Is.EqualTo(GeneratedMnist.TrainLabels));
        Assert.That(data.Test.Labels.ToArray(), Is.EqualTo(GeneratedMnist.TestLabels));

        byte[] testPixels = GeneratedMnist.Pixels(GeneratedMnist.TestCount, seed: 2);
        float[] scaled = [.. testPixels.Select(b => b / 255f)];
        Assert.That(data.Test.GetImages().ToArray(), Is.EqualTo(scaled), "x = byte / 255");
    }

    private static string[] FileNamesIn(string directory) =>
        Directory.Exists(directory) ? [.. Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!)] : [];
}
