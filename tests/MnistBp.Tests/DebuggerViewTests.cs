// DebuggerViewTests: what a learner sees in a debugger window, read the way a debugger reads it.
// The one-line summaries come from each type's [DebuggerDisplay] text, evaluated by
// DebuggerDisplayEvaluator below (the "{Expr}" / "{Expr,nq}" syntax, restricted to member chains
// and static Type.Method(this) calls); the expanded views are built from the type's
// [DebuggerTypeProxy] by reflection, as the debugger builds them. The numbers are the tutorial's
// (all weights 1, biases 0, Alice: dL/dw1 = 0.0214) so a view showing the wrong element fails.
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using MnistBp.Samples.NetworkFromLayers;
using MnistBp.Samples.TutorialNetwork;
using MnistBp.Data;

namespace MnistBp.Tests;

public class DebuggerViewTests
{
    [Test]
    public void Parameter_shows_its_name_both_shapes_and_the_largest_gradient()
    {
        var parameter = new Parameter(new Tensor(784, 30, "W hidden"));
        parameter.Gradient[5, 7] = -0.0123f;
        parameter.Gradient[700, 29] = 0.004f;

        Assert.That(Display(parameter), Is.EqualTo("W hidden [784 x 30] grad [784 x 30] |g|max=0.0123"));

        parameter.ZeroGrad();
        Assert.That(Display(parameter), Is.EqualTo("W hidden [784 x 30] grad [784 x 30] |g|max=0"), "right after ZeroGrad the gradient is zero");
        parameter.Gradient[0] = float.NaN;
        Assert.That(Display(parameter), Does.EndWith("|g|max=NaN"), "a gradient that blew up shows");
        Assert.That(Display(new Parameter(new Tensor(2, "b"))), Is.EqualTo("b [2] grad [2] |g|max=0"));
    }

    [Test]
    public void Parameter_view_shows_the_value_and_the_gradient_side_by_side()
    {
        (Dense hidden, Dense output) = AliceBackward();

        object weights = Proxy(hidden.Weights);
        Assert.That(Get(weights, "Name"), Is.EqualTo("W hidden"));
        Assert.That(Get(weights, "Shape"), Is.EqualTo("[2 x 2]"));
        Assert.That(Get(weights, "Shown"), Is.EqualTo("all of [2 x 2]"));
        Assert.That(Get(weights, "Value"), Is.EqualTo(new[] { new[] { 1f, 1f }, new[] { 1f, 1f } }));

        // W hidden = | w1 w3 |: the post's dL/dw1 = 0.0214 sits at row 0, column 0, and since
        //            | w2 w4 |  x = [-2, -1], dL/dw2 (row 1) is half of it.
        var gradient = (float[][])Get(weights, "Gradient")!;
        Assert.That(gradient, Has.Length.EqualTo(2));
        Assert.That(gradient[0][0], Is.EqualTo(0.0214f).Within(1e-4f), "dL/dw1");
        Assert.That(gradient[1][0], Is.EqualTo(0.0107f).Within(1e-4f), "dL/dw2");
        Assert.That(gradient.SelectMany(row => row), Is.EqualTo(hidden.Weights.Gradient.ToArray()), "element for element, row-major");
        Assert.That(Get(weights, "ValueAndGradient"), Is.EqualTo(new[] { "1, 1 | d 0.02147, 0.02147", "1, 1 | d 0.01073, 0.01073" }));
        Assert.That(Get(weights, "GradientMaxAbs"), Is.EqualTo(gradient[0][0]));
        Assert.That(Get(weights, "ValueMaxAbs"), Is.EqualTo(1f));

        // W output = | w5 |, one column: dL/dw5 and dL/dw6 are the two rows.
        //            | w6 |
        object outputWeights = Proxy(output.Weights);
        Assert.That(Get(outputWeights, "Gradient"), Is.EqualTo(new[] { new[] { output.Weights.Gradient[0, 0] }, new[] { output.Weights.Gradient[1, 0] } }));
        Assert.That(Get(Proxy(output.Biases), "Value"), Is.EqualTo(new[] { new[] { 0f } }), "a vector is one row");
    }

    [Test]
    public void Parameter_view_of_a_large_tensor_shows_its_first_8_rows_of_16_values()
    {
        var parameter = new Parameter(new Tensor(784, 30, "W hidden"));
        Span<float> values = parameter.Value.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }

        parameter.Gradient[7, 15] = 0.5f;
        parameter.Gradient[8, 0] = -2f; // outside the rows shown, yet counted in the largest magnitude

        object view = Proxy(parameter);
        var value = (float[][])Get(view, "Value")!;
        var gradient = (float[][])Get(view, "Gradient")!;
        Assert.That(Get(view, "Shown"), Is.EqualTo("rows 0-7 of 784, columns 0-15 of 30"));
        Assert.That(value, Has.Length.EqualTo(8).And.All.Length.EqualTo(16));
        Assert.That(value[3][5], Is.EqualTo(3 * 30 + 5));
        Assert.That(gradient, Has.Length.EqualTo(8).And.All.Length.EqualTo(16));
        Assert.That(gradient[7][15], Is.EqualTo(0.5f));
        Assert.That(Get(view, "GradientMaxAbs"), Is.EqualTo(2f));
        Assert.That(Get(view, "ValueMaxAbs"), Is.EqualTo(784 * 30 - 1f));
        Assert.That(Get(Proxy(new Parameter(new Tensor(3, 40, "W"))), "Shown"), Is.EqualTo("all 3 rows, columns 0-15 of 40"));
    }

    [Test]
    public void Layers_show_their_kind_name_and_sizes()
    {
        Assert.That(Display(new Dense(784, 30, "hidden")), Is.EqualTo("Dense 'hidden' 784 -> 30"));
        Assert.That(Display(new Sigmoid("h")), Is.EqualTo("Sigmoid 'h'"));
        Assert.That(Display(new Sigmoid()), Is.EqualTo("Sigmoid 'sigmoid'"));
        Assert.That(Display(new DoubleLayer()), Is.EqualTo("DoubleLayer 'double'"), "a learner's own layer inherits Layer's display");
    }

    [Test]
    public void Dense_view_shows_its_kind_formula_last_batch_and_its_two_parameters()
    {
        (Dense hidden, _) = AliceBackward();

        object view = Proxy(hidden);
        Assert.That(Get(view, "Name"), Is.EqualTo("hidden"));
        Assert.That(Get(view, "Kind"), Is.EqualTo("Dense"));
        Assert.That(Get(view, "Formula"), Is.EqualTo("Z = A·W + b"));
        Assert.That(Get(view, "LastBatch"), Is.EqualTo("[1 x 2] -> [1 x 2]"));
        var parameters = (Parameter[])Get(view, "Parameters")!;
        Assert.That(parameters[0], Is.SameAs(hidden.Weights), "expands into the Parameter view");
        Assert.That(parameters[1], Is.SameAs(hidden.Biases));
        Assert.That(Display(parameters[1]), Does.StartWith("b hidden [2] grad [2] |g|max=0.0"));
    }

    [Test]
    public void Sequential_shows_the_sizes_along_the_model_the_layers_and_the_parameter_count()
    {
        var random = new DeterministicRandom(1);
        var model = new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden sigmoid"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("output sigmoid"));

        // 784 * 30 + 30 + 30 * 10 + 10 = 23860 weights and biases.
        Assert.That(Display(model), Is.EqualTo("Sequential 784 -> 30 -> 10 (4 layers, 23860 parameters)"));

        object view = Proxy(model);
        Assert.That(Get(view, "Layers"), Is.EqualTo(model.Layers.ToArray()), "the layers in forward order, the same objects");
        Assert.That(Get(view, "Sizes"), Is.EqualTo("784 -> 30 -> 10"));
        Assert.That(Get(view, "ParameterCount"), Is.EqualTo(23860L));
        PropertyInfo layers = view.GetType().GetProperty("Layers")!;
        Assert.That(layers.GetCustomAttribute<DebuggerBrowsableAttribute>()?.State, Is.EqualTo(DebuggerBrowsableState.RootHidden),
            "the layers are the view's own items: [0], [1], ...");
    }

    [Test]
    public void Sequential_shows_a_size_mismatch_and_an_empty_model()
    {
        var model = new Sequential(new Dense(784, 30, "hidden"), new Sigmoid(), new Dense(20, 10, "output"));
        Assert.That(Display(model), Is.EqualTo("Sequential 784 -> 30 != 20 -> 10 (3 layers, 23760 parameters)"));
        Assert.That(Display(new Sequential()), Is.EqualTo("Sequential (0 layers, 0 parameters)"));
        Assert.That(Display(new Sequential(new Sigmoid())), Is.EqualTo("Sequential (1 layer, 0 parameters)"));
    }

    [Test]
    public void Trainer_and_losses_show_what_they_are_made_of()
    {
        Sequential model = LayersNetwork.Build(Weights.AllOnes);
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, learnRate: 3f));

        Assert.That(Display(trainer), Is.EqualTo("Trainer 2 -> 2 -> 1, QuadraticCost, Sgd learnRate=3"));
        Assert.That(Display(new Trainer(model, new MeanSquaredError(), new Sgd(model.Parameters, 0.1f))), Is.EqualTo("Trainer 2 -> 2 -> 1, MeanSquaredError, Sgd learnRate=0.1"));
        Assert.That(Display(new MeanSquaredError()), Is.EqualTo("MeanSquaredError L = mean((target - predicted)²)"));
        Assert.That(Display(new QuadraticCost()), Is.EqualTo("QuadraticCost C = Σ (predicted - target)² / (2 batchSize)"));
    }

    [Test]
    public void Dataset_shows_its_sizes_the_first_labels_and_draws_the_first_image()
    {
        // Three 3 x 4 images; the first is a bar of full ink in its middle row over a faint first row.
        byte[] pixels =
        [
            0, 64, 128, 255,
            255, 255, 255, 255,
            0, 0, 0, 0,
            .. new byte[24],
        ];
        Dataset data = Dataset.FromIdx(new IdxArray([3, 3, 4], pixels, "images"), new IdxArray([3], new byte[] { 7, 1, 7 }, "labels"), classCount: 10);

        Assert.That(Display(data), Is.EqualTo("Dataset 3 images [3 x 4], 10 classes"));

        object view = Proxy(data);
        Assert.That(Get(view, "Count"), Is.EqualTo(3));
        Assert.That(Get(view, "ImageShape"), Is.EqualTo("[3 x 4]"));
        Assert.That(Get(view, "ClassCount"), Is.EqualTo(10));
        Assert.That(Get(view, "FirstLabels"), Is.EqualTo(new byte[] { 7, 1, 7 }));
        Assert.That(Get(view, "FirstImage"), Is.EqualTo(new[] { " :+@", "@@@@", "    " }));
        Assert.That(Get(view, "LabelCounts"), Is.EqualTo(new[] { 0, 1, 0, 0, 0, 0, 0, 2, 0, 0 }));
        Assert.That(Get(view, "Images"), Is.Null, "looking does not build the float tensor");
        Tensor images = data.GetImages();
        Assert.That(Get(view, "Images"), Is.SameAs(images));
        Assert.That(Display(Dataset.FromIdx(new IdxArray([1, 2], new byte[2], "i"), new IdxArray([1], new byte[1], "l"), 2)), Is.EqualTo("Dataset 1 image [2], 2 classes"));
    }

    [Test]
    public void Every_type_a_learner_watches_has_a_display_and_the_containers_a_view()
    {
        Type[] displayed = [typeof(Tensor), typeof(Parameter), typeof(Layer), typeof(Dense), typeof(Sigmoid), typeof(Sequential),
            typeof(Trainer), typeof(Loss), typeof(MeanSquaredError), typeof(QuadraticCost), typeof(Dataset)];
        Assert.That(displayed.Where(t => t.GetCustomAttribute<DebuggerDisplayAttribute>(inherit: true) is null), Is.Empty, "types without their own [DebuggerDisplay]");

        Type[] viewed = [typeof(Tensor), typeof(Parameter), typeof(Layer), typeof(Sequential), typeof(Dataset)]; // every layer, a user's too, inherits Layer's view
        Assert.That(viewed.Where(t => t.GetCustomAttribute<DebuggerTypeProxyAttribute>(inherit: false) is null), Is.Empty, "types without their own [DebuggerTypeProxy]");
    }

    [Test]
    public void Every_view_is_an_internal_sealed_class_a_debugger_can_construct()
    {
        // A debugger constructs the proxy with the object as the only argument of a public constructor.
        List<(Type Target, Type Proxy)> proxies = [.. typeof(Tensor).Assembly.GetTypes()
            .Select(t => (Target: t, Attribute: t.GetCustomAttribute<DebuggerTypeProxyAttribute>(inherit: false)))
            .Where(p => p.Attribute is not null)
            .Select(p => (p.Target, Type.GetType(p.Attribute!.ProxyTypeName, throwOnError: true)!))];

        Assert.That(proxies, Has.Count.GreaterThanOrEqualTo(5));
        foreach ((Type target, Type proxy) in proxies)
        {
            Assert.That(proxy.IsPublic || proxy.IsNestedPublic, Is.False, $"{proxy.Name} is not public API");
            Assert.That(proxy.IsSealed, Is.True, $"{proxy.Name} is sealed");
            Assert.That(proxy.GetConstructor([target]), Is.Not.Null, $"{proxy.Name} has a public constructor taking a {target.Name}");
            Assert.That(proxy.GetProperties(), Is.Not.Empty, $"{proxy.Name} shows something");
        }
    }

    [Test]
    public void Reading_the_views_while_training_changes_no_number()
    {
        // The displays read Parameter.Gradient, which performs a clear that ZeroGrad left pending.
        // Reading them at every point of a step must leave training bit for bit as it was.
        Weights start = new OurNeuralNetwork(TutorialData.DefaultSeed).CurrentWeights;
        Sequential quiet = LayersNetwork.Build(start), watched = LayersNetwork.Build(start);
        Train(quiet, watch: null);
        Train(watched, watch: () => WatchEverything(watched));

        float[] Values(Sequential model) => [.. model.Parameters.SelectMany(p => p.Value.ToArray().Concat(p.Gradient.ToArray()))];
        Assert.That(Values(watched).Select(BitConverter.SingleToInt32Bits), Is.EqualTo(Values(quiet).Select(BitConverter.SingleToInt32Bits)));
        Assert.That(Values(quiet), Is.Not.EqualTo(Values(LayersNetwork.Build(start))), "training changed the weights");

        static void Train(Sequential model, Action? watch)
        {
            var loss = new MeanSquaredError();
            var sgd = new Sgd(model.Parameters, learnRate: 0.1f);
            for (int step = 0; step < 20; step++)
            {
                double[] person = TutorialData.Data[step % 4];
                Tensor x = Tensor.FromValues(1, 2, [(float)person[0], (float)person[1]]);
                Tensor y = Tensor.FromValues(1, 1, [(float)TutorialData.AllYTrues[step % 4]]);
                Tensor yPred = model.Forward(x);
                loss.Forward(yPred, y);
                watch?.Invoke();
                model.ZeroGrad();
                watch?.Invoke(); // the debugger shows the pending clear without performing it
                model.Backward(loss.Backward(yPred, y), computeInputGradient: false);
                watch?.Invoke();
                sgd.Step();
            }
        }

        static void WatchEverything(Sequential model)
        {
            Display(model);
            foreach (Layer layer in model.Layers)
            {
                Display(layer);
            }

            foreach (Parameter parameter in model.Parameters)
            {
                Display(parameter);
                object view = Proxy(parameter);
                foreach (PropertyInfo property in view.GetType().GetProperties())
                {
                    property.GetValue(view);
                }
            }
        }
    }

    [Test]
    public void The_debugging_page_quotes_what_the_debugger_shows_at_the_first_step_of_sample_03()
    {
        // Sample 03's first training step (seed 42, Alice, y_true = 1), walked the way
        // Sequential.Backward walks it, read the way a debugger shows it.
        Weights start = new OurNeuralNetwork(TutorialData.DefaultSeed).CurrentWeights;
        Sequential model = LayersNetwork.Build(start);
        double[] alice = TutorialData.Data[0];
        var loss = new MeanSquaredError();
        Tensor yPred = model.Forward(Tensor.FromValues(1, 2, [(float)alice[0], (float)alice[1]], "x")), yTrue = Tensor.FromValues(1, 1, [1f], "y_true");
        loss.Forward(yPred, yTrue);
        model.ZeroGrad();

        var lines = new List<string> { $"model  {Display(model)}" };
        Tensor gradient = loss.Backward(yPred, yTrue);
        for (int i = model.Layers.Count - 1; i >= 0; i--)
        {
            lines.Add($"i = {i}  {Display(model.Layers[i]),-22}  gradient: {gradient}");
            gradient = model.Layers[i].Backward(gradient)!;
        }

        var hidden = (Dense)model.Layers[0];
        var output = (Dense)model.Layers[2];
        void Show(string label, Parameter parameter)
        {
            lines.Add($"{label,-8} {Display(parameter)}");
            lines.AddRange(((string[])Get(Proxy(parameter), "ValueAndGradient")!).Select((row, r) => $"  [{r}] {row}"));
        }

        Show("Weights", output.Weights);
        Show("Weights", hidden.Weights);
        Show("Biases", hidden.Biases);

        // Sample 02 at the same moment: its hand-written chain-rule products are the entries of dW.
        PartialDerivatives d = new OurNeuralNetwork(start).ComputePartialDerivatives(alice, 1);
        double[] dHidden = [d.dL_dYPred * d.dYPred_dH1 * d.dH1_dW1, d.dL_dYPred * d.dYPred_dH2 * d.dH2_dW3, d.dL_dYPred * d.dYPred_dH1 * d.dH1_dW2, d.dL_dYPred * d.dYPred_dH2 * d.dH2_dW4];
        double[] dOutput = [d.dL_dYPred * d.dYPred_dW5, d.dL_dYPred * d.dYPred_dW6];
        Assert.That(hidden.Weights.Gradient.ToArray(), Is.EqualTo(dHidden).Within(1e-6), "dW hidden = [[dL/dw1, dL/dw3], [dL/dw2, dL/dw4]]");
        Assert.That(output.Weights.Gradient.ToArray(), Is.EqualTo(dOutput).Within(1e-6), "dW output = [[dL/dw5], [dL/dw6]]");
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"d_L_d_w1 = {dHidden[0]:G4}   d_L_d_w3 = {dHidden[1]:G4}   d_L_d_w5 = {dOutput[0]:G4}"));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"d_L_d_w2 = {dHidden[2]:G4}   d_L_d_w4 = {dHidden[3]:G4}   d_L_d_w6 = {dOutput[1]:G4}"));

        // The update: w1 moves by -0.1 times the gradient beside it.
        float w1 = hidden.Weights.Value[0, 0];
        new Sgd(model.Parameters, learnRate: 0.1f).Step();
        string update = string.Create(CultureInfo.InvariantCulture, $"(`w1` from {w1:G4} to {hidden.Weights.Value[0, 0]:G4})");

        string page = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "debugging.md")).ReplaceLineEndings("\n");
        string[] missing = [.. lines.Where(line => !page.Contains(line + "\n", StringComparison.Ordinal))];
        Assert.That(missing, Is.Empty,
            $"docs/debugging.md should quote these lines exactly as the debugger shows them:\n{string.Join('\n', lines)}\n");
        Assert.That(page.ReplaceLineEndings(" "), Does.Contain(update), "the update the page describes");
    }

    [Test]
    public void The_display_evaluator_reads_members_quotes_strings_and_refuses_what_it_cannot_read()
    {
        var tensor = Tensor.FromValues(2, 3, [1, 2, 3, 4, 5, 6], "W1");
        Assert.That(DebuggerDisplayEvaluator.Evaluate("{Name} is {Shape,nq}, {Rows} rows", tensor), Is.EqualTo("\"W1\" is [2 x 3], 2 rows"));
        Assert.That(DebuggerDisplayEvaluator.Evaluate("{Describe(),nq}", tensor), Is.EqualTo("W1 [2 x 3]"));
        Assert.That(DebuggerDisplayEvaluator.Evaluate("{DebuggerDisplay,nq} / {Name.Length}", tensor), Is.EqualTo("W1 [2 x 3] / 2"), "non-public members too");
        Assert.That(DebuggerDisplayEvaluator.Evaluate("{MnistBp.DebuggerText.Format(this),nq}", 0.25f), Is.EqualTo("0.25"));
        Assert.That(Display(tensor), Is.EqualTo("W1 [2 x 3]"));

        Assert.That(() => DebuggerDisplayEvaluator.Evaluate("{Nmae}", tensor), Throws.InvalidOperationException.With.Message.Contains("'Nmae'"));
        Assert.That(() => DebuggerDisplayEvaluator.Evaluate("{Rows + 1}", tensor), Throws.InvalidOperationException.With.Message.Contains("'Rows + 1'"));
        Assert.That(() => DebuggerDisplayEvaluator.Evaluate("{MnistBp.DebuggerText.Nothing(this)}", tensor), Throws.InvalidOperationException);
        Assert.That(() => DebuggerDisplayEvaluator.Evaluate("{Name", tensor), Throws.InvalidOperationException.With.Message.Contains("unclosed"));
        Assert.That(() => Display(new object()), Throws.InvalidOperationException.With.Message.Contains("no [DebuggerDisplay]"));
    }

    /// <summary>The text a debugger shows beside <paramref name="target"/>, from its type's [DebuggerDisplay] (or its nearest base type's, as debuggers read them).</summary>
    internal static string Display(object target)
    {
        DebuggerDisplayAttribute attribute = Nearest<DebuggerDisplayAttribute>(target.GetType())
            ?? throw new InvalidOperationException($"{target.GetType().Name} has no [DebuggerDisplay].");
        return DebuggerDisplayEvaluator.Evaluate(attribute.Value, target);
    }

    /// <summary>The object a debugger shows when <paramref name="target"/> is expanded, built from its type's [DebuggerTypeProxy].</summary>
    internal static object Proxy(object target)
    {
        DebuggerTypeProxyAttribute attribute = Nearest<DebuggerTypeProxyAttribute>(target.GetType())
            ?? throw new InvalidOperationException($"{target.GetType().Name} has no [DebuggerTypeProxy].");
        Type proxy = Type.GetType(attribute.ProxyTypeName, throwOnError: true)!;
        return Activator.CreateInstance(proxy, target)!;
    }

    /// <summary>The attribute on the type itself, else on the nearest base type that has one: the one a debugger uses.</summary>
    private static T? Nearest<T>(Type type)
        where T : Attribute
    {
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            if (t.GetCustomAttribute<T>(inherit: false) is T attribute)
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>A public property of a view, as the debugger lists it.</summary>
    private static object? Get(object view, string property) =>
        (view.GetType().GetProperty(property) ?? throw new InvalidOperationException($"{view.GetType().Name} has no public property {property}.")).GetValue(view);

    /// <summary>The tutorial's example: all weights 1, biases 0, one backward pass for Alice with y_true = 1.</summary>
    private static (Dense Hidden, Dense Output) AliceBackward()
    {
        Sequential model = LayersNetwork.Build(Weights.AllOnes);
        var loss = new MeanSquaredError();
        Tensor yPred = model.Forward(Tensor.FromValues(1, 2, [-2f, -1f], "x")), yTrue = Tensor.FromValues(1, 1, [1f], "y_true");
        loss.Forward(yPred, yTrue);
        model.ZeroGrad();
        model.Backward(loss.Backward(yPred, yTrue));
        return ((Dense)model.Layers[0], (Dense)model.Layers[2]);
    }

    /// <summary>A layer a learner might write: no attributes of its own.</summary>
    private sealed class DoubleLayer() : Layer("double")
    {
        public override Tensor Forward(Tensor input) => input;

        public override Tensor Backward(Tensor dOutput) => dOutput;
    }
}

/// <summary>
/// Evaluates <see cref="DebuggerDisplayAttribute"/> text the way a debugger does, for the part of the
/// syntax this library uses: literal text with <c>{Expr}</c> holes, where <c>,nq</c> after the
/// expression drops the quotes around a string. An expression is a chain of members (properties,
/// fields, parameterless methods, public or not), such as <c>Value.Describe()</c>, or a static
/// method call on <c>this</c>, such as <c>MnistBp.DebuggerText.Of(this)</c>. Anything else throws.
/// </summary>
internal static class DebuggerDisplayEvaluator
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static string Evaluate(string format, object target)
    {
        var text = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '{')
            {
                text.Append(format[i]);
                continue;
            }

            int close = format.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw new InvalidOperationException($"'{format}': unclosed '{{' at {i}.");
            }

            string expression = format[(i + 1)..close].Trim();
            bool noQuotes = expression.EndsWith(",nq", StringComparison.Ordinal);
            expression = noQuotes ? expression[..^3].Trim() : expression;
            object? value = EvaluateExpression(expression, target);
            text.Append(value switch
            {
                null => "null",
                string s => noQuotes ? s : $"\"{s}\"",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            });
            i = close;
        }

        return text.ToString();
    }

    private static object? EvaluateExpression(string expression, object target)
    {
        if (expression.EndsWith("(this)", StringComparison.Ordinal))
        {
            return CallStatic(expression[..^"(this)".Length], target);
        }

        object? current = target;
        foreach (string part in expression.Split('.'))
        {
            bool call = part.EndsWith("()", StringComparison.Ordinal);
            string name = call ? part[..^2] : part;
            if (!IsIdentifier(name))
            {
                throw new InvalidOperationException($"'{expression}' is not a member chain this evaluator reads.");
            }

            if (current is null)
            {
                throw new InvalidOperationException($"'{expression}': '{name}' is read on null.");
            }

            current = call ? CallMethod(current, name, expression) : ReadMember(current, name, expression);
        }

        return current;
    }

    private static object? ReadMember(object target, string name, string expression)
    {
        for (Type? type = target.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetProperty(name, Instance | BindingFlags.DeclaredOnly) is { } property && property.GetIndexParameters().Length == 0)
            {
                return property.GetValue(target);
            }

            if (type.GetField(name, Instance | BindingFlags.DeclaredOnly) is { } field)
            {
                return field.GetValue(target);
            }
        }

        throw new InvalidOperationException($"'{expression}': {target.GetType().Name} has no property or field '{name}'.");
    }

    private static object? CallMethod(object target, string name, string expression)
    {
        MethodInfo method = target.GetType().GetMethods(Instance).FirstOrDefault(m => m.Name == name && m.GetParameters().Length == 0)
            ?? throw new InvalidOperationException($"'{expression}': {target.GetType().Name} has no parameterless method '{name}'.");
        return method.Invoke(target, null);
    }

    private static object? CallStatic(string qualifiedMethod, object target)
    {
        int dot = qualifiedMethod.LastIndexOf('.');
        string typeName = dot < 0 ? "" : qualifiedMethod[..dot], methodName = qualifiedMethod[(dot + 1)..];
        Type type = typeof(Tensor).Assembly.GetType(typeName)
            ?? throw new InvalidOperationException($"'{qualifiedMethod}(this)': no type '{typeName}' in {typeof(Tensor).Assembly.GetName().Name}.");

        // Overload resolution, as far as it matters here: the parameter type closest to the target's type.
        MethodInfo? best = null;
        int bestDistance = int.MaxValue;
        foreach (MethodInfo method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        {
            ParameterInfo[] parameters = method.GetParameters();
            if (method.Name != methodName || parameters.Length != 1 || !parameters[0].ParameterType.IsInstanceOfType(target))
            {
                continue;
            }

            int distance = 0;
            for (Type? t = target.GetType(); t is not null && t != parameters[0].ParameterType; t = t.BaseType)
            {
                distance++;
            }

            if (distance < bestDistance)
            {
                (best, bestDistance) = (method, distance);
            }
        }

        return (best ?? throw new InvalidOperationException($"'{qualifiedMethod}(this)': {type.Name} has no static '{methodName}' taking a {target.GetType().Name}."))
            .Invoke(null, [target]);
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');
}
