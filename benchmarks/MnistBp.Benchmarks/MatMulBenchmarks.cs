// The three matrix products on the MLP's own shapes (784-100-10 at batch 10, 32 and 128) and a
// square one, each against the scalar twin, one thread and all threads. The GFLOP/s column is
// 2·m·n·k / time. The setup checks the tuned result against the twin first.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace MnistBp.Benchmarks;

[MemoryDiagnoser]
[Config(typeof(GflopsConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MatMulBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    /// <summary>m x k x n, as "m,k,n": X·W1 at batch 10/32/128; 784 x 10 x 100 and 784 x 128 x 100 are dW1 = Xᵀ·dZ1 at batch 10 and 128 (read with MatMulTransposeA); and 512³.</summary>
    [Params("10,784,100", "32,784,100", "128,784,100", "784,10,100", "784,128,100", "512,512,512")]
    public string Shape { get; set; } = "10,784,100";

    [Params(1, 2)]
    public int Threads { get; set; }

    private int M => int.Parse(Shape.Split(',')[0]);

    private int K => int.Parse(Shape.Split(',')[1]);

    private int N => int.Parse(Shape.Split(',')[2]);

    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = Threads };
        var random = new DeterministicRandom(2);
        _a = [.. Enumerable.Range(0, M * K).Select(_ => (float)random.NextDouble())];
        _b = [.. Enumerable.Range(0, K * N).Select(_ => (float)random.NextDouble())];
        _c = new float[M * N];
        float[] slow = new float[M * N];
        Kernels.MatMul(_a, _b, _c, M, K, N);
        Kernels.MatMulScalar(_a, _b, slow, M, K, N);
        Check.Close(_c, slow, 1e-5f * K, "MatMul");
        Kernels.MatMulTransposeA(_a, _b, _c, M, K, N);
        Kernels.MatMulTransposeAScalar(_a, _b, slow, M, K, N);
        Check.Close(_c, slow, 1e-5f * K, "MatMulTransposeA");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("A·B")]
    public void MatMulScalar() => Kernels.MatMulScalar(_a, _b, _c, M, K, N);

    [Benchmark, BenchmarkCategory("A·B")]
    public void MatMul() => Kernels.MatMul(_a, _b, _c, M, K, N);

    /// <summary>The same sizes with A read transposed (the weight gradient dW = Aᵀ·dZ has this form).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Aᵀ·B")]
    public void MatMulTransposeAScalar() => Kernels.MatMulTransposeAScalar(_a, _b, _c, M, K, N);

    [Benchmark, BenchmarkCategory("Aᵀ·B")]
    public void MatMulTransposeA() => Kernels.MatMulTransposeA(_a, _b, _c, M, K, N);
}
