// Where these tests get MNIST: the full set from $MNISTBP_DATA or ../shared/datasets/mnist beside the
// checkout (CI has it), else the 8,000/2,000-image slice shipped with sample 04 (a fresh machine).
using MnistBp;
using MnistBp.Data;

namespace MnistBp.Extending.Tests;

internal static class Data
{
    /// <summary>The accuracy the issue asks for after 3 epochs on the full MNIST.</summary>
    public const double FullMnistMinimum = 0.96;

    /// <summary>What the same run must reach on the shipped slice, which has an eighth of the training images.</summary>
    public const double SliceMinimum = 0.90;

    /// <summary>Loads the full MNIST when present, else the slice; returns the accuracy to require.</summary>
    public static (MnistData Data, double Minimum) Load()
    {
        string root = RepositoryRoot();
        string[] candidates = [Environment.GetEnvironmentVariable("MNISTBP_DATA") ?? "", Path.Combine(root, "..", "shared", "datasets", "mnist")];
        string? full = candidates.FirstOrDefault(c => c.Length > 0 && Mnist.IsPresent(c));
        return full is not null
            ? (Mnist.Load(full), FullMnistMinimum)
            : (Mnist.Load(Path.Combine(root, "samples", "04-mnist", "mnist-slice")), SliceMinimum);
    }

    /// <summary>A [rows x columns] tensor of uniform values in [0, 1).</summary>
    public static Tensor Random(int rows, int columns, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var tensor = new Tensor(rows, columns, "x");
        Span<float> values = tensor.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return tensor;
    }

    private static string RepositoryRoot()
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
