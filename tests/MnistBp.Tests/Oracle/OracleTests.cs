// The PyTorch oracle for the components on main: Dense and Sigmoid, QuadraticCost and MeanSquaredError,
// Sgd. Every case trains in C# with Trainer.Step and in torch float32 from the same bits, one step and ten
// steps, batch 1 and 10, on the tutorial-sized 3-4-2 net and on Nielsen's 784-30-10; the weights must agree
// to 1e-5 (max abs). A new component is one case here and one line in tests/oracle/torch_oracle.py.
namespace MnistBp.Tests.Oracle;

public class OracleTests
{
    /// <summary>Dense-Sigmoid-Dense-Sigmoid, sizes in-hidden-out, seeded weights.</summary>
    private static Func<Sequential> SigmoidNet(int inputSize, int hiddenSize, int outputSize, WeightInit init) => () =>
    {
        var random = new DeterministicRandom(7);
        return new Sequential(
            new Dense(inputSize, hiddenSize, init, random, "hidden"), new Sigmoid("hidden sigmoid"),
            new Dense(hiddenSize, outputSize, init, random, "output"), new Sigmoid("output sigmoid"));
    };

    private static IEnumerable<TestCaseData> Cases()
    {
        var shapes = new (string Name, Func<Sequential> Model, float LearnRate)[]
        {
            ("3-4-2", SigmoidNet(3, 4, 2, WeightInit.StandardNormal), 0.5f),
            ("784-30-10", SigmoidNet(784, 30, 10, WeightInit.ScaledNormal), 3f), // Nielsen's chapter 1 network and rate
        };
        var losses = new (string Name, Func<Loss> Create)[] { ("QuadraticCost", () => new QuadraticCost()), ("MeanSquaredError", () => new MeanSquaredError()) };
        foreach ((string shape, Func<Sequential> model, float learnRate) in shapes)
        {
            foreach ((string lossName, Func<Loss> loss) in losses)
            {
                foreach (int batchSize in new[] { 1, 10 })
                {
                    foreach (int steps in new[] { 1, 10 })
                    {
                        string name = $"Dense-Sigmoid {shape}, {lossName}, Sgd {learnRate}, batch {batchSize}, {steps} step(s)";
                        yield return new TestCaseData(new OracleCase(name, model, loss, OracleOptimizer.Sgd(learnRate), batchSize, steps)).SetName(name);
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Training_steps_agree_with_PyTorch_float32(OracleCase oracleCase) => TorchOracle.Run(oracleCase).AssertAgrees(1e-5);

    [Test]
    public void The_oracle_sees_a_wrong_loss()
    {
        // The check can fail: torch told MeanSquaredError while C# trains with QuadraticCost. With 3 outputs the two
        // differ by a factor outputSize / 2 = 1.5 (with 2 outputs they are the same cost: sum / 2n = sum / (n · 2)).
        var oracleCase = new OracleCase("3-4-3 QuadraticCost replayed as MeanSquaredError", SigmoidNet(3, 4, 3, WeightInit.StandardNormal),
            () => new QuadraticCost(), OracleOptimizer.Sgd(0.5f), 10, 10) { LossKind = "MeanSquaredError" };
        OracleReport report = TorchOracle.Run(oracleCase);
        Assert.That(report.MaxDifference, Is.GreaterThan(1e-3), report.ToString());
    }

    [Test]
    public void The_oracle_sees_a_wrong_learn_rate_in_one_weight()
    {
        // The check can fail on one parameter alone: the torch side is given the C# optimizer's rate, but the C#
        // side trains with a rate a hundred-thousandth higher; the differences show per parameter.
        var oracleCase = new OracleCase("3-4-2 learn rate 0.5 replayed as 0.50001", SigmoidNet(3, 4, 2, WeightInit.StandardNormal),
            () => new QuadraticCost(), new OracleOptimizer("Sgd", 0.5f, parameters => new NoReportSgd(parameters, 0.50001f)), 10, 10);
        OracleReport report = TorchOracle.Run(oracleCase);
        Assert.That(report.MaxDifference, Is.GreaterThan(1e-6), report.ToString());
        Assert.That(report.Parameters, Has.Count.EqualTo(4), "W and b of both Dense layers, each with its own difference");
    }

    [TestCase(9e-6, null, null, true, TestName = "The rule: within 1e-5 of torch float32 agrees")]
    [TestCase(1.1e-5, null, null, false, TestName = "The rule: past 1e-5 without a float64 replay disagrees")]
    [TestCase(1.75e-5, 2.73e-6, 1.48e-5, true, TestName = "The rule: past 1e-5 but nearer float64 than torch, within 1e-5 of it, agrees")]
    [TestCase(1.75e-5, 1.5e-5, 2e-5, false, TestName = "The rule: nearer float64 than torch but not within 1e-5 of it disagrees")]
    [TestCase(1.75e-5, 5e-6, 4e-6, false, TestName = "The rule: within 1e-5 of float64 but farther than torch disagrees")]
    [TestCase(1.01e-4, 1e-6, 1e-4, false, TestName = "The rule: past ten tolerances from torch float32 disagrees whatever float64 says")]
    public void The_agreement_rule_for_one_parameter(double toTorch, double? csharpToFloat64, double? torchToFloat64, bool agrees) =>
        Assert.That(OracleReport.Agrees(new OracleDifference("W", "[2 x 2]", toTorch, csharpToFloat64, torchToFloat64), 1e-5), Is.EqualTo(agrees));

    /// <summary>Sgd that hides its rate, so the oracle's own learn-rate check does not catch the mismatch first.</summary>
    private sealed class NoReportSgd(IEnumerable<Parameter> parameters, float learnRate) : Optimizer(parameters)
    {
        private readonly Sgd _sgd = new(parameters, learnRate);

        public override void Step() => _sgd.Step();
    }
}
