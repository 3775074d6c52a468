// LayerDebugView: what the debugger shows when any layer is expanded, built-in or a user's own:
// its name, kind and formula, the shapes of the last batch that went through it, and its
// parameters, each of which expands into value and gradient side by side (ParameterDebugView).
// It reads only the public Layer contract, so a layer written outside the library shows the same.
// The Forward caches are private fields of each layer; the debugger's "Raw View" shows them.
namespace MnistBp;

/// <summary>The debugger's expanded view of a <see cref="Layer"/>.</summary>
/// <param name="layer">The layer to show.</param>
internal sealed class LayerDebugView(Layer layer)
{
    /// <summary>The layer's name, such as "hidden".</summary>
    public string Name => layer.Name;

    /// <summary>The kind written to model files, such as "Dense".</summary>
    public string Kind => layer.Kind;

    /// <summary>What the layer computes, such as <c>Z = A·W + b</c>.</summary>
    public string Formula => layer.Formula;

    /// <summary>The last batch through <see cref="Sequential.Forward"/>: <c>[32 x 784] -> [32 x 30]</c>, or "no Forward yet".</summary>
    public string LastBatch => DebuggerText.LastBatch(layer);

    /// <summary>The parameters (W and dW, b and db for a Dense layer); empty for element-wise layers.</summary>
    public Parameter[] Parameters => [.. layer.Parameters];
}
