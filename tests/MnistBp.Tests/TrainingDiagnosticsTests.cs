// Training that notices when it goes wrong: a NaN or Inf in the data, the targets or the weights stops
// Trainer.Step and Fit at the step where it first shows, before that step's update; evaluation never
// counts a non-finite output as a prediction; Fit names saturation and divergence after each epoch.
// Each case here printed nothing on the old code: Fit finished, the weights were NaN, and the
// accuracy read 9.80% (every image in class 0).
using MnistBp.Data;

namespace MnistBp.Tests;

public class TrainingDiagnosticsTests
{
    private static (Dataset Train, Dataset Test) Slice() => TestPaths.SliceData;

    private static Trainer NewTrainer(int hidden = 30, ulong seed = 1, float learnRate = 3f, int inputs = 784, int outputs = 10)
    {
        var random = new DeterministicRandom(seed);
        var model = new Sequential(
            new Dense(inputs, hidden, WeightInit.ScaledNormal, random, "hidden"),
            new Sigmoid("hidden activation"),
            new Dense(hidden, outputs, WeightInit.ScaledNormal, random, "output"),
            new Sigmoid("output activation"));
        return new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, learnRate));
    }

    private static float[][] Weights(Sequential model) => [.. model.Parameters.Select(p => p.Value.ToArray())];

    /// <summary>
    /// The 8,000 training and 2,000 test images of the slice as one set of 10,000, with <paramref name="bad"/> at one
    /// pixel. Dataset.FromFeatures refuses a NaN, so it is written afterwards into the dataset's own tensor, as a
    /// normalisation that divides by a zero standard deviation would.
    /// </summary>
    private static Dataset TenThousandImagesWith(int sample, int feature, float bad)
    {
        (Dataset train, Dataset test) = Slice();
        var features = new Tensor(train.Count + test.Count, train.FeatureCount, "images");
        train.GetImages().AsSpan().CopyTo(features.AsSpan());
        test.GetImages().AsSpan().CopyTo(features.AsSpan()[(train.Count * train.FeatureCount)..]);
        byte[] labels = [.. train.Labels.ToArray(), .. test.Labels.ToArray()];
        Dataset data = Dataset.FromFeatures(features, labels, 10);
        Tensor images = data.GetImages(); // the dataset's own tensor: writing to it changes what Fit reads
        images.AsSpan()[(sample * images.Columns) + feature] = bad;
        return data;
    }

    [Test]
    public void One_NaN_pixel_in_10000_images_stops_Fit_at_its_batch_before_the_update()
    {
        const float bad = float.NaN;
        Dataset data = TenThousandImagesWith(sample: 1234, feature: 400, bad);
        Trainer trainer = NewTrainer();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 10, Shuffle = false };

        TrainingDivergedException e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, options))!;

        Assert.That((e.Epoch, e.Batch), Is.EqualTo(((int?)1, (int?)124)), "sample 1234 is in batch 124 of 1000 (counting from 1)");
        Assert.That(float.IsNaN(e.Value), Is.True, "a NaN or Inf pixel makes the quadratic cost NaN");
        Assert.That(e.LearnRate, Is.EqualTo(3f));
        Assert.That(e.WeightsFinite, Is.True);
        Assert.That(e.Message, Does.Contain("epoch 1, batch 124 of 1000"));
        Assert.That(e.Message, Does.Contain("the loss of the batch is NaN"));
        Assert.That(e.Message, Does.Contain($"{TrainingDivergedException.Describe(bad)} in training sample 1234 (row 4 of the batch), column 400"));
        Assert.That(e.Message, Does.Contain("Optimizer: Sgd learnRate=3"));
        Assert.That(e.Message, Does.Contain("this batch's update was not applied"));

        // The weights are those after batch 123: the same as training on the 1,230 samples before it.
        Trainer reference = NewTrainer();
        reference.Fit(data.Slice(0, 1230), options);
        Assert.That(Weights(trainer.Model), Is.EqualTo(Weights(reference.Model)), "the bad batch changed nothing");
    }

    [Test]
    public void One_infinite_pixel_spoils_the_weights_through_its_gradient_and_the_next_batch_names_it([Values(float.PositiveInfinity, float.NegativeInfinity)] float bad)
    {
        Dataset data = TenThousandImagesWith(sample: 1234, feature: 400, bad);
        Trainer trainer = NewTrainer();

        TrainingDivergedException e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, new TrainingOptions { Epochs = 1, BatchSize = 10, Shuffle = false }))!;

        // Inf * weight saturates a sigmoid at 0 or 1: batch 124's loss is finite, its gradient is not.
        Assert.That((e.Epoch, e.Batch, e.WeightsFinite), Is.EqualTo(((int?)1, (int?)125, false)));
        Assert.That(e.Cause, Does.Contain($"The previous batch (124) holds {TrainingDivergedException.Describe(bad)} in training sample 1234 (row 4 of the batch), column 400 of its inputs"));
        Assert.That(e.Message, Does.Contain("retrain from a fresh model"));
    }

    [Test]
    public void A_NaN_target_stops_Step_before_the_update_and_says_so()
    {
        Trainer trainer = NewTrainer(hidden: 4, inputs: 3, outputs: 2);
        var inputs = new Tensor(2, 3);
        inputs.Fill(0.5f);
        var targets = new Tensor(2, 2);
        targets.AsSpan()[3] = float.NaN;
        float[][] before = Weights(trainer.Model);

        TrainingDivergedException e = Assert.Throws<TrainingDivergedException>(() => trainer.Step(inputs, targets))!;

        Assert.That((e.Epoch, e.Batch), Is.EqualTo(((int?)null, (int?)null)), "Step alone knows no epoch");
        Assert.That(float.IsNaN(e.Value), Is.True);
        Assert.That(e.Cause, Does.Contain("the batch's targets hold NaN in row 1 of the batch, column 1"));
        Assert.That(e.Message, Does.StartWith("Training step stopped: the loss of the batch is NaN"));
        Assert.That(Weights(trainer.Model), Is.EqualTo(before), "the update of the step was not applied");

        targets.AsSpan()[3] = 1f;
        Assert.That(float.IsFinite(trainer.Step(inputs, targets)), Is.True, "the trainer goes on once the data is fixed");
    }

    [Test]
    public void A_weight_already_NaN_is_named_and_the_state_says_retrain()
    {
        Trainer trainer = NewTrainer(hidden: 4, inputs: 3, outputs: 2);
        trainer.Model.Parameters[2].Value.AsSpan()[5] = float.NaN; // as a NaN gradient's update would leave it
        var inputs = new Tensor(1, 3);
        var targets = new Tensor(1, 2);

        TrainingDivergedException e = Assert.Throws<TrainingDivergedException>(() => trainer.Step(inputs, targets))!;

        Assert.That(e.WeightsFinite, Is.False);
        Assert.That(e.Cause, Does.Contain($"'{trainer.Model.Parameters[2].Name}' holds NaN at index 5"));
        Assert.That(e.Message, Does.Contain("learn rate of 3"));
        Assert.That(e.Message, Does.Contain("retrain from a fresh model"));
    }

    [Test]
    public void A_loss_over_logits_after_a_squashing_last_layer_is_named_after_the_first_epoch()
    {
        var random = new DeterministicRandom(7);
        var features = new Tensor(40, 4);
        byte[] labels = new byte[40];
        for (int i = 0; i < 40; i++)
        {
            labels[i] = (byte)(i % 3);
            features[i, i % 3] = 1f;
            features[i, 3] = (float)random.NextGaussian();
        }

        Dataset data = Dataset.FromFeatures(features, labels, 3);
        IReadOnlyList<EpochResult> Run(Loss loss, params Layer[] after)
        {
            var model = new Sequential(new Dense(4, 3, WeightInit.XavierNormal, new DeterministicRandom(1), "logits"));
            foreach (Layer layer in after)
            {
                model.Add(layer);
            }

            return new Trainer(model, loss, new Sgd(model.Parameters, 0.5f)).Fit(data, new TrainingOptions { Epochs = 2, BatchSize = 10 });
        }

        IReadOnlyList<EpochResult> twice = Run(new SoftmaxCrossEntropy(), new Softmax("p"));
        Assert.That(twice[0].Diagnosis?.Problem, Is.EqualTo(TrainingProblem.SquashedLogits));
        Assert.That(twice[0].Diagnosis!.Message, Is.EqualTo(
            "Squashed twice: SoftmaxCrossEntropy takes logits (any real numbers) and squashes them itself, but the model's last layer, Softmax 'p', already keeps its outputs in [0, 1]. " +
            "The loss can never get near 0 and its gradients shrink. Remove Softmax 'p' (the loss has the squashing built in), or keep it and use a loss that compares its outputs as they are."));
        Assert.That(twice[1].Diagnosis, Is.Null, "said once, after the first epoch");
        Assert.That(Run(new SigmoidCrossEntropy(), new Tanh("t"))[0].Diagnosis!.Message, Does.Contain("Tanh 't', already keeps its outputs in [-1, 1]"));
        Assert.That(Run(new SoftmaxCrossEntropy())[0].Diagnosis, Is.Null, "logits into the loss over logits");
        Assert.That(Run(new CrossEntropyCost(), new Sigmoid("s"))[0].Diagnosis, Is.Null, "probabilities into the loss over probabilities");

        // With evaluation data the squashed start usually predicts one class: saturation, whose advice (a smaller learn
        // rate) would not help. The cause is named instead. Shown by the same loss that does not say it takes logits.
        EpochResult StuckStart(Loss loss)
        {
            var random = new DeterministicRandom(3);
            var logits = new Dense(6, 3, WeightInit.XavierNormal, random, "logits");
            logits.Biases.Value[0] = 10f; // class 0 far ahead: every sample starts in it, and one epoch at this rate keeps it there
            var model = new Sequential(new Dense(4, 6, WeightInit.XavierNormal, random, "h"), new Sigmoid("s"), logits, new Softmax("p"));
            return new Trainer(model, loss, new Sgd(model.Parameters, 0.01f)).Fit(data, new TrainingOptions { Epochs = 1, BatchSize = 10 }, data)[0];
        }

        Assert.That(StuckStart(new Unlabelled(new SoftmaxCrossEntropy())).Diagnosis?.Problem, Is.EqualTo(TrainingProblem.Saturation), "the numbers alone say saturation");
        Assert.That(StuckStart(new SoftmaxCrossEntropy()).Diagnosis?.Problem, Is.EqualTo(TrainingProblem.SquashedLogits), "the cause, ahead of saturation");
    }

    /// <summary>A loss that computes another's numbers but does not say it takes logits (TakesLogits keeps its default, false).</summary>
    private sealed class Unlabelled(Loss inner) : Loss
    {
        public override float Forward(Tensor predicted, Tensor target) => inner.Forward(predicted, target);

        public override Tensor Backward(Tensor predicted, Tensor target) => inner.Backward(predicted, target);
    }

    [Test]
    public void A_learn_rate_of_1e6_on_the_slice_is_diagnosed_as_saturation_with_its_numbers()
    {
        (Dataset train, Dataset test) = Slice();
        Trainer trainer = NewTrainer(learnRate: 1e6f);

        IReadOnlyList<EpochResult> results = trainer.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 100, ShuffleSeed = 1 }, test);

        Evaluation evaluation = results[2].Evaluation!;
        int predicted = Enumerable.Range(0, 10).Single(c => Enumerable.Range(0, 10).Sum(a => evaluation[a, c]) == evaluation.Count);
        Assert.That(results[0].Diagnosis?.Problem, Is.EqualTo(TrainingProblem.Saturation));
        Assert.That(results[0].Diagnosis!.Message, Does.StartWith("Possible saturation: after epoch 1 every one of the 2000 evaluation samples"));
        TrainingDiagnosis diagnosis = results[2].Diagnosis!;
        Assert.That(diagnosis.Problem, Is.EqualTo(TrainingProblem.Saturation));
        Assert.That(diagnosis.Message, Does.StartWith($"Saturation: every one of the 2000 evaluation samples is predicted as class {predicted}, and the mean training loss is flat"));
        Assert.That(diagnosis.Message, Does.Contain($"{results[1].MeanTrainingLoss:F5} after epoch 2, {results[2].MeanTrainingLoss:F5} after epoch 3"));
        Assert.That(diagnosis.Message, Does.Contain("a learn rate too high for this network (this run: 1E+06"));
        Assert.That(diagnosis.ToString(), Is.EqualTo(diagnosis.Message));
    }

    [TestCase(1, 50, true)]
    [TestCase(2, 50, true)]   // 198 of 200: 99%, the threshold
    [TestCase(3, 50, false)]  // 197 of 200: under it
    [TestCase(1, 100, true)]  // exactly half the samples labelled 0: still a collapse
    [TestCase(1, 150, false)] // most samples labelled 0: answering 0 is fair
    public void A_model_answering_one_class_for_all_but_a_few_samples_is_saturated_unless_most_samples_have_that_class(int stragglers, int labelledZero, bool diagnosed)
    {
        // 200 samples of 2 features, 4 classes. A fixed Dense answers class 0 (its bias) for every sample but those whose
        // first feature is 1 (class 1), the way sample 04 at learn rate 100 answered 9996 of 10000 test digits with one
        // class and was not diagnosed, since 4 were not. With 50 samples labelled 0 that is a collapse; with 150 it is
        // what a model of mostly-0 labels may fairly do. The rate of 1e-30 leaves every prediction as it is.
        var features = new Tensor(200, 2);
        byte[] labels = new byte[200];
        for (int i = 0; i < 200; i++)
        {
            labels[i] = i < labelledZero ? (byte)0 : (byte)(1 + (i % 3));
        }

        for (int k = 0; k < stragglers; k++)
        {
            features[7 + k, 0] = 1f;
        }

        var dense = new Dense(2, 4, "fixed");
        dense.Biases.Value[0] = 1f;
        dense.Weights.Value[0, 1] = 10f;
        var model = new Sequential(dense);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.Parameters, 1e-30f));
        Dataset data = Dataset.FromFeatures(features, labels, 4);

        IReadOnlyList<EpochResult> results = trainer.Fit(data, new TrainingOptions { Epochs = 2, BatchSize = 50, Shuffle = false }, data);

        Evaluation evaluation = results[1].Evaluation!;
        Assert.That(Enumerable.Range(0, 4).Sum(actual => evaluation[actual, 0]), Is.EqualTo(200 - stragglers), "the rest answered class 0");
        if (diagnosed)
        {
            Assert.That(results[1].Diagnosis?.Message, Does.StartWith(
                $"Saturation: {200 - stragglers} of the 200 evaluation samples are predicted as class 0, though only {labelledZero} of the 200 are labelled 0, and the mean training loss is flat"));
        }
        else
        {
            Assert.That(results.Select(r => r.Diagnosis), Is.All.Null);
        }
    }

    [Test]
    public void Batch_100_and_learn_rate_30_is_diagnosed_as_saturation()
    {
        (Dataset train, Dataset test) = Slice();
        Trainer trainer = NewTrainer(learnRate: 30f);

        IReadOnlyList<EpochResult> results = trainer.Fit(train, new TrainingOptions { Epochs = 2, BatchSize = 100, ShuffleSeed = 1 }, test);

        Assert.That(results[1].Diagnosis?.Problem, Is.EqualTo(TrainingProblem.Saturation), results[1].ToString());
        Assert.That(results[1].Diagnosis!.Message, Does.Contain("this run: 30;"));
    }

    [Test]
    public void A_healthy_run_has_no_diagnosis()
    {
        (Dataset train, Dataset test) = Slice();
        Trainer trainer = NewTrainer();

        IReadOnlyList<EpochResult> results = trainer.Fit(train.Slice(0, 3000), new TrainingOptions { Epochs = 3, BatchSize = 10, ShuffleSeed = 1 }, test);

        Assert.That(results.Select(r => r.Diagnosis), Is.All.Null);
        Assert.That(results.Select(r => r.Evaluation!.NonFiniteCount), Is.All.Zero);
    }

    [Test]
    public void A_growing_loss_is_diagnosed_as_divergence_and_a_falling_one_is_not()
    {
        Trainer trainer = NewTrainer(hidden: 2, inputs: 2, outputs: 2);
        EpochResult[] previous = [new(1, 3, 0.1, TimeSpan.Zero, null)];

        TrainingDiagnosis? growing = TrainingDiagnosis.Of(previous, 0.2, null, null, trainer.Model, trainer.Optimizer, trainer.Loss);
        TrainingDiagnosis? falling = TrainingDiagnosis.Of(previous, 0.09, null, null, trainer.Model, trainer.Optimizer, trainer.Loss);
        TrainingDiagnosis? noise = TrainingDiagnosis.Of(previous, 0.102, null, null, trainer.Model, trainer.Optimizer, trainer.Loss);

        Assert.That(growing?.Problem, Is.EqualTo(TrainingProblem.Divergence));
        Assert.That(growing!.Message, Does.Contain("grew from 0.10000 (epoch 1) to 0.20000 (epoch 2), by 100.0%"));
        Assert.That(growing.Message, Does.Contain("a learn rate of 3 is probably too high"));
        Assert.That((falling, noise), Is.EqualTo(((TrainingDiagnosis?)null, (TrainingDiagnosis?)null)), "under 5% is noise");
    }

    [Test]
    public void One_rise_of_a_few_percent_is_noise_but_two_in_a_row_are_divergence()
    {
        // The dropout recipe of sample 05 saw 0.04218 -> 0.04471 (6%) at epoch 77 of 80, learn rate 0.00035: healthy.
        Trainer trainer = NewTrainer(hidden: 2, inputs: 2, outputs: 2);
        EpochResult[] steady = [new(1, 80, 0.0440, TimeSpan.Zero, null), new(2, 80, 0.04218, TimeSpan.Zero, null)];
        EpochResult[] rising = [new(1, 80, 0.0400, TimeSpan.Zero, null), new(2, 80, 0.04218, TimeSpan.Zero, null)];

        Assert.That(TrainingDiagnosis.Of(steady, 0.04471, null, null, trainer.Model, trainer.Optimizer, trainer.Loss), Is.Null, "one 6% rise after a fall");
        TrainingDiagnosis? twice = TrainingDiagnosis.Of(rising, 0.04471, null, null, trainer.Model, trainer.Optimizer, trainer.Loss);
        Assert.That(twice?.Problem, Is.EqualTo(TrainingProblem.Divergence), "5.5% then 6%");
        Assert.That(twice!.Message, Does.Contain("grew from 0.04000 (epoch 1) to 0.04218 (epoch 2), then from 0.04218 (epoch 2) to 0.04471 (epoch 3), by 6.0%"));
        Assert.That(TrainingDiagnosis.Of(steady, 0.07, null, null, trainer.Model, trainer.Optimizer, trainer.Loss)?.Problem, Is.EqualTo(TrainingProblem.Divergence), "a 66% jump at once");
    }

    [Test]
    public void NaN_weights_score_0_percent_with_every_output_counted_as_not_finite()
    {
        Dataset test = Slice().Test;
        Trainer trainer = NewTrainer();
        trainer.Model.Parameters[0].Value.Fill(float.NaN);

        Evaluation evaluation = Evaluation.Of(trainer.Model, test);

        Assert.That(evaluation.NonFiniteCount, Is.EqualTo(2000));
        Assert.That(evaluation.Count, Is.EqualTo(2000), "non-finite samples stay in the denominator");
        Assert.That(evaluation.Accuracy, Is.Zero, "the old code said 9.80%: every NaN row went to class 0");
        Assert.That(evaluation.ToConfusionMatrix().Cast<int>().Sum(), Is.Zero, "no prediction, no cell");
        Assert.That(Enumerable.Range(0, 10).Sum(evaluation.NonFiniteCountOf), Is.EqualTo(2000));
        Assert.That(evaluation.PerClassAccuracy(), Is.All.Zero);
        Assert.That(evaluation.ToString(), Does.EndWith("; 2000 outputs not finite (NaN or Inf), counted as wrong"));
        Assert.That(evaluation.FormatConfusionMatrix(), Does.Contain("not finite"));
    }

    [Test]
    public void NaN_in_the_evaluation_data_is_diagnosed_and_training_goes_on()
    {
        (Dataset train, Dataset test) = Slice();
        Dataset badTest = Dataset.FromFeatures(test.GetImages(), test.Labels.Span, 10);
        Tensor images = badTest.GetImages(); // its own tensor: FromFeatures refuses a NaN, writing one afterwards does not
        images.AsSpan()[(7 * images.Columns) + 100] = float.NaN;
        Trainer trainer = NewTrainer(hidden: 10);

        IReadOnlyList<EpochResult> results = trainer.Fit(train.Slice(0, 500), new TrainingOptions { Epochs = 1, BatchSize = 10 }, badTest);

        Assert.That(results[0].Evaluation!.NonFiniteCount, Is.EqualTo(1));
        Assert.That(results[0].Diagnosis?.Problem, Is.EqualTo(TrainingProblem.NonFiniteOutputs));
        Assert.That(results[0].Diagnosis!.Message, Does.Contain("1 of the 2000 evaluation samples got an output holding NaN or Inf"));
        Assert.That(results[0].Diagnosis!.Message, Does.Contain("the evaluation data itself probably holds NaN or Inf"));
    }

    [Test]
    public void The_confusion_indexer_names_the_argument_and_the_range()
    {
        Evaluation evaluation = Evaluation.Of(NewTrainer().Model, Slice().Test.Slice(0, 50));

        ArgumentOutOfRangeException actual = Assert.Throws<ArgumentOutOfRangeException>(() => _ = evaluation[10, 0])!;
        ArgumentOutOfRangeException predicted = Assert.Throws<ArgumentOutOfRangeException>(() => _ = evaluation[0, -1])!;
        ArgumentOutOfRangeException perClass = Assert.Throws<ArgumentOutOfRangeException>(() => evaluation.NonFiniteCountOf(10))!;

        Assert.That((actual.ParamName, predicted.ParamName, perClass.ParamName), Is.EqualTo(("actual", "predicted", "actual")));
        Assert.That(actual.Message, Does.Contain("actual must be a class from 0 to 9"));
        Assert.That(predicted.Message, Does.Contain("predicted must be a class from 0 to 9"));
    }

    [Test]
    public void Fit_on_a_model_without_layers_says_so_before_anything_runs([Values(3, 4)] int targetCount)
    {
        var model = new Sequential();
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 1f));
        var features = new Tensor(5, 3);
        Dataset data = Dataset.FromFeatures(features, new Tensor(5, targetCount));

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data, new TrainingOptions()))!;

        Assert.That(e.Message, Is.EqualTo("The model has no layers, so there is nothing to train: add layers (input side first) before Fit."));
    }

    [Test]
    public void An_Inf_input_in_the_last_batch_of_the_last_epoch_is_caught_after_the_epoch()
    {
        // Its loss is finite (the sigmoid saturates) but its gradient is not, so the update writes NaN and
        // no later loss shows it: the once-per-epoch look at the weights does.
        Dataset train = Slice().Train.Slice(0, 100);
        train.GetImages()[99, 300] = float.PositiveInfinity;
        var random = new DeterministicRandom(1);
        var model = new Sequential(new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("s1"), new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("s2"));
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train, new TrainingOptions { Epochs = 1, BatchSize = 10, Shuffle = false }));
        Assert.That(error!.Message, Does.StartWith("Training stopped after epoch 1: the weights are not finite after the epoch's last update: 'W hidden' holds NaN"));
        Assert.That(error.WeightsFinite, Is.False);
        Assert.That(error.Epoch, Is.EqualTo(1));
    }

    [Test]
    public void A_learn_rate_of_a_million_is_diagnosed_even_without_evaluation_data()
    {
        Dataset train = Slice().Train.Slice(0, 2000);
        var random = new DeterministicRandom(1);
        var model = new Sequential(new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("s1"), new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("s2"));
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 1e6f));

        IReadOnlyList<EpochResult> results = trainer.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 10, ShuffleSeed = 1 });

        TrainingDiagnosis? diagnosis = results[^1].Diagnosis;
        Assert.That(diagnosis, Is.Not.Null, $"losses {string.Join(", ", results.Select(r => r.MeanTrainingLoss))}");
        Assert.That(diagnosis!.Problem, Is.EqualTo(TrainingProblem.Saturation));
        Assert.That(diagnosis.Message, Does.StartWith("Possible saturation: the mean training loss is flat").And.Contain("learn rate of 1E+06"));
    }
}
