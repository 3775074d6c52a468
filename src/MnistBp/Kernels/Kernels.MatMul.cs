// The three matrix products back-propagation needs:
//   forward   Z  = A · W        MatMul
//   backward  dW = Aᵀ · dZ      MatMulTransposeA  (accumulates into the gradient)
//   backward  dA = dZ · Wᵀ      MatMulTransposeB
// Legend: m = rows of C, n = columns of C, k = the inner size summed over.
//
// Each has three tiers. The scalar twin is the textbook loop: the reference (2-5 GFLOP/s). The
// readable Vector<float> loop below is NOT what runs on x86 with AVX2 or AVX-512: there UseTuned
// sends every product to the tuned Gemm (Kernels.Gemm.cs), which makes an epoch 3.4-6.7x faster
// than these loops (0.136-0.289 s with 512- or 256-bit vectors against 0.91-0.99 s, one thread,
// docs/performance.md). These
// loops are the fast path where TunedIsAccelerated is false: on Arm64, where Vector256 is not
// hardware accelerated and Vector<float> is 128-bit NEON (read from the code and the .NET docs, not
// measured: we have no Arm64 machine), and on x86 without AVX2 and FMA. Measured on x86, chosen by
// MNISTBP_KERNELS=vector: 5.7-6.1x faster per epoch than the scalar twins (5.4-5.75 s).
// Dot is the inner loop of MatMulTransposeB's Vector<float> tier, its one caller in the library.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>
    /// Matrix product <c>C = A · B</c> (or <c>C += A · B</c> when <paramref name="accumulate"/>):
    /// <c>c[i, j] (+)= sum over p of a[i, p] * b[p, j]</c>.
    /// </summary>
    /// <param name="a">A, [m x k], row-major.</param>
    /// <param name="b">B, [k x n], row-major.</param>
    /// <param name="c">C, [m x n], row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span's length does not match the sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckMatMul(a.Length, b.Length, c.Length, m, k, n, "MatMul", "[m x k]", "[k x n]");
        if (UseTuned)
        {
            Gemm(a, aRowStride: k, aInnerStride: 1, b, c, m, k, n, accumulate);
            return;
        }

        if (!UseVector)
        {
            MatMulScalar(a, b, c, m, k, n, accumulate);
            return;
        }

        // Row i of C is a weighted sum of the rows of B: c[i, :] += a[i, p] * b[p, :].
        // This keeps the innermost loop running along contiguous rows, so it vectorizes.
        int count = Vector<float>.Count;
        for (int i = 0; i < m; i++)
        {
            Span<float> cRow = c.Slice(i * n, n);
            if (!accumulate)
            {
                cRow.Clear();
            }

            for (int p = 0; p < k; p++)
            {
                float aip = a[i * k + p];
                ReadOnlySpan<float> bRow = b.Slice(p * n, n);
                var aipVector = new Vector<float>(aip);
                int j = 0;
                for (; j <= n - count; j += count)
                {
                    var sum = new Vector<float>(cRow.Slice(j)) + aipVector * new Vector<float>(bRow.Slice(j));
                    sum.CopyTo(cRow.Slice(j));
                }

                for (; j < n; j++)
                {
                    cRow[j] += aip * bRow[j];
                }
            }
        }
    }

    /// <summary>Scalar twin of <see cref="MatMul"/>: the textbook triple loop.</summary>
    /// <inheritdoc cref="MatMul" path="/param"/>
    public static void MatMulScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckMatMul(a.Length, b.Length, c.Length, m, k, n, "MatMulScalar", "[m x k]", "[k x n]");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += a[i * k + p] * b[p * n + j];
                }

                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }

    /// <summary>
    /// Matrix product with A transposed, <c>C = Aᵀ · B</c> (or <c>C += Aᵀ · B</c>):
    /// <c>c[i, j] (+)= sum over p of a[p, i] * b[p, j]</c>. This is the weight gradient <c>dW = Aᵀ · dZ</c>.
    /// </summary>
    /// <param name="a">A, [k x m], row-major (so Aᵀ is [m x k]).</param>
    /// <param name="b">B, [k x n], row-major.</param>
    /// <param name="c">C, [m x n], row-major; must not overlap A or B.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="k">Rows of A and of B (in back-propagation: the batch size).</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span's length does not match the sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckMatMul(a.Length, b.Length, c.Length, m, k, n, "MatMulTransposeA", "[k x m]", "[k x n]");
        if (UseTuned)
        {
            // Aᵀ is read in place: element (i, p) of Aᵀ is a[p * m + i].
            Gemm(a, aRowStride: 1, aInnerStride: m, b, c, m, k, n, accumulate);
            return;
        }

        if (!UseVector)
        {
            MatMulTransposeAScalar(a, b, c, m, k, n, accumulate);
            return;
        }

        if (!accumulate)
        {
            c.Clear();
        }

        // For each sample p, add the outer product of a[p, :] and b[p, :]: c[i, :] += a[p, i] * b[p, :].
        int count = Vector<float>.Count;
        for (int p = 0; p < k; p++)
        {
            ReadOnlySpan<float> bRow = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                float api = a[p * m + i];
                Span<float> cRow = c.Slice(i * n, n);
                var apiVector = new Vector<float>(api);
                int j = 0;
                for (; j <= n - count; j += count)
                {
                    var sum = new Vector<float>(cRow.Slice(j)) + apiVector * new Vector<float>(bRow.Slice(j));
                    sum.CopyTo(cRow.Slice(j));
                }

                for (; j < n; j++)
                {
                    cRow[j] += api * bRow[j];
                }
            }
        }
    }

    /// <summary>Scalar twin of <see cref="MatMulTransposeA"/>.</summary>
    /// <inheritdoc cref="MatMulTransposeA" path="/param"/>
    public static void MatMulTransposeAScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckMatMul(a.Length, b.Length, c.Length, m, k, n, "MatMulTransposeAScalar", "[k x m]", "[k x n]");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += a[p * m + i] * b[p * n + j];
                }

                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }

    /// <summary>
    /// Matrix product with B transposed, <c>C = A · Bᵀ</c> (or <c>C += A · Bᵀ</c>):
    /// <c>c[i, j] (+)= sum over p of a[i, p] * b[j, p]</c>. This is the input gradient <c>dA = dZ · Wᵀ</c>.
    /// </summary>
    /// <param name="a">A, [m x k], row-major.</param>
    /// <param name="b">B, [n x k], row-major (so Bᵀ is [k x n]).</param>
    /// <param name="c">C, [m x n], row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A and of B.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span's length does not match the sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckMatMul(a.Length, b.Length, c.Length, m, k, n, "MatMulTransposeB", "[m x k]", "[n x k]");
        if (UseTuned)
        {
            if (m >= 16 && (long)m * ((long)k + n) < (long)n * k)
            {
                // dA = dZ · Wᵀ of a wide layer at a mini-batch: transposing the small A and C costs less than
                // transposing B (for 128 x 1000 · (1000 x 1000)ᵀ, 256,000 elements instead of 1,000,000), so
                // compute Cᵀ = B · Aᵀ ([n x k] · [k x m]) and transpose it back. Every element is the same
                // products summed in the same order (fused multiply-adds, p = 0, 1, ..., k - 1): the same bits.
                float[] scratch = ScratchMemory.AtLeast(ref t_scratch, (k * m) + (n * m));
                Span<float> aTransposed = scratch.AsSpan(0, k * m), cTransposed = scratch.AsSpan(k * m, n * m);
                Transpose(a, aTransposed, rows: m, columns: k);
                Gemm(b, aRowStride: k, aInnerStride: 1, aTransposed, cTransposed, n, k, m, accumulate: false);
                Transpose(cTransposed, c, rows: n, columns: m, accumulate);
                return;
            }

            // Transpose B once into scratch memory ([k x n], row-major), then it is a plain A · B.
            Span<float> bTransposed = ScratchMemory.AtLeast(ref t_scratch, k * n).AsSpan(0, k * n);
            Transpose(b, bTransposed, rows: n, columns: k);
            Gemm(a, aRowStride: k, aInnerStride: 1, bTransposed, c, m, k, n, accumulate);
            return;
        }

        if (!UseVector)
        {
            MatMulTransposeBScalar(a, b, c, m, k, n, accumulate);
            return;
        }

        // Each element is a dot product of two contiguous rows: a[i, :] · b[j, :].
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> aRow = a.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                float dot = Dot(aRow, b.Slice(j * k, k));
                c[i * n + j] = accumulate ? c[i * n + j] + dot : dot;
            }
        }
    }

    /// <summary>Scalar twin of <see cref="MatMulTransposeB"/>.</summary>
    /// <inheritdoc cref="MatMulTransposeB" path="/param"/>
    public static void MatMulTransposeBScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        CheckMatMul(a.Length, b.Length, c.Length, m, k, n, "MatMulTransposeBScalar", "[m x k]", "[n x k]");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += a[i * k + p] * b[j * k + p];
                }

                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }

    /// <summary>Dot product of two equal-length spans: <c>sum over i of x[i] * y[i]</c>.</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector, as long as <paramref name="x"/>.</param>
    /// <returns>The sum of the element-wise products.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireLength(y.Length, x.Length, nameof(y), "Dot", "x");
        if (!UseVector)
        {
            return DotScalar(x, y);
        }

        int count = Vector<float>.Count;
        var sums = Vector<float>.Zero;
        int i = 0;
        for (; i <= x.Length - count; i += count)
        {
            sums += new Vector<float>(x.Slice(i)) * new Vector<float>(y.Slice(i));
        }

        float sum = Vector.Sum(sums);
        for (; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>Scalar twin of <see cref="Dot"/>.</summary>
    /// <inheritdoc cref="Dot" path="/param"/>
    /// <returns>The sum of the element-wise products.</returns>
    public static float DotScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireLength(y.Length, x.Length, nameof(y), "DotScalar", "x");
        float sum = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>
    /// Writes the transpose of <paramref name="source"/> [rows x columns] into <paramref name="destination"/> [columns x rows],
    /// or adds it when <paramref name="accumulate"/> (one addition per element: the bits of Gemm's own accumulate).
    /// With AVX it moves 8 x 8 blocks through registers (<see cref="Transpose8x8"/>); the edges, and machines
    /// without AVX, take <see cref="TransposeScalar"/>'s loop. Either way every element is copied (or added)
    /// once, so the two give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns, bool accumulate = false)
    {
        RequireTransposeLengths(source.Length, destination.Length, rows, columns, "Transpose");
        if (!UseTuned || !Avx.IsSupported || rows < 8 || columns < 8)
        {
            TransposeScalar(source, destination, rows, columns, accumulate);
            return;
        }

        int fullRows = rows & ~7, fullColumns = columns & ~7;
        unsafe
        {
            fixed (float* from = source, to = destination)
            {
                // Tiles of 32 x 32: the 32 source rows read and the 32 destination rows written stay in the L1
                // cache while the tile's sixteen 8 x 8 blocks go through the registers. When the destination's rows
                // are a multiple of 2 KB apart, 32 of them fall in one or two of the L1's 64 sets and evict each
                // other (1024 x 128 -> 128 x 1024 took 166 µs against 18-28 at 1000 x 128): then tiles of 128 x 8,
                // which write 8 destination rows at a time.
                bool tall = rows % 512 == 0; // the destination's rows a multiple of 2 KB apart
                int rowTile = tall ? 128 : 32, columnTile = tall ? 8 : 32;
                for (int r0 = 0; r0 < fullRows; r0 += rowTile)
                {
                    int rEnd = Math.Min(r0 + rowTile, fullRows);
                    for (int c0 = 0; c0 < fullColumns; c0 += columnTile)
                    {
                        int cEnd = Math.Min(c0 + columnTile, fullColumns);
                        for (int r = r0; r < rEnd; r += 8)
                        {
                            for (int c = c0; c < cEnd; c += 8)
                            {
                                Transpose8x8(from + ((long)r * columns) + c, columns, to + ((long)c * rows) + r, rows, accumulate);
                            }
                        }
                    }
                }
            }
        }

        // The edges: the last rows % 8 rows (all columns) and the last columns % 8 columns (the full rows).
        TransposeRange(source, destination, rows, columns, fullRows, rows, 0, columns, accumulate);
        TransposeRange(source, destination, rows, columns, 0, fullRows, fullColumns, columns, accumulate);
    }

    /// <summary>
    /// Scalar twin of <see cref="Transpose"/>: <c>destination[c, r] (+)= source[r, c]</c>, in blocks of 16 x 16.
    /// </summary>
    internal static void TransposeScalar(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns, bool accumulate = false)
    {
        RequireTransposeLengths(source.Length, destination.Length, rows, columns, "TransposeScalar");
        // Blocks of 16 x 16 keep both the rows read and the rows written in the L1 cache.
        const int Block = 16;
        for (int r0 = 0; r0 < rows; r0 += Block)
        {
            for (int c0 = 0; c0 < columns; c0 += Block)
            {
                TransposeRange(source, destination, rows, columns, r0, Math.Min(r0 + Block, rows), c0, Math.Min(c0 + Block, columns), accumulate);
            }
        }
    }

    /// <summary>Both spans hold rows x columns elements; the message, with the shapes, is built only when one does not.</summary>
    private static void RequireTransposeLengths(int sourceLength, int destinationLength, int rows, int columns, string kernel)
    {
        long required = (long)rows * columns;
        if (sourceLength != required)
        {
            RequireLength(sourceLength, required, "source", kernel, $"[{rows} x {columns}]");
        }

        if (destinationLength != required)
        {
            RequireLength(destinationLength, required, "destination", kernel, $"[{columns} x {rows}]");
        }
    }

    /// <summary>The transpose of the block rows [rowStart, rowEnd) x columns [columnStart, columnEnd), element by element.</summary>
    private static void TransposeRange(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns,
        int rowStart, int rowEnd, int columnStart, int columnEnd, bool accumulate)
    {
        for (int r = rowStart; r < rowEnd; r++)
        {
            for (int c = columnStart; c < columnEnd; c++)
            {
                // destination[c, r] = source[r, c]
                float value = source[r * columns + c];
                destination[c * rows + r] = accumulate ? destination[c * rows + r] + value : value;
            }
        }
    }

    /// <summary>
    /// Transposes one 8 x 8 block in registers: eight rows in (x0..x7, each 8 floats), eight columns out. Three rounds
    /// of shuffles: interleave pairs of rows (x0,x1 → a0 b0 a1 b1 | a4 b4 a5 b5), then pairs of pairs (→ a0 b0 c0 d0 | a4 b4 c4 d4),
    /// then swap 128-bit halves between the two groups of four rows (→ a0 b0 c0 d0 e0 f0 g0 h0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* from, int fromStride, float* to, int toStride, bool accumulate)
    {
        Vector256<float> x0 = Avx.LoadVector256(from), x1 = Avx.LoadVector256(from + fromStride);
        Vector256<float> x2 = Avx.LoadVector256(from + (2 * fromStride)), x3 = Avx.LoadVector256(from + (3 * fromStride));
        Vector256<float> x4 = Avx.LoadVector256(from + (4 * fromStride)), x5 = Avx.LoadVector256(from + (5 * fromStride));
        Vector256<float> x6 = Avx.LoadVector256(from + (6 * fromStride)), x7 = Avx.LoadVector256(from + (7 * fromStride));

        Vector256<float> t0 = Avx.UnpackLow(x0, x1), t1 = Avx.UnpackHigh(x0, x1);
        Vector256<float> t2 = Avx.UnpackLow(x2, x3), t3 = Avx.UnpackHigh(x2, x3);
        Vector256<float> t4 = Avx.UnpackLow(x4, x5), t5 = Avx.UnpackHigh(x4, x5);
        Vector256<float> t6 = Avx.UnpackLow(x6, x7), t7 = Avx.UnpackHigh(x6, x7);

        // 0x44 takes elements 0,1 of each 128-bit half from both inputs; 0xEE takes elements 2,3.
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        // 0x20 joins the low halves of both inputs (columns 0-3), 0x31 the high halves (columns 4-7).
        Store(to, Avx.Permute2x128(s0, s4, 0x20), accumulate);
        Store(to + toStride, Avx.Permute2x128(s1, s5, 0x20), accumulate);
        Store(to + (2 * toStride), Avx.Permute2x128(s2, s6, 0x20), accumulate);
        Store(to + (3 * toStride), Avx.Permute2x128(s3, s7, 0x20), accumulate);
        Store(to + (4 * toStride), Avx.Permute2x128(s0, s4, 0x31), accumulate);
        Store(to + (5 * toStride), Avx.Permute2x128(s1, s5, 0x31), accumulate);
        Store(to + (6 * toStride), Avx.Permute2x128(s2, s6, 0x31), accumulate);
        Store(to + (7 * toStride), Avx.Permute2x128(s3, s7, 0x31), accumulate);

        static void Store(float* at, Vector256<float> column, bool accumulate) =>
            Avx.Store(at, accumulate ? Avx.Add(Avx.LoadVector256(at), column) : column);
    }

    [ThreadStatic]
    private static float[]? t_scratch;

    private static void CheckMatMul(int aLength, int bLength, int cLength, int m, int k, int n, string kernel, string aShape, string bShape)
    {
        RequireSizes(m, k, n, kernel);
        // The messages are built only when a length is wrong: this check runs on every call.
        if (aLength != (long)m * k || bLength != (long)k * n || cLength != (long)m * n)
        {
            string sizes = $"(m={m}, k={k}, n={n})";
            RequireLength(aLength, (long)m * k, "a", kernel, $"A {aShape} {sizes}");
            RequireLength(bLength, (long)k * n, "b", kernel, $"B {bShape} {sizes}");
            RequireLength(cLength, (long)m * n, "c", kernel, $"C [m x n] {sizes}");
        }
    }
}
