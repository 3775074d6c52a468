// Gaussian smoothing of a displacement field for the elastic distortions (Simard, Steinkraus & Platt
// 2003, section 2: a random field convolved with a Gaussian of standard deviation sigma, times alpha).
// The 2-D Gaussian is separable, so it is two 1-D passes: along the rows, then along the columns, with
// a truncated kernel. The field lives in a zero-padded buffer (pad rows and columns of the kernel's
// radius), so both passes are one contiguous loop over memory with no bounds checks; the columns of
// the padding come out as garbage that nobody reads. It does not smooth anything but fields laid out so.
// Tiers: the scalar twin; a Vector<float> loop (same operations, same order: the same bits); the tuned
// one, fused multiply-adds on 512- or 256-bit vectors with four sums in flight (the elastic distortion's
// cost is mostly these two passes: 4 x 25 taps x 1,456 outputs per 28 x 28 image).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>
    /// The truncated Gaussian of <paramref name="sigma"/>, normalized to sum 1 and multiplied by
    /// <paramref name="scale"/>: <c>g[k] = scale * exp(-(k - r)² / (2 sigma²)) / sum</c> for k in [0, 2r],
    /// with the radius <c>r = ceil(3 sigma)</c> (99.7% of the mass).
    /// </summary>
    /// <param name="sigma">The standard deviation in pixels; positive.</param>
    /// <param name="scale">A factor applied after normalizing (alpha for one of the two passes).</param>
    public static float[] GaussianWeights(float sigma, float scale)
    {
        int radius = GaussianRadius(sigma);
        double[] weights = new double[(2 * radius) + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++)
        {
            // g(k) = exp(-k² / (2 sigma²))
            weights[k + radius] = Math.Exp(-(double)k * k / (2.0 * sigma * sigma));
            sum += weights[k + radius];
        }

        float[] result = new float[weights.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            result[k] = (float)(scale * weights[k] / sum);
        }

        return result;
    }

    /// <summary>The radius of the truncated Gaussian: <c>ceil(3 sigma)</c>, at least 1.</summary>
    /// <param name="sigma">The standard deviation in pixels.</param>
    public static int GaussianRadius(float sigma) => Math.Max(1, (int)MathF.Ceiling(3f * sigma));

    /// <summary>
    /// One pass of a 1-D convolution over contiguous memory with a stride between taps:
    /// <c>destination[i] = sum over k of weights[k] * source[i + k * stride]</c> for i in [0, destination.Length),
    /// k in [0, weights.Length), summed in the order of k. Along a row the stride is 1; along a column it is the row length.
    /// </summary>
    /// <param name="source">The padded field; at least <c>destination.Length + (weights.Length - 1) * stride</c> long.</param>
    /// <param name="weights">The kernel taps.</param>
    /// <param name="stride">The distance between taps in <paramref name="source"/>; at least 1.</param>
    /// <param name="destination">The outputs; must not overlap <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is too short or <paramref name="stride"/> is below 1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Convolve(ReadOnlySpan<float> source, ReadOnlySpan<float> weights, int stride, Span<float> destination)
    {
        RequireConvolution(source.Length, weights.Length, stride, destination.Length, "Convolve");
        if (!UseVector)
        {
            ConvolveScalar(source, weights, stride, destination);
            return;
        }

        if (UseTuned)
        {
            ref float from = ref MemoryMarshal.GetReference(source), taps = ref MemoryMarshal.GetReference(weights), to = ref MemoryMarshal.GetReference(destination);
            if (UseVector512)
            {
                ConvolveTuned<Simd512, Vector512<float>>(ref from, ref taps, weights.Length, stride, ref to, destination.Length);
            }
            else
            {
                ConvolveTuned<Simd256, Vector256<float>>(ref from, ref taps, weights.Length, stride, ref to, destination.Length);
            }

            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= destination.Length - count; i += count)
        {
            var sum = Vector<float>.Zero;
            for (int k = 0; k < weights.Length; k++)
            {
                // sum += g[k] * source[i + k stride]
                sum += new Vector<float>(weights[k]) * new Vector<float>(source.Slice(i + (k * stride)));
            }

            sum.CopyTo(destination.Slice(i));
        }

        for (; i < destination.Length; i++)
        {
            float sum = 0f;
            for (int k = 0; k < weights.Length; k++)
            {
                sum += weights[k] * source[i + (k * stride)];
            }

            destination[i] = sum;
        }
    }

    /// <summary>
    /// <see cref="Convolve"/> with fused multiply-adds on 512- or 256-bit vectors, four vectors of outputs at a time (four
    /// independent sums hide the latency of the multiply-add); the last outputs one at a time with the same fused
    /// operations, so an output's bits do not depend on where it sits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveTuned<TSimd, TVector>(ref float source, ref float weights, int taps, int stride, ref float destination, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        int count = TSimd.Count, i = 0;
        for (; i <= length - (4 * count); i += 4 * count)
        {
            TVector sum0 = TSimd.Broadcast(0f), sum1 = sum0, sum2 = sum0, sum3 = sum0;
            ref float at = ref Unsafe.Add(ref source, i);
            for (int k = 0; k < taps; k++)
            {
                // sum += g[k] * source[i + k stride], rounded once per tap
                TVector g = TSimd.Broadcast(Unsafe.Add(ref weights, k));
                ref float tap = ref Unsafe.Add(ref at, k * stride);
                sum0 = TSimd.MultiplyAdd(g, TSimd.Load(ref tap), sum0);
                sum1 = TSimd.MultiplyAdd(g, TSimd.Load(ref Unsafe.Add(ref tap, count)), sum1);
                sum2 = TSimd.MultiplyAdd(g, TSimd.Load(ref Unsafe.Add(ref tap, 2 * count)), sum2);
                sum3 = TSimd.MultiplyAdd(g, TSimd.Load(ref Unsafe.Add(ref tap, 3 * count)), sum3);
            }

            ref float to = ref Unsafe.Add(ref destination, i);
            TSimd.Store(sum0, ref to);
            TSimd.Store(sum1, ref Unsafe.Add(ref to, count));
            TSimd.Store(sum2, ref Unsafe.Add(ref to, 2 * count));
            TSimd.Store(sum3, ref Unsafe.Add(ref to, 3 * count));
        }

        for (; i <= length - count; i += count)
        {
            TVector sum = TSimd.Broadcast(0f);
            for (int k = 0; k < taps; k++)
            {
                sum = TSimd.MultiplyAdd(TSimd.Broadcast(Unsafe.Add(ref weights, k)), TSimd.Load(ref Unsafe.Add(ref source, i + (k * stride))), sum);
            }

            TSimd.Store(sum, ref Unsafe.Add(ref destination, i));
        }

        for (; i < length; i++)
        {
            float sum = 0f;
            for (int k = 0; k < taps; k++)
            {
                sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref weights, k), Unsafe.Add(ref source, i + (k * stride)), sum);
            }

            Unsafe.Add(ref destination, i) = sum;
        }
    }

    /// <summary>Scalar twin of <see cref="Convolve"/>.</summary>
    /// <inheritdoc cref="Convolve" path="/param"/>
    public static void ConvolveScalar(ReadOnlySpan<float> source, ReadOnlySpan<float> weights, int stride, Span<float> destination)
    {
        RequireConvolution(source.Length, weights.Length, stride, destination.Length, "ConvolveScalar");
        for (int i = 0; i < destination.Length; i++)
        {
            // destination[i] = sum_k g[k] * source[i + k stride]
            float sum = 0f;
            for (int k = 0; k < weights.Length; k++)
            {
                sum += weights[k] * source[i + (k * stride)];
            }

            destination[i] = sum;
        }
    }

    private static void RequireConvolution(int sourceLength, int weightCount, int stride, int destinationLength, string kernel)
    {
        if (stride < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{kernel}: the stride must be at least 1.");
        }

        long needed = destinationLength == 0 ? 0 : destinationLength + ((long)Math.Max(weightCount - 1, 0) * stride);
        if (sourceLength < needed)
        {
            throw new ArgumentException($"{kernel}: source has {sourceLength} elements but {destinationLength} outputs of {weightCount} taps {stride} apart need {needed}.", "source");
        }
    }
}
