// Tanh: the hyperbolic tangent a = tanh(z) = (e^z - e^-z) / (e^z + e^-z), applied element-wise: a
// sigmoid stretched to (-1, 1) and centred on 0 (tanh z = 2 sigmoid(2z) - 1). Like Sigmoid, Forward
// caches its output a, because tanh'(z) = 1 - a^2, so Backward needs neither z nor another exp.
// No parameters, no settings.
namespace MnistBp;

/// <summary>Element-wise hyperbolic tangent, <c>output = tanh(input)</c>.</summary>
public sealed class Tanh : Layer
{
    private Tensor? _output;  // cached by Forward: Backward computes 1 - a^2 from it
    private Tensor? _dInput;

    /// <summary>Creates a tanh layer.</summary>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    public Tanh(string name = "tanh")
        : base(name)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
        // a = tanh z, cached for the backward pass
        Kernels.Tanh(input.AsSpan(), output.AsSpan());
        return output;
    }

    /// <inheritdoc/>
    public override string Kind => "Tanh";

    /// <inheritdoc/>
    public override (float Minimum, float Maximum)? OutputRange => (-1f, 1f);

    /// <inheritdoc/>
    public override string Formula => "a = tanh(z)";

    /// <inheritdoc/>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize) => Kernels.Tanh(input, output);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor output = _output!;
        Tensor dInput = Reuse(ref _dInput, output.Rows, output.Columns, "dz");
        // dz = da * (1 - a^2)   (tanh'(z) = 1 - tanh(z)^2)
        Kernels.TanhBackward(output.AsSpan(), dOutput.AsSpan(), dInput.AsSpan());
        return dInput;
    }
}
