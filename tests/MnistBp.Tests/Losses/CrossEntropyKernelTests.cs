// CrossEntropyKernelTests: the two cross-entropy kernels (sigmoid outputs; fused softmax over logits)
// and their gradients against their scalar twins on every path, over lengths that hit every
// remainder, and against the formulas computed in double. The gradients of the sigmoid
// cross-entropy do the same float operations in the same order on both paths: bit-exact. The fused
// gradient goes through the row softmax: its tolerance (see SoftmaxKernelTests). The loss sums use
// Vector.Log / Vector.Exp against MathF's (a few ulps) and add in another order: 1e-5 relative.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class CrossEntropyKernelTests : RestoresKernelSettings
{
    private const float Epsilon = CrossEntropyCost.Epsilon;

    public static int[] Lengths => [0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1000];

    [Test]
    public void CrossEntropy_matches_scalar_twin_and_the_formula([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(nameof(Lengths))] int length)
    {
        SoftmaxKernelTests.UsePath(path);
        (float[] a, float[] y) = OutputsAndTargets(new DeterministicRandom((ulong)length), length);

        double actual = Kernels.CrossEntropy(a, y, Epsilon);
        double twin = Kernels.CrossEntropyScalar(a, y, Epsilon);

        double expected = 0;
        for (int i = 0; i < length; i++)
        {
            double c = Math.Clamp(a[i], Epsilon, 1f - Epsilon);
            // -[y ln a + (1 - y) ln(1 - a)]
            expected -= y[i] * Math.Log(c) + (1 - y[i]) * Math.Log(1 - c);
        }

        Assert.That(actual, Is.EqualTo(twin).Within(1e-5 * twin + 1e-12), $"{path} length {length}");
        // 1 - c rounds in float (1 - 1e-7 is 0.99999988), up to 6e-8 of ln(1 - c) per element
        Assert.That(twin, Is.EqualTo(expected).Within(1e-5 * expected + 1e-7 * length), $"twin length {length}");
    }

    [Test]
    public void CrossEntropyBackward_matches_scalar_twin_bit_for_bit([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(nameof(Lengths))] int length)
    {
        SoftmaxKernelTests.UsePath(path);
        (float[] a, float[] y) = OutputsAndTargets(new DeterministicRandom((ulong)length + 100), length);
        float[] actual = new float[length], twin = new float[length];

        Kernels.CrossEntropyBackward(a, y, actual, 0.25f);
        Kernels.CrossEntropyBackwardScalar(a, y, twin, 0.25f);

        Assert.That(actual, Is.EqualTo(twin), $"{path} length {length}");
        for (int i = 0; i < length; i++)
        {
            // dA = (a - y) / max(a (1 - a), 1e-30) * scale, a not clamped
            double expected = 0.25 * (a[i] - y[i]) / Math.Max((double)a[i] * (1 - a[i]), 1e-30);
            Assert.That(twin[i], Is.EqualTo(expected).Within(1e-6 * Math.Abs(expected)), $"twin at {i}");
        }
    }

    [Test]
    public void CrossEntropy_is_finite_for_outputs_and_targets_of_exactly_0_and_1([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        SoftmaxKernelTests.UsePath(path);
        // every pair (a, y) of 0 and 1, repeated past a vector's width so both loops see them
        float[] a = [.. Enumerable.Repeat(new[] { 0f, 0f, 1f, 1f }, 5).SelectMany(x => x)];
        float[] y = [.. Enumerable.Repeat(new[] { 0f, 1f, 0f, 1f }, 5).SelectMany(x => x)];
        float[] dA = new float[a.Length];

        double loss = Kernels.CrossEntropy(a, y, Epsilon);
        Kernels.CrossEntropyBackward(a, y, dA, 1f);

        // right answers cost about ε each; wrong ones -ln ε ≈ 16.12 (a = 0) and -ln(1.19e-7) ≈ 15.94 (a = 1, 1 - ε in float)
        double oneMinusEpsilon = 1f - Epsilon;
        double expected = 5 * (-Math.Log(1 - Epsilon) - Math.Log(Epsilon) - Math.Log(1 - oneMinusEpsilon) - Math.Log(oneMinusEpsilon));
        Assert.That(loss, Is.EqualTo(expected).Within(1e-4));
        Assert.That(double.IsFinite(loss) && dA.All(float.IsFinite), Is.True, string.Join(", ", dA));
        // right answers get no push, wrong ones a finite one toward their target (a - y over the floor 1e-30)
        Assert.That(dA[..4], Is.EqualTo(new[] { 0f, -1e30f, 1e30f, 0f }));
    }

    [Test]
    public void CrossEntropy_keeps_a_NaN_output([Values(KernelPath.Scalar, KernelPath.Vector)] KernelPath path)
    {
        SoftmaxKernelTests.UsePath(path);
        float[] a = [.. Enumerable.Repeat(0.5f, 17)], y = new float[17], dA = new float[17];
        foreach (int at in new[] { 3, 16 })
        {
            a[at] = float.NaN;
            Assert.That(Kernels.CrossEntropy(a, y, Epsilon), Is.NaN, $"NaN at {at}");
            Kernels.CrossEntropyBackward(a, y, dA, 1f);
            Assert.That(dA[at], Is.NaN, $"NaN at {at}: the floor of the denominator must not hide it");
            a[at] = 0.5f;
        }
    }

    [Test]
    public void SoftmaxCrossEntropy_matches_scalar_twin_and_the_formula([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(nameof(Lengths))] int columns, [Values(1, 3)] int rows)
    {
        SoftmaxKernelTests.UsePath(path);
        var random = new DeterministicRandom((ulong)(columns * 13 + rows));
        float[] z = SoftmaxKernelTests.Gaussian(random, rows * columns, scale: 4);
        float[] y = OneHot(random, rows, columns);

        double actual = Kernels.SoftmaxCrossEntropy(z, y, rows, columns);
        double twin = Kernels.SoftmaxCrossEntropyScalar(z, y, rows, columns);

        double expected = 0;
        for (int r = 0; r < rows && columns > 0; r++)
        {
            double sum = 0, yz = 0;
            for (int j = 0; j < columns; j++)
            {
                sum += Math.Exp(z[r * columns + j]);
                yz += y[r * columns + j] * z[r * columns + j];
            }

            // log Σ_k e^(z_k) - Σ_j y_j z_j
            expected += Math.Log(sum) - yz;
        }

        Assert.That(actual, Is.EqualTo(twin).Within(1e-5 * Math.Abs(twin) + 1e-5), $"{path} [{rows} x {columns}]");
        Assert.That(twin, Is.EqualTo(expected).Within(1e-5 * Math.Abs(expected) + 1e-5), $"twin [{rows} x {columns}]");
    }

    [Test]
    public void SoftmaxCrossEntropyBackward_matches_scalar_twin_and_p_minus_y([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(nameof(Lengths))] int columns, [Values(0, 1, 3)] int rows)
    {
        SoftmaxKernelTests.UsePath(path);
        var random = new DeterministicRandom((ulong)(columns * 17 + rows));
        float[] z = SoftmaxKernelTests.Gaussian(random, rows * columns, scale: 4);
        float[] y = OneHot(random, rows, columns);
        float[] actual = new float[z.Length], twin = new float[z.Length], p = new float[z.Length];
        float scale = rows == 0 ? 0f : 1f / rows;

        Kernels.SoftmaxCrossEntropyBackward(z, y, actual, rows, columns, scale);
        Kernels.SoftmaxCrossEntropyBackwardScalar(z, y, twin, rows, columns, scale);
        Kernels.SoftmaxScalar(z, p, rows, columns);

        double tolerance = 1e-6 + 2 * SoftmaxKernelTests.Gamma(columns);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(twin[i]).Within(tolerance * scale * p[i] + 2 * 6e-8 * scale + 1e-30), $"{path} [{rows} x {columns}] at {i}");
            // dz = (p - y) / n
            Assert.That(twin[i], Is.EqualTo(scale * (p[i] - y[i])).Within(2e-7 * scale), $"twin at {i}");
        }
    }

    [Test]
    public void SoftmaxCrossEntropy_is_finite_for_logits_of_plus_and_minus_1000([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        SoftmaxKernelTests.UsePath(path);
        // 2 rows of 10: the right class at -1000 while another sits at +1000, and the right class at +1000
        float[] z = new float[20], y = new float[20], dZ = new float[20];
        z.AsSpan().Fill(-1000f);
        z[0] = 1000f;
        y[1] = 1f;
        z[10 + 9] = 1000f;
        y[10 + 9] = 1f;

        double loss = Kernels.SoftmaxCrossEntropy(z, y, 2, 10);
        Kernels.SoftmaxCrossEntropyBackward(z, y, dZ, 2, 10, 0.5f);

        // row 0: log(e^1000 + 9 e^-1000) - (-1000) = 2000; row 1: log(e^1000 + ...) - 1000 = 0
        Assert.That(loss, Is.EqualTo(2000.0).Within(1e-3));
        float[] expected = new float[20];
        expected[0] = 0.5f;
        expected[1] = -0.5f;
        Assert.That(dZ, Is.EqualTo(expected));
    }

    private static (float[] Outputs, float[] Targets) OutputsAndTargets(DeterministicRandom random, int length)
    {
        float[] a = new float[length], y = new float[length];
        for (int i = 0; i < length; i++)
        {
            // outputs across (0, 1), a few at the clamp and beyond it; targets 0, 1 and in between
            a[i] = (i % 13) switch
            {
                0 => 0f,
                1 => 1f,
                2 => 1e-9f,
                _ => (float)random.NextDouble(),
            };
            y[i] = (i % 3) switch
            {
                0 => 0f,
                1 => 1f,
                _ => (float)random.NextDouble(),
            };
        }

        return (a, y);
    }

    internal static float[] OneHot(DeterministicRandom random, int rows, int columns)
    {
        float[] y = new float[rows * columns];
        for (int r = 0; r < rows && columns > 0; r++)
        {
            y[r * columns + random.NextInt(columns)] = 1f;
        }

        return y;
    }
}
