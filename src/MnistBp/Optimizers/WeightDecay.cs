// WeightDecay: the one conversion between the two ways books write L2 regularisation. Nielsen's
// chapter 3 adds λ/(2n) Σ w² to the cost (n = training samples), whose gradient is (λ/n) w; the
// optimizers take that coefficient directly (PyTorch's weight_decay). Nothing else lives here.
namespace MnistBp;

/// <summary>Converts Nielsen's L2 regularisation parameter into the <c>weightDecay</c> the optimizers take.</summary>
public static class WeightDecay
{
    /// <summary>
    /// The weight decay for Nielsen's regularised cost <c>C = C0 + λ/(2n) Σ w²</c>: its gradient adds <c>(λ/n) w</c>, so
    /// the coefficient is <c>λ / n</c>. With <see cref="Sgd"/> that gives his update <c>w → (1 - ηλ/n) w - η ∂C0/∂w</c>;
    /// chapter 3's λ = 5.0 on 50,000 images is <c>FromL2(5.0f, 50000)</c> = 1e-4. Applied to weights only, never to biases.
    /// </summary>
    /// <param name="lambda">Nielsen's λ; finite and not negative.</param>
    /// <param name="trainingCount">n, the number of training samples; at least 1.</param>
    /// <returns>λ / n.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lambda"/> is negative or not finite, or <paramref name="trainingCount"/> is below 1.</exception>
    public static float FromL2(float lambda, int trainingCount)
    {
        Optimizer.RequireNonNegative(lambda, nameof(lambda));
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingCount, 1);
        // λ' = λ / n   (the gradient of λ/(2n) Σ w² is (λ/n) w)
        return lambda / trainingCount;
    }
}
