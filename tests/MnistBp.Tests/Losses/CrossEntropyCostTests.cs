// CrossEntropyCost: Nielsen's chapter 3 cost for sigmoid outputs. Golden values by hand, the
// averaging convention (sum over outputs, mean over the batch, like QuadraticCost), the
// finite-difference check, δ = (a - y)/n after Sigmoid's backward, outputs of exactly 0 and 1, shape
// errors and 0 bytes per Forward/Backward once warm.
namespace MnistBp.Tests;

[NonParallelizable] // allocation counting and KernelSettings.Current are process-wide
public class CrossEntropyCostTests
{
    [Test]
    public void Forward_and_Backward_give_the_values_worked_out_by_hand()
    {
        var loss = new CrossEntropyCost();
        // two samples, two outputs: a = [[0.8, 0.3], [0.6, 0.1]], y = [[1, 0], [0, 1]]
        Tensor a = Tensor.FromValues(2, 2, [0.8f, 0.3f, 0.6f, 0.1f]);
        Tensor y = Tensor.FromValues(2, 2, [1f, 0f, 0f, 1f]);
        // C = -(1/2) [ln 0.8 + ln 0.7 + ln 0.4 + ln 0.1]: summed over outputs, halved for the batch of 2
        double expected = -(Math.Log(0.8) + Math.Log(0.7) + Math.Log(0.4) + Math.Log(0.1)) / 2;
        Assert.That(loss.Forward(a, y), Is.EqualTo(expected).Within(1e-6), "forward pass went well");
        // dA = (a - y) / (a (1 - a)) / 2
        float[] dA = loss.Backward(a, y).ToArray();
        Assert.That(dA, Is.EqualTo(new[] { -0.2f / 0.16f / 2, 0.3f / 0.21f / 2, 0.6f / 0.24f / 2, -0.9f / 0.09f / 2 }).Within(1e-5f), "backward pass went well");
        Assert.That(loss.Formula, Is.EqualTo("C = -Σ [y ln a + (1 - y) ln(1 - a)] / batchSize"));
    }

    [Test]
    public void Passes_the_gradient_check_and_a_gradient_off_by_the_batch_size_fails_it([Values(KernelPath.Scalar, KernelPath.Auto)] KernelPath path)
    {
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { Path = path };
        try
        {
            var random = new DeterministicRandom(5);
            var a = new Tensor(4, 10);
            var y = new Tensor(4, 10);
            for (int i = 0; i < a.Length; i++)
            {
                a.AsSpan()[i] = 0.15f + 0.7f * (float)random.NextDouble(); // away from the clamp, where ln curves gently enough for a step of 1e-2
                y.AsSpan()[i] = i % 3 == 2 ? (float)random.NextDouble() : i % 3;
            }

            GradientCheckReport report = GradientCheck.Check(new CrossEntropyCost(), a, y);
            Assert.That(report.Passed, Is.True, report.ToString());
            Assert.That(GradientCheck.Check(new NotAveraged(new CrossEntropyCost(), 4), a, y).Passed, Is.False);
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    [Test]
    public void After_Sigmoids_backward_the_gradient_is_a_minus_y_over_n()
    {
        var random = new DeterministicRandom(9);
        Tensor z = Tensor.FromValues(3, 10, SoftmaxKernelTests.Gaussian(random, 30, scale: 3));
        Tensor y = Tensor.FromValues(3, 10, CrossEntropyKernelTests.OneHot(random, 3, 10));
        var sigmoid = new Sigmoid();
        Tensor a = sigmoid.Forward(z);
        float[] dZ = sigmoid.Backward(new CrossEntropyCost().Backward(a, y))!.ToArray();
        // Nielsen's δ = a - y, averaged over the batch of 3: no σ'(z) left to slow learning
        float[] expected = [.. a.ToArray().Zip(y.ToArray(), (ai, yi) => (ai - yi) / 3)];
        Assert.That(dZ, Is.EqualTo(expected).Within(1e-6f));
    }

    [Test]
    public void Outputs_of_exactly_0_and_1_give_a_finite_loss_and_gradient()
    {
        var loss = new CrossEntropyCost();
        Tensor a = Tensor.FromValues(2, 4, [0f, 1f, 0f, 1f, 0f, 1f, 1f, 0f]);
        Tensor y = Tensor.FromValues(2, 4, [0f, 1f, 1f, 0f, 0f, 1f, 1f, 0f]);
        float c = loss.Forward(a, y);
        float[] dA = loss.Backward(a, y).ToArray();
        Assert.That(float.IsFinite(c) && dA.All(float.IsFinite), Is.True, $"C = {c}, dA = [{string.Join(", ", dA)}]");
        // the two wrong outputs cost -ln ε ≈ 16.12 and -ln(1 - (1 - ε)) ≈ 15.94, the six right ones about ε each; mean over 2 samples
        Assert.That(c, Is.EqualTo((-Math.Log(CrossEntropyCost.Epsilon) - Math.Log(1 - (double)(1f - CrossEntropyCost.Epsilon))) / 2).Within(1e-3));
        // a sigmoid saturated at exactly 0 or 1 passes no gradient back (its a (1 - a) is 0), but nothing is NaN
        var sigmoid = new Sigmoid();
        Tensor saturated = sigmoid.Forward(Tensor.FromValues(1, 4, [-1000f, 1000f, -1000f, 1000f]));
        float[] dZ = sigmoid.Backward(loss.Backward(saturated, Tensor.FromValues(1, 4, [0f, 1f, 1f, 0f])))!.ToArray();
        Assert.That(dZ.All(float.IsFinite), Is.True, string.Join(", ", dZ));
    }

    [Test]
    public void A_saturated_wrong_sigmoid_still_gets_dZ_equal_to_a_minus_y([Values(-60f, -20f, -15f, 15f, 16f)] float z)
    {
        // Nielsen's point: with cross-entropy, dZ = a - y however wrong and saturated the neuron is (here a is
        // down to 9e-27, or up to 1 - 1.2e-7, and the target the opposite end), where the quadratic cost's dZ would be
        // near 0. (Above z of about 16.6 a float sigmoid gives exactly 1, and a (1 - a) = 0 passes nothing back.)
        var sigmoid = new Sigmoid();
        var loss = new CrossEntropyCost();
        Tensor a = sigmoid.Forward(Tensor.FromValues(1, 1, [z]));
        Tensor y = Tensor.FromValues(1, 1, [z < 0 ? 1f : 0f]);
        float dZ = sigmoid.Backward(loss.Backward(a, y))!.ToArray()[0];
        Assert.That(dZ, Is.EqualTo(a.ToArray()[0] - y.ToArray()[0]).Within(1e-6), $"z = {z}, a = {a.ToArray()[0]}");
    }

    [Test]
    public void A_NaN_output_gives_a_NaN_loss()
    {
        var loss = new CrossEntropyCost();
        Tensor a = Tensor.FromValues(1, 2, [float.NaN, 0.5f]);
        Tensor y = Tensor.FromValues(1, 2, [1f, 0f]);
        Assert.That(loss.Forward(a, y), Is.NaN);
        Assert.That(loss.Backward(a, y)[0], Is.NaN);
    }

    [Test]
    public void Shapes_that_differ_are_named()
    {
        var loss = new CrossEntropyCost();
        Assert.That(() => loss.Forward(new Tensor(2, 3), new Tensor(2, 4)), Throws.ArgumentException.With.Message.Contains("[2 x 4]").And.Message.Contains("[2 x 3]"));
        Assert.That(() => loss.Backward(new Tensor(2, 3), new Tensor(3, 3)), Throws.ArgumentException.With.Message.Contains("CrossEntropyCost"));
    }

    [Test]
    public void Forward_and_Backward_allocate_nothing_once_warm()
    {
        var loss = new CrossEntropyCost();
        var a = new Tensor(32, 10);
        var y = new Tensor(32, 10);
        a.Fill(0.3f);
        y.AsSpan()[3] = 1f;
        loss.Forward(a, y);
        loss.Backward(a, y);
        Assert.That(Allocations.SmallestOfWindows(() =>
        {
            loss.Forward(a, y);
            loss.Backward(a, y);
        }, 20), Is.Zero);
    }

    /// <summary>A wrong gradient: the loss's own, times the batch size (forgets the 1/n of the mean).</summary>
    internal sealed class NotAveraged(Loss inner, int batchSize) : Loss
    {
        private Tensor? _dPredicted;

        public override float Forward(Tensor predicted, Tensor target) => inner.Forward(predicted, target);

        public override Tensor Backward(Tensor predicted, Tensor target)
        {
            Tensor gradient = Reuse(ref _dPredicted, predicted);
            inner.Backward(predicted, target).AsSpan().CopyTo(gradient.AsSpan());
            foreach (ref float g in gradient.AsSpan())
            {
                g *= batchSize;
            }

            return gradient;
        }
    }
}
