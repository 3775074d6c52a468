// The optimizers' kernels (Kernels.Optimizers.cs, Kernels.RmsProp.cs) against their scalar twins on every path, for the
// lengths that hit every remainder (0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1000) and odd matrix shapes.
// The element-wise updates do the same float operations in the same order on both paths: bit-exact.
// SumOfSquares adds lane by lane, so it is held to the summation bound n u Σ x² (Higham 3.1), doubled.
namespace MnistBp.Tests.Optimizers;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class OptimizerKernelTests : RestoresKernelSettings
{
    // 100,003: long enough for MomentumStep, AdamStep and RmsPropStep to split across both threads, with a remainder.
    private static readonly int[] s_lengths = [0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1000, 100_003];

    [Test]
    public void SgdDecayStep_matches_its_twin([Values] KernelPath path)
    {
        UsePath(path);
        foreach (int length in s_lengths)
        {
            var random = new DeterministicRandom((ulong)length);
            float[] g = Gaussian(random, length), w = Gaussian(random, length), twin = (float[])w.Clone();
            Kernels.SgdDecayStep(0.3f, 0.01f, g, w);
            Kernels.SgdDecayStepScalar(0.3f, 0.01f, g, twin);
            Assert.That(w, Is.EqualTo(twin), $"length {length}");
        }
    }

    [Test]
    public void MomentumStep_matches_its_twin([Values] KernelPath path, [Values] bool nesterov)
    {
        UsePath(path);
        foreach (int length in s_lengths)
        {
            var random = new DeterministicRandom((ulong)length + 100);
            float[] g = Gaussian(random, length), v = Gaussian(random, length), w = Gaussian(random, length);
            float[] vTwin = (float[])v.Clone(), wTwin = (float[])w.Clone();
            Kernels.MomentumStep(0.1f, 0.9f, 0.001f, nesterov, g, v, w);
            Kernels.MomentumStepScalar(0.1f, 0.9f, 0.001f, nesterov, g, vTwin, wTwin);
            Assert.That(v, Is.EqualTo(vTwin), $"velocity, length {length}");
            Assert.That(w, Is.EqualTo(wTwin), $"weights, length {length}");
        }
    }

    [Test]
    public void RmsPropStep_matches_its_twin([Values] KernelPath path)
    {
        UsePath(path);
        foreach (int length in s_lengths)
        {
            var random = new DeterministicRandom((ulong)length + 300);
            float[] g = Gaussian(random, length), w = Gaussian(random, length);
            float[] v = [.. Gaussian(random, length).Select(x => x * x)]; // a mean square is never negative
            float[] vTwin = (float[])v.Clone(), wTwin = (float[])w.Clone();
            Kernels.RmsPropStep(0.01f, 0.9f, 1e-7f, 0.001f, g, v, w);
            Kernels.RmsPropStepScalar(0.01f, 0.9f, 1e-7f, 0.001f, g, vTwin, wTwin);
            Assert.That(v, Is.EqualTo(vTwin), $"v, length {length}");
            Assert.That(w, Is.EqualTo(wTwin), $"weights, length {length}");
        }
    }

    [Test]
    public void AdamStep_matches_its_twin([Values] KernelPath path, [Values] bool decoupled)
    {
        UsePath(path);
        var settings = new Kernels.AdamStepSettings(0.9f, 0.999f, StepSize: 0.01f / 0.1f, BiasCorrection2Root: MathF.Sqrt(0.001f), Epsilon: 1e-8f,
            CoupledDecay: decoupled ? 0f : 0.01f, DecayScale: decoupled ? 1f - (0.01f * 0.1f) : 1f);
        foreach (int length in s_lengths)
        {
            var random = new DeterministicRandom((ulong)length + 200);
            float[] g = Gaussian(random, length), m = Gaussian(random, length), w = Gaussian(random, length);
            float[] v = [.. Gaussian(random, length).Select(x => x * x)]; // a second moment is never negative
            float[] mTwin = (float[])m.Clone(), vTwin = (float[])v.Clone(), wTwin = (float[])w.Clone();
            Kernels.AdamStep(settings, g, m, v, w);
            Kernels.AdamStepScalar(settings, g, mTwin, vTwin, wTwin);
            Assert.That(m, Is.EqualTo(mTwin), $"m, length {length}");
            Assert.That(v, Is.EqualTo(vTwin), $"v, length {length}");
            Assert.That(w, Is.EqualTo(wTwin), $"weights, length {length}");
        }
    }

    [Test]
    public void AdamStep_with_a_zero_gradient_and_zero_moments_leaves_weights_finite([Values] KernelPath path)
    {
        // v = 0: the denominator is ε, never 0, so 0 / ε = 0 and no NaN appears.
        UsePath(path);
        float[] g = new float[33], m = new float[33], v = new float[33], w = [.. Enumerable.Repeat(2f, 33)];
        Kernels.AdamStep(new Kernels.AdamStepSettings(0.9f, 0.999f, 1f, 1f, 1e-8f, 0f, 1f), g, m, v, w);
        Assert.That(w, Is.All.EqualTo(2f));
    }

    [Test]
    public void SumOfSquares_matches_its_twin_within_the_summation_bound([Values] KernelPath path)
    {
        UsePath(path);
        foreach (int length in s_lengths)
        {
            float[] x = Gaussian(new DeterministicRandom((ulong)length + 300), length, scale: 3);
            double exact = x.Sum(value => (double)value * value);
            double bound = 2 * (length + 1) * (1.0 / (1 << 24)) * exact;
            Assert.That(Kernels.SumOfSquares(x), Is.EqualTo(exact).Within(bound + 1e-30), $"vector, length {length}");
            Assert.That(Kernels.SumOfSquaresScalar(x), Is.EqualTo(exact).Within(bound + 1e-30), $"twin, length {length}");
        }

        Assert.That(Kernels.SumOfSquares([3f, 4f]), Is.EqualTo(25.0), "3² + 4²");
        // 1e20² overflows float, not double: 17 of them (a vector and a remainder) sum to 1.7e41
        float[] huge = [.. Enumerable.Repeat(1e20f, 17)];
        Assert.That(Kernels.SumOfSquares(huge), Is.EqualTo(17 * 1e40).Within(1e-6 * 17 * 1e40), "no overflow");
        Assert.That(Kernels.SumOfSquaresScalar(huge), Is.EqualTo(17 * 1e40).Within(1e-6 * 17 * 1e40), "no overflow in the twin");
    }

    [Test]
    public void Scale_matches_its_twin([Values] KernelPath path)
    {
        UsePath(path);
        foreach (int length in s_lengths)
        {
            float[] x = Gaussian(new DeterministicRandom((ulong)length + 400), length), twin = (float[])x.Clone();
            Kernels.Scale(0.37f, x);
            Kernels.ScaleScalar(0.37f, twin);
            Assert.That(x, Is.EqualTo(twin), $"length {length}");
        }
    }

    [Test]
    public void Column_norms_and_column_scaling_match_their_twins([Values] KernelPath path)
    {
        UsePath(path);
        // The last three are big enough to split by blocks of 64 columns across the two threads (130: a block of 128 and 2).
        (int Rows, int Columns)[] shapes = [(0, 0), (0, 5), (5, 0), (1, 1), (3, 7), (7, 8), (2, 17), (33, 31), (784, 30), (100, 10), (4, 1000), (300, 130), (257, 200), (784, 1000)];
        foreach ((int rows, int columns) in shapes)
        {
            var random = new DeterministicRandom((ulong)(rows * 1000 + columns));
            float[] matrix = Gaussian(random, rows * columns), factors = Gaussian(random, columns);
            float[] norms = new float[columns], twinNorms = new float[columns];
            Kernels.ColumnSquaredNorms(matrix, rows, columns, norms);
            Kernels.ColumnSquaredNormsScalar(matrix, rows, columns, twinNorms);
            Assert.That(norms, Is.EqualTo(twinNorms), $"norms [{rows} x {columns}]");

            float[] twinMatrix = (float[])matrix.Clone();
            Kernels.ScaleColumns(matrix, rows, columns, factors);
            Kernels.ScaleColumnsScalar(twinMatrix, rows, columns, factors);
            Assert.That(matrix, Is.EqualTo(twinMatrix), $"scaled [{rows} x {columns}]");
        }

        // [[3, 1], [4, 2]]: column 0 has norm² 9 + 16 = 25, column 1 has 1 + 4 = 5.
        float[] golden = new float[2];
        Kernels.ColumnSquaredNorms([3f, 1f, 4f, 2f], 2, 2, golden);
        Assert.That(golden, Is.EqualTo(new[] { 25f, 5f }));
    }

    [Test]
    public void Kernels_refuse_mismatched_lengths()
    {
        Assert.That(() => Kernels.MomentumStep(0.1f, 0.9f, 0f, false, new float[3], new float[2], new float[3]),
            Throws.ArgumentException.With.Message.Contains("velocity has 2 elements"));
        Assert.That(() => Kernels.RmsPropStep(0.1f, 0.9f, 1e-8f, 0f, new float[3], new float[3], new float[4]),
            Throws.ArgumentException.With.Message.EqualTo("RmsPropStep: weights has 4 elements but gradient needs 3. (Parameter 'weights')"));
        Assert.That(() => Kernels.RmsPropStepScalar(0.1f, 0.9f, 1e-8f, 0f, new float[3], new float[1], new float[3]),
            Throws.ArgumentException.With.Message.Contains("RmsPropStepScalar: meanSquare has 1 elements"));
        Assert.That(() => Kernels.ColumnSquaredNorms(new float[6], 2, 3, new float[2]), Throws.ArgumentException.With.Message.Contains("destination"));
        Assert.That(() => Kernels.ScaleColumns(new float[5], 2, 3, new float[3]), Throws.ArgumentException.With.Message.Contains("matrix has 5 elements but rows x columns needs 6"));
    }

    // Two threads whatever the machine or MNISTBP_KERNELS says, so the 100,003-long cases always take the split.
    private static void UsePath(KernelPath path) => KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = 2 };

    private static float[] Gaussian(DeterministicRandom random, int length, double scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(scale * random.NextGaussian());
        }

        return values;
    }
}
