// Gathering rows: copy the rows a mini-batch names out of a large matrix (the dataset) into the
// batch's input matrix. With shuffled indices every row is a fresh trip to main memory, so on more
// than one core the rows are split between threads, each streaming its own.
using System.Runtime.CompilerServices;

namespace MnistBp;

public static unsafe partial class Kernels
{
    /// <summary>Floats copied per call from which GatherRows splits across threads.</summary>
    private const int ParallelGatherThreshold = 4096;

    /// <summary>
    /// Copies rows of a matrix into consecutive rows of another:
    /// <c>destination[r, :] = source[rows[r], :]</c>.
    /// </summary>
    /// <param name="source">The matrix to read, row-major, with rows of <paramref name="rowLength"/> values.</param>
    /// <param name="rowLength">Values per row, at least 1.</param>
    /// <param name="rows">The source rows to copy, in order; each must be a row of <paramref name="source"/>.</param>
    /// <param name="destination">[rows.Length x rowLength], row-major.</param>
    /// <exception cref="ArgumentException">A length does not fit, or a row index is outside the source; nothing has been written.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherRows(ReadOnlySpan<float> source, int rowLength, ReadOnlySpan<int> rows, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (destination.Length != (long)rows.Length * rowLength)
        {
            RequireLength(destination.Length, (long)rows.Length * rowLength, nameof(destination), "GatherRows", $"[{rows.Length} x {rowLength}]");
        }

        int sourceRows = source.Length / rowLength;
        for (int r = 0; r < rows.Length; r++)
        {
            if ((uint)rows[r] >= (uint)sourceRows)
            {
                throw new ArgumentException($"GatherRows: rows[{r}] = {rows[r]} is outside the {sourceRows} rows of the source.", nameof(rows));
            }
        }

        int parts = destination.Length < ParallelGatherThreshold ? 1 : Math.Min(ThreadCount, rows.Length);
        if (parts <= 1)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                source.Slice(rows[r] * rowLength, rowLength).CopyTo(destination.Slice(r * rowLength, rowLength));
            }

            return;
        }

        fixed (float* s = source, d = destination)
        fixed (int* i = rows)
        {
            var job = new GatherJob(s, i, d, rows.Length, rowLength);
            KernelThreads.Run(&GatherPart, &job, parts);
        }
    }

    private static void GatherPart(void* state, int part, int parts)
    {
        ref readonly GatherJob job = ref *(GatherJob*)state;
        int first = (int)((long)job.Count * part / parts), last = (int)((long)job.Count * (part + 1) / parts);
        for (int r = first; r < last; r++)
        {
            new ReadOnlySpan<float>(job.Source + (long)job.Rows[r] * job.RowLength, job.RowLength)
                .CopyTo(new Span<float>(job.Destination + (long)r * job.RowLength, job.RowLength));
        }
    }

    private readonly struct GatherJob(float* source, int* rows, float* destination, int count, int rowLength)
    {
        public readonly float* Source = source;
        public readonly int* Rows = rows;
        public readonly float* Destination = destination;
        public readonly int Count = count;
        public readonly int RowLength = rowLength;
    }
}
