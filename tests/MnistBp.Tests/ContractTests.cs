// The open core's contracts, each shown to hold and to fail loudly when broken: a trainer refuses an
// optimizer over other parameters, a loss remembers nothing between calls, a layer that changes the
// width without saying so is caught, the default Predict is the math of Forward and safe from
// several threads, the first layer may skip dInput, and src/ switches on no concrete type.
using System.Text.RegularExpressions;

namespace MnistBp.Tests;

public partial class ContractTests
{
    private static Sequential TwoLayers(ulong seed, string prefix = "") =>
        new(new Dense(3, 4, WeightInit.StandardNormal, new DeterministicRandom(seed), prefix + "hidden"), new Sigmoid(prefix + "act"));

    private static Tensor Gaussian(int rows, int columns, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var tensor = new Tensor(rows, columns);
        Span<float> values = tensor.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextGaussian();
        }

        return tensor;
    }

    [Test]
    public void A_trainer_refuses_an_optimizer_over_another_models_parameters()
    {
        Sequential model = TwoLayers(1), other = TwoLayers(2, "other ");
        var exception = Assert.Throws<ArgumentException>(() => new Trainer(model, new MeanSquaredError(), new Sgd(other.Parameters, 3f)));
        Assert.That(exception.ParamName, Is.EqualTo("optimizer"));
        Assert.That(exception.Message, Does.Contain("at index 0 the model has 'W hidden' and the optimizer 'W other hidden' (model: 2 parameters"));

        // A copy built alike has the same names: the message says the objects differ.
        Sequential twin = TwoLayers(3);
        var same = Assert.Throws<ArgumentException>(() => new Trainer(model, new MeanSquaredError(), new Sgd(twin.Parameters, 3f)));
        Assert.That(same!.Message, Does.Contain("the model has 'W hidden' and the optimizer 'W hidden' (the same name, but another Parameter object"));
    }

    [Test]
    public void A_layer_added_after_the_optimizer_is_noticed_at_the_next_step()
    {
        Sequential model = TwoLayers(1);
        var trainer = new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 0.5f));
        Tensor x = Gaussian(2, 3, 3);
        trainer.Step(x, new Tensor(2, 4));

        model.Add(new Dense(4, 2, "late"));
        var exception = Assert.Throws<InvalidOperationException>(() => trainer.Step(x, new Tensor(2, 2)));
        Assert.That(exception.Message, Does.Contain("The model changed after the trainer was made").And.Contain("'W late'"));
    }

    [Test]
    public void An_optimizer_refuses_null_and_the_same_parameter_twice()
    {
        Sequential model = TwoLayers(1);
        Assert.That(() => new Sgd([model.Parameters[0], null!], 1f), Throws.ArgumentException.With.Message.Contains("null at index 1"));
        Assert.That(() => new Sgd([model.Parameters[0], model.Parameters[0]], 1f), Throws.ArgumentException.With.Message.Contains("'W hidden' twice"));
    }

    [Test]
    public void The_learn_rate_can_change_between_steps_and_is_validated_by_name()
    {
        Sequential model = TwoLayers(1);
        var sgd = new Sgd(model.Parameters, 3f) { LearnRate = 0.5f };
        Assert.That(sgd.LearnRate, Is.EqualTo(0.5f));
        Assert.That(sgd.ToString(), Is.EqualTo("Sgd learnRate=0.5"));
        Assert.That(() => sgd.LearnRate = float.NaN, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("LearnRate"));
        Assert.That(() => new Sgd(model.Parameters, 0f), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("learnRate"));
    }

    [Test]
    public void A_loss_gradient_belongs_to_the_tensors_passed_not_to_the_last_Forward()
    {
        // The api review's probe: with a loss that cached its last Forward, a Forward of another batch
        // in between silently changed the gradient. Now the gradient depends only on its arguments.
        Sequential model = TwoLayers(1);
        var loss = new MeanSquaredError();
        Tensor xa = Gaussian(2, 3, 10), ya = Gaussian(2, 4, 11), xb = Gaussian(2, 3, 12), yb = Gaussian(2, 4, 13);
        float[] alone = loss.Backward(model.Predict(xa), ya).ToArray();

        Tensor predictedA = model.Predict(xa);
        loss.Forward(model.Forward(xb), yb);
        Assert.That(loss.Backward(predictedA, ya).ToArray(), Is.EqualTo(alone));
    }

    [Test]
    public void A_layer_that_changes_the_width_without_GetOutputSize_is_caught_by_Sequential()
    {
        var model = new Sequential(new Dense(3, 4, "d"), new HalfWidth());
        var exception = Assert.Throws<InvalidOperationException>(() => model.Forward(new Tensor(5, 3)));
        Assert.That(exception.Message, Is.EqualTo(
            "HalfWidth 'half': Forward of [5 x 4] returned [5 x 2], but GetOutputSize(4) says [5 x 4]. " +
            "A layer that changes the width must override GetOutputSize; Forward must return one row per sample."));
    }

    [Test]
    public void The_default_Predict_is_Forward_and_is_safe_from_several_threads()
    {
        var random = new DeterministicRandom(5);
        var model = new Sequential(new Dense(6, 8, WeightInit.StandardNormal, random, "d"), new Doubling(), new Dense(8, 3, WeightInit.StandardNormal, random, "out"));
        Tensor[] inputs = [.. Enumerable.Range(0, 8).Select(i => Gaussian(1 + i, 6, (ulong)(20 + i)))];
        float[][] expected = [.. inputs.Select(x => model.Forward(x).ToArray())];

        float[][] actual = new float[inputs.Length][];
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i % inputs.Length] = model.Predict(inputs[i % inputs.Length]).ToArray());
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]), $"batch {i}");
        }
    }

    [Test]
    public void A_default_Predict_between_a_training_Forward_and_its_Backward_makes_Backward_throw_instead_of_using_its_batch()
    {
        var random = new DeterministicRandom(8);
        var first = new Dense(4, 5, WeightInit.StandardNormal, random, "d");
        var model = new Sequential(first, new Squaring(), new Dense(5, 2, WeightInit.StandardNormal, random, "out"));
        Tensor x = Gaussian(3, 4, 30), other = Gaussian(3, 4, 31), dY = Gaussian(3, 2, 32);
        model.ZeroGrad();
        model.Forward(x);
        model.Backward(dY);
        float[] clean = first.Weights.Gradient.ToArray();

        // A batch of the same size: before, Squaring's Backward silently used other's cached input.
        model.ZeroGrad();
        model.Forward(x);
        model.Predict(other);
        var error = Assert.Throws<InvalidOperationException>(() => model.Backward(dY));
        Assert.That(error!.Message, Does.StartWith(
            "Squaring 'square': Predict ran this layer's Forward after the training Forward and before this Backward, so what Backward needs now belongs to the Predict batch"));

        // A Predict that fails after its Forward (the output span is too short) has replaced the cache all the same.
        model.ZeroGrad();
        model.Forward(x);
        Assert.Throws<ArgumentException>(() => model.Layers[1].Predict(other.AsSpan(), new float[3], 3));
        Assert.Throws<InvalidOperationException>(() => model.Backward(dY));

        // Predict before the training Forward or after its Backward leaves the gradient alone.
        model.Predict(other);
        model.ZeroGrad();
        model.Forward(x);
        model.Backward(dY);
        model.Predict(other);
        Assert.That(first.Weights.Gradient.ToArray(), Is.EqualTo(clean));
    }

    [Test]
    public void Skipping_the_first_layers_dInput_gives_the_same_parameter_gradients()
    {
        Sequential model = TwoLayers(1);
        Tensor x = Gaussian(4, 3, 30), dOutput = Gaussian(4, 4, 31);

        model.Forward(x);
        model.ZeroGrad();
        Assert.That(model.Backward(dOutput), Is.Not.Null);
        float[][] full = [.. model.Parameters.Select(p => p.Gradient.ToArray())];

        model.Forward(x);
        model.ZeroGrad();
        Assert.That(model.Backward(dOutput, computeInputGradient: false), Is.Null, "Dense skips dA when its input is the data");
        Assert.That(model.Parameters.Select(p => p.Gradient.ToArray()), Is.EqualTo(full));
        Assert.That(model.Layers[0].InputGradientNeeded, Is.True, "set back after the pass, for a layer called on its own");
    }

    [Test]
    public void Fit_refuses_training_data_that_does_not_fit_before_any_update()
    {
        Sequential model = TwoLayers(1);
        float[] before = model.Parameters[0].Value.ToArray();
        var trainer = new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 1f));
        Dataset wrongFeatures = Dataset.FromFeatures(new Tensor(4, 5), new Tensor(4, 4));
        Dataset wrongTargets = Dataset.FromFeatures(new Tensor(4, 3), new Tensor(4, 1));

        Assert.That(() => trainer.Fit(wrongFeatures, new TrainingOptions()), Throws.ArgumentException.With.Property("ParamName").EqualTo("trainingData"));
        Assert.That(() => trainer.Fit(wrongTargets, new TrainingOptions()), Throws.ArgumentException.With.Property("ParamName").EqualTo("trainingData"));
        Assert.That(model.Parameters[0].Value.ToArray(), Is.EqualTo(before));
    }

    [Test]
    public void Predict_names_the_callers_argument_when_the_width_does_not_fit()
    {
        var model = new Sequential(new Dense(4, 3, "d"));
        Assert.That(() => model.PredictSample(new float[8]), Throws.ArgumentException.With.Property("ParamName").EqualTo("sample")
            .And.Message.StartsWith("Predict: samples of 8 values do not fit the model: Dense 'd' 4 -> 3: an input of 8 values per sample does not fit W d [4 x 3]."));
        Assert.That(() => model.Predict(new Tensor(2, 8)), Throws.ArgumentException.With.Property("ParamName").EqualTo("input"));
        Assert.That(() => model.Predict(new float[16], new float[6], 2), Throws.ArgumentException.With.Property("ParamName").EqualTo("inputs"));
    }

    [Test]
    public void A_layer_that_runs_a_Sequential_inside_Predict_gets_the_numbers_of_Forward()
    {
        // A block layer (a model inside a layer) predicts through the inner model's Predict, which
        // must not reuse the scratch buffers the outer Predict is still reading from.
        var random = new DeterministicRandom(3);
        var model = new Sequential(
            new Dense(16, 64, WeightInit.ScaledNormal, random, "in"),
            new Block(new Sequential(new Dense(64, 64, WeightInit.ScaledNormal, random, "inner"), new Sigmoid("inner act"))),
            new Dense(64, 4, WeightInit.ScaledNormal, random, "out"));
        Tensor x = Gaussian(40, 16, 4);
        float[] forward = model.Forward(x).ToArray();
        Assert.That(model.Predict(x).ToArray(), Is.EqualTo(forward));
    }

    [Test]
    public void The_built_in_Predict_equals_Forward_bit_for_bit_across_row_chunks([Values(1, 255, 256, 257, 1000)] int rows)
    {
        var random = new DeterministicRandom(8);
        var model = new Sequential(new Dense(12, 9, WeightInit.ScaledNormal, random, "h"), new Sigmoid("s"), new Dense(9, 5, WeightInit.ScaledNormal, random, "o"));
        Tensor x = Gaussian(rows, 12, 9);
        float[] forward = model.Forward(x).ToArray(), predicted = model.Predict(x).ToArray();
        Assert.That(predicted.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(forward.Select(BitConverter.SingleToInt32Bits)));
    }

    [Test]
    public void Adding_into_Gradient_after_ZeroGrad_starts_from_zero()
    {
        var parameter = new Parameter(Tensor.FromValues([1f, 2f]));
        parameter.Gradient.Fill(7f);
        parameter.ZeroGrad();
        Assert.That(parameter.IsGradientZero, Is.True);
        Assert.That(parameter.ToString(), Does.EndWith("(zero)"), "describing it does not perform the pending clear");
        Assert.That(parameter.IsGradientZero, Is.True);
        parameter.Gradient[0] += 1f; // a custom layer that simply adds
        Assert.That(parameter.Gradient.ToArray(), Is.EqualTo(new[] { 1f, 0f }));

        parameter.ZeroGrad();
        Tensor buffer = parameter.GradientToAccumulate(out bool accumulate);
        Assert.That(accumulate, Is.False, "right after ZeroGrad a layer overwrites");
        Assert.That(buffer.ToArray(), Is.EqualTo(new[] { 1f, 0f }), "the stale values are still there, for the layer to overwrite");
        parameter.GradientToAccumulate(out accumulate);
        Assert.That(accumulate, Is.True);
    }

    [Test]
    public void Layer_names_are_required_and_may_be_empty()
    {
        Assert.That(() => new Dense(2, 2, null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("name"));
        Assert.That(() => new Sigmoid(null!), Throws.ArgumentNullException);
        var unnamed = new Dense(2, 3, "");
        Assert.That(unnamed.ToString(), Is.EqualTo("Dense 2 -> 3"));
        Assert.That(unnamed.Weights.Name, Is.EqualTo("W"));
    }

    [Test]
    public void No_file_in_src_switches_on_a_concrete_layer_loss_or_optimizer_type()
    {
        // The issue's own grep: every type describes itself; nothing in src/ asks "is this a Dense?".
        var pattern = ConcreteTypeTest();
        string src = Path.Combine(TestPaths.RepositoryRoot, "src");
        var hits = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(src, f), Line: i + 1, Text: line)))
            .Where(l => pattern.IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.That(hits, Is.Empty);
        Assert.That(pattern.IsMatch("if (layer is not Dense dense)"), Is.True, "the pattern finds what it should");
    }

    // Exactly the issue's pattern (grep -E): LayerKind has no \b after it, so no name may even start with it.
    [GeneratedRegex(@"\bis (not )?(Dense|Sigmoid|Sgd|MeanSquaredError|QuadraticCost)\b|case (Dense|Sigmoid)\b|LayerKind")]
    private static partial Regex ConcreteTypeTest();

    /// <summary>A layer made of a model: Forward and Predict run the inner model's.</summary>
    private sealed class Block(Sequential inner) : Layer("block")
    {
        public override Tensor Forward(Tensor input) => inner.Forward(input);

        public override Tensor Backward(Tensor dOutput) => inner.Backward(dOutput);

        public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize) => inner.Predict(input, output, batchSize);
    }

    /// <summary>Halves the width but forgets to say so in GetOutputSize.</summary>
    private sealed class HalfWidth() : Layer("half")
    {
        private Tensor? _output;

        public override Tensor Forward(Tensor input) => Reuse(ref _output, input.Rows, input.Columns / 2, "half");

        public override Tensor Backward(Tensor dOutput) => dOutput;
    }

    /// <summary>output = input², with no Predict of its own; Backward needs the cached input: dInput = 2 · input · dOutput.</summary>
    private sealed class Squaring() : Layer("square")
    {
        private Tensor? _input, _output, _dInput;

        public override Tensor Forward(Tensor input)
        {
            _input = input;
            Tensor output = Reuse(ref _output, input.Rows, input.Columns, "x²");
            for (int i = 0; i < input.Length; i++)
            {
                output.AsSpan()[i] = input.AsSpan()[i] * input.AsSpan()[i];
            }

            return output;
        }

        public override Tensor Backward(Tensor dOutput)
        {
            Tensor input = _input!, dInput = Reuse(ref _dInput, input.Rows, input.Columns, "dx");
            for (int i = 0; i < input.Length; i++)
            {
                dInput.AsSpan()[i] = 2f * input.AsSpan()[i] * dOutput.AsSpan()[i];
            }

            return dInput;
        }
    }

    /// <summary>output = 2 · input, with no Predict of its own: the default runs Forward.</summary>
    private sealed class Doubling() : Layer("double")
    {
        private Tensor? _output;

        public override Tensor Forward(Tensor input)
        {
            Tensor output = Reuse(ref _output, input.Rows, input.Columns, "2x");
            ReadOnlySpan<float> x = input.AsSpan();
            Span<float> y = output.AsSpan();
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = 2f * x[i];
            }

            return output;
        }

        public override Tensor Backward(Tensor dOutput) => throw new NotSupportedException();
    }
}
