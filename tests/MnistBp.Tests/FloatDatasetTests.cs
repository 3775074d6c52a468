// Data beyond bytes: datasets from float features with class labels or float targets, filled into
// batches, sliced, refused when malformed, and trained by Trainer.Fit; the tutorial's four people go
// through Fit and come out with the weights of sample 03's hand-written loop.
using MnistBp.Samples.NetworkFromLayers;
using MnistBp.Samples.TutorialNetwork;

namespace MnistBp.Tests;

public class FloatDatasetTests
{
    // Three samples of two features, with 3 classes or 2 float targets; nothing here is an image.
    private static Tensor Features() => Tensor.FromValues(3, 2, [0.5f, -1f, 2f, 3f, -4.25f, 0f], "x");

    private static Dataset Labelled() => Dataset.FromFeatures(Features(), [2, 0, 1], classCount: 3);

    private static Dataset Regression() => Dataset.FromFeatures(Features(), Tensor.FromValues(3, 2, [10f, 11f, 20f, 21f, 30f, 31f], "y"));

    /// <summary>The tutorial's four people: (weight - 135, height - 66) and 1 for F, 0 for M, as sample 03 converts them to floats.</summary>
    private static Dataset FourPeople()
    {
        double[][] data = TutorialData.Data;
        Tensor features = Tensor.FromValues(data.Length, 2, [.. data.SelectMany(x => x.Select(v => (float)v))], "data");
        Tensor targets = Tensor.FromValues(data.Length, 1, [.. TutorialData.AllYTrues.Select(y => (float)y)], "all_y_trues");
        return Dataset.FromFeatures(features, targets);
    }

    private static float[][] Values(Sequential model) => [.. model.Parameters.Select(p => p.Value.ToArray())];

    private static int[][] Bits(Sequential model) => [.. Values(model).Select(v => v.Select(BitConverter.SingleToInt32Bits).ToArray())];

    [Test]
    public void The_four_people_trained_by_Fit_end_with_the_bits_and_losses_of_sample_03()
    {
        Weights start = new OurNeuralNetwork(TutorialData.DefaultSeed).CurrentWeights;
        Sequential model = LayersNetwork.Build(start), reference = LayersNetwork.Build(start);
        Dataset people = FourPeople();

        // Fit: one person per batch, in order, 1000 epochs, the loss on all four after every epoch.
        var trainer = new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 0.1f));
        IReadOnlyList<EpochResult> results = trainer.Fit(people, new TrainingOptions { BatchSize = 1, Epochs = 1000, Shuffle = false }, evaluationData: people);

        // Sample 03's own loop, reporting the loss on all four after epochs 0, 10, ... 990 (counting from 0).
        var sample03Losses = new List<double>();
        LayersNetwork.Train(reference, TutorialData.Data, TutorialData.AllYTrues, (_, loss) => sample03Losses.Add(loss));

        Assert.That(Bits(model), Is.EqualTo(Bits(reference)), "the same float operations in the same order: bit-identical weights");
        double[] fitLosses = [.. Enumerable.Range(0, 100).Select(i => results[i * 10].EvaluationLoss!.Value)];
        Assert.That(fitLosses, Is.EqualTo(sample03Losses), "Fit counts epochs from 1, sample 03 from 0: Fit's epoch 10 i + 1 is sample 03's epoch 10 i");

        Tensor all = people.GetImages(), allYTrues = Tensor.FromValues(4, 1, people.Targets.Span);
        float lossAfter = new MeanSquaredError().Forward(reference.Forward(all), allYTrues);
        Assert.That(results[^1].EvaluationLoss, Is.EqualTo(lossAfter), "the loss after training");
        Assert.That(results[^1].Evaluation, Is.Null, "float targets have no accuracy");
        Assert.That(lossAfter, Is.LessThan(0.01), "the tutorial's network learnt");
        Assert.That(model.PredictSample([-7f, -3f])[0], Is.GreaterThan(0.9f), "Emily");
        Assert.That(model.PredictSample([20f, 2f])[0], Is.LessThan(0.1f), "Frank");
    }

    [Test]
    public void Without_shuffling_the_seed_does_not_matter_and_with_it_it_does()
    {
        Weights start = new OurNeuralNetwork(TutorialData.DefaultSeed).CurrentWeights;
        float[][] Train(bool shuffle, ulong seed)
        {
            Sequential model = LayersNetwork.Build(start);
            new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 0.1f))
                .Fit(FourPeople(), new TrainingOptions { BatchSize = 1, Epochs = 3, Shuffle = shuffle, ShuffleSeed = seed });
            return Values(model);
        }

        Assert.That(new TrainingOptions().Shuffle, Is.True, "shuffling is the default");
        Assert.That(Train(shuffle: false, seed: 1), Is.EqualTo(Train(shuffle: false, seed: 2)));
        Assert.That(Train(shuffle: true, seed: 1), Is.Not.EqualTo(Train(shuffle: false, seed: 1)));
    }

    [Test]
    public void Float_features_with_labels_learn_a_separable_problem_to_100_percent()
    {
        // Four classes around the corners (±1, ±1), 20 samples each, jittered by up to 0.3.
        var random = new DeterministicRandom(7);
        float[] corners = [-1f, -1f, -1f, 1f, 1f, -1f, 1f, 1f];
        int count = 80;
        var features = new float[count * 2];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % 4);
            features[2 * i] = corners[2 * labels[i]] + (float)(random.NextDouble() * 0.6 - 0.3);
            features[2 * i + 1] = corners[2 * labels[i] + 1] + (float)(random.NextDouble() * 0.6 - 0.3);
        }

        Dataset data = Dataset.FromFeatures(Tensor.FromValues(count, 2, features), labels, classCount: 4);
        var model = new Sequential(
            new Dense(2, 8, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid(),
            new Dense(8, 4, WeightInit.ScaledNormal, random, "output"), new Sigmoid());
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
        double before = Evaluation.Of(model, data).Accuracy;

        IReadOnlyList<EpochResult> results = trainer.Fit(data, new TrainingOptions { Epochs = 100, BatchSize = 8, ShuffleSeed = 3 }, evaluationData: data);

        Assert.That(before, Is.LessThan(0.5), "an untrained network guesses");
        Assert.That(results[^1].Evaluation!.Accuracy, Is.EqualTo(1.0));
        Assert.That(results[^1].Evaluation!.Count, Is.EqualTo(count));
        Assert.That(results[^1].EvaluationLoss, Is.Null, "labelled data reports an Evaluation, not a loss");
        Assert.That(results[^1].MeanTrainingLoss, Is.LessThan(results[0].MeanTrainingLoss));
    }

    [Test]
    public void A_dataset_knows_its_kind()
    {
        Dataset labelled = Labelled(), regression = Regression();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((labelled.HasLabels, labelled.ClassCount, labelled.TargetCount, labelled.Count, labelled.FeatureCount), Is.EqualTo((true, 3, 3, 3, 2)));
            Assert.That((regression.HasLabels, regression.ClassCount, regression.TargetCount, regression.Count, regression.FeatureCount), Is.EqualTo((false, 0, 2, 3, 2)));
            Assert.That(labelled.ImageShape, Is.EqualTo(new[] { 2 }));
            Assert.That(regression.ImageShape, Is.EqualTo(new[] { 2 }));
            Assert.That(labelled.Labels.ToArray(), Is.EqualTo(new byte[] { 2, 0, 1 }));
            Assert.That(regression.Targets.ToArray(), Is.EqualTo(new[] { 10f, 11f, 20f, 21f, 30f, 31f }));
            Assert.That(regression.GetImages().ToArray(), Is.EqualTo(Features().ToArray()), "float features are kept as given, not scaled");
        }

        Assert.That(() => regression.Labels, Throws.InvalidOperationException.With.Message.Contains("float targets").And.Message.Contains("HasLabels"));
        Assert.That(() => labelled.Targets, Throws.InvalidOperationException.With.Message.Contains("class labels").And.Message.Contains("Labels"));
    }

    [Test]
    public void FromFeatures_copies_its_inputs()
    {
        Tensor features = Features(), targets = Tensor.FromValues(3, 1, [1f, 2f, 3f]);
        byte[] labels = [2, 0, 1];
        Dataset labelled = Dataset.FromFeatures(features, labels, 3), regression = Dataset.FromFeatures(features, targets);

        features.Fill(9f);
        targets.Fill(9f);
        labels[0] = 0;

        Assert.That(labelled.GetImages().ToArray(), Is.EqualTo(Features().ToArray()));
        Assert.That(regression.GetImages().ToArray(), Is.EqualTo(Features().ToArray()));
        Assert.That(labelled.GetImages(), Is.Not.SameAs(regression.GetImages()));
        Assert.That(labelled.Labels.ToArray(), Is.EqualTo(new byte[] { 2, 0, 1 }));
        Assert.That(regression.Targets.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
    }

    [Test]
    public void Shapes_counts_and_labels_that_do_not_fit_are_refused()
    {
        Tensor features = Features();
        Assert.That(() => Dataset.FromFeatures(features, [0, 1], 3),
            Throws.ArgumentException.With.Message.Contains("features x [3 x 2] hold 3 samples but labels [2] hold 2").And.Property("ParamName").EqualTo("labels"));
        Assert.That(() => Dataset.FromFeatures(features, Tensor.FromValues(2, 1, [0f, 1f], "y")),
            Throws.ArgumentException.With.Message.Contains("features x [3 x 2] hold 3 samples but targets y [2 x 1] hold 2").And.Property("ParamName").EqualTo("targets"));
        Assert.That(() => Dataset.FromFeatures(Tensor.FromValues([1f, 2f, 3f], "flat"), [0, 1, 2], 3),
            Throws.ArgumentException.With.Message.Contains("features flat [3] should be [count x featureCount]"));
        Assert.That(() => Dataset.FromFeatures(features, Tensor.FromValues([0f, 1f, 1f], "y")),
            Throws.ArgumentException.With.Message.Contains("targets y [3] should be [count x targetCount]"));
        Assert.That(() => Dataset.FromFeatures(features, new Tensor(3, 0, "none")),
            Throws.ArgumentException.With.Message.Contains("targets none [3 x 0] should be").And.Message.Contains("at least one target"));
        Assert.That(() => Dataset.FromFeatures(features, [2, 0, 5], 4),
            Throws.ArgumentException.With.Message.Contains("sample 2 has label 5, not a class index from 0 to 3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromFeatures(features, [0, 0, 0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromFeatures(features, [0, 0, 0], 257));
        Assert.That(Dataset.FromFeatures(features, [255, 0, 0], 256).ClassCount, Is.EqualTo(256), "a byte label reaches 256 classes");
        Assert.That(Dataset.FromFeatures(new Tensor(0, 2), new Tensor(0, 1)).Count, Is.Zero, "an empty dataset is allowed");
    }

    [Test]
    public void NaN_and_infinity_are_refused_naming_the_sample_and_the_column()
    {
        Tensor features = Features();
        features[2, 1] = float.NaN;
        Assert.That(() => Dataset.FromFeatures(features, [0, 1, 2], 3),
            Throws.ArgumentException.With.Message.Contains("features: sample 2, feature 1 is NaN").And.Property("ParamName").EqualTo("features"));
        Assert.That(() => Dataset.FromFeatures(features, new Tensor(3, 1)),
            Throws.ArgumentException.With.Message.Contains("features: sample 2, feature 1 is NaN"));

        Tensor targets = Tensor.FromValues(3, 2, [0f, 0f, 0f, float.PositiveInfinity, float.NegativeInfinity, 0f]);
        Assert.That(() => Dataset.FromFeatures(Features(), targets),
            Throws.ArgumentException.With.Message.Contains("targets: sample 1, target 1 is +infinity").And.Property("ParamName").EqualTo("targets"));
        targets[1, 1] = 0f;
        Assert.That(() => Dataset.FromFeatures(Features(), targets),
            Throws.ArgumentException.With.Message.Contains("targets: sample 2, target 0 is -infinity"));
    }

    [Test]
    public void FillBatch_writes_one_hot_rows_for_labels_and_target_rows_for_float_targets()
    {
        var inputs = new Tensor(3, 2);
        var oneHot = new Tensor(3, 3);
        var rows = new Tensor(3, 2);
        oneHot.Fill(7f); // stale values from a previous batch must go
        rows.Fill(7f);

        Labelled().FillBatch([1, 2, 1], inputs, oneHot);
        Assert.That(inputs.ToArray(), Is.EqualTo(new[] { 2f, 3f, -4.25f, 0f, 2f, 3f }));
        Assert.That(oneHot.ToArray(), Is.EqualTo(new[] { 1f, 0f, 0f, /**/ 0f, 1f, 0f, /**/ 1f, 0f, 0f }));

        inputs.Clear();
        Regression().FillBatch([2, 0, 2], inputs, rows);
        Assert.That(inputs.ToArray(), Is.EqualTo(new[] { -4.25f, 0f, 0.5f, -1f, -4.25f, 0f }));
        Assert.That(rows.ToArray(), Is.EqualTo(new[] { 30f, 31f, 10f, 11f, 30f, 31f }));
    }

    [Test]
    public void FillBatch_names_the_target_width_of_each_kind()
    {
        Assert.That(() => Regression().FillBatch([0, 1], new Tensor(2, 2), new Tensor(2, 3, "y")),
            Throws.ArgumentException.With.Message.Contains("targets y [2 x 3] should be [2 x 2] (2 indices x 2 targets)"));
        Assert.That(() => Labelled().FillBatch([0, 1], new Tensor(2, 2), new Tensor(2, 2, "y")),
            Throws.ArgumentException.With.Message.Contains("targets y [2 x 2] should be [2 x 3] (2 indices x 3 classes, one-hot)"));
        Assert.That(() => Regression().FillBatch([0, 3], new Tensor(2, 2), new Tensor(2, 2)),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("indices[1] = 3 is outside the dataset of 3 items"));
    }

    [Test]
    public void FillBatch_of_float_data_allocates_nothing()
    {
        Dataset labelled = Labelled(), regression = Regression();
        var inputs = new Tensor(3, 2);
        var oneHot = new Tensor(3, 3);
        var rows = new Tensor(3, 2);
        int[] indices = [2, 0, 1];
        labelled.FillBatch(indices, inputs, oneHot); // warm up
        regression.FillBatch(indices, inputs, rows);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            labelled.FillBatch(indices, inputs, oneHot);
            regression.FillBatch(indices, inputs, rows);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Slice_keeps_the_kind_and_copies_labels_or_targets()
    {
        Dataset labelled = Labelled().Slice(1, 2), regression = Regression().Slice(1, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((labelled.HasLabels, labelled.Count, labelled.ClassCount, labelled.TargetCount), Is.EqualTo((true, 2, 3, 3)));
            Assert.That(labelled.Labels.ToArray(), Is.EqualTo(new byte[] { 0, 1 }));
            Assert.That(labelled.GetImages().ToArray(), Is.EqualTo(new[] { 2f, 3f, -4.25f, 0f }));
            Assert.That((regression.HasLabels, regression.Count, regression.ClassCount, regression.TargetCount), Is.EqualTo((false, 2, 0, 2)));
            Assert.That(regression.Targets.ToArray(), Is.EqualTo(new[] { 20f, 21f, 30f, 31f }));
            Assert.That(regression.GetImages().ToArray(), Is.EqualTo(new[] { 2f, 3f, -4.25f, 0f }));
            Assert.That(regression.ImageShape, Is.EqualTo(new[] { 2 }));
            Assert.That(Regression().Slice(3, 0).Count, Is.Zero);
        }

        var rows = new Tensor(1, 2);
        regression.FillBatch([1], new Tensor(1, 2), rows);
        Assert.That(rows.ToArray(), Is.EqualTo(new[] { 30f, 31f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Regression().Slice(2, 2));
    }

    [Test]
    public void Fit_refuses_evaluation_data_that_does_not_fit_before_training()
    {
        Sequential model = LayersNetwork.Build(new OurNeuralNetwork(TutorialData.DefaultSeed).CurrentWeights);
        var trainer = new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 0.1f));
        float[][] before = Values(model);
        var options = new TrainingOptions { BatchSize = 1, Shuffle = false };

        // Three features where the model takes two; two targets where it gives one; three classes likewise.
        Dataset threeFeatures = Dataset.FromFeatures(new Tensor(4, 3), new Tensor(4, 1));
        Dataset twoTargets = Dataset.FromFeatures(new Tensor(4, 2), new Tensor(4, 2));
        Dataset threeClasses = Dataset.FromFeatures(new Tensor(4, 2), [0, 1, 2, 0], 3);
        Assert.That(() => trainer.Fit(FourPeople(), options, threeFeatures),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("evaluationData")
                .And.Message.Contains("evaluationData (Dataset 4 samples [3], 1 target) does not fit the model (Sequential 2 -> 2 -> 1")
                .And.Message.Contains("its samples have 3 features; Dense 'hidden' 2 -> 2: an input of 3 values per sample does not fit W hidden [2 x 2]")
                .And.Message.Not.Contains("inputSize"));
        Assert.That(() => trainer.Fit(FourPeople(), options, twoTargets),
            Throws.ArgumentException.With.Message.Contains("the model gives 1 output per sample but the data has 2 targets per sample"));
        Assert.That(() => trainer.Fit(FourPeople(), options, threeClasses),
            Throws.ArgumentException.With.Message.Contains("the model gives 1 output per sample but the data has 3 classes (one output per class)"));
        Assert.That(Values(model), Is.EqualTo(before), "no epoch ran: the weights are unchanged");
    }

    [Test]
    public void Evaluation_needs_class_labels_and_a_model_with_one_output_per_class()
    {
        var model = new Sequential(new Dense(2, 2, "two"), new Sigmoid());
        Assert.That(() => Evaluation.Of(model, Regression()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("data").And.Message.Contains("needs class labels").And.Message.Contains("float targets"));
        Assert.That(() => Evaluation.Of(model, Labelled()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("data")
                .And.Message.Contains("data (Dataset 3 images [2], 3 classes) does not fit the model (Sequential 2 -> 2")
                .And.Message.Contains("the model gives 2 outputs per sample but the data has 3 classes"));
        Assert.That(() => Evaluation.Of(new Sequential(new Dense(5, 3, "five")), Labelled()),
            Throws.ArgumentException.With.Message.Contains("its samples have 2 features; Dense 'five' 5 -> 3: an input of 2 values per sample").And.Message.Not.Contains("inputSize"));
    }

    [Test]
    public void The_debugger_shows_targets_for_a_regression_set()
    {
        Dataset regression = Regression();
        var view = new DatasetDebugView(regression);

        Assert.That(DebuggerText.Of(regression), Is.EqualTo("Dataset 3 samples [2], 2 targets"));
        Assert.That(DebuggerText.Of(FourPeople().Slice(0, 1)), Is.EqualTo("Dataset 1 sample [2], 1 target"));
        Assert.That(DebuggerText.Of(Labelled()), Is.EqualTo("Dataset 3 images [2], 3 classes"));
        Assert.That((view.ClassCount, view.TargetCount), Is.EqualTo((0, 2)));
        Assert.That(view.FirstLabels, Is.Empty);
        Assert.That(view.LabelCounts, Is.Empty);
        Assert.That(view.FirstTargets, Is.EqualTo(new[] { new[] { 10f, 11f }, [20f, 21f], [30f, 31f] }));
        Assert.That(new DatasetDebugView(Labelled()).FirstTargets, Is.Empty);
        Assert.That(new DatasetDebugView(Labelled()).LabelCounts, Is.EqualTo(new[] { 1, 1, 1 }));
    }
}
