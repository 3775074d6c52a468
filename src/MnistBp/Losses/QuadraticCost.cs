// QuadraticCost: Nielsen's "quadratic cost" C = 1/(2n) Σ_x ||y(x) - a(x)||², half the squared
// error summed over the outputs of a sample and averaged over the n samples of the batch. Its
// gradient is simply dC/da = (a - y) / n. It is the same curve as MeanSquaredError up to a constant
// factor (outputSize / 2), so the learn rates of "Neural Networks and Deep Learning" (3.0) carry over.
namespace MnistBp;

/// <summary>Nielsen's quadratic cost: <c>C = 1/(2n) Σ_samples Σ_outputs (predicted - target)²</c>.</summary>
public sealed class QuadraticCost : Loss
{
    private Tensor? _dPredicted; // the gradient buffer, reused while the batch size stays the same

    /// <inheritdoc/>
    public override string Formula => "C = Σ (predicted - target)² / (2 batchSize)";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public override float Forward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);

        // C = 1/(2n) Σ ||y - a||²
        ReadOnlySpan<float> y = target.AsSpan(), a = predicted.AsSpan();
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double error = a[i] - y[i];
            sum += error * error;
        }

        int batchSize = predicted.Rows;
        return batchSize == 0 ? 0f : (float)(sum / (2.0 * batchSize));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public override Tensor Backward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        Tensor gradient = Reuse(ref _dPredicted, predicted);

        // dC/da = (a - y) / n   (Nielsen: cost_derivative = output_activations - y, averaged over the mini-batch)
        ReadOnlySpan<float> y = target.AsSpan(), a = predicted.AsSpan();
        Span<float> dPredicted = gradient.AsSpan();
        float scale = 1f / predicted.Rows;
        for (int i = 0; i < y.Length; i++)
        {
            dPredicted[i] = scale * (a[i] - y[i]);
        }

        return gradient;
    }
}
