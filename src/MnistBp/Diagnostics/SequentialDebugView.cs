// SequentialDebugView: what the debugger shows when a Sequential model is expanded: its layers in
// forward order as the items themselves ([0] Dense 'hidden' 784 -> 30, [1] Sigmoid ...), each
// expanding into its parameters, plus the number of trainable values. Back-propagation walks these
// items from the last to the first. It is never used by training.
using System.Diagnostics;

namespace MnistBp;

/// <summary>The debugger's expanded view of a <see cref="Sequential"/> model.</summary>
/// <param name="model">The model to show.</param>
internal sealed class SequentialDebugView(Sequential model)
{
    /// <summary>The sizes along the model, such as <c>784 -> 30 -> 10</c>.</summary>
    public string Sizes => DebuggerText.Sizes(model);

    /// <summary>The number of trainable values: every weight and bias.</summary>
    public long ParameterCount => DebuggerText.ParameterCount(model);

    /// <summary>The layers in forward order, shown as the view's own items.</summary>
    [DebuggerBrowsable(DebuggerBrowsableState.RootHidden)]
    public Layer[] Layers => [.. model.Layers];
}
