// A training step and Predict allocate nothing once warm: the buffers are reused, no message
// strings are built on the happy path, no enumerators are boxed. Counted with the runtime's
// per-thread allocation counter (bytes, not time). Each check takes the smallest of three windows,
// so a one-off allocation by the runtime itself (a JIT tier-up) cannot fail it, but a per-step
// allocation fails all three.
using MnistBp.Data;

namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
public class AllocationTests
{
    private static Trainer NewTrainer()
    {
        var random = new DeterministicRandom(1);
        var model = new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("h"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("o"));
        return new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
    }

    [Test]
    public void A_training_step_allocates_nothing_after_the_first([Values(1, 10, 128)] int batchSize, [Values(1, 2)] int threads)
    {
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { ThreadCount = threads };
        try
        {
            Trainer trainer = NewTrainer();
            var inputs = new Tensor(batchSize, 784);
            var targets = new Tensor(batchSize, 10);
            inputs.Fill(0.5f);
            targets.AsSpan()[0] = 1f;
            for (int i = 0; i < 50; i++)
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
    public void Fit_allocates_nothing_per_batch_with_the_loss_check()
    {
        // Fit's own per-epoch allocations (the order array, the result) do not grow with the number of batches;
        // the non-finite check and where-the-batch-comes-from add nothing per step. 100 vs 300 batches of 10.
        Trainer trainer = NewTrainer();
        Dataset small = Dataset.FromIdx(new IdxArray([1000, 28, 28], new byte[1000 * 784], "images"), new IdxArray([1000], new byte[1000], "labels"), classCount: 10);
        Dataset large = Dataset.FromIdx(new IdxArray([3000, 28, 28], new byte[3000 * 784], "images"), new IdxArray([3000], new byte[3000], "labels"), classCount: 10);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 10, ShuffleSeed = 3 };
        trainer.Fit(small, options);
        trainer.Fit(large, options);

        long smallBytes = Allocations.SmallestOfWindows(() => trainer.Fit(small, options), 1);
        long largeBytes = Allocations.SmallestOfWindows(() => trainer.Fit(large, options), 1);

        Assert.That(largeBytes - smallBytes, Is.LessThanOrEqualTo((2000 * sizeof(int)) + 256), $"{smallBytes} bytes for 100 batches, {largeBytes} for 300: only the order array may grow");
    }

    [Test]
    public void Predict_into_a_given_buffer_allocates_nothing_after_the_first([Values(1, 1000)] int batchSize)
    {
        Sequential model = NewTrainer().Model;
        float[] inputs = new float[batchSize * 784], outputs = new float[batchSize * 10];
        for (int i = 0; i < 20; i++)
        {
            model.Predict(inputs, outputs, batchSize);
        }

        Assert.That(Allocations.SmallestOfWindows(() => model.Predict(inputs, outputs, batchSize), 10, allThreads: true), Is.Zero); // large batches split across the kernel threads
    }

    [Test]
    public void Shuffling_and_filling_a_batch_allocate_nothing()
    {
        var random = new DeterministicRandom(2);
        int[] order = [.. Enumerable.Range(0, 1000)];
        Dataset data = Dataset.FromIdx(new IdxArray([1000, 4], new byte[4000], "images"), new IdxArray([1000], new byte[1000], "labels"), classCount: 10);
        var inputs = new Tensor(10, 4);
        var targets = new Tensor(10, 10);
        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            random.Shuffle(order);
            data.FillBatch(order.AsSpan(0, 10), inputs, targets);
        }, 10), Is.Zero);

        // MNIST-sized rows and a batch of 128: the gather is split across threads.
        Dataset mnistSized = Dataset.FromIdx(new IdxArray([1000, 28, 28], new byte[1000 * 784], "images"), new IdxArray([1000], new byte[1000], "labels"), classCount: 10);
        var batch = new Tensor(128, 784);
        var batchTargets = new Tensor(128, 10);
        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            random.Shuffle(order);
            mnistSized.FillBatch(order.AsSpan(0, 128), batch, batchTargets);
        }, 10, allThreads: true), Is.Zero);
    }

    [Test]
    public void Predict_is_safe_from_many_threads_at_once()
    {
        Sequential model = NewTrainer().Model;
        var random = new DeterministicRandom(3);
        float[] images = [.. Enumerable.Range(0, 64 * 784).Select(_ => (float)random.NextDouble())];
        float[] expected = new float[64 * 10];
        model.Predict(images, expected, 64);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            float[] output = new float[10];
            for (int round = 0; round < 200; round++)
            {
                int image = (worker * 31 + round) % 64;
                model.Predict(images.AsSpan(image * 784, 784), output, 1);
                if (!output.AsSpan().SequenceEqual(expected.AsSpan(image * 10, 10)))
                {
                    failures.Add($"worker {worker}, round {round}, image {image}");
                }
            }
        });
        Assert.That(failures, Is.Empty);
    }
}
