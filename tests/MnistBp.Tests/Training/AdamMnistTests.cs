// Adam on real data: 784-30-10 (sigmoid, quadratic cost) on the shipped MNIST slice, two epochs,
// real accuracy asserted on the slice's 2,000 test images; and AdamW with a warm-up and cosine schedule
// over the same run, which must learn as well.
using MnistBp.Data;

namespace MnistBp.Tests.Training;

internal sealed class AdamMnistTests
{
    private static Sequential NewModel()
    {
        var random = new DeterministicRandom(1);
        return new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden activation"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("output activation"));
    }

    [Test]
    public void Adam_trains_784_30_10_on_the_MNIST_slice()
    {
        (Dataset train, Dataset test) = TestPaths.SliceData;
        Sequential model = NewModel();
        var trainer = new Trainer(model, new QuadraticCost(), new Adam(model.Parameters, learnRate: 3e-3f));
        TrainingHistory history = trainer.Fit(train, new TrainingOptions { Epochs = 2, BatchSize = 10, ShuffleSeed = 1 }, test);
        TestContext.Progress.WriteLine($"Adam: {history[0].Evaluation}, then {history[1].Evaluation}");
        Assert.That(history[1].Evaluation!.Accuracy, Is.GreaterThan(ExpectedAdam));
    }

    [Test]
    public void AdamW_with_warm_up_and_cosine_trains_784_30_10_on_the_MNIST_slice()
    {
        (Dataset train, Dataset test) = TestPaths.SliceData;
        Sequential model = NewModel();
        var trainer = new Trainer(model, new QuadraticCost(), new AdamW(model.Parameters, learnRate: 3e-3f, weightDecay: 0.01f));
        var options = new TrainingOptions { Epochs = 2, BatchSize = 10, ShuffleSeed = 1, Schedule = LearnRateSchedule.WarmUp(100, 0.1f, LearnRateSchedule.Cosine()) };
        TrainingHistory history = trainer.Fit(train, options, test);
        TestContext.Progress.WriteLine($"AdamW + warm-up + cosine: {history[0].Evaluation}, then {history[1].Evaluation}; last rate {history[1].LearnRate}");
        Assert.That(history[1].Evaluation!.Accuracy, Is.GreaterThan(ExpectedAdamW));
        Assert.That(history[1].LearnRate, Is.LessThan(1e-4f), "the cosine ends near 0");
    }

    private const double ExpectedAdam = 0.86; // 87.25% seen (85.55% after epoch 1)
    private const double ExpectedAdamW = 0.84; // 85.70% seen (85.05% after epoch 1)
}
