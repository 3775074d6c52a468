// SoftmaxKernelTests: the row softmax and its backward against their scalar twins on every path
// (Scalar, Vector, Tuned) for row widths that hit every remainder (0, 1, 7, 8, 15, 16, 17, 31, 33,
// 100, 1000) and 0, 1 and 3 rows, plus saturated rows. Tolerances: Vector.Exp and MathF.Exp differ by
// a few ulps (1e-6 relative, as KernelTests for the sigmoid) and the row sums may add in another
// order (2 gamma(n) of the sum, Higham 3.1); the backward's dot product likewise.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class SoftmaxKernelTests : RestoresKernelSettings
{
    private const double UnitRoundoff = 1.0 / (1 << 24);
    private const double ExpRelativeTolerance = 1e-6;

    public static int[] Widths => [0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1000];

    [Test]
    public void Softmax_matches_scalar_twin([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(nameof(Widths))] int columns, [Values(0, 1, 3)] int rows)
    {
        UsePath(path);
        float[] z = Gaussian(new DeterministicRandom((ulong)(columns * 7 + rows)), rows * columns, scale: 5);
        float[] actual = new float[z.Length], twin = new float[z.Length];

        Kernels.Softmax(z, actual, rows, columns);
        Kernels.SoftmaxScalar(z, twin, rows, columns);

        double tolerance = ExpRelativeTolerance + 2 * Gamma(columns);
        for (int r = 0; r < rows; r++)
        {
            double rowSum = 0;
            for (int j = 0; j < columns; j++)
            {
                int i = r * columns + j;
                Assert.That(actual[i], Is.EqualTo(twin[i]).Within(tolerance * twin[i] + 1e-30), $"{path} [{rows} x {columns}] at {i}");
                rowSum += actual[i];
            }

            Assert.That(rowSum, Is.EqualTo(columns == 0 ? 0.0 : 1.0).Within(1e-6 + 2 * Gamma(columns)), $"row {r} sums to 1");
        }
    }

    [Test]
    public void Softmax_scalar_twin_matches_the_formula_in_double([ValueSource(nameof(Widths))] int columns)
    {
        float[] z = Gaussian(new DeterministicRandom((ulong)columns), 2 * columns, scale: 3);
        float[] twin = new float[z.Length];
        Kernels.SoftmaxScalar(z, twin, 2, columns);
        for (int r = 0; r < 2; r++)
        {
            double sum = 0;
            for (int j = 0; j < columns; j++)
            {
                sum += Math.Exp(z[r * columns + j]);
            }

            for (int j = 0; j < columns; j++)
            {
                double expected = Math.Exp(z[r * columns + j]) / sum;
                Assert.That(twin[r * columns + j], Is.EqualTo(expected).Within(1e-6 * expected + 2 * Gamma(columns) * expected));
            }
        }
    }

    [Test]
    public void Softmax_may_write_over_its_input([Values(KernelPath.Scalar, KernelPath.Vector)] KernelPath path)
    {
        UsePath(path);
        float[] z = Gaussian(new DeterministicRandom(5), 3 * 17);
        float[] separate = new float[z.Length];
        Kernels.Softmax(z, separate, 3, 17);
        Kernels.Softmax(z, z, 3, 17);
        Assert.That(z, Is.EqualTo(separate));
    }

    [Test]
    public void Softmax_of_saturated_logits_is_finite_and_exact([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        float[] z =
        [
            1000f, -1000f, 0f, -1000f, -1000f, -1000f,
            -1000f, 1000f, 1000f, -1000f, -1000f, -1000f,
            3f, 3f, 3f, 3f, 3f, 3f,
        ];
        float[] p = new float[z.Length];
        Kernels.Softmax(z, p, 3, 6);
        // e^(-2000) and e^(-1000) are 0 in float, e^0 = 1: exact up to the division
        Assert.That(p[..6], Is.EqualTo(new[] { 1f, 0f, 0f, 0f, 0f, 0f }));
        Assert.That(p[6..12], Is.EqualTo(new[] { 0f, 0.5f, 0.5f, 0f, 0f, 0f }));
        Assert.That(p[12..], Is.EqualTo(Enumerable.Repeat(1f / 6, 6).ToArray()).Within(1e-7f));
    }

    [Test]
    public void SoftmaxBackward_matches_scalar_twin([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(nameof(Widths))] int columns, [Values(0, 1, 3)] int rows)
    {
        UsePath(path);
        var random = new DeterministicRandom((ulong)(columns * 11 + rows));
        float[] z = Gaussian(random, rows * columns, scale: 3), dP = Gaussian(random, rows * columns);
        float[] p = new float[z.Length];
        Kernels.SoftmaxScalar(z, p, rows, columns);
        float[] actual = new float[z.Length], twin = new float[z.Length];

        Kernels.SoftmaxBackward(p, dP, actual, rows, columns);
        Kernels.SoftmaxBackwardScalar(p, dP, twin, rows, columns);

        for (int r = 0; r < rows; r++)
        {
            double dot = 0, absoluteDot = 0;
            for (int k = 0; k < columns; k++)
            {
                dot += (double)p[r * columns + k] * dP[r * columns + k];
                absoluteDot += Math.Abs((double)p[r * columns + k] * dP[r * columns + k]);
            }

            for (int j = 0; j < columns; j++)
            {
                int i = r * columns + j;
                // the dot products may differ by 2 gamma(n) sum|p dp|, times p_j; plus the rounding of the last two operations
                double allowed = p[i] * 2 * Gamma(columns) * absoluteDot + 4 * UnitRoundoff * p[i] * (Math.Abs(dP[i]) + absoluteDot);
                Assert.That(actual[i], Is.EqualTo(twin[i]).Within(allowed), $"{path} [{rows} x {columns}] at {i}");
                // and the twin is the formula: dz_j = p_j (dp_j - Σ_k p_k dp_k)
                double expected = p[i] * (dP[i] - dot);
                Assert.That(twin[i], Is.EqualTo(expected).Within(allowed + 1e-12), $"twin [{rows} x {columns}] at {i}");
            }
        }
    }

    [Test]
    public void Kernels_name_the_shapes_that_do_not_fit()
    {
        float[] six = new float[6], five = new float[5];
        Assert.That(() => Kernels.Softmax(six, five, 2, 3), Throws.ArgumentException.With.Message.Contains("[2 x 3]"));
        Assert.That(() => Kernels.Softmax(five, six, 2, 3), Throws.ArgumentException.With.Message.Contains("[2 x 3]"));
        Assert.That(() => Kernels.SoftmaxBackward(six, six, five, 2, 3), Throws.ArgumentException.With.Message.Contains("dZ"));
        Assert.That(() => Kernels.SoftmaxScalar(six, six, -2, -3), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    internal static void UsePath(KernelPath path) => KernelSettings.Current = KernelSettings.Current with { Path = path };

    internal static double Gamma(int n) => n * UnitRoundoff / (1 - n * UnitRoundoff);

    internal static float[] Gaussian(DeterministicRandom random, int length, double scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(scale * random.NextGaussian());
        }

        return values;
    }
}
