// Optimizer: the only code that changes weights. It reads each Parameter's Gradient and updates its
// Value. Keeping this out of the layers (unlike the tutorial, where the update sits inside train)
// is what lets momentum, Adam or L2 arrive later without touching a layer.
namespace MnistBp;

/// <summary>Updates parameters from their gradients.</summary>
public abstract class Optimizer
{
    /// <summary>Initialises the optimizer over a fixed set of parameters.</summary>
    /// <param name="parameters">The parameters to update, usually <see cref="Sequential.Parameters"/>.</param>
    protected Optimizer(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        if (Parameters.Any(p => p is null))
        {
            throw new ArgumentException("The parameter list contains null.", nameof(parameters));
        }
    }

    /// <summary>The parameters this optimizer updates.</summary>
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
}
