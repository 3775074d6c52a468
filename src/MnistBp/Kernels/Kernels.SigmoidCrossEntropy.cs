// The sigmoid cross-entropy fused over logits (the loss SigmoidCrossEntropy), per output
// -[y ln σ(z) + (1 - y) ln(1 - σ(z))], written as max(z, 0) - z y + ln(1 + e^(-|z|)): the same number, but
// the exponent is never positive, so logits of ±1000 stay finite and no logarithm of 0 is ever taken.
// Its gradient is σ(z) - y, computed with the Sigmoid kernel of Kernels.Sigmoid.cs. Loss sums are returned
// in double, unscaled: the loss divides by the batch size. Two tiers, scalar twin and Vector<float> (Tuned = Vector,
// apart from the sigmoid inside the gradient, which takes its own tuned path). ln(1 + t) is computed as
// ln(u) t / (u - 1), u = 1 + t (Goldberg's log1p), so a well-classified output still costs its tiny e^(-|z|),
// not 0. A logit of ±∞ gives NaN even on the right side (∞ - ∞): such a model has diverged, and Trainer says so.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>
    /// The fused sigmoid cross-entropy, summed over every element:
    /// <c>Σ_i [max(z[i], 0) - z[i] y[i] + ln(1 + exp(-|z[i]|))]</c>, which is
    /// <c>Σ_i -[y ln σ(z) + (1 - y) ln(1 - σ(z))]</c> without the logarithm of a probability that may round to 0.
    /// A NaN logit gives a NaN sum.
    /// </summary>
    /// <param name="z">The logits.</param>
    /// <param name="y">The targets, as long as <paramref name="z"/>, each in [0, 1].</param>
    /// <returns>The sum over all elements (not yet divided by the batch size).</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SigmoidCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<float> y)
    {
        RequireLength(y.Length, z.Length, nameof(y), "SigmoidCrossEntropy", "z");
        if (!UseVector)
        {
            return SigmoidCrossEntropyScalar(z, y);
        }

        double total = 0;
        int count = Vector<float>.Count, i = 0;
        for (; i <= z.Length - count; i += count)
        {
            total += Vector.Sum(SigmoidCrossEntropyTerms(new Vector<float>(z.Slice(i)), new Vector<float>(y.Slice(i))));
        }

        if (i < z.Length)
        {
            // The last elements through the same vector exp and log, padded with zeros; only the real lanes are added.
            Span<float> zLanes = stackalloc float[count], yLanes = stackalloc float[count];
            zLanes.Clear();
            yLanes.Clear();
            z.Slice(i).CopyTo(zLanes);
            y.Slice(i).CopyTo(yLanes);
            SigmoidCrossEntropyTerms(new Vector<float>(zLanes), new Vector<float>(yLanes)).CopyTo(zLanes);
            for (int lane = 0; lane < z.Length - i; lane++)
            {
                total += zLanes[lane];
            }
        }

        return total;
    }

    /// <summary>One vector of <c>max(z, 0) - z y + ln(1 + exp(-|z|))</c>; a NaN logit fails the comparison and its NaN reaches the sum through z y.</summary>
    private static Vector<float> SigmoidCrossEntropyTerms(Vector<float> z, Vector<float> y)
    {
        Vector<float> positivePart = Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<float>.Zero), z, Vector<float>.Zero);
        Vector<float> t = Vector.Exp(-Vector.Abs(z)), u = Vector<float>.One + t, d = u - Vector<float>.One;
        // ln(1 + t) = ln(u) · t / (u - 1) with u = 1 + t rounded (exact to a few ulps even where 1 + t rounds to 1: then it is t)
        Vector<float> log1p = Vector.ConditionalSelect(Vector.Equals(d, Vector<float>.Zero), t, Vector.Log(u) * (t / d));
        // C_i = max(z, 0) - z y + ln(1 + e^(-|z|))
        return positivePart - z * y + log1p;
    }

    /// <summary>Scalar twin of <see cref="SigmoidCrossEntropy"/>.</summary>
    /// <inheritdoc cref="SigmoidCrossEntropy" path="/param"/>
    /// <returns>The sum over all elements (not yet divided by the batch size).</returns>
    public static double SigmoidCrossEntropyScalar(ReadOnlySpan<float> z, ReadOnlySpan<float> y)
    {
        RequireLength(y.Length, z.Length, nameof(y), "SigmoidCrossEntropyScalar", "z");
        double total = 0;
        for (int i = 0; i < z.Length; i++)
        {
            float logit = z[i], positivePart = logit > 0f ? logit : 0f;
            float t = MathF.Exp(-MathF.Abs(logit)), u = 1f + t, d = u - 1f;
            // ln(1 + t) = ln(u) · t / (u - 1) with u = 1 + t rounded (exact to a few ulps even where 1 + t rounds to 1: then it is t)
            float log1p = d == 0f ? t : MathF.Log(u) * (t / d);
            // C_i = max(z, 0) - z y + ln(1 + e^(-|z|))
            total += positivePart - logit * y[i] + log1p;
        }

        return total;
    }

    /// <summary>
    /// The fused sigmoid cross-entropy's gradient: <c>dZ[i] = scale * (σ(z[i]) - y[i])</c>, Nielsen's δ = a - y with
    /// a = σ(z), computed from the logits, so an output saturated at exactly 0 or 1 still gets its full a - y.
    /// </summary>
    /// <param name="z">The logits.</param>
    /// <param name="y">The targets, as long as <paramref name="z"/>.</param>
    /// <param name="dZ">dLoss/dZ, as long as <paramref name="z"/>; may be the same span as <paramref name="z"/>, must not overlap <paramref name="y"/>.</param>
    /// <param name="scale">The factor, such as 1 / batchSize.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidCrossEntropyBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dZ, float scale)
    {
        RequireLength(y.Length, z.Length, nameof(y), "SigmoidCrossEntropyBackward", "z");
        RequireLength(dZ.Length, z.Length, nameof(dZ), "SigmoidCrossEntropyBackward", "z");
        if (!UseVector)
        {
            SigmoidCrossEntropyBackwardScalar(z, y, dZ, scale);
            return;
        }

        // a = σ(z), written into dZ
        Sigmoid(z, dZ);
        // dz = (a - y) / n
        SubtractAndScale(dZ, y, scale);
    }

    /// <summary>Scalar twin of <see cref="SigmoidCrossEntropyBackward"/>.</summary>
    /// <inheritdoc cref="SigmoidCrossEntropyBackward" path="/param"/>
    public static void SigmoidCrossEntropyBackwardScalar(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dZ, float scale)
    {
        RequireLength(y.Length, z.Length, nameof(y), "SigmoidCrossEntropyBackwardScalar", "z");
        RequireLength(dZ.Length, z.Length, nameof(dZ), "SigmoidCrossEntropyBackwardScalar", "z");
        // a = σ(z), written into dZ
        SigmoidScalar(z, dZ);
        for (int i = 0; i < dZ.Length; i++)
        {
            // dz = (a - y) / n
            dZ[i] = scale * (dZ[i] - y[i]);
        }
    }
}
