// Bilinear resampling for the augmentations: every output pixel (x, y) reads the source image at
// (sx, sy) = affine map of (x, y) + an optional displacement field, interpolating its four
// neighbours; outside the image the background is 0. The source is given with a zero border (one
// pixel left and top, two right and bottom) and the coordinates are clamped to [-1, width] x
// [-1, height], so no read needs a bounds check and a point far outside reads only zeros.
// The vector tiers compute coordinates and weights in vectors; the four reads per pixel are a gather
// (AVX2 in the tuned tier, lane by lane in the Vector<float> tier). No other interpolation is offered.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MnistBp;

/// <summary>
/// Where output pixel (x, y) reads its source: <c>sx = A00 x + A01 y + B0</c>, <c>sy = A10 x + A11 y + B1</c>
/// (pixel centres at integer coordinates, y growing downwards).
/// </summary>
internal readonly record struct AffineMap(float A00, float A01, float B0, float A10, float A11, float B1)
{
    /// <summary>The identity: every pixel reads itself.</summary>
    public static AffineMap Identity => new(1f, 0f, 0f, 0f, 1f, 0f);

    /// <summary>
    /// The inverse map of "scale by <paramref name="scale"/> and rotate by <paramref name="radians"/> about the
    /// image centre, then shift by (<paramref name="shiftX"/>, <paramref name="shiftY"/>)": forward,
    /// <c>p' = c + s R(theta) (p - c) + t</c>, so the source of output p is <c>c + R(-theta) (p - c - t) / s</c>.
    /// With y downwards, a positive angle turns the picture clockwise as displayed.
    /// </summary>
    public static AffineMap Inverse(int width, int height, float shiftX, float shiftY, float radians, float scale)
    {
        float cx = (width - 1) * 0.5f, cy = (height - 1) * 0.5f;
        float cos = MathF.Cos(radians) / scale, sin = MathF.Sin(radians) / scale;
        // sx = cx + ( cos (x - cx - tx) + sin (y - cy - ty)) / s
        // sy = cy + (-sin (x - cx - tx) + cos (y - cy - ty)) / s
        float ux = -cx - shiftX, uy = -cy - shiftY;
        return new AffineMap(cos, sin, cx + (cos * ux) + (sin * uy), -sin, cos, cy - (sin * ux) + (cos * uy));
    }
}

internal static unsafe partial class Kernels
{
    /// <summary>The floats of a source image with the zero border <see cref="Resample"/> reads: (width + 3) x (height + 3).</summary>
    public static int PaddedImageLength(int width, int height) => (width + 3) * (height + 3);

    /// <summary>Copies an image into the interior of a zero-bordered buffer of <see cref="PaddedImageLength"/> floats (border 1 left and top, 2 right and bottom).</summary>
    public static void PadImage(ReadOnlySpan<float> image, int width, int height, Span<float> padded)
    {
        int stride = width + 3;
        padded[..PaddedImageLength(width, height)].Clear();
        for (int y = 0; y < height; y++)
        {
            image.Slice(y * width, width).CopyTo(padded.Slice(((y + 1) * stride) + 1));
        }
    }

    /// <summary>
    /// Bilinear resampling: <c>destination[y w + x] = bilinear(image, sx, sy)</c> with
    /// <c>sx = A00 x + A01 y + B0 + dx[y fieldStride + x]</c> and <c>sy = A10 x + A11 y + B1 + dy[y fieldStride + x]</c>,
    /// reading 0 outside the image. The interpolation is <c>top = p00 + fx (p01 - p00)</c>,
    /// <c>bottom = p10 + fx (p11 - p10)</c>, <c>value = top + fy (bottom - top)</c>, so a whole-pixel shift copies exactly.
    /// </summary>
    /// <param name="padded">The source image with its zero border (<see cref="PadImage"/>).</param>
    /// <param name="width">Image width in pixels; at least 1.</param>
    /// <param name="height">Image height in pixels; at least 1.</param>
    /// <param name="map">Where each output pixel reads, before the displacement.</param>
    /// <param name="dx">Horizontal displacement per pixel, rows <paramref name="fieldStride"/> apart; empty for none.</param>
    /// <param name="dy">Vertical displacement, laid out as <paramref name="dx"/>; empty exactly when <paramref name="dx"/> is.</param>
    /// <param name="fieldStride">Floats between rows of the fields (at least <paramref name="width"/> when they are given).</param>
    /// <param name="destination">width x height outputs.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Resample(ReadOnlySpan<float> padded, int width, int height, AffineMap map, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, int fieldStride, Span<float> destination)
    {
        RequireResample(padded.Length, width, height, dx.Length, dy.Length, fieldStride, destination.Length, "Resample");
        if (!UseVector)
        {
            ResampleScalar(padded, width, height, map, dx, dy, fieldStride, destination);
            return;
        }

        bool field = dx.Length > 0;
        if (UseTuned && Avx2.IsSupported)
        {
            fixed (float* source = padded)
            {
                for (int y = 0; y < height; y++)
                {
                    int x = ResampleRowAvx2(source, width, height, map, y, dx, dy, fieldStride, destination);
                    ResampleRowTail(padded, width, height, map, y, x, dx, dy, fieldStride, destination);
                }
            }

            return;
        }

        int count = Vector<float>.Count;
        Span<float> laneIndex = stackalloc float[count];
        for (int j = 0; j < count; j++)
        {
            laneIndex[j] = j;
        }

        var lanes = new Vector<float>(laneIndex);
        Span<int> index = stackalloc int[count];
        Span<float> p00 = stackalloc float[count], p01 = stackalloc float[count], p10 = stackalloc float[count], p11 = stackalloc float[count];
        int stride = width + 3;
        var low = new Vector<float>(-1f);
        var highX = new Vector<float>(width);
        var highY = new Vector<float>(height);
        for (int y = 0; y < height; y++)
        {
            float rowX = (map.A01 * y) + map.B0, rowY = (map.A11 * y) + map.B1;
            int x = 0;
            for (; x <= width - count; x += count)
            {
                var px = lanes + new Vector<float>(x);
                // sx = A00 x + (A01 y + B0) + dx, clamped to [-1, width]
                var sx = (new Vector<float>(map.A00) * px) + new Vector<float>(rowX);
                var sy = (new Vector<float>(map.A10) * px) + new Vector<float>(rowY);
                if (field)
                {
                    sx += new Vector<float>(dx.Slice((y * fieldStride) + x));
                    sy += new Vector<float>(dy.Slice((y * fieldStride) + x));
                }

                sx = Vector.Min(Vector.Max(sx, low), highX);
                sy = Vector.Min(Vector.Max(sy, low), highY);
                var x0 = Vector.Floor(sx);
                var y0 = Vector.Floor(sy);
                var fx = sx - x0;
                var fy = sy - y0;
                // the top-left neighbour's index in the padded image: (y0 + 1) stride + x0 + 1
                var at = (Vector.ConvertToInt32(y0) * new Vector<int>(stride)) + Vector.ConvertToInt32(x0) + new Vector<int>(stride + 1);
                at.CopyTo(index);
                for (int j = 0; j < count; j++)
                {
                    int i = index[j];
                    p00[j] = padded[i];
                    p01[j] = padded[i + 1];
                    p10[j] = padded[i + stride];
                    p11[j] = padded[i + stride + 1];
                }

                var a = new Vector<float>(p00);
                var b = new Vector<float>(p10);
                // top = p00 + fx (p01 - p00); bottom = p10 + fx (p11 - p10); value = top + fy (bottom - top)
                var top = a + (fx * (new Vector<float>(p01) - a));
                var bottom = b + (fx * (new Vector<float>(p11) - b));
                (top + (fy * (bottom - top))).CopyTo(destination.Slice((y * width) + x));
            }

            ResampleRowTail(padded, width, height, map, y, x, dx, dy, fieldStride, destination);
        }
    }

    /// <summary>One row of <see cref="Resample"/> in 256-bit vectors with AVX2 gathers; returns the first x it did not do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ResampleRowAvx2(float* padded, int width, int height, AffineMap map, int y, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, int fieldStride, Span<float> destination)
    {
        int stride = width + 3;
        bool field = dx.Length > 0;
        float rowX = (map.A01 * y) + map.B0, rowY = (map.A11 * y) + map.B1;
        Vector256<float> lanes = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        Vector256<float> low = Vector256.Create(-1f), highX = Vector256.Create((float)width), highY = Vector256.Create((float)height);
        int x = 0;
        for (; x <= width - Vector256<float>.Count; x += Vector256<float>.Count)
        {
            Vector256<float> px = lanes + Vector256.Create((float)x);
            // sx = A00 x + (A01 y + B0) + dx, clamped to [-1, width]
            Vector256<float> sx = (Vector256.Create(map.A00) * px) + Vector256.Create(rowX);
            Vector256<float> sy = (Vector256.Create(map.A10) * px) + Vector256.Create(rowY);
            if (field)
            {
                sx += Vector256.Create(dx.Slice((y * fieldStride) + x));
                sy += Vector256.Create(dy.Slice((y * fieldStride) + x));
            }

            sx = Vector256.Min(Vector256.Max(sx, low), highX);
            sy = Vector256.Min(Vector256.Max(sy, low), highY);
            Vector256<float> x0 = Vector256.Floor(sx), y0 = Vector256.Floor(sy);
            Vector256<float> fx = sx - x0, fy = sy - y0;
            Vector256<int> at = (Vector256.ConvertToInt32(y0) * Vector256.Create(stride)) + Vector256.ConvertToInt32(x0) + Vector256.Create(stride + 1);
            Vector256<float> a = Avx2.GatherVector256(padded, at, 4);
            Vector256<float> a1 = Avx2.GatherVector256(padded + 1, at, 4);
            Vector256<float> b = Avx2.GatherVector256(padded + stride, at, 4);
            Vector256<float> b1 = Avx2.GatherVector256(padded + stride + 1, at, 4);
            // top = p00 + fx (p01 - p00); bottom = p10 + fx (p11 - p10); value = top + fy (bottom - top)
            Vector256<float> top = a + (fx * (a1 - a));
            Vector256<float> bottom = b + (fx * (b1 - b));
            (top + (fy * (bottom - top))).CopyTo(destination.Slice((y * width) + x));
        }

        return x;
    }

    /// <summary>The pixels [firstX, width) of row <paramref name="y"/>, one at a time, as <see cref="ResampleScalar"/> computes them.</summary>
    private static void ResampleRowTail(ReadOnlySpan<float> padded, int width, int height, AffineMap map, int y, int firstX, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, int fieldStride, Span<float> destination)
    {
        int stride = width + 3;
        bool field = dx.Length > 0;
        float rowX = (map.A01 * y) + map.B0, rowY = (map.A11 * y) + map.B1;
        for (int x = firstX; x < width; x++)
        {
            // sx = A00 x + (A01 y + B0) + dx, clamped to [-1, width]
            float sx = (map.A00 * x) + rowX, sy = (map.A10 * x) + rowY;
            if (field)
            {
                sx += dx[(y * fieldStride) + x];
                sy += dy[(y * fieldStride) + x];
            }

            sx = MathF.Min(MathF.Max(sx, -1f), width);
            sy = MathF.Min(MathF.Max(sy, -1f), height);
            float x0 = MathF.Floor(sx), y0 = MathF.Floor(sy);
            float fx = sx - x0, fy = sy - y0;
            int at = ((int)y0 * stride) + (int)x0 + stride + 1;
            float a = padded[at], b = padded[at + stride];
            // top = p00 + fx (p01 - p00); bottom = p10 + fx (p11 - p10); value = top + fy (bottom - top)
            float top = a + (fx * (padded[at + 1] - a));
            float bottom = b + (fx * (padded[at + stride + 1] - b));
            destination[(y * width) + x] = top + (fy * (bottom - top));
        }
    }

    /// <summary>Scalar twin of <see cref="Resample"/>: the four neighbours read with explicit bounds checks (0 outside the image), not through the border.</summary>
    /// <inheritdoc cref="Resample" path="/param"/>
    public static void ResampleScalar(ReadOnlySpan<float> padded, int width, int height, AffineMap map, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, int fieldStride, Span<float> destination)
    {
        RequireResample(padded.Length, width, height, dx.Length, dy.Length, fieldStride, destination.Length, "ResampleScalar");
        bool field = dx.Length > 0;
        for (int y = 0; y < height; y++)
        {
            float rowX = (map.A01 * y) + map.B0, rowY = (map.A11 * y) + map.B1;
            for (int x = 0; x < width; x++)
            {
                // sx = A00 x + A01 y + B0 + dx, sy = A10 x + A11 y + B1 + dy
                float sx = (map.A00 * x) + rowX, sy = (map.A10 * x) + rowY;
                if (field)
                {
                    sx += dx[(y * fieldStride) + x];
                    sy += dy[(y * fieldStride) + x];
                }

                sx = MathF.Min(MathF.Max(sx, -1f), width);
                sy = MathF.Min(MathF.Max(sy, -1f), height);
                float x0 = MathF.Floor(sx), y0 = MathF.Floor(sy);
                float fx = sx - x0, fy = sy - y0;
                int ix = (int)x0, iy = (int)y0;
                float p00 = Pixel(padded, width, height, ix, iy), p01 = Pixel(padded, width, height, ix + 1, iy);
                float p10 = Pixel(padded, width, height, ix, iy + 1), p11 = Pixel(padded, width, height, ix + 1, iy + 1);
                // top = p00 + fx (p01 - p00); bottom = p10 + fx (p11 - p10); value = top + fy (bottom - top)
                float top = p00 + (fx * (p01 - p00));
                float bottom = p10 + (fx * (p11 - p10));
                destination[(y * width) + x] = top + (fy * (bottom - top));
            }
        }

    }

    /// <summary>Pixel (column, row) of a padded image, 0 outside the image (checked, not read from the border).</summary>
    private static float Pixel(ReadOnlySpan<float> padded, int width, int height, int column, int row) =>
        column < 0 || column >= width || row < 0 || row >= height ? 0f : padded[((row + 1) * (width + 3)) + column + 1];

    private static void RequireResample(int paddedLength, int width, int height, int dxLength, int dyLength, int fieldStride, int destinationLength, string kernel)
    {
        // Called per image: the messages are built only when a check fails.
        if (width < 1 || height < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{kernel}: the image must be at least 1 x 1, not {width} x {height}.");
        }

        if (paddedLength != PaddedImageLength(width, height))
        {
            RequireLength(paddedLength, PaddedImageLength(width, height), "padded", kernel, $"a padded {width} x {height} image");
        }

        if (destinationLength != (long)width * height)
        {
            RequireLength(destinationLength, (long)width * height, "destination", kernel, $"{width} x {height}");
        }

        if (dxLength != dyLength)
        {
            throw new ArgumentException($"{kernel}: dx has {dxLength} elements but dy has {dyLength}; give both fields or neither.", "dy");
        }

        if (dxLength > 0 && (fieldStride < width || dxLength < ((long)(height - 1) * fieldStride) + width))
        {
            throw new ArgumentException($"{kernel}: the fields have {dxLength} elements with rows {fieldStride} apart, too few for {width} x {height}.", "dx");
        }
    }
}
