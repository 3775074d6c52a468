// Relu: the rectified linear unit a = max(0, z), applied element-wise (Nair & Hinton 2010), the
// activation of nearly every MLP since; it does not saturate for z > 0, so deep nets keep their
// gradients where the tutorial's sigmoid loses them. Forward caches its output a: a > 0 exactly where
// z > 0, so Backward's dz = da * (z > 0) needs nothing else (the derivative at exactly 0 is taken as 0,
// as in PyTorch). No parameters, no settings.
namespace MnistBp;

/// <summary>Element-wise rectified linear unit, <c>output = max(0, input)</c>; NaN stays NaN.</summary>
public sealed class Relu : Layer
{
    private Tensor? _output;  // cached by Forward: Backward passes da where a > 0
    private Tensor? _dInput;

    /// <summary>Creates a ReLU layer.</summary>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    public Relu(string name = "relu")
        : base(name)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
        // a = max(0, z), cached for the backward pass
        Kernels.Relu(input.AsSpan(), output.AsSpan());
        return output;
    }

    /// <inheritdoc/>
    public override string Kind => "Relu";

    /// <inheritdoc/>
    public override string Formula => "a = max(0, z)";

    /// <inheritdoc/>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize) => Kernels.Relu(input, output);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor output = _output!;
        Tensor dInput = Reuse(ref _dInput, output.Rows, output.Columns, "dz");
        // dz = da * (z > 0), read from a > 0
        Kernels.ReluBackward(output.AsSpan(), dOutput.AsSpan(), dInput.AsSpan());
        return dInput;
    }
}
