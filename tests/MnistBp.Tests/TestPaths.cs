// Where the tests find the repository, the shipped MNIST slice and (when present) the full MNIST.
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

    /// <summary>The full MNIST: $MNISTBP_DATA, else ../shared/datasets/mnist beside the checkout; null when neither has it.</summary>
    public static string? FullMnist
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("MNISTBP_DATA");
            string[] candidates = [fromEnvironment ?? "", Path.Combine(RepositoryRoot, "..", "shared", "datasets", "mnist")];
            return candidates.FirstOrDefault(c => c.Length > 0 && File.Exists(Path.Combine(c, "t10k-labels-idx1-ubyte.gz")));
        }
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
