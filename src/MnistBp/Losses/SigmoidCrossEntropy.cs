// SigmoidCrossEntropy: Nielsen's cross-entropy for sigmoid outputs ("Neural Networks and Deep Learning",
// chapter 3), fused with the sigmoid into one loss over logits z (the model ends in a Dense with no
// activation): C = -(1/n) Σ_x Σ_j [y_j ln σ(z_j) + (1 - y_j) ln(1 - σ(z_j))], summed over the outputs and
// averaged over the n samples of the batch, as CrossEntropyCost. Computed per output as
// max(z, 0) - z y + ln(1 + e^(-|z|)), so logits of ±1000 give finite numbers, and its gradient is simply
// dZ = (σ(z) - y) / n. That is the δ = a - y that Nielsen derives by letting σ'(z) cancel; here it never
// appears, so it cannot round to 0: a Sigmoid layer followed by CrossEntropyCost multiplies by
// σ'(z) = a (1 - a), which is exactly 0 in float once a rounds to 1 (z above about 16.6), and a neuron
// that is saturated and wrong then learns nothing.
namespace MnistBp;

/// <summary>
/// Sigmoid with cross-entropy over logits: <c>C = (1/n) Σ_samples Σ_outputs [max(z, 0) - z y + ln(1 + exp(-|z|))]</c>,
/// which is <c>-(1/n) Σ [y ln σ(z) + (1 - y) ln(1 - σ(z))]</c>; the gradient is <c>dZ = (σ(z) - y) / n</c>.
/// </summary>
/// <remarks>
/// <para>
/// The same cost as a <see cref="Sigmoid"/> layer followed by <see cref="CrossEntropyCost"/>, with the sigmoid moved
/// into the loss: the model's last layer gives the logits (a <see cref="Dense"/> with no activation after it). Each
/// output is its own yes/no, so the targets are each in [0, 1] and need not sum to 1 (for one class out of many,
/// <see cref="SoftmaxCrossEntropy"/> is the usual choice).
/// </para>
/// <para>
/// Why fuse: with the two apart, the gradient passes through σ'(z) = a (1 - a), and in float a sigmoid gives exactly 1
/// for z above about 16.6 (exactly 0 below about -88.7), so a saturated, wrong output gets dZ = 0. Here dZ = σ(z) - y
/// is computed from z and stays the full a - y. The predicted classes are the argmax of the logits, the same as of the
/// sigmoids; for the sigmoids themselves call <see cref="Probabilities"/>. A NaN logit gives a NaN loss and gradient; a logit
/// of ±∞ gives a NaN loss even on the right side (a model that has diverged; <see cref="Trainer"/> stops and names it).
/// </para>
/// </remarks>
public sealed class SigmoidCrossEntropy : Loss
{
    private const string TargetAdvice = "SigmoidCrossEntropy compares each logit with a probability: 0 or 1 per output, or a value between.";

    private Tensor? _dPredicted; // the gradient buffer, reused while the batch size stays the same

    /// <inheritdoc/>
    /// <value>True: the model's last layer gives logits, and the loss applies the squashing itself.</value>
    public override bool TakesLogits => true;

    /// <inheritdoc/>
    /// <value>[0, 1]: the targets are probabilities.</value>
    public override (float Minimum, float Maximum)? TargetRange => (0f, 1f);

    /// <inheritdoc/>
    public override string Formula => "C = Σ [max(z, 0) - z y + ln(1 + e^(-|z|))] / batchSize";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ, or a target is outside [0, 1]; the message names them.</exception>
    public override float Forward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        RequireProbabilities(target, "target", TargetAdvice);
        int batchSize = predicted.Rows;
        // C = (1/n) Σ_x Σ_j [max(z, 0) - z y + ln(1 + e^(-|z|))]   (= -(1/n) Σ [y ln σ(z) + (1 - y) ln(1 - σ(z))])
        double sum = Kernels.SigmoidCrossEntropy(predicted.AsSpan(), target.AsSpan());
        return batchSize == 0 ? 0f : (float)(sum / batchSize);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ, or a target is outside [0, 1]; the message names them.</exception>
    public override Tensor Backward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        RequireProbabilities(target, "target", TargetAdvice);
        Tensor gradient = Reuse(ref _dPredicted, predicted);
        float scale = predicted.Rows == 0 ? 0f : 1f / predicted.Rows;
        // dZ = (σ(z) - y) / n   (Nielsen: δ = a - y)
        Kernels.SigmoidCrossEntropyBackward(predicted.AsSpan(), target.AsSpan(), gradient.AsSpan(), scale);
        return gradient;
    }

    /// <summary>
    /// Turns logits into the sigmoid outputs the loss compares with the targets: <c>a = 1 / (1 + exp(-z))</c>, element
    /// by element (the <see cref="Sigmoid"/> layer's function). Safe to call from several threads; allocates nothing.
    /// </summary>
    /// <param name="logits">The logits.</param>
    /// <param name="probabilities">Receives the sigmoids, as long as <paramref name="logits"/>; may be the same memory.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Probabilities(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        if (probabilities.Length != logits.Length)
        {
            throw new ArgumentException($"SigmoidCrossEntropy.Probabilities: probabilities has {probabilities.Length} values but the {logits.Length} logits need as many.", nameof(probabilities));
        }

        // a = 1 / (1 + e^(-z))
        Kernels.Sigmoid(logits, probabilities);
    }
}
