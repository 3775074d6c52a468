// Sequential: a network as a list of layers. Forward runs them first to last; Backward runs them
// last to first, handing each layer's dInput to the layer below as its dOutput (the chain rule of
// the tutorial's "Backpropagation" section, applied one layer at a time). It owns no training
// loop and no optimizer: a training step is forward, loss, ZeroGrad, Backward, optimizer Step.
using System.Diagnostics;

namespace MnistBp;

/// <summary>A stack of layers applied one after the other.</summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class Sequential
{
    private readonly List<Layer> _layers = [];

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

    /// <summary>Every trainable parameter, layer by layer in forward order.</summary>
    public IReadOnlyList<Parameter> Parameters => [.. _layers.SelectMany(layer => layer.Parameters)];

    /// <summary>Appends a layer on the output side.</summary>
    /// <param name="layer">The layer to append.</param>
    /// <returns>This model, so calls can be chained.</returns>
    public Sequential Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Runs the layers first to last on a mini-batch, each caching what its Backward needs.</summary>
    /// <param name="input">The input, [batchSize x inputSize].</param>
    /// <returns>The last layer's output, [batchSize x outputSize]; a buffer owned by that layer.</returns>
    /// <exception cref="InvalidOperationException">The model has no layers.</exception>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireLayers();
        Tensor activation = input;
        foreach (Layer layer in _layers)
        {
            activation = layer.Forward(activation);
        }

        return activation;
    }

    /// <summary>
    /// Back-propagates dLoss/dOutput through the layers in reverse order, adding into every
    /// parameter gradient. Call <see cref="ZeroGrad"/> first unless you mean to accumulate.
    /// </summary>
    /// <param name="dOutput">dLoss/dOutput of the last layer, usually <see cref="Loss.Backward"/>.</param>
    /// <returns>dLoss/dInput of the first layer.</returns>
    public Tensor Backward(Tensor dOutput)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        RequireLayers();
        // Walk the layers in reverse: each layer's dInput is the dOutput of the layer before it.
        Tensor gradient = dOutput;
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }

        return gradient;
    }

    /// <summary>
    /// Back-propagates like <see cref="Backward"/> but does not compute dLoss/dInput of the first layer:
    /// training needs the parameter gradients only, and the input is data, not a parameter.
    /// </summary>
    /// <param name="dOutput">dLoss/dOutput of the last layer, usually <see cref="Loss.Backward"/>.</param>
    public void BackwardParametersOnly(Tensor dOutput)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        RequireLayers();
        // Walk the layers in reverse, as in Backward; the first layer skips its input gradient.
        Tensor gradient = dOutput;
        for (int i = _layers.Count - 1; i > 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }

        _layers[0].BackwardParametersOnly(gradient);
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Layer layer in _layers)
        {
            layer.ZeroGrad();
        }
    }

    /// <summary>Runs the model on a mini-batch and returns a copy of the output that the caller owns.</summary>
    /// <param name="input">The input, [batchSize x inputSize].</param>
    /// <returns>A new tensor, [batchSize x outputSize].</returns>
    public Tensor Predict(Tensor input)
    {
        Tensor output = Forward(input);
        var copy = new Tensor(output.Rows, output.Columns, "prediction");
        copy.CopyFrom(output);
        return copy;
    }

    /// <summary>Runs the model on one sample.</summary>
    /// <param name="sample">The sample's inputs.</param>
    /// <returns>The model's outputs for that sample.</returns>
    public float[] Predict(ReadOnlySpan<float> sample) => Predict(Tensor.FromValues(1, sample.Length, sample, "sample")).ToArray();

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
