// Momentum: SGD with a velocity per parameter, written in a user's own project against MnistBp's
// public Optimizer contract: v <- mu * v - learnRate * dW, then W <- W + v. The velocities are the
// optimizer's own state; no layer changes.
using System.Globalization;
using MnistBp;

namespace MnistBp.Extending;

/// <summary>Stochastic gradient descent with (heavy-ball) momentum.</summary>
public sealed class Momentum : Optimizer
{
    private readonly float[][] _velocities;

    /// <summary>Creates the optimizer with every velocity zero.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    /// <param name="learnRate">The step size.</param>
    /// <param name="mu">How much of the last velocity is kept, from 0 (plain SGD) to below 1.</param>
    public Momentum(IEnumerable<Parameter> parameters, float learnRate, float mu = 0.9f)
        : base(parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learnRate);
        if (!(mu >= 0f && mu < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(mu), mu, "mu must be in [0, 1).");
        }

        (LearnRate, Mu) = (learnRate, mu);
        _velocities = [.. Parameters.Select(p => new float[p.Value.Length])];
    }

    /// <summary>The step size.</summary>
    public float LearnRate { get; }

    /// <summary>The fraction of the velocity kept from one step to the next.</summary>
    public float Mu { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        for (int p = 0; p < Parameters.Count; p++)
        {
            Span<float> w = Parameters[p].Value.AsSpan(), v = _velocities[p];
            ReadOnlySpan<float> dW = Parameters[p].Gradient.AsSpan();
            for (int i = 0; i < w.Length; i++)
            {
                // v = mu * v - learnRate * dW;  W = W + v
                v[i] = Mu * v[i] - LearnRate * dW[i];
                w[i] += v[i];
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Momentum learnRate={LearnRate:G3} mu={Mu:G3}");
}
