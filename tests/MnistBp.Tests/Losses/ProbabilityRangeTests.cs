// The cross-entropy losses refuse values that are not probabilities where they need probabilities:
// CrossEntropyCost's predictions and every cross-entropy's targets, with a message naming the loss,
// the row, the column and the value (before, CrossEntropyCost of a prediction of 2 was 2.4e-7, and
// Fit blamed the step size). NaN still passes through as NaN. The range kernel against its twin.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class ProbabilityRangeTests : RestoresKernelSettings
{
    [Test]
    public void CrossEntropyCost_refuses_a_prediction_outside_0_to_1_and_says_which_loss_fits_logits()
    {
        var loss = new CrossEntropyCost();
        Tensor a = Tensor.FromValues(2, 2, [0.5f, 0.5f, 2f, -1f]), y = Tensor.FromValues(2, 2, [1f, 0f, 1f, 0f]);
        string expected = "CrossEntropyCost: predicted[1, 0] is 2, outside [0, 1]. CrossEntropyCost compares probabilities, such as a Sigmoid layer's outputs; " +
            "for a model that ends in a Dense (logits), use SigmoidCrossEntropy or SoftmaxCrossEntropy. (Parameter 'predicted')";
        Assert.That(() => loss.Forward(a, y), Throws.ArgumentException.With.Message.EqualTo(expected));
        Assert.That(() => loss.Backward(a, y), Throws.ArgumentException.With.Message.EqualTo(expected));
        Assert.That(() => loss.Forward(Tensor.FromValues(1, 2, [float.NegativeInfinity, 0.5f]), Tensor.FromValues(1, 2, [1f, 0f])),
            Throws.ArgumentException.With.Message.StartsWith("CrossEntropyCost: predicted[0, 0] is -Infinity, outside [0, 1]."));
    }

    [TestCase(typeof(CrossEntropyCost), 3f)]
    [TestCase(typeof(CrossEntropyCost), -0.5f)]
    [TestCase(typeof(SigmoidCrossEntropy), 1.5f)]
    [TestCase(typeof(SoftmaxCrossEntropy), -1f)]
    [TestCase(typeof(SoftmaxCrossEntropy), 3f)]
    public void The_cross_entropies_refuse_a_target_outside_0_to_1(Type lossType, float bad)
    {
        var loss = (Loss)Activator.CreateInstance(lossType)!;
        Tensor predicted = Tensor.FromValues(2, 3, [0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f]);
        Tensor target = Tensor.FromValues(2, 3, [0f, 0f, 1f, 0f, bad, 1f]);
        Assert.That(() => loss.Forward(predicted, target), Throws.ArgumentException
            .With.Message.StartsWith($"{lossType.Name}: target[1, 1] is {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)}, outside [0, 1].")
            .And.Property("ParamName").EqualTo("target"));
        Assert.That(() => loss.Backward(predicted, target), Throws.ArgumentException.With.Message.Contains("target[1, 1]"));
        target[1, 1] = 0f;
        Assert.That(float.IsFinite(loss.Forward(predicted, target)), Is.True, "0 and 1 and anything between pass");
    }

    [Test]
    public void Fit_with_CrossEntropyCost_after_a_Dense_says_to_use_a_loss_over_logits()
    {
        var random = new DeterministicRandom(3);
        var model = new Sequential(new Dense(4, 3, WeightInit.StandardNormal, random, "logits")); // no Sigmoid before the loss
        var features = new Tensor(20, 4);
        byte[] labels = new byte[20];
        for (int i = 0; i < features.Length; i++)
        {
            features.AsSpan()[i] = 3f * (float)random.NextGaussian();
        }

        var trainer = new Trainer(model, new CrossEntropyCost(), new Sgd(model.Parameters, 0.1f));
        Assert.That(() => trainer.Fit(Dataset.FromFeatures(features, labels, 3), new TrainingOptions { Epochs = 1, BatchSize = 10 }),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("use SigmoidCrossEntropy or SoftmaxCrossEntropy"));
    }

    [Test]
    public void Fit_refuses_a_target_outside_the_losss_range_before_the_first_step_naming_the_sample()
    {
        var random = new DeterministicRandom(4);
        var model = new Sequential(new Dense(4, 3, WeightInit.XavierNormal, random, "logits"));
        var features = new Tensor(30, 4);
        var targets = new Tensor(30, 3);
        for (int i = 0; i < 30; i++)
        {
            features[i, i % 4] = 1f;
            targets[i, i % 3] = 1f;
        }

        targets[17, 1] = 2f;
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.Parameters, 0.1f));
        float[] before = model.Parameters[0].Value.ToArray();
        Dataset bad = Dataset.FromFeatures(features, targets);
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(bad, new TrainingOptions { Epochs = 1, BatchSize = 10 }));
        Assert.That(error!.Message, Does.Contain("sample 17 has target 1 = 2, outside [0, 1], the range of targets SoftmaxCrossEntropy takes. Nothing was trained."));
        Assert.That(error.ParamName, Is.EqualTo("trainingData"));
        Assert.That(model.Parameters[0].Value.ToArray(), Is.EqualTo(before));

        // the same check for the evaluation data; and a loss without a range (QuadraticCost) takes any target
        targets[17, 1] = 0f;
        Dataset good = Dataset.FromFeatures(features, targets);
        Assert.That(() => trainer.Fit(good, new TrainingOptions { Epochs = 1, BatchSize = 10 }, evaluationData: bad),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("evaluationData"));
        Assert.That(new QuadraticCost().TargetRange, Is.Null);
        Assert.That(() => new Trainer(model, new EmptyRange(), new Sgd(model.Parameters, 0.1f)).Fit(good, new TrainingOptions { Epochs = 1 }),
            Throws.InvalidOperationException.With.Message.EqualTo("EmptyRange.TargetRange is [1, 0], which holds no number: give a minimum no larger than the maximum, or null for any target."));
        Assert.That(new SoftmaxCrossEntropy().TargetRange, Is.EqualTo(((float, float)?)(0f, 1f)));
    }

    [Test]
    public void Step_refuses_a_target_outside_a_user_losss_range_before_changing_a_weight()
    {
        // The user loss checks nothing itself: only its TargetRange says targets are in [0, 1].
        var model = new Sequential(new Dense(2, 3, WeightInit.XavierNormal, new DeterministicRandom(5), "logits"));
        var trainer = new Trainer(model, new RangeOnly(), new Sgd(model.Parameters, 0.1f));
        Tensor x = Tensor.FromValues(2, 2, [1f, 0f, 0f, 1f]);
        Tensor y = Tensor.FromValues(2, 3, [0f, 1f, 0f, 0f, 0f, -3f]);
        float[] before = model.Parameters[0].Value.ToArray();
        const string expected = "Trainer.Step: targets[1, 2] is -3, outside [0, 1], the TargetRange of RangeOnly. (Parameter 'targets')";
        Assert.That(() => trainer.Step(x, y), Throws.ArgumentException.With.Message.EqualTo(expected));
        Assert.That(() => trainer.Step(x, y, new TrainingOptions { MaxNorm = 3f }), Throws.ArgumentException.With.Message.EqualTo(expected));
        Assert.That(model.Parameters[0].Value.ToArray(), Is.EqualTo(before), "nothing was trained");
        Assert.That(() => new Trainer(model, new EmptyRange(), new Sgd(model.Parameters, 0.1f)).Step(x, y),
            Throws.InvalidOperationException.With.Message.StartsWith("EmptyRange.TargetRange is [1, 0], which holds no number"));

        y[1, 2] = 1f;
        Assert.That(trainer.Step(x, y), Is.EqualTo(0.5f), "targets inside the range train");
        Assert.That(model.Parameters[0].Value.ToArray(), Is.Not.EqualTo(before));
    }

    /// <summary>A user loss that declares its targets' range and checks nothing itself: L = 0.5, dL/dp = p.</summary>
    private sealed class RangeOnly : Loss
    {
        public override (float Minimum, float Maximum)? TargetRange => (0f, 1f);

        public override float Forward(Tensor predicted, Tensor target) => 0.5f;

        public override Tensor Backward(Tensor predicted, Tensor target) => predicted;
    }

    /// <summary>A user loss whose TargetRange is upside down.</summary>
    private sealed class EmptyRange : Loss
    {
        public override (float Minimum, float Maximum)? TargetRange => (1f, 0f);

        public override float Forward(Tensor predicted, Tensor target) => 0f;

        public override Tensor Backward(Tensor predicted, Tensor target) => predicted;
    }

    [Test]
    public void A_NaN_prediction_is_not_outside_and_still_gives_a_NaN_loss()
    {
        var loss = new CrossEntropyCost();
        Assert.That(loss.Forward(Tensor.FromValues(1, 2, [float.NaN, 0.5f]), Tensor.FromValues(1, 2, [1f, 0f])), Is.NaN);
    }

    [Test]
    public void FirstOutside_matches_its_scalar_twin([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [Values(0, 1, 7, 8, 15, 16, 17, 33, 100)] int length)
    {
        SoftmaxKernelTests.UsePath(path);
        var random = new DeterministicRandom((ulong)length + 7);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        Assert.That(Kernels.FirstOutside(values, 0f, 1f), Is.EqualTo(-1), "all inside");
        for (int at = 0; at < length; at++)
        {
            foreach (float bad in new[] { -1e-7f, 1.0000001f, float.PositiveInfinity, float.NegativeInfinity })
            {
                float[] copy = [.. values];
                copy[at] = bad;
                if (at < length - 1)
                {
                    copy[length - 1] = 5f; // a later one too: the first is the one found
                }

                int twin = Kernels.FirstOutsideScalar(copy, 0f, 1f);
                Assert.That(twin, Is.EqualTo(at), $"twin: {bad} at {at} of {length}");
                Assert.That(Kernels.FirstOutside(copy, 0f, 1f), Is.EqualTo(twin), $"{path}: {bad} at {at} of {length}");
            }
        }

        if (length > 0)
        {
            values[length / 2] = float.NaN;
            Assert.That(Kernels.FirstOutside(values, 0f, 1f), Is.EqualTo(-1), "NaN is not outside");
        }
    }
}
