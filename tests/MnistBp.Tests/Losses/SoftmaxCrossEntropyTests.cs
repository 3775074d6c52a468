// SoftmaxCrossEntropy: the fused loss over logits. Golden values by hand (logits [1, 2, 3], class 2),
// the finite-difference check (and a gradient without the batch mean failing it), logits of ±1000,
// soft targets, shape errors, 0 bytes per Forward/Backward once warm, and the Probabilities helper.
namespace MnistBp.Tests;

[NonParallelizable] // allocation counting and KernelSettings.Current are process-wide
public class SoftmaxCrossEntropyTests
{
    [Test]
    public void Forward_and_Backward_give_the_values_worked_out_by_hand()
    {
        var loss = new SoftmaxCrossEntropy();
        // logits [1, 2, 3] -> p = [0.0900306, 0.2447285, 0.6652410]; the right class is 2
        Tensor z = Tensor.FromValues(1, 3, [1f, 2f, 3f]);
        Tensor y = Tensor.FromValues(1, 3, [0f, 0f, 1f]);
        Assert.That(loss.Forward(z, y), Is.EqualTo(-Math.Log(0.6652410)).Within(1e-6), "forward pass went well: -ln p_2 = 0.4076059");
        Assert.That(loss.Backward(z, y).ToArray(), Is.EqualTo(new[] { 0.0900306f, 0.2447285f, 0.6652410f - 1f }).Within(1e-7f), "backward pass went well: p - y");

        // a batch of two: the mean of the two rows' losses, the gradient halved
        Tensor z2 = Tensor.FromValues(2, 3, [1f, 2f, 3f, 1f, 2f, 3f]);
        Tensor y2 = Tensor.FromValues(2, 3, [0f, 0f, 1f, 1f, 0f, 0f]);
        Assert.That(loss.Forward(z2, y2), Is.EqualTo((-Math.Log(0.6652410) - Math.Log(0.0900306)) / 2).Within(1e-6));
        Assert.That(loss.Backward(z2, y2).ToArray(), Is.EqualTo(new[] { 0.0450153f, 0.1223643f, -0.1673795f, -0.4549847f, 0.1223643f, 0.3326205f }).Within(1e-7f));
        Assert.That(loss.Formula, Is.EqualTo("C = Σ [log Σ_k e^(z_k) - Σ_j y_j z_j] / batchSize"));
    }

    [Test]
    public void Passes_the_gradient_check_and_a_gradient_off_by_the_batch_size_fails_it([Values(KernelPath.Scalar, KernelPath.Auto)] KernelPath path)
    {
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { Path = path };
        try
        {
            var random = new DeterministicRandom(6);
            Tensor z = Tensor.FromValues(4, 10, SoftmaxKernelTests.Gaussian(random, 40, scale: 2));
            Tensor y = Tensor.FromValues(4, 10, CrossEntropyKernelTests.OneHot(random, 4, 10));
            GradientCheckReport report = GradientCheck.Check(new SoftmaxCrossEntropy(), z, y);
            Assert.That(report.Passed, Is.True, report.ToString());
            Assert.That(GradientCheck.Check(new CrossEntropyCostTests.NotAveraged(new SoftmaxCrossEntropy(), 4), z, y).Passed, Is.False);

            // soft targets (a distribution per row) and a whole Dense + loss model
            Tensor soft = Tensor.FromValues(2, 3, [0.2f, 0.5f, 0.3f, 0.9f, 0f, 0.1f]);
            Assert.That(GradientCheck.Check(new SoftmaxCrossEntropy(), Tensor.FromValues(2, 3, [0.3f, -1f, 2f, 1f, 1f, -0.5f]), soft).Passed, Is.True);
            var model = new Sequential(new Dense(6, 10, WeightInit.XavierNormal, random, "logits"));
            Tensor x = Tensor.FromValues(4, 6, SoftmaxKernelTests.Gaussian(random, 24));
            GradientCheckReport whole = GradientCheck.Check(model, new SoftmaxCrossEntropy(), x, y);
            Assert.That(whole.Passed, Is.True, whole.ToString());
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    [Test]
    public void Logits_of_plus_and_minus_1000_give_a_finite_loss_and_gradient()
    {
        var loss = new SoftmaxCrossEntropy();
        // row 0 confidently wrong (class 0 at +1000, the right class 1 at -1000), row 1 confidently right
        float[] logits = [1000f, -1000f, -1000f, -1000f, -1000f, 1000f, -1000f, -1000f];
        Tensor z = Tensor.FromValues(2, 4, logits);
        Tensor y = Tensor.FromValues(2, 4, [0f, 1f, 0f, 0f, 0f, 1f, 0f, 0f]);
        // row 0: log(e^1000 + 3 e^-1000) + 1000 = 2000; row 1: 0; mean 1000
        Assert.That(loss.Forward(z, y), Is.EqualTo(1000f));
        Assert.That(loss.Backward(z, y).ToArray(), Is.EqualTo(new[] { 0.5f, -0.5f, 0f, 0f, 0f, 0f, 0f, 0f }));
        float[] p = new float[8];
        SoftmaxCrossEntropy.Probabilities(logits, p, 2);
        Assert.That(p, Is.EqualTo(new[] { 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f }));
    }

    [Test]
    public void Probabilities_is_the_row_softmax_and_names_what_does_not_fit()
    {
        float[] p = new float[6];
        SoftmaxCrossEntropy.Probabilities([1f, 2f, 3f, 3f, 2f, 1f], p, 2);
        Assert.That(p, Is.EqualTo(new[] { 0.0900306f, 0.2447285f, 0.6652410f, 0.6652410f, 0.2447285f, 0.0900306f }).Within(1e-7f));
        Assert.That(() => SoftmaxCrossEntropy.Probabilities(new float[6], new float[6], 4), Throws.ArgumentException.With.Message.Contains("do not split into 4"));
        Assert.That(() => SoftmaxCrossEntropy.Probabilities(new float[6], new float[5], 2), Throws.ArgumentException.With.Property("ParamName").EqualTo("probabilities"));
        Assert.That(() => SoftmaxCrossEntropy.Probabilities(new float[6], new float[6], 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Shapes_that_differ_are_named()
    {
        var loss = new SoftmaxCrossEntropy();
        Assert.That(() => loss.Forward(new Tensor(2, 10), new Tensor(2, 9)), Throws.ArgumentException.With.Message.Contains("[2 x 9]").And.Message.Contains("[2 x 10]"));
        Assert.That(() => loss.Backward(new Tensor(2, 10), new Tensor(1, 10)), Throws.ArgumentException.With.Message.Contains("SoftmaxCrossEntropy"));
    }

    [Test]
    public void A_NaN_logit_gives_a_NaN_loss()
    {
        var loss = new SoftmaxCrossEntropy();
        Tensor z = Tensor.FromValues(1, 3, [0f, float.NaN, 1f]);
        Tensor y = Tensor.FromValues(1, 3, [1f, 0f, 0f]);
        Assert.That(loss.Forward(z, y), Is.NaN);
        Assert.That(loss.Backward(z, y)[0], Is.NaN);
    }

    [TestCase(typeof(SoftmaxCrossEntropy))]
    [TestCase(typeof(SigmoidCrossEntropy))]
    public void Forward_Backward_and_a_training_step_allocate_nothing_once_warm(Type lossType)
    {
        // Both losses over logits: the same model (ending in its logits) and the same one-hot targets.
        var loss = (Loss)Activator.CreateInstance(lossType)!;
        Tensor z = Tensor.FromValues(32, 10, SoftmaxKernelTests.Gaussian(new DeterministicRandom(1), 320));
        Tensor y = Tensor.FromValues(32, 10, CrossEntropyKernelTests.OneHot(new DeterministicRandom(2), 32, 10));
        loss.Forward(z, y);
        loss.Backward(z, y);
        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            loss.Forward(z, y);
            loss.Backward(z, y);
        }, 20), Is.Zero);

        var random = new DeterministicRandom(3);
        var model = new Sequential(new Dense(20, 16, WeightInit.HeNormal, random, "hidden"), new Sigmoid(), new Dense(16, 10, WeightInit.XavierUniform, random, "logits"));
        var trainer = new Trainer(model, (Loss)Activator.CreateInstance(lossType)!, new Sgd(model.Parameters, 0.1f));
        Tensor x = Tensor.FromValues(32, 20, SoftmaxKernelTests.Gaussian(random, 640));
        for (int i = 0; i < 20; i++)
        {
            trainer.Step(x, y);
        }

        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            trainer.Step(x, y);
        }, 20), Is.Zero);
    }
}
