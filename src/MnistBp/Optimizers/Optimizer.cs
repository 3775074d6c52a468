// Optimizer: the only code that changes weights, built-in or written by a user. It reads each
// Parameter's Gradient and updates its Value. Keeping this out of the layers (unlike the tutorial,
// where the update sits inside train) is what lets momentum, Adam or L2 arrive later without
// touching a layer. Any state it keeps (momentum, Adam's moments) lives in the optimizer. The learn
// rate is the one setting the trainer may change from outside (ReportedLearnRate / SetLearnRate), for
// learn-rate schedules; the base class keeps no rate itself, so any optimizer can opt in or not.
namespace MnistBp;

/// <summary>Updates parameters from their gradients.</summary>
/// <remarks>
/// To write an optimizer, override <see cref="Step"/> (and <see cref="ToString"/> to show its
/// settings in the debugger). <see cref="Trainer"/> checks that its <see cref="Parameters"/> are the
/// model's, in order, before every step.
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public abstract class Optimizer
{
    /// <summary>Initialises the optimizer over a fixed set of parameters.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    /// <exception cref="ArgumentException">The list holds null or the same parameter twice.</exception>
    protected Optimizer(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameter[] list = [.. parameters];
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"The parameter list holds null at index {i}.", nameof(parameters));
            }

            if (!seen.Add(list[i]))
            {
                throw new ArgumentException($"The parameter list holds '{list[i].Name}' twice (index {i}); it would be updated twice per step.", nameof(parameters));
            }
        }

        Parameters = list;
    }

    /// <summary>The parameters this optimizer updates, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Applies one update to every parameter from its current gradient.</summary>
    public abstract void Step();

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGrad()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameters[i].ZeroGrad();
        }
    }

    /// <summary>
    /// The step size this optimizer applies now, for messages, diagnoses (<see cref="TrainingDivergedException"/>,
    /// <see cref="TrainingDiagnosis"/>), <see cref="EpochResult.LearnRate"/> and learn-rate schedules (the rate when
    /// <see cref="Trainer.Fit"/> starts is the schedule's base rate); null when it has no single learn rate. The
    /// built-in optimizers report their <c>LearnRate</c>; an optimizer of your own overrides this to name its own.
    /// </summary>
    public virtual float? ReportedLearnRate => null;

    /// <summary>
    /// Changes the step size between steps: what a <see cref="LearnRateSchedule"/> calls (through
    /// <see cref="Trainer.Fit"/>) before every step. The built-in optimizers set their <c>LearnRate</c>; to take part
    /// in schedules, an optimizer of your own overrides this and <see cref="ReportedLearnRate"/> together. It runs every
    /// step: it must not allocate.
    /// </summary>
    /// <param name="learnRate">The new step size; positive and finite.</param>
    /// <exception cref="NotSupportedException">This optimizer does not override it (it has no settable learn rate).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite (built-in optimizers).</exception>
    public virtual void SetLearnRate(float learnRate) =>
        throw new NotSupportedException($"The optimizer {this} has no settable learn rate: override ReportedLearnRate and SetLearnRate to use it with a learn-rate schedule.");

    /// <summary>Throws unless <paramref name="learnRate"/> is positive and finite.</summary>
    internal static void RequireLearnRate(float learnRate, string name)
    {
        if (!(learnRate > 0f) || !float.IsFinite(learnRate))
        {
            throw new ArgumentOutOfRangeException(name, learnRate, $"The learn rate must be positive and finite; {name} is {learnRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and in [<paramref name="low"/>, <paramref name="high"/>) (or up to and including high when <paramref name="highIncluded"/>).</summary>
    internal static void RequireRange(float value, float low, float high, bool highIncluded, string name)
    {
        bool inside = value >= low && (highIncluded ? value <= high : value < high) && float.IsFinite(value);
        if (!inside)
        {
            string range = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{low}, {high}{(highIncluded ? "]" : ")")}");
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and in {range}; it is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is positive and finite (an ε added to a denominator).</summary>
    internal static void RequirePositive(float value, string name)
    {
        if (!(value > 0f) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite; it is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and not negative.</summary>
    internal static void RequireNonNegative(float value, string name)
    {
        if (!(value >= 0f) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and not negative; it is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>The optimizer's name and settings, such as <c>Sgd learnRate=3</c>; the type's name unless overridden.</summary>
    public override string ToString() => GetType().Name;
}
