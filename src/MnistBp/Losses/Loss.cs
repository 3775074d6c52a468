// Loss: the contract for a cost function, built-in or written by a user. Forward compares
// predictions with targets and returns one number; Backward returns dLoss/dPredicted for the same
// two tensors, the gradient that starts back-propagation. Both take the tensors explicitly: a loss
// remembers nothing between calls, so the gradient can never belong to another batch's Forward.
namespace MnistBp;

/// <summary>A cost function with its derivative.</summary>
/// <remarks>
/// To write a loss, override <see cref="Forward"/> and <see cref="Backward"/>; <see cref="Formula"/>
/// is shown in the debugger. <see cref="Reuse"/> keeps the gradient buffer across batches.
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
public abstract class Loss
{
    /// <summary>Computes the loss of <paramref name="predicted"/> against <paramref name="target"/>.</summary>
    /// <param name="predicted">The model's output, [batchSize x outputSize].</param>
    /// <param name="target">The wanted output, the same shape.</param>
    /// <returns>The loss, a single number.</returns>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public abstract float Forward(Tensor predicted, Tensor target);

    /// <summary>dLoss/dPredicted of the loss of <paramref name="predicted"/> against <paramref name="target"/>.</summary>
    /// <param name="predicted">The model's output, [batchSize x outputSize].</param>
    /// <param name="target">The wanted output, the same shape.</param>
    /// <returns>A tensor shaped like <paramref name="predicted"/>; a buffer owned by the loss, overwritten by the next call.</returns>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public abstract Tensor Backward(Tensor predicted, Tensor target);

    /// <summary>The formula, for the debugger and messages, such as <c>L = mean((target - predicted)²)</c>; empty when not given.</summary>
    public virtual string Formula => string.Empty;

    /// <summary>
    /// The range every target must lie in, such as [0, 1] for the cross-entropies, whose targets are probabilities; null
    /// (the default) for any value. <see cref="Trainer.Fit"/> checks the training and evaluation targets against it before
    /// the first step, so a bad target stops the run before anything is trained, with the sample it is in;
    /// <see cref="Trainer.Step(Tensor, Tensor)"/> checks each batch's targets. A loss called directly checks nothing
    /// unless it does so itself (the cross-entropies do, with <see cref="RequireProbabilities"/>).
    /// </summary>
    public virtual (float Minimum, float Maximum)? TargetRange => null;

    /// <summary><see cref="TargetRange"/>, after checking that it holds a number (a minimum no larger than its maximum).</summary>
    /// <exception cref="InvalidOperationException">The range is upside down; the message names the loss.</exception>
    internal (float Minimum, float Maximum)? CheckedTargetRange()
    {
        if (TargetRange is { } range && !(range.Minimum <= range.Maximum))
        {
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{this}.TargetRange is [{range.Minimum}, {range.Maximum}], which holds no number: give a minimum no larger than the maximum, or null for any target."));
        }

        return TargetRange;
    }

    /// <summary>
    /// Whether the loss takes logits, any real numbers, and applies its own squashing (a softmax or a sigmoid) inside, as
    /// <see cref="SoftmaxCrossEntropy"/> and <see cref="SigmoidCrossEntropy"/> do; false (the default) for a loss that
    /// compares outputs as they are. <see cref="Trainer.Fit"/> warns when such a loss follows a layer with an
    /// <see cref="Layer.OutputRange"/>.
    /// </summary>
    public virtual bool TakesLogits => false;

    /// <summary>The loss's name: its type's name.</summary>
    public override string ToString() => GetType().Name;

    /// <summary>Throws unless both tensors are given and have the same shape.</summary>
    /// <param name="predicted">The model's output.</param>
    /// <param name="target">The wanted output.</param>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">The shapes differ; the message names the loss and both shapes.</exception>
    protected void RequireSameShape(Tensor predicted, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        if (!target.HasSameShape(predicted))
        {
            throw new ArgumentException($"{this}: target {target.Describe()} does not have the shape of predicted {predicted.Describe()}.", nameof(target));
        }
    }

    /// <summary>
    /// Throws unless every value of <paramref name="values"/> is in [0, 1] (a NaN passes: the loss returns NaN, and
    /// <see cref="Trainer"/> names it): for losses over probabilities, such as the cross-entropies' targets.
    /// </summary>
    /// <param name="values">The tensor to check, [batchSize x outputSize].</param>
    /// <param name="what">Its role in the message: "target" or "predicted".</param>
    /// <param name="advice">One sentence for the message after the value: what the loss expects there.</param>
    /// <exception cref="ArgumentException">A value is below 0 or above 1; the message names the loss, the row, the column and the value.</exception>
    protected void RequireProbabilities(Tensor values, string what, string advice)
    {
        ArgumentNullException.ThrowIfNull(values);
        int index = Kernels.FirstOutside(values.AsSpan(), 0f, 1f);
        if (index >= 0)
        {
            int columns = Math.Max(1, values.Columns);
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{this}: {what}[{index / columns}, {index % columns}] is {values.AsSpan()[index]}, outside [0, 1]. {advice}"), what);
        }
    }

    /// <summary>
    /// Returns <paramref name="buffer"/> when it has the shape of <paramref name="like"/>, else a new
    /// tensor of that shape stored into it: the gradient is allocated once per batch size, not per step.
    /// </summary>
    /// <param name="buffer">The cached buffer, or null.</param>
    /// <param name="like">The tensor whose shape is wanted.</param>
    /// <returns>The buffer; its old values are left in place.</returns>
    protected static Tensor Reuse(ref Tensor? buffer, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        if (buffer is null || !buffer.HasSameShape(like))
        {
            buffer = like.Rank == 1 ? new Tensor(like.Columns, "dPredicted") : new Tensor(like.Rows, like.Columns, "dPredicted");
        }

        return buffer;
    }
}
