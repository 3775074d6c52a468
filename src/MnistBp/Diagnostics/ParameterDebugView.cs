// ParameterDebugView: what the debugger shows when a Parameter is expanded: the first rows of the
// value and of its gradient next to each other (the tutorial's w1 beside d_L_d_w1), and the largest
// magnitude of each. It copies at most 8 x 16 numbers per tensor; it is never used by training.
using System.Globalization;

namespace MnistBp;

/// <summary>The debugger's expanded view of a <see cref="Parameter"/>.</summary>
/// <param name="parameter">The parameter to show.</param>
internal sealed class ParameterDebugView(Parameter parameter)
{
    /// <summary>Rows shown of each tensor.</summary>
    public const int MaxRows = 8;

    /// <summary>Columns shown of each row.</summary>
    public const int MaxColumns = 16;

    /// <summary>The name, such as "W hidden".</summary>
    public string Name => parameter.Name;

    /// <summary>The shape of the value and of the gradient, such as <c>[784 x 30]</c>.</summary>
    public string Shape => parameter.Value.Shape;

    /// <summary>Which rows and columns <see cref="Value"/> and <see cref="Gradient"/> show.</summary>
    public string Shown => DebuggerText.Shown(parameter.Value, MaxRows, MaxColumns);

    /// <summary>The first rows of the value.</summary>
    public float[][] Value => DebuggerText.FirstRows(parameter.Value, MaxRows, MaxColumns);

    /// <summary>The first rows of the gradient dLoss/dValue, element for element under <see cref="Value"/>.</summary>
    public float[][] Gradient => parameter.IsGradientZero
        ? DebuggerText.ZeroRows(parameter.Value, MaxRows, MaxColumns) // a pending ZeroGrad: zeros, without performing it
        : DebuggerText.FirstRows(parameter.Gradient, MaxRows, MaxColumns);

    /// <summary>Each shown row as text, value and gradient side by side: <c>0.5, -1.2 | d 0.031, -0.004</c>.</summary>
    public string[] ValueAndGradient
    {
        get
        {
            float[][] values = Value, gradients = Gradient;
            var rows = new string[values.Length];
            for (int r = 0; r < rows.Length; r++)
            {
                rows[r] = $"{Join(values[r])} | d {Join(gradients[r])}";
            }

            return rows;
        }
    }

    /// <summary>max |value|.</summary>
    public float ValueMaxAbs => DebuggerText.MaxAbs(parameter.Value.AsSpan());

    /// <summary>max |gradient|: 0 before the first Backward and right after ZeroGrad, NaN when training blew up.</summary>
    public float GradientMaxAbs => parameter.IsGradientZero ? 0f : DebuggerText.MaxAbs(parameter.Gradient.AsSpan());

    private static string Join(float[] row) =>
        string.Join(", ", row.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));
}
