// Loss: the contract for a cost function. Forward compares predictions with targets and returns one
// number; Backward returns dLoss/dPredicted, the gradient that starts back-propagation.
namespace MnistBp;

/// <summary>A cost function with its derivative.</summary>
[System.Diagnostics.DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
public abstract class Loss
{
    /// <summary>Computes the loss and caches what <see cref="Backward"/> needs.</summary>
    /// <param name="predicted">The model's output, [batchSize x outputSize].</param>
    /// <param name="target">The wanted output, the same shape.</param>
    /// <returns>The loss, a single number.</returns>
    public abstract float Forward(Tensor predicted, Tensor target);

    /// <summary>dLoss/dPredicted for the last <see cref="Forward"/> call.</summary>
    /// <returns>A tensor shaped like the predictions; a buffer owned by the loss.</returns>
    public abstract Tensor Backward();
}
