// Where the tests find the repository, the shipped MNIST slice and (when present) the full MNIST.
using MnistBp.Data;

namespace MnistBp.Tests;

internal static class TestPaths
{
    /// <summary>The folder holding MnistBp.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The small slice of MNIST shipped with sample 04 (8,000 training and 2,000 test items).</summary>
    public static string MnistSlice => Path.Combine(RepositoryRoot, "samples", "04-mnist", "mnist-slice");

    private static readonly Lazy<(Dataset Train, Dataset Test)> s_slice = new(() => (
        Dataset.FromIdx(Path.Combine(MnistSlice, "train-images-idx3-ubyte.gz"), Path.Combine(MnistSlice, "train-labels-idx1-ubyte.gz"), 10),
        Dataset.FromIdx(Path.Combine(MnistSlice, "t10k-images-idx3-ubyte.gz"), Path.Combine(MnistSlice, "t10k-labels-idx1-ubyte.gz"), 10)));

    /// <summary>The slice's two datasets, read once per test run; tests that change data change a Slice of them, never these.</summary>
    public static (Dataset Train, Dataset Test) SliceData => s_slice.Value;

    /// <summary>
    /// The folder holding the four real MNIST files: $MNISTBP_DATA when set, else ../shared/datasets/mnist beside the
    /// checkout. The full set is never committed (11 MB) and machines here have no internet, so on a bare machine the
    /// calling test is ignored with the reason; but when MNISTBP_DATA is set (a wrong path is a mistake to report) or
    /// under the project's CI (MNISTBP_CI=1, where the data is always present), a missing set fails the test, as the
    /// browser and PyTorch tests do.
    /// </summary>
    /// <returns>The folder; the test does not return from here when there is none.</returns>
    public static string RealMnistOrIgnore()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
        string shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "datasets", "mnist"));
        bool named = !string.IsNullOrWhiteSpace(fromEnvironment);
        string folder = named ? fromEnvironment! : shared;
        if (Mnist.IsPresent(folder))
        {
            return folder;
        }

        string why = $"The real MNIST files are not in '{folder}' ({(named ? $"from {Mnist.EnvironmentVariable}" : $"{Mnist.EnvironmentVariable} is not set")}).";
        if (named || PythonTool.RequireTools)
        {
            Assert.Fail($"{why} They are required when {Mnist.EnvironmentVariable} is set or under MNISTBP_CI=1.");
        }

        Assert.Ignore($"{why} Set {Mnist.EnvironmentVariable} to the folder holding the four .gz files to run this test.");
        return folder; // not reached: Assert.Ignore throws
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MnistBp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No MnistBp.sln above {TestContext.CurrentContext.TestDirectory}.");
    }
}
