// The range check the cross-entropy losses make of their inputs: the index of the first value below
// low or above high. The cross-entropies are for probabilities (targets, and CrossEntropyCost's
// predictions), and a value outside [0, 1] gives a number that looks like a loss but is not one
// (negative, or tiny for an output of 2). A NaN is not outside (both comparisons fail): it passes to
// the loss, which returns NaN, and Trainer names that. Two tiers, scalar twin and Vector<float>.
using System.Numerics;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>The index of the first value below <paramref name="low"/> or above <paramref name="high"/>, or -1; NaN is never outside.</summary>
    /// <param name="values">The values to check.</param>
    /// <param name="low">The smallest value allowed.</param>
    /// <param name="high">The largest value allowed.</param>
    /// <returns>The first index outside [low, high], or -1 when there is none.</returns>
    public static int FirstOutside(ReadOnlySpan<float> values, float low, float high)
    {
        if (!UseVector)
        {
            return FirstOutsideScalar(values, low, high);
        }

        var lows = new Vector<float>(low);
        var highs = new Vector<float>(high);
        int count = Vector<float>.Count, i = 0;
        for (; i <= values.Length - count; i += count)
        {
            var v = new Vector<float>(values.Slice(i));
            // v < low or v > high, lane by lane
            if (Vector.LessThanAny(v, lows) || Vector.GreaterThanAny(v, highs))
            {
                break; // the scalar twin finds which lane, from this vector on
            }
        }

        int rest = FirstOutsideScalar(values.Slice(i), low, high);
        return rest < 0 ? -1 : i + rest;
    }

    /// <summary>Scalar twin of <see cref="FirstOutside"/>.</summary>
    /// <inheritdoc cref="FirstOutside" path="/param"/>
    /// <returns>The first index outside [low, high], or -1 when there is none.</returns>
    public static int FirstOutsideScalar(ReadOnlySpan<float> values, float low, float high)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < low || values[i] > high)
            {
                return i;
            }
        }

        return -1;
    }
}
