// The training loop and evaluation: real accuracy on the shipped MNIST slice, the loss going down,
// same seed -> same weights, progress and cancellation, and the confusion matrix arithmetic.
using MnistBp.Data;

namespace MnistBp.Tests;

public class TrainingTests
{
    private static (Dataset Train, Dataset Test) Slice() => TestPaths.SliceData;

    private static Trainer NewTrainer(int hidden, ulong seed, float learnRate = 3f)
    {
        var random = new DeterministicRandom(seed);
        var model = new Sequential(
            new Dense(784, hidden, WeightInit.ScaledNormal, random, "hidden"),
            new Sigmoid("hidden activation"),
            new Dense(hidden, 10, WeightInit.ScaledNormal, random, "output"),
            new Sigmoid("output activation"));
        return new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, learnRate));
    }

    [Test]
    public void Training_on_the_MNIST_slice_reaches_87_percent_in_3_epochs()
    {
        (Dataset train, Dataset test) = Slice();
        Assert.That((train.Count, test.Count), Is.EqualTo((8000, 2000)));
        Trainer trainer = NewTrainer(hidden: 30, seed: 1);
        double before = Evaluation.Of(trainer.Model, test).Accuracy;

        IReadOnlyList<EpochResult> results = trainer.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 10, ShuffleSeed = 1 }, test);

        Assert.That(before, Is.LessThan(0.3), "an untrained network guesses");
        Assert.That(results, Has.Count.EqualTo(3));
        Assert.That(results[2].MeanTrainingLoss, Is.LessThan(results[0].MeanTrainingLoss));
        Assert.That(results[2].Evaluation!.Accuracy, Is.GreaterThan(0.87), "88.2% seen with seed 1");
        Assert.That(results[2].Evaluation!.Count, Is.EqualTo(2000));
        Evaluation last = results[2].Evaluation!;
        Assert.That(last.ToString(), Is.EqualTo($"accuracy {last.Accuracy * 100:F2}% ({last.Correct} of 2000), 10 classes"));
        Assert.That(results[2].ToString(), Does.Contain($"Evaluation = accuracy {last.Accuracy * 100:F2}%"), "an epoch prints its evaluation, not a type name");
    }

    [Test]
    public void Same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        Dataset train = Slice().Train.Slice(0, 500);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 16, ShuffleSeed = 9 };
        float[] Weights(ulong shuffleSeed)
        {
            Trainer trainer = NewTrainer(hidden: 8, seed: 4);
            trainer.Fit(train, options with { ShuffleSeed = shuffleSeed });
            return trainer.Model.Parameters[0].Value.ToArray();
        }

        float[] first = Weights(9), again = Weights(9), otherSeed = Weights(10);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(otherSeed, Is.Not.EqualTo(first));
    }

    [Test]
    public void Training_gives_the_same_bits_for_1_2_and_3_threads()
    {
        Dataset train = Slice().Train.Slice(0, 2000);
        KernelSettings saved = KernelSettings.Current;
        try
        {
            float[][] Run(int threads)
            {
                KernelSettings.Current = saved with { ThreadCount = threads };
                Trainer trainer = NewTrainer(hidden: 100, seed: 3);
                trainer.Fit(train, new TrainingOptions { Epochs = 1, BatchSize = 32, ShuffleSeed = 5 });
                return [.. trainer.Model.Parameters.Select(p => p.Value.ToArray())];
            }

            float[][] one = Run(1), two = Run(2), three = Run(3);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.That(two[i].Select(BitConverter.SingleToInt32Bits), Is.EqualTo(one[i].Select(BitConverter.SingleToInt32Bits)), $"parameter {i}, 2 threads");
                Assert.That(three[i].Select(BitConverter.SingleToInt32Bits), Is.EqualTo(one[i].Select(BitConverter.SingleToInt32Bits)), $"parameter {i}, 3 threads");
            }
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    [Test]
    public void A_partial_last_batch_is_trained_too()
    {
        Dataset train = Slice().Train.Slice(0, 25);
        var progress = new List<BatchProgress>();
        NewTrainer(hidden: 4, seed: 1).Fit(train, new TrainingOptions { BatchSize = 10 }, batchProgress: new SyncProgress<BatchProgress>(progress.Add));
        Assert.That(progress.Select(p => p.SamplesDone), Is.EqualTo(new[] { 10, 20, 25 }));
    }

    [Test]
    public void Epoch_progress_and_cancellation()
    {
        Dataset train = Slice().Train.Slice(0, 200);
        using var cancellation = new CancellationTokenSource();
        var epochs = new List<EpochResult>();
        var progress = new SyncProgress<EpochResult>(result =>
        {
            epochs.Add(result);
            if (result.Epoch == 2)
            {
                cancellation.Cancel();
            }
        });

        Assert.Throws<OperationCanceledException>(() =>
            NewTrainer(hidden: 4, seed: 1).Fit(train, new TrainingOptions { Epochs = 5 }, epochProgress: progress, cancellationToken: cancellation.Token));
        Assert.That(epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(epochs[0].EpochCount, Is.EqualTo(5));
        Assert.That(epochs[0].Evaluation, Is.Null);
    }

    [Test]
    public void A_run_of_int_MaxValue_epochs_starts_and_can_be_cancelled()
    {
        // Fit once reserved room for every epoch's result up front, so Epochs = int.MaxValue died with "Out of memory".
        Dataset train = Slice().Train.Slice(0, 20);
        using var cancellation = new CancellationTokenSource();
        var epochs = new List<int>();
        var progress = new SyncProgress<EpochResult>(result =>
        {
            epochs.Add(result.Epoch);
            cancellation.Cancel();
        });

        Assert.Throws<OperationCanceledException>(() => NewTrainer(hidden: 4, seed: 1).Fit(
            train, new TrainingOptions { Epochs = int.MaxValue, BatchSize = 10 }, epochProgress: progress, cancellationToken: cancellation.Token));
        Assert.That(epochs, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Bad_options_fail_before_training()
    {
        Dataset train = Slice().Train.Slice(0, 10);
        Trainer trainer = NewTrainer(hidden: 4, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, new TrainingOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, new TrainingOptions { Epochs = 0 }));
    }

    [Test]
    public void Data_that_does_not_fit_the_model_names_the_shapes()
    {
        Dataset train = Slice().Train.Slice(0, 10);
        var model = new Sequential(new Dense(100, 10, "too narrow"), new Sigmoid());
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 1f));
        Assert.That(() => trainer.Fit(train, new TrainingOptions()), Throws.ArgumentException
            .With.Property("ParamName").EqualTo("trainingData")
            .And.Message.Contains("its samples have 784 features").And.Message.Contains("W too narrow [100 x 10]"), "refused before the first batch");
    }

    [Test]
    public void Evaluation_counts_the_confusion_matrix()
    {
        // Three classes; the "model" is a Dense layer whose weights copy the one-hot inputs, so
        // prediction = argmax(input): we choose inputs to get a known confusion matrix.
        var identity = new Dense(3, 3, "identity");
        for (int i = 0; i < 3; i++)
        {
            identity.Weights.Value[i, i] = 1f;
        }

        byte[] labels = [0, 0, 1, 2, 2, 2];
        byte[] pixels = [255, 0, 0, /**/ 0, 255, 0, /**/ 0, 255, 0, /**/ 0, 0, 255, /**/ 255, 0, 0, /**/ 0, 0, 255];
        Dataset data = Dataset.FromIdx(new IdxArray([6, 3], pixels, "images"), new IdxArray([6], labels, "labels"), classCount: 3);
        Evaluation evaluation = Evaluation.Of(new Sequential(identity), data, batchSize: 4);

        Assert.That(evaluation.ToConfusionMatrix(), Is.EqualTo(new int[,] { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 2 } }));
        Assert.That(evaluation.Correct, Is.EqualTo(4));
        Assert.That(evaluation.Accuracy, Is.EqualTo(4 / 6.0).Within(1e-12));
        Assert.That(evaluation.PerClassAccuracy(), Is.EqualTo(new[] { 0.5, 1.0, 2 / 3.0 }).Within(1e-12));
        Assert.That(evaluation.FormatConfusionMatrix(), Does.Contain("  2      1     0     2    66.67%"));

        // The same from the float tensor once Images is built, and an edit to it counts: item 1 now looks like a 0.
        Tensor images = data.GetImages();
        Assert.That(Evaluation.Of(new Sequential(identity), data, batchSize: 4).ToConfusionMatrix(), Is.EqualTo(evaluation.ToConfusionMatrix()));
        images[1, 0] = 1f;
        images[1, 1] = 0f;
        Assert.That(Evaluation.Of(new Sequential(identity), data, batchSize: 4).ToConfusionMatrix(), Is.EqualTo(new int[,] { { 2, 0, 0 }, { 0, 1, 0 }, { 1, 0, 2 } }));
    }

    [Test]
    public void ArgMax_takes_the_first_of_equal_values() =>
        Assert.That((Evaluation.ArgMax([0.1f, 0.7f, 0.7f]), Evaluation.ArgMax([])), Is.EqualTo((1, -1)));

    [Test]
    public void QuadraticCost_is_half_the_squared_error_summed_over_outputs_and_averaged_over_the_batch()
    {
        var cost = new QuadraticCost();
        Tensor predicted = Tensor.FromValues(2, 2, [1f, 0f, 0.5f, 0.5f]);
        Tensor target = Tensor.FromValues(2, 2, [0f, 0f, 1f, 0f]);
        // C = 1/(2*2) * ((1)² + 0 + (0.5)² + (0.5)²) = 1.5 / 4
        Assert.That(cost.Forward(predicted, target), Is.EqualTo(0.375f));
        Assert.That(cost.Backward(predicted, target).ToArray(), Is.EqualTo(new[] { 0.5f, 0f, -0.25f, 0.25f }));
    }

    /// <summary>An IProgress that calls back synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
