// Layer: the contract every layer keeps, built-in or written by a user in another assembly.
// Forward maps a mini-batch [batchSize x inputSize] to [batchSize x outputSize] and caches what
// Backward needs; Backward takes dLoss/dOutput, adds the parameter gradients into each
// Parameter.Gradient and returns dLoss/dInput for the layer below. That, plus Parameters for a layer
// that has any, is all a layer must write: Predict, saving (Kind, WriteSettings), the debugger text
// and the gradient check work from it. Layers never change their own parameters: the optimizer does.
namespace MnistBp;

/// <summary>A step of a network with a forward pass and the matching backward pass.</summary>
/// <remarks>
/// <para>
/// To write a layer, override <see cref="Forward"/> and <see cref="Backward"/> (and
/// <see cref="Parameters"/> when it has weights). A layer that changes the width of its input also
/// overrides <see cref="GetOutputSize"/>, the one place the width is declared; <see cref="Sequential"/>
/// checks every Forward output against it. Everything else has a working default.
/// </para>
/// <para>
/// The tensors a layer returns are buffers it owns and reuses for the next batch of the same size:
/// read or copy them before the next call. A layer keeps a reference to what Backward needs from
/// the last Forward, so it is not safe to train one layer from several threads at once.
/// </para>
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
[System.Diagnostics.DebuggerTypeProxy(typeof(LayerDebugView))]
public abstract class Layer
{
    private readonly Lock _predictLock = new(); // serialises the default Predict, which runs Forward, with Sequential's training Forward and Backward
    private Tensor? _predictInput;
    private bool _cacheHoldsPredict; // the default Predict ran Forward after the last training Forward: Backward would use its batch

    /// <summary>Initialises the layer's name.</summary>
    /// <param name="name">A name shown in the debugger, in error messages and in model files; may be empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    protected Layer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <summary>The layer's name, such as "hidden" or "output"; empty when none was given.</summary>
    public string Name { get; }

    /// <summary>The trainable parameters, in a fixed order (empty for layers without any).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>
    /// The stable name of this kind of layer in model files, such as <c>Dense</c>. The default is the
    /// type's full name; override it with a fixed string so renaming the class keeps old files loadable.
    /// A kind is made loadable with <see cref="LayerRegistry.Register"/>.
    /// </summary>
    public virtual string Kind => GetType().ToString(); // such as "MyApp.Relu"; generic arguments by name only, no assembly versions

    /// <summary>The formula the layer computes, for the debugger and messages, such as <c>Z = A·W + b</c>; empty when not given.</summary>
    public virtual string Formula => string.Empty;

    /// <summary>
    /// The range every output lies in, for a layer that squashes its input (a sigmoid's [0, 1]); null (the default) when
    /// the outputs are not bounded. <see cref="Trainer.Fit"/> warns when the last layer has one and the loss takes logits
    /// (<see cref="Loss.TakesLogits"/>): the loss would squash the outputs a second time.
    /// </summary>
    public virtual (float Minimum, float Maximum)? OutputRange => null;

    /// <summary>The number of inputs per sample this layer requires (Dense's rows of W), or null when it takes any width.</summary>
    public virtual int? FixedInputSize => null;

    /// <summary>
    /// Whether <see cref="Backward"/> must compute dLoss/dInput. <see cref="Sequential.Backward(Tensor, bool)"/>
    /// sets it around each layer's Backward: false for the first layer while training, whose input is
    /// the data and needs no gradient, and true again afterwards. A layer may then skip that work and
    /// return null; it may also ignore the setting and always compute dInput.
    /// </summary>
    public bool InputGradientNeeded { get; protected internal set; } = true;

    /// <summary>Computes the layer's output for a mini-batch, one sample per row, and caches what <see cref="Backward"/> needs.</summary>
    /// <param name="input">The input, [batchSize x inputSize].</param>
    /// <returns>The output, [batchSize x <see cref="GetOutputSize"/>(inputSize)]; a buffer owned by the layer.</returns>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Back-propagates dLoss/dOutput through the layer: adds into the parameter gradients and returns dLoss/dInput.</summary>
    /// <param name="dOutput">dLoss/dOutput, the shape of the last <see cref="Forward"/> output.</param>
    /// <returns>
    /// dLoss/dInput, the shape of the last <see cref="Forward"/> input, a buffer owned by the layer; or
    /// null when <see cref="InputGradientNeeded"/> is false and the layer skipped it.
    /// </returns>
    public abstract Tensor? Backward(Tensor dOutput);

    /// <summary>The number of outputs per sample this layer gives for <paramref name="inputSize"/> inputs per sample.</summary>
    /// <param name="inputSize">Inputs per sample.</param>
    /// <returns>Outputs per sample (the same number, for an element-wise layer).</returns>
    /// <exception cref="ArgumentException">The layer cannot take <paramref name="inputSize"/> inputs.</exception>
    public virtual int GetOutputSize(int inputSize) => inputSize;

    /// <summary>
    /// Inference: computes the outputs of <paramref name="batchSize"/> samples with the same math as
    /// <see cref="Forward"/>, for <see cref="Sequential.Predict(Tensor)"/> and evaluation.
    /// </summary>
    /// <remarks>
    /// The default copies the input into a tensor and runs <see cref="Forward"/> under a lock: correct
    /// for any layer and safe from several threads, but one call at a time, allocating a buffer per
    /// batch size, and it replaces what the last training Forward cached. So when it runs between a
    /// <see cref="Sequential.Forward"/> and the <see cref="Sequential.Backward(Tensor)"/> that follows (on another
    /// thread during <see cref="Trainer.Fit"/>, say), that Backward throws an <see cref="InvalidOperationException"/>
    /// instead of computing the gradient of the wrong batch; Sequential takes the same lock around the layer's
    /// Forward and Backward, so the two never run at once. The built-in layers override it with versions that
    /// cache nothing, allocate nothing and run on many threads at once, even during training; a layer whose
    /// training Forward differs from inference (dropout) must override it.
    /// </remarks>
    /// <param name="input">The inputs, [batchSize x inputSize] row-major.</param>
    /// <param name="output">The outputs, [batchSize x <see cref="GetOutputSize"/>] row-major; must not overlap <paramref name="input"/>.</param>
    /// <param name="batchSize">The number of samples; at least 1.</param>
    /// <exception cref="ArgumentException">The lengths do not fit <paramref name="batchSize"/> or the layer's output width.</exception>
    public virtual void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (input.Length % batchSize != 0)
        {
            throw new ArgumentException($"{this} Predict: {input.Length} input values do not split into {batchSize} samples.", nameof(input));
        }

        int inputSize = input.Length / batchSize;
        lock (_predictLock)
        {
            Tensor x = Reuse(ref _predictInput, batchSize, inputSize, "predict input");
            input.CopyTo(x.AsSpan());
            _cacheHoldsPredict = true; // before Forward: even a Predict that fails after it has replaced the cache
            Tensor y = Forward(x);
            RequireOutputShape(y, batchSize, inputSize);
            if (y.Length != output.Length)
            {
                throw new ArgumentException($"{this} Predict: output has {output.Length} values; {batchSize} samples x {y.Columns} outputs need {y.Length}.", nameof(output));
            }

            y.AsSpan().CopyTo(output);
        }
    }

    /// <summary>
    /// <see cref="Forward"/> as <see cref="Sequential.Forward"/> runs it: under the lock the default
    /// <see cref="Predict"/> takes, so the two never overwrite each other's cache halfway (uncontended unless a
    /// default Predict is running: built-in layers never take it).
    /// </summary>
    internal Tensor TrainingForward(Tensor input)
    {
        lock (_predictLock)
        {
            Tensor output = Forward(input);
            _cacheHoldsPredict = false;
            return output;
        }
    }

    /// <summary>
    /// <see cref="Backward"/> as <see cref="Sequential.Backward(Tensor, bool)"/> runs it, under the same lock;
    /// refuses when the default <see cref="Predict"/> ran Forward since the training Forward.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer's cache holds a Predict batch, not the training one.</exception>
    internal Tensor? TrainingBackward(Tensor dOutput)
    {
        lock (_predictLock)
        {
            if (_cacheHoldsPredict)
            {
                throw new InvalidOperationException(
                    $"{this}: Predict ran this layer's Forward after the training Forward and before this Backward, so what Backward needs " +
                    "now belongs to the Predict batch and the gradient would be wrong. The layer keeps Layer's default Predict, which runs " +
                    "Forward: override Predict with one that caches nothing (docs/10-write-your-own-layer.md), or do not predict with this " +
                    "model between its Forward and Backward (nor on another thread while it trains).");
            }

            return Backward(dOutput);
        }
    }

    /// <summary>Sets every parameter gradient to zero (see <see cref="Parameter.ZeroGrad"/>).</summary>
    public void ZeroGrad()
    {
        // An indexed loop: enumerating an IReadOnlyList allocates, and this runs every step.
        IReadOnlyList<Parameter> parameters = Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            parameters[i].ZeroGrad();
        }
    }

    /// <summary>
    /// Writes the layer's settings other than its parameters (a slope, a rate) for a model file; the
    /// parameters are saved for every layer without this. The default writes nothing.
    /// </summary>
    /// <param name="settings">Receives named values; read back by the factory given to <see cref="LayerRegistry.Register"/>.</param>
    public virtual void WriteSettings(LayerSettings settings)
    {
    }

    /// <summary>Describes the layer, such as <c>Dense 'hidden' 784 -> 30</c> or <c>Sigmoid 'output sigmoid'</c>.</summary>
    public override string ToString()
    {
        string kind = GetType().Name;
        return Name.Length == 0 ? kind : $"{kind} '{Name}'";
    }

    /// <summary>
    /// Throws unless <paramref name="output"/>, what Forward returned for <paramref name="batchSize"/>
    /// samples of <paramref name="inputSize"/> values, has the shape <see cref="GetOutputSize"/> declares.
    /// </summary>
    /// <param name="output">The tensor Forward returned.</param>
    /// <param name="batchSize">The rows of the input.</param>
    /// <param name="inputSize">The columns of the input.</param>
    /// <exception cref="InvalidOperationException">The shapes differ; the message names both and the fix.</exception>
    protected internal void RequireOutputShape(Tensor output, int batchSize, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Rank == 2 && output.Rows == batchSize && output.Columns == GetOutputSize(inputSize))
        {
            return;
        }

        throw new InvalidOperationException(
            $"{this}: Forward of [{batchSize} x {inputSize}] returned {output.Shape}, but GetOutputSize({inputSize}) says " +
            $"[{batchSize} x {GetOutputSize(inputSize)}]. A layer that changes the width must override GetOutputSize; Forward must return one row per sample.");
    }

    /// <summary>
    /// Returns <paramref name="buffer"/> when it already has the shape [rows x columns], else a new
    /// tensor of that shape stored into it: buffers are allocated once per batch size, not per step.
    /// </summary>
    /// <param name="buffer">The cached buffer, or null.</param>
    /// <param name="rows">Rows wanted.</param>
    /// <param name="columns">Columns wanted.</param>
    /// <param name="name">The name to give a new buffer, such as "Z"; the layer's name is appended.</param>
    /// <returns>A [rows x columns] tensor owned by the layer; its old values are left in place.</returns>
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
    /// <param name="output">The output of the last Forward, or null when there was none.</param>
    /// <exception cref="InvalidOperationException"><paramref name="output"/> is null: Backward came before any Forward.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    protected void RequireShapeOfOutput(Tensor dOutput, Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        if (output is null)
        {
            throw new InvalidOperationException($"{this}: Backward was called before Forward; there is no cached input.");
        }

        if (!dOutput.HasSameShape(output))
        {
            throw new ArgumentException($"{this} Backward: dOutput {dOutput.Describe()} does not have the shape of the last output {output.Describe()}.", nameof(dOutput));
        }
    }

    /// <summary>The shapes of the last batch <see cref="Sequential.Forward"/> ran through this layer, for the debugger; (0, 0, 0) before any.</summary>
    internal (int Rows, int InputSize, int OutputSize) LastShape { get; set; }
}
