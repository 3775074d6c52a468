// What "a user's own layer does everything a built-in one does" means, checked on Relu and
// SoftmaxCrossEntropy, which live in this project and see only MnistBp's public API: they train a
// 784-64-10 network on MNIST through Trainer.Fit with evaluation, save and reload bit for bit, pass
// the gradient check, and show their name and shape in the debugger.
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using MnistBp;
using MnistBp.Data;

namespace MnistBp.Extending.Tests;

public partial class ExtendingTests
{
    private static Sequential NewModel(int inputSize, int classCount, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        return new Sequential(
            new Dense(inputSize, 64, WeightInit.ScaledNormal, random, "hidden"),
            new Relu("hidden relu"),
            new Dense(64, classCount, WeightInit.ScaledNormal, random, "output"));
    }

    [Test]
    public void Relu_and_softmax_cross_entropy_train_MNIST_through_Fit_with_evaluation()
    {
        (MnistData data, double minimum) = Data.Load();
        Sequential model = NewModel(data.Train.FeatureCount, data.Train.ClassCount, seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.Parameters, learnRate: 0.3f));

        IReadOnlyList<EpochResult> results = trainer.Fit(
            data.Train, new TrainingOptions { Epochs = 3, BatchSize = 32, ShuffleSeed = 1 }, evaluationData: data.Test);

        foreach (EpochResult result in results)
        {
            TestContext.Out.WriteLine($"epoch {result.Epoch}: loss {result.MeanTrainingLoss:F4}, accuracy {result.Evaluation!.Accuracy:P2} ({data.Location.Path})");
        }

        Assert.That(results[^1].Evaluation!.Accuracy, Is.GreaterThanOrEqualTo(minimum), data.Location.Path);
        Assert.That(results[^1].MeanTrainingLoss, Is.LessThan(results[0].MeanTrainingLoss), "the loss falls");
    }

    [Test]
    public void Relu_softmax_cross_entropy_and_a_model_of_them_pass_the_gradient_check()
    {
        // Inputs away from 0, where max(0, z) has its kink and no finite difference is right.
        Tensor z = Data.Random(4, 6, seed: 5);
        Span<float> values = z.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (values[i] - 0.5f) * 4f + (values[i] < 0.5f ? -0.2f : 0.2f);
        }

        GradientCheckReport relu = GradientCheck.Check(new Relu(), z);
        TestContext.Out.WriteLine(relu);
        Assert.That(relu.Passed, Is.True, relu.ToString());

        Tensor logits = Data.Random(4, 10, seed: 6), targets = OneHot([3, 0, 9, 3], 10);
        GradientCheckReport loss = GradientCheck.Check(new SoftmaxCrossEntropy(), logits, targets);
        TestContext.Out.WriteLine(loss);
        Assert.That(loss.Passed, Is.True, loss.ToString());

        // A whole model: ReLU's kink at 0 is where finite differences go wrong, so the check needs every
        // hidden pre-activation further from 0 than one step can move it (a step moves z by at most
        // h · max|x| = 0.01). Seed 39 gives min |z| = 0.031 on these inputs; most seeds have a unit within 0.01.
        Sequential model = NewModel(784, 10, seed: 39);
        Tensor x = Data.Random(3, 784, seed: 8);
        float nearestKink = model.Layers[0].Forward(x).ToArray().Min(Math.Abs);
        Assert.That(nearestKink, Is.GreaterThan(2 * GradientCheckOptions.Default.Step), "no hidden unit within reach of the kink");
        GradientCheckReport whole = GradientCheck.Check(model, new SoftmaxCrossEntropy(), x, OneHot([1, 7, 4], 10));
        TestContext.Out.WriteLine(whole);
        Assert.That(whole.Passed, Is.True, whole.ToString());
        Assert.That(whole.Entries.Select(e => e.Name), Is.EqualTo(new[] { "W hidden", "b hidden", "W output", "b output", "dInput" }));
    }

    [Test]
    public void A_wrong_backward_in_a_user_layer_fails_the_gradient_check()
    {
        GradientCheckReport report = GradientCheck.Check(new LeakyByMistake(), Data.Random(3, 5, seed: 9));
        Assert.That(report.Passed, Is.False, "a derivative of 1 below zero, where the forward pass is flat, is caught");
    }

    [Test]
    public void A_model_with_a_user_layer_saves_and_reloads_bit_identically_after_one_Register_call()
    {
        LayerRegistry.Register("MnistBp.Extending.Relu", record => new Relu(record.Name));
        Sequential model = NewModel(784, 10, seed: 10);
        Tensor inputs = Data.Random(20, 784, seed: 11);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.Parameters, learnRate: 0.3f));
        for (int step = 0; step < 20; step++)
        {
            trainer.Step(inputs, OneHot([.. Enumerable.Range(0, 20).Select(i => (i + step) % 10)], 10)); // trained weights, not the seed's
        }

        string path = Path.Combine(Path.GetTempPath(), $"mnistbp-extending-{Guid.NewGuid():N}.mnbp");
        try
        {
            ModelFile.Save(model, path);
            Sequential loaded = ModelFile.Load(path);

            Assert.That(loaded.Layers.Select(l => l.ToString()), Is.EqualTo(model.Layers.Select(l => l.ToString())));
            Assert.That(loaded.Layers[1], Is.TypeOf<Relu>());
            float[] expected = model.Predict(inputs).ToArray(), actual = loaded.Predict(inputs).ToArray();
            Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)), "bit for bit");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_model_with_a_user_layer_shows_its_name_and_shape_in_the_debugger()
    {
        Sequential model = NewModel(784, 10, seed: 2);
        var relu = (Relu)model.Layers[1];
        Assert.That(Debugger.Display(relu), Is.EqualTo("Relu 'hidden relu'"), "before any batch: the name");

        model.Forward(new Tensor(5, 784));
        Assert.That(Debugger.Display(relu), Is.EqualTo("Relu 'hidden relu' 64 -> 64"), "after a batch: the widths");
        Assert.That(Debugger.Display(model), Is.EqualTo("Sequential 784 -> 64 -> 10 (3 layers, 50890 parameters)"));
        Assert.That(Debugger.Display(new SoftmaxCrossEntropy()), Is.EqualTo("SoftmaxCrossEntropy L = -(1/n) Σ y · log softmax(z)"));
        object view = Debugger.Proxy(relu);
        Assert.That(view.GetType().GetProperty("Formula")!.GetValue(view), Is.EqualTo("a = max(0, z)"));
        Assert.That(view.GetType().GetProperty("LastBatch")!.GetValue(view), Is.EqualTo("[5 x 64] -> [5 x 64]"));
    }

    [Test]
    public void A_user_optimizer_trains_through_Fit_and_shows_its_settings()
    {
        // The tutorial's four people (float features, float targets), 2-2-1 sigmoid, momentum.
        Tensor people = Tensor.FromValues(4, 2, [-2f, -1f, 25f, 6f, 17f, 4f, -15f, -6f]);
        Tensor genders = Tensor.FromValues(4, 1, [1f, 0f, 0f, 1f]);
        Dataset data = Dataset.FromFeatures(people, genders);
        var random = new DeterministicRandom(42);
        var model = new Sequential(
            new Dense(2, 2, WeightInit.StandardNormal, random, "hidden"), new Sigmoid("h"),
            new Dense(2, 1, WeightInit.StandardNormal, random, "output"), new Sigmoid("o1"));
        var momentum = new Momentum(model.Parameters, learnRate: 0.1f, mu: 0.9f);
        var trainer = new Trainer(model, new MeanSquaredError(), momentum);

        IReadOnlyList<EpochResult> results = trainer.Fit(data, new TrainingOptions { Epochs = 200, BatchSize = 1, Shuffle = false }, evaluationData: data);

        TestContext.Out.WriteLine($"loss after 1 epoch {results[0].EvaluationLoss:F5}, after 200 {results[^1].EvaluationLoss:F5}");
        Assert.That(results[^1].EvaluationLoss, Is.LessThan(0.01), "the four people are learned");
        Assert.That(results[^1].EvaluationLoss, Is.LessThan(results[0].EvaluationLoss!.Value));
        Assert.That(Debugger.Display(trainer), Is.EqualTo("Trainer 2 -> 2 -> 1, MeanSquaredError, Momentum learnRate=0.1 mu=0.9"));
    }

    [Test]
    public void Predict_by_default_gives_the_numbers_of_Forward()
    {
        Sequential model = NewModel(784, 10, seed: 3);
        Tensor inputs = Data.Random(7, 784, seed: 4);
        float[] forward = model.Forward(inputs).ToArray();
        Assert.That(model.Predict(inputs).ToArray(), Is.EqualTo(forward), "Relu has no Predict of its own: Layer's default runs Forward");
    }

    [Test]
    public void The_loss_is_finite_for_saturated_logits()
    {
        Tensor logits = Tensor.FromValues(2, 3, [1000f, -1000f, 0f, -1000f, -1000f, 1000f]);
        Tensor targets = Tensor.FromValues(2, 3, [1f, 0f, 0f, 1f, 0f, 0f]);
        var loss = new SoftmaxCrossEntropy();
        // Row 0 is right with certainty (loss 0); row 1 puts its target 2000 below the winner (loss 2000).
        Assert.That(loss.Forward(logits, targets), Is.EqualTo(1000f));
        Assert.That(loss.Backward(logits, targets).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, -0.5f, 0f, 0.5f }));
    }

    private static Tensor OneHot(int[] labels, int classCount)
    {
        var targets = new Tensor(labels.Length, classCount, "y");
        for (int r = 0; r < labels.Length; r++)
        {
            targets[r, labels[r]] = 1f;
        }

        return targets;
    }

    /// <summary>A ReLU whose Backward passes the gradient below zero too: the kind of slip the check is for.</summary>
    private sealed class LeakyByMistake() : Layer("leaky by mistake")
    {
        private Tensor? _output;

        public override Tensor Forward(Tensor input)
        {
            Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
            ReadOnlySpan<float> z = input.AsSpan();
            Span<float> a = output.AsSpan();
            for (int i = 0; i < z.Length; i++)
            {
                a[i] = Math.Max(0f, z[i] - 0.5f);
            }

            return output;
        }

        public override Tensor Backward(Tensor dOutput) => dOutput; // wrong: should be 0 where z < 0.5
    }

    /// <summary>Reads what a debugger shows: the [DebuggerDisplay] text and the [DebuggerTypeProxy] object, as Visual Studio and VS Code evaluate them.</summary>
    private static partial class Debugger
    {
        public static string Display(object value)
        {
            DebuggerDisplayAttribute attribute = value.GetType().GetCustomAttribute<DebuggerDisplayAttribute>(inherit: true)
                ?? throw new AssertionException($"{value.GetType()} has no [DebuggerDisplay]");
            Match call = StaticCall().Match(attribute.Value);
            Assert.That(call.Success, Is.True, $"an expression this reader knows: {attribute.Value}");
            Type type = typeof(Layer).Assembly.GetType(call.Groups["type"].Value, throwOnError: true)!;
            MethodInfo method = type.GetMethod(call.Groups["method"].Value, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [FindParameterType(type, call.Groups["method"].Value, value)])!;
            return (string)method.Invoke(null, [value])!;
        }

        public static object Proxy(object value)
        {
            DebuggerTypeProxyAttribute attribute = value.GetType().GetCustomAttribute<DebuggerTypeProxyAttribute>(inherit: true)
                ?? throw new AssertionException($"{value.GetType()} has no [DebuggerTypeProxy]");
            Type proxy = Type.GetType(attribute.ProxyTypeName, throwOnError: true)!;
            return Activator.CreateInstance(proxy, value)!;
        }

        private static Type FindParameterType(Type type, string method, object value) =>
            type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Where(m => m.Name == method && m.GetParameters().Length == 1 && m.GetParameters()[0].ParameterType.IsInstanceOfType(value))
                .Select(m => m.GetParameters()[0].ParameterType)
                .OrderBy(t => Depth(value.GetType(), t))
                .First();

        private static int Depth(Type from, Type to)
        {
            int depth = 0;
            for (Type? t = from; t is not null && t != to; t = t.BaseType)
            {
                depth++;
            }

            return depth;
        }

        [GeneratedRegex(@"^\{(?<type>[\w.]+)\.(?<method>\w+)\(this\),nq\}$")]
        private static partial Regex StaticCall();
    }
}
