// AffineAugmentation: zero settings change nothing; a whole-pixel shift moves a pattern exactly; a
// quarter turn matches the pattern turned by hand; digits keep their ink; the same seed gives the same
// bits on any thread count; bad sizes and settings are refused with messages that name them; Apply
// allocates nothing once warm.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class AffineAugmentationTests : RestoresKernelSettings
{
    /// <summary>pattern[y][x] = 1 + x + 10 y inside a box, 0 in a margin of 3, so nothing leaves the image under a small move.</summary>
    internal static float[] Pattern(int width, int height, int margin = 3)
    {
        float[] image = new float[width * height];
        for (int y = margin; y < height - margin; y++)
        {
            for (int x = margin; x < width - margin; x++)
            {
                image[(y * width) + x] = 1 + x + (10 * y);
            }
        }

        return image;
    }

    /// <summary>A copy of images [start, start + count) of the MNIST slice's training set (pixels 0 to 1), safe to change.</summary>
    internal static Tensor Digits(int start, int count)
    {
        Tensor images = TestPaths.SliceData.Train.Slice(start, count).GetImages();
        var copy = new Tensor(images.Rows, images.Columns);
        copy.CopyFrom(images);
        return copy;
    }

    private static float[] Transform(float[] image, int width, int height, float shiftX, float shiftY, float degrees, float scale)
    {
        float[] padded = new float[Kernels.PaddedImageLength(width, height)];
        Kernels.PadImage(image, width, height, padded);
        float[] result = new float[width * height];
        Kernels.Resample(padded, width, height, AffineMap.Inverse(width, height, shiftX, shiftY, degrees * MathF.PI / 180f, scale), [], [], width, result);
        return result;
    }

    [Test]
    public void Zero_shift_rotation_and_scale_change_nothing([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(1);
        Tensor batch = Tensor.FromValues(3, 35, AugmentKernelTests.Uniform(random, 3 * 35));
        float[] before = batch.ToArray();
        new AffineAugmentation(7, 5, maxShift: 0f).Apply(batch, new DeterministicRandom(9));
        Assert.That(batch.ToArray(), Is.EqualTo(before).AsCollection);
    }

    [Test]
    public void A_shift_by_whole_pixels_moves_the_pattern_by_exactly_that([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(1, 2, -3)] int k)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        const int Width = 19, Height = 13;
        float[] image = Pattern(Width, Height);
        float[] moved = Transform(image, Width, Height, k, -k, 0f, 1f);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                // out(x, y) = in(x - k, y + k), 0 where that is outside
                int sx = x - k, sy = y + k;
                float expected = sx < 0 || sx >= Width || sy < 0 || sy >= Height ? 0f : image[(sy * Width) + sx];
                Assert.That(moved[(y * Width) + x], Is.EqualTo(expected), $"pixel ({x}, {y}) after a shift of ({k}, {-k})");
            }
        }
    }

    [Test]
    public void A_quarter_turn_of_a_square_image_matches_the_image_turned_by_hand([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(5, 6, 17)] int size)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom((ulong)size);
        float[] image = AugmentKernelTests.Uniform(random, size * size);
        float[] turned = Transform(image, size, size, 0f, 0f, 90f, 1f);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                // clockwise as displayed (y down): the pixel at (x, y) goes to (size - 1 - y, x), the top row to the right column
                Assert.That(turned[(x * size) + (size - 1 - y)], Is.EqualTo(image[(y * size) + x]).Within(1e-5f), $"pixel ({x}, {y})");
            }
        }
    }

    [Test]
    public void Scaling_by_two_about_the_centre_spreads_a_pixel_bilinearly()
    {
        // 5 x 5, one pixel of 1 at the centre (2, 2); scale 2: output p reads 2 + (p - 2) / 2, so (1, 2) reads (1.5, 2) = 0.5
        float[] image = new float[25];
        image[12] = 1f;
        float[] scaled = Transform(image, 5, 5, 0f, 0f, 0f, 2f);
        Assert.That(scaled[12], Is.EqualTo(1f));
        Assert.That(scaled[11], Is.EqualTo(0.5f));
        Assert.That(scaled[6], Is.EqualTo(0.25f), "(1, 1) reads (1.5, 1.5)");
        Assert.That(scaled[10], Is.EqualTo(0f), "(0, 2) reads (1, 2)");
        Assert.That(scaled.Sum(), Is.EqualTo(4f), "twice the size, four times the ink");
    }

    [Test]
    public void Digits_keep_their_ink_and_move()
    {
        Tensor batch = Digits(0, 256);
        float[] before = batch.ToArray();
        new AffineAugmentation(28, 28, maxShift: 2f, maxRotationDegrees: 10f, maxScale: 0.1f).Apply(batch, new DeterministicRandom(3));
        double ratioSum = 0, changed = 0;
        for (int row = 0; row < batch.Rows; row++)
        {
            float inkBefore = before.AsSpan(row * 784, 784).ToArray().Sum(), inkAfter = batch.Row(row).ToArray().Sum();
            ratioSum += inkAfter / inkBefore;
            // scale s changes the ink by s²: within [0.81, 1.21], minus a little that may leave the frame
            Assert.That(inkAfter / inkBefore, Is.InRange(0.7, 1.3), $"image {row}");
            changed += before.AsSpan(row * 784, 784).SequenceEqual(batch.Row(row)) ? 0 : 1;
        }

        Assert.That(ratioSum / batch.Rows, Is.EqualTo(1.0).Within(0.03), "E[s²] = 1 + 0.1² / 3");
        Assert.That(changed, Is.EqualTo(batch.Rows));
    }

    [Test]
    public void The_same_seed_gives_the_same_bits_on_any_thread_count_and_another_seed_does_not([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        var augmentation = new AffineAugmentation(28, 28, 2f, 15f, 0.15f);
        Tensor source = Digits(0, 64);
        float[] Run(int threads, ulong seed)
        {
            KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = threads };
            var batch = new Tensor(source.Rows, source.Columns);
            batch.CopyFrom(source);
            augmentation.Apply(batch, new DeterministicRandom(seed));
            return batch.ToArray();
        }

        float[] one = Run(1, 42);
        Assert.That(Run(2, 42), Is.EqualTo(one).AsCollection);
        Assert.That(Run(1, 42), Is.EqualTo(one).AsCollection);
        Assert.That(Run(2, 43), Is.Not.EqualTo(one).AsCollection);
    }

    [Test]
    public void Bad_sizes_and_settings_are_refused_with_messages_that_name_them()
    {
        var augmentation = new AffineAugmentation(28, 28);
        Assert.That(() => augmentation.Apply(new Tensor(4, 100, "x"), new DeterministicRandom(1)),
            Throws.ArgumentException.With.Message.Contains("28 x 28 = 784").And.Message.Contains("x [4 x 100] has 100").And.Property("ParamName").EqualTo("inputs"));
        Assert.That(() => augmentation.Apply(null!, new DeterministicRandom(1)), Throws.ArgumentNullException);
        Assert.That(() => augmentation.Apply(new Tensor(1, 784), null!), Throws.ArgumentNullException);
        Assert.That(() => new AffineAugmentation(0, 28), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("0 x 28"));
        Assert.That(() => new AffineAugmentation(28, -1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("height"));
        Assert.That(() => new AffineAugmentation(28, 28, maxShift: -1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("maxShift"));
        Assert.That(() => new AffineAugmentation(28, 28, maxShift: float.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("NaN"));
        Assert.That(() => new AffineAugmentation(28, 28, maxRotationDegrees: 181f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("maxRotationDegrees"));
        Assert.That(() => new AffineAugmentation(28, 28, maxScale: 1f), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("below 1"));
        Assert.That(new AffineAugmentation(28, 28, 2f, 10f, 0.1f).ToString(), Is.EqualTo("AffineAugmentation 28x28 shift=2 rotation=10 scale=0.1"));
    }

    [Test]
    public void An_empty_batch_is_fine()
    {
        var batch = new Tensor(0, 784);
        new AffineAugmentation(28, 28).Apply(batch, new DeterministicRandom(1));
        Assert.That(batch.Length, Is.Zero);
    }

    [Test]
    public void Apply_allocates_nothing_once_warm([Values(1, 2)] int threads, [Values(false, true)] bool elastic)
    {
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = threads };
        Augmentation augmentation = elastic ? new ElasticDistortion(28, 28, maxRotationDegrees: 10f) : new AffineAugmentation(28, 28, 2f, 10f, 0.1f);
        var batch = new Tensor(128, 784);
        batch.Fill(0.25f);
        var random = new DeterministicRandom(1);
        for (int i = 0; i < 20; i++)
        {
            augmentation.Apply(batch, random);
        }

        Assert.That(Allocations.SmallestOfWindows(() => augmentation.Apply(batch, random), 10, allThreads: threads > 1), Is.Zero);
    }
}
