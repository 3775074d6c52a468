// Parameter: one trainable tensor paired with its gradient (the tutorial's w1 and d_L_d_w1, as
// matrices). Layers add into Gradient during Backward; optimizers are the only code that changes
// Value. It holds no optimizer state (momentum, Adam moments live in the optimizer).
// ZeroGrad does not sweep the gradient with zeros at once: it marks it as zero, and the next
// Backward writes its sum instead of adding it (one pass over dW per step instead of two). That
// protocol is public: a layer asks GradientToAccumulate(out accumulate) and overwrites when
// accumulate is false. A layer that simply adds into Gradient is right too: reading Gradient while
// it is marked clears it first, so the marking is never visible in the numbers.
// Its Role says whether it is a weight (decayed by L2 / weight decay, bounded by max-norm) or a bias
// (left alone by both, as Nielsen's chapter 3 regularises only weights); given no role, a matrix is
// a weight and a vector a bias.
using System.Diagnostics;

namespace MnistBp;

/// <summary>A trainable tensor and the gradient of the loss with respect to it.</summary>
[DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
[DebuggerTypeProxy(typeof(ParameterDebugView))]
public sealed class Parameter
{
    /// <summary>
    /// Creates a parameter around <paramref name="value"/> with a zero gradient of the same shape, its role read from
    /// its rank: a matrix is <see cref="ParameterRole.Weights"/>, a vector <see cref="ParameterRole.Biases"/> (the
    /// common rule that one-dimensional parameters, biases and per-unit scales, are not decayed). Pass the role to
    /// decide otherwise.
    /// </summary>
    /// <param name="value">The trainable values.</param>
    public Parameter(Tensor value)
        : this(value, value is { Rank: 1 } ? ParameterRole.Biases : ParameterRole.Weights)
    {
    }

    /// <summary>Creates a parameter around <paramref name="value"/> with a zero gradient of the same shape.</summary>
    /// <param name="value">The trainable values.</param>
    /// <param name="role">Weights (weight decay and max-norm apply) or biases (neither applies).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="role"/> is not a defined <see cref="ParameterRole"/>.</exception>
    public Parameter(Tensor value, ParameterRole role)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (role is not (ParameterRole.Weights or ParameterRole.Biases))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "The role must be ParameterRole.Weights or ParameterRole.Biases.");
        }

        Value = value;
        Role = role;
        _gradient = value.Rank == 1
            ? new Tensor(value.Columns, "d" + value.Name)
            : new Tensor(value.Rows, value.Columns, "d" + value.Name);
    }

    /// <summary>The name of the value, such as "W1".</summary>
    public string Name => Value.Name;

    /// <summary>The trainable values.</summary>
    public Tensor Value { get; }

    /// <summary>
    /// Whether these are weights or biases. Weight decay (L2) and max-norm constraints apply to
    /// <see cref="ParameterRole.Weights"/> only; a rank-2 weight is read as [inputSize x outputSize], one
    /// column per unit's incoming weights.
    /// </summary>
    public ParameterRole Role { get; }

    private readonly Tensor _gradient;
    private bool _gradientIsZero;

    /// <summary>dLoss/dValue, accumulated by Backward until <see cref="ZeroGrad"/> clears it.</summary>
    /// <remarks>
    /// Right after <see cref="ZeroGrad"/> the clear is still pending; reading this property performs
    /// it (one pass of zeros), so what is read is always the true gradient. Layers that want to skip
    /// that pass use <see cref="GradientToAccumulate"/>; the debugger and <see cref="ToString"/> use
    /// <see cref="IsGradientZero"/> and never trigger it.
    /// </remarks>
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

    /// <summary>True from <see cref="ZeroGrad"/> until the next write: the gradient is zero, whatever its buffer still holds.</summary>
    public bool IsGradientZero => _gradientIsZero;

    /// <summary>Sets the gradient to zero before the next backward pass (lazily: see <see cref="GradientToAccumulate"/>).</summary>
    public void ZeroGrad() => _gradientIsZero = true;

    /// <summary>
    /// For a layer's Backward: the gradient buffer to add this batch's gradient into, and whether to
    /// add. <paramref name="accumulate"/> is false right after <see cref="ZeroGrad"/>: the buffer then
    /// holds stale values and the layer must overwrite it instead of adding (which saves a pass of zeros).
    /// </summary>
    /// <param name="accumulate">True: add into the buffer. False: overwrite every element.</param>
    /// <returns>The gradient buffer, shaped like <see cref="Value"/>.</returns>
    public Tensor GradientToAccumulate(out bool accumulate)
    {
        accumulate = !_gradientIsZero;
        _gradientIsZero = false;
        return _gradient;
    }

    /// <inheritdoc/>
    public override string ToString() => _gradientIsZero ? $"{Value} | {_gradient.Describe()} (zero)" : $"{Value} | {_gradient}";
}

/// <summary>What a <see cref="Parameter"/> is to the regularisers: weights are decayed and max-norm'd, biases are not.</summary>
public enum ParameterRole
{
    /// <summary>Connection weights: L2 / weight decay and max-norm apply (the default for a matrix).</summary>
    Weights,

    /// <summary>Biases: neither weight decay nor max-norm touches them (Nielsen, chapter 3: "we don't usually include the bias terms"); the default for a vector.</summary>
    Biases,
}
