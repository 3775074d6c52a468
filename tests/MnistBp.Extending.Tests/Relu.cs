// Relu: the rectified linear unit, a = max(0, z), written the way a user writes a layer in their own
// project: a subclass of MnistBp.Layer using the library's public API only. Forward and Backward are
// all it must write; Predict, the debugger view, saving (once its kind is registered) and the
// gradient check come from Layer.
using MnistBp;

namespace MnistBp.Extending;

/// <summary>Element-wise rectified linear unit: <c>output = max(0, input)</c>.</summary>
/// <param name="name">A name shown in the debugger, in messages and in model files.</param>
public sealed class Relu(string name = "relu") : Layer(name)
{
    private Tensor? _input;   // cached by Forward: Backward needs to know where z > 0
    private Tensor? _output;
    private Tensor? _dInput;

    /// <inheritdoc/>
    public override string Kind => "MnistBp.Extending.Relu"; // the stable name in model files

    /// <inheritdoc/>
    public override string Formula => "a = max(0, z)";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        _input = input; // cache the input for the backward pass
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
        ReadOnlySpan<float> z = input.AsSpan();
        Span<float> a = output.AsSpan();
        for (int i = 0; i < z.Length; i++)
        {
            // a = max(0, z)
            a[i] = z[i] > 0f ? z[i] : 0f;
        }

        return output;
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor dInput = Reuse(ref _dInput, dOutput.Rows, dOutput.Columns, "dz");
        ReadOnlySpan<float> z = _input!.AsSpan(), da = dOutput.AsSpan();
        Span<float> dz = dInput.AsSpan();
        for (int i = 0; i < dz.Length; i++)
        {
            // dz = da · max'(z), where max'(z) = 1 for z > 0 and 0 otherwise
            dz[i] = z[i] > 0f ? da[i] : 0f;
        }

        return dInput;
    }
}
