// Sigmoid: the activation f(x) = 1 / (1 + e^(-x)) of the tutorial, applied element-wise.
// Forward caches its output s, because the derivative is f'(x) = s * (1 - s) (tutorial, "Training a
// Neural Network, Part 2"), so Backward needs neither x nor another exp. No parameters.
namespace MnistBp;

/// <summary>Element-wise logistic sigmoid, <c>output = 1 / (1 + exp(-input))</c>.</summary>
public sealed class Sigmoid : Layer
{
    private Tensor? _output;  // cached by Forward: Backward computes s * (1 - s) from it
    private Tensor? _dInput;

    /// <summary>Creates a sigmoid layer.</summary>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    public Sigmoid(string name = "sigmoid")
        : base(name)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "s");
        // s = 1 / (1 + e^(-z)), cached for the backward pass
        Kernels.Sigmoid(input.AsSpan(), output.AsSpan());
        return output;
    }

    /// <inheritdoc/>
    public override string Kind => "Sigmoid";

    /// <inheritdoc/>
    public override (float Minimum, float Maximum)? OutputRange => (0f, 1f);

    /// <inheritdoc/>
    public override string Formula => "s = 1 / (1 + e^(-z))";

    /// <inheritdoc/>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize) => Kernels.Sigmoid(input, output);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor output = _output!;
        Tensor dInput = Reuse(ref _dInput, output.Rows, output.Columns, "dz");
        // dz = ds * s * (1 - s)   (tutorial: deriv_sigmoid(x) = f(x) * (1 - f(x)))
        Kernels.SigmoidBackward(output.AsSpan(), dOutput.AsSpan(), dInput.AsSpan());
        return dInput;
    }
}
