// MeanSquaredError: the tutorial's loss, L = (1/N) Σ (y_true - y_pred)², the mean over every
// element of the batch (tutorial section "Loss"), and its derivative dL/dy_pred = -2 (y_true - y_pred) / N.
// With one sample and one output, N = 1 and the derivative is exactly the post's d_L_d_ypred.
namespace MnistBp;

/// <summary>Mean squared error over all elements: <c>L = mean((target - predicted)²)</c>.</summary>
public sealed class MeanSquaredError : Loss
{
    private Tensor? _dPredicted; // the gradient buffer, reused while the batch size stays the same

    /// <inheritdoc/>
    public override string Formula => "L = mean((target - predicted)²)";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public override float Forward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);

        // L = (1/N) Σ (y_true - y_pred)²   (tutorial: mse_loss = ((y_true - y_pred) ** 2).mean())
        ReadOnlySpan<float> y = target.AsSpan(), yPred = predicted.AsSpan();
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double error = y[i] - yPred[i];
            sum += error * error;
        }

        return y.Length == 0 ? 0f : (float)(sum / y.Length);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public override Tensor Backward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        Tensor gradient = Reuse(ref _dPredicted, predicted);

        // dL/dy_pred = -2 (y_true - y_pred) / N   (tutorial: d_L_d_ypred = -2 * (y_true - y_pred))
        ReadOnlySpan<float> y = target.AsSpan(), yPred = predicted.AsSpan();
        Span<float> dPredicted = gradient.AsSpan();
        float scale = -2f / y.Length;
        for (int i = 0; i < y.Length; i++)
        {
            dPredicted[i] = scale * (y[i] - yPred[i]);
        }

        return gradient;
    }
}
