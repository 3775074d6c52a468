// The row-wise softmax in both directions: p_j = e^(z_j - max z) / Σ_k e^(z_k - max z) for each row
// (sample) of a [rows x columns] matrix, and its Jacobian-vector product dz_j = p_j (dp_j - Σ_k p_k dp_k).
// Subtracting the row's max changes nothing mathematically (it cancels between numerator and
// denominator) but keeps every exponent <= 0, so logits of ±1000 never overflow. The fused
// softmax cross-entropy (Kernels.CrossEntropy.cs) shares these row helpers. Scalar twin and Vector<float> loops
// only (Tuned takes the Vector path): a row is ten classes wide here, no 512-bit or threaded version pays.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>
    /// Row-wise softmax: for each row r, <c>p[r, j] = exp(z[r, j] - max_k z[r, k]) / Σ_k exp(z[r, k] - max_k z[r, k])</c>.
    /// </summary>
    /// <param name="z">The logits, [rows x columns] row-major.</param>
    /// <param name="p">The probabilities, as long as <paramref name="z"/>; may be the same span as <paramref name="z"/>.</param>
    /// <param name="rows">The number of rows (samples).</param>
    /// <param name="columns">The number of columns (classes).</param>
    /// <exception cref="ArgumentException">The lengths do not match rows x columns.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> z, Span<float> p, int rows, int columns)
    {
        RequireRows(z.Length, p.Length, rows, columns, "Softmax", nameof(p));
        if (!UseVector)
        {
            SoftmaxScalar(z, p, rows, columns);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> zRow = z.Slice(r * columns, columns);
            Span<float> pRow = p.Slice(r * columns, columns);
            float max = RowMax(zRow);
            // e_j = e^(z_j - max z), and their sum
            float sum = RowExpShifted(zRow, max, pRow);
            // p_j = e_j / Σ_k e_k
            var inverse = new Vector<float>(sum);
            int count = Vector<float>.Count, j = 0;
            for (; j <= columns - count; j += count)
            {
                (new Vector<float>(pRow.Slice(j)) / inverse).CopyTo(pRow.Slice(j));
            }

            for (; j < columns; j++)
            {
                pRow[j] /= sum;
            }
        }
    }

    /// <summary>Scalar twin of <see cref="Softmax"/>.</summary>
    /// <inheritdoc cref="Softmax" path="/param"/>
    public static void SoftmaxScalar(ReadOnlySpan<float> z, Span<float> p, int rows, int columns)
    {
        RequireRows(z.Length, p.Length, rows, columns, "SoftmaxScalar", nameof(p));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> zRow = z.Slice(r * columns, columns);
            Span<float> pRow = p.Slice(r * columns, columns);
            float max = RowMaxScalar(zRow);
            // e_j = e^(z_j - max z), and their sum
            float sum = RowExpShiftedScalar(zRow, max, pRow);
            // p_j = e_j / Σ_k e_k
            for (int j = 0; j < columns; j++)
            {
                pRow[j] /= sum;
            }
        }
    }

    /// <summary>
    /// Softmax backward from its cached output, row by row:
    /// <c>dZ[r, j] = p[r, j] * (dP[r, j] - Σ_k p[r, k] * dP[r, k])</c>, the Jacobian-vector product
    /// written out (∂p_j/∂z_i = p_j (δ_ij - p_i)).
    /// </summary>
    /// <param name="p">The softmax output from the forward pass, [rows x columns].</param>
    /// <param name="dP">dLoss/dP, as long as <paramref name="p"/>.</param>
    /// <param name="dZ">dLoss/dZ, as long as <paramref name="p"/>; may be the same span as <paramref name="dP"/>.</param>
    /// <param name="rows">The number of rows (samples).</param>
    /// <param name="columns">The number of columns (classes).</param>
    /// <exception cref="ArgumentException">The lengths do not match rows x columns.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxBackward(ReadOnlySpan<float> p, ReadOnlySpan<float> dP, Span<float> dZ, int rows, int columns)
    {
        RequireRows(p.Length, dP.Length, rows, columns, "SoftmaxBackward", nameof(dP));
        RequireLength(dZ.Length, p.Length, nameof(dZ), "SoftmaxBackward", "p");
        if (!UseVector)
        {
            SoftmaxBackwardScalar(p, dP, dZ, rows, columns);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> pRow = p.Slice(r * columns, columns), dPRow = dP.Slice(r * columns, columns);
            Span<float> dZRow = dZ.Slice(r * columns, columns);
            // Σ_k p_k dp_k, before dZ is written (dZ may be dP)
            var dot = new Vector<float>(Dot(pRow, dPRow));
            int count = Vector<float>.Count, j = 0;
            for (; j <= columns - count; j += count)
            {
                // dz_j = p_j (dp_j - Σ_k p_k dp_k)
                (new Vector<float>(pRow.Slice(j)) * (new Vector<float>(dPRow.Slice(j)) - dot)).CopyTo(dZRow.Slice(j));
            }

            for (; j < columns; j++)
            {
                dZRow[j] = pRow[j] * (dPRow[j] - dot[0]);
            }
        }
    }

    /// <summary>Scalar twin of <see cref="SoftmaxBackward"/>.</summary>
    /// <inheritdoc cref="SoftmaxBackward" path="/param"/>
    public static void SoftmaxBackwardScalar(ReadOnlySpan<float> p, ReadOnlySpan<float> dP, Span<float> dZ, int rows, int columns)
    {
        RequireRows(p.Length, dP.Length, rows, columns, "SoftmaxBackwardScalar", nameof(dP));
        RequireLength(dZ.Length, p.Length, nameof(dZ), "SoftmaxBackwardScalar", "p");
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> pRow = p.Slice(r * columns, columns), dPRow = dP.Slice(r * columns, columns);
            Span<float> dZRow = dZ.Slice(r * columns, columns);
            // Σ_k p_k dp_k, before dZ is written (dZ may be dP)
            float dot = DotScalar(pRow, dPRow);
            for (int j = 0; j < columns; j++)
            {
                // dz_j = p_j (dp_j - Σ_k p_k dp_k)
                dZRow[j] = pRow[j] * (dPRow[j] - dot);
            }
        }
    }

    /// <summary>
    /// max_j row[j] with Vector&lt;float&gt; lanes; negative infinity for an empty row. A NaN need not
    /// win here: it reaches every output anyway, through its own e^(NaN) in the row's sum.
    /// </summary>
    private static float RowMax(ReadOnlySpan<float> row)
    {
        int count = Vector<float>.Count, j = 0;
        float max = float.NegativeInfinity;
        if (row.Length >= count)
        {
            var lanes = new Vector<float>(row);
            for (j = count; j <= row.Length - count; j += count)
            {
                lanes = Vector.Max(lanes, new Vector<float>(row.Slice(j)));
            }

            for (int lane = 0; lane < count; lane++)
            {
                max = Math.Max(max, lanes[lane]);
            }
        }

        for (; j < row.Length; j++)
        {
            max = Math.Max(max, row[j]);
        }

        return max;
    }

    /// <summary>Scalar twin of <see cref="RowMax"/>.</summary>
    private static float RowMaxScalar(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        for (int j = 0; j < row.Length; j++)
        {
            max = Math.Max(max, row[j]);
        }

        return max;
    }

    /// <summary>
    /// <c>destination[j] = exp(row[j] - shift)</c> with Vector.Exp, returning Σ_j destination[j]. The
    /// last elements go through the same vector exp, padded, so an element's value does not depend
    /// on where it sits in the row (as in <see cref="Sigmoid"/>).
    /// </summary>
    private static float RowExpShifted(ReadOnlySpan<float> row, float shift, Span<float> destination)
    {
        int count = Vector<float>.Count, j = 0;
        var shiftLanes = new Vector<float>(shift);
        Vector<float> sums = Vector<float>.Zero;
        for (; j <= row.Length - count; j += count)
        {
            Vector<float> e = Vector.Exp(new Vector<float>(row.Slice(j)) - shiftLanes);
            sums += e;
            e.CopyTo(destination.Slice(j));
        }

        float sum = Vector.Sum(sums);
        if (j < row.Length)
        {
            Span<float> lanes = stackalloc float[Vector<float>.Count];
            lanes.Clear();
            row.Slice(j).CopyTo(lanes);
            Vector.Exp(new Vector<float>(lanes) - shiftLanes).CopyTo(lanes);
            for (int lane = 0; lane < row.Length - j; lane++)
            {
                destination[j + lane] = lanes[lane];
                sum += lanes[lane];
            }
        }

        return sum;
    }

    /// <summary>Scalar twin of <see cref="RowExpShifted"/>, with MathF.Exp and the sum taken left to right.</summary>
    private static float RowExpShiftedScalar(ReadOnlySpan<float> row, float shift, Span<float> destination)
    {
        float sum = 0f;
        for (int j = 0; j < row.Length; j++)
        {
            destination[j] = MathF.Exp(row[j] - shift);
            sum += destination[j];
        }

        return sum;
    }

    /// <summary>Throws unless both spans hold rows x columns elements (and neither size is negative).</summary>
    private static void RequireRows(int firstLength, int secondLength, int rows, int columns, string kernel, string secondName)
    {
        if (rows < 0 || columns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"{kernel}: sizes must not be negative (rows={rows}, columns={columns}).");
        }

        long required = (long)rows * columns;
        if (firstLength != required || secondLength != required)
        {
            // the shape text is built only here, never on a call that fits (this runs every step)
            RequireLength(firstLength, required, "input", kernel, $"[{rows} x {columns}]");
            RequireLength(secondLength, required, secondName, kernel, $"[{rows} x {columns}]");
        }
    }
}
