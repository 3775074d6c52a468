// GradientCheckReport: everything one GradientCheck.Check call found, one entry per tensor, and the
// table a learner reads in a console (ToString). It holds numbers only, no reference to the model,
// so keeping a report keeps nothing else alive.
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>The result of <see cref="GradientCheck"/>: one <see cref="GradientCheckEntry"/> per tensor and a verdict.</summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(string subject, double loss, GradientCheckOptions options, IReadOnlyList<GradientCheckEntry> entries, string? problem = null)
    {
        Subject = subject;
        Loss = loss;
        Options = options;
        Entries = entries;
        Problem = problem ?? (entries.Sum(entry => entry.ElementsChecked) == 0 ? "Nothing was compared: every tensor checked has 0 elements." : null);
    }

    /// <summary>What was checked, such as <c>Sequential [Dense 'hidden' 4 -> 5, ...] with MeanSquaredError</c>.</summary>
    public string Subject { get; }

    /// <summary>The loss at the unperturbed point, the values the model is left with.</summary>
    public double Loss { get; }

    /// <summary>The step and tolerances used.</summary>
    public GradientCheckOptions Options { get; }

    /// <summary>One entry per tensor checked, in order: the parameters layer by layer, then dInput (or dPredicted).</summary>
    public IReadOnlyList<GradientCheckEntry> Entries { get; }

    /// <summary>The number of elements compared, over every tensor.</summary>
    public int ElementsChecked => Entries.Sum(entry => entry.ElementsChecked);

    /// <summary>True when at least one element was compared, every entry passed and there is no <see cref="Problem"/>.</summary>
    public bool Passed => Problem is null && Entries.All(entry => entry.Passed);

    /// <summary>
    /// Why the check could not be trusted, whatever the entries say, or null: the batch had no rows, nothing was compared, or the loss was not
    /// the same function at every nudge (two evaluations at the same values differed: a random Forward, such as a
    /// <see cref="Dropout"/> drawing a new mask each call, which <see cref="Dropout.FreezeMask"/> stops). Shown in <see cref="ToString"/>.
    /// </summary>
    public string? Problem { get; }

    /// <summary>The first entry named <paramref name="name"/>, such as <c>report["b hidden"]</c>.</summary>
    /// <param name="name">A tensor name as in <see cref="GradientCheckEntry.Name"/>.</param>
    /// <exception cref="KeyNotFoundException">No entry has that name; the message lists the names.</exception>
    public GradientCheckEntry this[string name] =>
        Entries.FirstOrDefault(entry => entry.Name == name)
        ?? throw new KeyNotFoundException($"The gradient check has no entry '{name}'; it has {string.Join(", ", Entries.Select(entry => $"'{entry.Name}'"))}.");

    /// <summary>
    /// A table to read in a console: the verdict, the rule an element must meet, and one row per
    /// tensor with its elements checked, largest absolute and relative error, worst element and result.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        CultureInfo invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"Gradient check of {Subject}: {(Passed ? "passed" : "FAILED")}").AppendLine();
        if (Problem is not null)
        {
            text.Append(Problem).AppendLine();
        }

        text
            .Append(invariant, $"loss {Loss:G6}, step {Options.Step:0.##e+0}; an element passes when ")
            .Append(invariant, $"|analytic - numeric| <= {Options.AbsoluteTolerance:0.##e+0} + {Options.RelativeTolerance:0.##e+0} * max(|analytic|, |numeric|)")
            .AppendLine();

        var rows = new List<string[]> { new[] { "tensor", "shape", "checked", "max abs err", "max rel err", "worst", "analytic", "numeric", "result" } };
        foreach (GradientCheckEntry entry in Entries)
        {
            rows.Add(
            [
                entry.Name,
                entry.Shape,
                string.Create(invariant, $"{entry.ElementsChecked}/{entry.ElementCount}"),
                entry.MaxAbsoluteError.ToString("0.00e+00", invariant),
                entry.MaxRelativeError.ToString("0.00e+00", invariant),
                entry.WorstPosition,
                entry.WorstAnalytic.ToString("G6", invariant),
                entry.WorstNumeric.ToString("G6", invariant),
                entry.Passed ? "ok" : string.Create(invariant, $"FAILED {entry.FailedElements}/{entry.ElementsChecked}"),
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length))];
        foreach (string[] row in rows)
        {
            for (int column = 0; column < row.Length; column++)
            {
                text.Append(column == row.Length - 1 ? row[column] : row[column].PadRight(widths[column] + 2));
            }

            text.AppendLine();
        }

        return text.ToString().TrimEnd();
    }
}
