// GradientCheckEntry: what GradientCheck found for one tensor (a weight matrix, a bias vector,
// dInput or dPredicted): how many elements it compared, the largest errors, the element furthest
// from passing and the verdict. Plain data with value equality; it computes nothing itself.
using System.Globalization;

namespace MnistBp;

/// <summary>The result of a gradient check for one tensor.</summary>
public sealed record GradientCheckEntry
{
    private readonly int _rank;
    private readonly int _columns;

    internal GradientCheckEntry(
        string name, Tensor value, int elementsChecked, int failedElements, double maxAbsoluteError, double maxRelativeError,
        int worstIndex, double worstAnalytic, double worstNumeric)
    {
        Name = name;
        Shape = value.Shape;
        ElementCount = value.Length;
        _rank = value.Rank;
        _columns = value.Columns;
        ElementsChecked = elementsChecked;
        FailedElements = failedElements;
        MaxAbsoluteError = maxAbsoluteError;
        MaxRelativeError = maxRelativeError;
        WorstIndex = worstIndex;
        WorstAnalytic = worstAnalytic;
        WorstNumeric = worstNumeric;
    }

    /// <summary>The tensor's name: a parameter's (<c>W hidden</c>, <c>b hidden</c>), <c>dInput</c> or <c>dPredicted</c>.</summary>
    public string Name { get; }

    /// <summary>The tensor's shape, such as <c>[784 x 30]</c>.</summary>
    public string Shape { get; }

    /// <summary>The number of elements in the tensor.</summary>
    public int ElementCount { get; }

    /// <summary>The number of elements compared: all of them, or a sample of <see cref="GradientCheckOptions.MaxElementsPerTensor"/>.</summary>
    public int ElementsChecked { get; }

    /// <summary>The number of compared elements outside the tolerance (or not finite).</summary>
    public int FailedElements { get; }

    /// <summary>The largest <c>|analytic - numeric|</c>; NaN when any analytic or numeric value was NaN.</summary>
    public double MaxAbsoluteError { get; }

    /// <summary>
    /// The largest <c>|analytic - numeric| / max(|analytic|, |numeric|)</c> (0 where both are 0); NaN
    /// when any value was NaN. Large values for gradients near zero are expected: those pass on the
    /// absolute floor, not on this ratio.
    /// </summary>
    public double MaxRelativeError { get; }

    /// <summary>
    /// The flat (row-major) index of the element furthest from passing: the largest
    /// <c>|analytic - numeric|</c> relative to what the tolerance allows it; -1 when nothing was compared.
    /// </summary>
    public int WorstIndex { get; }

    /// <summary>The worst element as <c>[row, column]</c> (or <c>[index]</c> for a vector); empty when nothing was compared.</summary>
    public string WorstPosition => WorstIndex < 0 ? string.Empty
        : _rank == 1 ? string.Create(CultureInfo.InvariantCulture, $"[{WorstIndex}]")
        : string.Create(CultureInfo.InvariantCulture, $"[{WorstIndex / _columns}, {WorstIndex % _columns}]");

    /// <summary>The analytic gradient (from Backward) at <see cref="WorstIndex"/>.</summary>
    public double WorstAnalytic { get; }

    /// <summary>The numeric gradient (the central difference) at <see cref="WorstIndex"/>.</summary>
    public double WorstNumeric { get; }

    /// <summary>True when every compared element agreed within the tolerance.</summary>
    public bool Passed => FailedElements == 0;

    /// <summary>One line, like <c>W hidden [3 x 4]: 12 of 12 checked, max abs 2.10e-06, max rel 3.05e-05, worst [1, 2] analytic 0.1234 numeric 0.1234: passed</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name} {Shape}: {ElementsChecked} of {ElementCount} checked, max abs {MaxAbsoluteError:0.00e+00}, max rel {MaxRelativeError:0.00e+00}, " +
        $"worst {WorstPosition} analytic {WorstAnalytic:G6} numeric {WorstNumeric:G6}: {(Passed ? "passed" : $"FAILED {FailedElements} of {ElementsChecked}")}");
}
