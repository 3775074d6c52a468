// ElasticDistortion (Simard et al. 2003): alpha = 0 changes nothing; the displacement field has the
// mean, spread and neighbour correlation that smoothing white noise with a Gaussian gives (worked out
// below from the kernel's own weights, not measured); the smoothing really is separable; digits keep
// about their ink; the same seed gives the same bits; bad settings are refused.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class ElasticDistortionTests : RestoresKernelSettings
{
    [Test]
    public void Alpha_zero_changes_nothing([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        Tensor batch = AffineAugmentationTests.Digits(0, 20);
        float[] before = batch.ToArray();
        new ElasticDistortion(28, 28, alpha: 0f).Apply(batch, new DeterministicRandom(2));
        Assert.That(batch.ToArray(), Is.EqualTo(before).AsCollection);
    }

    /// <summary>Many fields of one image size, from seeds 0..count-1, as [field][y][x] with stride width.</summary>
    private static List<float[]> Fields(int width, int height, float alpha, float sigma, int count, bool scalar)
    {
        float[] rowWeights = Kernels.GaussianWeights(sigma, alpha), columnWeights = Kernels.GaussianWeights(sigma, 1f);
        int radius = rowWeights.Length / 2, stride = width + (2 * radius), fieldLength = (height + (2 * radius)) * stride;
        float[] field = new float[fieldLength], smoothed = new float[fieldLength], displacement = new float[height * stride];
        var fields = new List<float[]>();
        for (int seed = 0; seed < count; seed++)
        {
            var random = new RowRandom((ulong)seed);
            Kernels.DisplacementField(ref random, width, height, rowWeights, columnWeights, field, smoothed, displacement, scalar);
            float[] compact = new float[width * height];
            for (int y = 0; y < height; y++)
            {
                displacement.AsSpan(y * stride, width).CopyTo(compact.AsSpan(y * width));
            }

            fields.Add(compact);
        }

        return fields;
    }

    [Test]
    public void The_displacement_field_has_the_statistics_of_smoothed_uniform_noise()
    {
        const int Size = 60, Count = 200;
        const float Alpha = 34f, Sigma = 4f;
        float[] g = Kernels.GaussianWeights(Sigma, 1f);
        int radius = g.Length / 2;
        Assert.That(radius, Is.EqualTo(12), "ceil(3 sigma)");
        Assert.That(g.Sum(), Is.EqualTo(1f).Within(1e-6f));

        // d = alpha sum_{j,k} g_j g_k U: Var d = alpha² Var U (sum g²)², Var U = 1/3 for uniform [-1, 1)
        double sumSquares = g.Sum(w => (double)w * w);
        double expectedSd = Alpha * Math.Sqrt(1.0 / 3.0) * sumSquares;
        // neighbours share the terms: Cov(d(x), d(x+1)) / Var = (sum_k g_k g_{k+1}) / (sum_k g_k²)
        double lagOne = 0;
        for (int k = 0; k + 1 < g.Length; k++)
        {
            lagOne += (double)g[k] * g[k + 1];
        }

        double expectedCorrelation = lagOne / sumSquares;
        Assert.That(expectedSd, Is.EqualTo(1.38).Within(0.02), "about 1.4 pixels at Simard's settings");
        Assert.That(expectedCorrelation, Is.EqualTo(Math.Exp(-1.0 / (4 * Sigma * Sigma))).Within(0.002), "the Gaussian's own autocorrelation");

        // Measured only where the truncated kernel lies wholly inside the image.
        double sum = 0, sumSq = 0, products = 0, jumps = 0;
        long n = 0, pairs = 0;
        foreach (float[] field in Fields(Size, Size, Alpha, Sigma, Count, scalar: false))
        {
            for (int y = radius; y < Size - radius; y++)
            {
                for (int x = radius; x < Size - radius - 1; x++)
                {
                    float d = field[(y * Size) + x], right = field[(y * Size) + x + 1];
                    (sum, sumSq, n) = (sum + d, sumSq + ((double)d * d), n + 1);
                    (products, jumps, pairs) = (products + ((double)d * right), jumps + Math.Abs(right - d), pairs + 1);
                }
            }
        }

        double mean = sum / n, sd = Math.Sqrt((sumSq / n) - (mean * mean));
        // ~7 independent blobs per field (correlation length about 2 sqrt(pi) sigma = 14 pixels): the mean's own spread is about sd / 37
        Assert.That(mean, Is.EqualTo(0).Within(0.15 * expectedSd), "the field averages 0");
        Assert.That(sd, Is.EqualTo(expectedSd).Within(0.1 * expectedSd), "alpha / sqrt(3) * sum g²");
        Assert.That((products / pairs) / (sd * sd), Is.EqualTo(expectedCorrelation).Within(0.02), "smooth: neighbours move together");
        Assert.That(jumps / pairs, Is.LessThan(0.25 * sd), "the step from a pixel to the next is small against the displacement");
    }

    [Test]
    public void The_field_is_zero_padded_and_separable_and_matches_its_scalar_twin()
    {
        // one field done both ways, and by a direct 2-D sum over the same uniform numbers
        const int Width = 11, Height = 9;
        float[] vector = Fields(Width, Height, 5f, 1.5f, 1, scalar: false)[0];
        float[] scalar = Fields(Width, Height, 5f, 1.5f, 1, scalar: true)[0];
        AugmentKernelTests.AssertClose(vector, scalar, 1e-5f, "DisplacementField");

        var random = new RowRandom(0);
        float[] u = new float[Width * Height];
        for (int y = 0; y < Height; y++)
        {
            random.FillSigned(u.AsSpan(y * Width, Width));
        }

        float[] g = Kernels.GaussianWeights(1.5f, 1f);
        int r = g.Length / 2;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                // d(x, y) = alpha sum_{j,k} g_j g_k U(x + k - r, y + j - r), U = 0 outside
                double direct = 0;
                for (int j = 0; j < g.Length; j++)
                {
                    for (int k = 0; k < g.Length; k++)
                    {
                        int sx = x + k - r, sy = y + j - r;
                        direct += sx < 0 || sx >= Width || sy < 0 || sy >= Height ? 0 : 5.0 * g[j] * g[k] * u[(sy * Width) + sx];
                    }
                }

                Assert.That(scalar[(y * Width) + x], Is.EqualTo(direct).Within(1e-5), $"({x}, {y})");
            }
        }
    }

    [Test]
    public void Digits_keep_about_their_ink_and_change([Values(false, true)] bool withAffine)
    {
        Tensor batch = AffineAugmentationTests.Digits(100, 256);
        float[] before = batch.ToArray();
        var distortion = withAffine ? new ElasticDistortion(28, 28, maxShift: 1f, maxRotationDegrees: 10f, maxScale: 0.1f) : new ElasticDistortion(28, 28);
        distortion.Apply(batch, new DeterministicRandom(4));
        double ratioSum = 0, changeSum = 0;
        for (int row = 0; row < batch.Rows; row++)
        {
            ReadOnlySpan<float> original = before.AsSpan(row * 784, 784);
            float inkBefore = original.ToArray().Sum(), inkAfter = batch.Row(row).ToArray().Sum();
            // locally the ink changes with the area the field compresses or stretches; thin digits feel it most
            Assert.That(inkAfter / inkBefore, Is.InRange(0.5, 2.0), $"image {row}");
            ratioSum += inkAfter / inkBefore;
            for (int i = 0; i < 784; i++)
            {
                changeSum += Math.Abs(batch.Row(row)[i] - original[i]);
            }

            Assert.That(batch.Row(row).ToArray().All(float.IsFinite), Is.True);
            Assert.That(batch.Row(row).ToArray().Max(), Is.LessThanOrEqualTo(1f), "an interpolation never overshoots");
        }

        TestContext.Progress.WriteLine($"mean ink ratio {ratioSum / batch.Rows:F4}");
        Assert.That(ratioSum / batch.Rows, Is.EqualTo(1.0).Within(0.05), "on average the field neither compresses nor stretches");
        Assert.That(changeSum / before.Sum(), Is.GreaterThan(0.1), "the pixels moved (summed change above 10% of the ink)");
    }

    [Test]
    public void The_same_seed_gives_the_same_bits_on_any_thread_count([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        var distortion = new ElasticDistortion(28, 28, maxRotationDegrees: 5f);
        Tensor source = AffineAugmentationTests.Digits(0, 50);
        float[] Run(int threads, ulong seed)
        {
            KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = threads };
            var batch = new Tensor(source.Rows, source.Columns);
            batch.CopyFrom(source);
            distortion.Apply(batch, new DeterministicRandom(seed));
            return batch.ToArray();
        }

        float[] one = Run(1, 7);
        Assert.That(Run(2, 7), Is.EqualTo(one).AsCollection);
        Assert.That(Run(2, 8), Is.Not.EqualTo(one).AsCollection);
    }

    [Test]
    public void Bad_sizes_and_settings_are_refused_with_messages_that_name_them()
    {
        Assert.That(() => new ElasticDistortion(10, 10).Apply(new Tensor(2, 101), new DeterministicRandom(1)),
            Throws.ArgumentException.With.Message.Contains("ElasticDistortion works on images of 10 x 10 = 100 pixels").And.Message.Contains("has 101"));
        Assert.That(() => new ElasticDistortion(10, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("10 x 0"));
        Assert.That(() => new ElasticDistortion(28, 28, alpha: -1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("alpha"));
        Assert.That(() => new ElasticDistortion(28, 28, sigma: 0f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("sigma"));
        Assert.That(() => new ElasticDistortion(28, 28, sigma: float.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("NaN"));
        Assert.That(() => new ElasticDistortion(28, 28, maxScale: 2f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("maxScale"));
        Assert.That(new ElasticDistortion(28, 28).ToString(), Is.EqualTo("ElasticDistortion 28x28 alpha=34 sigma=4"));
        Assert.That(new ElasticDistortion(28, 28, 36f, 6f, 0f, 15f, 0.2f).ToString(), Is.EqualTo("ElasticDistortion 28x28 alpha=36 sigma=6 shift=0 rotation=15 scale=0.2"));
        Assert.That(new ElasticDistortion(28, 28).GaussianRadius, Is.EqualTo(12));
    }
}
