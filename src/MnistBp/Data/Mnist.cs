// Mnist: the way in to the MNIST digits. It picks the data folder (an argument, else the MNISTBP_DATA
// environment variable, else a per-user cache folder), finds the four files there gzip or raw,
// fetches the missing ones through MnistDownloader, and reads them into a training and a test
// Dataset. It does not keep the data in memory between calls, slice off a validation set or
// shuffle: callers do that with Dataset.Slice and DeterministicRandom.
namespace MnistBp.Data;

/// <summary>
/// Loads the MNIST database of handwritten digits (LeCun, Cortes, Burges): 60000 training and 10000
/// test images of 28 x 28 pixels, each labelled 0 to 9.
/// </summary>
/// <example>
/// <code>
/// MnistData mnist = Mnist.Load(download: true, progress: new Progress&lt;MnistDownloadProgress&gt;(Console.WriteLine));
/// Console.WriteLine($"{mnist.Train.Count} training images from {mnist.Location.Path}");
/// </code>
/// </example>
public static class Mnist
{
    /// <summary>The environment variable naming the data folder when no folder is passed: <c>MNISTBP_DATA</c>.</summary>
    public const string EnvironmentVariable = "MNISTBP_DATA";

    /// <summary>The training images, 60000 x 28 x 28.</summary>
    public const string TrainImagesFileName = "train-images-idx3-ubyte.gz";

    /// <summary>The training labels, 60000.</summary>
    public const string TrainLabelsFileName = "train-labels-idx1-ubyte.gz";

    /// <summary>The test images, 10000 x 28 x 28.</summary>
    public const string TestImagesFileName = "t10k-images-idx3-ubyte.gz";

    /// <summary>The test labels, 10000.</summary>
    public const string TestLabelsFileName = "t10k-labels-idx1-ubyte.gz";

    /// <summary>The number of classes: the digits 0 to 9.</summary>
    public const int ClassCount = 10;

    /// <summary>The four files with the MD5s and the sizes (<see cref="MnistFileInfo.MaxBytes"/>) of the canonical gzip files served by the mirrors.</summary>
    public static IReadOnlyList<MnistFileInfo> Files { get; } =
    [
        new(TrainImagesFileName, "f68b3c2dcbeaaa9fbdd348bbdeb94873") { MaxBytes = 9_912_422 },
        new(TrainLabelsFileName, "d53e105ee54ea40749a09fcbcd1e9432") { MaxBytes = 28_881 },
        new(TestImagesFileName, "9fb629c4189551a2d022fa330f9573f3") { MaxBytes = 1_648_877 },
        new(TestLabelsFileName, "ec29112dd5afa0611ce80d1b7f02629c") { MaxBytes = 4_542 },
    ];

    /// <summary>
    /// The public mirrors tried in order. yann.lecun.com, the original home, is left out: it often
    /// answers 403 to scripts.
    /// </summary>
    public static IReadOnlyList<Uri> Mirrors { get; } =
    [
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
    ];

    /// <summary>
    /// The per-user cache folder used when neither a folder nor <see cref="EnvironmentVariable"/> is
    /// given: <c>MnistBp/mnist</c> under the local application data folder (<c>~/.local/share</c> on
    /// Linux, <c>%LOCALAPPDATA%</c> on Windows), else under <c>~/.cache</c>, else under the temp folder.
    /// </summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(root))
            {
                string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
                root = string.IsNullOrEmpty(home) ? Path.GetTempPath() : Path.Combine(home, ".cache");
            }

            return Path.Combine(root, "MnistBp", "mnist");
        }
    }

    /// <summary>
    /// Chooses the data folder: <paramref name="directory"/> when given, else the value of
    /// <see cref="EnvironmentVariable"/> when set, else <see cref="DefaultCacheDirectory"/>.
    /// </summary>
    /// <param name="directory">An explicit folder, or null to fall back to the others.</param>
    /// <returns>The full path of the folder (which may not exist yet) and where it came from.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or white space (pass null to mean "not given").</exception>
    public static MnistDirectory ResolveDirectory(string? directory = null)
    {
        if (directory is not null)
        {
            if (string.IsNullOrWhiteSpace(directory))
            {
                throw new ArgumentException($"The MNIST folder '{directory}' is empty or white space; pass null to use ${EnvironmentVariable} or the per-user cache.", nameof(directory));
            }

            return new MnistDirectory(Path.GetFullPath(directory), MnistDirectorySource.Argument);
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new MnistDirectory(Path.GetFullPath(fromEnvironment), MnistDirectorySource.EnvironmentVariable);
        }

        return new MnistDirectory(Path.GetFullPath(DefaultCacheDirectory), MnistDirectorySource.CacheDirectory);
    }

    /// <summary>
    /// Finds a file in <paramref name="directory"/> as named, or decompressed: for <c>name.gz</c> also
    /// <c>name</c>, and for <c>name</c> also <c>name.gz</c>. The name as given wins when both exist.
    /// </summary>
    /// <param name="directory">The folder to look in.</param>
    /// <param name="fileName">A file name such as <see cref="TrainImagesFileName"/>.</param>
    /// <returns>The full path of the file found, or null.</returns>
    public static string? FindFile(string directory, string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        string path = Path.GetFullPath(Path.Combine(directory, fileName));
        if (File.Exists(path))
        {
            return path;
        }

        string other = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path + ".gz";
        return File.Exists(other) ? other : null;
    }

    /// <summary>Whether all four files are in <paramref name="directory"/>, each gzip or raw (see <see cref="FindFile"/>). Their content is not checked.</summary>
    /// <param name="directory">The folder to look in.</param>
    /// <returns>True when none is missing.</returns>
    public static bool IsPresent(string directory) => MissingFiles(directory).Count == 0;

    /// <summary>
    /// Loads the training and test sets from the folder chosen by <see cref="ResolveDirectory"/>,
    /// downloading the missing files first only when <paramref name="download"/> is true (the network is never touched by default).
    /// </summary>
    /// <param name="directory">The data folder, or null for <see cref="EnvironmentVariable"/> or <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="download">True to download missing files; false (the default) never touches the network: missing files then throw <see cref="FileNotFoundException"/>.</param>
    /// <param name="progress">Receives download progress; null for none. Not called when all files are present.</param>
    /// <param name="downloader">The downloader to fetch missing files with; null for one using <see cref="Mirrors"/>.</param>
    /// <param name="cancellationToken">Cancels the download (leaving no partial file).</param>
    /// <returns>The two datasets, pixels scaled to [0, 1], 10 classes.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="download"/> is false and files are missing; the message names the folder and the files.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested during a download.</exception>
    /// <exception cref="MnistDownloadException">A missing file could not be downloaded from any mirror; the message says where to put the files.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is not a valid IDX file, images and labels do not match, a set holds no images, or the test images do not
    /// have the training images' dimensions (the same shape, such as 28 x 28, not only the same number of pixels).
    /// </exception>
    public static MnistData Load(string? directory = null, bool download = false, IProgress<MnistDownloadProgress>? progress = null, MnistDownloader? downloader = null, CancellationToken cancellationToken = default)
    {
        MnistDirectory location = ResolveDirectory(directory);
        if (!IsPresent(location.Path))
        {
            ThrowIfNoDownload(location, download);

            // Run the asynchronous download on the thread pool so that no synchronization context can deadlock it.
            MnistDownloader client = downloader ?? new MnistDownloader();
            Task.Run(() => client.EnsureFilesAsync(location.Path, progress, cancellationToken), cancellationToken).GetAwaiter().GetResult();
        }

        return Read(location);
    }

    /// <summary>
    /// Loads the training and test sets like <see cref="Load"/>, downloading asynchronously; the files
    /// are then read on the thread pool.
    /// </summary>
    /// <param name="directory">The data folder, or null for <see cref="EnvironmentVariable"/> or <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="download">True to download missing files; false (the default) never touches the network: missing files then throw <see cref="FileNotFoundException"/>.</param>
    /// <param name="progress">Receives download progress; null for none.</param>
    /// <param name="downloader">The downloader to fetch missing files with; null for one using <see cref="Mirrors"/>.</param>
    /// <param name="cancellationToken">Cancels the download (leaving no partial file) or the wait for the read.</param>
    /// <returns>The two datasets, pixels scaled to [0, 1], 10 classes.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="download"/> is false and files are missing; the message names the folder and the files.</exception>
    /// <exception cref="MnistDownloadException">A missing file could not be downloaded from any mirror; the message says where to put the files.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is not a valid IDX file, images and labels do not match, a set holds no images, or the test images do not
    /// have the training images' dimensions (the same shape, such as 28 x 28, not only the same number of pixels).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<MnistData> LoadAsync(string? directory = null, bool download = false, IProgress<MnistDownloadProgress>? progress = null, MnistDownloader? downloader = null, CancellationToken cancellationToken = default)
    {
        MnistDirectory location = ResolveDirectory(directory);
        if (!IsPresent(location.Path))
        {
            ThrowIfNoDownload(location, download);
            await (downloader ?? new MnistDownloader()).EnsureFilesAsync(location.Path, progress, cancellationToken).ConfigureAwait(false);
        }

        return await Task.Run(() => Read(location), cancellationToken).ConfigureAwait(false);
    }

    private static MnistData Read(MnistDirectory location)
    {
        string Find(string name) => FindFile(location.Path, name)
            ?? throw new FileNotFoundException($"{name} disappeared from '{location.Path}' while loading MNIST.", Path.Combine(location.Path, name));

        string trainImages = Find(TrainImagesFileName), testImages = Find(TestImagesFileName);
        Dataset train = Dataset.FromIdx(trainImages, Find(TrainLabelsFileName), ClassCount);
        Dataset test = Dataset.FromIdx(testImages, Find(TestLabelsFileName), ClassCount);
        RequireUsablePair(train, trainImages, test, testImages);
        return new MnistData(train, test, location);
    }

    /// <summary>
    /// Throws unless both sets hold images and the test images have the training images' shape: a model trained on one
    /// could not be measured on the other, and the run would find out only after training.
    /// </summary>
    private static void RequireUsablePair(Dataset train, string trainImages, Dataset test, string testImages)
    {
        foreach ((Dataset set, string path) in new[] { (train, trainImages), (test, testImages) })
        {
            if (set.Count == 0)
            {
                throw new InvalidDataException($"{path}: the file is a valid IDX file but holds no images; a data set to train or test on needs at least one.");
            }
        }

        if (!train.ImageShape.SequenceEqual(test.ImageShape))
        {
            throw new InvalidDataException(
                $"{testImages}: its images are [{string.Join(" x ", test.ImageShape)}], but those of {trainImages} are " +
                $"[{string.Join(" x ", train.ImageShape)}]; the training and test images of one data set must have the same shape.");
        }
    }

    private static List<string> MissingFiles(string directory) =>
        Files.Select(file => file.FileName).Where(name => FindFile(directory, name) is null).ToList();

    private static void ThrowIfNoDownload(MnistDirectory location, bool download)
    {
        if (download)
        {
            return;
        }

        List<string> missing = MissingFiles(location.Path);
        string source = location.Source switch
        {
            MnistDirectorySource.Argument => "the folder passed in",
            MnistDirectorySource.EnvironmentVariable => $"from the environment variable {EnvironmentVariable}",
            _ => $"the per-user cache, as no folder was passed and {EnvironmentVariable} is not set",
        };
        throw new FileNotFoundException(
            $"MNIST files are missing from '{location.Path}' ({source}): {string.Join(", ", missing)}. "
            + $"Put the four files {string.Join(", ", Files.Select(f => f.FileName))} (gzip, or decompressed without the .gz) into that folder, "
            + $"or set the environment variable {EnvironmentVariable} to a folder that has them, or allow the download.",
            Path.Combine(location.Path, missing[0]));
    }
}

/// <summary>Where <see cref="Mnist.ResolveDirectory"/> found the data folder.</summary>
public enum MnistDirectorySource
{
    /// <summary>The folder was passed in explicitly.</summary>
    Argument,

    /// <summary>The folder came from the environment variable <see cref="Mnist.EnvironmentVariable"/>.</summary>
    EnvironmentVariable,

    /// <summary>Neither was given: the per-user <see cref="Mnist.DefaultCacheDirectory"/>.</summary>
    CacheDirectory,
}

/// <summary>A data folder and where it came from.</summary>
/// <param name="Path">The full path of the folder; it may not exist yet.</param>
/// <param name="Source">Whether it was passed in, came from <see cref="Mnist.EnvironmentVariable"/>, or is the per-user cache.</param>
public sealed record MnistDirectory(string Path, MnistDirectorySource Source);

/// <summary>The MNIST training and test sets, as returned by <see cref="Mnist.Load"/>.</summary>
/// <param name="Train">The 60000 training images and labels.</param>
/// <param name="Test">The 10000 test images and labels.</param>
/// <param name="Location">The folder they were read from and why it was chosen.</param>
public sealed record MnistData(Dataset Train, Dataset Test, MnistDirectory Location);
