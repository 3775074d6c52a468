// NewLayerAllocationTests: with Relu, LeakyRelu, Tanh or Dropout between the layers of a 784-64-10
// network, a warm training step allocates 0 bytes (batch 1, 10 and 128, one and two threads) and so
// does Predict into a given buffer; Predict from 4 threads at once gives the single-threaded bits.
// Counted like AllocationTests: the smallest of three windows, of every thread's allocations with two threads.
namespace MnistBp.Tests.Layers;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class NewLayerAllocationTests
{
    public static readonly string[] Kinds = ["relu", "leaky", "tanh", "dropout"];

    private static Layer NewLayer(string kind) => kind switch
    {
        "relu" => new Relu(),
        "leaky" => new LeakyRelu(0.05f),
        "tanh" => new Tanh(),
        _ => new Dropout(0.2f, seed: 5),
    };

    /// <summary>784-64-X-10 with the layer X under test, then a sigmoid output.</summary>
    private static Sequential NewModel(string kind)
    {
        var random = new DeterministicRandom(1);
        return new Sequential(
            new Dense(784, 64, WeightInit.ScaledNormal, random, "hidden"), NewLayer(kind),
            new Dense(64, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("o"));
    }

    [Test]
    public void A_training_step_allocates_nothing_after_the_first(
        [ValueSource(nameof(Kinds))] string kind, [Values(1, 10, 128)] int batchSize, [Values(1, 2)] int threads)
    {
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { ThreadCount = threads };
        try
        {
            Sequential model = NewModel(kind);
            var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 0.1f));
            var inputs = new Tensor(batchSize, 784);
            var targets = new Tensor(batchSize, 10);
            inputs.Fill(0.5f);
            targets.AsSpan()[0] = 1f;
            for (int i = 0; i < 30; i++)
            {
                trainer.Step(inputs, targets);
            }

            Assert.That(Allocations.SmallestOfWindows(() => trainer.Step(inputs, targets), 20, allThreads: threads > 1), Is.Zero);
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    [Test]
    public void Predict_into_a_given_buffer_allocates_nothing_after_the_first([ValueSource(nameof(Kinds))] string kind, [Values(1, 300)] int batchSize)
    {
        Sequential model = NewModel(kind);
        float[] inputs = new float[batchSize * 784], outputs = new float[batchSize * 10];
        for (int i = 0; i < 10; i++)
        {
            model.Predict(inputs, outputs, batchSize);
        }

        Assert.That(Allocations.SmallestOfWindows(() => model.Predict(inputs, outputs, batchSize), 10, allThreads: true), Is.Zero); // large batches split across the kernel threads
    }

    [Test]
    public void Predict_from_four_threads_at_once_gives_the_single_threaded_bits()
    {
        var random = new DeterministicRandom(3);
        var model = new Sequential(
            new Dense(784, 64, WeightInit.ScaledNormal, random, "first"), new Relu(), new Dropout(0.5f, seed: 1),
            new Dense(64, 32, WeightInit.ScaledNormal, random, "second"), new Tanh(),
            new Dense(32, 10, WeightInit.ScaledNormal, random, "third"), new LeakyRelu(0.1f));
        // A training Forward first, so the dropout layer holds a mask that Predict must ignore.
        model.Forward(new Tensor(3, 784));
        float[] images = [.. Enumerable.Range(0, 64 * 784).Select(_ => (float)random.NextDouble())];
        float[] expected = new float[64 * 10];
        model.Predict(images, expected, 64);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            float[] output = new float[3 * 10];
            for (int round = 0; round < 200; round++)
            {
                int first = (worker * 31 + round) % 62;
                int count = 1 + (round % 3);
                model.Predict(images.AsSpan(first * 784, count * 784), output.AsSpan(0, count * 10), count);
                if (!output.AsSpan(0, count * 10).SequenceEqual(expected.AsSpan(first * 10, count * 10)))
                {
                    failures.Add($"worker {worker}, round {round}, images {first}..{first + count - 1}");
                }
            }
        });
        Assert.That(failures, Is.Empty);
    }
}
