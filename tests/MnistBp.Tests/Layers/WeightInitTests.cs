// The Xavier/Glorot and He/Kaiming initialisations of Dense: over a 784 x 1000 layer (784,000
// weights) the sample mean, standard deviation and kurtosis match the distribution, uniform weights
// stay inside their bounds and reach near them, biases are zero, and a seed fixes every weight.
// Tolerances: for N = 784,000 draws the sample std is off by about 1/√(2N) ≈ 0.08% of σ and the mean
// by σ/√N ≈ 0.11% of σ; 1% is over ten of those, so a wrong formula (σ off by √2 or more) cannot pass.
namespace MnistBp.Tests;

public class WeightInitTests
{
    private const int InputSize = 784, OutputSize = 1000;

    [TestCase(WeightInit.XavierNormal, false, 2.0 / (InputSize + OutputSize))]
    [TestCase(WeightInit.XavierUniform, true, 2.0 / (InputSize + OutputSize))]
    [TestCase(WeightInit.HeNormal, false, 2.0 / InputSize)]
    [TestCase(WeightInit.HeUniform, true, 2.0 / InputSize)]
    public void Weights_have_the_variance_and_shape_of_the_distribution_and_biases_are_zero(WeightInit init, bool uniform, double variance)
    {
        var layer = new Dense(InputSize, OutputSize, init, new DeterministicRandom(7), "wide");
        float[] w = layer.Weights.Value.ToArray();
        double sigma = Math.Sqrt(variance);

        double mean = w.Average(x => (double)x);
        double std = Math.Sqrt(w.Average(x => (x - mean) * (x - mean)));
        double kurtosis = w.Average(x => Math.Pow(x - mean, 4)) / Math.Pow(std, 4);

        Assert.That(mean, Is.EqualTo(0).Within(0.01 * sigma), "mean");
        Assert.That(std, Is.EqualTo(sigma).Within(0.01 * sigma), "standard deviation");
        if (uniform)
        {
            // U(-limit, limit): limit = √3 σ, that is √(6/(in+out)) or √(6/in); kurtosis 9/5
            double limit = Math.Sqrt(3 * variance);
            Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-limit).And.LessThan(-0.999 * limit), "the lower bound is respected and reached");
            Assert.That(w.Max(), Is.LessThanOrEqualTo(limit).And.GreaterThan(0.999 * limit), "the upper bound is respected and reached");
            Assert.That(kurtosis, Is.EqualTo(1.8).Within(0.02), "kurtosis of a uniform distribution");
        }
        else
        {
            // N(0, σ²): kurtosis 3, and about 4.55% of the draws beyond 2σ
            Assert.That(kurtosis, Is.EqualTo(3).Within(0.05), "kurtosis of a normal distribution");
            Assert.That(w.Count(x => Math.Abs(x) > 2 * sigma) / (double)w.Length, Is.EqualTo(0.0455).Within(0.002));
        }

        Assert.That(layer.Biases.Value.ToArray(), Is.All.EqualTo(0f), "biases start at zero");
    }

    [Test]
    public void The_same_seed_gives_the_same_weights_and_another_seed_does_not([Values] WeightInit init)
    {
        float[] Weights(ulong seed) => new Dense(30, 20, init, new DeterministicRandom(seed)).Weights.Value.ToArray();
        float[] first = Weights(3), again = Weights(3), otherSeed = Weights(4);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(otherSeed, Is.Not.EqualTo(first));
    }

    [Test]
    public void The_zero_bias_inits_draw_nothing_for_the_biases()
    {
        // two layers from one generator: the second layer's weights follow straight after the first's
        var random = new DeterministicRandom(11);
        _ = new Dense(5, 4, WeightInit.HeNormal, random);
        var second = new Dense(4, 3, WeightInit.HeNormal, random);

        var replay = new DeterministicRandom(11);
        for (int i = 0; i < 5 * 4; i++)
        {
            replay.NextGaussian();
        }

        float[] expected = [.. Enumerable.Range(0, 12).Select(_ => (float)(Math.Sqrt(2.0 / 4) * replay.NextGaussian()))];
        Assert.That(second.Weights.Value.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void An_undefined_init_is_refused() =>
        Assert.That(() => new Dense(2, 2, (WeightInit)99, new DeterministicRandom(1)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("init"));
}
