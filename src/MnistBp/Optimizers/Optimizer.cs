// Optimizer: the only code that changes weights, built-in or written by a user. It reads each
// Parameter's Gradient and updates its Value. Keeping this out of the layers (unlike the tutorial,
// where the update sits inside train) is what lets momentum, Adam or L2 arrive later without
// touching a layer. Any state it keeps (momentum, Adam's moments) lives in the optimizer.
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
    /// The step size this optimizer applies now, for messages and diagnoses (<see cref="TrainingDivergedException"/>,
    /// <see cref="TrainingDiagnosis"/>); null when it has no single learn rate. <see cref="Sgd"/> reports its
    /// <see cref="Sgd.LearnRate"/>; an optimizer of your own overrides this to name its own.
    /// </summary>
    public virtual float? ReportedLearnRate => null;

    /// <summary>The optimizer's name and settings, such as <c>Sgd learnRate=3</c>; the type's name unless overridden.</summary>
    public override string ToString() => GetType().Name;
}
