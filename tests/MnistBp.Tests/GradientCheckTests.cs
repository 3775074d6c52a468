// GradientCheckTests: every backward pass against central finite differences (through the shared
// GradientCheck helper), on both kernel paths; a proof that the helper catches a wrong gradient;
// and the contract around Backward: order, shapes, accumulation and ZeroGrad.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class GradientCheckTests
{
    private KernelSettings _settingsBefore = KernelSettings.Current;

    [SetUp]
    public void RememberSettings() => _settingsBefore = KernelSettings.Current;

    [TearDown]
    public void RestoreSettings() => KernelSettings.Current = _settingsBefore;

    // ---- finite differences ----

    [Test]
    public void Dense_gradients_match_finite_differences([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(1);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random, "hidden");
        Tensor input = Gaussian(random, 5, 3);

        GradientCheckResult result = GradientCheck.CheckLayer(dense, input, random);

        TestContext.Out.WriteLine(result);
        Assert.That(result.Failures, Is.Empty, result.ToString());
        Assert.That(result.Checked, Is.EqualTo(3 * 4 + 4 + 5 * 3), "W, b and dInput, every element");
    }

    [Test]
    public void Sigmoid_gradients_match_finite_differences([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(2);
        // Spread over [-4, 4] or so: the curved part of the sigmoid, where a wrong derivative shows.
        Tensor input = Gaussian(random, 4, 6, scale: 2);

        GradientCheckResult result = GradientCheck.CheckLayer(new Sigmoid(), input, random);

        TestContext.Out.WriteLine(result);
        Assert.That(result.Failures, Is.Empty, result.ToString());
        Assert.That(result.Checked, Is.EqualTo(4 * 6), "dInput, every element");
    }

    [Test]
    public void MeanSquaredError_gradient_matches_finite_differences()
    {
        var random = new DeterministicRandom(3);
        Tensor predicted = Gaussian(random, 3, 4), target = Gaussian(random, 3, 4);

        GradientCheckResult result = GradientCheck.CheckLoss(new MeanSquaredError(), predicted, target);

        TestContext.Out.WriteLine(result);
        Assert.That(result.Failures, Is.Empty, result.ToString());
        Assert.That(result.Checked, Is.EqualTo(3 * 4));
    }

    [Test]
    public void Sequential_gradients_match_finite_differences([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(4);
        var model = new Sequential(
            new Dense(4, 5, WeightInit.StandardNormal, random, "hidden"),
            new Sigmoid("hidden sigmoid"),
            new Dense(5, 3, WeightInit.StandardNormal, random, "output"),
            new Sigmoid("output sigmoid"));
        Tensor input = Gaussian(random, 3, 4);
        Tensor target = Uniform(random, 3, 3);

        // The loss is ~0.1 and its float rounding puts ~1e-6 of noise on the numeric gradients (measured:
        // 9e-7), while the hidden layer's gradients are ~1e-4: the default floor of 1e-4 would hide them.
        GradientCheckResult result = GradientCheck.CheckModel(model, new MeanSquaredError(), input, target, absoluteTolerance: 1e-5);

        TestContext.Out.WriteLine(result);
        Assert.That(result.Failures, Is.Empty, result.ToString());
        Assert.That(result.Checked, Is.EqualTo((4 * 5 + 5) + (5 * 3 + 3) + 3 * 4), "both layers' W and b, and dInput");
    }

    // ---- the check can fail ----

    [Test]
    public void Check_reports_a_dInput_that_is_twice_too_large()
    {
        var random = new DeterministicRandom(5);
        Tensor input = Gaussian(random, 4, 6, scale: 2);

        GradientCheckResult result = GradientCheck.CheckLayer(new DoubledDInputSigmoid(), input, random);

        Assert.That(result.Passed, Is.False, result.ToString());
        Assert.That(result.Failures.Select(f => f.Name), Is.All.EqualTo("dInput"));
        // Analytic = 2 x numeric, so the ratio of the two is 2 wherever the gradient is not tiny.
        Assert.That(result.Failures, Has.Count.GreaterThan(result.Checked / 2), result.ToString());
        Assert.That(result.Worst!.Analytic / result.Worst.Numeric, Is.EqualTo(2).Within(0.01));
    }

    [Test]
    public void Check_reports_a_bias_gradient_that_forgot_to_sum_over_the_batch()
    {
        var random = new DeterministicRandom(6);
        var layer = new FirstRowBiasGradientDense(new Dense(3, 4, WeightInit.StandardNormal, random, "buggy"));
        Tensor input = Gaussian(random, 5, 3);

        GradientCheckResult result = GradientCheck.CheckLayer(layer, input, random);

        Assert.That(result.Passed, Is.False, result.ToString());
        Assert.That(result.Failures.Select(f => f.Name), Is.All.EqualTo("b buggy"), "W and dInput are right; only b is wrong");
        Assert.That(result.Failures, Has.Count.EqualTo(4), result.ToString());
    }

    [Test]
    public void Check_reports_a_gradient_off_by_two_percent()
    {
        // A near miss, not a factor of two: the tolerance is tight enough to notice it.
        var random = new DeterministicRandom(7);
        Tensor predicted = Gaussian(random, 2, 3), target = Gaussian(random, 2, 3);
        var loss = new MeanSquaredError();
        loss.Forward(predicted, target);
        float[] analytic = [.. loss.Backward(predicted, target).ToArray().Select(g => g * 1.02f)];

        GradientCheckResult result = GradientCheck.Check(
            () => loss.Forward(predicted, target), [new GradientTarget("dPredicted", predicted, analytic)]);

        Assert.That(result.Passed, Is.False, result.ToString());
    }

    [Test]
    public void Check_restores_every_value_it_nudges()
    {
        var random = new DeterministicRandom(8);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random);
        Tensor input = Gaussian(random, 5, 3);
        float[] weights = dense.Weights.Value.ToArray(), biases = dense.Biases.Value.ToArray(), inputs = input.ToArray();

        GradientCheck.CheckLayer(dense, input, random);

        Assert.That(dense.Weights.Value.ToArray(), Is.EqualTo(weights));
        Assert.That(dense.Biases.Value.ToArray(), Is.EqualTo(biases));
        Assert.That(input.ToArray(), Is.EqualTo(inputs));
    }

    // ---- Backward's contract ----

    [Test]
    public void Backward_before_Forward_throws_InvalidOperationException()
    {
        var dense = new Dense(3, 4, "hidden");
        var sigmoid = new Sigmoid("act");

        Assert.That(() => dense.Backward(new Tensor(5, 4)), Throws.InvalidOperationException
            .With.Message.EqualTo("Dense 'hidden' 3 -> 4: Backward was called before Forward; there is no cached input."));
        Assert.That(() => sigmoid.Backward(new Tensor(5, 4)), Throws.InvalidOperationException
            .With.Message.EqualTo("Sigmoid 'act': Backward was called before Forward; there is no cached input."));
        Assert.That(() => new MeanSquaredError().Backward(new Tensor(5, 4), new Tensor(5, 3)), Throws.ArgumentException);
        Assert.That(() => new Sequential(dense, sigmoid).Backward(new Tensor(5, 4)), Throws.InvalidOperationException);
    }

    [Test]
    public void Backward_with_the_wrong_dOutput_shape_throws_naming_both_shapes()
    {
        var random = new DeterministicRandom(9);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random, "hidden");
        var sigmoid = new Sigmoid("act");
        Tensor output = dense.Forward(Gaussian(random, 5, 3)); // [5 x 4]
        sigmoid.Forward(output);

        Assert.That(() => dense.Backward(new Tensor(5, 3, "dZ")), Throws.ArgumentException
            .With.Message.Contains("dZ [5 x 3]").And.Message.Contains("[5 x 4]").And.Message.Contains("Dense 'hidden'"));
        Assert.That(() => dense.Backward(new Tensor(4, 4, "dZ")), Throws.ArgumentException
            .With.Message.Contains("dZ [4 x 4]").And.Message.Contains("[5 x 4]"));
        Assert.That(() => sigmoid.Backward(new Tensor(20, "ds")), Throws.ArgumentException
            .With.Message.Contains("ds [20]").And.Message.Contains("[5 x 4]").And.Message.Contains("Sigmoid 'act'"));
    }

    [Test]
    public void Dense_Forward_with_the_wrong_number_of_columns_throws_naming_the_shapes()
    {
        var dense = new Dense(3, 4, "hidden");

        Assert.That(() => dense.Forward(new Tensor(5, 2, "x")), Throws.ArgumentException
            .With.Message.Contains("x [5 x 2]").And.Message.Contains("W hidden [3 x 4]").And.Message.Contains("3 columns"));
    }

    [Test]
    public void MeanSquaredError_with_mismatched_shapes_throws_naming_both()
    {
        Assert.That(() => new MeanSquaredError().Forward(new Tensor(2, 3, "yPred"), new Tensor(3, 2, "y")), Throws.ArgumentException
            .With.Message.Contains("y [3 x 2]").And.Message.Contains("yPred [2 x 3]"));
    }

    [Test]
    public void Gradients_accumulate_across_Backward_calls_and_ZeroGrad_clears_them([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(10);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random, "hidden");
        Tensor input = Gaussian(random, 5, 3), dOutput = Gaussian(random, 5, 4);

        dense.Forward(input);
        float[] dInputOnce = dense.Backward(dOutput)!.ToArray();
        float[] dWeightsOnce = dense.Weights.Gradient.ToArray(), dBiasesOnce = dense.Biases.Gradient.ToArray();
        float[] dInputTwice = dense.Backward(dOutput)!.ToArray();

        // Parameter gradients add up (float sums: a few ulps of rounding)...
        Assert.That(dWeightsOnce, Is.Not.All.Zero);
        Assert.That(dense.Weights.Gradient.ToArray(), Is.EqualTo(dWeightsOnce.Select(g => 2 * g).ToArray()).Within(1e-5));
        Assert.That(dense.Biases.Gradient.ToArray(), Is.EqualTo(dBiasesOnce.Select(g => 2 * g).ToArray()).Within(1e-5));
        // ...but dInput is a fresh result each time, not a running sum.
        Assert.That(dInputTwice, Is.EqualTo(dInputOnce));

        dense.ZeroGrad();
        Assert.That(dense.Weights.Gradient.ToArray(), Is.All.Zero);
        Assert.That(dense.Biases.Gradient.ToArray(), Is.All.Zero);
    }

    [Test]
    public void Sequential_ZeroGrad_clears_every_layer()
    {
        var random = new DeterministicRandom(11);
        var model = new Sequential(
            new Dense(4, 5, WeightInit.StandardNormal, random, "hidden"),
            new Sigmoid(),
            new Dense(5, 3, WeightInit.StandardNormal, random, "output"));
        model.Forward(Gaussian(random, 3, 4));
        model.Backward(Gaussian(random, 3, 3));
        Assert.That(model.Parameters, Has.Count.EqualTo(4));
        Assert.That(model.Parameters.Select(p => p.Gradient.ToArray().Any(g => g != 0)), Is.All.True);

        model.ZeroGrad();

        Assert.That(model.Parameters.SelectMany(p => p.Gradient.ToArray()), Is.All.Zero);
    }

    // ---- helpers ----

    private static Tensor Gaussian(DeterministicRandom random, int rows, int columns, double scale = 1)
    {
        var tensor = new Tensor(rows, columns, "x");
        Span<float> values = tensor.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(scale * random.NextGaussian());
        }

        return tensor;
    }

    private static Tensor Uniform(DeterministicRandom random, int rows, int columns)
    {
        var tensor = new Tensor(rows, columns, "y");
        Span<float> values = tensor.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return tensor;
    }

    /// <summary>A deliberately wrong layer: a sigmoid whose Backward returns twice the right dInput.</summary>
    private sealed class DoubledDInputSigmoid() : Layer("doubled")
    {
        private readonly Sigmoid _sigmoid = new();

        public override Tensor Forward(Tensor input) => _sigmoid.Forward(input);

        public override Tensor Backward(Tensor dOutput)
        {
            Tensor dInput = _sigmoid.Backward(dOutput);
            Span<float> values = dInput.AsSpan();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] *= 2f;
            }

            return dInput;
        }
    }

    /// <summary>
    /// A deliberately wrong layer: a Dense whose bias gradient is dZ of the first sample only, the
    /// classic bug of forgetting that every row of the batch used the same bias.
    /// </summary>
    private sealed class FirstRowBiasGradientDense(Dense dense) : Layer("first row bias")
    {
        public override IReadOnlyList<Parameter> Parameters => dense.Parameters;

        public override Tensor Forward(Tensor input) => dense.Forward(input);

        public override Tensor Backward(Tensor dOutput)
        {
            Tensor dInput = dense.Backward(dOutput)!;
            dOutput.Row(0).CopyTo(dense.Biases.Gradient.AsSpan());
            return dInput;
        }
    }
}
