// One training step of 784-100-10 (forward, loss, zero grad, backward, step) at batch 10, 32 and
// 128, one thread and two, with MemoryDiagnoser: after warm-up a step allocates nothing. And
// prediction: one image (latency) and 10,000 images (throughput), into caller-given buffers.
using BenchmarkDotNet.Attributes;
using MnistBp.Data;

namespace MnistBp.Benchmarks;

[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Trainer _trainer = null!;
    private Tensor _inputs = null!, _targets = null!;

    [Params(10, 32, 128)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = Threads };
        _trainer = EpochCommand.NewTrainer();
        var random = new DeterministicRandom(3);
        (_inputs, _targets) = RandomBatch.Make(random, Batch, 784, 10);

        float before = _trainer.Step(_inputs, _targets);
        for (int i = 0; i < 20; i++)
        {
            _trainer.Step(_inputs, _targets);
        }

        float after = _trainer.Step(_inputs, _targets);
        if (!(after < before))
        {
            throw new InvalidOperationException($"Training on one batch should lower its loss: {before} -> {after}.");
        }
    }

    [Benchmark]
    public float Step() => _trainer.Step(_inputs, _targets);
}

[MemoryDiagnoser]
public class PredictBenchmarks
{
    private Sequential _model = null!;
    private float[] _image = [], _images = [], _output = [], _outputs = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = Threads };
        _model = EpochCommand.NewTrainer().Model;
        var random = new DeterministicRandom(4);
        _images = [.. Enumerable.Range(0, 10_000 * 784).Select(_ => (float)random.NextDouble())];
        _image = _images[..784];
        _output = new float[10];
        _outputs = new float[10_000 * 10];
        _model.Predict(_images, _outputs, 10_000);
        _model.Predict(_image, _output, 1);
        Check.Close(_output, _outputs[..10], 1e-6f, "Predict of one image vs the same image in a batch");
    }

    [Benchmark]
    public void SingleImage() => _model.Predict(_image, _output, 1);

    [Benchmark(OperationsPerInvoke = 10_000)]
    public void TenThousandImages() => _model.Predict(_images, _outputs, 10_000);
}

/// <summary>One epoch of 784-100-10 on the full MNIST (needs MNISTBP_DATA or ../shared/datasets/mnist).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class EpochBenchmarks
{
    private Dataset _train = null!;

    [Params(10, 32, 128)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = Threads };
        _train = Mnist.Load(DataFolder.Find(), download: false).Train;
    }

    [Benchmark]
    public void Epoch() => EpochCommand.NewTrainer().Fit(_train, new TrainingOptions { BatchSize = Batch, ShuffleSeed = 12345 });
}
