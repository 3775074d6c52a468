// GradientCheckTests: every built-in layer, loss and a whole model against central finite
// differences (through the library's GradientCheck), on every kernel path; proofs that the check
// fails on a wrong factor, a sign error, a missing term and a NaN; its sampling, its promise not to
// train, its numbers on a hand-computed case and its arguments; and the contract around Backward:
// order, shapes, accumulation and ZeroGrad.
namespace MnistBp.Tests;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class GradientCheckTests : RestoresKernelSettings
{
    // ---- every built-in layer, loss and model passes ----

    [Test]
    public void Dense_gradients_match_finite_differences([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(1);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random, "hidden");
        Tensor input = Gaussian(random, 5, 3);

        GradientCheckReport report = GradientCheck.Check(dense, input);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Entries.Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden", "dInput" }));
        Assert.That(report.ElementsChecked, Is.EqualTo(3 * 4 + 4 + 5 * 3), "W, b and dInput, every element");
    }

    [Test]
    public void Sigmoid_gradients_match_finite_differences([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(2);
        // Spread over [-4, 4] or so: the curved part of the sigmoid, where a wrong derivative shows.
        Tensor input = Gaussian(random, 4, 6, scale: 2);

        GradientCheckReport report = GradientCheck.Check(new Sigmoid(), input);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report["dInput"].ElementsChecked, Is.EqualTo(4 * 6), "dInput, every element");
    }

    [Test]
    public void An_input_with_no_rows_fails_and_says_nothing_was_compared()
    {
        GradientCheckReport report = GradientCheck.Check(new Relu(), new Tensor(0, 3));
        Assert.That(report.Passed, Is.False);
        Assert.That(report.Problem, Is.EqualTo("Nothing was compared: the batch has 0 rows, so every gradient is 0 against a numeric 0, which proves nothing. Give at least one sample."));
        Assert.That(report.ToString().Split('\n')[1].TrimEnd(), Is.EqualTo(report.Problem), "the line under the verdict");

        // With parameters, W and b are compared, 0 against 0: still nothing proved.
        var dense = new Dense(3, 2, WeightInit.StandardNormal, new DeterministicRandom(1), "d");
        Assert.That(GradientCheck.Check(dense, new Tensor(0, 3)).Problem, Does.StartWith("Nothing was compared: the batch has 0 rows"));
        Assert.That(GradientCheck.Check(new Sequential(dense), new MeanSquaredError(), new Tensor(0, 3), new Tensor(0, 2)).Passed, Is.False);
        Assert.That(GradientCheck.Check(new MeanSquaredError(), new Tensor(0, 2), new Tensor(0, 2)).Passed, Is.False);
    }

    [Test]
    public void MeanSquaredError_gradient_matches_finite_differences()
    {
        var random = new DeterministicRandom(3);
        Tensor predicted = Gaussian(random, 3, 4), target = Gaussian(random, 3, 4);

        GradientCheckReport report = GradientCheck.Check(new MeanSquaredError(), predicted, target);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report["dPredicted"].ElementsChecked, Is.EqualTo(3 * 4));
    }

    [Test]
    public void QuadraticCost_gradient_matches_finite_differences()
    {
        var random = new DeterministicRandom(12);
        Tensor predicted = Uniform(random, 3, 10), target = Uniform(random, 3, 10);

        GradientCheckReport report = GradientCheck.Check(new QuadraticCost(), predicted, target);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report["dPredicted"].ElementsChecked, Is.EqualTo(3 * 10));
    }

    [Test]
    public void Sequential_gradients_match_finite_differences([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(4);
        Sequential model = SmallModel(random);
        Tensor input = Gaussian(random, 3, 4);
        Tensor target = Uniform(random, 3, 3);

        // The loss is ~0.1 and its float rounding puts ~1e-6 of noise on the numeric gradients (measured:
        // 9e-7), while the hidden layer's gradients are ~1e-4: the default floor of 1e-4 would hide them.
        var options = new GradientCheckOptions { AbsoluteTolerance = 1e-5 };
        GradientCheckReport report = GradientCheck.Check(model, new MeanSquaredError(), input, target, options);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Entries.Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden", "W output", "b output", "dInput" }));
        Assert.That(report.ElementsChecked, Is.EqualTo((4 * 5 + 5) + (5 * 3 + 3) + 3 * 4), "both layers' W and b, and dInput");
    }

    [Test]
    public void An_MNIST_sized_model_passes_on_a_seeded_sample_of_each_large_tensor([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        (Sequential model, Tensor inputs, Tensor targets) = MnistSizedModel(13);

        GradientCheckReport report = GradientCheck.Check(model, new QuadraticCost(), inputs, targets);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(
            report.Entries.Select(e => (e.Name, e.ElementsChecked, e.ElementCount)),
            Is.EqualTo(new[] { ("W hidden", 200, 784 * 30), ("b hidden", 30, 30), ("W output", 200, 30 * 10), ("b output", 10, 10), ("dInput", 200, 3 * 784) }),
            "tensors above 200 elements are sampled, the others checked in full");
    }

    [Test]
    public void A_layer_written_against_the_public_contract_passes()
    {
        // What a learner does with their own layer: a batch, one call, the table.
        var random = new DeterministicRandom(25);
        var layer = new ColumnScale(5, random);

        GradientCheckReport report = GradientCheck.Check(layer, Gaussian(random, 4, 5));

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Entries.Select(e => (e.Name, e.ElementsChecked)), Is.EqualTo(new[] { ("scale", 5), ("dInput", 4 * 5) }));
    }

    [Test]
    public void CheckInputGradient_false_checks_only_the_parameters()
    {
        var random = new DeterministicRandom(14);
        Sequential model = SmallModel(random);
        var options = new GradientCheckOptions { CheckInputGradient = false, AbsoluteTolerance = 1e-5 };

        GradientCheckReport report = GradientCheck.Check(model, new MeanSquaredError(), Gaussian(random, 3, 4), Uniform(random, 3, 3), options);
        GradientCheckReport layerReport = GradientCheck.Check(new Dense(3, 4, WeightInit.StandardNormal, random, "hidden"), Gaussian(random, 5, 3), options);

        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Entries.Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden", "W output", "b output" }));
        Assert.That(layerReport.Entries.Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden" }));
    }

    // ---- the check can fail ----

    [Test]
    public void Check_reports_a_dInput_that_is_twice_too_large()
    {
        var random = new DeterministicRandom(5);
        Tensor input = Gaussian(random, 4, 6, scale: 2);

        GradientCheckReport report = GradientCheck.Check(new DoubledDInputSigmoid(), input);

        TestContext.Out.WriteLine(report);
        GradientCheckEntry dInput = report["dInput"];
        Assert.That(report.Passed, Is.False, report.ToString());
        // Analytic = 2 x numeric, so the ratio of the two is 2 wherever the gradient is not tiny.
        Assert.That(dInput.FailedElements, Is.GreaterThan(dInput.ElementsChecked / 2), report.ToString());
        Assert.That(dInput.WorstAnalytic / dInput.WorstNumeric, Is.EqualTo(2).Within(0.01));
        Assert.That(dInput.MaxRelativeError, Is.EqualTo(0.5).Within(0.01), "|2n - n| / |2n|");
    }

    [Test]
    public void Check_reports_a_bias_gradient_that_forgot_to_sum_over_the_batch()
    {
        var random = new DeterministicRandom(6);
        var layer = new FirstRowBiasGradientDense(new Dense(3, 4, WeightInit.StandardNormal, random, "buggy"));
        Tensor input = Gaussian(random, 5, 3);

        GradientCheckReport report = GradientCheck.Check(layer, input);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.False, report.ToString());
        Assert.That(report["W buggy"].Passed && report["dInput"].Passed, Is.True, "W and dInput are right; only b is wrong: " + report);
        Assert.That(report["b buggy"].FailedElements, Is.EqualTo(4), report.ToString());
    }

    [Test]
    public void Check_reports_a_sigmoid_derivative_with_the_wrong_sign()
    {
        var random = new DeterministicRandom(15);

        GradientCheckReport report = GradientCheck.Check(new WrongSignSigmoid(), Gaussian(random, 4, 6, scale: 2));

        Assert.That(report.Passed, Is.False, report.ToString());
        Assert.That(report["dInput"].FailedElements, Is.EqualTo(4 * 6), report.ToString());
        Assert.That(report["dInput"].WorstAnalytic, Is.EqualTo(-report["dInput"].WorstNumeric).Within(1e-3));
    }

    [Test]
    public void Check_reports_a_gradient_off_by_two_percent()
    {
        // A near miss, not a factor of two: the tolerance is tight enough to notice it.
        var random = new DeterministicRandom(7);
        Tensor predicted = Gaussian(random, 2, 3), target = Gaussian(random, 2, 3);

        GradientCheckReport report = GradientCheck.Check(new ScaledGradientLoss(new MeanSquaredError(), 1.02f), predicted, target);
        GradientCheckReport right = GradientCheck.Check(new ScaledGradientLoss(new MeanSquaredError(), 1f), predicted, target);

        Assert.That(report.Passed, Is.False, report.ToString());
        Assert.That(report["dPredicted"].MaxRelativeError, Is.EqualTo(0.02 / 1.02).Within(1e-3), report.ToString());
        Assert.That(right.Passed, Is.True, right.ToString());
    }

    [Test]
    public void Check_reports_a_loss_gradient_with_the_wrong_sign()
    {
        var random = new DeterministicRandom(16);
        Tensor predicted = Uniform(random, 3, 4), target = Uniform(random, 3, 4);

        GradientCheckReport report = GradientCheck.Check(new ScaledGradientLoss(new QuadraticCost(), -1f), predicted, target);

        Assert.That(report.Passed, Is.False, report.ToString());
        Assert.That(report["dPredicted"].FailedElements, Is.EqualTo(3 * 4), report.ToString());
    }

    [Test]
    public void Check_reports_a_loss_gradient_that_misses_a_term()
    {
        var random = new DeterministicRandom(17);
        Tensor predicted = Uniform(random, 3, 4), target = Uniform(random, 3, 4);

        GradientCheckReport report = GradientCheck.Check(new ForgottenPenaltyLoss(), predicted, target);

        Assert.That(report.Passed, Is.False, report.ToString());
        // The missing term is 0.5 * predicted, so the worst element is off by half its prediction.
        GradientCheckEntry entry = report["dPredicted"];
        Assert.That(entry.WorstNumeric - entry.WorstAnalytic, Is.EqualTo(0.5 * predicted[entry.WorstIndex]).Within(1e-3), report.ToString());
    }

    [Test]
    public void A_model_check_names_the_tensor_whose_gradient_is_wrong()
    {
        var random = new DeterministicRandom(18);
        var model = new Sequential(
            new Dense(4, 5, WeightInit.StandardNormal, random, "hidden"),
            new DoubledDInputSigmoid(),
            new Dense(5, 3, WeightInit.StandardNormal, random, "output"));

        GradientCheckReport report = GradientCheck.Check(model, new QuadraticCost(), Gaussian(random, 3, 4), Uniform(random, 3, 3));

        TestContext.Out.WriteLine(report);
        // The doubled sigmoid sits between the layers: the output layer is right, everything below it is twice too large.
        Assert.That(report.Entries.Where(e => !e.Passed).Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden", "dInput" }), report.ToString());
    }

    [Test]
    public void A_NaN_in_the_analytic_gradient_fails_and_shows_in_the_report()
    {
        var random = new DeterministicRandom(19);

        GradientCheckReport report = GradientCheck.Check(new NaNDInputSigmoid(), Gaussian(random, 2, 3));

        GradientCheckEntry dInput = report["dInput"];
        Assert.That(report.Passed, Is.False, report.ToString());
        Assert.That(dInput.FailedElements, Is.EqualTo(1), "only the NaN element is wrong");
        Assert.That((dInput.WorstIndex, double.IsNaN(dInput.WorstAnalytic)), Is.EqualTo((5, true)), report.ToString());
        Assert.That(dInput.MaxAbsoluteError, Is.NaN);
        Assert.That(dInput.MaxRelativeError, Is.NaN);
    }

    [Test]
    public void A_NaN_loss_fails_every_element()
    {
        // Cross-entropy of raw outputs, some of them negative: log of a negative number is NaN.
        Tensor predicted = Tensor.FromValues(1, 3, [0.5f, -0.25f, 0.75f]), target = Tensor.FromValues(1, 3, [0f, 1f, 0f]);

        GradientCheckReport report = GradientCheck.Check(new LogLoss(), predicted, target);

        Assert.That(report.Passed, Is.False, report.ToString());
        Assert.That(report.Loss, Is.NaN);
        Assert.That(report["dPredicted"].FailedElements, Is.EqualTo(3), report.ToString());
    }

    [Test]
    public void An_empty_check_does_not_pass()
    {
        var options = new GradientCheckOptions { CheckInputGradient = false };

        GradientCheckReport report = GradientCheck.Check(new Sigmoid(), new Tensor(2, 3), options);

        Assert.That(report.Entries, Is.Empty);
        Assert.That(report.Passed, Is.False, "nothing was compared, so nothing is known to be right");
    }

    // ---- sampling ----

    [Test]
    public void Tensors_up_to_MaxElementsPerTensor_are_checked_in_full()
    {
        Assert.That(GradientCheck.SampleIndices(12, 200, seed: 1), Is.EqualTo(Enumerable.Range(0, 12)));
        Assert.That(GradientCheck.SampleIndices(200, 200, seed: 1), Is.EqualTo(Enumerable.Range(0, 200)));
        Assert.That(GradientCheck.SampleIndices(0, 200, seed: 1), Is.Empty);
    }

    [Test]
    public void The_sample_is_the_same_for_a_seed_and_spread_over_the_whole_tensor([Values(201, 300, 784 * 30, 6 * 512 + 7)] int length)
    {
        int[] sample = GradientCheck.SampleIndices(length, 200, seed: 42);

        Assert.That(GradientCheck.SampleIndices(length, 200, seed: 42), Is.EqualTo(sample), "the same seed, the same elements");
        if (length >= 300) // 201 elements in 200 runs leave a single choice, which another seed may well make the same way
        {
            Assert.That(GradientCheck.SampleIndices(length, 200, seed: 43), Is.Not.EqualTo(sample), "another seed, other elements");
        }

        Assert.That(sample, Has.Length.EqualTo(200).And.Ordered.Ascending.And.Unique);
        Assert.That((sample[0], sample[^1]), Is.EqualTo((0, length - 1)), "both ends, where the scalar remainders run");
        // One element from each of 200 equal runs: no gap is longer than two runs.
        int run = (length + 199) / 200;
        Assert.That(sample.Zip(sample.Skip(1), (a, b) => b - a), Is.All.LessThanOrEqualTo(2 * run));
    }

    [Test]
    public void The_same_seed_gives_the_same_report_and_another_seed_checks_other_elements()
    {
        (Sequential model, Tensor inputs, Tensor targets) = MnistSizedModel(20);
        var loss = new QuadraticCost();

        GradientCheckReport first = GradientCheck.Check(model, loss, inputs, targets);
        GradientCheckReport again = GradientCheck.Check(model, loss, inputs, targets);
        GradientCheckReport other = GradientCheck.Check(model, loss, inputs, targets, new GradientCheckOptions { Seed = 2 });

        Assert.That(again.Entries, Is.EqualTo(first.Entries));
        Assert.That(again.ToString(), Is.EqualTo(first.ToString()));
        Assert.That(other["W hidden"].MaxAbsoluteError, Is.Not.EqualTo(first["W hidden"].MaxAbsoluteError));
        Assert.That(other["b hidden"], Is.EqualTo(first["b hidden"]), "a tensor checked in full does not depend on the seed");
    }

    [Test]
    public void A_sampled_check_catches_a_gradient_wrong_only_in_the_remainder([Values("last 3 elements", "last 4 rows")] string wrongPart)
    {
        // A Dense whose dW is wrong only where a kernel's remainder code would run: the scalar tail of
        // a flat loop, or the rows left over after tiles of 6 (784 = 6 * 130 + 4).
        var random = new DeterministicRandom(21);
        var dense = new Dense(784, 30, WeightInit.ScaledNormal, random, "wide");
        int first = wrongPart == "last 3 elements" ? 784 * 30 - 3 : 780 * 30;
        var layer = new CorruptedWeightGradientDense(dense, first);

        GradientCheckReport report = GradientCheck.Check(layer, Uniform(random, 2, 784));

        TestContext.Out.WriteLine(report);
        GradientCheckEntry weights = report["W wide"];
        Assert.That(weights.ElementsChecked, Is.EqualTo(200));
        Assert.That(weights.Passed, Is.False, report.ToString());
        Assert.That(weights.WorstIndex, Is.GreaterThanOrEqualTo(first), report.ToString());
        Assert.That(report["b wide"].Passed && report["dInput"].Passed, Is.True, report.ToString());
    }

    // ---- it does not train ----

    [Test]
    public void Check_restores_every_value_it_nudges_bit_for_bit()
    {
        var random = new DeterministicRandom(8);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random);
        Tensor input = Gaussian(random, 5, 3);
        // Values whose nudges do not come back by arithmetic: x + h - h is not x for them.
        float[] awkward = [-0f, 1e-40f, 0.1f, 3e7f, -1.1754944e-38f, 16777215f];
        awkward.CopyTo(dense.Weights.Value.AsSpan());
        awkward.AsSpan(0, 4).CopyTo(dense.Biases.Value.AsSpan());
        awkward.CopyTo(input.AsSpan());
        int[] weights = Bits(dense.Weights.Value), biases = Bits(dense.Biases.Value), inputs = Bits(input);

        GradientCheck.Check(dense, input);
        GradientCheck.Check(new Sequential(dense, new Sigmoid()), new MeanSquaredError(), input, new Tensor(5, 4));

        Assert.That(Bits(dense.Weights.Value), Is.EqualTo(weights));
        Assert.That(Bits(dense.Biases.Value), Is.EqualTo(biases));
        Assert.That(Bits(input), Is.EqualTo(inputs));
    }

    [Test]
    public void Check_leaves_the_analytic_gradients_and_the_caches_of_the_unperturbed_point()
    {
        Sequential checkedModel = SmallModel(new DeterministicRandom(22)), reference = SmallModel(new DeterministicRandom(22));
        var random = new DeterministicRandom(23);
        Tensor input = Gaussian(random, 3, 4), target = Uniform(random, 3, 3);
        var loss = new MeanSquaredError();

        GradientCheckReport report = GradientCheck.Check(checkedModel, loss, input, target);

        // The reference takes one plain forward and backward pass at the same point.
        reference.ZeroGrad();
        Tensor predicted = reference.Forward(input);
        float referenceLoss = loss.Forward(predicted, target);
        reference.Backward(loss.Backward(predicted, target));
        int[][] referenceGradients = [.. reference.Parameters.Select(p => Bits(p.Gradient))];
        Assert.That(checkedModel.Parameters.Select(p => Bits(p.Gradient)), Is.EqualTo(referenceGradients), "the gradients are the analytic ones");
        Assert.That(report.Loss, Is.EqualTo(referenceLoss), "the loss at the unperturbed point");

        // A backward pass without a new forward reads the caches: they must be those of the unperturbed point.
        checkedModel.ZeroGrad();
        checkedModel.Backward(loss.Backward(predicted, target));
        Assert.That(checkedModel.Parameters.Select(p => Bits(p.Gradient)), Is.EqualTo(referenceGradients), "the caches are those of the unperturbed point");
    }

    [Test]
    public void The_layer_check_leaves_InputGradientNeeded_as_it_found_it()
    {
        var random = new DeterministicRandom(24);
        var dense = new Dense(3, 4, WeightInit.StandardNormal, random) { InputGradientNeeded = false };

        GradientCheckReport report = GradientCheck.Check(dense, Gaussian(random, 5, 3));

        Assert.That(report["dInput"].ElementsChecked, Is.EqualTo(5 * 3), "dInput is checked all the same");
        Assert.That(dense.InputGradientNeeded, Is.False);
    }

    // ---- the report's numbers, by hand ----

    [Test]
    public void The_report_matches_a_hand_computed_case()
    {
        // L = Σ a³, Backward 3a². Central differences of a cube are off by exactly h²:
        // ((a + h)³ - (a - h)³) / 2h = 3a² + h². With h = 1/4 every value below is exact in float, so
        // numeric = 3a² + 1/16 and |analytic - numeric| = 1/16 for every element.
        Tensor predicted = Tensor.FromValues(2, 2, [1f, 2f, -0.5f, 0f], "a"), target = new Tensor(2, 2);
        var options = new GradientCheckOptions { Step = 0.25 };

        GradientCheckReport report = GradientCheck.Check(new CubeLoss(), predicted, target, options);

        GradientCheckEntry entry = report["dPredicted"];
        Assert.That(report.Loss, Is.EqualTo(1 + 8 - 0.125 + 0), "forward pass went well");
        Assert.That((entry.Shape, entry.ElementsChecked, entry.ElementCount), Is.EqualTo(("[2 x 2]", 4, 4)));
        Assert.That(entry.MaxAbsoluteError, Is.EqualTo(0.0625));
        Assert.That(entry.MaxRelativeError, Is.EqualTo(1), "at a = 0: |0 - 1/16| / 1/16");
        // Allowed is 1e-4 + 1e-2 * numeric: 0.030725 at a = 1, 0.120725 at a = 2, 0.008225 at a = -0.5, 0.000725 at a = 0.
        Assert.That(entry.FailedElements, Is.EqualTo(3), "only a = 2 is within 1% + 1e-4 of 1/16");
        Assert.That((entry.WorstIndex, entry.WorstPosition, entry.WorstAnalytic, entry.WorstNumeric), Is.EqualTo((3, "[1, 1]", 0.0, 0.0625)), "error / allowed is 86 at a = 0");
        Assert.That(report.Passed, Is.False);

        // A looser tolerance lets the cube's curvature pass, except where the gradient is 0.
        GradientCheckReport loose = GradientCheck.Check(new CubeLoss(), predicted, target, options with { RelativeTolerance = 0.1 });
        Assert.That(loose["dPredicted"].FailedElements, Is.EqualTo(1));
        GradientCheckReport floor = GradientCheck.Check(new CubeLoss(), predicted, target, options with { AbsoluteTolerance = 0.0625 });
        Assert.That(floor.Passed, Is.True, floor.ToString());
    }

    [Test]
    public void The_report_prints_a_table_for_the_console()
    {
        Tensor predicted = Tensor.FromValues(2, 2, [1f, 2f, -0.5f, 0f], "a"), target = new Tensor(2, 2);

        GradientCheckReport report = GradientCheck.Check(new CubeLoss(), predicted, target, new GradientCheckOptions { Step = 0.25 });

        TestContext.Out.WriteLine(report);
        Assert.That(report.ToString().Split(Environment.NewLine), Is.EqualTo(new[]
        {
            "Gradient check of CubeLoss: FAILED",
            "loss 8.875, step 2.5e-1; an element passes when |analytic - numeric| <= 1e-4 + 1e-2 * max(|analytic|, |numeric|)",
            "tensor      shape    checked  max abs err  max rel err  worst   analytic  numeric  result",
            "dPredicted  [2 x 2]  4/4      6.25e-02     1.00e+00     [1, 1]  0         0.0625   FAILED 3/4",
        }));
        Assert.That(report["dPredicted"].ToString(), Is.EqualTo(
            "dPredicted [2 x 2]: 4 of 4 checked, max abs 6.25e-02, max rel 1.00e+00, worst [1, 1] analytic 0 numeric 0.0625: FAILED 3 of 4"));
    }

    // ---- arguments ----

    [Test]
    public void Null_arguments_throw_naming_the_parameter()
    {
        var model = new Sequential(new Dense(2, 3));
        var loss = new MeanSquaredError();
        var x = new Tensor(1, 2);
        var y = new Tensor(1, 3);

        Assert.That(() => GradientCheck.Check((Sequential)null!, loss, x, y), ThrowsNull("model"));
        Assert.That(() => GradientCheck.Check(model, null!, x, y), ThrowsNull("loss"));
        Assert.That(() => GradientCheck.Check(model, loss, null!, y), ThrowsNull("inputs"));
        Assert.That(() => GradientCheck.Check(model, loss, x, null!), ThrowsNull("targets"));
        Assert.That(() => GradientCheck.Check((Layer)null!, x), ThrowsNull("layer"));
        Assert.That(() => GradientCheck.Check(new Sigmoid(), null!), ThrowsNull("input"));
        Assert.That(() => GradientCheck.Check((Loss)null!, y, y), ThrowsNull("loss"));
        Assert.That(() => GradientCheck.Check(loss, null!, y), ThrowsNull("predicted"));
        Assert.That(() => GradientCheck.Check(loss, y, null!), ThrowsNull("target"));
    }

    [Test]
    public void Shape_mismatches_throw_naming_the_parameter_and_both_shapes()
    {
        var model = new Sequential(new Dense(2, 3, "hidden"));
        var loss = new MeanSquaredError();

        Assert.That(() => GradientCheck.Check(model, loss, new Tensor(1, 2, "x"), new Tensor(1, 4, "y")), ThrowsArgument("targets", "y [1 x 4]", "[1 x 3]"));
        Assert.That(() => GradientCheck.Check(model, loss, new Tensor(1, 5, "x"), new Tensor(1, 3, "y")), ThrowsArgument("inputs", "x [1 x 5]", "2 columns"));
        Assert.That(() => GradientCheck.Check(new Dense(2, 3, "hidden"), new Tensor(1, 5, "x")), ThrowsArgument("input", "x [1 x 5]", "Dense 'hidden'"));
        Assert.That(() => GradientCheck.Check(loss, new Tensor(2, 3, "yPred"), new Tensor(3, 2, "y")), ThrowsArgument("target", "y [3 x 2]", "yPred [2 x 3]"));
    }

    [Test]
    public void Options_out_of_range_throw_naming_the_setting()
    {
        var dense = new Dense(2, 3);
        var x = new Tensor(1, 2);

        foreach (double step in new[] { 0, -1e-2, double.NaN, double.PositiveInfinity })
        {
            Assert.That(() => GradientCheck.Check(dense, x, new GradientCheckOptions { Step = step }), ThrowsOutOfRange("Step"), $"Step = {step}");
        }

        Assert.That(() => GradientCheck.Check(dense, x, new GradientCheckOptions { RelativeTolerance = -1 }), ThrowsOutOfRange("RelativeTolerance"));
        Assert.That(() => GradientCheck.Check(dense, x, new GradientCheckOptions { AbsoluteTolerance = double.NaN }), ThrowsOutOfRange("AbsoluteTolerance"));
        Assert.That(() => GradientCheck.Check(dense, x, new GradientCheckOptions { MaxElementsPerTensor = 0 }), ThrowsOutOfRange("MaxElementsPerTensor"));
        Assert.That(() => new GradientCheckOptions { RelativeTolerance = 0, AbsoluteTolerance = 0 }.Validate(), Throws.Nothing, "exact agreement may be asked for");
    }

    [Test]
    public void The_defaults_are_the_documented_ones()
    {
        var options = GradientCheckOptions.Default;

        Assert.That(
            (options.Step, options.RelativeTolerance, options.AbsoluteTolerance, options.MaxElementsPerTensor, options.Seed, options.CheckInputGradient),
            Is.EqualTo((1e-2, 1e-2, 1e-4, 200, 1UL, true)));
    }

    [Test]
    public void The_report_indexer_names_the_entries_it_has()
    {
        GradientCheckReport report = GradientCheck.Check(new Sigmoid(), new Tensor(1, 2));

        Assert.That(() => report["W"], Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("'dInput'"));
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

    /// <summary>A 4-5-3 model with sigmoids, small enough for every element to be checked.</summary>
    private static Sequential SmallModel(DeterministicRandom random) => new(
        new Dense(4, 5, WeightInit.StandardNormal, random, "hidden"),
        new Sigmoid("hidden sigmoid"),
        new Dense(5, 3, WeightInit.StandardNormal, random, "output"),
        new Sigmoid("output sigmoid"));

    /// <summary>Nielsen's 784-30-10 network, a batch of 3 "images" of pixels in [0, 1] and one-hot targets.</summary>
    private static (Sequential Model, Tensor Inputs, Tensor Targets) MnistSizedModel(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var model = new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"),
            new Sigmoid("hidden sigmoid"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"),
            new Sigmoid("output sigmoid"));
        Tensor inputs = Uniform(random, 3, 784);
        var targets = new Tensor(3, 10, "y");
        for (int row = 0; row < 3; row++)
        {
            targets[row, random.NextInt(10)] = 1f;
        }

        return (model, inputs, targets);
    }

    private static int[] Bits(Tensor tensor) => [.. tensor.ToArray().Select(BitConverter.SingleToInt32Bits)];

    private static NUnit.Framework.Constraints.IResolveConstraint ThrowsNull(string parameter) =>
        Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter);

    private static NUnit.Framework.Constraints.IResolveConstraint ThrowsOutOfRange(string parameter) =>
        Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter);

    private static NUnit.Framework.Constraints.IResolveConstraint ThrowsArgument(string parameter, string shown, string alsoShown) =>
        Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter)
            .And.Message.Contains(shown).And.Message.Contains(alsoShown);

    /// <summary>A layer as a learner would write it: output[r, c] = input[r, c] * scale[c], adding plainly into Gradient.</summary>
    private sealed class ColumnScale : Layer
    {
        private readonly Parameter _scale;
        private Tensor? _input; // cached by Forward: dScale needs it
        private Tensor? _output, _dInput;

        public ColumnScale(int size, DeterministicRandom random)
            : base("column scale")
        {
            _scale = new Parameter(new Tensor(size, "scale"));
            foreach (ref float s in _scale.Value.AsSpan())
            {
                s = (float)random.NextGaussian();
            }
        }

        public override IReadOnlyList<Parameter> Parameters => [_scale];

        public override Tensor Forward(Tensor input)
        {
            _input = input;
            Tensor output = Reuse(ref _output, input.Rows, input.Columns, "output");
            for (int i = 0; i < input.Length; i++)
            {
                output[i] = input[i] * _scale.Value[i % input.Columns];
            }

            return output;
        }

        public override Tensor Backward(Tensor dOutput)
        {
            RequireShapeOfOutput(dOutput, _output);
            Tensor input = _input!, dInput = Reuse(ref _dInput, input.Rows, input.Columns, "dInput");
            Tensor dScale = _scale.Gradient;
            for (int i = 0; i < input.Length; i++)
            {
                int column = i % input.Columns;
                // dScale[c] = Σ_r input[r, c] * dOutput[r, c];  dInput[r, c] = scale[c] * dOutput[r, c]
                dScale[column] += input[i] * dOutput[i];
                dInput[i] = _scale.Value[column] * dOutput[i];
            }

            return dInput;
        }
    }

    /// <summary>A deliberately wrong layer: a sigmoid whose Backward returns twice the right dInput.</summary>
    private sealed class DoubledDInputSigmoid() : Layer("doubled")
    {
        private readonly Sigmoid _sigmoid = new();

        public override Tensor Forward(Tensor input) => _sigmoid.Forward(input);

        public override Tensor Backward(Tensor dOutput) => Scale(_sigmoid.Backward(dOutput), 2f);
    }

    /// <summary>A deliberately wrong layer: a sigmoid with the derivative s * (s - 1) instead of s * (1 - s).</summary>
    private sealed class WrongSignSigmoid() : Layer("wrong sign")
    {
        private readonly Sigmoid _sigmoid = new();

        public override Tensor Forward(Tensor input) => _sigmoid.Forward(input);

        public override Tensor Backward(Tensor dOutput) => Scale(_sigmoid.Backward(dOutput), -1f);
    }

    /// <summary>A deliberately wrong layer: a sigmoid whose dInput has a NaN at flat index 5.</summary>
    private sealed class NaNDInputSigmoid() : Layer("nan")
    {
        private readonly Sigmoid _sigmoid = new();

        public override Tensor Forward(Tensor input) => _sigmoid.Forward(input);

        public override Tensor Backward(Tensor dOutput)
        {
            Tensor dInput = _sigmoid.Backward(dOutput);
            dInput[5] = float.NaN;
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

    /// <summary>A deliberately wrong layer: a Dense whose dW is doubled from flat index <paramref name="first"/> on, like a broken remainder loop.</summary>
    private sealed class CorruptedWeightGradientDense(Dense dense, int first) : Layer("corrupted")
    {
        public override IReadOnlyList<Parameter> Parameters => dense.Parameters;

        public override int? FixedInputSize => dense.FixedInputSize;

        public override int GetOutputSize(int inputSize) => dense.GetOutputSize(inputSize);

        public override Tensor Forward(Tensor input) => dense.Forward(input);

        public override Tensor? Backward(Tensor dOutput)
        {
            dense.InputGradientNeeded = InputGradientNeeded;
            Tensor? dInput = dense.Backward(dOutput);
            Span<float> dWeights = dense.Weights.Gradient.AsSpan()[first..];
            foreach (ref float g in dWeights)
            {
                g *= 2f;
            }

            return dInput;
        }
    }

    private static Tensor Scale(Tensor tensor, float factor)
    {
        foreach (ref float value in tensor.AsSpan())
        {
            value *= factor;
        }

        return tensor;
    }

    /// <summary>A loss whose Backward is the inner loss's times <paramref name="factor"/>: 1 is right, anything else wrong.</summary>
    private sealed class ScaledGradientLoss(Loss inner, float factor) : Loss
    {
        public override float Forward(Tensor predicted, Tensor target) => inner.Forward(predicted, target);

        public override Tensor Backward(Tensor predicted, Tensor target) => Scale(inner.Backward(predicted, target), factor);
    }

    /// <summary>A deliberately wrong loss: quadratic cost plus 0.25 Σ a², whose Backward forgets the 0.5 a of the penalty.</summary>
    private sealed class ForgottenPenaltyLoss : Loss
    {
        private readonly QuadraticCost _cost = new();

        public override float Forward(Tensor predicted, Tensor target)
        {
            double penalty = predicted.ToArray().Sum(a => (double)a * a);
            return (float)(_cost.Forward(predicted, target) + 0.25 * penalty);
        }

        public override Tensor Backward(Tensor predicted, Tensor target) => _cost.Backward(predicted, target);
    }

    /// <summary>A right but fragile loss: L = -Σ y ln a, NaN as soon as a prediction is negative.</summary>
    private sealed class LogLoss : Loss
    {
        private Tensor? _dPredicted;

        public override float Forward(Tensor predicted, Tensor target)
        {
            RequireSameShape(predicted, target);
            double sum = 0;
            for (int i = 0; i < predicted.Length; i++)
            {
                sum -= target[i] * Math.Log(predicted[i]);
            }

            return (float)sum;
        }

        public override Tensor Backward(Tensor predicted, Tensor target)
        {
            Tensor gradient = Reuse(ref _dPredicted, predicted);
            for (int i = 0; i < predicted.Length; i++)
            {
                gradient[i] = -target[i] / predicted[i];
            }

            return gradient;
        }
    }

    /// <summary>L = Σ a³ with dL/da = 3a², for the hand-computed report.</summary>
    private sealed class CubeLoss : Loss
    {
        private Tensor? _dPredicted;

        public override float Forward(Tensor predicted, Tensor target)
        {
            RequireSameShape(predicted, target);
            return (float)predicted.ToArray().Sum(a => (double)a * a * a);
        }

        public override Tensor Backward(Tensor predicted, Tensor target)
        {
            Tensor gradient = Reuse(ref _dPredicted, predicted);
            for (int i = 0; i < predicted.Length; i++)
            {
                gradient[i] = 3 * predicted[i] * predicted[i];
            }

            return gradient;
        }
    }
}
