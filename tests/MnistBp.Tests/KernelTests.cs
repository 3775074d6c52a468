// KernelTests: every kernel against its scalar twin, on every path (KernelSettings.Current.Path
// forced to Scalar, Vector and Tuned), over every length 0..67 and over odd matrix shapes, plus
// golden values worked out by hand and the argument checks. Inputs come from DeterministicRandom seeded per case, so a
// failure names a length or shape that reproduces.
//
// Tolerances, and why:
//   - AddBias, Axpy, SigmoidBackward and SumColumns without accumulation do the same float
//     operations in the same order on both paths: bit-exact.
//   - Sums of products (matrix products, Dot, SumColumns with accumulation) may add in another
//     order. Any order of adding n terms is within gamma(n) * sum|term| of the exact value, with
//     gamma(n) = n u / (1 - n u) and u = 2^-24 (Higham, "Accuracy and Stability of Numerical
//     Algorithms", 3.1), so two paths differ by at most 2 gamma(k + 1) * (|c| + sum |a b|), k
//     products plus the accumulated value. We assert exactly that bound, element by element. (Today
//     MatMul and MatMulTransposeA without accumulation happen to add in the scalar order too, but
//     the summation order is the kernel's to choose, so they get the bound, not bit-exactness.)
//   - Sigmoid: Vector.Exp and MathF.Exp are different approximations of exp; with AVX2 they
//     differ by up to 4 ulps (measured 2.7e-7 relative), so 1e-6 relative. With
//     DOTNET_EnableHWIntrinsic=0 the emulated Vector.Exp happens to match MathF.Exp exactly.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class KernelTests
{
    private const int MaxLength = 67;
    private const double UnitRoundoff = 1.0 / (1 << 24);
    private const double SigmoidRelativeTolerance = 1e-6;
    private static readonly int[] s_rowCounts = [0, 1, 2, 3, 7];

    private KernelSettings _settingsBefore = KernelSettings.Current;

    /// <summary>The shapes (m, k, n) the matrix products are tested on: odd, tiny, empty and MNIST-sized.</summary>
    public static IEnumerable<MatrixShape> Shapes =>
    [
        new(1, 1, 1), new(3, 5, 7), new(17, 33, 9), new(1, 67, 1), new(67, 1, 67), new(8, 8, 8),
        new(0, 5, 7), new(3, 0, 7), new(3, 5, 0), new(0, 0, 0), new(2, 784, 30),
        // The MLP's own shapes: every strip width of the tuned kernel (2 x 16, 16, 8, 4, single columns) and row tails.
        new(10, 784, 100), new(33, 100, 10), new(7, 13, 61), new(6, 3, 47),
        // Wide enough for MatMulTransposeB's transposed route (m >= 16 and m (k + n) < n k), with tails both ways.
        new(16, 40, 40), new(33, 100, 70),
        // n a multiple of 1024 and 12+ rows for each of up to 2 threads: the tuned kernel packs each strip of B first.
        new(25, 20, 1024),
    ];

    [OneTimeSetUp]
    public void ReportVectorWidth() =>
        TestContext.Progress.WriteLine($"KernelTests: Vector<float>.Count = {System.Numerics.Vector<float>.Count}, hardware accelerated: {System.Numerics.Vector.IsHardwareAccelerated}");

    [SetUp]
    public void RememberSettings() => _settingsBefore = KernelSettings.Current;

    // Back to what it was before the test: the defaults, or what MNISTBP_KERNELS asked for.
    [TearDown]
    public void RestoreSettings() => KernelSettings.Current = _settingsBefore;

    // ---- element-wise kernels and Dot, every length 0..67 ----

    [Test]
    public void Dot_matches_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        for (int length = 0; length <= MaxLength; length++)
        {
            var random = new DeterministicRandom((ulong)length);
            float[] x = Gaussian(random, length), y = Gaussian(random, length);

            float actual = Kernels.Dot(x, y);
            float twin = Kernels.DotScalar(x, y);

            double exact = 0, absolute = 0;
            for (int i = 0; i < length; i++)
            {
                exact += (double)x[i] * y[i];
                absolute += Math.Abs((double)x[i] * y[i]);
            }

            Assert.That(actual, Is.EqualTo(twin).Within(2 * Gamma(length) * absolute), $"{path} length {length}");
            Assert.That(twin, Is.EqualTo(exact).Within(Gamma(length) * absolute), $"DotScalar length {length}");
        }
    }

    [Test]
    public void Sigmoid_matches_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        for (int length = 0; length <= MaxLength; length++)
        {
            float[] x = Gaussian(new DeterministicRandom((ulong)length), length, scale: 8);
            float[] actual = new float[length], twin = new float[length];

            Kernels.Sigmoid(x, actual);
            Kernels.SigmoidScalar(x, twin);

            for (int i = 0; i < length; i++)
            {
                double exact = 1.0 / (1.0 + Math.Exp(-(double)x[i]));
                Assert.That(actual[i], Is.EqualTo(twin[i]).Within(Relative(twin[i])), $"{path} length {length} [{i}] x = {x[i]}");
                Assert.That(twin[i], Is.EqualTo(exact).Within(Relative(exact)), $"SigmoidScalar length {length} [{i}] x = {x[i]}");
            }
        }
    }

    [Test]
    public void Sigmoid_may_run_in_place([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        float[] x = Gaussian(new DeterministicRandom(3), 37, scale: 4);
        float[] expected = new float[x.Length];
        Kernels.Sigmoid(x, expected);

        Kernels.Sigmoid(x, x);

        Assert.That(x, Is.EqualTo(expected));
    }

    [Test]
    public void SigmoidBackward_is_bit_exact_with_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        for (int length = 0; length <= MaxLength; length++)
        {
            var random = new DeterministicRandom((ulong)length);
            float[] output = Uniform(random, length, 0, 1), dOutput = Gaussian(random, length);
            float[] actual = new float[length], twin = new float[length];

            Kernels.SigmoidBackward(output, dOutput, actual);
            Kernels.SigmoidBackwardScalar(output, dOutput, twin);

            Assert.That(actual, Is.EqualTo(twin), $"{path} length {length}");
        }
    }

    [Test]
    public void SigmoidBackward_may_write_over_dOutput([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        var random = new DeterministicRandom(4);
        float[] output = Uniform(random, 29, 0, 1), gradient = Gaussian(random, 29);
        float[] expected = new float[gradient.Length];
        Kernels.SigmoidBackwardScalar(output, gradient, expected);

        Kernels.SigmoidBackward(output, gradient, gradient);

        Assert.That(gradient, Is.EqualTo(expected));
    }

    [Test]
    public void GatherPixels_gives_the_bits_of_byte_over_255_for_every_byte_in_every_lane(
        [Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(1, 2, 3)] int threads)
    {
        // Row r, column c holds (r + c) mod 256: every byte value lands in every lane of every vector
        // width, and 257 columns leave a tail after the last whole vector.
        const int Rows = 256, Columns = 257;
        KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = threads };
        byte[] source = new byte[Rows * Columns];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(i / Columns + i % Columns);
        }

        int[] rows = [.. Enumerable.Range(0, Rows).Reverse()];
        float[] actual = new float[Rows * Columns], twin = new float[Rows * Columns];
        Kernels.GatherPixels(source, Columns, rows, actual);
        Kernels.GatherPixelsScalar(source, Columns, rows, twin);

        Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(twin.Select(BitConverter.SingleToInt32Bits)), $"{path}, {threads} threads");
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                float expected = source[rows[r] * Columns + c] / 255f;
                if (BitConverter.SingleToInt32Bits(actual[r * Columns + c]) != BitConverter.SingleToInt32Bits(expected))
                {
                    Assert.Fail($"{path}: row {r}, column {c}: {source[rows[r] * Columns + c]} / 255 gave {actual[r * Columns + c]:R}, not {expected:R}");
                }
            }
        }
    }

    [Test]
    public void GatherPixels_refuses_a_row_outside_the_source_before_writing([Values(KernelPath.Scalar, KernelPath.Vector)] KernelPath path)
    {
        UsePath(path);
        byte[] source = new byte[4 * 3];
        float[] destination = [9, 9, 9, 9, 9, 9];

        Assert.That(() => Kernels.GatherPixels(source, 3, [1, 4], destination), Throws.ArgumentException.With.Message.Contains("GatherPixels: rows[1] = 4 is outside the 4 rows"));
        Assert.That(destination, Is.All.EqualTo(9f));
        Assert.That(() => Kernels.GatherPixels(source, 3, [1], destination), Throws.ArgumentException.With.Message.Contains("[1 x 3] needs 3"));
        Assert.That(() => Kernels.GatherPixels(source, 0, [], []), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => Kernels.GatherPixelsScalar(source, 3, [-1], new float[3]), Throws.ArgumentException.With.Message.Contains("GatherPixelsScalar: rows[0] = -1"));
    }

    [Test]
    public void GatherRows_is_bit_exact_with_scalar_twin(
        [Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(1, 2, 3)] int threads, [Values(1, 7, 784)] int rowLength)
    {
        // 37 rows of 784 are above the size from which the gather splits across threads.
        KernelSettings.Current = KernelSettings.Current with { Path = path, ThreadCount = threads };
        var random = new DeterministicRandom((ulong)rowLength);
        float[] source = Gaussian(random, 50 * rowLength);
        int[] rows = [.. Enumerable.Range(0, 37).Select(_ => random.NextInt(50))];
        float[] actual = new float[rows.Length * rowLength], twin = new float[rows.Length * rowLength];

        Kernels.GatherRows(source, rowLength, rows, actual);
        Kernels.GatherRowsScalar(source, rowLength, rows, twin);

        Assert.That(actual, Is.EqualTo(twin), $"{path}, {threads} threads, rows of {rowLength}");
        Assert.That(twin.AsSpan(5 * rowLength, rowLength).ToArray(), Is.EqualTo(source.AsSpan(rows[5] * rowLength, rowLength).ToArray()), "GatherRowsScalar row 5");
        Assert.That(() => Kernels.GatherRowsScalar(source, rowLength, [50], new float[rowLength]), Throws.ArgumentException.With.Message.Contains("GatherRowsScalar: rows[0] = 50 is outside the 50 rows"));
    }

    [Test]
    public void PixelsToFloats_is_bit_exact_with_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        foreach (int length in Enumerable.Range(0, MaxLength + 1).Append(256).Append(3 * 784 + 5))
        {
            // (i * 7 + length) mod 256: every byte value, at every offset within a vector.
            byte[] pixels = [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + length))];
            float[] actual = new float[length], twin = new float[length];

            Kernels.PixelsToFloats(pixels, actual);
            Kernels.PixelsToFloatsScalar(pixels, twin);

            Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(twin.Select(BitConverter.SingleToInt32Bits)), $"{path} length {length}");
            Assert.That(twin, Is.EqualTo(pixels.Select(p => p / 255f)), $"PixelsToFloatsScalar length {length}");
        }
    }

    [Test]
    public void Axpy_is_bit_exact_with_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        for (int length = 0; length <= MaxLength; length++)
        {
            var random = new DeterministicRandom((ulong)length);
            float alpha = (float)random.NextGaussian();
            float[] x = Gaussian(random, length), actual = Gaussian(random, length);
            float[] twin = (float[])actual.Clone();

            Kernels.Axpy(alpha, x, actual);
            Kernels.AxpyScalar(alpha, x, twin);

            Assert.That(actual, Is.EqualTo(twin), $"{path} length {length}");
        }
    }

    [Test]
    public void AddBias_is_bit_exact_with_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        for (int columns = 0; columns <= MaxLength; columns++)
        {
            foreach (int rows in s_rowCounts)
            {
                var random = new DeterministicRandom((ulong)(columns * 100 + rows));
                float[] bias = Gaussian(random, columns), actual = Gaussian(random, rows * columns);
                float[] twin = (float[])actual.Clone();

                Kernels.AddBias(actual, bias, rows);
                Kernels.AddBiasScalar(twin, bias, rows);

                Assert.That(actual, Is.EqualTo(twin), $"{path} [{rows} x {columns}]");
            }
        }
    }

    [Test]
    public void SumColumns_matches_scalar_twin_for_every_length([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values] bool accumulate)
    {
        UsePath(path);
        for (int columns = 0; columns <= MaxLength; columns++)
        {
            foreach (int rows in s_rowCounts)
            {
                var random = new DeterministicRandom((ulong)(columns * 100 + rows));
                float[] x = Gaussian(random, rows * columns), actual = Gaussian(random, columns);
                float[] twin = (float[])actual.Clone(), before = (float[])actual.Clone();

                Kernels.SumColumns(x, actual, rows, accumulate);
                Kernels.SumColumnsScalar(x, twin, rows, accumulate);

                if (!accumulate)
                {
                    // Both paths add row after row into zero: the same additions in the same order.
                    Assert.That(actual, Is.EqualTo(twin), $"{path} [{rows} x {columns}]");
                    continue;
                }

                for (int c = 0; c < columns; c++)
                {
                    double exact = before[c], absolute = Math.Abs(before[c]);
                    for (int r = 0; r < rows; r++)
                    {
                        exact += x[r * columns + c];
                        absolute += Math.Abs(x[r * columns + c]);
                    }

                    Assert.That(actual[c], Is.EqualTo(twin[c]).Within(2 * Gamma(rows) * absolute), $"{path} [{rows} x {columns}] column {c}");
                    Assert.That(twin[c], Is.EqualTo(exact).Within(Gamma(rows) * absolute), $"SumColumnsScalar [{rows} x {columns}] column {c}");
                }
            }
        }
    }

    // ---- matrix products, odd shapes ----

    [Test]
    public void MatMul_matches_scalar_twin(
        [ValueSource(nameof(Shapes))] MatrixShape shape, [Values] bool accumulate, [Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        CheckProduct(Product.Plain, shape, accumulate);
    }

    [Test]
    public void MatMulTransposeA_matches_scalar_twin(
        [ValueSource(nameof(Shapes))] MatrixShape shape, [Values] bool accumulate, [Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        CheckProduct(Product.TransposeA, shape, accumulate);
    }

    [Test]
    public void MatMulTransposeB_matches_scalar_twin(
        [ValueSource(nameof(Shapes))] MatrixShape shape, [Values] bool accumulate, [Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        CheckProduct(Product.TransposeB, shape, accumulate);
    }

    // dA = dZ · Wᵀ of a wide layer goes the transposed route, Cᵀ = W · dZᵀ: the same products in the same order,
    // so exactly the bits of MatMul on an explicitly transposed B (the route it replaced), at 1 and 2 threads.
    [Test]
    public void MatMulTransposeB_of_a_wide_layer_has_the_bits_of_MatMul_on_the_transposed_matrix(
        [Values(16, 33, 128)] int m, [Values] bool accumulate, [Values(1, 2)] int threads)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, ThreadCount = threads };
        const int K = 300, N = 300;
        Assert.That((long)m * (K + N), Is.LessThan((long)N * K), "the shape must take the transposed route, or this compares the old route with itself");
        var random = new DeterministicRandom((ulong)(m * 10 + threads));
        float[] a = Gaussian(random, m * K), b = Gaussian(random, N * K), start = Gaussian(random, m * N);
        float[] bTransposed = new float[K * N];
        for (int j = 0; j < N; j++)
        {
            for (int p = 0; p < K; p++)
            {
                bTransposed[p * N + j] = b[j * K + p];
            }
        }

        float[] c = (float[])start.Clone(), expected = (float[])start.Clone();
        Kernels.MatMulTransposeB(a, b, c, m, K, N, accumulate);
        Kernels.MatMul(a, bTransposed, expected, m, K, N, accumulate);
        Assert.That(c, Is.EqualTo(expected));
    }

    // The transposes inside MatMulTransposeB move 8 x 8 blocks through AVX registers and do the edges element by element:
    // every element copied (or added) once, so exactly the scalar twin's bits, at sizes with and without edges, and with
    // the destination's rows 2 KB and 4 KB apart (512 and 1024 rows), which take the tall 128 x 8 tiles.
    [Test]
    public void Transpose_has_the_bits_of_its_scalar_twin(
        [Values(1, 7, 8, 9, 33, 128, 512, 1024)] int rows, [Values(1, 8, 15, 64, 1000)] int columns, [Values] bool accumulate)
    {
        // Without AVX, Transpose hands every size to TransposeScalar, so the comparison would be the twin against itself.
        Assume.That(System.Runtime.Intrinsics.X86.Avx.IsSupported, "the 8 x 8 register blocks need AVX; without it both sides run the scalar loop");
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned };
        var random = new DeterministicRandom((ulong)(rows * 1009 + columns));
        float[] source = Gaussian(random, rows * columns), start = Gaussian(random, rows * columns);
        float[] fast = (float[])start.Clone(), slow = (float[])start.Clone();
        Kernels.Transpose(source, fast, rows, columns, accumulate);
        Kernels.TransposeScalar(source, slow, rows, columns, accumulate);
        Assert.That(fast, Is.EqualTo(slow));
        // destination[c, r] = source[r, c] (+ start), checked at the last element so the edges are covered too
        int r = rows - 1, c = columns - 1;
        Assert.That(fast[c * rows + r], Is.EqualTo(accumulate ? start[c * rows + r] + source[r * columns + c] : source[r * columns + c]));
    }

    [Test]
    public void Transpose_refuses_a_destination_of_the_wrong_length()
    {
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned };
        var error = Assert.Throws<ArgumentException>(() => Kernels.Transpose(new float[64], new float[63], 8, 8));
        Assert.That(error!.Message, Is.EqualTo("Transpose: destination has 63 elements but [8 x 8] needs 64. (Parameter 'destination')"));
        error = Assert.Throws<ArgumentException>(() => Kernels.TransposeScalar(new float[30], new float[24], 4, 6));
        Assert.That(error!.Message, Is.EqualTo("TransposeScalar: source has 30 elements but [4 x 6] needs 24. (Parameter 'source')"));
    }

    // At n = 1024, and at n = 384 (a multiple of 128) with a strip small enough for the L1 cache (50 rows), the tuned
    // kernel copies each strip of B into a contiguous block first (when each thread has 12+ rows): the same values in
    // the same order, so exactly the bits of the same columns computed inside a product 16 columns wider (1040, 400:
    // not multiples of 128), which is not packed. For A · B (Z = A·W) and Aᵀ · B (dW = Aᵀ·dZ, A read with a stride),
    // added or not.
    [Test]
    public void Products_with_packed_strips_have_the_bits_of_the_unpacked_product(
        [Values(24, 37)] int m, [Values(1, 2)] int threads, [Values] bool transposeA, [Values] bool accumulate, [Values(384, 1024)] int n)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, ThreadCount = threads };
        const int K = 50;
        int wide = n + 16;
        Assert.That(m / threads, Is.GreaterThanOrEqualTo(12), "every thread's rows must be packed");
        var random = new DeterministicRandom((ulong)(m + 100 * threads));
        float[] a = Gaussian(random, m * K), b = Gaussian(random, K * n), bWide = new float[K * wide];
        for (int p = 0; p < K; p++)
        {
            b.AsSpan(p * n, n).CopyTo(bWide.AsSpan(p * wide, n));
        }

        float[] start = Gaussian(random, m * wide), c = new float[m * n], cWide = (float[])start.Clone();
        for (int i = 0; i < m; i++)
        {
            start.AsSpan(i * wide, n).CopyTo(c.AsSpan(i * n, n));
        }

        if (transposeA)
        {
            Kernels.MatMulTransposeA(a, b, c, m, K, n, accumulate); // a read as [K x m]
            Kernels.MatMulTransposeA(a, bWide, cWide, m, K, wide, accumulate);
        }
        else
        {
            Kernels.MatMul(a, b, c, m, K, n, accumulate);
            Kernels.MatMul(a, bWide, cWide, m, K, wide, accumulate);
        }

        for (int i = 0; i < m; i++)
        {
            Assert.That(c.AsSpan(i * n, n).ToArray(), Is.EqualTo(cWide.AsSpan(i * wide, n).ToArray()), $"row {i}");
        }
    }

    // The vectorized loop of MatMul and MatMulTransposeA runs along n and that of MatMulTransposeB
    // (a Dot) along k: sweep that size over 0..67 so every remainder length is hit.
    [Test]
    public void Matrix_products_match_scalar_twins_for_every_vectorized_length(
        [Values] bool accumulate, [Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        for (int length = 0; length <= MaxLength; length++)
        {
            CheckProduct(Product.Plain, new MatrixShape(3, 5, length), accumulate);
            CheckProduct(Product.TransposeA, new MatrixShape(3, 5, length), accumulate);
            CheckProduct(Product.TransposeB, new MatrixShape(3, length, 4), accumulate);
        }
    }

    // ---- golden values, worked out by hand ----

    [Test]
    public void MatMul_of_2x3_by_3x2_gives_the_hand_computed_product([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        float[] a = [1, 2, 3, 4, 5, 6];          // [[1, 2, 3], [4, 5, 6]]
        float[] b = [7, 8, 9, 10, 11, 12];       // [[7, 8], [9, 10], [11, 12]]
        float[] aTransposed = [1, 4, 2, 5, 3, 6]; // Aᵀ stored row-major, [3 x 2]
        float[] bTransposed = [7, 9, 11, 8, 10, 12]; // Bᵀ stored row-major, [2 x 3]
        // [1*7 + 2*9 + 3*11, 1*8 + 2*10 + 3*12], [4*7 + 5*9 + 6*11, 4*8 + 5*10 + 6*12]
        float[] expected = [58, 64, 139, 154];
        float[] c = new float[4];

        Kernels.MatMul(a, b, c, 2, 3, 2);
        Assert.That(c, Is.EqualTo(expected), "MatMul");

        Kernels.MatMulTransposeA(aTransposed, b, c, 2, 3, 2);
        Assert.That(c, Is.EqualTo(expected), "MatMulTransposeA");

        Kernels.MatMulTransposeB(a, bTransposed, c, 2, 3, 2);
        Assert.That(c, Is.EqualTo(expected), "MatMulTransposeB");

        Kernels.MatMul(a, b, c, 2, 3, 2, accumulate: true);
        Assert.That(c, Is.EqualTo(new float[] { 116, 128, 278, 308 }), "MatMul accumulate");
    }

    [Test]
    public void MatMul_by_the_identity_returns_the_matrix([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        const int Size = 19;
        float[] identity = new float[Size * Size];
        for (int i = 0; i < Size; i++)
        {
            identity[i * Size + i] = 1f;
        }

        float[] a = Gaussian(new DeterministicRandom(19), 3 * Size), c = new float[3 * Size];
        Kernels.MatMul(a, identity, c, 3, Size, Size);
        Assert.That(c, Is.EqualTo(a), "A · I");
        Kernels.MatMulTransposeB(a, identity, c, 3, Size, Size);
        Assert.That(c, Is.EqualTo(a), "A · Iᵀ");
    }

    [Test]
    public void Small_kernels_give_hand_computed_values([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);

        // 1 + 2 + ... + 20 = 210, long enough to use the vector lanes and the remainder.
        float[] ramp = [.. Enumerable.Range(1, 20).Select(i => (float)i)];
        float[] ones = [.. Enumerable.Repeat(1f, 20)];
        Assert.That(Kernels.Dot(ramp, ones), Is.EqualTo(210f), "Dot");
        Assert.That(Kernels.Dot([1, 2, 3], [4, 5, 6]), Is.EqualTo(32f), "Dot [1, 2, 3]·[4, 5, 6]");

        float[] z = [1, 2, 3, 4];
        Kernels.AddBias(z, [10, 20], rows: 2);
        Assert.That(z, Is.EqualTo(new float[] { 11, 22, 13, 24 }), "AddBias");

        float[] sums = [1, 1];
        Kernels.SumColumns([1, 2, 3, 4, 5, 6], sums, rows: 3);
        Assert.That(sums, Is.EqualTo(new float[] { 9, 12 }), "SumColumns");
        Kernels.SumColumns([1, 2, 3, 4, 5, 6], sums, rows: 3, accumulate: true);
        Assert.That(sums, Is.EqualTo(new float[] { 18, 24 }), "SumColumns accumulate");

        float[] y = [.. ramp];
        Kernels.Axpy(-0.5f, ramp, y);
        Assert.That(y, Is.EqualTo(ramp.Select(v => v / 2).ToArray()), "Axpy: y - 0.5 y");
    }

    [Test]
    public void Sigmoid_gives_known_values([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        float[] zeros = new float[17], result = new float[17];
        Kernels.Sigmoid(zeros, result);
        Assert.That(result, Is.All.EqualTo(0.5f), "sigmoid(0) = 0.5 exactly");

        // sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; sigmoid(-ln 3) = 1/4.
        float[] x = [MathF.Log(3f), -MathF.Log(3f), 40f, -40f, 100f, -100f, 1000f, -1000f, float.PositiveInfinity, float.NegativeInfinity, 0f];
        float[] s = new float[x.Length];
        Kernels.Sigmoid(x, s);
        Assert.That(s[0], Is.EqualTo(0.75).Within(Relative(0.75)), "sigmoid(ln 3) = 3/4");
        Assert.That(s[1], Is.EqualTo(0.25).Within(Relative(0.25)), "sigmoid(-ln 3) = 1/4");
        Assert.That(s[2], Is.EqualTo(1f), "sigmoid(40) rounds to 1");
        Assert.That(s[3], Is.EqualTo(4.248354e-18f).Within(Relative(4.248354e-18)), "sigmoid(-40) = e^-40 / (1 + e^-40)");
        Assert.That(s[4..], Is.EqualTo(new float[] { 1, 0, 1, 0, 1, 0, 0.5f }), "saturates to exactly 1 and 0, no NaN");

        float[] dInput = new float[3];
        Kernels.SigmoidBackward([0.5f, 0.25f, 1f], [1f, 2f, 5f], dInput);
        Assert.That(dInput, Is.EqualTo(new float[] { 0.25f, 0.375f, 0f }), "ds * s * (1 - s)");
    }

    [Test]
    public void Empty_inputs_leave_nothing_behind([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        Assert.That(Kernels.Dot([], []), Is.Zero);

        // k = 0: the product is an empty sum, so C is overwritten with zeros, or left as it was.
        float[] c = [1, 2, 3, 4, 5, 6];
        Kernels.MatMul([], [], c, 2, 0, 3, accumulate: true);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }), "MatMul k = 0, accumulate");
        Kernels.MatMulTransposeA([], [], c, 2, 0, 3, accumulate: true);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }), "MatMulTransposeA k = 0, accumulate");
        Kernels.MatMulTransposeB([], [], c, 2, 0, 3, accumulate: true);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }), "MatMulTransposeB k = 0, accumulate");
        Kernels.MatMul([], [], c, 2, 0, 3);
        Assert.That(c, Is.All.Zero, "MatMul k = 0");

        float[] sums = [7, 8];
        Kernels.SumColumns([], sums, rows: 0);
        Assert.That(sums, Is.All.Zero, "SumColumns of no rows");
    }

    // ---- argument checks: ArgumentException naming the kernel and the sizes, never IndexOutOfRange ----

    public static IEnumerable<TestCaseData> WrongLengths()
    {
        float[] f0 = [], f2 = new float[2], f3 = new float[3], f4 = new float[4], f5 = new float[5], f6 = new float[6], f7 = new float[7], f8 = new float[8], f12 = new float[12];
        var cases = new (string Kernel, TestDelegate Call, string Message)[]
        {
            // A is [2 x 3] (6), B is [3 x 4] (12), C is [2 x 4] (8).
            ("MatMul", () => Kernels.MatMul(f5, f12, f8, 2, 3, 4), "MatMul: a has 5 elements but A [m x k] (m=2, k=3, n=4) needs 6."),
            ("MatMul", () => Kernels.MatMul(f6, f8, f8, 2, 3, 4), "MatMul: b has 8 elements but B [k x n] (m=2, k=3, n=4) needs 12."),
            ("MatMul", () => Kernels.MatMul(f6, f12, f7, 2, 3, 4), "MatMul: c has 7 elements but C [m x n] (m=2, k=3, n=4) needs 8."),
            ("MatMulScalar", () => Kernels.MatMulScalar(f6, f12, f0, 2, 3, 4, accumulate: true), "MatMulScalar: c has 0 elements but C [m x n] (m=2, k=3, n=4) needs 8."),
            ("MatMulTransposeA", () => Kernels.MatMulTransposeA(f7, f12, f8, 2, 3, 4), "MatMulTransposeA: a has 7 elements but A [k x m] (m=2, k=3, n=4) needs 6."),
            ("MatMulTransposeA", () => Kernels.MatMulTransposeA(f6, f12, f6, 2, 3, 4), "MatMulTransposeA: c has 6 elements but C [m x n] (m=2, k=3, n=4) needs 8."),
            ("MatMulTransposeAScalar", () => Kernels.MatMulTransposeAScalar(f6, f6, f8, 2, 3, 4), "MatMulTransposeAScalar: b has 6 elements but B [k x n] (m=2, k=3, n=4) needs 12."),
            ("MatMulTransposeB", () => Kernels.MatMulTransposeB(f6, f8, f8, 2, 3, 4), "MatMulTransposeB: b has 8 elements but B [n x k] (m=2, k=3, n=4) needs 12."),
            ("MatMulTransposeBScalar", () => Kernels.MatMulTransposeBScalar(f4, f12, f8, 2, 3, 4), "MatMulTransposeBScalar: a has 4 elements but A [m x k] (m=2, k=3, n=4) needs 6."),
            ("Dot", () => Kernels.Dot(f3, f4), "Dot: y has 4 elements but x needs 3."),
            ("DotScalar", () => Kernels.DotScalar(f4, f3), "DotScalar: y has 3 elements but x needs 4."),
            ("AddBias", () => Kernels.AddBias(f5, f2, 3), "AddBias: z has 5 elements but [3 x 2] (rows x length of bias) needs 6."),
            ("AddBiasScalar", () => Kernels.AddBiasScalar(f6, f4, 2), "AddBiasScalar: z has 6 elements but [2 x 4] (rows x length of bias) needs 8."),
            ("SumColumns", () => Kernels.SumColumns(f6, f4, 2), "SumColumns: x has 6 elements but [2 x 4] (rows x length of sums) needs 8."),
            ("SumColumnsScalar", () => Kernels.SumColumnsScalar(f6, f2, 2, accumulate: true), "SumColumnsScalar: x has 6 elements but [2 x 2] (rows x length of sums) needs 4."),
            ("Sigmoid", () => Kernels.Sigmoid(f4, f3), "Sigmoid: destination has 3 elements but x needs 4."),
            ("SigmoidScalar", () => Kernels.SigmoidScalar(f3, f4), "SigmoidScalar: destination has 4 elements but x needs 3."),
            ("SigmoidBackward", () => Kernels.SigmoidBackward(f4, f3, f4), "SigmoidBackward: dOutput has 3 elements but output needs 4."),
            ("SigmoidBackward", () => Kernels.SigmoidBackward(f4, f4, f5), "SigmoidBackward: dInput has 5 elements but output needs 4."),
            ("SigmoidBackwardScalar", () => Kernels.SigmoidBackwardScalar(f3, f3, f2), "SigmoidBackwardScalar: dInput has 2 elements but output needs 3."),
            ("Axpy", () => Kernels.Axpy(2f, f4, f5), "Axpy: y has 5 elements but x needs 4."),
            ("AxpyScalar", () => Kernels.AxpyScalar(2f, f5, f4), "AxpyScalar: y has 4 elements but x needs 5."),
            ("PixelsToFloats", () => Kernels.PixelsToFloats(new byte[3], f4), "PixelsToFloats: destination has 4 elements but source needs 3."),
            ("PixelsToFloatsScalar", () => Kernels.PixelsToFloatsScalar(new byte[5], f4), "PixelsToFloatsScalar: destination has 4 elements but source needs 5."),
            ("GatherRows", () => Kernels.GatherRows(f6, 3, [1], f2), "GatherRows: destination has 2 elements but [1 x 3] needs 3."),
            ("GatherRowsScalar", () => Kernels.GatherRowsScalar(f6, 3, [0, 1], f5), "GatherRowsScalar: destination has 5 elements but [2 x 3] needs 6."),
        };

        foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector })
        {
            for (int i = 0; i < cases.Length; i++)
            {
                yield return new TestCaseData(path, cases[i].Call, cases[i].Message)
                    .SetArgDisplayNames(path.ToString(), $"{i:D2} {cases[i].Kernel}", cases[i].Message);
            }
        }
    }

    [TestCaseSource(nameof(WrongLengths))]
    public void Wrong_span_length_throws_ArgumentException_naming_kernel_and_sizes(KernelPath path, TestDelegate call, string message)
    {
        UsePath(path);
        // Throws.ArgumentException matches the exact type: an IndexOutOfRangeException (or any
        // other exception) from running off the end of a span fails this test.
        Assert.That(call, Throws.ArgumentException.With.Message.StartsWith(message));
    }

    [Test]
    public void Negative_sizes_throw_ArgumentOutOfRangeException_naming_kernel_and_sizes([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        Assert.That(() => Kernels.MatMul([], [], [], -1, 0, 0), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("MatMul: sizes must not be negative (m=-1, k=0, n=0)"));
        Assert.That(() => Kernels.MatMulTransposeB([], [], [], 0, 0, -2), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("MatMulTransposeB: sizes must not be negative (m=0, k=0, n=-2)"));
        Assert.That(() => Kernels.AddBias([], [], -1), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("AddBias: rows must not be negative"));
        Assert.That(() => Kernels.SumColumns([], [], -3), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("SumColumns: rows must not be negative"));
    }

    [Test]
    public void Sizes_whose_product_overflows_int_are_rejected_not_wrapped([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        UsePath(path);
        // 65536 * 65536 wraps to 0 in 32-bit arithmetic; the check must see 4294967296.
        Assert.That(() => Kernels.MatMul([], [], [], 65536, 65536, 0), Throws.ArgumentException
            .With.Message.StartsWith("MatMul: a has 0 elements but A [m x k] (m=65536, k=65536, n=0) needs 4294967296."));
        Assert.That(() => Kernels.AddBias([], new float[65536], 65536), Throws.ArgumentException
            .With.Message.StartsWith("AddBias: z has 0 elements but [65536 x 65536] (rows x length of bias) needs 4294967296."));
    }

    // ---- helpers ----

    /// <summary>Runs the kernels on <paramref name="path"/> until the test ends, every other setting unchanged.</summary>
    private static void UsePath(KernelPath path) => KernelSettings.Current = KernelSettings.Current with { Path = path };

    private enum Product
    {
        Plain,
        TransposeA,
        TransposeB,
    }

    /// <summary>
    /// Runs one product through the dispatching kernel and its scalar twin from the same C and
    /// checks, element by element, that they agree within 2 gamma(k + 1) S and that the twin is
    /// within gamma(k + 1) S of the product computed in double, S = |c| + sum over p of |a b|.
    /// </summary>
    private static void CheckProduct(Product product, MatrixShape shape, bool accumulate)
    {
        (int m, int k, int n) = shape;
        var random = new DeterministicRandom((ulong)(m * 1_000_000 + k * 1000 + n) * 4 + (ulong)product * 2 + (accumulate ? 1UL : 0UL));
        float[] a = Gaussian(random, m * k), b = Gaussian(random, k * n);
        float[] actual = Gaussian(random, m * n), twin = (float[])actual.Clone(), before = (float[])actual.Clone();

        // a[i, p] and b[p, j] of the product as written, whatever the storage.
        Func<int, int, float> aAt, bAt;
        switch (product)
        {
            case Product.Plain:
                Kernels.MatMul(a, b, actual, m, k, n, accumulate);
                Kernels.MatMulScalar(a, b, twin, m, k, n, accumulate);
                aAt = (i, p) => a[i * k + p];
                bAt = (p, j) => b[p * n + j];
                break;
            case Product.TransposeA: // a is stored [k x m]
                Kernels.MatMulTransposeA(a, b, actual, m, k, n, accumulate);
                Kernels.MatMulTransposeAScalar(a, b, twin, m, k, n, accumulate);
                aAt = (i, p) => a[p * m + i];
                bAt = (p, j) => b[p * n + j];
                break;
            default: // b is stored [n x k]
                Kernels.MatMulTransposeB(a, b, actual, m, k, n, accumulate);
                Kernels.MatMulTransposeBScalar(a, b, twin, m, k, n, accumulate);
                aAt = (i, p) => a[i * k + p];
                bAt = (p, j) => b[j * k + p];
                break;
        }

        double gamma = Gamma(k + 1);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double exact = accumulate ? before[i * n + j] : 0, absolute = Math.Abs(exact);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)aAt(i, p) * bAt(p, j);
                    exact += term;
                    absolute += Math.Abs(term);
                }

                string where = $"{product} [{m} x {k}]·[{k} x {n}] accumulate={accumulate} {KernelSettings.Current.Path} c[{i}, {j}]";
                Assert.That(actual[i * n + j], Is.EqualTo(twin[i * n + j]).Within(2 * gamma * absolute), where);
                Assert.That(twin[i * n + j], Is.EqualTo(exact).Within(gamma * absolute), "scalar twin vs double: " + where);
            }
        }
    }

    /// <summary>gamma(n) = n u / (1 - n u): the relative error bound of a float sum of n terms in any order.</summary>
    private static double Gamma(int n) => n * UnitRoundoff / (1 - n * UnitRoundoff);

    /// <summary>The absolute tolerance <see cref="SigmoidRelativeTolerance"/> allows around <paramref name="value"/>.</summary>
    private static double Relative(double value) => SigmoidRelativeTolerance * Math.Abs(value);

    private static float[] Gaussian(DeterministicRandom random, int length, double scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(scale * random.NextGaussian());
        }

        return values;
    }

    private static float[] Uniform(DeterministicRandom random, int length, double min, double max)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(min + (max - min) * random.NextDouble());
        }

        return values;
    }
}

// KernelSettingsTests: the one kernel setting. The MNISTBP_KERNELS grammar through Parse, a pure
// function of its text (the process environment is never changed), every accepted form and the
// rejected ones; ThreadCount's range; and that setting Current is what the kernels then read.
[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class KernelSettingsTests
{
    private static readonly KernelSettings s_defaults = new();

    private KernelSettings _settingsBefore = KernelSettings.Current;

    public static IEnumerable<TestCaseData> AcceptedForms()
    {
        KernelSettings d = s_defaults;
        yield return new TestCaseData("", d).SetArgDisplayNames("empty");
        yield return new TestCaseData("  ", d).SetArgDisplayNames("blank");
        yield return new TestCaseData("auto", d with { Path = KernelPath.Auto });
        yield return new TestCaseData("scalar", d with { Path = KernelPath.Scalar });
        yield return new TestCaseData("vector", d with { Path = KernelPath.Vector });
        yield return new TestCaseData("tuned", d with { Path = KernelPath.Tuned });
        yield return new TestCaseData("threads=1", d with { ThreadCount = 1 });
        yield return new TestCaseData("threads=64", d with { ThreadCount = 64 });
        yield return new TestCaseData("avx512=on", d with { Vector512 = true });
        yield return new TestCaseData("avx512=off", d with { Vector512 = false });
        yield return new TestCaseData("scalar,threads=1", d with { Path = KernelPath.Scalar, ThreadCount = 1 });
        yield return new TestCaseData("tuned,threads=2,avx512=off", d with { Path = KernelPath.Tuned, ThreadCount = 2, Vector512 = false });
        yield return new TestCaseData("avx512=off,threads=3,vector", d with { Path = KernelPath.Vector, ThreadCount = 3, Vector512 = false });
        yield return new TestCaseData(" Tuned , THREADS=2 ", d with { Path = KernelPath.Tuned, ThreadCount = 2 }).SetArgDisplayNames("case and spaces");
    }

    public static IEnumerable<TestCaseData> RejectedForms() =>
    [
        new("fast", "'fast' is not a setting"),
        new("scalar;threads=1", "'scalar;threads=1' is not a setting"),
        new("scalar,", "an item is empty"),
        new(",scalar", "an item is empty"),
        new("scalar,,threads=1", "an item is empty"),
        new("avx512=0", "'avx512=0' is not a setting"),
        new("avx512", "'avx512' is not a setting"),
        new("threads", "'threads' is not a setting"),
        new("threads=", "'threads=' needs a whole number of threads from 1 to 64"),
        new("threads=0", "'threads=0' needs a whole number of threads from 1 to 64"),
        new("threads=65", "'threads=65' needs a whole number of threads from 1 to 64"),
        new("threads=1000", "'threads=1000' needs a whole number of threads from 1 to 64"),
        new("threads=-1", "'threads=-1' needs a whole number of threads from 1 to 64"),
        new("threads=two", "'threads=two' needs a whole number of threads from 1 to 64"),
        new("threads=1.5", "'threads=1.5' needs a whole number of threads from 1 to 64"),
        new("scalar,tuned", "'tuned' gives a path a second time"),
        new("threads=1,threads=2", "'threads=2' gives threads= a second time"),
        new("avx512=on,avx512=off", "'avx512=off' gives avx512= a second time"),
    ];

    [SetUp]
    public void RememberSettings() => _settingsBefore = KernelSettings.Current;

    [TearDown]
    public void RestoreSettings() => KernelSettings.Current = _settingsBefore;

    [Test]
    public void The_defaults_are_auto_every_core_and_512_bits_where_accelerated()
    {
        Assert.That(s_defaults.Path, Is.EqualTo(KernelPath.Auto));
        Assert.That(s_defaults.ThreadCount, Is.EqualTo(Math.Min(Environment.ProcessorCount, KernelSettings.MaxThreadCount)));
        Assert.That(s_defaults.Vector512, Is.EqualTo(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated));
    }

    [TestCaseSource(nameof(AcceptedForms))]
    public void Parse_reads_every_accepted_form(string text, KernelSettings expected)
    {
        KernelSettings parsed = KernelSettings.Parse(text);

        Assert.That(parsed, Is.EqualTo(expected));
        Assert.That(KernelSettings.Parse(parsed.ToString()), Is.EqualTo(parsed), $"round trip through \"{parsed}\"");
    }

    [TestCaseSource(nameof(RejectedForms))]
    public void Parse_rejects_a_bad_item_naming_it_and_the_accepted_forms(string text, string problem)
    {
        Assert.That(() => KernelSettings.Parse(text), Throws.TypeOf<FormatException>()
            .With.Message.StartsWith($"\"{text}\": {problem}.")
            .And.Message.Contains("Expected comma-separated items, each at most once: auto, scalar, vector or tuned; threads=N (N from 1 to 64); avx512=on or avx512=off."));
    }

    [Test]
    public void ToString_writes_every_item_in_the_form_Parse_reads()
    {
        var settings = new KernelSettings { Path = KernelPath.Tuned, ThreadCount = 2, Vector512 = false };

        Assert.That(settings.ToString(), Is.EqualTo("tuned,threads=2,avx512=off"));
        Assert.That((s_defaults with { Vector512 = true, ThreadCount = 1 }).ToString(), Is.EqualTo("auto,threads=1,avx512=on"));
    }

    [Test]
    public void The_environment_variable_unset_gives_the_defaults_and_a_bad_value_an_error_naming_it()
    {
        Assert.That(KernelSettings.FromEnvironmentVariable(null), Is.EqualTo(s_defaults));
        Assert.That(KernelSettings.FromEnvironmentVariable("scalar,threads=1"), Is.EqualTo(s_defaults with { Path = KernelPath.Scalar, ThreadCount = 1 }));
        Assert.That(() => KernelSettings.FromEnvironmentVariable("tuned,thread=2"), Throws.TypeOf<FormatException>()
            .With.Message.StartsWith("MNISTBP_KERNELS=\"tuned,thread=2\": 'thread=2' is not a setting. Expected"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(65)]
    [TestCase(1000)]
    public void A_ThreadCount_outside_1_to_64_throws_naming_the_value_and_the_range(int threads)
    {
        Assert.That(() => new KernelSettings { ThreadCount = threads }, Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.StartsWith($"KernelSettings.ThreadCount must be from 1 to 64; {threads} is not.")
            .And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(threads));
        Assert.That(() => KernelSettings.Current = KernelSettings.Current with { ThreadCount = threads }, Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(KernelSettings.Current, Is.EqualTo(_settingsBefore), "nothing changed: no clamping");
    }

    [TestCase(1)]
    [TestCase(64)]
    public void A_ThreadCount_from_1_to_64_is_kept_as_given(int threads) =>
        Assert.That(new KernelSettings { ThreadCount = threads }.ThreadCount, Is.EqualTo(threads));

    [Test]
    public void Setting_Current_is_what_the_kernels_read()
    {
        KernelSettings.Current = new KernelSettings { Path = KernelPath.Scalar, ThreadCount = 3, Vector512 = false };
        Assert.That((Kernels.UseVector, Kernels.UseTuned, Kernels.UseVector512, Kernels.ThreadCount), Is.EqualTo((false, false, false, 3)), "scalar");

        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Vector };
        Assert.That((Kernels.UseVector, Kernels.UseTuned), Is.EqualTo((true, false)), "vector");

        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, Vector512 = true, ThreadCount = 1 };
        Assert.That((Kernels.UseVector, Kernels.UseTuned, Kernels.UseVector512, Kernels.ThreadCount), Is.EqualTo((true, true, true, 1)), "tuned");

        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Auto };
        Assert.That((Kernels.UseVector, Kernels.UseTuned), Is.EqualTo((System.Numerics.Vector.IsHardwareAccelerated, Kernels.TunedIsAccelerated)), "auto: what the hardware accelerates");

        Assert.That(() => KernelSettings.Current = null!, Throws.ArgumentNullException);
    }
}

/// <summary>The sizes of a matrix product C[m x n] = A[m x k] · B[k x n].</summary>
public readonly record struct MatrixShape(int M, int K, int N)
{
    /// <inheritdoc/>
    public override string ToString() => $"m={M} k={K} n={N}";
}
