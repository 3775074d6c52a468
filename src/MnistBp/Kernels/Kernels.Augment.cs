// The augmentations' batch kernel: each row of a batch is one image, transformed in place by a random
// affine map (shift, rotation, scale) and, for the elastic distortions, a smoothed random displacement
// field (Simard, Steinkraus & Platt 2003), then resampled bilinearly. Every row draws from its own
// generator, seeded by the caller in row order, so a row's result depends on its seed and pixels only:
// the rows can be split across threads and the bits stay the same for any thread count.
// It knows no digits and no 28 x 28: only width, height and the settings in AugmentSettings.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MnistBp;

/// <summary>
/// SplitMix64, the generator of <see cref="DeterministicRandom"/>, as a struct: one per image, on the stack,
/// so that a thread can seed one per row without allocating.
/// </summary>
internal struct RowRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 uniform bits (the same sequence as <see cref="DeterministicRandom.NextUInt64"/> from the same seed).</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform float in [-1, 1) with 24 random bits.</summary>
    public float NextSigned() => ((NextUInt64() >> 40) * (1f / (1 << 23))) - 1f;

    /// <summary>Fills <paramref name="values"/> with uniform floats in [-1, 1), two per 64 random bits (24 bits each).</summary>
    public void FillSigned(Span<float> values)
    {
        int i = 0;
        for (; i + 1 < values.Length; i += 2)
        {
            ulong bits = NextUInt64();
            // u = bits24 / 2^23 - 1, uniform in [-1, 1)
            values[i] = ((bits >> 40) * (1f / (1 << 23))) - 1f;
            values[i + 1] = (((bits >> 8) & 0xFF_FFFF) * (1f / (1 << 23))) - 1f;
        }

        if (i < values.Length)
        {
            values[i] = NextSigned();
        }
    }
}

/// <summary>What one augmentation does to each image; validated by the public classes that build it.</summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="MaxShift">Largest shift in pixels, each axis drawn uniformly from [-MaxShift, MaxShift).</param>
/// <param name="MaxRadians">Largest rotation, drawn uniformly from [-MaxRadians, MaxRadians).</param>
/// <param name="MaxScale">Largest change of size: the factor is 1 + u MaxScale, u uniform in [-1, 1).</param>
/// <param name="RowWeights">The Gaussian along the rows, times alpha; empty for no elastic field.</param>
/// <param name="ColumnWeights">The Gaussian along the columns (sum 1); as long as <paramref name="RowWeights"/>.</param>
internal readonly record struct AugmentSettings(int Width, int Height, float MaxShift, float MaxRadians, float MaxScale, float[] RowWeights, float[] ColumnWeights);

internal static unsafe partial class Kernels
{
    [ThreadStatic]
    private static float[]? t_augmentScratch;

    /// <summary>
    /// Augments every row of <paramref name="images"/> in place, row r driven by <c>seeds[r]</c>: draws its affine map and
    /// (with a field) two displacement fields, then <c>image = bilinear(image, map(x, y) + (dx, dy))</c>. Rows are
    /// split across <see cref="ThreadCount"/> threads; the result does not depend on how.
    /// </summary>
    /// <param name="images">rows x (width height) pixels, one image per row.</param>
    /// <param name="seeds">One seed per row.</param>
    /// <param name="settings">The augmentation.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AugmentImages(Span<float> images, ReadOnlySpan<ulong> seeds, AugmentSettings settings)
    {
        int imageLength = RequireAugment(images.Length, seeds.Length, settings, "AugmentImages");
        if (!UseVector)
        {
            AugmentImagesScalar(images, seeds, settings);
            return;
        }

        int rows = seeds.Length;
        int parts = Math.Min(ThreadCount, rows);
        fixed (float* pImages = images, pRow = settings.RowWeights, pColumn = settings.ColumnWeights)
        fixed (ulong* pSeeds = seeds)
        {
            var job = new AugmentJob(pImages, pSeeds, rows, imageLength, settings.Width, settings.Height, settings.MaxShift, settings.MaxRadians, settings.MaxScale, pRow, pColumn, settings.RowWeights.Length);
            if (parts <= 1)
            {
                AugmentPart(&job, 0, 1);
                return;
            }

            KernelThreads.Run(&AugmentPart, &job, parts);
        }
    }

    private static void AugmentPart(void* state, int part, int parts)
    {
        ref readonly AugmentJob job = ref *(AugmentJob*)state;
        int first = (int)((long)job.Rows * part / parts), last = (int)((long)job.Rows * (part + 1) / parts);
        var weightsRow = new ReadOnlySpan<float>(job.RowWeights, job.Taps);
        var weightsColumn = new ReadOnlySpan<float>(job.ColumnWeights, job.Taps);
        for (int row = first; row < last; row++)
        {
            var image = new Span<float>(job.Images + ((long)row * job.ImageLength), job.ImageLength);
            AugmentImage(image, job.Seeds[row], job.Width, job.Height, job.MaxShift, job.MaxRadians, job.MaxScale, weightsRow, weightsColumn, scalar: false);
        }
    }

    /// <summary>Scalar twin of <see cref="AugmentImages"/>: the same draws, the scalar convolution and resampling, on the calling thread.</summary>
    /// <inheritdoc cref="AugmentImages" path="/param"/>
    public static void AugmentImagesScalar(Span<float> images, ReadOnlySpan<ulong> seeds, AugmentSettings settings)
    {
        int imageLength = RequireAugment(images.Length, seeds.Length, settings, "AugmentImagesScalar");
        for (int row = 0; row < seeds.Length; row++)
        {
            AugmentImage(images.Slice(row * imageLength, imageLength), seeds[row], settings.Width, settings.Height, settings.MaxShift, settings.MaxRadians, settings.MaxScale, settings.RowWeights, settings.ColumnWeights, scalar: true);
        }
    }

    /// <summary>
    /// The elastic displacement of one image: <c>d = alpha (G * U)</c>, U uniform in [-1, 1) per pixel, G the truncated
    /// Gaussian, applied along the rows (<paramref name="rowWeights"/>, alpha folded in) then the columns, zero outside
    /// the image. <paramref name="field"/> and <paramref name="smoothedRows"/> are (height + 2r) x (width + 2r) scratch;
    /// the result goes to <paramref name="displacement"/>, height rows of width + 2r (the last 2r of each row unused).
    /// </summary>
    internal static void DisplacementField(ref RowRandom random, int width, int height, ReadOnlySpan<float> rowWeights, ReadOnlySpan<float> columnWeights, Span<float> field, Span<float> smoothedRows, Span<float> displacement, bool scalar)
    {
        int radius = rowWeights.Length / 2, stride = width + (2 * radius), fieldLength = (height + (2 * radius)) * stride;
        field[..fieldLength].Clear();
        for (int y = 0; y < height; y++)
        {
            // U(x, y) ~ uniform(-1, 1), inside the zero padding
            random.FillSigned(field.Slice(((y + radius) * stride) + radius, width));
        }

        // rows: T[y][x] = alpha sum_k g[k] U[y][x + k - r] (the padding rows of T stay zero)
        smoothedRows[..(radius * stride)].Clear();
        smoothedRows.Slice((radius + height) * stride, radius * stride).Clear();
        Span<float> interior = smoothedRows.Slice(radius * stride, height * stride);
        ReadOnlySpan<float> source = field.Slice(radius * stride, fieldLength - (radius * stride));
        // columns: d[y][x] = sum_k g[k] T[y + k - r][x]
        Span<float> result = displacement[..(height * stride)];
        if (scalar)
        {
            ConvolveScalar(source, rowWeights, 1, interior);
            ConvolveScalar(smoothedRows[..fieldLength], columnWeights, stride, result);
        }
        else
        {
            Convolve(source, rowWeights, 1, interior);
            Convolve(smoothedRows[..fieldLength], columnWeights, stride, result);
        }
    }

    /// <summary>One image: its draws from <c>new RowRandom(seed)</c> (shift x, shift y, angle, scale, then the fields dx and dy), then the resampling.</summary>
    internal static void AugmentImage(Span<float> image, ulong seed, int width, int height, float maxShift, float maxRadians, float maxScale, ReadOnlySpan<float> rowWeights, ReadOnlySpan<float> columnWeights, bool scalar)
    {
        var random = new RowRandom(seed);
        // t = maxShift u, theta = maxRadians u, s = 1 + maxScale u, each u uniform in [-1, 1): four draws always, so turning one on changes no other
        float shiftX = maxShift * random.NextSigned();
        float shiftY = maxShift * random.NextSigned();
        float radians = maxRadians * random.NextSigned();
        float scale = 1f + (maxScale * random.NextSigned());
        AffineMap map = AffineMap.Inverse(width, height, shiftX, shiftY, radians, scale);

        int padded = PaddedImageLength(width, height);
        int radius = rowWeights.Length / 2, stride = width + (2 * radius), fieldLength = (height + (2 * radius)) * stride, displacementLength = height * stride;
        int scratchLength = rowWeights.Length == 0 ? padded : padded + (2 * fieldLength) + (2 * displacementLength);
        Span<float> scratch = ScratchMemory.AtLeast(ref t_augmentScratch, scratchLength).AsSpan(0, scratchLength);
        Span<float> source = scratch[..padded];
        PadImage(image, width, height, source);
        ReadOnlySpan<float> dx = [], dy = [];
        if (rowWeights.Length > 0)
        {
            Span<float> field = scratch.Slice(padded, fieldLength), smoothedRows = scratch.Slice(padded + fieldLength, fieldLength);
            Span<float> displacementX = scratch.Slice(padded + (2 * fieldLength), displacementLength);
            Span<float> displacementY = scratch.Slice(padded + (2 * fieldLength) + displacementLength, displacementLength);
            DisplacementField(ref random, width, height, rowWeights, columnWeights, field, smoothedRows, displacementX, scalar);
            DisplacementField(ref random, width, height, rowWeights, columnWeights, field, smoothedRows, displacementY, scalar);
            dx = displacementX;
            dy = displacementY;
        }

        if (scalar)
        {
            ResampleScalar(source, width, height, map, dx, dy, stride, image);
        }
        else
        {
            Resample(source, width, height, map, dx, dy, stride, image);
        }
    }

    private static int RequireAugment(int imagesLength, int rowCount, AugmentSettings settings, string kernel)
    {
        int imageLength = settings.Width * settings.Height;
        if (imagesLength != (long)rowCount * imageLength)
        {
            RequireLength(imagesLength, (long)rowCount * imageLength, "images", kernel, $"{rowCount} images of {settings.Width} x {settings.Height}");
        }

        if (settings.RowWeights.Length != settings.ColumnWeights.Length || (settings.RowWeights.Length > 0 && settings.RowWeights.Length % 2 == 0))
        {
            throw new ArgumentException($"{kernel}: the row and column Gaussians must have the same odd number of taps, not {settings.RowWeights.Length} and {settings.ColumnWeights.Length}.", nameof(settings));
        }

        return imageLength;
    }

    /// <summary>An augmentation call's operands as pinned pointers, for the worker threads.</summary>
    private readonly struct AugmentJob(float* images, ulong* seeds, int rows, int imageLength, int width, int height, float maxShift, float maxRadians, float maxScale, float* rowWeights, float* columnWeights, int taps)
    {
        public readonly float* Images = images;
        public readonly ulong* Seeds = seeds;
        public readonly int Rows = rows;
        public readonly int ImageLength = imageLength;
        public readonly int Width = width;
        public readonly int Height = height;
        public readonly float MaxShift = maxShift;
        public readonly float MaxRadians = maxRadians;
        public readonly float MaxScale = maxScale;
        public readonly float* RowWeights = rowWeights;
        public readonly float* ColumnWeights = columnWeights;
        public readonly int Taps = taps;
    }
}
