// GradientCheck: the one central finite-difference checker every gradient test goes through (the
// role of ConvNetSharp's GradientCheckTools). For every element x of every tensor checked (each
// Parameter's value and the input), it nudges x by +h and -h, reruns the forward pass, and compares
//   numeric = (L(x + h) - L(x - h)) / (2h)
// with the analytic gradient the backward pass produced. It does not train, and it does not know
// how any layer works: it only sees Forward, Backward and Parameters.
//
// The network computes in float32, so the check is tuned for that (see the constants below): the
// loss is summed in double, the step divides by the difference of the two float values actually
// stored (x + h and x - h rounded to float are not exactly 2h apart), and an element passes when
//   |analytic - numeric| <= absoluteTolerance + RelativeTolerance * max(|analytic|, |numeric|).
using System.Globalization;
using System.Text;

namespace MnistBp.Tests;

/// <summary>One tensor whose gradient is checked: its values (nudged in place) and the analytic gradient.</summary>
/// <param name="Name">Shown in failures, such as "W hidden" or "dInput".</param>
/// <param name="Value">The tensor the loss depends on; the check changes it and restores it.</param>
/// <param name="Analytic">dLoss/dValue from the backward pass, copied before the check starts.</param>
internal sealed record GradientTarget(string Name, Tensor Value, float[] Analytic);

/// <summary>One element whose analytic and numeric gradients disagree (or the worst one that agrees).</summary>
internal sealed record GradientMismatch(string Name, int Index, double Analytic, double Numeric, double Allowed)
{
    /// <summary>|analytic - numeric| divided by what is allowed: above 1 is a failure.</summary>
    public double Ratio => Allowed == 0 ? double.PositiveInfinity : Math.Abs(Analytic - Numeric) / Allowed;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name}[{Index}]: analytic {Analytic:G6}, numeric {Numeric:G6}, |difference| {Math.Abs(Analytic - Numeric):G3} vs allowed {Allowed:G3}");
}

/// <summary>What <see cref="GradientCheck"/> found.</summary>
internal sealed class GradientCheckResult(int checkedCount, IReadOnlyList<GradientMismatch> failures, GradientMismatch? worst)
{
    /// <summary>How many elements were compared.</summary>
    public int Checked { get; } = checkedCount;

    /// <summary>The elements outside the tolerance, in the order checked.</summary>
    public IReadOnlyList<GradientMismatch> Failures { get; } = failures;

    /// <summary>The element closest to (or furthest past) its tolerance, or null when nothing was checked.</summary>
    public GradientMismatch? Worst { get; } = worst;

    /// <summary>True when every element agreed.</summary>
    public bool Passed => Failures.Count == 0;

    /// <summary>A summary for assertion messages: counts, the worst element and the first failures.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Checked} gradient elements checked, {Failures.Count} failed");
        if (Worst is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; worst ({Worst.Ratio:F3} of allowed): {Worst}");
        }

        foreach (GradientMismatch failure in Failures.Take(10))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {failure}");
        }

        return text.ToString();
    }
}

/// <summary>Central finite differences against the analytic gradients of layers, models and losses.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// The step h. Float32 leaves about 7 digits: with L of order 1 its rounding noise is ~1e-7, and
    /// dividing by 2h = 2e-2 keeps that near 1e-5, while the truncation error h² f''' / 6 stays
    /// below ~2e-6 for sigmoids (|f'''| &lt;= 1/8). A step of 1e-3 would make the noise 10x larger.
    /// </summary>
    public const double DefaultStep = 1e-2;

    /// <summary>Relative agreement required: 1%, far below what a wrong factor, sign or term gives.</summary>
    public const double RelativeTolerance = 1e-2;

    /// <summary>
    /// The default absolute floor, for gradients near zero where 1% of the value is below float
    /// noise. The noise is set by the rounding of the float outputs the loss is built from, not by
    /// the gradient: with L = sum(output * weights) over ~20 outputs of order 1 (the layer checks
    /// here) it measured up to 1.4e-5, so 1e-4 leaves a 7x margin. Checks whose loss is much
    /// smaller (an MSE of ~0.1 rounds at ~1e-8, giving ~1e-6 of noise) pass a tighter floor.
    /// </summary>
    public const double DefaultAbsoluteTolerance = 1e-4;

    /// <summary>
    /// Checks a layer with the loss <c>L = sum(output * weights)</c>, <c>weights</c> drawn from
    /// N(0, 1), so that dL/dOutput = weights: every parameter gradient and dInput.
    /// </summary>
    /// <param name="layer">The layer; its gradients are cleared first.</param>
    /// <param name="input">The input batch; nudged during the check and restored.</param>
    /// <param name="random">Draws the loss weights.</param>
    /// <param name="absoluteTolerance">The absolute floor; see <see cref="DefaultAbsoluteTolerance"/>.</param>
    public static GradientCheckResult CheckLayer(Layer layer, Tensor input, DeterministicRandom random, double absoluteTolerance = DefaultAbsoluteTolerance)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(random);

        layer.ZeroGrad();
        Tensor output = layer.Forward(input);
        var weights = new Tensor(output.Rows, output.Columns, "dOutput");
        Span<float> w = weights.AsSpan();
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)random.NextGaussian();
        }

        Tensor dInput = layer.Backward(weights) ?? throw new InvalidOperationException($"{layer} returned no dInput.");
        var targets = layer.Parameters.Select(p => new GradientTarget(p.Name, p.Value, p.Gradient.ToArray())).ToList();
        targets.Add(new GradientTarget("dInput", input, dInput.ToArray()));
        return Check(() => WeightedSum(layer.Forward(input), weights), targets, absoluteTolerance);
    }

    /// <summary>Checks a whole model trained with <paramref name="loss"/>: every parameter gradient and dInput.</summary>
    /// <param name="model">The model; its gradients are cleared first.</param>
    /// <param name="loss">The loss comparing the model's output with <paramref name="target"/>.</param>
    /// <param name="input">The input batch; nudged during the check and restored.</param>
    /// <param name="target">The wanted output.</param>
    /// <param name="absoluteTolerance">The absolute floor; see <see cref="DefaultAbsoluteTolerance"/>.</param>
    public static GradientCheckResult CheckModel(Sequential model, Loss loss, Tensor input, Tensor target, double absoluteTolerance = DefaultAbsoluteTolerance)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(input);

        model.ZeroGrad();
        Tensor predicted = model.Forward(input);
        Tensor dInput = model.Backward(loss.Backward(predicted, target));
        var targets = model.Parameters.Select(p => new GradientTarget(p.Name, p.Value, p.Gradient.ToArray())).ToList();
        targets.Add(new GradientTarget("dInput", input, dInput.ToArray()));
        return Check(() => loss.Forward(model.Forward(input), target), targets, absoluteTolerance);
    }

    /// <summary>Checks dLoss/dPredicted of a loss function.</summary>
    /// <param name="loss">The loss.</param>
    /// <param name="predicted">The predictions; nudged during the check and restored.</param>
    /// <param name="target">The wanted output.</param>
    /// <param name="absoluteTolerance">The absolute floor; see <see cref="DefaultAbsoluteTolerance"/>.</param>
    public static GradientCheckResult CheckLoss(Loss loss, Tensor predicted, Tensor target, double absoluteTolerance = DefaultAbsoluteTolerance)
    {
        ArgumentNullException.ThrowIfNull(loss);
        loss.Forward(predicted, target);
        var targets = new[] { new GradientTarget("dPredicted", predicted, loss.Backward(predicted, target).ToArray()) };
        return Check(() => loss.Forward(predicted, target), targets, absoluteTolerance);
    }

    /// <summary>
    /// The check itself: for each element of each target, the central difference of
    /// <paramref name="evaluate"/> against the analytic gradient.
    /// </summary>
    /// <param name="evaluate">Runs the forward pass and returns the loss, reading the targets' current values.</param>
    /// <param name="targets">The tensors to nudge, each with its analytic gradient.</param>
    /// <param name="absoluteTolerance">The absolute floor; see <see cref="DefaultAbsoluteTolerance"/>.</param>
    /// <param name="step">h; see <see cref="DefaultStep"/>.</param>
    public static GradientCheckResult Check(
        Func<double> evaluate, IEnumerable<GradientTarget> targets, double absoluteTolerance = DefaultAbsoluteTolerance, double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        ArgumentNullException.ThrowIfNull(targets);

        var failures = new List<GradientMismatch>();
        GradientMismatch? worst = null;
        int checkedCount = 0;
        foreach (GradientTarget target in targets)
        {
            Span<float> values = target.Value.AsSpan();
            if (target.Analytic.Length != values.Length)
            {
                throw new ArgumentException($"{target.Name}: {target.Analytic.Length} analytic values for {target.Value.Describe()}.", nameof(targets));
            }

            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                float plus = (float)(original + step), minus = (float)(original - step);

                values[i] = plus;
                double lossPlus = evaluate();
                values[i] = minus;
                double lossMinus = evaluate();
                values[i] = original;

                // Divide by the distance actually travelled, not by 2h.
                double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
                double analytic = target.Analytic[i];
                double allowed = absoluteTolerance + RelativeTolerance * Math.Max(Math.Abs(analytic), Math.Abs(numeric));
                var comparison = new GradientMismatch(target.Name, i, analytic, numeric, allowed);
                if (!(Math.Abs(analytic - numeric) <= allowed)) // written so that NaN fails
                {
                    failures.Add(comparison);
                }

                if (worst is null || !(comparison.Ratio <= worst.Ratio))
                {
                    worst = comparison;
                }

                checkedCount++;
            }
        }

        evaluate(); // leave the caches as they are at the unperturbed point
        return new GradientCheckResult(checkedCount, failures, worst);
    }

    /// <summary>L = sum over i of output[i] * weights[i], in double.</summary>
    private static double WeightedSum(Tensor output, Tensor weights)
    {
        ReadOnlySpan<float> o = output.AsSpan(), w = weights.AsSpan();
        double sum = 0;
        for (int i = 0; i < o.Length; i++)
        {
            sum += (double)o[i] * w[i];
        }

        return sum;
    }
}
