// SigmoidCrossEntropy: Nielsen's cross-entropy fused with the sigmoid, over logits. Golden values from
// the unfused formula in double, agreement with Sigmoid + CrossEntropyCost where neither saturates, the
// finite-difference check (and a gradient without the batch mean failing it), logits of ±1000, the
// saturated wrong output that the unfused pair cannot teach (dZ 0 there, a - y here), the kernels
// against their scalar twins, shape errors and NaN (0 bytes per step: SoftmaxCrossEntropyTests, for both).
namespace MnistBp.Tests;

[NonParallelizable] // allocation counting and KernelSettings.Current are process-wide
internal sealed class SigmoidCrossEntropyTests : RestoresKernelSettings
{
    /// <summary>σ(z) in double.</summary>
    private static double Sigma(double z) => 1 / (1 + Math.Exp(-z));

    [Test]
    public void Forward_and_Backward_give_the_values_of_the_unfused_formula()
    {
        var loss = new SigmoidCrossEntropy();
        // two samples, two outputs: z = [[2, -1], [0.5, -3]], y = [[1, 0], [0, 1]]
        Tensor z = Tensor.FromValues(2, 2, [2f, -1f, 0.5f, -3f]);
        Tensor y = Tensor.FromValues(2, 2, [1f, 0f, 0f, 1f]);
        // C = -(1/2) [ln σ(2) + ln(1 - σ(-1)) + ln(1 - σ(0.5)) + ln σ(-3)]: summed over outputs, halved for the batch of 2
        double expected = -(Math.Log(Sigma(2)) + Math.Log(1 - Sigma(-1)) + Math.Log(1 - Sigma(0.5)) + Math.Log(Sigma(-3))) / 2;
        Assert.That(expected, Is.EqualTo(2.2314).Within(1e-4), "the hand value: (0.1269 + 0.3133 + 0.9741 + 3.0486) / 2");
        Assert.That(loss.Forward(z, y), Is.EqualTo(expected).Within(1e-6), "forward pass went well");
        // dZ = (σ(z) - y) / 2
        Assert.That(loss.Backward(z, y).ToArray(),
            Is.EqualTo(new[] { (Sigma(2) - 1) / 2, Sigma(-1) / 2, Sigma(0.5) / 2, (Sigma(-3) - 1) / 2 }).Within(1e-7), "backward pass went well");
        Assert.That(loss.Formula, Is.EqualTo("C = Σ [max(z, 0) - z y + ln(1 + e^(-|z|))] / batchSize"));
    }

    [Test]
    public void Equals_a_Sigmoid_layer_followed_by_CrossEntropyCost_where_nothing_saturates()
    {
        var random = new DeterministicRandom(4);
        Tensor z = Tensor.FromValues(5, 10, SoftmaxKernelTests.Gaussian(random, 50, scale: 3));
        Tensor y = Tensor.FromValues(5, 10, CrossEntropyKernelTests.OneHot(random, 5, 10));
        var sigmoid = new Sigmoid();
        var separate = new CrossEntropyCost();
        Tensor a = sigmoid.Forward(z);
        float separateLoss = separate.Forward(a, y);
        float[] separateDz = sigmoid.Backward(separate.Backward(a, y))!.ToArray();

        var fused = new SigmoidCrossEntropy();
        Assert.That(fused.Forward(z, y), Is.EqualTo(separateLoss).Within(1e-5 * separateLoss));
        Assert.That(fused.Backward(z, y).ToArray(), Is.EqualTo(separateDz).Within(1e-6f));
    }

    [Test]
    public void Passes_the_gradient_check_and_a_gradient_off_by_the_batch_size_fails_it([Values(KernelPath.Scalar, KernelPath.Auto)] KernelPath path)
    {
        SoftmaxKernelTests.UsePath(path);
        var random = new DeterministicRandom(7);
        Tensor z = Tensor.FromValues(4, 10, SoftmaxKernelTests.Gaussian(random, 40, scale: 2));
        var y = new Tensor(4, 10);
        for (int i = 0; i < y.Length; i++)
        {
            y.AsSpan()[i] = i % 3 == 2 ? (float)random.NextDouble() : i % 3; // 0, 1 and soft targets
        }

        GradientCheckReport report = GradientCheck.Check(new SigmoidCrossEntropy(), z, y);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(GradientCheck.Check(new CrossEntropyCostTests.NotAveraged(new SigmoidCrossEntropy(), 4), z, y).Passed, Is.False);

        // a whole Dense + loss model
        var model = new Sequential(new Dense(6, 10, WeightInit.XavierNormal, random, "logits"));
        Tensor x = Tensor.FromValues(4, 6, SoftmaxKernelTests.Gaussian(random, 24));
        GradientCheckReport whole = GradientCheck.Check(model, new SigmoidCrossEntropy(), x, y);
        Assert.That(whole.Passed, Is.True, whole.ToString());
    }

    [Test]
    public void Logits_of_plus_and_minus_1000_give_a_finite_loss_and_the_full_gradient([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path)
    {
        SoftmaxKernelTests.UsePath(path);
        var loss = new SigmoidCrossEntropy();
        // two confidently wrong outputs (cost 1000 each), two confidently right (cost 0), one sample
        Tensor z = Tensor.FromValues(1, 4, [1000f, -1000f, 1000f, -1000f]);
        Tensor y = Tensor.FromValues(1, 4, [0f, 1f, 1f, 0f]);
        Assert.That(loss.Forward(z, y), Is.EqualTo(2000f));
        Assert.That(loss.Backward(z, y).ToArray(), Is.EqualTo(new[] { 1f, -1f, 0f, 0f }));
        float[] a = new float[4];
        SigmoidCrossEntropy.Probabilities(z.AsSpan(), a);
        Assert.That(a, Is.EqualTo(new[] { 1f, 0f, 1f, 0f }));
    }

    [Test]
    public void A_saturated_wrong_output_still_teaches_its_weight_where_a_Sigmoid_layer_and_CrossEntropyCost_do_not([Values(17f, 30f, 100f)] float weight)
    {
        // One weight, one input x = 1, target 0: the output's logit is the weight itself, so σ rounds to exactly 1.
        // Nielsen's ∂C/∂w = x (a - y) = 1. The unfused pair multiplies by σ'(z) = a (1 - a) = 0 and gives 0.
        Tensor x = Tensor.FromValues(1, 1, [1f]), y = Tensor.FromValues(1, 1, [0f]);

        var fused = new Dense(1, 1, "output");
        fused.Weights.Value.AsSpan()[0] = weight;
        var fusedModel = new Sequential(fused);
        var fusedLoss = new SigmoidCrossEntropy();
        fusedLoss.Backward(fusedModel.Forward(x), y);
        fusedModel.Backward(fusedLoss.Backward(fusedModel.Forward(x), y));
        Assert.That(fused.Weights.Gradient[0], Is.EqualTo(1f), "fused: x (a - y)");
        Assert.That(fusedLoss.Forward(fusedModel.Forward(x), y), Is.EqualTo(weight).Within(1e-5f), "the cost is -ln(1 - σ(w)) ≈ w");

        var apart = new Dense(1, 1, "output");
        apart.Weights.Value.AsSpan()[0] = weight;
        var apartModel = new Sequential(apart, new Sigmoid());
        var apartLoss = new CrossEntropyCost();
        apartModel.Backward(apartLoss.Backward(apartModel.Forward(x), y));
        Assert.That(apart.Weights.Gradient[0], Is.Zero, "a Sigmoid layer saturated at exactly 1 passes nothing back");
    }

    [Test]
    public void A_well_classified_output_still_costs_its_tiny_ln_1_plus_e_minus_z([Values(KernelPath.Scalar, KernelPath.Vector)] KernelPath path, [Values(5f, 10f, 17f, 20f, 40f, 80f)] float z)
    {
        // -ln σ(z) = ln(1 + e^-z): 4.5e-5 at z = 10, 4.1e-8 at 17, 1.8e-35 at 80, where 1 + e^-z rounds to 1 in float
        SoftmaxKernelTests.UsePath(path);
        double x = Math.Exp(-(double)z), expected = x < 1e-5 ? x - (x * x / 2) : Math.Log(1 + x); // ln(1 + x), by its series where 1 + x would round
        float[] logits = [.. Enumerable.Repeat(z, 17)], ones = [.. Enumerable.Repeat(1f, 17)]; // a whole vector and the tail
        Assert.That(Kernels.SigmoidCrossEntropy(logits, ones) / 17, Is.EqualTo(expected).Within(2e-6 * expected), $"z = {z}");
        Assert.That(Kernels.SigmoidCrossEntropyScalar(logits, ones) / 17, Is.EqualTo(expected).Within(2e-6 * expected), $"twin, z = {z}");
    }

    [Test]
    public void Probabilities_is_the_sigmoid_and_names_a_length_that_does_not_fit()
    {
        float[] a = new float[3];
        SigmoidCrossEntropy.Probabilities([0f, 2f, -2f], a);
        Assert.That(a, Is.EqualTo(new[] { 0.5f, (float)Sigma(2), (float)Sigma(-2) }).Within(1e-7f));
        Assert.That(() => SigmoidCrossEntropy.Probabilities(new float[3], new float[2]), Throws.ArgumentException.With.Property("ParamName").EqualTo("probabilities"));
    }

    [Test]
    public void Shapes_that_differ_are_named()
    {
        var loss = new SigmoidCrossEntropy();
        Assert.That(() => loss.Forward(new Tensor(2, 3), new Tensor(2, 4)), Throws.ArgumentException.With.Message.Contains("[2 x 4]").And.Message.Contains("[2 x 3]"));
        Assert.That(() => loss.Backward(new Tensor(2, 3), new Tensor(3, 3)), Throws.ArgumentException.With.Message.Contains("SigmoidCrossEntropy"));
    }

    [Test]
    public void A_NaN_logit_gives_a_NaN_loss_and_gradient([Values(KernelPath.Scalar, KernelPath.Vector)] KernelPath path, [Values(0, 5, 16)] int at)
    {
        SoftmaxKernelTests.UsePath(path);
        var loss = new SigmoidCrossEntropy();
        var z = new Tensor(1, 17);
        var y = new Tensor(1, 17);
        z.AsSpan()[at] = float.NaN; // in a whole vector and in the tail
        Assert.That(loss.Forward(z, y), Is.NaN);
        Assert.That(loss.Backward(z, y)[at], Is.NaN);
    }

    [Test]
    public void Kernel_matches_its_scalar_twin_and_the_formula_in_double([Values(KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned)] KernelPath path, [ValueSource(typeof(CrossEntropyKernelTests), nameof(CrossEntropyKernelTests.Lengths))] int length)
    {
        SoftmaxKernelTests.UsePath(path);
        var random = new DeterministicRandom((ulong)length + 300);
        float[] z = SoftmaxKernelTests.Gaussian(random, length, scale: 8);
        float[] y = new float[length];
        for (int i = 0; i < length; i++)
        {
            y[i] = i % 3 == 2 ? (float)random.NextDouble() : i % 3;
        }

        double actual = Kernels.SigmoidCrossEntropy(z, y), twin = Kernels.SigmoidCrossEntropyScalar(z, y), expected = 0;
        for (int i = 0; i < length; i++)
        {
            // -[y ln σ(z) + (1 - y) ln(1 - σ(z))], with ln(1 - σ(z)) = ln σ(-z), in double
            expected -= y[i] * Math.Log(Sigma(z[i])) + (1 - y[i]) * Math.Log(Sigma(-z[i]));
        }

        Assert.That(actual, Is.EqualTo(twin).Within(1e-5 * twin + 1e-12), $"{path} length {length}");
        Assert.That(twin, Is.EqualTo(expected).Within(1e-5 * expected + 1e-7 * length), $"twin length {length}");

        float[] dZ = new float[length], dZTwin = new float[length];
        Kernels.SigmoidCrossEntropyBackward(z, y, dZ, 0.25f);
        Kernels.SigmoidCrossEntropyBackwardScalar(z, y, dZTwin, 0.25f);
        for (int i = 0; i < length; i++)
        {
            // dz = (σ(z) - y) / 4; the vector exp and MathF.Exp may differ by an ulp or two of σ
            Assert.That(dZ[i], Is.EqualTo(dZTwin[i]).Within(0.25 * 3e-7), $"{path} at {i} of {length}");
            Assert.That(dZTwin[i], Is.EqualTo(0.25 * (Sigma(z[i]) - y[i])).Within(0.25 * 3e-7), $"twin at {i} of {length}");
        }
    }
}
