// Inverted dropout's two loops (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov 2014): the
// mask m = (u >= rate) / (1 - rate) with u uniform in [0, 1), and the element-wise product a = z * m
// (forward) or dz = da * m (backward). u comes from a counter-based generator, so the vector loop and
// the scalar twin give the same bits and any element can be drawn on its own: element i of a batch
// hashes its index with a 64-bit key (the layer draws a new key per Forward from DeterministicRandom),
// u = the top 24 bits of H(H(i xor keyLow) + keyHigh) / 2^24, H being the 32-bit "lowbias32" integer
// mix (Chris Wellons). Not cryptographic, and not a stream: it draws nothing but masks.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>
    /// Fills a dropout mask: <c>mask[i] = (u(key, i) &gt;= rate) / (1 - rate)</c>, where
    /// <c>u(key, i) = (H(H(i ^ keyLow) + keyHigh) &gt;&gt; 8) / 2^24</c> is uniform in [0, 1) and H is
    /// <see cref="DropoutHash(uint)"/>: 0 for a dropped unit, 1 / (1 - rate) for a kept one.
    /// </summary>
    /// <param name="key">The 64 bits that pick the mask; equal keys give equal masks.</param>
    /// <param name="rate">The probability of dropping a unit, in [0, 1) (the layer checks it); 0 keeps every unit with factor 1.</param>
    /// <param name="mask">Receives the mask.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DropoutMask(ulong key, float rate, Span<float> mask)
    {
        if (!UseVector)
        {
            DropoutMaskScalar(key, rate, mask);
            return;
        }

        uint keyLow = (uint)key, keyHigh = (uint)(key >> 32);
        // m = 1 / (1 - rate) for a kept unit
        float scale = 1f / (1f - rate);
        int count = Vector<float>.Count, i = 0;
        var rates = new Vector<float>(rate);
        var scales = new Vector<float>(scale);
        var lows = new Vector<uint>(keyLow);
        var highs = new Vector<uint>(keyHigh);
        for (; i <= mask.Length - count; i += count)
        {
            Vector<uint> index = Vector<uint>.Indices + new Vector<uint>((uint)i);
            Vector<uint> bits = DropoutHash(DropoutHash(index ^ lows) + highs);
            // u = top 24 bits / 2^24, exact in float
            Vector<float> u = Vector.ConvertToSingle(Vector.AsVectorInt32(Vector.ShiftRightLogical(bits, 8))) * new Vector<float>(1f / (1 << 24));
            // m = (u >= rate) / (1 - rate)
            Vector.ConditionalSelect(Vector.GreaterThanOrEqual(u, rates), scales, Vector<float>.Zero).CopyTo(mask.Slice(i));
        }

        for (; i < mask.Length; i++)
        {
            mask[i] = DropoutMaskOne(i, keyLow, keyHigh, rate, scale);
        }
    }

    /// <summary>Scalar twin of <see cref="DropoutMask"/>.</summary>
    /// <inheritdoc cref="DropoutMask" path="/param"/>
    public static void DropoutMaskScalar(ulong key, float rate, Span<float> mask)
    {
        uint keyLow = (uint)key, keyHigh = (uint)(key >> 32);
        // m = 1 / (1 - rate) for a kept unit
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = DropoutMaskOne(i, keyLow, keyHigh, rate, scale);
        }
    }

    /// <summary>The uniform u(key, i) in [0, 1) that decides unit i: a multiple of 2^-24.</summary>
    internal static float DropoutUniform(int i, ulong key) =>
        (DropoutHash(DropoutHash((uint)i ^ (uint)key) + (uint)(key >> 32)) >> 8) * (1f / (1 << 24));

    // m = (u >= rate) / (1 - rate)
    private static float DropoutMaskOne(int i, uint keyLow, uint keyHigh, float rate, float scale) =>
        (DropoutHash(DropoutHash((uint)i ^ keyLow) + keyHigh) >> 8) * (1f / (1 << 24)) >= rate ? scale : 0f;

    /// <summary>The lowbias32 mix: h ^= h &gt;&gt; 16; h *= 0x7FEB352D; h ^= h &gt;&gt; 15; h *= 0x846CA68B; h ^= h &gt;&gt; 16.</summary>
    internal static uint DropoutHash(uint h)
    {
        h ^= h >> 16;
        h *= 0x7FEB352DU;
        h ^= h >> 15;
        h *= 0x846CA68BU;
        return h ^ (h >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> DropoutHash(Vector<uint> h)
    {
        h ^= Vector.ShiftRightLogical(h, 16);
        h *= new Vector<uint>(0x7FEB352DU);
        h ^= Vector.ShiftRightLogical(h, 15);
        h *= new Vector<uint>(0x846CA68BU);
        return h ^ Vector.ShiftRightLogical(h, 16);
    }

    /// <summary>
    /// Applies a dropout mask: <c>destination[i] = x[i] * mask[i]</c>, both a = z * m (forward) and
    /// dz = da * m (backward). A NaN or infinite x stays NaN (infinity times 0 is NaN): nothing is hidden.
    /// </summary>
    /// <param name="x">z or da.</param>
    /// <param name="mask">The mask from <see cref="DropoutMask"/>, as long as <paramref name="x"/>.</param>
    /// <param name="destination">a or dz, as long as <paramref name="x"/>; may be the same span as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyMask(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> destination)
    {
        RequireLength(mask.Length, x.Length, nameof(mask), "ApplyMask", "x");
        RequireLength(destination.Length, x.Length, nameof(destination), "ApplyMask", "x");
        if (!UseVector)
        {
            ApplyMaskScalar(x, mask, destination);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= x.Length - count; i += count)
        {
            // a = z * m
            (new Vector<float>(x.Slice(i)) * new Vector<float>(mask.Slice(i))).CopyTo(destination.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] * mask[i];
        }
    }

    /// <summary>Scalar twin of <see cref="ApplyMask"/>.</summary>
    /// <inheritdoc cref="ApplyMask" path="/param"/>
    public static void ApplyMaskScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> destination)
    {
        RequireLength(mask.Length, x.Length, nameof(mask), "ApplyMaskScalar", "x");
        RequireLength(destination.Length, x.Length, nameof(destination), "ApplyMaskScalar", "x");
        for (int i = 0; i < x.Length; i++)
        {
            // a = z * m
            destination[i] = x[i] * mask[i];
        }
    }
}
