// Gathering rows: copy the rows a mini-batch names out of a large matrix (the dataset) into the
// batch's input matrix. With shuffled indices every row is a fresh trip to main memory, and a copy
// loop on its own waits for each row before asking for the next. So while row r is copied, the
// rows a few places ahead are already requested (a prefetch hint per cache line, x86 only): the
// memory then serves several rows at once. On more than one core the rows are also split between
// threads. GatherPixels does the same from bytes (a dataset keeps one byte per pixel, as the IDX
// file does), scaling each to byte / 255 on the way: a quarter of the memory traffic of gathering
// floats. Each has a scalar twin, the plain double loop, which KernelPath.Scalar runs.
// Measured reasons (docs/performance.md, benchmarks/results/step-gather-predict-2026-11-28.md):
// the prefetch, 450 -> 85 ns a 784-byte row (one thread, a quick test); splitting GatherRows over
// two threads, 11.5 -> 5.7 us a batch of 32; GatherPixels with its Vector<float> conversion, 6.7 us
// a batch of 128 against 95.8 us for its twin, and against 15.0 us for GatherRows on floats.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace MnistBp;

internal static unsafe partial class Kernels
{
    /// <summary>Floats written per call from which the gathers split across threads.</summary>
    private const int ParallelGatherThreshold = 4096;

    /// <summary>How many rows ahead of the one being copied the gathers request from memory.</summary>
    private const int GatherPrefetchRows = 4;

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
        CheckGather(source.Length, rowLength, rows, destination.Length, "GatherRows");
        if (!UseVector)
        {
            GatherRowsScalar(source, rowLength, rows, destination);
            return;
        }

        fixed (float* s = source, d = destination)
        fixed (int* i = rows)
        {
            var job = new GatherJob(s, sizeof(float), i, d, rows.Length, rowLength, pixels: false);
            RunGather(&job);
        }
    }

    /// <summary>Scalar twin of <see cref="GatherRows"/>.</summary>
    /// <inheritdoc cref="GatherRows" path="/param"/>
    public static void GatherRowsScalar(ReadOnlySpan<float> source, int rowLength, ReadOnlySpan<int> rows, Span<float> destination)
    {
        CheckGather(source.Length, rowLength, rows, destination.Length, "GatherRowsScalar");
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < rowLength; c++)
            {
                destination[r * rowLength + c] = source[rows[r] * rowLength + c];
            }
        }
    }

    /// <summary>
    /// Copies rows of 8-bit pixels into consecutive rows of floats, each scaled to [0, 1]:
    /// <c>destination[r, c] = source[rows[r], c] / 255f</c>, exactly (every value has the bits of that division).
    /// </summary>
    /// <param name="source">The pixels, row-major, with rows of <paramref name="rowLength"/> bytes.</param>
    /// <param name="rowLength">Pixels per row, at least 1.</param>
    /// <param name="rows">The source rows to copy, in order; each must be a row of <paramref name="source"/>.</param>
    /// <param name="destination">[rows.Length x rowLength], row-major.</param>
    /// <exception cref="ArgumentException">A length does not fit, or a row index is outside the source; nothing has been written.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherPixels(ReadOnlySpan<byte> source, int rowLength, ReadOnlySpan<int> rows, Span<float> destination)
    {
        CheckGather(source.Length, rowLength, rows, destination.Length, "GatherPixels");
        if (!UseVector)
        {
            GatherPixelsScalar(source, rowLength, rows, destination);
            return;
        }

        fixed (byte* s = source)
        fixed (float* d = destination)
        fixed (int* i = rows)
        {
            var job = new GatherJob(s, sizeof(byte), i, d, rows.Length, rowLength, pixels: true);
            RunGather(&job);
        }
    }

    /// <summary>Scalar twin of <see cref="GatherPixels"/>.</summary>
    /// <inheritdoc cref="GatherPixels" path="/param"/>
    public static void GatherPixelsScalar(ReadOnlySpan<byte> source, int rowLength, ReadOnlySpan<int> rows, Span<float> destination)
    {
        CheckGather(source.Length, rowLength, rows, destination.Length, "GatherPixelsScalar");
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < rowLength; c++)
            {
                // x = byte / 255: pixel intensities 0..255 become inputs in [0, 1].
                destination[r * rowLength + c] = source[rows[r] * rowLength + c] / 255f;
            }
        }
    }

    /// <summary>
    /// Converts 8-bit pixels to floats in [0, 1]: <c>destination[i] = source[i] / 255f</c>, exactly
    /// (every value has the bits of that division).
    /// </summary>
    /// <param name="source">The pixels.</param>
    /// <param name="destination">The floats, as long as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PixelsToFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        RequireLength(destination.Length, source.Length, nameof(destination), "PixelsToFloats", "source");
        if (!UseVector)
        {
            PixelsToFloatsScalar(source, destination);
            return;
        }

        PixelsToFloatsVector(source, destination);
    }

    /// <summary>Scalar twin of <see cref="PixelsToFloats"/>.</summary>
    /// <inheritdoc cref="PixelsToFloats" path="/param"/>
    public static void PixelsToFloatsScalar(ReadOnlySpan<byte> source, Span<float> destination)
    {
        RequireLength(destination.Length, source.Length, nameof(destination), "PixelsToFloatsScalar", "source");
        for (int i = 0; i < source.Length; i++)
        {
            // x = byte / 255: pixel intensities 0..255 become inputs in [0, 1].
            destination[i] = source[i] / 255f;
        }
    }

    /// <summary>
    /// The <see cref="Vector{T}"/> loop of <see cref="PixelsToFloats"/>. A vector division costs as much as a
    /// dozen multiplies, so this multiplies by the reciprocal and then corrects the quotient once with
    /// two fused multiply-adds; for the 256 possible bytes that gives exactly the bits of the division
    /// (a test checks all of them in every lane). Lengths are the caller's to check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PixelsToFloatsVector(ReadOnlySpan<byte> source, Span<float> destination)
    {
        int count = Vector<byte>.Count;
        if (source.Length < count)
        {
            for (int j = 0; j < source.Length; j++)
            {
                destination[j] = source[j] / 255f;
            }

            return;
        }

        int i = 0;
        for (; i <= source.Length - count; i += count)
        {
            VectorOfPixelsToFloats(source.Slice(i, count), destination.Slice(i, count));
        }

        if (i < source.Length)
        {
            // The last bytes: one more whole vector ending at the end, overlapping the previous one
            // (those elements are written twice with the same values).
            int last = source.Length - count;
            VectorOfPixelsToFloats(source.Slice(last, count), destination.Slice(last, count));
        }
    }

    /// <summary>One vector of bytes to floats: widened to 16 bits, then 32 bits, converted, divided by 255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void VectorOfPixelsToFloats(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        int quarter = Vector<float>.Count;
        Vector.Widen(new Vector<byte>(bytes), out Vector<ushort> low, out Vector<ushort> high);
        Vector.Widen(low, out Vector<uint> x0, out Vector<uint> x1);
        Vector.Widen(high, out Vector<uint> x2, out Vector<uint> x3);
        DivideBy255(Vector.ConvertToSingle(x0)).CopyTo(destination);
        DivideBy255(Vector.ConvertToSingle(x1)).CopyTo(destination.Slice(quarter));
        DivideBy255(Vector.ConvertToSingle(x2)).CopyTo(destination.Slice(2 * quarter));
        DivideBy255(Vector.ConvertToSingle(x3)).CopyTo(destination.Slice(3 * quarter));
    }

    /// <summary><c>x / 255f</c> for whole numbers x from 0 to 255, without a division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> DivideBy255(Vector<float> x)
    {
        // q = x * (1/255) is one unit in the last place off for about half the bytes; the remainder
        // x - 255 q (exact, thanks to the fused multiply-add) corrects it: q + remainder * (1/255).
        var reciprocal = new Vector<float>(1f / 255f);
        Vector<float> q = x * reciprocal;
        Vector<float> remainder = Vector.FusedMultiplyAdd(q, new Vector<float>(-255f), x);
        return Vector.FusedMultiplyAdd(remainder, reciprocal, q);
    }

    /// <summary>Runs a gather on this thread, or split by rows across threads when it is big enough to pay.</summary>
    private static void RunGather(GatherJob* job)
    {
        int parts = (long)job->Count * job->RowLength < ParallelGatherThreshold ? 1 : Math.Min(ThreadCount, job->Count);
        if (parts <= 1)
        {
            GatherPart(job, 0, 1);
            return;
        }

        KernelThreads.Run(&GatherPart, job, parts);
    }

    /// <summary>Rows [first, last) of part <paramref name="part"/>, each source row requested a few rows before it is copied.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherPart(void* state, int part, int parts)
    {
        ref readonly GatherJob job = ref *(GatherJob*)state;
        int first = (int)((long)job.Count * part / parts), last = (int)((long)job.Count * (part + 1) / parts);
        for (int r = first; r < Math.Min(last, first + GatherPrefetchRows); r++)
        {
            Prefetch(in job, r);
        }

        for (int r = first; r < last; r++)
        {
            if (r + GatherPrefetchRows < last)
            {
                Prefetch(in job, r + GatherPrefetchRows);
            }

            var destination = new Span<float>(job.Destination + (long)r * job.RowLength, job.RowLength);
            byte* row = job.Source + (long)job.Rows[r] * job.RowLength * job.ElementSize;
            if (job.Pixels)
            {
                PixelsToFloatsVector(new ReadOnlySpan<byte>(row, job.RowLength), destination);
            }
            else
            {
                new ReadOnlySpan<float>(row, job.RowLength).CopyTo(destination);
            }
        }
    }

    /// <summary>Asks the memory for every cache line of source row <c>rows[r]</c>, without waiting for it.</summary>
    private static void Prefetch(in GatherJob job, int r)
    {
        if (!Sse.IsSupported)
        {
            return; // x86 only: .NET has no prefetch hint elsewhere, and the copy is still correct without it
        }

        long bytes = (long)job.RowLength * job.ElementSize;
        byte* row = job.Source + job.Rows[r] * bytes;
        for (long offset = 0; offset < bytes; offset += 64)
        {
            Sse.Prefetch0(row + offset);
        }

        Sse.Prefetch0(row + bytes - 1); // the last line, when the row does not start on a line boundary
    }

    /// <summary>A gather's operands as pinned pointers, so that worker threads can reach them.</summary>
    private readonly struct GatherJob(void* source, int elementSize, int* rows, float* destination, int count, int rowLength, bool pixels)
    {
        public readonly byte* Source = (byte*)source;
        public readonly int ElementSize = elementSize;
        public readonly int* Rows = rows;
        public readonly float* Destination = destination;
        public readonly int Count = count;
        public readonly int RowLength = rowLength;
        public readonly bool Pixels = pixels;
    }

    /// <summary>The checks every gather makes before writing anything.</summary>
    private static void CheckGather(int sourceLength, int rowLength, ReadOnlySpan<int> rows, int destinationLength, string kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (destinationLength != (long)rows.Length * rowLength)
        {
            RequireLength(destinationLength, (long)rows.Length * rowLength, "destination", kernel, $"[{rows.Length} x {rowLength}]");
        }

        int sourceRows = sourceLength / rowLength;
        for (int r = 0; r < rows.Length; r++)
        {
            if ((uint)rows[r] >= (uint)sourceRows)
            {
                throw new ArgumentException($"{kernel}: rows[{r}] = {rows[r]} is outside the {sourceRows} rows of the source.", nameof(rows));
            }
        }
    }
}
