// Training through Trainer.Fit with each augmentation on the MNIST slice: it still learns (real accuracy
// on the untouched test images, with margins below what was seen), and the run is reproducible from its
// seeds. Also writes a sheet of augmented digits to the temporary folder, to look at (not committed).
using MnistBp.Data;
using MnistBp.Pictures;

namespace MnistBp.Tests;

public class AugmentedTrainingTests
{
    private static Trainer NewTrainer(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var model = new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("h"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("o"));
        return new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new AffineAugmentation(28, 28, 1f, 8f, 0.08f), 0.85).SetArgDisplayNames("affine");
        yield return new TestCaseData(new ElasticDistortion(28, 28), 0.85).SetArgDisplayNames("elastic");
    }

    [TestCaseSource(nameof(Cases))]
    public void Training_on_the_slice_with_the_augmentation_still_learns(Augmentation augmentation, double minimum)
    {
        (Dataset train, Dataset test) = TestPaths.SliceData;
        var options = new TrainingOptions { Epochs = 3, BatchSize = 10, ShuffleSeed = 1, Augmentation = augmentation, AugmentationSeed = 11 };
        IReadOnlyList<EpochResult> results = NewTrainer(1).Fit(train, options, test);
        double accuracy = results[^1].Evaluation!.Accuracy;
        TestContext.Progress.WriteLine($"{augmentation}: {results[^1].Evaluation} after 3 epochs on the slice");
        Assert.That(accuracy, Is.GreaterThan(minimum), "without augmentation this reaches 88.2%");

        // the same seeds, the same weights; another augmentation seed, other weights
        Dataset part = train.Slice(0, 500);
        float[] Weights(ulong augmentationSeed)
        {
            Trainer trainer = NewTrainer(1);
            trainer.Fit(part, options with { Epochs = 1, AugmentationSeed = augmentationSeed });
            return trainer.Model.Parameters[0].Value.ToArray();
        }

        float[] first = Weights(5);
        Assert.That(Weights(5), Is.EqualTo(first).AsCollection);
        Assert.That(Weights(6), Is.Not.EqualTo(first).AsCollection);
    }

    [Test]
    public void A_sheet_of_augmented_digits_can_be_drawn()
    {
        Tensor digits = AffineAugmentationTests.Digits(0, 10);
        var rows = new Tensor(40, 784);
        for (int copy = 0; copy < 4; copy++)
        {
            var batch = new Tensor(10, 784);
            batch.CopyFrom(digits);
            if (copy == 1)
            {
                new AffineAugmentation(28, 28, 2f, 15f, 0.15f).Apply(batch, new DeterministicRandom(1));
            }
            else if (copy > 1)
            {
                new ElasticDistortion(28, 28, maxRotationDegrees: copy == 3 ? 10f : 0f).Apply(batch, new DeterministicRandom((ulong)copy));
            }

            batch.AsSpan().CopyTo(rows.AsSpan()[(copy * 7840)..]);
        }

        byte[] labels = [.. Enumerable.Range(0, 40).Select(i => TestPaths.SliceData.Train.Labels.Span[i % 10])];
        byte[] pixels = [.. rows.ToArray().Select(p => (byte)Math.Clamp(MathF.Round(p * 255f), 0f, 255f))];
        Dataset sheetData = Dataset.FromIdx(new IdxArray([40, 28, 28], pixels, "images"), new IdxArray([40], labels, "labels"), classCount: 10);
        SvgDocument sheet = Pictures.Pictures.DigitSheet(sheetData, count: 40, columns: 10);
        string path = Path.Combine(Path.GetTempPath(), "mnistbp-augmented-digits.svg");
        sheet.Save(path);
        TestContext.Progress.WriteLine($"Rows: original, affine, elastic, elastic + rotation: {path}");
        Assert.That(new FileInfo(path).Length, Is.GreaterThan(1000));
    }
}
