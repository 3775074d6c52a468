// Parameter: one trainable tensor paired with its gradient (the tutorial's w1 and d_L_d_w1, as
// matrices). Layers add into Gradient during Backward; optimizers are the only code that changes
// Value. It holds no optimizer state (momentum, Adam moments live in the optimizer).
// ZeroGrad does not sweep the gradient with zeros at once: it marks it as zero, and the next
// Backward writes its sum instead of adding it (one pass over dW per step instead of two).
// Reading Gradient while it is marked clears it first, so the marking is never visible.
using System.Diagnostics;

namespace MnistBp;

/// <summary>A trainable tensor and the gradient of the loss with respect to it.</summary>
[DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
[DebuggerTypeProxy(typeof(ParameterDebugView))]
public sealed class Parameter
{
    /// <summary>Creates a parameter around <paramref name="value"/> with a zero gradient of the same shape.</summary>
    /// <param name="value">The trainable values.</param>
    public Parameter(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        _gradient = value.Rank == 1
            ? new Tensor(value.Columns, "d" + value.Name)
            : new Tensor(value.Rows, value.Columns, "d" + value.Name);
    }

    /// <summary>The name of the value, such as "W1".</summary>
    public string Name => Value.Name;

    /// <summary>The trainable values.</summary>
    public Tensor Value { get; }

    private readonly Tensor _gradient;
    private bool _gradientIsZero;

    /// <summary>dLoss/dValue, accumulated by Backward until <see cref="ZeroGrad"/> clears it.</summary>
    public Tensor Gradient
    {
        get
        {
            if (_gradientIsZero)
            {
                _gradient.Clear();
                _gradientIsZero = false;
            }

            return _gradient;
        }
    }

    /// <summary>Sets the gradient to zero before the next backward pass.</summary>
    public void ZeroGrad() => _gradientIsZero = true;

    /// <summary>
    /// For layers: the gradient to add into, and whether to add (false right after <see cref="ZeroGrad"/>,
    /// when the kernel should overwrite the stale values instead of first clearing them).
    /// </summary>
    internal Tensor GradientToAccumulate(out bool accumulate)
    {
        accumulate = !_gradientIsZero;
        _gradientIsZero = false;
        return _gradient;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Value} | {Gradient}";
}
