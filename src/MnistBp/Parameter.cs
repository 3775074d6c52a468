// Parameter: one trainable tensor paired with its gradient (the tutorial's w1 and d_L_d_w1, as
// matrices). Layers add into Gradient during Backward; optimizers are the only code that changes
// Value. It holds no optimizer state (momentum, Adam moments live in the optimizer).
using System.Diagnostics;

namespace MnistBp;

/// <summary>A trainable tensor and the gradient of the loss with respect to it.</summary>
[DebuggerDisplay("{Value.Describe(),nq} (grad {Gradient.Describe(),nq})")]
public sealed class Parameter
{
    /// <summary>Creates a parameter around <paramref name="value"/> with a zero gradient of the same shape.</summary>
    /// <param name="value">The trainable values.</param>
    public Parameter(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Gradient = value.Rank == 1
            ? new Tensor(value.Columns, "d" + value.Name)
            : new Tensor(value.Rows, value.Columns, "d" + value.Name);
    }

    /// <summary>The name of the value, such as "W1".</summary>
    public string Name => Value.Name;

    /// <summary>The trainable values.</summary>
    public Tensor Value { get; }

    /// <summary>dLoss/dValue, accumulated by Backward until <see cref="ZeroGrad"/> clears it.</summary>
    public Tensor Gradient { get; }

    /// <summary>Sets the gradient to zero before the next backward pass.</summary>
    public void ZeroGrad() => Gradient.Clear();

    /// <inheritdoc/>
    public override string ToString() => $"{Value} | {Gradient}";
}
