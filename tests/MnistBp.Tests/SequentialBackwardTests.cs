// Sequential.Backward without the input gradient stops at the lowest layer with parameters: a
// Dropout (or any parameterless layer) on the inputs is not back-propagated, and the first Dense
// skips dA, yet every parameter gradient is the one the full backward pass computes.
namespace MnistBp.Tests;

public class SequentialBackwardTests
{
    /// <summary>A parameterless identity layer that counts its Backward calls and what it was asked for.</summary>
    private sealed class Spy : Layer
    {
        public Spy()
            : base("spy")
        {
        }

        public int BackwardCalls { get; private set; }

        public override Tensor Forward(Tensor input) => input;

        public override Tensor? Backward(Tensor dOutput)
        {
            BackwardCalls++;
            return InputGradientNeeded ? dOutput : null;
        }
    }

    private static (Sequential Model, Spy Spy, Tensor Input, Tensor dOutput) NewModel()
    {
        var random = new DeterministicRandom(7);
        var spy = new Spy();
        var model = new Sequential(spy, new Dropout(0.3f, seed: 5), new Dense(6, 4, WeightInit.HeNormal, random, "hidden"), new Relu(), new Dense(4, 3, WeightInit.XavierNormal, random, "output"));
        var input = new Tensor(5, 6);
        var dOutput = new Tensor(5, 3);
        for (int i = 0; i < input.Length; i++)
        {
            input.AsSpan()[i] = (float)random.NextGaussian();
        }

        for (int i = 0; i < dOutput.Length; i++)
        {
            dOutput.AsSpan()[i] = (float)random.NextGaussian();
        }

        return (model, spy, input, dOutput);
    }

    [Test]
    public void Without_the_input_gradient_the_layers_below_the_first_with_parameters_are_skipped_and_the_gradients_are_the_same()
    {
        (Sequential model, Spy spy, Tensor input, Tensor dOutput) = NewModel();
        model.Forward(input);
        model.ZeroGrad();
        Tensor? full = model.Backward(dOutput, computeInputGradient: true);
        float[][] expected = [.. model.Parameters.Select(p => p.Gradient.ToArray())];
        Assert.That(full, Is.Not.Null);
        Assert.That(spy.BackwardCalls, Is.EqualTo(1));

        model.ZeroGrad();
        Tensor? skipped = model.Backward(dOutput, computeInputGradient: false);

        Assert.That(skipped, Is.Null, "no layer below the first Dense was back-propagated, so there is no dInput");
        Assert.That(spy.BackwardCalls, Is.EqualTo(1), "the parameterless spy on the inputs was not called the second time");
        for (int p = 0; p < expected.Length; p++)
        {
            Assert.That(model.Parameters[p].Gradient.ToArray(), Is.EqualTo(expected[p]), model.Parameters[p].Name);
        }
    }

    [Test]
    public void A_model_without_parameters_back_propagates_nothing_when_no_input_gradient_is_wanted()
    {
        var spy = new Spy();
        var model = new Sequential(spy, new Relu());
        var input = new Tensor(2, 3);
        model.Forward(input);

        Assert.That(model.Backward(new Tensor(2, 3), computeInputGradient: false), Is.Null);
        Assert.That(spy.BackwardCalls, Is.Zero);
        Assert.That(model.Backward(new Tensor(2, 3), computeInputGradient: true), Is.Not.Null);
        Assert.That(spy.BackwardCalls, Is.EqualTo(1));
    }
}
