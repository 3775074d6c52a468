// The PyTorch oracle cases for the components issue 10 added (Relu, LeakyRelu, Tanh, Softmax, Dropout,
// CrossEntropyCost, SoftmaxCrossEntropy, Momentum with and without Nesterov, Adam, AdamW, Sgd's weight decay,
// and, added later, RmsProp and SigmoidCrossEntropy); the torch side (tests/oracle/torch_oracle.py) knows every kind by its Layer.Kind.
// Each case trains from the same bits in C# and in torch float32, 1 and 10 steps, batch 1 and 10, on a small
// 3-5-4 net, and 10 steps of batch 10 on 784-30-10; the weights must agree to 1e-5 (max abs).
namespace MnistBp.Tests.Oracle;

public class NewComponentOracleTests
{
    /// <summary>A model of layers between Dense layers: in-hidden-out, seeded ScaledNormal weights, so no unit saturates.</summary>
    private static Func<Sequential> Net(int inputSize, int hiddenSize, int outputSize, Func<Layer> hidden, params Func<Layer>[] output) => () =>
    {
        var random = new DeterministicRandom(11);
        var model = new Sequential(new Dense(inputSize, hiddenSize, WeightInit.ScaledNormal, random, "hidden"), hidden());
        model.Add(new Dense(hiddenSize, outputSize, WeightInit.ScaledNormal, random, "output"));
        foreach (Func<Layer> layer in output)
        {
            model.Add(layer());
        }

        return model;
    };

    /// <summary>Dropout's mask of the last step, for torch to multiply by (no mask of its own).</summary>
    private static float[]? DropoutMask(Layer layer) => layer is Dropout dropout ? dropout.LastMask.ToArray() : null;

    /// <summary>One component under test: how to make the model (given the sizes), the loss and the optimizer.</summary>
    /// <param name="Float64Reference">On the wide net, also judge against a float64 replay (Adam, AdamW, RmsProp: see OracleCase.Float64Reference).</param>
    private sealed record Component(string Name, Func<int, int, int, Func<Sequential>> Model, Func<Loss> Loss, OracleOptimizer Optimizer, bool Float64Reference = false);

    private static Func<int, int, int, Func<Sequential>> Sigmoids => (i, h, o) => Net(i, h, o, () => new Sigmoid(), () => new Sigmoid());

    private static IEnumerable<Component> Components()
    {
        OracleOptimizer sgd = OracleOptimizer.Sgd(0.5f);

        // Layers, each between two Dense layers, with the quadratic cost and plain SGD.
        yield return new("Relu", (i, h, o) => Net(i, h, o, () => new Relu(), () => new Sigmoid()), () => new QuadraticCost(), sgd);
        yield return new("LeakyRelu 0.1", (i, h, o) => Net(i, h, o, () => new LeakyRelu(0.1f), () => new Sigmoid()), () => new QuadraticCost(), sgd);
        yield return new("LeakyRelu 0.01", (i, h, o) => Net(i, h, o, () => new LeakyRelu(0.01f), () => new Sigmoid()), () => new QuadraticCost(), sgd);
        yield return new("Tanh", (i, h, o) => Net(i, h, o, () => new Tanh(), () => new Sigmoid()), () => new QuadraticCost(), sgd);
        yield return new("Softmax", (i, h, o) => Net(i, h, o, () => new Sigmoid(), () => new Softmax()), () => new QuadraticCost(), sgd);
        yield return new("Softmax cross-entropy cost", (i, h, o) => Net(i, h, o, () => new Relu(), () => new Softmax()), () => new CrossEntropyCost(), sgd);
        yield return new("Dropout 0.5", (i, h, o) => Net(i, h, o, () => new Dropout(0.5f, seed: 3), () => new Sigmoid()), () => new QuadraticCost(), sgd);

        // Losses.
        yield return new("CrossEntropyCost", Sigmoids, () => new CrossEntropyCost(), sgd);
        yield return new("SoftmaxCrossEntropy", (i, h, o) => Net(i, h, o, () => new Sigmoid()), () => new SoftmaxCrossEntropy(), sgd);
        yield return new("SigmoidCrossEntropy", (i, h, o) => Net(i, h, o, () => new Sigmoid()), () => new SigmoidCrossEntropy(), sgd);

        // Optimizers (weight decay on weights only: torch gets two param groups).
        yield return new("Sgd weight decay", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("Sgd", 0.5f, p => new Sgd(p, 0.5f, weightDecay: 0.1f)) { WeightDecay = 0.1f });
        yield return new("Momentum", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("Momentum", 0.1f, p => new Momentum(p, 0.1f, 0.9f)) { Momentum = 0.9f });
        yield return new("Momentum Nesterov", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("Momentum", 0.1f, p => new Momentum(p, 0.1f, 0.9f, nesterov: true)) { Momentum = 0.9f, Nesterov = true });
        yield return new("Momentum decay", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("Momentum", 0.1f, p => new Momentum(p, 0.1f, 0.9f, weightDecay: 0.01f)) { Momentum = 0.9f, WeightDecay = 0.01f });
        yield return new("Momentum Nesterov decay", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("Momentum", 0.1f, p => new Momentum(p, 0.1f, 0.9f, nesterov: true, weightDecay: 0.01f)) { Momentum = 0.9f, Nesterov = true, WeightDecay = 0.01f });
        yield return new("Adam", Sigmoids, () => new QuadraticCost(), new OracleOptimizer("Adam", 1e-3f, p => new Adam(p, 1e-3f)), Float64Reference: true);
        yield return new("Adam decay", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("Adam", 1e-2f, p => new Adam(p, 1e-2f, weightDecay: 0.01f)) { WeightDecay = 0.01f }, Float64Reference: true);
        yield return new("AdamW", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("AdamW", 1e-3f, p => new AdamW(p, 1e-3f, weightDecay: 0.01f)) { WeightDecay = 0.01f }, Float64Reference: true);
        yield return new("RmsProp", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("RmsProp", 1e-3f, p => new RmsProp(p, 1e-3f, 0.9f, 1e-7f)) { Rho = 0.9f, Epsilon = 1e-7f }, Float64Reference: true);
        yield return new("RmsProp decay", Sigmoids, () => new QuadraticCost(),
            new OracleOptimizer("RmsProp", 1e-2f, p => new RmsProp(p, 1e-2f, 0.99f, 1e-8f, weightDecay: 0.01f)) { Rho = 0.99f, Epsilon = 1e-8f, WeightDecay = 0.01f }, Float64Reference: true);
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (Component component in Components())
        {
            foreach ((int batchSize, int steps) in new[] { (1, 1), (1, 10), (10, 1), (10, 10) })
            {
                string name = $"{component.Name}: 3-5-4, {component.Optimizer}, batch {batchSize}, {steps} step(s)";
                yield return Case(name, component.Model(3, 5, 4), component, batchSize, steps);
            }

            string wide = $"{component.Name}: 784-30-10, {component.Optimizer}, batch 10, 10 steps";
            yield return Case(wide, component.Model(784, 30, 10), component, 10, 10, component.Float64Reference);
        }
    }

    private static TestCaseData Case(string name, Func<Sequential> model, Component component, int batchSize, int steps, bool float64Reference = false) =>
        new TestCaseData(new OracleCase(name, model, component.Loss, component.Optimizer, batchSize, steps) { RecordMask = DropoutMask, Float64Reference = float64Reference }).SetName(name);

    [TestCaseSource(nameof(Cases))]
    public void Training_steps_agree_with_PyTorch_float32(OracleCase oracleCase) => TorchOracle.Run(oracleCase).AssertAgrees(1e-5);
}
