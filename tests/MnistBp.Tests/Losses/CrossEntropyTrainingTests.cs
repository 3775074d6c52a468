// Training with the new losses on the shipped MNIST slice (8,000 training, 2,000 test images):
// Nielsen's chapter 3 claim that cross-entropy learns faster than the quadratic cost from the same
// sigmoid network and the same start, and Dense-Sigmoid-Dense with the fused softmax cross-entropy.
using MnistBp.Data;

namespace MnistBp.Tests;

public class CrossEntropyTrainingTests
{
    private static Sequential SigmoidNetwork(ulong seed, bool sigmoidOutput)
    {
        var random = new DeterministicRandom(seed);
        return sigmoidOutput
            ? new Sequential(
                new Dense(784, 100, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden activation"),
                new Dense(100, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("output activation"))
            : new Sequential(
                new Dense(784, 100, WeightInit.XavierNormal, random, "hidden"), new Sigmoid("hidden activation"),
                new Dense(100, 10, WeightInit.XavierNormal, random, "logits"));
    }

    private static double[] Accuracies(Sequential model, Loss loss, float learnRate, int epochs, int trainingCount = 8000)
    {
        (Dataset train, Dataset test) = TestPaths.SliceData;
        train = train.Slice(0, trainingCount);
        var trainer = new Trainer(model, loss, new Sgd(model.Parameters, learnRate));
        IReadOnlyList<EpochResult> results = trainer.Fit(train, new TrainingOptions { Epochs = epochs, BatchSize = 10, ShuffleSeed = 1 }, test);
        return [.. results.Select(r => r.Evaluation!.Accuracy)];
    }

    [Test]
    public void Cross_entropy_learns_faster_than_the_quadratic_cost_from_the_same_start()
    {
        const float learnRate = 0.5f;
        double[] quadratic = Accuracies(SigmoidNetwork(2, sigmoidOutput: true), new QuadraticCost(), learnRate, 1, 2000);
        double[] crossEntropy = Accuracies(SigmoidNetwork(2, sigmoidOutput: true), new CrossEntropyCost(), learnRate, 1, 2000);
        TestContext.Progress.WriteLine($"784-100-10 sigmoid, η = {learnRate}: quadratic {string.Join(", ", quadratic.Select(a => $"{a:P2}"))}; cross-entropy {string.Join(", ", crossEntropy.Select(a => $"{a:P2}"))}");
        // one epoch on the first 2,000 images; seen: quadratic 56.90%, cross-entropy 79.60%
        Assert.That(crossEntropy[0], Is.GreaterThan(0.77), "cross-entropy");
        Assert.That(quadratic[0], Is.LessThan(0.62), "quadratic cost: the same network, start and rate, held back by σ'(z) at the output");
        Assert.That(crossEntropy[0] - quadratic[0], Is.GreaterThan(0.15));
    }

    [Test]
    public void Dense_Sigmoid_Dense_with_softmax_cross_entropy_trains()
    {
        double[] accuracy = Accuracies(SigmoidNetwork(3, sigmoidOutput: false), new SoftmaxCrossEntropy(), 1f, 2);
        TestContext.Progress.WriteLine($"784-100-10 sigmoid + softmax cross-entropy, η = 1: {string.Join(", ", accuracy.Select(a => $"{a:P2}"))}");
        // seen: 88.40%, 90.75% on the 2,000 test images
        Assert.That(accuracy[0], Is.GreaterThan(0.865));
        Assert.That(accuracy[1], Is.GreaterThan(0.89));
    }
}
