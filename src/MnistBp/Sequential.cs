// Sequential: a network as a list of layers. Forward runs them first to last; Backward runs them
// last to first, handing each layer's dInput to the layer below as its dOutput (the chain rule of
// the tutorial's "Backpropagation" section, applied one layer at a time). It owns no training
// loop and no optimizer: a training step is forward, loss, ZeroGrad, Backward, optimizer Step.
using System.Diagnostics;

namespace MnistBp;

/// <summary>A stack of layers applied one after the other.</summary>
[DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
[DebuggerTypeProxy(typeof(SequentialDebugView))]
public sealed class Sequential
{
    private readonly List<Layer> _layers = [];
    private Parameter[]? _parameters; // built on first use, dropped when a layer is added

    /// <summary>Creates a model from layers in forward order.</summary>
    /// <param name="layers">The layers, input side first.</param>
    public Sequential(params IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (Layer layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>The layers in forward order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Counts the changes to the layer list, so a <see cref="Trainer"/> notices a layer added after its optimizer was made.</summary>
    internal int Version { get; private set; }

    /// <summary>Every trainable parameter, layer by layer in forward order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters ??= [.. _layers.SelectMany(layer => layer.Parameters)];

    /// <summary>Appends a layer on the output side.</summary>
    /// <param name="layer">The layer to append.</param>
    /// <returns>This model, so calls can be chained.</returns>
    public Sequential Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        _parameters = null;
        Version++;
        return this;
    }

    /// <summary>Runs the layers first to last on a mini-batch, each caching what its Backward needs.</summary>
    /// <param name="input">The input, [batchSize x inputSize].</param>
    /// <returns>The last layer's output, [batchSize x outputSize]; a buffer owned by that layer.</returns>
    /// <exception cref="InvalidOperationException">The model has no layers, or a layer returned a shape its <see cref="Layer.GetOutputSize"/> does not declare.</exception>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireLayers();
        Tensor activation = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            Layer layer = _layers[i];
            int rows = activation.Rows, inputSize = activation.Columns;
            activation = layer.TrainingForward(activation); // Forward, under the lock a layer's default Predict takes
            // Every layer's output must be what GetOutputSize declares: Predict and the model file rely on it.
            if (activation is null || activation.Rows != rows || activation.Columns != layer.GetOutputSize(inputSize))
            {
                layer.RequireOutputShape(activation ?? throw new InvalidOperationException($"{layer}: Forward returned null."), rows, inputSize);
            }

            layer.LastShape = (rows, inputSize, activation.Columns);
        }

        return activation;
    }

    /// <summary>
    /// Back-propagates dLoss/dOutput through the layers in reverse order, adding into every
    /// parameter gradient, and returns dLoss/dInput of the first layer. Call <see cref="ZeroGrad"/>
    /// first unless you mean to accumulate.
    /// </summary>
    /// <param name="dOutput">dLoss/dOutput of the last layer, usually <see cref="Loss.Backward"/>.</param>
    /// <returns>dLoss/dInput of the first layer; a buffer owned by that layer.</returns>
    public Tensor Backward(Tensor dOutput) => Backward(dOutput, computeInputGradient: true)!;

    /// <summary>
    /// Back-propagates like <see cref="Backward(Tensor)"/>; with <paramref name="computeInputGradient"/>
    /// false the first layer may skip dLoss/dInput (training needs only the parameter gradients, and
    /// the input is data, not a parameter), and layers below the first one with parameters (such as a
    /// Dropout on the inputs) are not back-propagated at all: no parameter gradient depends on them.
    /// </summary>
    /// <param name="dOutput">dLoss/dOutput of the last layer, usually <see cref="Loss.Backward"/>.</param>
    /// <param name="computeInputGradient">Whether dLoss/dInput of the first layer is wanted.</param>
    /// <returns>dLoss/dInput of the first layer, or null when it was not wanted and the layer skipped it.</returns>
    /// <exception cref="InvalidOperationException">A layer other than the first returned no dInput.</exception>
    public Tensor? Backward(Tensor dOutput, bool computeInputGradient)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        RequireLayers();
        // Without dInput wanted, the walk stops at the lowest layer with parameters: below it (an input Dropout,
        // say) no gradient is needed by anything, so those layers' Backward is not run at all.
        int lowest = computeInputGradient ? 0 : LowestLayerWithParameters();
        if (lowest == _layers.Count)
        {
            return null; // no parameters anywhere and no dInput wanted: nothing to compute
        }

        // Walk the layers in reverse: each layer's dInput is the dOutput of the layer before it.
        Tensor? gradient = dOutput;
        for (int i = _layers.Count - 1; i >= lowest; i--)
        {
            Layer layer = _layers[i];
            bool needed = i > lowest || computeInputGradient; // the lowest layer's input is the data, or feeds no parameter
            layer.InputGradientNeeded = needed;
            gradient = layer.TrainingBackward(gradient!); // Backward, refused when a default Predict replaced the layer's cache
            layer.InputGradientNeeded = true; // as a layer called on its own expects
            if (gradient is null && needed)
            {
                throw new InvalidOperationException($"{layer}: Backward returned no dInput, but {(i > 0 ? "the layer below needs it" : "the caller asked for it")}.");
            }
        }

        return gradient;
    }

    /// <summary>The index of the first layer that has parameters; the layer count when none has.</summary>
    private int LowestLayerWithParameters()
    {
        for (int i = 0; i < _layers.Count; i++)
        {
            if (_layers[i].Parameters.Count > 0)
            {
                return i;
            }
        }

        return _layers.Count;
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Layer layer in _layers)
        {
            layer.ZeroGrad();
        }
    }

    /// <summary>Runs the model on a batch and returns a new tensor with the outputs.</summary>
    /// <remarks>
    /// With the built-in layers it caches nothing, so it is safe from several threads and leaves
    /// training alone. A layer that keeps <see cref="Layer.Predict"/>'s default runs its Forward under
    /// a lock instead: one call at a time, and it replaces that layer's training cache, so a Predict
    /// between a training Forward and its Backward (or on another thread while training) makes that
    /// Backward throw rather than compute a wrong gradient.
    /// During <see cref="Trainer.Fit"/> on the same model, a Predict on another thread runs (with the built-in layers)
    /// but reads the weights while the optimizer updates them, so its outputs may mix two steps; predict with a
    /// copy taken between epochs instead (see <see cref="ModelFile"/>).
    /// </remarks>
    /// <param name="input">The input, [batchSize x inputSize].</param>
    /// <returns>A new tensor, [batchSize x outputSize].</returns>
    public Tensor Predict(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = new Tensor(input.Rows, GetOutputSize(input.Columns, nameof(input)), "prediction");
        Predict(input.AsSpan(), output.AsSpan(), input.Rows);
        return output;
    }

    /// <summary>Runs the model on one sample; thread safety as for <see cref="Predict(Tensor)"/>.</summary>
    /// <param name="sample">The sample's inputs: one row, such as the 784 pixels of one digit.</param>
    /// <returns>The model's outputs for that sample.</returns>
    public float[] PredictSample(ReadOnlySpan<float> sample)
    {
        var output = new float[GetOutputSize(sample.Length, nameof(sample))];
        Predict(sample, output, batchSize: 1);
        return output;
    }

    /// <summary>
    /// Runs the model on <paramref name="batchSize"/> samples into a buffer the caller provides.
    /// With the built-in layers it caches nothing, so one trained model can serve many threads at once,
    /// and it allocates nothing after a thread's first call; a layer that keeps the default
    /// <see cref="Layer.Predict"/> is the exception (see <see cref="Predict(Tensor)"/>). During
    /// <see cref="Trainer.Fit"/> on the same model it runs but sees weights mid-update (see <see cref="Predict(Tensor)"/>).
    /// </summary>
    /// <param name="inputs">The inputs, [batchSize x inputSize] row-major.</param>
    /// <param name="outputs">Receives the outputs, [batchSize x outputSize] row-major.</param>
    /// <param name="batchSize">The number of samples; at least 1.</param>
    /// <exception cref="ArgumentException">The lengths do not fit the model; the message names the sizes.</exception>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        RequireLayers();
        if (inputs.Length % batchSize != 0)
        {
            throw new ArgumentException($"Predict: {inputs.Length} input values do not split into {batchSize} samples.", nameof(inputs));
        }

        int inputSize = inputs.Length / batchSize, outputSize = inputSize, widest = 0;
        for (int i = 0; i < _layers.Count; i++)
        {
            outputSize = OutputSizeOf(i, outputSize, inputSize, nameof(inputs));
            widest = i < _layers.Count - 1 ? Math.Max(widest, outputSize) : widest;
        }

        if (outputs.Length != (long)batchSize * outputSize)
        {
            throw new ArgumentException($"Predict: outputs has {outputs.Length} values; {batchSize} samples x {outputSize} outputs need {(long)batchSize * outputSize}.", nameof(outputs));
        }

        // Chunks of rows keep the intermediate activations small and in cache; they alternate between
        // two scratch buffers of the calling thread. The buffers are taken out of their fields while in
        // use, so a layer that runs a Sequential of its own inside Predict gets other buffers, not these.
        const int ChunkRows = 256;
        int chunk = Math.Min(ChunkRows, batchSize);
        float[] evenBuffer = ScratchMemory.AtLeast(ref t_predictEven, chunk * widest), oddBuffer = ScratchMemory.AtLeast(ref t_predictOdd, chunk * widest);
        t_predictEven = t_predictOdd = null;
        try
        {
            for (int first = 0; first < batchSize; first += ChunkRows)
            {
                int rows = Math.Min(ChunkRows, batchSize - first);
                ReadOnlySpan<float> current = inputs.Slice(first * inputSize, rows * inputSize);
                int width = inputSize;
                for (int i = 0; i < _layers.Count; i++)
                {
                    width = _layers[i].GetOutputSize(width);
                    Span<float> next = i == _layers.Count - 1
                        ? outputs.Slice(first * outputSize, rows * outputSize)
                        : (i % 2 == 0 ? evenBuffer : oddBuffer).AsSpan(0, rows * width);
                    _layers[i].Predict(current, next, rows);
                    current = next;
                }
            }
        }
        finally
        {
            // Give them back (keeping the larger, when a nested call left its own there).
            t_predictEven = t_predictEven is null || t_predictEven.Length < evenBuffer.Length ? evenBuffer : t_predictEven;
            t_predictOdd = t_predictOdd is null || t_predictOdd.Length < oddBuffer.Length ? oddBuffer : t_predictOdd;
        }
    }

    [ThreadStatic]
    private static float[]? t_predictEven;

    [ThreadStatic]
    private static float[]? t_predictOdd;

    private int GetOutputSize(int inputSize, string paramName)
    {
        RequireLayers();
        int size = inputSize;
        for (int i = 0; i < _layers.Count; i++)
        {
            size = OutputSizeOf(i, size, inputSize, paramName);
        }

        return size;
    }

    /// <summary>Layer <paramref name="index"/>'s output width for <paramref name="width"/>, its refusal rethrown naming the caller's parameter.</summary>
    private int OutputSizeOf(int index, int width, int inputSize, string paramName)
    {
        try
        {
            return _layers[index].GetOutputSize(width);
        }
        catch (ArgumentException e) when (e.ParamName != paramName)
        {
            string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new ArgumentException($"Predict: samples of {inputSize} values do not fit the model: {reason}", paramName, e);
        }
    }

    /// <summary>Describes the model, such as <c>Sequential [Dense 'hidden' 784 -> 30, Sigmoid 'sigmoid', ...]</c>.</summary>
    public override string ToString() => $"Sequential [{string.Join(", ", _layers)}]";

    private void RequireLayers()
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException("The Sequential model has no layers; Add some first.");
        }
    }
}
