// AdamW (Loshchilov & Hutter 2019): Adam with the weight decay taken out of the gradient and applied
// to the weights directly, w <- (1 - lr λ) w, before the Adam step (torch.optim.AdamW), so the decay
// is not rescaled by the second moment. Weights only, never biases. Same moments and bias correction
// as Adam (AdamState); no AMSGrad.
namespace MnistBp;

/// <summary>AdamW: Adam with decoupled weight decay <c>w *= 1 - lr λ</c> on weights (not biases).</summary>
public sealed class AdamW : Optimizer
{
    private readonly AdamState _state;

    /// <summary>Creates the optimizer with both moments zero and no step taken.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    /// <param name="learnRate">The step size; positive and finite.</param>
    /// <param name="beta1">β1, the decay of the first moment; in [0, 1).</param>
    /// <param name="beta2">β2, the decay of the second moment; in [0, 1).</param>
    /// <param name="epsilon">ε, added to the denominator; positive and finite.</param>
    /// <param name="weightDecay">Decoupled decay λ: every step multiplies weights (not biases) by 1 - lr λ; finite, not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range or not finite (the message names it and its value).</exception>
    public AdamW(IEnumerable<Parameter> parameters, float learnRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(parameters)
    {
        _state = new AdamState(Parameters, learnRate, beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>The step size; positive and finite. It may change between steps (a learning-rate schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is not positive and finite.</exception>
    public float LearnRate
    {
        get => _state.LearnRate;
        set
        {
            RequireLearnRate(value, nameof(LearnRate));
            _state.LearnRate = value;
        }
    }

    /// <summary>β1, the decay of the first moment.</summary>
    public float Beta1 => _state.Beta1;

    /// <summary>β2, the decay of the second moment.</summary>
    public float Beta2 => _state.Beta2;

    /// <summary>ε, added to the denominator after the bias correction.</summary>
    public float Epsilon => _state.Epsilon;

    /// <summary>The decoupled decay λ applied to weights (not biases).</summary>
    public float WeightDecay => _state.WeightDecay;

    /// <summary>The steps taken so far, t in the bias corrections 1 - β^t.</summary>
    public int StepCount => _state.StepCount;

    /// <summary>The current <see cref="LearnRate"/>.</summary>
    public override float? ReportedLearnRate => LearnRate;

    /// <summary>Sets <see cref="LearnRate"/>.</summary>
    /// <param name="learnRate">The new step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public override void SetLearnRate(float learnRate) => LearnRate = learnRate;

    /// <summary>Like <c>AdamW learnRate=0.001 beta1=0.9 beta2=0.999 epsilon=1E-08 weightDecay=0.01</c>.</summary>
    public override string ToString() => _state.Describe("AdamW");

    /// <inheritdoc/>
    public override void Step() => _state.Step(Parameters, decoupled: true);
}
