// GradientCheck: central finite differences against the analytic gradients of a model, a single
// layer or a loss (the role of ConvNetSharp's GradientCheckTools). For each element x of each tensor
// checked (every Parameter's value, and dInput or dPredicted), it nudges x by +h and -h, reruns the
// forward pass and compares
//   numeric = (L(x + h) - L(x - h)) / (distance travelled)
// with what Backward produced. It only sees Forward, Backward and Parameters, so it checks a layer a
// learner writes exactly as it checks Dense. It does not train: every value is restored bit for bit,
// and the model is left with the caches and gradients of the unperturbed point.
namespace MnistBp;

/// <summary>Checks back-propagation against central finite differences.</summary>
/// <remarks>
/// <para>
/// The network computes in float32, and the check is tuned for that (see
/// <see cref="GradientCheckOptions"/>): the layer check's loss is summed in double, and the step is
/// divided by the distance between the two float values actually stored, because x + h and x - h
/// rounded to float are not exactly 2h apart. An element passes when
/// <c>|analytic - numeric| &lt;= AbsoluteTolerance + RelativeTolerance * max(|analytic|, |numeric|)</c>;
/// a NaN or an infinity anywhere fails.
/// </para>
/// <para>
/// Every check first clears the gradients and runs one forward and one backward pass; afterwards
/// the parameter gradients are those analytic gradients and the layers' caches are those of that
/// forward pass, as after the forward and backward of a training step without the optimizer's update.
/// </para>
/// </remarks>
/// <example>
/// Checking a layer of your own on a small random batch, and printing the table:
/// <code>
/// var random = new DeterministicRandom(1);
/// var input = new Tensor(4, 6);
/// foreach (ref float x in input.AsSpan())
/// {
///     x = (float)random.NextGaussian();
/// }
///
/// GradientCheckReport report = GradientCheck.Check(new MyLayer(), input);
/// Console.WriteLine(report); // one row per tensor: W, b, dInput
/// return report.Passed ? 0 : 1;
/// </code>
/// </example>
public static class GradientCheck
{
    /// <summary>The report's problem when the batch has no rows: the weights' gradients are 0 against 0, which proves nothing.</summary>
    private const string NoRows = "Nothing was compared: the batch has 0 rows, so every gradient is 0 against a numeric 0, which proves nothing. Give at least one sample.";

    /// <summary>The second sentence of the report's problem when the loss changes between calls.</summary>
    private const string NotAFunction = "A layer's Forward is random or keeps state between calls (a Dropout draws a new mask each time: set its FreezeMask to true for the check).";

    /// <summary>Subject text of the layer check, which has no loss of its own.</summary>
    private const string WeightedSumLoss = "L = sum(output * random weights)";

    /// <summary>
    /// Checks a whole model with a loss on one batch: every parameter gradient and, unless turned
    /// off, dLoss/dInput.
    /// </summary>
    /// <param name="model">The model; its gradients are cleared first and hold the analytic ones afterwards.</param>
    /// <param name="loss">The loss comparing the model's output with <paramref name="targets"/>.</param>
    /// <param name="inputs">The batch, [batchSize x inputSize]; nudged during the check and restored.</param>
    /// <param name="targets">The wanted outputs, the shape of the model's output.</param>
    /// <param name="options">The step, tolerances and sampling; <see cref="GradientCheckOptions.Default"/> when null.</param>
    /// <returns>One entry per parameter tensor, layer by layer, then dInput.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the first layer, or the targets do not have the shape of the output.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range.</exception>
    public static GradientCheckReport Check(Sequential model, Loss loss, Tensor inputs, Tensor targets, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        options = Validated(options);
        if (model.Layers.Count > 0 && model.Layers[0].FixedInputSize is int inputSize && inputs.Columns != inputSize)
        {
            throw new ArgumentException($"GradientCheck: inputs {inputs.Describe()} do not fit {model.Layers[0]}, which takes {inputSize} columns.", nameof(inputs));
        }

        model.ZeroGrad();
        Tensor predicted = model.Forward(inputs);
        if (!targets.HasSameShape(predicted))
        {
            throw new ArgumentException($"GradientCheck: targets {targets.Describe()} do not have the shape of the model's output {predicted.Describe()}.", nameof(targets));
        }

        Tensor? dInput = model.Backward(loss.Backward(predicted, targets), options.CheckInputGradient);
        List<Target> checkedTensors = ParameterTargets(model.Parameters);
        if (options.CheckInputGradient)
        {
            checkedTensors.Add(new Target("dInput", inputs, RequireInputGradient(dInput, model.Layers[0]).ToArray()));
        }

        return Run($"{model} with {loss}", () => loss.Forward(model.Forward(inputs), targets), checkedTensors, options, inputs.Rows);
    }

    /// <summary>
    /// Checks one layer, such as one a learner wrote, with the loss <c>L = sum(output * weights)</c>:
    /// <c>weights</c> is fixed, drawn from N(0, 1) with <see cref="GradientCheckOptions.Seed"/>, so
    /// that dL/dOutput = weights reaches every output with a different sign and size.
    /// </summary>
    /// <param name="layer">The layer; its gradients are cleared first and hold the analytic ones afterwards.</param>
    /// <param name="input">The batch, [batchSize x inputSize]; nudged during the check and restored.</param>
    /// <param name="options">The step, tolerances and sampling; <see cref="GradientCheckOptions.Default"/> when null.</param>
    /// <returns>One entry per parameter tensor, then dInput.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layer"/> or <paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input does not fit the layer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">Backward returned no dInput although it was needed, or Forward changed the output's shape.</exception>
    public static GradientCheckReport Check(Layer layer, Tensor input, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        options = Validated(options);
        if (layer.FixedInputSize is int inputSize && input.Columns != inputSize)
        {
            throw new ArgumentException($"GradientCheck: input {input.Describe()} does not fit {layer}, which takes {inputSize} columns.", nameof(input));
        }

        layer.ZeroGrad();
        Tensor output = layer.Forward(input);
        var weights = new Tensor(output.Rows, output.Columns, "loss weights");
        var random = new DeterministicRandom(options.Seed);
        Span<float> w = weights.AsSpan();
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)random.NextGaussian();
        }

        bool inputGradientNeeded = layer.InputGradientNeeded;
        Tensor? dInput;
        try
        {
            layer.InputGradientNeeded = options.CheckInputGradient;
            // dL/dOutput = weights, for L = sum(output * weights)
            dInput = layer.Backward(weights);
        }
        finally
        {
            layer.InputGradientNeeded = inputGradientNeeded;
        }

        List<Target> checkedTensors = ParameterTargets(layer.Parameters);
        if (options.CheckInputGradient)
        {
            checkedTensors.Add(new Target("dInput", input, RequireInputGradient(dInput, layer).ToArray()));
        }

        return Run($"{layer} with {WeightedSumLoss}", () => WeightedSum(layer, layer.Forward(input), weights), checkedTensors, options, input.Rows);
    }

    /// <summary>Checks a loss's Backward, dLoss/dPredicted, against its Forward.</summary>
    /// <param name="loss">The loss.</param>
    /// <param name="predicted">The predictions; nudged during the check and restored.</param>
    /// <param name="target">The wanted output, the same shape.</param>
    /// <param name="options">
    /// The step and tolerances (<see cref="GradientCheckOptions.CheckInputGradient"/> does not apply:
    /// dPredicted is always checked); <see cref="GradientCheckOptions.Default"/> when null.
    /// </param>
    /// <returns>One entry, dPredicted.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have the shape of <paramref name="predicted"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range.</exception>
    public static GradientCheckReport Check(Loss loss, Tensor predicted, Tensor target, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        options = Validated(options);
        if (!target.HasSameShape(predicted))
        {
            throw new ArgumentException($"GradientCheck: target {target.Describe()} does not have the shape of predicted {predicted.Describe()}.", nameof(target));
        }

        var checkedTensors = new List<Target> { new("dPredicted", predicted, loss.Backward(predicted, target).ToArray()) };
        return Run(loss.ToString(), () => loss.Forward(predicted, target), checkedTensors, options, predicted.Rows);
    }

    /// <summary>
    /// The elements checked in a tensor of <paramref name="length"/> elements: all of them when there
    /// are at most <paramref name="maxCount"/>; else one drawn from each of <paramref name="maxCount"/>
    /// equal runs of the index range, the first run giving index 0 and the last run length - 1.
    /// </summary>
    /// <param name="length">The tensor's element count.</param>
    /// <param name="maxCount">The most elements to check; at least 1.</param>
    /// <param name="seed">Fixes the sample.</param>
    /// <returns>Distinct indices in increasing order.</returns>
    internal static int[] SampleIndices(int length, int maxCount, ulong seed)
    {
        if (length <= maxCount)
        {
            return [.. Enumerable.Range(0, length)];
        }

        // Strata: run s is [s * length / maxCount, (s + 1) * length / maxCount), at least one element
        // long, so any 2 * length / maxCount consecutive elements (a few rows of a wide matrix) hold a checked one.
        var random = new DeterministicRandom(seed);
        var indices = new int[maxCount];
        for (int s = 0; s < maxCount; s++)
        {
            int first = (int)((long)s * length / maxCount), end = (int)((long)(s + 1) * length / maxCount);
            indices[s] = first + random.NextInt(end - first);
        }

        // The two ends, where loops start and where their scalar remainders run.
        indices[0] = 0;
        indices[^1] = length - 1;
        return indices;
    }

    /// <summary>The seed of the sample of the tensor at <paramref name="position"/> in the check: a different stream per tensor.</summary>
    internal static ulong TensorSeed(ulong seed, int position) => seed ^ unchecked((ulong)(position + 1) * 0xD1B54A32D192ED03UL);

    /// <summary>
    /// The check itself: for each sampled element of each target, the central difference of
    /// <paramref name="evaluate"/> against the analytic gradient; then one more evaluation at the
    /// unperturbed point, so the caches are those of the values the model is left with.
    /// </summary>
    private static GradientCheckReport Run(string subject, Func<double> evaluate, List<Target> targets, GradientCheckOptions options, int rows)
    {
        // A finite difference compares the loss at two nudged points: it needs the same function at every call.
        double first = evaluate(), second = evaluate();
        string? problem = rows == 0 ? NoRows
            : first.Equals(second) ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The loss is not the same function from one call to the next: two evaluations at the same values gave {first:G9} and {second:G9}. {NotAFunction}");
        var entries = new List<GradientCheckEntry>(targets.Count);
        for (int position = 0; position < targets.Count; position++)
        {
            Target target = targets[position];
            int[] indices = SampleIndices(target.Value.Length, options.MaxElementsPerTensor, TensorSeed(options.Seed, position));
            entries.Add(CheckTensor(evaluate, target, indices, options));
        }

        double lossAtValues = evaluate();
        return new GradientCheckReport(subject, lossAtValues, options, entries, problem);
    }

    private static GradientCheckEntry CheckTensor(Func<double> evaluate, Target target, int[] indices, GradientCheckOptions options)
    {
        Span<float> values = target.Value.AsSpan();
        int failed = 0, worstIndex = -1;
        double maxAbsolute = 0, maxRelative = 0, worstRatio = double.NegativeInfinity, worstAnalytic = 0, worstNumeric = 0;
        foreach (int i in indices)
        {
            float original = values[i];
            float plus = (float)(original + options.Step), minus = (float)(original - options.Step);
            double lossPlus, lossMinus;
            try
            {
                values[i] = plus;
                lossPlus = evaluate();
                values[i] = minus;
                lossMinus = evaluate();
            }
            finally
            {
                values[i] = original; // the same bits, even when evaluate throws
            }

            // Divide by the distance actually travelled, not by 2h.
            double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
            double analytic = target.Analytic[i];

            double error = Math.Abs(analytic - numeric), scale = Math.Max(Math.Abs(analytic), Math.Abs(numeric));
            double allowed = options.AbsoluteTolerance + options.RelativeTolerance * scale;
            bool passed = double.IsFinite(analytic) && double.IsFinite(numeric) && error <= allowed;
            // Math.Max keeps a NaN once it has seen one, so a NaN shows in the report.
            maxAbsolute = Math.Max(maxAbsolute, error);
            maxRelative = Math.Max(maxRelative, error == 0 ? 0 : error / scale);
            double ratio = !double.IsFinite(analytic) || !double.IsFinite(numeric) ? double.PositiveInfinity : error == 0 ? 0 : error / allowed;
            if (ratio > worstRatio)
            {
                (worstRatio, worstIndex, worstAnalytic, worstNumeric) = (ratio, i, analytic, numeric);
            }

            failed += passed ? 0 : 1;
        }

        return new GradientCheckEntry(target.Name, target.Value, indices.Length, failed, maxAbsolute, maxRelative, worstIndex, worstAnalytic, worstNumeric);
    }

    private static GradientCheckOptions Validated(GradientCheckOptions? options)
    {
        options ??= GradientCheckOptions.Default;
        options.Validate();
        return options;
    }

    private static List<Target> ParameterTargets(IReadOnlyList<Parameter> parameters) =>
        [.. parameters.Select(parameter => new Target(parameter.Name, parameter.Value, parameter.Gradient.ToArray()))];

    private static Tensor RequireInputGradient(Tensor? dInput, Layer firstLayer) =>
        dInput ?? throw new InvalidOperationException($"{firstLayer}: Backward returned no dInput although InputGradientNeeded was true.");

    /// <summary>L = sum over i of output[i] * weights[i], in double.</summary>
    private static double WeightedSum(Layer layer, Tensor output, Tensor weights)
    {
        if (!output.HasSameShape(weights))
        {
            throw new InvalidOperationException($"{layer}: Forward returned {output.Describe()} for the same input that gave {weights.Shape} before.");
        }

        ReadOnlySpan<float> o = output.AsSpan(), w = weights.AsSpan();
        double sum = 0;
        for (int i = 0; i < o.Length; i++)
        {
            sum += (double)o[i] * w[i];
        }

        return sum;
    }

    /// <summary>One tensor the loss depends on (nudged in place and restored) and its analytic gradient, copied before the check starts.</summary>
    private sealed record Target(string Name, Tensor Value, float[] Analytic);
}
