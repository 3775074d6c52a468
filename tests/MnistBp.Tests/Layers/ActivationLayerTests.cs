// ActivationLayerTests: the Relu, LeakyRelu and Tanh layers. Forward and Backward on values worked
// out by hand; GradientCheck on each layer alone and in small models (Dense-Relu-Dense and others) on
// every kernel path, and a deliberately wrong ReLU backward that the check catches; saturated inputs
// and NaN through the layers; Predict equal to Forward; the arguments refused; Kind and Formula.
using static MnistBp.Tests.Layers.LayerTestData;

namespace MnistBp.Tests.Layers;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class ActivationLayerTests : RestoresKernelSettings
{
    // ---- values by hand ----

    [Test]
    public void Relu_forward_and_backward_give_the_values_worked_out_by_hand()
    {
        var relu = new Relu();
        Tensor a = relu.Forward(Tensor.FromValues(2, 3, [-2f, -0.5f, 0f, 0.5f, 3f, -7f]));
        // a = max(0, z)
        Assert.That(a.AsSpan().ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 0.5f, 3f, 0f }));

        Tensor dz = relu.Backward(Tensor.FromValues(2, 3, [1f, 2f, 3f, 4f, 5f, 6f]));
        // dz = da * (z > 0); the derivative at exactly 0 is 0
        Assert.That(dz.AsSpan().ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 4f, 5f, 0f }));
    }

    [Test]
    public void LeakyRelu_forward_and_backward_give_the_values_worked_out_by_hand()
    {
        var leaky = new LeakyRelu(0.1f);
        Tensor a = leaky.Forward(Tensor.FromValues(1, 4, [-2f, 0f, 3f, -10f]));
        // a = z > 0 ? z : 0.1 z
        Assert.That(a.AsSpan().ToArray(), Is.EqualTo(new[] { -0.2f, 0f, 3f, -1f }));

        Tensor dz = leaky.Backward(Tensor.FromValues(1, 4, [1f, 2f, 3f, 4f]));
        // dz = da * (z > 0 ? 1 : 0.1); at exactly 0 the slope, as PyTorch
        Assert.That(dz.AsSpan().ToArray(), Is.EqualTo(new[] { 0.1f, 0.2f, 3f, 0.4f }));
    }

    [Test]
    public void Tanh_forward_and_backward_give_the_values_worked_out_by_hand([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var tanh = new Tanh();
        // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6, tanh(-ln 3) = -(3 - 1/3) / (3 + 1/3) = -0.8
        Tensor a = tanh.Forward(Tensor.FromValues(1, 3, [MathF.Log(2f), -MathF.Log(3f), 0f]));
        Assert.That(a.AsSpan().ToArray(), Is.EqualTo(new[] { 0.6f, -0.8f, 0f }).Within(1e-6f));

        Tensor dz = tanh.Backward(Tensor.FromValues(1, 3, [1f, 2f, 3f]));
        // dz = da * (1 - a^2): 1 * 0.64, 2 * 0.36, 3 * 1
        Assert.That(dz.AsSpan().ToArray(), Is.EqualTo(new[] { 0.64f, 0.72f, 3f }).Within(1e-6f));
    }

    // ---- gradient checks ----

    [Test]
    public void Each_activation_passes_the_gradient_check([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path, [Values("relu", "leaky", "tanh")] string kind)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(11);
        Layer layer = kind switch { "relu" => new Relu(), "leaky" => new LeakyRelu(0.2f), _ => new Tanh() };
        // At least 0.1 from 0: the check steps by 0.01 and must not cross ReLU's kink.
        Tensor input = AwayFromZero(random, 5, 7);

        GradientCheckReport report = GradientCheck.Check(layer, input);

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report["dInput"].ElementsChecked, Is.EqualTo(5 * 7));
    }

    [Test]
    public void A_wrong_relu_backward_fails_the_gradient_check()
    {
        // The leaky slope's backward behind a ReLU forward: dz = 0.5 da for z < 0 where it must be 0.
        GradientCheckReport report = GradientCheck.Check(new ReluWithWrongBackward(), AwayFromZero(new DeterministicRandom(12), 4, 6));

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.False, report.ToString());
    }

    [Test]
    public void Models_with_the_new_activations_pass_the_gradient_check([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path, [Values("relu", "leaky", "tanh")] string kind)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(13);
        Layer hidden = kind switch { "relu" => new Relu("h"), "leaky" => new LeakyRelu(0.1f, "h"), _ => new Tanh("h") };
        var model = new Sequential(
            new Dense(4, 6, WeightInit.ScaledNormal, random, "hidden"), hidden,
            new Dense(6, 3, WeightInit.ScaledNormal, random, "output"));
        Tensor input = GaussianTensor(random, 5, 4);
        // Targets 0.3 or so from the outputs: a loss near 0.1, so that with a step of 1e-3 (small, to keep the
        // nudged hidden z on its side of ReLU's kink) the float rounding of the loss adds only ~1e-5 to each numeric gradient (measured: errors up to 1.6e-5), so the floor can be 5e-5.
        Tensor target = model.Predict(input);
        foreach (ref float t in target.AsSpan())
        {
            t += (float)(0.3 * random.NextGaussian());
        }

        GradientCheckReport report = GradientCheck.Check(model, new MeanSquaredError(), input, target, new GradientCheckOptions { Step = 1e-3, AbsoluteTolerance = 5e-5 });

        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Entries.Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden", "W output", "b output", "dInput" }));
    }

    // ---- saturation, NaN, Predict ----

    [Test]
    public void Saturated_inputs_give_finite_outputs_and_gradients([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        Tensor z = Tensor.FromValues(1, 4, [1000f, -1000f, 1e30f, -1e30f]);
        Tensor da = Tensor.FromValues(1, 4, [1f, 1f, 1f, 1f]);
        foreach (Layer layer in new Layer[] { new Relu(), new LeakyRelu(0.01f), new Tanh() })
        {
            float[] a = layer.Forward(z).AsSpan().ToArray();
            float[] dz = layer.Backward(da)!.AsSpan().ToArray();
            Assert.That(a.All(float.IsFinite) && dz.All(float.IsFinite), Is.True, $"{layer}: a = [{string.Join(", ", a)}], dz = [{string.Join(", ", dz)}]");
        }

        Tensor tanhOfInfinity = new Tanh().Forward(Tensor.FromValues(1, 2, [float.PositiveInfinity, float.NegativeInfinity]));
        Assert.That(tanhOfInfinity.AsSpan().ToArray(), Is.EqualTo(new[] { 1f, -1f }));
        Tensor reluOfInfinity = new Relu().Forward(Tensor.FromValues(1, 2, [float.PositiveInfinity, float.NegativeInfinity]));
        Assert.That(reluOfInfinity.AsSpan().ToArray(), Is.EqualTo(new[] { float.PositiveInfinity, 0f }));
    }

    [Test]
    public void NaN_goes_through_every_activation_as_NaN_both_ways([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (Layer layer in new Layer[] { new Relu(), new LeakyRelu(0.01f), new LeakyRelu(0f), new Tanh() })
        {
            float a = layer.Forward(Tensor.FromValues(1, 1, [float.NaN])).AsSpan()[0];
            float dz = layer.Backward(Tensor.FromValues(1, 1, [1f]))!.AsSpan()[0];
            Assert.That(float.IsNaN(a) && float.IsNaN(dz), Is.True, $"{layer}: a = {a}, dz = {dz}");
        }
    }

    [Test]
    public void Predict_gives_the_bits_of_Forward([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        Tensor z = GaussianTensor(new DeterministicRandom(14), 9, 13, scale: 3);
        foreach (Layer layer in new Layer[] { new Relu(), new LeakyRelu(0.3f), new Tanh() })
        {
            float[] predicted = new float[z.Length];
            layer.Predict(z.AsSpan(), predicted, 9);
            Assert.That(Bits(predicted), Is.EqualTo(Bits(layer.Forward(z).AsSpan())), layer.ToString());
        }
    }

    // ---- arguments, kind, formula ----

    [Test]
    public void A_slope_outside_0_to_1_is_refused_naming_it([Values(-0.01f, 1f, 1.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity)] float slope)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LeakyRelu(slope));
        Assert.That(error!.ParamName, Is.EqualTo("slope"));
        Assert.That(error.Message, Does.Contain("finite and in [0, 1)"));
    }

    [Test]
    public void Backward_before_Forward_and_a_wrong_shape_are_refused()
    {
        foreach (Layer layer in new Layer[] { new Relu(), new LeakyRelu(), new Tanh() })
        {
            Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(2, 3)), layer.ToString());
            layer.Forward(new Tensor(2, 3));
            var error = Assert.Throws<ArgumentException>(() => layer.Backward(new Tensor(3, 2)), layer.ToString());
            Assert.That(error!.Message, Does.Contain("[3 x 2]").And.Contain("[2 x 3]"));
        }
    }

    [Test]
    public void Kinds_names_and_formulas_are_the_documented_ones()
    {
        var leaky = new LeakyRelu();
        Assert.That((new Relu().Kind, new Relu().Name, new Relu().Formula), Is.EqualTo(("Relu", "relu", "a = max(0, z)")));
        Assert.That((leaky.Kind, leaky.Name, leaky.Slope, leaky.Formula), Is.EqualTo(("LeakyRelu", "leaky relu", 0.01f, "a = z > 0 ? z : 0.01 * z")));
        Assert.That((new Tanh().Kind, new Tanh().Name, new Tanh().Formula), Is.EqualTo(("Tanh", "tanh", "a = tanh(z)")));
        Assert.That(new LeakyRelu(0f).Slope, Is.Zero, "0 is allowed: a plain ReLU");
    }

    /// <summary>ReLU forward with the backward of a leaky ReLU of slope 0.5: wrong for z &lt; 0.</summary>
    private sealed class ReluWithWrongBackward() : Layer("wrong relu")
    {
        private Tensor? _output;
        private Tensor? _dInput;

        public override Tensor Forward(Tensor input)
        {
            Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
            Kernels.Relu(input.AsSpan(), output.AsSpan());
            return output;
        }

        public override Tensor Backward(Tensor dOutput)
        {
            RequireShapeOfOutput(dOutput, _output);
            Tensor dInput = Reuse(ref _dInput, dOutput.Rows, dOutput.Columns, "dz");
            Kernels.LeakyReluBackward(_output!.AsSpan(), 0.5f, dOutput.AsSpan(), dInput.AsSpan());
            return dInput;
        }
    }
}
