namespace MnistBp.Tests;

/// <summary>Reads the real MNIST test set, when it is on this machine.</summary>
public class MnistDataTests
{
    /// <summary>
    /// The folder holding the MNIST .gz files: $MNISTBP_DATA, else ../shared/datasets/mnist next to
    /// the repository root (the folder holding MnistBp.sln); null when neither has the files.
    /// </summary>
    private static string? FindMnistFolder()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("MNISTBP_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MnistBp.sln")))
            {
                return Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "datasets", "mnist"));
            }
        }

        return null;
    }

    [Test]
    public void The_MNIST_test_set_reads_as_10000_labelled_28_x_28_digits()
    {
        string? folder = FindMnistFolder();
        string imagesPath = Path.Combine(folder ?? ".", "t10k-images-idx3-ubyte.gz");
        string labelsPath = Path.Combine(folder ?? ".", "t10k-labels-idx1-ubyte.gz");
        if (folder is null || !File.Exists(imagesPath) || !File.Exists(labelsPath))
        {
            // The dataset is never committed (it is 11 MB) and machines here have no internet. CI always
            // has it in ../shared/datasets/mnist; elsewhere, point MNISTBP_DATA at a folder with the .gz files.
            Assert.Ignore($"MNIST test files not found in '{folder}'; set MNISTBP_DATA to the folder holding t10k-*-ubyte.gz.");
        }

        Dataset test = Dataset.FromIdx(imagesPath, labelsPath, classCount: 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(test.Count, Is.EqualTo(10000));
            Assert.That(test.ImageShape, Is.EqualTo(new[] { 28, 28 }));
            Assert.That(test.FeatureCount, Is.EqualTo(784));
            Assert.That(test.Labels[..10].ToArray(), Is.EqualTo(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }));
            Assert.That(test.GetImages().ToArray(), Is.All.InRange(0f, 1f));
            Assert.That(test.GetImages().ToArray().Max(), Is.EqualTo(1f), "some pixels are full ink");
        }
    }
}
