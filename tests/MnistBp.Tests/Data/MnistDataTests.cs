namespace MnistBp.Tests;

/// <summary>Reads the real MNIST test set, when it is on this machine.</summary>
public class MnistDataTests
{
    [Test]
    public void The_MNIST_test_set_reads_as_10000_labelled_28_x_28_digits()
    {
        string folder = TestPaths.RealMnistOrIgnore();
        // Mnist.IsPresent accepts each file gzip or raw; Dataset.FromIdx reads either.
        string GzipOrRaw(string name) => File.Exists(Path.Combine(folder, name + ".gz")) ? Path.Combine(folder, name + ".gz") : Path.Combine(folder, name);
        string imagesPath = GzipOrRaw("t10k-images-idx3-ubyte");
        string labelsPath = GzipOrRaw("t10k-labels-idx1-ubyte");

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
