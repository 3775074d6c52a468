// SoftmaxCrossEntropy: softmax and cross-entropy as one loss on the raw outputs z of the last Dense
// layer, written in a user's own project against MnistBp's public Loss contract. Fused, the
// gradient is simply p - y; through log-sum-exp, logits of ±1000 give no NaN or Inf.
using MnistBp;

namespace MnistBp.Extending;

/// <summary>Cross-entropy of softmax(predicted) against one-hot targets, averaged over the batch.</summary>
public sealed class SoftmaxCrossEntropy : Loss
{
    private Tensor? _dLogits;

    /// <inheritdoc/>
    public override string Formula => "L = -(1/n) Σ y · log softmax(z)";

    /// <inheritdoc/>
    /// <value>True: it takes the last Dense's raw outputs, so Fit warns when a squashing layer comes before it.</value>
    public override bool TakesLogits => true;

    /// <inheritdoc/>
    /// <value>[0, 1]: one-hot targets, so Fit refuses other targets before the first step.</value>
    public override (float Minimum, float Maximum)? TargetRange => (0f, 1f);

    /// <inheritdoc/>
    public override float Forward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        double sum = 0;
        for (int r = 0; r < predicted.Rows; r++)
        {
            ReadOnlySpan<float> z = predicted.Row(r), y = target.Row(r);
            float logSum = LogSumExp(z);
            for (int c = 0; c < z.Length; c++)
            {
                // L = -(1/n) Σ y_c · log p_c, where log p_c = z_c - log Σ_k e^(z_k)
                sum -= y[c] * (z[c] - logSum);
            }
        }

        return (float)(sum / predicted.Rows);
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        Tensor gradient = Reuse(ref _dLogits, predicted);
        for (int r = 0; r < predicted.Rows; r++)
        {
            ReadOnlySpan<float> z = predicted.Row(r), y = target.Row(r);
            Span<float> dz = gradient.Row(r);
            float logSum = LogSumExp(z);
            for (int c = 0; c < z.Length; c++)
            {
                // dL/dz_c = (p_c - y_c) / n, where p_c = e^(z_c - log Σ_k e^(z_k))
                dz[c] = (MathF.Exp(z[c] - logSum) - y[c]) / predicted.Rows;
            }
        }

        return gradient;
    }

    private static float LogSumExp(ReadOnlySpan<float> z)
    {
        // log Σ e^(z_k) = m + log Σ e^(z_k - m) with m = max z, so e^1000 is never formed
        float m = float.NegativeInfinity;
        foreach (float value in z)
        {
            m = Math.Max(m, value);
        }

        double sum = 0;
        foreach (float value in z)
        {
            sum += Math.Exp(value - m);
        }

        return m + (float)Math.Log(sum);
    }
}
