// RMSprop (Hinton, Neural Networks for Machine Learning, lecture 6e, 2012): divide each weight's step by
// a running root mean square of its own recent gradients, so that weights with large gradients take
// smaller steps and weights with small ones larger steps. In PyTorch's formulation (torch.optim.RMSprop,
// not centered, no momentum), which is also the classic Keras one, ε added after the square root:
// v <- ρ v + (1 - ρ) g²; w <- w - lr g / (sqrt(v) + ε), where g = dW + λ w on weights.
// Adam is this plus momentum on g, and bias corrections for the zero start of both averages.
// The defaults are Hinton's and Keras's learn rate and ρ (0.001, 0.9) with this library's ε (1e-8, as
// Adam's); torch's are 0.01, 0.99 and 1e-8, current Keras's ε is 1e-7. Pass them to match either.
using System.Globalization;

namespace MnistBp;

/// <summary>RMSprop: SGD with each weight's step divided by the root of a running mean of its squared gradients.</summary>
public sealed class RmsProp : Optimizer
{
    private readonly float[][] _meanSquares;

    /// <summary>Creates the optimizer with every mean square zero.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    /// <param name="learnRate">The step size; positive and finite.</param>
    /// <param name="rho">ρ, the share of the last mean square kept (torch's <c>alpha</c>, Keras's <c>rho</c>); in [0, 1).</param>
    /// <param name="epsilon">ε, added to the root mean square; positive and finite.</param>
    /// <param name="weightDecay">Coupled L2 coefficient λ, added to the gradient of weights (not biases) as λ w; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range or not finite (the message names it and its value).</exception>
    public RmsProp(IEnumerable<Parameter> parameters, float learnRate = 1e-3f, float rho = 0.9f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(parameters)
    {
        RequireLearnRate(learnRate, nameof(learnRate));
        RequireRange(rho, 0f, 1f, highIncluded: false, nameof(rho));
        RequirePositive(epsilon, nameof(epsilon));

        RequireNonNegative(weightDecay, nameof(weightDecay));
        LearnRate = learnRate;
        Rho = rho;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _meanSquares = new float[Parameters.Count][];
        for (int i = 0; i < Parameters.Count; i++)
        {
            _meanSquares[i] = new float[Parameters[i].Value.Length];
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

    /// <summary>ρ, the share of the last mean square kept, in [0, 1).</summary>
    public float Rho { get; }

    /// <summary>ε, added to the root mean square before dividing.</summary>
    public float Epsilon { get; }

    /// <summary>The coupled L2 coefficient applied to weights (not biases); 0 for none.</summary>
    public float WeightDecay { get; }

    /// <summary>The running mean square v of parameter <paramref name="index"/> (in <see cref="Optimizer.Parameters"/> order), for inspection.</summary>
    /// <param name="index">The parameter's index.</param>
    /// <returns>The mean squares, as long as the parameter.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a parameter's index.</exception>
    public ReadOnlySpan<float> MeanSquare(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Parameters.Count);
        return _meanSquares[index];
    }

    /// <summary>The current <see cref="LearnRate"/>.</summary>
    public override float? ReportedLearnRate => LearnRate;

    /// <summary>Sets <see cref="LearnRate"/>.</summary>
    /// <param name="learnRate">The new step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public override void SetLearnRate(float learnRate) => LearnRate = learnRate;

    /// <summary>Like <c>RmsProp learnRate=0.001 rho=0.9 epsilon=1E-08 weightDecay=0</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RmsProp learnRate={LearnRate:G3} rho={Rho:G4} epsilon={Epsilon:G3} weightDecay={WeightDecay:G3}");

    /// <inheritdoc/>
    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameter parameter = Parameters[i];
            float decay = parameter.Role == ParameterRole.Weights ? WeightDecay : 0f;
            // g = dW + λ w;  v = ρ v + (1 - ρ) g²;  w -= lr * g / (sqrt(v) + ε)
            Kernels.RmsPropStep(LearnRate, Rho, Epsilon, decay, parameter.Gradient.AsSpan(), _meanSquares[i], parameter.Value.AsSpan());
        }
    }
}
