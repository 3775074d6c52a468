// Gradient-norm clipping and max-norm, through Trainer.Step with TrainingOptions: clipping makes the
// global gradient norm at most c (by exactly the factor c / (norm + 1e-6)) and leaves smaller gradients
// alone, bit for bit; max-norm bounds every column of every weight matrix, never touches biases, and
// leaves short columns alone. Two identical models (same seed) are stepped side by side.
namespace MnistBp.Tests.Training;

internal sealed class ClippingAndMaxNormTests
{
    private static Trainer NewTrainer(float learnRate = 1f)
    {
        var random = new DeterministicRandom(11);
        var model = new Sequential(new Dense(6, 5, WeightInit.StandardNormal, random, "h"), new Sigmoid(), new Dense(5, 3, WeightInit.StandardNormal, random, "o"), new Sigmoid());
        return new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, learnRate));
    }

    private static (Tensor Inputs, Tensor Targets) Batch()
    {
        var random = new DeterministicRandom(12);
        var inputs = new Tensor(4, 6);
        var targets = new Tensor(4, 3);
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)(3 * random.NextGaussian());
        }

        for (int r = 0; r < 4; r++)
        {
            targets[r, r % 3] = 1f;
        }

        return (inputs, targets);
    }

    private static double GlobalNorm(Trainer trainer) =>
        Math.Sqrt(trainer.Model.Parameters.Sum(p => p.Gradient.ToArray().Sum(g => (double)g * g)));

    [Test]
    public void Clipping_bounds_the_global_gradient_norm()
    {
        (Tensor inputs, Tensor targets) = Batch();
        Trainer plain = NewTrainer(), clipped = NewTrainer();
        plain.Step(inputs, targets);
        double norm = GlobalNorm(plain);
        float clip = (float)(norm / 4);

        clipped.Step(inputs, targets, new TrainingOptions { GradientClipNorm = clip });

        Assert.That(GlobalNorm(clipped), Is.LessThanOrEqualTo(clip * (1 + 1e-6)), $"unclipped norm {norm}");
        Assert.That(GlobalNorm(clipped), Is.EqualTo(clip).Within(clip * 1e-5), "scaled to the bound, not below it");
        double factor = clip / (norm + 1e-6);
        for (int p = 0; p < plain.Model.Parameters.Count; p++)
        {
            float[] expected = [.. plain.Model.Parameters[p].Gradient.ToArray().Select(g => (float)(g * factor))];
            Assert.That(clipped.Model.Parameters[p].Gradient.ToArray(), Is.EqualTo(expected).Within(1e-6f), $"every gradient times c / (norm + 1e-6), parameter {p}");
        }
    }

    [Test]
    public void Clipping_acts_on_gradients_whose_float_squares_overflow()
    {
        // A linear model fed inputs of 1e15: its weight gradients reach about 1e30, whose squares overflow float
        // (max 3.4e38). The norm is taken in double, so clipping still brings it to c instead of giving up.
        var random = new DeterministicRandom(13);
        var model = new Sequential(new Dense(3, 2, WeightInit.StandardNormal, random, "linear"));
        var trainer = new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 1f));
        Tensor inputs = Tensor.FromValues(2, 3, [1e15f, -1e15f, 1e15f, 2e15f, 1e15f, -1e15f]);
        var targets = new Tensor(2, 2);

        trainer.Step(inputs, targets, new TrainingOptions { GradientClipNorm = 1f });

        double norm = GlobalNorm(trainer);
        Assert.That(double.IsFinite(norm) && norm <= 1 + 1e-5 && norm > 0.99, Is.True, $"global norm after clipping {norm}");
    }

    [Test]
    public void Clipping_leaves_smaller_gradients_alone()
    {
        (Tensor inputs, Tensor targets) = Batch();
        Trainer plain = NewTrainer(), clipped = NewTrainer();
        plain.Step(inputs, targets);
        clipped.Step(inputs, targets, new TrainingOptions { GradientClipNorm = (float)(GlobalNorm(plain) * 2) });
        for (int p = 0; p < plain.Model.Parameters.Count; p++)
        {
            Assert.That(clipped.Model.Parameters[p].Gradient.ToArray(), Is.EqualTo(plain.Model.Parameters[p].Gradient.ToArray()), $"gradient {p}, bit for bit");
            Assert.That(clipped.Model.Parameters[p].Value.ToArray(), Is.EqualTo(plain.Model.Parameters[p].Value.ToArray()), $"value {p}, bit for bit");
        }
    }

    [Test]
    public void Max_norm_bounds_every_column_of_the_weights_and_leaves_biases_alone()
    {
        (Tensor inputs, Tensor targets) = Batch();
        Trainer plain = NewTrainer(), bounded = NewTrainer();
        const float Bound = 0.8f; // N(0, 1) columns of 6 or 5 weights are about 2.3 long: every one is cut
        plain.Step(inputs, targets);
        bounded.Step(inputs, targets, new TrainingOptions { MaxNorm = Bound });

        // ‖w_:c‖ = sqrt(Σ_r w[r, c]²), in double, independently of the kernel
        static double ColumnNorm(Tensor w, int c) => Math.Sqrt(Enumerable.Range(0, w.Rows).Sum(r => (double)w[r, c] * w[r, c]));
        for (int p = 0; p < bounded.Model.Parameters.Count; p++)
        {
            Parameter parameter = bounded.Model.Parameters[p];
            Tensor value = parameter.Value, unbounded = plain.Model.Parameters[p].Value;
            if (parameter.Role == ParameterRole.Biases)
            {
                continue;
            }

            for (int c = 0; c < value.Columns; c++)
            {
                double norm = ColumnNorm(value, c);
                Assert.That(norm, Is.LessThanOrEqualTo(Bound * (1 + 1e-6)), $"{parameter.Name}, column {c}");
                Assert.That(norm, Is.EqualTo(Bound).Within(1e-5), $"{parameter.Name}, column {c}: rescaled to the bound");

                // w_:c ← w_:c · bound / ‖w_:c‖: the same direction as the plain step's column, only shorter
                double plainNorm = ColumnNorm(unbounded, c);
                for (int r = 0; r < value.Rows; r++)
                {
                    Assert.That(value[r, c], Is.EqualTo(unbounded[r, c] * Bound / plainNorm).Within(1e-6), $"{parameter.Name}[{r}, {c}]: the plain step's weight scaled by bound / ‖column‖");
                }
            }
        }

        for (int p = 0; p < plain.Model.Parameters.Count; p++)
        {
            if (plain.Model.Parameters[p].Role == ParameterRole.Biases)
            {
                Assert.That(bounded.Model.Parameters[p].Value.ToArray(), Is.EqualTo(plain.Model.Parameters[p].Value.ToArray()), "biases are not max-norm'd");
            }
        }
    }

    [Test]
    public void Max_norm_leaves_short_columns_alone()
    {
        (Tensor inputs, Tensor targets) = Batch();
        Trainer plain = NewTrainer(), bounded = NewTrainer();
        plain.Step(inputs, targets);
        bounded.Step(inputs, targets, new TrainingOptions { MaxNorm = 1000f });
        for (int p = 0; p < plain.Model.Parameters.Count; p++)
        {
            Assert.That(bounded.Model.Parameters[p].Value.ToArray(), Is.EqualTo(plain.Model.Parameters[p].Value.ToArray()), $"parameter {p}, bit for bit");
        }
    }

    [Test]
    public void Bad_clipping_and_max_norm_settings_are_refused()
    {
        Assert.That(() => new TrainingOptions { GradientClipNorm = 0f }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("GradientClipNorm"));
        Assert.That(() => new TrainingOptions { GradientClipNorm = float.NaN }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("GradientClipNorm"));
        Assert.That(() => new TrainingOptions { MaxNorm = float.PositiveInfinity }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxNorm"));
        Assert.That(() => new TrainingOptions { EarlyStoppingPatience = 0 }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("EarlyStoppingPatience"));
        (Tensor inputs, Tensor targets) = Batch();
        Assert.That(() => NewTrainer().Step(inputs, targets, new TrainingOptions { MaxNorm = -1f }), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Step_refuses_options_that_only_Fit_applies_instead_of_ignoring_them()
    {
        (Tensor inputs, Tensor targets) = Batch();
        Trainer trainer = NewTrainer();
        float[] before = trainer.Model.Parameters[0].Value.ToArray();
        Assert.That(() => trainer.Step(inputs, targets, new TrainingOptions { Schedule = LearnRateSchedule.Cosine() }), Throws.ArgumentException.With.Message.StartsWith(
            "Trainer.Step uses only the options' GradientClipNorm and MaxNorm, but they set Schedule (Cosine minimumRate=0), which only Fit applies."));
        Assert.That(() => trainer.Step(inputs, targets, new TrainingOptions { EarlyStoppingPatience = 3 }), Throws.ArgumentException.With.Message.Contains("set EarlyStoppingPatience"));
        Assert.That(() => trainer.Step(inputs, targets, new TrainingOptions { Augmentation = new AffineAugmentation(28, 28, 1f, 0f, 0f) }),
            Throws.ArgumentException.With.Message.Contains("set Augmentation ("));
        Assert.That(trainer.Model.Parameters[0].Value.ToArray(), Is.EqualTo(before), "nothing trained");
    }
}
