// The bias in both directions:
//   forward   Z += b            AddBias     (b broadcast over the rows of the batch)
//   backward  db += Σ_rows dZ   SumColumns  (every row used the same b, so their gradients add up)
// Two tiers: the scalar twin (the reference) and a Vector<float> loop, which runs on every machine
// with vector hardware. The loops have no measurement of their own: at batch 10 the bias add, both
// sigmoids and both sigmoid backwards together take about 1 us of a 27 us step (docs/performance.md).
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>Adds a bias row to every row of a matrix: <c>z[r, c] += bias[c]</c>.</summary>
    /// <param name="z">The matrix, [rows x columns], updated in place.</param>
    /// <param name="bias">The bias, [columns].</param>
    /// <param name="rows">The number of rows of <paramref name="z"/>.</param>
    /// <exception cref="ArgumentException">The lengths do not match.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBias(Span<float> z, ReadOnlySpan<float> bias, int rows)
    {
        CheckRowsTimesColumns(z.Length, rows, bias.Length, "AddBias", "z", "bias");
        if (!UseVector)
        {
            AddBiasScalar(z, bias, rows);
            return;
        }

        int columns = bias.Length, count = Vector<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = z.Slice(r * columns, columns);
            int c = 0;
            for (; c <= columns - count; c += count)
            {
                (new Vector<float>(row.Slice(c)) + new Vector<float>(bias.Slice(c))).CopyTo(row.Slice(c));
            }

            for (; c < columns; c++)
            {
                row[c] += bias[c];
            }
        }
    }

    /// <summary>Scalar twin of <see cref="AddBias"/>.</summary>
    /// <inheritdoc cref="AddBias" path="/param"/>
    public static void AddBiasScalar(Span<float> z, ReadOnlySpan<float> bias, int rows)
    {
        CheckRowsTimesColumns(z.Length, rows, bias.Length, "AddBiasScalar", "z", "bias");
        int columns = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                z[r * columns + c] += bias[c];
            }
        }
    }

    /// <summary>
    /// Sums the rows of a matrix into one row: <c>sums[c] (+)= sum over r of x[r, c]</c>.
    /// This is the bias gradient <c>db = Σ_rows dZ</c>.
    /// </summary>
    /// <param name="x">The matrix, [rows x columns].</param>
    /// <param name="sums">The column sums, [columns].</param>
    /// <param name="rows">The number of rows of <paramref name="x"/>.</param>
    /// <param name="accumulate">Add to <paramref name="sums"/> instead of overwriting it.</param>
    /// <exception cref="ArgumentException">The lengths do not match.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumColumns(ReadOnlySpan<float> x, Span<float> sums, int rows, bool accumulate = false)
    {
        CheckRowsTimesColumns(x.Length, rows, sums.Length, "SumColumns", "x", "sums");
        if (!UseVector)
        {
            SumColumnsScalar(x, sums, rows, accumulate);
            return;
        }

        if (!accumulate)
        {
            sums.Clear();
        }

        int columns = sums.Length, count = Vector<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.Slice(r * columns, columns);
            int c = 0;
            for (; c <= columns - count; c += count)
            {
                (new Vector<float>(sums.Slice(c)) + new Vector<float>(row.Slice(c))).CopyTo(sums.Slice(c));
            }

            for (; c < columns; c++)
            {
                sums[c] += row[c];
            }
        }
    }

    /// <summary>Scalar twin of <see cref="SumColumns"/>.</summary>
    /// <inheritdoc cref="SumColumns" path="/param"/>
    public static void SumColumnsScalar(ReadOnlySpan<float> x, Span<float> sums, int rows, bool accumulate = false)
    {
        CheckRowsTimesColumns(x.Length, rows, sums.Length, "SumColumnsScalar", "x", "sums");
        int columns = sums.Length;
        for (int c = 0; c < columns; c++)
        {
            float sum = 0f;
            for (int r = 0; r < rows; r++)
            {
                sum += x[r * columns + c];
            }

            sums[c] = accumulate ? sums[c] + sum : sum;
        }
    }

    private static void CheckRowsTimesColumns(int matrixLength, int rows, int columns, string kernel, string matrixName, string rowName)
    {
        if (rows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"{kernel}: rows must not be negative.");
        }

        if (matrixLength != (long)rows * columns) // the message is built only when it is needed
        {
            RequireLength(matrixLength, (long)rows * columns, matrixName, kernel, $"[{rows} x {columns}] (rows x length of {rowName})");
        }
    }
}
