// The tuned matrix product behind MatMul, MatMulTransposeA and MatMulTransposeB (the readable
// Vector<float> loops in Kernels.MatMul.cs compute the same thing). It is register tiling and
// nothing more: a tile of up to 6 rows x 2 vectors of C stays in registers while the whole inner
// dimension streams past, one fused multiply-add per lane per step. Leftover columns are done by
// the same generic tile with narrower vectors (512 -> 256 -> 128 bits), and the last few columns
// through a zero-padded copy one vector wide. The only other copy: when B's rows are a multiple of 4 KB
// apart, or of 512 B apart in a strip short enough for the L1 cache, each strip of B is packed into a
// contiguous block first (see Strips). No assembly. Work is split across
// threads by blocks of rows or column strips, so every element of C is computed by one thread in
// one fixed order: the result has the same bits for any thread count.
//
// Why it exists, measured (docs/performance.md, x86 with AVX-512, one thread): an epoch of
// 784-100-10 takes 0.91-0.99 s with the Vector<float> loops, 0.203-0.289 s with this kernel on
// 256-bit vectors (3.4-4.5x) and 0.136-0.242 s on 512-bit vectors (1.2-1.5x more: the reason for
// the Vector512 tier and KernelSettings.Vector512). On the MLP's shapes it does 165-202 GFLOP/s
// on one thread (206 on 512³), 81-124% of OpenBLAS (benchmarks/results/matmul-2026-11-28.md); the
// scalar twins do 2-5. Where it runs: under KernelPath.Auto only where TunedIsAccelerated, that is
// x86 with AVX2 and FMA (or AVX-512). On Arm64 Vector256.IsHardwareAccelerated is false (NEON
// registers are 128 bits; the JIT reports Vector256 as accelerated only on x86 with AVX2), so
// TunedIsAccelerated is false, this kernel never runs there by default, and the Vector<float>
// loops of Kernels.MatMul.cs (128-bit NEON) do.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MnistBp;

internal static unsafe partial class Kernels
{
    /// <summary>
    /// Multiply-adds (m x n x k) below which a product is not split across threads: handing work to
    /// another core costs about half a microsecond, some 60,000 multiply-adds. (The output layer of
    /// 784-100-10 at batch 128, 128,000 multiply-adds, is split; at batch 32 it is not.)
    /// </summary>
    private const long ParallelGemmThreshold = 64 * 1024;

    /// <summary>
    /// True when this machine runs the tuned kernels with real vector hardware: 256-bit vectors and
    /// fused multiply-add. x86 with AVX2 and FMA, or AVX-512; never Arm64, where Vector256 is not
    /// accelerated (so the Arm half of <see cref="Fma.IsSupportedOrArm"/> cannot make this true today).
    /// </summary>
    internal static bool TunedIsAccelerated => Vector256.IsHardwareAccelerated && Fma.IsSupportedOrArm;

    /// <summary>
    /// <c>C (+)= A · B</c> where element (i, p) of A is <c>a[i * aRowStride + p * aInnerStride]</c>
    /// (so A may be read transposed), B is [k x n] row-major and C is [m x n] row-major.
    /// Callers have checked every length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Gemm(ReadOnlySpan<float> a, nint aRowStride, nint aInnerStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                c[..(m * n)].Clear();
            }

            return;
        }

        int parts = (long)m * n * k < ParallelGemmThreshold ? 1 : Math.Min(ThreadCount, Math.Max(m / 4, n / 16));
        if (parts <= 1)
        {
            var operands = new GemmOperands(
                ref MemoryMarshal.GetReference(a), aRowStride, aInnerStride,
                ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(c), m, k, n, accumulate);
            GemmColumns(in operands, 0, n);
            return;
        }

        // Split C into blocks of whole rows (or whole columns), one per thread. Every element is still
        // summed by one thread in the order p = 0, 1, ..., k - 1, so the bits do not depend on the split.
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new GemmJob(pa, aRowStride, aInnerStride, pb, pc, m, k, n, accumulate);
            KernelThreads.Run(&GemmPart, &job, parts);
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of a product: a block of rows when C is tall, else of columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmPart(void* state, int part, int parts)
    {
        ref readonly GemmJob job = ref *(GemmJob*)state;
        if (job.M >= 4 * parts)
        {
            // Blocks of rows, as even as they come (10 rows on 2 threads: 5 and 5). Splitting rows keeps
            // every thread on whole vector strips; splitting 100 columns would give 4 strips to one
            // thread and 3 to the other.
            int chunk = (job.M + parts - 1) / parts;
            int first = Math.Min(job.M, part * chunk), last = Math.Min(job.M, first + chunk);
            var rows = new GemmOperands(
                ref Unsafe.AsRef<float>(job.A + first * job.ARowStride), job.ARowStride, job.AInnerStride,
                ref Unsafe.AsRef<float>(job.B), ref Unsafe.AsRef<float>(job.C + (nint)first * job.N), last - first, job.K, job.N, job.Accumulate);
            GemmColumns(in rows, 0, job.N);
        }
        else
        {
            // Whole 16-column strips, as even as they come; the last part takes the rest.
            int strip = Math.Max(16, (job.N / parts + 8) / 16 * 16);
            int first = Math.Min(job.N, part * strip), last = part == parts - 1 ? job.N : Math.Min(job.N, first + strip);
            var all = new GemmOperands(
                ref Unsafe.AsRef<float>(job.A), job.ARowStride, job.AInnerStride,
                ref Unsafe.AsRef<float>(job.B), ref Unsafe.AsRef<float>(job.C), job.M, job.K, job.N, job.Accumulate);
            GemmColumns(in all, first, last);
        }
    }

    /// <summary>A product's operands as pinned pointers, so that worker threads can reach them.</summary>
    private readonly struct GemmJob(float* a, nint aRowStride, nint aInnerStride, float* b, float* c, int m, int k, int n, bool accumulate)
    {
        public readonly float* A = a;
        public readonly nint ARowStride = aRowStride;
        public readonly nint AInnerStride = aInnerStride;
        public readonly float* B = b;
        public readonly float* C = c;
        public readonly int M = m;
        public readonly int K = k;
        public readonly int N = n;
        public readonly bool Accumulate = accumulate;
    }

    /// <summary>Computes the columns [first, last) of C: wide strips first, then narrower ones, then single columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmColumns(in GemmOperands o, int first, int last)
    {
        int j = first;
        if (o.M == 1)
        {
            // One row (one sample): a tile of 6 vectors across, so 6 independent sums hide the
            // latency of each fused multiply-add instead of waiting on one or two.
            j = UseVector512 ? WideRowStrips<Simd512, Vector512<float>>(in o, j, last) : WideRowStrips<Simd256, Vector256<float>>(in o, j, last);
        }

        if (UseVector512)
        {
            j = Strips<Simd512, Vector512<float>, Two>(in o, j, last);
            j = Strips<Simd512, Vector512<float>, One>(in o, j, last);
            if (j < last && (last - j) % Vector128<float>.Count != 0)
            {
                // Fewer than 16 columns left, and not a whole number of 4-wide vectors (the 10 outputs
                // of an MNIST network): one zero-padded 16-wide strip does them all at once.
                PaddedColumns<Simd512, Vector512<float>>(in o, j, last - j);
                return;
            }
        }

        j = Strips<Simd256, Vector256<float>, Two>(in o, j, last);
        j = Strips<Simd256, Vector256<float>, One>(in o, j, last);
        j = Strips<Simd128, Vector128<float>, One>(in o, j, last);
        if (j < last)
        {
            PaddedColumns<Simd128, Vector128<float>>(in o, j, last - j);
        }
    }

    /// <summary>For a single row of C: strips of 6 vectors, each column still summed in the order p = 0, 1, ..., k - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WideRowStrips<TSimd, TVector>(in GemmOperands o, int j, int last)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        nint width = TSimd.Count;
        for (; j + 6 * width <= last; j += (int)(6 * width))
        {
            TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            ref float a = ref o.A;
            ref float b = ref Unsafe.Add(ref o.B, j);
            for (int p = 0; p < o.K; p++)
            {
                TVector ap = TSimd.Broadcast(a);
                c0 = TSimd.MultiplyAdd(ap, TSimd.Load(ref b), c0);
                c1 = TSimd.MultiplyAdd(ap, TSimd.Load(ref Unsafe.Add(ref b, width)), c1);
                c2 = TSimd.MultiplyAdd(ap, TSimd.Load(ref Unsafe.Add(ref b, 2 * width)), c2);
                c3 = TSimd.MultiplyAdd(ap, TSimd.Load(ref Unsafe.Add(ref b, 3 * width)), c3);
                c4 = TSimd.MultiplyAdd(ap, TSimd.Load(ref Unsafe.Add(ref b, 4 * width)), c4);
                c5 = TSimd.MultiplyAdd(ap, TSimd.Load(ref Unsafe.Add(ref b, 5 * width)), c5);
                a = ref Unsafe.Add(ref a, o.AInnerStride);
                b = ref Unsafe.Add(ref b, o.N);
            }

            ref float c = ref Unsafe.Add(ref o.C, j);
            StoreRow<TSimd, TVector, Two>(ref c, width, c0, c1, o.Accumulate);
            StoreRow<TSimd, TVector, Two>(ref Unsafe.Add(ref c, 2 * width), width, c2, c3, o.Accumulate);
            StoreRow<TSimd, TVector, Two>(ref Unsafe.Add(ref c, 4 * width), width, c4, c5, o.Accumulate);
        }

        return j;
    }

    /// <summary>
    /// The last columns of C, fewer than a vector holds: copy those columns of B into a block one
    /// vector wide, padded with zeros, run the one-vector tile on it into a block of C as wide, and
    /// copy the wanted columns back. Each element is summed exactly as a full tile would sum it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PaddedColumns<TSimd, TVector>(in GemmOperands o, int j, int columns)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        int width = TSimd.Count;
        float[] paddedB = ScratchMemory.AtLeast(ref t_tailB, o.K * width), paddedC = ScratchMemory.AtLeast(ref t_tailC, o.M * width);
        ReadOnlySpan<float> b = MemoryMarshal.CreateReadOnlySpan(ref o.B, (int)(o.K * o.N));
        for (int p = 0; p < o.K; p++)
        {
            Span<float> row = paddedB.AsSpan(p * width, width);
            b.Slice((int)(p * o.N) + j, columns).CopyTo(row);
            row[columns..].Clear();
        }

        var padded = new GemmOperands(ref o.A, o.ARowStride, o.AInnerStride, ref paddedB[0], ref paddedC[0], o.M, o.K, width, accumulate: false);
        Strips<TSimd, TVector, One>(in padded, 0, width);
        Span<float> c = MemoryMarshal.CreateSpan(ref o.C, (int)(o.M * o.N));
        for (int i = 0; i < o.M; i++)
        {
            ReadOnlySpan<float> sums = paddedC.AsSpan(i * width, columns);
            Span<float> cRow = c.Slice(i * (int)o.N + j, columns);
            if (o.Accumulate)
            {
                for (int q = 0; q < columns; q++)
                {
                    cRow[q] += sums[q];
                }
            }
            else
            {
                sums.CopyTo(cRow);
            }
        }
    }

    [ThreadStatic]
    private static float[]? t_tailB;

    [ThreadStatic]
    private static float[]? t_tailC;

    /// <summary>
    /// Runs the tile over every row block of each full strip of TColumns vectors; returns the first column not done.
    /// When several row blocks share each strip and B's rows are a multiple of 4 KB apart (n a multiple of 1024), the
    /// strip is first copied into one contiguous block: otherwise every row of the strip falls in the same few sets of
    /// the L1 cache and evicts the rows of A the tile is reusing (128 x 1024 x 1024 ran at 174 GFLOP/s against 324 at
    /// 128 x 784 x 1000). The same when the rows are a multiple of 512 B apart (n a multiple of 128: at most 8 of the
    /// L1's 64 sets) and the strip is short (k ≤ 256, at most 32 KB): the weight gradient dW = Aᵀ·dZ of a layer of
    /// 384 or 512 at batch 128 (k = 128), 1.28-1.32x faster packed (784 x 128 x 512: 430 -> 336 µs, two threads). A longer strip does not stay in
    /// L1 either way, and copying it costs more than it saves (Z = A·W at 128 x 784 x 512 was 0.89x packed).
    /// The copy holds the same values, read in the same order: the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Strips<TSimd, TVector, TColumns>(in GemmOperands o, int j, int last)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TColumns : ITileSize
    {
        int width = TSimd.Count * TColumns.Value;
        bool pack = o.M >= 12 && (o.N % 1024 == 0 || (o.N % 128 == 0 && o.K <= PackedStripRows)) && j + width <= last;
        float[] packed = pack ? ScratchMemory.AtLeast(ref t_packedB, o.K * width) : [];
        for (; j + width <= last; j += width)
        {
            ref float bColumn = ref Unsafe.Add(ref o.B, j);
            nint bStride = o.N;
            if (pack)
            {
                ReadOnlySpan<float> b = MemoryMarshal.CreateReadOnlySpan(ref o.B, (int)(o.K * o.N));
                for (int p = 0; p < o.K; p++)
                {
                    b.Slice((int)(p * o.N) + j, width).CopyTo(packed.AsSpan(p * width, width));
                }

                bColumn = ref packed[0];
                bStride = width;
            }

            int i = 0;
            for (; i + 6 <= o.M; i += 6)
            {
                Tile<TSimd, TVector, Six, TColumns>(in o, i, j, ref bColumn, bStride);
            }

            switch (o.M - i)
            {
                case 5: Tile<TSimd, TVector, Five, TColumns>(in o, i, j, ref bColumn, bStride); break;
                case 4: Tile<TSimd, TVector, Four, TColumns>(in o, i, j, ref bColumn, bStride); break;
                case 3: Tile<TSimd, TVector, Three, TColumns>(in o, i, j, ref bColumn, bStride); break;
                case 2: Tile<TSimd, TVector, Two, TColumns>(in o, i, j, ref bColumn, bStride); break;
                case 1: Tile<TSimd, TVector, One, TColumns>(in o, i, j, ref bColumn, bStride); break;
            }
        }

        return j;
    }

    /// <summary>
    /// The most rows (k) of a strip of B packed when its rows are a multiple of 512 B apart: 32 KB with 512-bit
    /// vectors (32 columns), 16 KB with 256-bit ones, so it stays in the L1 cache for all row blocks. Measured on
    /// AVX-512 only; a longer strip was slower packed (Z = A·W at k = 784).
    /// </summary>
    private const int PackedStripRows = 256;

    [ThreadStatic]
    private static float[]? t_packedB;

    /// <summary>
    /// One register tile: rows [i, i + TRows) and TColumns vectors of columns starting at j.
    /// c[r, :] (+)= sum over p of a(i + r, p) * b[p, :], with every sum kept in a register; row p of the strip of B
    /// is at <paramref name="bColumn"/> + p * <paramref name="bStride"/> (B itself, or its packed copy).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TSimd, TVector, TRows, TColumns>(in GemmOperands o, int i, int j, ref float bColumn, nint bStride)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TRows : ITileSize
        where TColumns : ITileSize
    {
        nint width = TSimd.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default;
        TVector c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default;
        ref float aRow = ref Unsafe.Add(ref o.A, i * o.ARowStride);
        ref float bRow = ref bColumn;
        nint aRowStride = o.ARowStride, aInnerStride = o.AInnerStride, n = o.N;
        for (int p = 0; p < o.K; p++)
        {
            TVector b0 = TSimd.Load(ref bRow);
            TVector b1 = TColumns.Value > 1 ? TSimd.Load(ref Unsafe.Add(ref bRow, width)) : default;

            TVector a0 = TSimd.Broadcast(aRow);
            c00 = TSimd.MultiplyAdd(a0, b0, c00);
            if (TColumns.Value > 1) c01 = TSimd.MultiplyAdd(a0, b1, c01);
            if (TRows.Value > 1)
            {
                TVector a1 = TSimd.Broadcast(Unsafe.Add(ref aRow, aRowStride));
                c10 = TSimd.MultiplyAdd(a1, b0, c10);
                if (TColumns.Value > 1) c11 = TSimd.MultiplyAdd(a1, b1, c11);
            }

            if (TRows.Value > 2)
            {
                TVector a2 = TSimd.Broadcast(Unsafe.Add(ref aRow, 2 * aRowStride));
                c20 = TSimd.MultiplyAdd(a2, b0, c20);
                if (TColumns.Value > 1) c21 = TSimd.MultiplyAdd(a2, b1, c21);
            }

            if (TRows.Value > 3)
            {
                TVector a3 = TSimd.Broadcast(Unsafe.Add(ref aRow, 3 * aRowStride));
                c30 = TSimd.MultiplyAdd(a3, b0, c30);
                if (TColumns.Value > 1) c31 = TSimd.MultiplyAdd(a3, b1, c31);
            }

            if (TRows.Value > 4)
            {
                TVector a4 = TSimd.Broadcast(Unsafe.Add(ref aRow, 4 * aRowStride));
                c40 = TSimd.MultiplyAdd(a4, b0, c40);
                if (TColumns.Value > 1) c41 = TSimd.MultiplyAdd(a4, b1, c41);
            }

            if (TRows.Value > 5)
            {
                TVector a5 = TSimd.Broadcast(Unsafe.Add(ref aRow, 5 * aRowStride));
                c50 = TSimd.MultiplyAdd(a5, b0, c50);
                if (TColumns.Value > 1) c51 = TSimd.MultiplyAdd(a5, b1, c51);
            }

            aRow = ref Unsafe.Add(ref aRow, aInnerStride);
            bRow = ref Unsafe.Add(ref bRow, bStride);
        }

        ref float cRow = ref Unsafe.Add(ref o.C, i * n + j);
        StoreRow<TSimd, TVector, TColumns>(ref cRow, width, c00, c01, o.Accumulate);
        if (TRows.Value > 1) StoreRow<TSimd, TVector, TColumns>(ref Unsafe.Add(ref cRow, n), width, c10, c11, o.Accumulate);
        if (TRows.Value > 2) StoreRow<TSimd, TVector, TColumns>(ref Unsafe.Add(ref cRow, 2 * n), width, c20, c21, o.Accumulate);
        if (TRows.Value > 3) StoreRow<TSimd, TVector, TColumns>(ref Unsafe.Add(ref cRow, 3 * n), width, c30, c31, o.Accumulate);
        if (TRows.Value > 4) StoreRow<TSimd, TVector, TColumns>(ref Unsafe.Add(ref cRow, 4 * n), width, c40, c41, o.Accumulate);
        if (TRows.Value > 5) StoreRow<TSimd, TVector, TColumns>(ref Unsafe.Add(ref cRow, 5 * n), width, c50, c51, o.Accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSimd, TVector, TColumns>(ref float c, nint width, TVector sum0, TVector sum1, bool accumulate)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TColumns : ITileSize
    {
        if (accumulate)
        {
            sum0 = TSimd.Add(TSimd.Load(ref c), sum0);
            if (TColumns.Value > 1) sum1 = TSimd.Add(TSimd.Load(ref Unsafe.Add(ref c, width)), sum1);
        }

        TSimd.Store(sum0, ref c);
        if (TColumns.Value > 1) TSimd.Store(sum1, ref Unsafe.Add(ref c, width));
    }

    /// <summary>The operands of one product, passed by reference to the tiles.</summary>
    private readonly ref struct GemmOperands(ref float a, nint aRowStride, nint aInnerStride, ref float b, ref float c, int m, int k, int n, bool accumulate)
    {
        public readonly ref float A = ref a;
        public readonly nint ARowStride = aRowStride;
        public readonly nint AInnerStride = aInnerStride;
        public readonly ref float B = ref b;
        public readonly ref float C = ref c;
        public readonly int M = m;
        public readonly int K = k;
        public readonly nint N = n;
        public readonly bool Accumulate = accumulate;
    }
}

/// <summary>Whether fused multiply-add is done in hardware (x86 FMA3 or Arm AdvSimd).</summary>
internal static class Fma
{
    public static bool IsSupportedOrArm =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
}
