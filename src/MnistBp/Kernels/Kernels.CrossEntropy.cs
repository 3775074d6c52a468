// The two cross-entropy losses and their gradients (Nielsen, "Neural Networks and Deep Learning",
// chapter 3): the cross-entropy of sigmoid outputs, -[y ln a + (1 - y) ln(1 - a)] per output with a
// clamped into [ε, 1 - ε], and the fused softmax cross-entropy over logits, log Σ_k e^(z_k) - Σ_j y_j z_j
// per row, computed with log-sum-exp (the row's max subtracted) so logits of ±1000 stay finite.
// The fused gradient reuses the row softmax of Kernels.Softmax.cs. Loss sums are returned in double,
// unscaled: the Loss classes divide by the batch size. Two tiers, scalar twin and Vector<float> (Tuned = Vector).
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>
    /// The fused softmax cross-entropy, summed over rows:
    /// <c>Σ_r [log Σ_k exp(z[r, k]) - Σ_j y[r, j] z[r, j]]</c>, computed per row as
    /// <c>log Σ_k exp(z_k - m) - Σ_j y_j (z_j - m) + m (1 - Σ_j y_j)</c> with m = max_k z_k (the same
    /// number; the last term is zero for a one-hot row), so no exponent is positive and nothing large cancels.
    /// </summary>
    /// <param name="z">The logits, [rows x columns] row-major.</param>
    /// <param name="y">The targets, as long as <paramref name="z"/>; each row one-hot or a distribution.</param>
    /// <param name="rows">The number of rows (samples).</param>
    /// <param name="columns">The number of columns (classes).</param>
    /// <returns>The sum over rows (not yet divided by the batch size); 0 when there are no columns (no classes, nothing to compare).</returns>
    /// <exception cref="ArgumentException">The lengths do not match rows x columns.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SoftmaxCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<float> y, int rows, int columns)
    {
        RequireRows(z.Length, y.Length, rows, columns, "SoftmaxCrossEntropy", nameof(y));
        if (columns == 0)
        {
            return 0; // log Σ over no classes would be log 0: an empty row compares nothing
        }

        if (!UseVector)
        {
            return SoftmaxCrossEntropyScalar(z, y, rows, columns);
        }

        double total = 0;
        int count = Vector<float>.Count;
        Span<float> zLanes = stackalloc float[count];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> zRow = z.Slice(r * columns, columns), yRow = y.Slice(r * columns, columns);
            float max = RowMax(zRow);
            var m = new Vector<float>(max);
            Vector<float> expSums = Vector<float>.Zero, targetSums = Vector<float>.Zero, yzSums = Vector<float>.Zero;
            int j = 0;
            for (; j <= columns - count; j += count)
            {
                Vector<float> shifted = new Vector<float>(zRow.Slice(j)) - m, target = new(yRow.Slice(j));
                // Σ_k e^(z_k - m)
                expSums += Vector.Exp(shifted);
                // Σ_j y_j (z_j - m) and Σ_j y_j
                yzSums += target * shifted;
                targetSums += target;
            }

            float expSum = Vector.Sum(expSums), yzSum = Vector.Sum(yzSums), targetSum = Vector.Sum(targetSums);
            if (j < columns)
            {
                // The last elements through the same vector exp, padded; only the real lanes are added.
                zLanes.Clear();
                zRow.Slice(j).CopyTo(zLanes);
                Vector.Exp(new Vector<float>(zLanes) - m).CopyTo(zLanes);
                for (int lane = 0; lane < columns - j; lane++)
                {
                    float shifted = zRow[j + lane] - max;
                    expSum += zLanes[lane];
                    yzSum += yRow[j + lane] * shifted;
                    targetSum += yRow[j + lane];
                }
            }

            // loss_r = log Σ_k e^(z_k - m) - Σ_j y_j (z_j - m) + m (1 - Σ_j y_j)
            total += Math.Log(expSum) - yzSum + (targetSum == 1f ? 0.0 : max * (1.0 - targetSum));
        }

        return total;
    }

    /// <summary>Scalar twin of <see cref="SoftmaxCrossEntropy"/>.</summary>
    /// <inheritdoc cref="SoftmaxCrossEntropy" path="/param"/>
    /// <returns>The sum over rows (not yet divided by the batch size); 0 when there are no columns.</returns>
    public static double SoftmaxCrossEntropyScalar(ReadOnlySpan<float> z, ReadOnlySpan<float> y, int rows, int columns)
    {
        RequireRows(z.Length, y.Length, rows, columns, "SoftmaxCrossEntropyScalar", nameof(y));
        if (columns == 0)
        {
            return 0; // log Σ over no classes would be log 0: an empty row compares nothing
        }

        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> zRow = z.Slice(r * columns, columns), yRow = y.Slice(r * columns, columns);
            float max = RowMaxScalar(zRow);
            float expSum = 0f, yzSum = 0f, targetSum = 0f;
            for (int j = 0; j < columns; j++)
            {
                float shifted = zRow[j] - max;
                // Σ_k e^(z_k - m)
                expSum += MathF.Exp(shifted);
                // Σ_j y_j (z_j - m) and Σ_j y_j
                yzSum += yRow[j] * shifted;
                targetSum += yRow[j];
            }

            // loss_r = log Σ_k e^(z_k - m) - Σ_j y_j (z_j - m) + m (1 - Σ_j y_j)
            total += Math.Log(expSum) - yzSum + (targetSum == 1f ? 0.0 : max * (1.0 - targetSum));
        }

        return total;
    }

    /// <summary>
    /// The fused softmax cross-entropy's gradient: <c>dZ[r, j] = scale * (p[r, j] - y[r, j])</c>, where
    /// p is the row softmax of z (<see cref="Softmax"/>) and scale is 1 / batchSize for a batch mean.
    /// </summary>
    /// <param name="z">The logits, [rows x columns] row-major.</param>
    /// <param name="y">The targets, as long as <paramref name="z"/>.</param>
    /// <param name="dZ">dLoss/dZ, as long as <paramref name="z"/>; may be the same span as <paramref name="z"/>, must not overlap <paramref name="y"/>.</param>
    /// <param name="rows">The number of rows (samples).</param>
    /// <param name="columns">The number of columns (classes).</param>
    /// <param name="scale">The factor, such as 1 / rows.</param>
    /// <exception cref="ArgumentException">The lengths do not match rows x columns.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxCrossEntropyBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dZ, int rows, int columns, float scale)
    {
        RequireRows(z.Length, y.Length, rows, columns, "SoftmaxCrossEntropyBackward", nameof(y));
        RequireLength(dZ.Length, z.Length, nameof(dZ), "SoftmaxCrossEntropyBackward", "z");
        if (!UseVector)
        {
            SoftmaxCrossEntropyBackwardScalar(z, y, dZ, rows, columns, scale);
            return;
        }

        // p = softmax(z), written into dZ
        Softmax(z, dZ, rows, columns);
        // dz = (p - y) / n
        SubtractAndScale(dZ, y, scale);
    }

    /// <summary>
    /// <c>dZ[i] = scale * (dZ[i] - y[i])</c> in place, with Vector&lt;float&gt;: the last step of both fused gradients,
    /// (p - y) / n after the softmax and (a - y) / n after the sigmoid. Their scalar twins write the same loop out.
    /// </summary>
    private static void SubtractAndScale(Span<float> dZ, ReadOnlySpan<float> y, float scale)
    {
        var scales = new Vector<float>(scale);
        int count = Vector<float>.Count, i = 0;
        for (; i <= dZ.Length - count; i += count)
        {
            // dz = scale (dz - y)
            (scales * (new Vector<float>(dZ.Slice(i)) - new Vector<float>(y.Slice(i)))).CopyTo(dZ.Slice(i));
        }

        for (; i < dZ.Length; i++)
        {
            dZ[i] = scale * (dZ[i] - y[i]);
        }
    }

    /// <summary>Scalar twin of <see cref="SoftmaxCrossEntropyBackward"/>.</summary>
    /// <inheritdoc cref="SoftmaxCrossEntropyBackward" path="/param"/>
    public static void SoftmaxCrossEntropyBackwardScalar(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dZ, int rows, int columns, float scale)
    {
        RequireRows(z.Length, y.Length, rows, columns, "SoftmaxCrossEntropyBackwardScalar", nameof(y));
        RequireLength(dZ.Length, z.Length, nameof(dZ), "SoftmaxCrossEntropyBackwardScalar", "z");
        // p = softmax(z), written into dZ
        SoftmaxScalar(z, dZ, rows, columns);
        for (int i = 0; i < dZ.Length; i++)
        {
            // dz = (p - y) / n
            dZ[i] = scale * (dZ[i] - y[i]);
        }
    }

    /// <summary>
    /// Nielsen's cross-entropy of sigmoid outputs, summed over every element:
    /// <c>Σ_i -[y[i] ln(c) + (1 - y[i]) ln(1 - c)]</c> with <c>c = clamp(a[i], epsilon, 1 - epsilon)</c>.
    /// A NaN in <paramref name="a"/> stays NaN (the clamp compares, so it never replaces a NaN).
    /// </summary>
    /// <param name="a">The sigmoid outputs.</param>
    /// <param name="y">The targets, as long as <paramref name="a"/>.</param>
    /// <param name="epsilon">The clamp, such as 1e-7.</param>
    /// <returns>The sum over all elements (not yet divided by the batch size).</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CrossEntropy(ReadOnlySpan<float> a, ReadOnlySpan<float> y, float epsilon)
    {
        RequireLength(y.Length, a.Length, nameof(y), "CrossEntropy", "a");
        if (!UseVector)
        {
            return CrossEntropyScalar(a, y, epsilon);
        }

        var low = new Vector<float>(epsilon);
        var high = new Vector<float>(1f - epsilon);
        double total = 0;
        int count = Vector<float>.Count, i = 0;
        for (; i <= a.Length - count; i += count)
        {
            Vector<float> c = Clamp(new Vector<float>(a.Slice(i)), low, high), target = new(y.Slice(i));
            // C_i = -[y ln a + (1 - y) ln(1 - a)]
            Vector<float> terms = -(target * Vector.Log(c) + (Vector<float>.One - target) * Vector.Log(Vector<float>.One - c));
            total += Vector.Sum(terms);
        }

        if (i < a.Length)
        {
            // The last elements through the same vector log, padded with 1/2; only the real lanes are added.
            Span<float> aLanes = stackalloc float[count], yLanes = stackalloc float[count];
            aLanes.Fill(0.5f);
            yLanes.Clear();
            a.Slice(i).CopyTo(aLanes);
            y.Slice(i).CopyTo(yLanes);
            Vector<float> c = Clamp(new Vector<float>(aLanes), low, high), target = new(yLanes);
            // C_i = -[y ln a + (1 - y) ln(1 - a)]
            (-(target * Vector.Log(c) + (Vector<float>.One - target) * Vector.Log(Vector<float>.One - c))).CopyTo(aLanes);
            for (int lane = 0; lane < a.Length - i; lane++)
            {
                total += aLanes[lane];
            }
        }

        return total;
    }

    /// <summary>Scalar twin of <see cref="CrossEntropy"/>.</summary>
    /// <inheritdoc cref="CrossEntropy" path="/param"/>
    /// <returns>The sum over all elements (not yet divided by the batch size).</returns>
    public static double CrossEntropyScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> y, float epsilon)
    {
        RequireLength(y.Length, a.Length, nameof(y), "CrossEntropyScalar", "a");
        double total = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float c = Clamp(a[i], epsilon, 1f - epsilon);
            // C_i = -[y ln a + (1 - y) ln(1 - a)]
            total += -(y[i] * MathF.Log(c) + (1f - y[i]) * MathF.Log(1f - c));
        }

        return total;
    }

    /// <summary>
    /// The smallest a (1 - a) the cross-entropy's gradient divides by: only outputs of exactly 0 or 1 (or within
    /// about 1e-30 of them) reach it, so everywhere else the gradient is the exact (a - y) / (a (1 - a)).
    /// </summary>
    internal const float CrossEntropyMinimumDenominator = 1e-30f;

    /// <summary>
    /// The cross-entropy's gradient: <c>dA[i] = scale * (a[i] - y[i]) / max(a[i] (1 - a[i]), 1e-30)</c>. The
    /// output is not clamped here (the loss clamps it, for the logarithms): after the sigmoid's backward (times
    /// a (1 - a)) this is exactly scale * (a - y), Nielsen's δ = a - y, however saturated a is, down to
    /// a (1 - a) = 1e-30 (z about -69 or +69). A NaN stays NaN.
    /// </summary>
    /// <param name="a">The sigmoid outputs.</param>
    /// <param name="y">The targets, as long as <paramref name="a"/>.</param>
    /// <param name="dA">dLoss/dA, as long as <paramref name="a"/>; may be the same span as <paramref name="a"/> or <paramref name="y"/>.</param>
    /// <param name="scale">The factor, such as 1 / batchSize.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CrossEntropyBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> y, Span<float> dA, float scale)
    {
        RequireLength(y.Length, a.Length, nameof(y), "CrossEntropyBackward", "a");
        RequireLength(dA.Length, a.Length, nameof(dA), "CrossEntropyBackward", "a");
        if (!UseVector)
        {
            CrossEntropyBackwardScalar(a, y, dA, scale);
            return;
        }

        var floor = new Vector<float>(CrossEntropyMinimumDenominator);
        var scales = new Vector<float>(scale);
        int count = Vector<float>.Count, i = 0;
        for (; i <= a.Length - count; i += count)
        {
            var output = new Vector<float>(a.Slice(i));
            Vector<float> denominator = output * (Vector<float>.One - output);
            // a (1 - a), at least 1e-30 (a NaN fails the comparison and stays NaN)
            denominator = Vector.ConditionalSelect(Vector.LessThan(denominator, floor), floor, denominator);
            // dA = (a - y) / (a (1 - a)) / n
            (scales * (output - new Vector<float>(y.Slice(i))) / denominator).CopyTo(dA.Slice(i));
        }

        CrossEntropyBackwardScalar(a.Slice(i), y.Slice(i), dA.Slice(i), scale);
    }

    /// <summary>Scalar twin of <see cref="CrossEntropyBackward"/>.</summary>
    /// <inheritdoc cref="CrossEntropyBackward" path="/param"/>
    public static void CrossEntropyBackwardScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> y, Span<float> dA, float scale)
    {
        RequireLength(y.Length, a.Length, nameof(y), "CrossEntropyBackwardScalar", "a");
        RequireLength(dA.Length, a.Length, nameof(dA), "CrossEntropyBackwardScalar", "a");
        for (int i = 0; i < a.Length; i++)
        {
            float output = a[i], denominator = output * (1f - output);
            // a (1 - a), at least 1e-30 (a NaN fails the comparison and stays NaN)
            denominator = denominator < CrossEntropyMinimumDenominator ? CrossEntropyMinimumDenominator : denominator;
            // dA = (a - y) / (a (1 - a)) / n
            dA[i] = scale * (output - y[i]) / denominator;
        }
    }

    /// <summary><c>x &lt; low ? low : (x &gt; high ? high : x)</c>: a NaN fails both comparisons and stays NaN.</summary>
    private static float Clamp(float x, float low, float high) => x < low ? low : (x > high ? high : x);

    /// <summary>The lane-wise <see cref="Clamp(float, float, float)"/>, with the same NaN behaviour.</summary>
    private static Vector<float> Clamp(Vector<float> x, Vector<float> low, Vector<float> high) =>
        Vector.ConditionalSelect(Vector.LessThan(x, low), low, Vector.ConditionalSelect(Vector.GreaterThan(x, high), high, x));
}
