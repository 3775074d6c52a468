// Early stopping on the validation data: Fit stops after `patience` epochs without a higher accuracy
// (or a lower loss for float targets), gives the model back the best epoch's weights bit for bit, and
// says which epoch that was (EpochResult.BestEpoch, TrainingHistory.BestEpoch). Nielsen's split is
// Slice(0, 50000) / Slice(50000, 10000) of MNIST's training set; here the shipped slice, cut the same way.
using MnistBp.Data;

namespace MnistBp.Tests.Training;

internal sealed class EarlyStoppingTests
{
    [Test]
    public void Early_stopping_stops_restores_the_best_weights_and_reports_the_epoch()
    {
        Dataset all = TestPaths.SliceData.Train;
        Dataset train = all.Slice(0, 300), validation = all.Slice(300, 200);
        var random = new DeterministicRandom(3);
        var model = new Sequential(new Dense(784, 10, WeightInit.ScaledNormal, random, "h"), new Sigmoid(), new Dense(10, 10, WeightInit.ScaledNormal, random, "o"), new Sigmoid());
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
        var weightsAfter = new List<float[][]>();
        var options = new TrainingOptions { Epochs = 300, BatchSize = 10, ShuffleSeed = 1, EarlyStoppingPatience = 3 };

        TrainingHistory history = trainer.Fit(train, options, validation,
            epochProgress: new ScheduleTests.Recorder<EpochResult>(_ => weightsAfter.Add([.. model.Parameters.Select(p => p.Value.ToArray())])));

        // 300 epochs on 300 images: validation accuracy (steps of 0.5%) stops rising long before the end.
        Assert.That(history.StoppedEarly, Is.True, history.ToString());
        Assert.That(history.Count, Is.LessThan(300));
        double[] accuracies = [.. history.Select(r => r.Evaluation!.Accuracy)];
        int best = Array.IndexOf(accuracies, accuracies.Max()) + 1; // the earliest of the best
        Assert.That(history.BestEpoch, Is.EqualTo(best));
        Assert.That(history.Count, Is.EqualTo(best + 3), "stopped after 3 epochs without improvement");
        Assert.That(history[^1].BestEpoch, Is.EqualTo(best));
        Assert.That(history[best - 1].BestEpoch, Is.EqualTo(best), "each epoch reports the best so far");
        Assert.That(history.RestoredBestWeights, Is.True);
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            Assert.That(model.Parameters[p].Value.ToArray(), Is.EqualTo(weightsAfter[best - 1][p]), $"parameter {p} holds epoch {best}'s weights, bit for bit");
        }

        Assert.That(Evaluation.Of(model, validation).Accuracy, Is.EqualTo(accuracies[best - 1]));
    }

    [Test]
    public void Without_early_stopping_the_best_epoch_is_reported_and_the_last_weights_kept()
    {
        (Trainer trainer, Dataset data) = ScheduleTests.TinyProblem(withLearnRate: true, out _);
        TrainingHistory history = trainer.Fit(data, new TrainingOptions { Epochs = 4 }, data);
        Assert.That(history.BestEpoch, Is.Not.Null);
        Assert.That(history.StoppedEarly, Is.False);
        Assert.That(history.RestoredBestWeights, Is.False);
        Assert.That(trainer.Fit(data, new TrainingOptions { Epochs = 2 }).BestEpoch, Is.Null, "no evaluation data, no best epoch");
    }

    [Test]
    public void Early_stopping_on_float_targets_uses_the_validation_loss()
    {
        // Targets 0.9 / 0.1 by the sign of x0 + x1: the validation loss falls; the best epoch is its lowest.
        (Trainer trainer, Dataset data) = FloatTargetProblem(seed: 8, learnRate: 20f, invertValidation: false);
        TrainingHistory history = trainer.Fit(data.Slice(0, 40), new TrainingOptions { Epochs = 60, BatchSize = 40, EarlyStoppingPatience = 2 }, data.Slice(40, 20));

        double[] losses = [.. history.Select(r => r.EvaluationLoss!.Value)];
        int best = Array.IndexOf(losses, losses.Min()) + 1;
        Assert.That(history.BestEpoch, Is.EqualTo(best), string.Join(", ", losses));
        Assert.That(losses[0], Is.GreaterThan(losses[best - 1]), "the loss fell");
    }

    [Test]
    public void Early_stopping_on_float_targets_restores_the_weights_of_the_lowest_validation_loss()
    {
        // Validation targets are the training rule inverted (0.1 where training says 0.9): learning the rule raises
        // the validation loss, so its lowest comes early and Fit stops `patience` epochs later, restoring that epoch.
        (Trainer trainer, Dataset data) = FloatTargetProblem(seed: 9, learnRate: 5f, invertValidation: true);
        Sequential model = trainer.Model;
        var weightsAfter = new List<float[][]>();
        TrainingHistory history = trainer.Fit(data.Slice(0, 40), new TrainingOptions { Epochs = 60, BatchSize = 40, EarlyStoppingPatience = 2 }, data.Slice(40, 20),
            epochProgress: new ScheduleTests.Recorder<EpochResult>(_ => weightsAfter.Add([.. model.Parameters.Select(p => p.Value.ToArray())])));

        double[] losses = [.. history.Select(r => r.EvaluationLoss!.Value)];
        int best = Array.IndexOf(losses, losses.Min()) + 1;
        Assert.That(history.StoppedEarly, Is.True, string.Join(", ", losses));
        Assert.That(history.BestEpoch, Is.EqualTo(best));
        Assert.That(history.Count, Is.EqualTo(best + 2), "stopped 2 epochs after the lowest validation loss");
        Assert.That(history.RestoredBestWeights, Is.True);
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            Assert.That(model.Parameters[p].Value.ToArray(), Is.EqualTo(weightsAfter[best - 1][p]), $"parameter {p} holds epoch {best}'s weights, bit for bit");
            Assert.That(model.Parameters[p].Value.ToArray(), Is.Not.EqualTo(weightsAfter[^1][p]), $"parameter {p} is not the last epoch's");
        }
    }

    /// <summary>
    /// 60 points in the plane, target 0.9 where x0 + x1 > 0 and 0.1 elsewhere (the last 20, the validation data, the
    /// other way round when <paramref name="invertValidation"/>), and a 2-3-1 sigmoid net with SGD on them.
    /// </summary>
    private static (Trainer Trainer, Dataset Data) FloatTargetProblem(ulong seed, float learnRate, bool invertValidation)
    {
        var random = new DeterministicRandom(seed);
        var features = new Tensor(60, 2);
        var targets = new Tensor(60, 1);
        for (int i = 0; i < 60; i++)
        {
            features[i, 0] = (float)random.NextGaussian();
            features[i, 1] = (float)random.NextGaussian();
            bool positive = features[i, 0] + features[i, 1] > 0;
            targets[i, 0] = positive != (invertValidation && i >= 40) ? 0.9f : 0.1f;
        }

        var model = new Sequential(new Dense(2, 3, WeightInit.ScaledNormal, random, "h"), new Sigmoid(), new Dense(3, 1, WeightInit.ScaledNormal, random, "o"), new Sigmoid());
        return (new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, learnRate)), Dataset.FromFeatures(features, targets));
    }

    [Test]
    public void Early_stopping_without_evaluation_data_is_refused_before_training()
    {
        (Trainer trainer, Dataset data) = ScheduleTests.TinyProblem(withLearnRate: true, out _);
        float before = trainer.Model.Parameters[0].Value[0];
        Assert.That(() => trainer.Fit(data, new TrainingOptions { EarlyStoppingPatience = 2 }),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("evaluationData").And.Message.Contains("validation"));
        Assert.That(trainer.Model.Parameters[0].Value[0], Is.EqualTo(before));
    }
}
