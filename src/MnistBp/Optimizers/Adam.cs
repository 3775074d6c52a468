// Adam (Kingma & Ba 2015, Algorithm 1) in PyTorch's formulation (torch.optim.Adam): moments
// m <- β1 m + (1 - β1) g and v <- β2 v + (1 - β2) g², bias-corrected by 1 - β^t, and ε added after
// the square root of the corrected v: w <- w - lr/(1 - β1^t) * m / (sqrt(v)/sqrt(1 - β2^t) + ε).
// Its weightDecay is coupled L2 (g += λ w, on weights only), as torch's Adam; for decoupled decay
// use AdamW. No AMSGrad, no maximize, no capturable state.
using System.Globalization;

namespace MnistBp;

/// <summary>Adam, with bias correction and PyTorch's placement of ε; <c>weightDecay</c> is coupled L2 on weights.</summary>
public sealed class Adam : Optimizer
{
    private readonly AdamState _state;

    /// <summary>Creates the optimizer with both moments zero and no step taken.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    /// <param name="learnRate">The step size; positive and finite.</param>
    /// <param name="beta1">β1, the decay of the first moment; in [0, 1).</param>
    /// <param name="beta2">β2, the decay of the second moment; in [0, 1).</param>
    /// <param name="epsilon">ε, added to the denominator; positive and finite.</param>
    /// <param name="weightDecay">Coupled L2 coefficient λ, added to the gradient of weights (not biases) as λ w; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range or not finite (the message names it and its value).</exception>
    public Adam(IEnumerable<Parameter> parameters, float learnRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
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

    /// <summary>The coupled L2 coefficient λ applied to weights (not biases); 0 for none.</summary>
    public float WeightDecay => _state.WeightDecay;

    /// <summary>The steps taken so far, t in the bias corrections 1 - β^t.</summary>
    public int StepCount => _state.StepCount;

    /// <summary>The current <see cref="LearnRate"/>.</summary>
    public override float? ReportedLearnRate => LearnRate;

    /// <summary>Sets <see cref="LearnRate"/>.</summary>
    /// <param name="learnRate">The new step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public override void SetLearnRate(float learnRate) => LearnRate = learnRate;

    /// <summary>Like <c>Adam learnRate=0.001 beta1=0.9 beta2=0.999 epsilon=1E-08 weightDecay=0</c>.</summary>
    public override string ToString() => _state.Describe("Adam");

    /// <inheritdoc/>
    public override void Step() => _state.Step(Parameters, decoupled: false);
}

/// <summary>The moments and settings Adam and AdamW share, and their step.</summary>
internal sealed class AdamState
{
    private readonly float[][] _firstMoments;
    private readonly float[][] _secondMoments;

    public AdamState(IReadOnlyList<Parameter> parameters, float learnRate, float beta1, float beta2, float epsilon, float weightDecay)
    {
        Optimizer.RequireLearnRate(learnRate, nameof(learnRate));
        Optimizer.RequireRange(beta1, 0f, 1f, highIncluded: false, nameof(beta1));
        Optimizer.RequireRange(beta2, 0f, 1f, highIncluded: false, nameof(beta2));
        Optimizer.RequirePositive(epsilon, nameof(epsilon));

        Optimizer.RequireNonNegative(weightDecay, nameof(weightDecay));
        (LearnRate, Beta1, Beta2, Epsilon, WeightDecay) = (learnRate, beta1, beta2, epsilon, weightDecay);
        _firstMoments = new float[parameters.Count][];
        _secondMoments = new float[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            _firstMoments[i] = new float[parameters[i].Value.Length];
            _secondMoments[i] = new float[parameters[i].Value.Length];
        }
    }

    public float LearnRate { get; set; }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public float WeightDecay { get; }

    public int StepCount { get; private set; }

    public string Describe(string name) => string.Create(CultureInfo.InvariantCulture,
        $"{name} learnRate={LearnRate:G3} beta1={Beta1:G3} beta2={Beta2:G4} epsilon={Epsilon:G3} weightDecay={WeightDecay:G3}");

    /// <summary>One step: t += 1, then every parameter through <see cref="Kernels.AdamStep"/>.</summary>
    /// <param name="parameters">The optimizer's parameters.</param>
    /// <param name="decoupled">AdamW (w *= 1 - lr λ first) rather than Adam (g += λ w).</param>
    public void Step(IReadOnlyList<Parameter> parameters, bool decoupled)
    {
        StepCount++;
        // bias corrections 1 - β1^t and 1 - β2^t, in double as PyTorch computes them
        double correction1 = 1 - Math.Pow(Beta1, StepCount);
        double correction2 = 1 - Math.Pow(Beta2, StepCount);
        // stepSize = lr / (1 - β1^t)
        float stepSize = (float)(LearnRate / correction1);
        float root = (float)Math.Sqrt(correction2);
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter parameter = parameters[i];
            bool decayed = WeightDecay != 0f && parameter.Role == ParameterRole.Weights;
            // AdamW: w *= 1 - lr λ (decoupled); Adam: g += λ w (coupled)
            var settings = new Kernels.AdamStepSettings(
                Beta1, Beta2, stepSize, root, Epsilon,
                CoupledDecay: decayed && !decoupled ? WeightDecay : 0f,
                DecayScale: decayed && decoupled ? (float)(1 - ((double)LearnRate * WeightDecay)) : 1f);
            Kernels.AdamStep(settings, parameter.Gradient.AsSpan(), _firstMoments[i], _secondMoments[i], parameter.Value.AsSpan());
        }
    }
}
