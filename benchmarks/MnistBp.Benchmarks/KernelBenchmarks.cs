// Each element-wise kernel against its scalar twin (the baseline), at lengths that exercise the
// remainder loops. The setup checks that the fast kernel gives the twin's result before anything is
// timed: a benchmark of a wrong kernel is worse than none.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace MnistBp.Benchmarks;

[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class KernelBenchmarks
{
    private float[] _x = [], _y = [], _destination = [];

    [Params(10, 30, 100, 784, 6 * 512 + 7)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(1);
        _x = [.. Enumerable.Range(0, Length).Select(_ => (float)random.NextGaussian())];
        _y = [.. Enumerable.Range(0, Length).Select(_ => (float)random.NextDouble())];
        _destination = new float[Length];

        float[] fast = new float[Length], slow = new float[Length];
        Kernels.Sigmoid(_x, fast);
        Kernels.SigmoidScalar(_x, slow);
        Check.Close(fast, slow, 1e-6f, "Sigmoid");
        Kernels.SigmoidBackward(_y, _x, fast);
        Kernels.SigmoidBackwardScalar(_y, _x, slow);
        Check.Close(fast, slow, 0f, "SigmoidBackward");
        _y.CopyTo(fast);
        _y.CopyTo(slow);
        Kernels.Axpy(0.5f, _x, fast);
        Kernels.AxpyScalar(0.5f, _x, slow);
        Check.Close(fast, slow, 0f, "Axpy");
        Check.Close([Kernels.Dot(_x, _y)], [Kernels.DotScalar(_x, _y)], 1e-4f * Length, "Dot");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Sigmoid")]
    public void SigmoidScalar() => Kernels.SigmoidScalar(_x, _destination);

    [Benchmark, BenchmarkCategory("Sigmoid")]
    public void Sigmoid() => Kernels.Sigmoid(_x, _destination);

    [Benchmark(Baseline = true), BenchmarkCategory("SigmoidBackward")]
    public void SigmoidBackwardScalar() => Kernels.SigmoidBackwardScalar(_y, _x, _destination);

    [Benchmark, BenchmarkCategory("SigmoidBackward")]
    public void SigmoidBackward() => Kernels.SigmoidBackward(_y, _x, _destination);

    [Benchmark(Baseline = true), BenchmarkCategory("Axpy")]
    public void AxpyScalar() => Kernels.AxpyScalar(1e-9f, _x, _destination);

    [Benchmark, BenchmarkCategory("Axpy")]
    public void Axpy() => Kernels.Axpy(1e-9f, _x, _destination);

    [Benchmark(Baseline = true), BenchmarkCategory("Dot")]
    public float DotScalar() => Kernels.DotScalar(_x, _y);

    [Benchmark, BenchmarkCategory("Dot")]
    public float Dot() => Kernels.Dot(_x, _y);

    [Benchmark(Baseline = true), BenchmarkCategory("AddBias")]
    public void AddBiasScalar() => Kernels.AddBiasScalar(_destination, _y, rows: 1);

    [Benchmark, BenchmarkCategory("AddBias")]
    public void AddBias() => Kernels.AddBias(_destination, _y, rows: 1);
}
