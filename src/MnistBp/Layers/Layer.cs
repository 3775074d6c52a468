// Layer: the contract every layer keeps. Forward maps a mini-batch [batchSize x inputSize] to
// [batchSize x outputSize] and caches what Backward needs; Backward takes dLoss/dOutput, adds the
// parameter gradients into their Parameter.Gradient and returns dLoss/dInput for the layer below.
// Layers never change their own parameters: that is the optimizer's job.
namespace MnistBp;

/// <summary>A step of a network with a forward pass and the matching backward pass.</summary>
/// <remarks>
/// The tensors a layer returns are buffers it owns and reuses for the next batch of the same size:
/// read or copy them before the next call. A layer keeps a reference to what Backward needs from
/// the last Forward, so it is not safe to use one layer from several threads at once.
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public abstract class Layer
{
    /// <summary>Initialises the layer's name.</summary>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    protected Layer(string name) => Name = name ?? string.Empty;

    /// <summary>The layer's name, such as "hidden" or "output".</summary>
    public string Name { get; }

    /// <summary>The trainable parameters, in a fixed order (empty for layers without any).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Computes the layer's output for a mini-batch, one sample per row, and caches what <see cref="Backward"/> needs.</summary>
    /// <param name="input">The input, [batchSize x inputSize].</param>
    /// <returns>The output, [batchSize x outputSize]; a buffer owned by the layer.</returns>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Back-propagates dLoss/dOutput through the layer: adds into the parameter gradients and returns dLoss/dInput.</summary>
    /// <param name="dOutput">dLoss/dOutput, the shape of the last <see cref="Forward"/> output.</param>
    /// <returns>dLoss/dInput, the shape of the last <see cref="Forward"/> input; a buffer owned by the layer.</returns>
    public abstract Tensor Backward(Tensor dOutput);

    /// <summary>
    /// Like <see cref="Backward"/>, but only adds into the parameter gradients and skips dLoss/dInput.
    /// <see cref="Sequential.BackwardParametersOnly"/> calls it on the first layer, whose input (the
    /// data) needs no gradient; for a Dense layer that saves a third of the backward work.
    /// </summary>
    /// <param name="dOutput">dLoss/dOutput, the shape of the last <see cref="Forward"/> output.</param>
    public virtual void BackwardParametersOnly(Tensor dOutput) => Backward(dOutput);

    /// <summary>The number of outputs per sample this layer gives for <paramref name="inputSize"/> inputs per sample.</summary>
    /// <param name="inputSize">Inputs per sample.</param>
    /// <returns>Outputs per sample (the same number, for an element-wise layer).</returns>
    /// <exception cref="ArgumentException">The layer cannot take <paramref name="inputSize"/> inputs.</exception>
    public virtual int GetOutputSize(int inputSize) => inputSize;

    /// <summary>
    /// Inference only: computes the outputs of <paramref name="batchSize"/> samples like
    /// <see cref="Forward"/> but caches nothing and allocates nothing, so one trained layer can serve
    /// many threads at once.
    /// </summary>
    /// <param name="input">The inputs, [batchSize x inputSize] row-major.</param>
    /// <param name="output">The outputs, [batchSize x <see cref="GetOutputSize"/>] row-major; must not overlap <paramref name="input"/>.</param>
    /// <param name="batchSize">The number of samples.</param>
    /// <exception cref="NotSupportedException">The layer does not implement it (custom layers may not).</exception>
    public virtual void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize) =>
        throw new NotSupportedException($"{this} does not implement Predict; override Predict and GetOutputSize to use it in Sequential.Predict.");

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGrad()
    {
        // An indexed loop: enumerating an IReadOnlyList allocates, and this runs every step.
        IReadOnlyList<Parameter> parameters = Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            parameters[i].ZeroGrad();
        }
    }

    /// <summary>Describes the layer, such as <c>Dense 'hidden' 784 -> 30</c>.</summary>
    public override string ToString() => Name.Length == 0 ? GetType().Name : $"{GetType().Name} '{Name}'";

    /// <summary>
    /// Returns <paramref name="buffer"/> when it already has the shape [rows x columns], else a new
    /// tensor of that shape stored into it: buffers are allocated once per batch size, not per step.
    /// </summary>
    /// <param name="buffer">The cached buffer, or null.</param>
    /// <param name="rows">Rows wanted.</param>
    /// <param name="columns">Columns wanted.</param>
    /// <param name="name">The name to give a new buffer, such as "Z"; the layer's name is appended.</param>
    protected Tensor Reuse(ref Tensor? buffer, int rows, int columns, string name)
    {
        if (buffer is null || buffer.Rank != 2 || buffer.Rows != rows || buffer.Columns != columns)
        {
            buffer = new Tensor(rows, columns, Name.Length == 0 ? name : $"{name} {Name}");
        }

        return buffer;
    }

    /// <summary>
    /// Throws unless <paramref name="dOutput"/> has the shape of <paramref name="output"/>, the last
    /// output; the message, naming both shapes, is built only then (this runs every step).
    /// </summary>
    /// <param name="dOutput">The gradient passed to Backward.</param>
    /// <param name="output">The output of the last Forward.</param>
    protected void RequireShapeOfOutput(Tensor dOutput, Tensor output)
    {
        if (!dOutput.HasSameShape(output))
        {
            Tensor.RequireSameShape(dOutput, output, $"{this} Backward: dOutput");
        }
    }

    /// <summary>The message for Backward called before any Forward.</summary>
    private protected string BackwardBeforeForward() => $"{this}: Backward was called before Forward; there is no cached input.";
}
