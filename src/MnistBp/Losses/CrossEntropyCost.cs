// CrossEntropyCost: Nielsen's cross-entropy cost for sigmoid outputs a ("Neural Networks and Deep
// Learning", chapter 3), C = -(1/n) Σ_x Σ_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]: summed over the
// outputs of a sample and averaged over the n samples of the batch, the same convention as
// QuadraticCost. Its gradient dC/da = (a - y) / (a (1 - a)) / n cancels the sigmoid's a (1 - a), so
// after Sigmoid's backward dZ = (a - y) / n: Nielsen's δ = a - y, with no σ'(z) to slow learning.
// It does not fuse with the sigmoid: the loss clamps a into [ε, 1 - ε] so outputs of exactly 0 or 1 stay finite.
// SigmoidCrossEntropy is the same cost fused with the sigmoid, over logits, for outputs that saturate.
namespace MnistBp;

/// <summary>
/// Nielsen's cross-entropy for sigmoid outputs: <c>C = -(1/n) Σ_samples Σ_outputs [y ln a + (1 - y) ln(1 - a)]</c>,
/// n the batch size (summed over outputs, averaged over samples, like <see cref="QuadraticCost"/>).
/// </summary>
/// <remarks>
/// <para>
/// Use it after a <see cref="Sigmoid"/>: the gradient <c>(a - y) / (a (1 - a)) / n</c> becomes
/// <c>(a - y) / n</c> at the sigmoid's input, so a saturated wrong neuron still learns fast.
/// </para>
/// <para>
/// In the loss, a is first clamped into [<see cref="Epsilon"/>, 1 - <see cref="Epsilon"/>]: without it ln 0 is -∞ and
/// 0·ln 0 is NaN, and a float sigmoid gives exactly 1 for z above about 17 and exactly 0 below about -88.7. With the
/// clamp each output costs at most -ln ε ≈ 16.1. The gradient is not clamped: it is the exact (a - y) / (a (1 - a))
/// with only the denominator kept at least 1e-30, so after the sigmoid's backward dZ is exactly (a - y) / n for
/// every output short of exact saturation (clamping a there too would shrink dZ to about -a/ε for a below ε, the
/// learning slowdown back). An output of exactly 0 or 1 gets a finite dA, but the sigmoid's a (1 - a) = 0 passes
/// nothing back: a separate sigmoid and loss cannot do better. <see cref="SigmoidCrossEntropy"/> is this cost fused
/// with the sigmoid, over logits, and keeps dZ = a - y there too. A NaN output stays NaN.
/// </para>
/// </remarks>
public sealed class CrossEntropyCost : Loss
{
    /// <summary>
    /// The clamp ε = 1e-7 (Keras's default epsilon): far enough from 0 and 1 that 1 - ε is a float
    /// below 1 (0.99999988) and ln ε ≈ -16.1, close enough that it changes nothing for outputs a
    /// float sigmoid gives short of saturation.
    /// </summary>
    public const float Epsilon = 1e-7f;

    private const string PredictedAdvice =
        "CrossEntropyCost compares probabilities, such as a Sigmoid layer's outputs; for a model that ends in a Dense (logits), use SigmoidCrossEntropy or SoftmaxCrossEntropy.";

    private const string TargetAdvice = "Cross-entropy targets are probabilities: 0 or 1 per output (one-hot labels), or a value between.";

    private Tensor? _dPredicted; // the gradient buffer, reused while the batch size stays the same

    /// <inheritdoc/>
    /// <value>[0, 1]: the targets are probabilities.</value>
    public override (float Minimum, float Maximum)? TargetRange => (0f, 1f);

    /// <inheritdoc/>
    public override string Formula => "C = -Σ [y ln a + (1 - y) ln(1 - a)] / batchSize";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ, or a prediction or target is outside [0, 1]; the message names them.</exception>
    public override float Forward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        RequireProbabilities(predicted, "predicted", PredictedAdvice);
        RequireProbabilities(target, "target", TargetAdvice);
        int batchSize = predicted.Rows;
        // C = -(1/n) Σ_x Σ_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)],  a clamped into [ε, 1 - ε]
        double sum = Kernels.CrossEntropy(predicted.AsSpan(), target.AsSpan(), Epsilon);
        return batchSize == 0 ? 0f : (float)(sum / batchSize);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ, or a prediction or target is outside [0, 1]; the message names them.</exception>
    public override Tensor Backward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        RequireProbabilities(predicted, "predicted", PredictedAdvice);
        RequireProbabilities(target, "target", TargetAdvice);
        Tensor gradient = Reuse(ref _dPredicted, predicted);
        float scale = predicted.Rows == 0 ? 0f : 1f / predicted.Rows;
        // dA = (a - y) / (a (1 - a)) / n, a not clamped, a (1 - a) at least 1e-30   (Nielsen: δ = a - y once times σ'(z) = a (1 - a))
        Kernels.CrossEntropyBackward(predicted.AsSpan(), target.AsSpan(), gradient.AsSpan(), scale);
        return gradient;
    }
}
