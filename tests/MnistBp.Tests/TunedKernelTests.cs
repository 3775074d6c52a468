// The tuned matrix kernel (Kernels.Gemm.cs) with each vector width switched off in turn, and split
// across threads: against the scalar twin within the rounding bound of a float sum, and bit for
// bit against itself on one thread.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
public class TunedKernelTests
{
    private static readonly (int M, int K, int N)[] s_shapes =
        [(1, 1, 1), (10, 784, 100), (33, 17, 47), (7, 100, 10), (128, 784, 100), (784, 10, 100), (5, 3, 31), (13, 64, 16),
         (1, 784, 100), (1, 50, 211), (1, 3, 48), // single rows: the 6-vector row tile
         (128, 100, 10), (32, 100, 10), (100, 128, 10)]; // the 10 outputs: one padded 16-wide strip, split across threads at batch 128

    private KernelSettings _saved = KernelSettings.Current;

    [SetUp]
    public void Save() => _saved = KernelSettings.Current;

    [TearDown]
    public void Restore() => KernelSettings.Current = _saved;

    [Test]
    public void Every_product_matches_the_scalar_twin_with_and_without_512_bit_vectors([Values] bool use512, [Values] bool accumulate)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, Vector512 = use512 };
        foreach ((int m, int k, int n) in s_shapes)
        {
            (float[] a, float[] b, float[] c0) = Operands(m, k, n);
            float[] fast = (float[])c0.Clone(), slow = (float[])c0.Clone();

            Kernels.MatMul(a, b, fast, m, k, n, accumulate);
            Kernels.MatMulScalar(a, b, slow, m, k, n, accumulate);
            AssertClose(fast, slow, k, $"MatMul {m}x{k}x{n}");

            c0.CopyTo(fast, 0);
            c0.CopyTo(slow, 0);
            Kernels.MatMulTransposeA(a, b, fast, m, k, n, accumulate);       // a read as [k x m]
            Kernels.MatMulTransposeAScalar(a, b, slow, m, k, n, accumulate);
            AssertClose(fast, slow, k, $"MatMulTransposeA {m}x{k}x{n}");

            float[] bt = new float[n * k];
            Array.Copy(b, bt, bt.Length);
            c0.CopyTo(fast, 0);
            c0.CopyTo(slow, 0);
            Kernels.MatMulTransposeB(a, bt, fast, m, k, n, accumulate);      // b read as [n x k]
            Kernels.MatMulTransposeBScalar(a, bt, slow, m, k, n, accumulate);
            AssertClose(fast, slow, k, $"MatMulTransposeB {m}x{k}x{n}");
        }
    }

    [Test]
    public void Splitting_across_threads_gives_the_same_bits([Values(2, 3, 5)] int threads, [Values] bool use512)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, Vector512 = use512 };
        foreach ((int m, int k, int n) in s_shapes)
        {
            (float[] a, float[] b, float[] c0) = Operands(m, k, n);
            float[] one = (float[])c0.Clone(), many = (float[])c0.Clone();
            UseThreads(1);
            Kernels.MatMulTransposeA(a, b, one, m, k, n, accumulate: true);
            UseThreads(threads);
            Kernels.MatMulTransposeA(a, b, many, m, k, n, accumulate: true);
            Assert.That(many.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(one.Select(BitConverter.SingleToInt32Bits)), $"{m}x{k}x{n}");

            UseThreads(1);
            Kernels.MatMul(a, b, one, m, k, n);
            UseThreads(threads);
            Kernels.MatMul(a, b, many, m, k, n);
            Assert.That(many.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(one.Select(BitConverter.SingleToInt32Bits)), $"{m}x{k}x{n}");
        }
    }

    [Test]
    public void Tuned_sigmoid_gives_the_bits_of_the_vector_path_on_any_thread_count([Values(1, 2, 3)] int threads)
    {
        // Short lengths (tails of every size) and batch-sized ones (split across threads, with a tail).
        int[] lengths = [.. Enumerable.Range(0, 68), 8192, 12800, 12807, 30000];
        UseThreads(threads);
        foreach (int length in lengths)
        {
            var random = new DeterministicRandom((ulong)length);
            float[] x = [.. Enumerable.Range(0, length).Select(_ => (float)(8 * random.NextGaussian()))];
            float[] tuned = new float[length], vector = new float[length];

            KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, Vector512 = true };
            Kernels.Sigmoid(x, tuned);
            KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Vector };
            Kernels.Sigmoid(x, vector);

            Assert.That(tuned.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(vector.Select(BitConverter.SingleToInt32Bits)), $"length {length}, {threads} threads");
        }
    }

    [Test]
    public void Tuned_sigmoid_backward_and_axpy_give_the_scalar_bits_on_any_thread_count([Values(1, 2, 3)] int threads, [Values] bool use512)
    {
        // Short lengths (tails of every size, one thread) and batch-sized ones (split across threads
        // from 8192 and 32768 elements, with tails).
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Tuned, Vector512 = use512, ThreadCount = threads };
        foreach (int length in new[] { 0, 1, 15, 16, 17, 33, 100, 12800, 12807, 30000, 78400, 78417 })
        {
            var random = new DeterministicRandom((ulong)length);
            float[] s = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];
            float[] d = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextGaussian())];
            float[] tuned = new float[length], twin = new float[length];

            Kernels.SigmoidBackward(s, d, tuned);
            Kernels.SigmoidBackwardScalar(s, d, twin);
            Assert.That(tuned.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(twin.Select(BitConverter.SingleToInt32Bits)), $"SigmoidBackward, length {length}");
            float[] inPlace = (float[])d.Clone();
            Kernels.SigmoidBackward(s, inPlace, inPlace); // dInput over dOutput, as Sigmoid.Backward may do
            Assert.That(inPlace.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(twin.Select(BitConverter.SingleToInt32Bits)), $"SigmoidBackward in place, length {length}");

            s.CopyTo(tuned, 0);
            s.CopyTo(twin, 0);
            Kernels.Axpy(-3f, d, tuned);
            Kernels.AxpyScalar(-3f, d, twin);
            Assert.That(tuned.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(twin.Select(BitConverter.SingleToInt32Bits)), $"Axpy, length {length}");
        }
    }

    [Test]
    public void GatherRows_copies_the_named_rows_on_one_thread_and_on_several([Values(1, 2, 3)] int threads, [Values(1, 7, 784)] int rowLength)
    {
        UseThreads(threads);
        var random = new DeterministicRandom(9);
        float[] source = [.. Enumerable.Range(0, 50 * rowLength).Select(_ => (float)random.NextDouble())];
        int[] rows = [.. Enumerable.Range(0, 37).Select(_ => random.NextInt(50))];
        float[] destination = new float[rows.Length * rowLength];
        Kernels.GatherRows(source, rowLength, rows, destination);
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.That(destination.AsSpan(r * rowLength, rowLength).ToArray(), Is.EqualTo(source.AsSpan(rows[r] * rowLength, rowLength).ToArray()), $"row {r}");
        }
    }

    [Test]
    public void GatherRows_refuses_a_row_outside_the_source_before_writing()
    {
        float[] source = new float[4 * 3], destination = [9, 9, 9, 9, 9, 9];
        Assert.That(() => Kernels.GatherRows(source, 3, [1, 4], destination), Throws.ArgumentException.With.Message.Contains("rows[1] = 4").And.Message.Contains("4 rows"));
        Assert.That(destination, Is.All.EqualTo(9f));
        Assert.That(() => Kernels.GatherRows(source, 3, [1], destination), Throws.ArgumentException.With.Message.Contains("GatherRows"));
    }

    private static void UseThreads(int threads) => KernelSettings.Current = KernelSettings.Current with { ThreadCount = threads };

    private static (float[] A, float[] B, float[] C) Operands(int m, int k, int n)
    {
        var random = new DeterministicRandom((ulong)(m * 1_000_003 + k * 1009 + n));
        float[] Fill(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)random.NextGaussian())];
        return (Fill(m * k), Fill(k * n), Fill(m * n));
    }

    /// <summary>Within the classic bound for a float sum of k products: about k·2⁻²⁴ of the sum of magnitudes.</summary>
    private static void AssertClose(float[] fast, float[] slow, int k, string what)
    {
        for (int i = 0; i < fast.Length; i++)
        {
            float allowed = (k + 2) * 6e-8f * Math.Max(1f, Math.Abs(slow[i])) * 8;
            Assert.That(fast[i], Is.EqualTo(slow[i]).Within(allowed), $"{what}, element {i}");
        }
    }
}
