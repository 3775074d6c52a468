// Sgd: plain stochastic gradient descent, w <- w - learnRate * dL/dw for every parameter
// (tutorial: self.w1 -= learn_rate * d_L_d_w1), with optional L2 regularisation (coupled weight
// decay, Nielsen chapter 3: w <- (1 - learnRate * λ/n) w - learnRate * dC0/dw) on weights only.
// No momentum (that is Momentum), no decoupled decay (that is AdamW).
using System.Globalization;

namespace MnistBp;

/// <summary>Stochastic gradient descent: <c>value -= learnRate * (gradient + weightDecay * value)</c>, the decay on weights only.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learnRate">The step size; positive and finite.</param>
    /// <param name="weightDecay">
    /// The L2 coefficient λ' added to the gradient of every <see cref="ParameterRole.Weights"/> parameter as λ' w (biases are
    /// never decayed); 0 (the default) for none. For Nielsen's C = C0 + λ/(2n) Σ w², pass <see cref="MnistBp.WeightDecay.FromL2"/>(λ, n).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learnRate"/> is not positive and finite, or <paramref name="weightDecay"/> is negative or not finite.</exception>
    public Sgd(IEnumerable<Parameter> parameters, float learnRate, float weightDecay = 0f)
        : base(parameters)
    {
        RequireLearnRate(learnRate, nameof(learnRate));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        LearnRate = learnRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The step size; positive and finite. It may change between steps (a learning-rate schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is not positive and finite.</exception>
    public float LearnRate
    {
        get;
        set
        {
            RequireLearnRate(value, nameof(LearnRate));
            field = value;
        }
    }

    /// <summary>The coupled L2 coefficient applied to weights (not biases); 0 for none.</summary>
    public float WeightDecay { get; }

    /// <summary>The current <see cref="LearnRate"/>.</summary>
    public override float? ReportedLearnRate => LearnRate;

    /// <summary>Sets <see cref="LearnRate"/>.</summary>
    /// <param name="learnRate">The new step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public override void SetLearnRate(float learnRate) => LearnRate = learnRate;

    /// <summary>Like <c>Sgd learnRate=3</c>, followed by <c> weightDecay=0.0001</c> when there is decay.</summary>
    public override string ToString() => WeightDecay == 0f
        ? string.Create(CultureInfo.InvariantCulture, $"Sgd learnRate={LearnRate:G3}")
        : string.Create(CultureInfo.InvariantCulture, $"Sgd learnRate={LearnRate:G3} weightDecay={WeightDecay:G3}");

    /// <inheritdoc/>
    public override void Step()
    {
        // An indexed loop: enumerating an IReadOnlyList allocates, and this runs every step.
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameter parameter = Parameters[i];
            if (WeightDecay != 0f && parameter.Role == ParameterRole.Weights)
            {
                // w -= learnRate * (dL/dw + λ w)   (Nielsen ch. 3: w -> (1 - ηλ/n) w - η ∂C0/∂w, with λ here = λ/n)
                Kernels.SgdDecayStep(LearnRate, WeightDecay, parameter.Gradient.AsSpan(), parameter.Value.AsSpan());
            }
            else
            {
                // w -= learnRate * dL/dw   (tutorial: self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1)
                Kernels.Axpy(-LearnRate, parameter.Gradient.AsSpan(), parameter.Value.AsSpan());
            }
        }
    }
}
