// Copying one shuffled mini-batch out of 60,000 images of 784 pixels, as FillBatch does every step:
// from bytes with GatherPixels (what a Dataset does), against its scalar twin (the baseline) and
// against copying the same rows from a float matrix (what a Dataset did before it kept bytes).
// Each call takes the next batch of one fixed permutation, so the rows come from main memory as in
// training, not from a cache warmed by the previous call.
using BenchmarkDotNet.Attributes;

namespace MnistBp.Benchmarks;

[MemoryDiagnoser]
public class GatherBenchmarks
{
    private const int Images = 60_000, Pixels = 784;
    private byte[] _bytes = [];
    private float[] _floats = [], _batch = [];
    private int[] _order = [];
    private int _next;

    [Params(10, 32, 128)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(7);
        _bytes = new byte[Images * Pixels];
        for (int i = 0; i < _bytes.Length; i++)
        {
            _bytes[i] = (byte)random.NextInt(256);
        }

        _floats = [.. _bytes.Select(b => b / 255f)];
        _order = [.. Enumerable.Range(0, Images)];
        random.Shuffle(_order);
        _batch = new float[Batch * Pixels];

        float[] twin = new float[Batch * Pixels];
        Kernels.GatherPixels(_bytes, Pixels, _order.AsSpan(0, Batch), _batch);
        Kernels.GatherPixelsScalar(_bytes, Pixels, _order.AsSpan(0, Batch), twin);
        Check.Close(_batch, twin, 0f, "GatherPixels");
        Kernels.GatherRows(_floats, Pixels, _order.AsSpan(0, Batch), twin);
        Check.Close(_batch, twin, 0f, "GatherRows");
    }

    [Benchmark(Baseline = true)]
    public void GatherPixelsScalar() => Kernels.GatherPixelsScalar(_bytes, Pixels, NextBatch(), _batch);

    [Benchmark]
    public void GatherPixels() => Kernels.GatherPixels(_bytes, Pixels, NextBatch(), _batch);

    [Benchmark]
    public void GatherRowsOfFloats() => Kernels.GatherRows(_floats, Pixels, NextBatch(), _batch);

    private ReadOnlySpan<int> NextBatch()
    {
        if (_next + Batch > Images)
        {
            _next = 0;
        }

        _next += Batch;
        return _order.AsSpan(_next - Batch, Batch);
    }
}
