// Sgd: plain stochastic gradient descent, w <- w - learnRate * dL/dw for every parameter
// (tutorial: self.w1 -= learn_rate * d_L_d_w1). No momentum, no weight decay.
namespace MnistBp;

/// <summary>Plain stochastic gradient descent: <c>value -= learnRate * gradient</c>.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learnRate">The step size; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learnRate"/> is not positive and finite.</exception>
    public Sgd(IEnumerable<Parameter> parameters, float learnRate)
        : base(parameters)
    {
        RequireLearnRate(learnRate, nameof(learnRate));
        LearnRate = learnRate;
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

    /// <summary>The current <see cref="LearnRate"/>.</summary>
    public override float? ReportedLearnRate => LearnRate;

    private static void RequireLearnRate(float learnRate, string name)
    {
        if (!(learnRate > 0f) || !float.IsFinite(learnRate))
        {
            throw new ArgumentOutOfRangeException(name, learnRate, "The learn rate must be positive and finite.");
        }
    }

    /// <summary>Like <c>Sgd learnRate=3</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Sgd learnRate={LearnRate:G3}");

    /// <inheritdoc/>
    public override void Step()
    {
        // An indexed loop: enumerating an IReadOnlyList allocates, and this runs every step.
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameter parameter = Parameters[i];
            // w -= learnRate * dL/dw   (tutorial: self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1)
            Kernels.Axpy(-LearnRate, parameter.Gradient.AsSpan(), parameter.Value.AsSpan());
        }
    }
}
