// SoftmaxCrossEntropy: softmax and cross-entropy fused into one loss over logits z (the model ends in a
// Dense with no activation): C = (1/n) Σ_x [log Σ_k e^(z_k) - Σ_j y_j z_j], which is -(1/n) Σ_x Σ_j
// y_j ln p_j for p = softmax(z) and targets that sum to 1 (Nielsen, chapter 3, "Softmax" and the
// log-likelihood cost). log Σ e^z is computed as log-sum-exp with the row's max subtracted, and the
// gradient is simply dZ = (p - y) / n, so logits of ±1000 give finite numbers. It never forms ln p,
// which is why it is stable where a Softmax layer followed by a log of its output is not.
namespace MnistBp;

/// <summary>
/// Softmax with cross-entropy over logits: <c>C = (1/n) Σ_samples [log Σ_k exp(z_k) - Σ_j y_j z_j]</c>,
/// n the batch size; the gradient is <c>dZ = (softmax(z) - y) / n</c>.
/// </summary>
/// <remarks>
/// <para>
/// The model's last layer gives the logits (a <see cref="Dense"/> with no activation after it); the
/// targets are one-hot, or any distribution summing to 1 (then the loss is the cross-entropy
/// -Σ y ln p; for targets not summing to 1 it is still the formula above, and the gradient is still p - y).
/// The predicted classes are the argmax of the logits, the same as of the probabilities; for the
/// probabilities themselves call <see cref="Probabilities"/>.
/// </para>
/// </remarks>
public sealed class SoftmaxCrossEntropy : Loss
{
    private const string TargetAdvice = "SoftmaxCrossEntropy targets are probabilities: one-hot labels, or a distribution over the classes.";

    private Tensor? _dPredicted; // the gradient buffer, reused while the batch size stays the same

    /// <inheritdoc/>
    /// <value>True: the model's last layer gives logits, and the loss applies the squashing itself.</value>
    public override bool TakesLogits => true;

    /// <inheritdoc/>
    /// <value>[0, 1]: the targets are probabilities.</value>
    public override (float Minimum, float Maximum)? TargetRange => (0f, 1f);

    /// <inheritdoc/>
    public override string Formula => "C = Σ [log Σ_k e^(z_k) - Σ_j y_j z_j] / batchSize";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ, or a target is outside [0, 1]; the message names them.</exception>
    public override float Forward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        RequireProbabilities(target, "target", TargetAdvice);
        int batchSize = predicted.Rows;
        // C = (1/n) Σ_x [log Σ_k e^(z_k - max z) + max z - Σ_j y_j z_j]   (log-sum-exp)
        double sum = Kernels.SoftmaxCrossEntropy(predicted.AsSpan(), target.AsSpan(), batchSize, predicted.Columns);
        return batchSize == 0 ? 0f : (float)(sum / batchSize);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ, or a target is outside [0, 1]; the message names them.</exception>
    public override Tensor Backward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        RequireProbabilities(target, "target", TargetAdvice);
        Tensor gradient = Reuse(ref _dPredicted, predicted);
        int batchSize = predicted.Rows;
        float scale = batchSize == 0 ? 0f : 1f / batchSize;
        // dZ = (p - y) / n,  p = softmax(z)
        Kernels.SoftmaxCrossEntropyBackward(predicted.AsSpan(), target.AsSpan(), gradient.AsSpan(), batchSize, predicted.Columns, scale);
        return gradient;
    }

    /// <summary>
    /// Turns logits into probabilities, row by row: <c>p_j = exp(z_j - max z) / Σ_k exp(z_k - max z)</c>,
    /// the same softmax the loss uses (and the <see cref="Softmax"/> layer). Safe to call from several threads; allocates nothing.
    /// </summary>
    /// <param name="logits">The logits, [batchSize x classCount] row-major.</param>
    /// <param name="probabilities">Receives the probabilities, as long as <paramref name="logits"/>; may be the same memory.</param>
    /// <param name="batchSize">The number of rows; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The logits do not split into <paramref name="batchSize"/> rows, or the lengths differ.</exception>
    public static void Probabilities(ReadOnlySpan<float> logits, Span<float> probabilities, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (logits.Length % batchSize != 0)
        {
            throw new ArgumentException($"SoftmaxCrossEntropy.Probabilities: {logits.Length} logits do not split into {batchSize} rows.", nameof(logits));
        }

        if (probabilities.Length != logits.Length)
        {
            throw new ArgumentException($"SoftmaxCrossEntropy.Probabilities: probabilities has {probabilities.Length} values but the {logits.Length} logits need as many.", nameof(probabilities));
        }

        // p_j = e^(z_j - max z) / Σ_k e^(z_k - max z)
        Kernels.Softmax(logits, probabilities, batchSize, logits.Length / batchSize);
    }
}
