// LeakyRelu: a = z for z > 0, slope * z otherwise (Maas, Hannun & Ng 2013), a ReLU whose negative
// side keeps a small gradient so that a unit pushed below 0 can come back. Forward caches its output
// a: for a slope >= 0, a > 0 exactly where z > 0, so Backward's dz = da * (z > 0 ? 1 : slope) needs
// nothing else. The slope is a setting saved in model files, not a parameter: it is not learned
// (that would be PReLU, which this is not).
using System.Globalization;

namespace MnistBp;

/// <summary>Element-wise leaky ReLU, <c>output = input &gt; 0 ? input : Slope * input</c>; NaN stays NaN.</summary>
public sealed class LeakyRelu : Layer
{
    private Tensor? _output;  // cached by Forward: Backward multiplies da by 1 or the slope, by the sign of a
    private Tensor? _dInput;

    /// <summary>Creates a leaky ReLU layer.</summary>
    /// <param name="slope">The slope for inputs &lt;= 0: finite, in [0, 1); 0 makes it a plain ReLU.</param>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slope"/> is NaN, infinite, negative or at least 1.</exception>
    public LeakyRelu(float slope = 0.01f, string name = "leaky relu")
        : base(name)
    {
        if (!(slope >= 0f && slope < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), slope, string.Create(CultureInfo.InvariantCulture, $"LeakyRelu: the slope must be finite and in [0, 1); {slope} is not."));
        }

        Slope = slope;
    }

    /// <summary>The slope for inputs &lt;= 0, in [0, 1).</summary>
    public float Slope { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
        // a = z > 0 ? z : slope * z, cached for the backward pass
        Kernels.LeakyRelu(input.AsSpan(), Slope, output.AsSpan());
        return output;
    }

    /// <inheritdoc/>
    public override string Kind => "LeakyRelu";

    /// <inheritdoc/>
    public override string Formula => string.Create(CultureInfo.InvariantCulture, $"a = z > 0 ? z : {Slope} * z");

    /// <inheritdoc/>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize) => Kernels.LeakyRelu(input, Slope, output);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor output = _output!;
        Tensor dInput = Reuse(ref _dInput, output.Rows, output.Columns, "dz");
        // dz = da * (z > 0 ? 1 : slope), read from the sign of a
        Kernels.LeakyReluBackward(output.AsSpan(), Slope, dOutput.AsSpan(), dInput.AsSpan());
        return dInput;
    }

    /// <summary>Writes the slope, as the float32 setting <c>slope</c>.</summary>
    /// <param name="settings">Receives the setting.</param>
    public override void WriteSettings(LayerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Add("slope", Slope);
    }

    /// <summary>Rebuilds a LeakyRelu from its model-file record (the built-in kind <c>LeakyRelu</c>): reads back what <see cref="WriteSettings"/> wrote.</summary>
    internal static LeakyRelu FromRecord(LayerRecord record) => new(record.Settings.GetSingle("slope"), record.Name);
}
