// DenseDebugView: what the debugger shows when a Dense layer is expanded: its sizes and its two
// parameters, each of which expands into value and gradient side by side (ParameterDebugView).
// The input and output Forward caches are private fields of Dense; the debugger's "Raw View" shows
// them (_input, _output). It is never used by training.
namespace MnistBp;

/// <summary>The debugger's expanded view of a <see cref="Dense"/> layer.</summary>
/// <param name="layer">The layer to show.</param>
internal sealed class DenseDebugView(Dense layer)
{
    /// <summary>The layer's name, such as "hidden".</summary>
    public string Name => layer.Name;

    /// <summary>Inputs per sample: the rows of W.</summary>
    public int InputSize => layer.InputSize;

    /// <summary>Neurons: the columns of W.</summary>
    public int OutputSize => layer.OutputSize;

    /// <summary>W and dW, [inputSize x outputSize].</summary>
    public Parameter Weights => layer.Weights;

    /// <summary>b and db, [outputSize].</summary>
    public Parameter Biases => layer.Biases;
}
