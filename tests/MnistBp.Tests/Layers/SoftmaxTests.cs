// The Softmax layer: golden values worked out by hand, the finite-difference gradient check (and a
// deliberately wrong backward that fails it), Predict equal to Forward and allocation-free from
// several threads, saturated logits, the model file, and the fused loss's gradient equal to this
// layer followed by a plain negative log-likelihood on the same logits.
namespace MnistBp.Tests;

[NonParallelizable] // AllocationTests-style counting and KernelSettings.Current are process-wide
public class SoftmaxTests
{
    // p = e^z / Σ e^z for z = [1, 2, 3]: e = [2.7182818, 7.3890561, 20.0855369], Σ = 30.1928748
    private static readonly float[] s_goldenP = [0.0900306f, 0.2447285f, 0.6652410f];

    [Test]
    public void Forward_gives_the_probabilities_worked_out_by_hand()
    {
        var layer = new Softmax();
        Tensor p = layer.Forward(Tensor.FromValues(2, 3, [1f, 2f, 3f, 101f, 102f, 103f]));
        Assert.That(p.Row(0).ToArray(), Is.EqualTo(s_goldenP).Within(1e-7f), "forward pass went well");
        Assert.That(p.Row(1).ToArray(), Is.EqualTo(s_goldenP).Within(1e-7f), "shifting a row by 100 changes nothing");
        Assert.That((layer.Kind, layer.Formula, layer.ToString()), Is.EqualTo(("Softmax", "p_j = e^(z_j - max z) / Σ_k e^(z_k - max z)", "Softmax 'softmax'")));
    }

    [Test]
    public void Backward_is_the_Jacobian_vector_product_worked_out_by_hand()
    {
        var layer = new Softmax();
        layer.Forward(Tensor.FromValues(1, 3, [1f, 2f, 3f]));
        Tensor dZ = layer.Backward(Tensor.FromValues(1, 3, [1f, 0f, 0f]))!;
        // dp = e_0: dz_j = p_j (δ_0j - p_0) = [p0 (1 - p0), -p1 p0, -p2 p0]
        float p0 = s_goldenP[0], p1 = s_goldenP[1], p2 = s_goldenP[2];
        Assert.That(dZ.AsSpan().ToArray(), Is.EqualTo(new[] { p0 * (1 - p0), -p1 * p0, -p2 * p0 }).Within(1e-7f), "backward pass went well");
    }

    [Test]
    public void Passes_the_gradient_check([Values(KernelPath.Scalar, KernelPath.Auto)] KernelPath path)
    {
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { Path = path };
        try
        {
            Tensor input = Tensor.FromValues(4, 10, SoftmaxKernelTests.Gaussian(new DeterministicRandom(3), 40, scale: 2));
            GradientCheckReport report = GradientCheck.Check(new Softmax(), input);
            Assert.That(report.Passed, Is.True, report.ToString());
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    [Test]
    public void A_backward_without_the_cross_terms_fails_the_gradient_check()
    {
        Tensor input = Tensor.FromValues(4, 10, SoftmaxKernelTests.Gaussian(new DeterministicRandom(3), 40, scale: 2));
        GradientCheckReport report = GradientCheck.Check(new DiagonalOnlySoftmax(), input);
        Assert.That(report.Passed, Is.False, "dz = p dp, the Jacobian's diagonal only, is wrong and must be caught");
    }

    [Test]
    public void Predict_equals_Forward_from_several_threads_without_allocating()
    {
        var layer = new Softmax();
        const int batchSize = 32;
        float[] input = SoftmaxKernelTests.Gaussian(new DeterministicRandom(8), batchSize * 10, scale: 3);
        float[] forward = layer.Forward(Tensor.FromValues(batchSize, 10, input)).ToArray();

        Parallel.For(0, 8, _ =>
        {
            float[] output = new float[input.Length];
            for (int i = 0; i < 50; i++)
            {
                layer.Predict(input, output, batchSize);
                Assert.That(output, Is.EqualTo(forward));
            }
        });

        float[] mine = new float[input.Length];
        layer.Predict(input, mine, batchSize);
        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            layer.Predict(input, mine, batchSize);
        }, 20), Is.Zero);
    }

    [Test]
    public void Predict_names_what_does_not_fit()
    {
        var layer = new Softmax();
        Assert.That(() => layer.Predict(new float[10], new float[10], 3), Throws.ArgumentException.With.Message.Contains("do not split into 3"));
        Assert.That(() => layer.Predict(new float[10], new float[9], 2), Throws.ArgumentException.With.Message.Contains("output has 9"));
        Assert.That(() => layer.Predict(new float[10], new float[10], 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => layer.Backward(new Tensor(1, 3)), Throws.InvalidOperationException);
        layer.Forward(new Tensor(2, 3));
        Assert.That(() => layer.Backward(new Tensor(2, 4)), Throws.ArgumentException.With.Message.Contains("[2 x 4]"));
    }

    [Test]
    public void Forward_and_Backward_allocate_nothing_once_warm()
    {
        var layer = new Softmax();
        Tensor input = Tensor.FromValues(16, 10, SoftmaxKernelTests.Gaussian(new DeterministicRandom(2), 160));
        Tensor dOutput = Tensor.FromValues(16, 10, SoftmaxKernelTests.Gaussian(new DeterministicRandom(4), 160));
        layer.Forward(input);
        layer.Backward(dOutput);
        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            layer.Forward(input);
            layer.Backward(dOutput);
        }, 20), Is.Zero);
    }

    [Test]
    public void Saturated_logits_give_finite_probabilities_and_gradients()
    {
        var layer = new Softmax();
        Tensor p = layer.Forward(Tensor.FromValues(1, 4, [1000f, -1000f, 0f, -1000f]));
        Assert.That(p.ToArray(), Is.EqualTo(new[] { 1f, 0f, 0f, 0f }));
        Tensor dZ = layer.Backward(Tensor.FromValues(1, 4, [1f, -2f, 3f, 4f]))!;
        // p = e_0 is a corner, where the Jacobian p_j (δ_ij - p_i) is zero
        Assert.That(dZ.ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 0f }));
    }

    [Test]
    public void Is_a_built_in_kind_that_saves_and_loads()
    {
        Assert.That(LayerRegistry.IsRegistered("Softmax"), Is.True);
        var random = new DeterministicRandom(1);
        var model = new Sequential(new Dense(3, 4, WeightInit.XavierUniform, random, "logits"), new Softmax("probabilities"));
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        Sequential loaded = ModelFile.Load(stream, "memory");
        Assert.That(loaded.Layers[1], Is.TypeOf<Softmax>());
        Assert.That(loaded.Layers[1].Name, Is.EqualTo("probabilities"));
        float[] sample = [0.5f, -1f, 2f];
        Assert.That(loaded.PredictSample(sample), Is.EqualTo(model.PredictSample(sample)));
    }

    [Test]
    public void The_fused_loss_gradient_equals_this_layer_then_a_plain_negative_log_likelihood([Values(KernelPath.Scalar, KernelPath.Auto)] KernelPath path)
    {
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { Path = path };
        try
        {
            const int batchSize = 5, classes = 10;
            var random = new DeterministicRandom(12);
            Tensor logits = Tensor.FromValues(batchSize, classes, SoftmaxKernelTests.Gaussian(random, batchSize * classes, scale: 3));
            Tensor targets = Tensor.FromValues(batchSize, classes, CrossEntropyKernelTests.OneHot(random, batchSize, classes));

            // the plain way: p = softmax(z), L = -(1/n) Σ y ln p, dL/dp = -y / (n p), then the layer's backward
            var layer = new Softmax();
            Tensor p = layer.Forward(logits);
            var dP = new Tensor(batchSize, classes);
            double plainLoss = 0;
            for (int i = 0; i < p.Length; i++)
            {
                plainLoss -= targets[i] * Math.Log(p[i]) / batchSize;
                dP.AsSpan()[i] = -targets[i] / (batchSize * p[i]);
            }

            float[] plain = layer.Backward(dP)!.ToArray();

            var fused = new SoftmaxCrossEntropy();
            float[] fusedGradient = fused.Backward(logits, targets).ToArray();
            Assert.That(fusedGradient, Is.EqualTo(plain).Within(1e-6f));
            Assert.That(fused.Forward(logits, targets), Is.EqualTo(plainLoss).Within(1e-5 * plainLoss));
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    /// <summary>A wrong softmax: the forward is right, the backward keeps only the Jacobian's diagonal, dz = p dp.</summary>
    private sealed class DiagonalOnlySoftmax() : Layer("diagonal only")
    {
        private readonly Softmax _softmax = new();
        private Tensor? _p;
        private Tensor? _dInput;

        public override Tensor Forward(Tensor input) => _p = _softmax.Forward(input);

        public override Tensor Backward(Tensor dOutput)
        {
            RequireShapeOfOutput(dOutput, _p);
            Tensor dInput = Reuse(ref _dInput, dOutput.Rows, dOutput.Columns, "dz");
            for (int i = 0; i < dInput.Length; i++)
            {
                // dz = p dp (wrong: forgets - p Σ_k p_k dp_k)
                dInput.AsSpan()[i] = _p![i] * dOutput[i];
            }

            return dInput;
        }
    }
}
