// AugmentKernelTests: the augmentation kernels (Kernels.Augment*.cs) against their scalar twins on every
// path (Scalar, Vector, Tuned), on widths that are and are not multiples of the vector width, with maps
// that reach far outside the image; and the batch kernel giving the same bits for one thread and two.
// Named ...KernelTests, so CI runs it again with hardware intrinsics off.
// Tolerance 1e-5: the paths do the same float operations in the same order (no fused multiply-add), so
// today they agree bit for bit; 1e-5 is the promise, not the measurement.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class AugmentKernelTests : RestoresKernelSettings
{
    private const float Tolerance = 1e-5f;
    private static readonly int[] s_lengths = [0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1000];
    private static readonly (int Width, int Height)[] s_sizes = [(1, 1), (7, 3), (8, 8), (15, 2), (16, 5), (17, 17), (28, 28), (31, 4), (33, 9)];

    internal static float[] Uniform(DeterministicRandom random, int length, float scale = 1f)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = scale * (float)random.NextDouble();
        }

        return values;
    }

    internal static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, float tolerance, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance * Math.Max(1f, Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, the scalar twin gives {expected[i]}");
            }
        }
    }

    [Test]
    public void Convolve_matches_its_scalar_twin([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(1, 3, 13, 25)] int taps, [Values(1, 9)] int stride)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (int length in s_lengths)
        {
            var random = new DeterministicRandom((ulong)((length * 100) + taps));
            float[] weights = Uniform(random, taps);
            float[] source = Uniform(random, length + ((taps - 1) * stride), 2f);
            float[] fast = new float[length], slow = new float[length];
            Kernels.Convolve(source, weights, stride, fast);
            Kernels.ConvolveScalar(source, weights, stride, slow);
            AssertClose(fast, slow, Tolerance, $"Convolve length {length} taps {taps} stride {stride} on {path}");
        }
    }

    [Test]
    public void Convolve_golden_values_and_refusals()
    {
        // [1 2 3 4] with taps [1 10] 1 apart: 1*1 + 10*2 = 21, 2 + 30 = 32, 3 + 40 = 43
        float[] destination = new float[3];
        Kernels.Convolve([1f, 2f, 3f, 4f], [1f, 10f], 1, destination);
        Assert.That(destination, Is.EqualTo(new[] { 21f, 32f, 43f }));
        Assert.That(() => Kernels.Convolve([1f, 2f, 3f], [1f, 10f], 1, new float[3]), Throws.ArgumentException.With.Message.Contains("need 4"));
        Assert.That(() => Kernels.Convolve([1f, 2f, 3f], [1f], 0, new float[3]), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Resample_matches_its_scalar_twin([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(false, true)] bool withField)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach ((int width, int height) in s_sizes)
        {
            var random = new DeterministicRandom((ulong)((width * 1000) + height));
            float[] padded = new float[Kernels.PaddedImageLength(width, height)];
            Kernels.PadImage(Uniform(random, width * height), width, height, padded);
            int stride = width + 5;
            float[] dx = withField ? Uniform(random, height * stride, 6f) : [], dy = withField ? Uniform(random, height * stride, 6f) : [];
            for (int i = 0; i < dx.Length; i++)
            {
                dx[i] -= 3f;
                dy[i] -= 3f;
            }

            // small turns, large ones, a shrink that reads far outside, an enlargement
            foreach ((float shift, float degrees, float scale) in new[] { (0.3f, 7f, 1.1f), (-2.5f, 90f, 1f), (5f, -160f, 0.3f), (0f, 0f, 1.7f) })
            {
                AffineMap map = AffineMap.Inverse(width, height, shift, -shift * 0.7f, degrees * MathF.PI / 180f, scale);
                float[] fast = new float[width * height], slow = new float[width * height];
                Kernels.Resample(padded, width, height, map, dx, dy, stride, fast);
                Kernels.ResampleScalar(padded, width, height, map, dx, dy, stride, slow);
                AssertClose(fast, slow, Tolerance, $"Resample {width} x {height}, shift {shift}, {degrees} degrees, scale {scale}, field {withField}, on {path}");
            }
        }
    }

    [Test]
    public void AugmentImages_matches_its_scalar_twin([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(false, true)] bool elastic)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach ((int width, int height) in s_sizes)
        {
            var random = new DeterministicRandom((ulong)((width * 31) + height));
            const int Rows = 5;
            float[] images = Uniform(random, Rows * width * height);
            ulong[] seeds = [.. Enumerable.Range(0, Rows).Select(_ => random.NextUInt64())];
            AugmentSettings settings = Settings(width, height, elastic);
            float[] fast = (float[])images.Clone(), slow = (float[])images.Clone();
            Kernels.AugmentImages(fast, seeds, settings);
            Kernels.AugmentImagesScalar(slow, seeds, settings);
            AssertClose(fast, slow, Tolerance, $"AugmentImages {width} x {height}, elastic {elastic}, on {path}");
            Assert.That(fast, Is.Not.EqualTo(images), "something moved");
        }
    }

    [Test]
    public void AugmentImages_gives_the_same_bits_for_one_thread_and_two([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        var random = new DeterministicRandom(5);
        float[] images = Uniform(random, 37 * 784);
        ulong[] seeds = [.. Enumerable.Range(0, 37).Select(_ => random.NextUInt64())];
        float[] one = (float[])images.Clone(), two = (float[])images.Clone();
        KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = 1 };
        Kernels.AugmentImages(one, seeds, Settings(28, 28, elastic: true));
        KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = 2 };
        Kernels.AugmentImages(two, seeds, Settings(28, 28, elastic: true));
        Assert.That(two, Is.EqualTo(one).AsCollection);
    }

    [Test]
    public void RowRandom_is_the_generator_of_DeterministicRandom()
    {
        var row = new RowRandom(77);
        var reference = new DeterministicRandom(77);
        for (int i = 0; i < 100; i++)
        {
            Assert.That(row.NextUInt64(), Is.EqualTo(reference.NextUInt64()));
        }

        Span<float> values = new float[10001];
        new RowRandom(3).FillSigned(values);
        float min = float.MaxValue, max = float.MinValue;
        double sum = 0;
        foreach (float value in values)
        {
            (min, max, sum) = (Math.Min(min, value), Math.Max(max, value), sum + value);
        }

        Assert.That(min, Is.GreaterThanOrEqualTo(-1f).And.LessThan(-0.999f));
        Assert.That(max, Is.LessThan(1f).And.GreaterThan(0.999f));
        // the mean of n uniforms on [-1, 1) has standard deviation 1 / sqrt(3 n) = 0.0058: 4 of those
        Assert.That(sum / values.Length, Is.EqualTo(0).Within(0.023));
    }

    private static AugmentSettings Settings(int width, int height, bool elastic) =>
        elastic
            ? new AugmentSettings(width, height, 1.5f, 0.2f, 0.1f, Kernels.GaussianWeights(2f, 8f), Kernels.GaussianWeights(2f, 1f))
            : new AugmentSettings(width, height, 1.5f, 0.2f, 0.1f, [], []);
}
