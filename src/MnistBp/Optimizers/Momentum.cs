// Momentum: SGD with a velocity per parameter (Polyak's heavy ball) and, optionally, Nesterov's
// look-ahead, in PyTorch's formulation (torch.optim.SGD, no dampening) so the oracle can match it:
// v <- μ v + g; w <- w - lr v (Nesterov: w <- w - lr (g + μ v)), where g = dW + λ w on weights.
// The velocities are this optimizer's state, allocated once. No dampening, no decoupled decay.
using System.Globalization;

namespace MnistBp;

/// <summary>Stochastic gradient descent with momentum (optionally Nesterov's), PyTorch's formulation.</summary>
public sealed class Momentum : Optimizer
{
    private readonly float[][] _velocities;

    /// <summary>Creates the optimizer with every velocity zero.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    /// <param name="learnRate">The step size; positive and finite.</param>
    /// <param name="momentum">μ, the share of the last velocity kept; in [0, 1) (0 is plain SGD).</param>
    /// <param name="nesterov">Whether to step along Nesterov's look-ahead <c>g + μ v</c>; needs a momentum above 0.</param>
    /// <param name="weightDecay">Coupled L2 coefficient λ, added to the gradient of weights (not biases) as λ w; 0 for none (see <see cref="MnistBp.WeightDecay.FromL2"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range or not finite (the message names it and its value).</exception>
    public Momentum(IEnumerable<Parameter> parameters, float learnRate, float momentum = 0.9f, bool nesterov = false, float weightDecay = 0f)
        : base(parameters)
    {
        RequireLearnRate(learnRate, nameof(learnRate));
        RequireRange(momentum, 0f, 1f, highIncluded: false, nameof(momentum));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum == 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Nesterov momentum needs a momentum above 0.");
        }

        LearnRate = learnRate;
        MomentumFactor = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _velocities = new float[Parameters.Count][];
        for (int i = 0; i < Parameters.Count; i++)
        {
            _velocities[i] = new float[Parameters[i].Value.Length];
        }
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

    /// <summary>μ, the share of the last velocity kept, in [0, 1).</summary>
    public float MomentumFactor { get; }

    /// <summary>Whether the step follows Nesterov's look-ahead <c>g + μ v</c>.</summary>
    public bool Nesterov { get; }

    /// <summary>The coupled L2 coefficient applied to weights (not biases); 0 for none.</summary>
    public float WeightDecay { get; }

    /// <summary>The velocity of parameter <paramref name="index"/> (in <see cref="Optimizer.Parameters"/> order), for inspection.</summary>
    /// <param name="index">The parameter's index.</param>
    /// <returns>The velocity, as long as the parameter.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a parameter's index.</exception>
    public ReadOnlySpan<float> Velocity(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Parameters.Count);
        return _velocities[index];
    }

    /// <summary>The current <see cref="LearnRate"/>.</summary>
    public override float? ReportedLearnRate => LearnRate;

    /// <summary>Sets <see cref="LearnRate"/>.</summary>
    /// <param name="learnRate">The new step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public override void SetLearnRate(float learnRate) => LearnRate = learnRate;

    /// <summary>Like <c>Momentum learnRate=0.1 momentum=0.9 nesterov=False weightDecay=0</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Momentum learnRate={LearnRate:G3} momentum={MomentumFactor:G3} nesterov={Nesterov} weightDecay={WeightDecay:G3}");

    /// <inheritdoc/>
    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameter parameter = Parameters[i];
            float decay = parameter.Role == ParameterRole.Weights ? WeightDecay : 0f;
            // g = dW + λ w;  v = μ v + g;  w -= lr * v   (Nesterov: w -= lr * (g + μ v))
            Kernels.MomentumStep(LearnRate, MomentumFactor, decay, Nesterov, parameter.Gradient.AsSpan(), _velocities[i], parameter.Value.AsSpan());
        }
    }
}
