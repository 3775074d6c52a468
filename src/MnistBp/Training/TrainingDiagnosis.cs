// TrainingDiagnosis: the classic ways a network fails without an error, named in words a
// learner understands, with this run's numbers. Trainer.Fit computes it once per epoch from what it
// already has (the epoch's mean training loss, the previous epochs' results, the evaluation's
// confusion matrix); nothing runs per step. Only when a problem is found does it look at the
// weights, to quote the largest one. It is a hint, not a proof: the thresholds are stated below.
using System.Globalization;

namespace MnistBp;

/// <summary>The kinds of problem a <see cref="TrainingDiagnosis"/> reports.</summary>
public enum TrainingProblem
{
    /// <summary>
    /// Every evaluation sample is predicted as the same class (with labels of more than one class), or at least 99% of
    /// them are, in a class no more than half of them are labelled with. When the mean
    /// training loss is also flat (changed by under 1% since the previous epoch) the message says so; otherwise (and
    /// after the first epoch) it calls it possible. Sigmoids stuck at 0 or 1 have a slope near 0, and ReLUs whose input
    /// stays negative a slope of 0, so the gradients vanish and training stops moving.
    /// </summary>
    Saturation,

    /// <summary>
    /// The mean training loss grew by more than 50% over the previous epoch, or by more than 5% in each of the last two
    /// epochs: the steps overshoot. (One rise of a few percent is not enough: with dropout, or late in a run whose
    /// learn rate is nearly 0, the epoch's loss moves up and down by that much on a healthy run.)
    /// </summary>
    Divergence,

    /// <summary>Some evaluation outputs (or the evaluation loss) are NaN or infinite: the weights or the evaluation data are not finite.</summary>
    NonFiniteOutputs,

    /// <summary>
    /// The loss takes logits (<see cref="Loss.TakesLogits"/>) but the model's last layer squashes its outputs
    /// (<see cref="Layer.OutputRange"/>), such as a Softmax layer before <see cref="SoftmaxCrossEntropy"/>: the outputs are
    /// squashed twice, the loss can never get near 0 and the gradients shrink. Reported after the first epoch, ahead of a
    /// saturation (which it often causes) and behind non-finite outputs.
    /// </summary>
    SquashedLogits,
}

/// <summary>
/// A problem <see cref="Trainer.Fit"/> noticed at the end of an epoch, in words, with this run's numbers
/// (<see cref="EpochResult.Diagnosis"/>; null when the epoch looks healthy).
/// </summary>
/// <param name="Problem">What kind of problem it is.</param>
/// <param name="Message">What was seen, the likely causes and what to try, in a few sentences.</param>
public sealed record TrainingDiagnosis(TrainingProblem Problem, string Message)
{
    /// <summary>A change of the mean training loss under this fraction of its previous value counts as flat.</summary>
    internal const double FlatFraction = 0.01;

    /// <summary>The share of the predictions in one class from which a model counts as answering one class for everything (with labels of more than one class).</summary>
    internal const double NearlyAllFraction = 0.99;

    /// <summary>A rise of the mean training loss over this fraction of its previous value, two epochs running, counts as divergence.</summary>
    internal const double GrowthFraction = 0.05;

    /// <summary>A rise of the mean training loss over this fraction of its previous value in one epoch counts as divergence at once.</summary>
    internal const double JumpFraction = 0.5;

    /// <summary>A weight this large, with a flat loss and no evaluation data, is read as saturation: with inputs of order 1 no useful weight is near it.</summary>
    internal const float LargeWeight = 1000f;

    /// <summary>The <see cref="Message"/>.</summary>
    public override string ToString() => Message;

    /// <summary>Looks at one finished epoch; null when nothing is wrong.</summary>
    /// <param name="previous">The results of the epochs before this one, in order.</param>
    /// <param name="meanLoss">This epoch's mean training loss.</param>
    /// <param name="evaluation">This epoch's evaluation on labelled data, or null.</param>
    /// <param name="evaluationLoss">This epoch's loss on data with float targets, or null (also for such data without samples).</param>
    /// <param name="model">The model, read only when a problem is found (to quote its largest weight).</param>
    /// <param name="optimizer">The optimizer, for its learn rate and settings.</param>
    /// <param name="loss">The loss, for <see cref="Loss.TakesLogits"/>.</param>
    internal static TrainingDiagnosis? Of(IReadOnlyList<EpochResult> previous, double meanLoss, Evaluation? evaluation, double? evaluationLoss, Sequential model, Optimizer optimizer, Loss loss)
    {
        int epoch = previous.Count + 1;
        double? before = previous.Count == 0 ? null : previous[^1].MeanTrainingLoss;
        TrainingDiagnosis? found = OfNumbers(previous, meanLoss, evaluation, evaluationLoss, model, optimizer, epoch, before);
        // After the first epoch a loss over logits behind a squashing layer is named, the likely cause of a stuck start:
        // ahead of a saturation (which it usually brings), behind non-finite outputs (which are worse).
        TrainingDiagnosis? squashed = epoch == 1 ? SquashedLogitsOf(model, loss) : null;
        return squashed is not null && found?.Problem is null or TrainingProblem.Saturation ? squashed : found;
    }

    /// <summary>The loss takes logits and the last layer squashes: the warning, or null.</summary>
    private static TrainingDiagnosis? SquashedLogitsOf(Sequential model, Loss loss)
    {
        if (!loss.TakesLogits || model.Layers.Count == 0 || model.Layers[^1].OutputRange is not (float low, float high))
        {
            return null;
        }

        Layer last = model.Layers[^1];
        return new TrainingDiagnosis(TrainingProblem.SquashedLogits, string.Create(CultureInfo.InvariantCulture,
            $"Squashed twice: {loss} takes logits (any real numbers) and squashes them itself, but the model's last layer, {last}, already keeps its outputs in [{low}, {high}]. " +
            $"The loss can never get near 0 and its gradients shrink. Remove {last} (the loss has the squashing built in), or keep it and use a loss that compares its outputs as they are."));
    }

    private static TrainingDiagnosis? OfNumbers(IReadOnlyList<EpochResult> previous, double meanLoss, Evaluation? evaluation, double? evaluationLoss, Sequential model, Optimizer optimizer, int epoch, double? before)
    {
        if (evaluation is { NonFiniteCount: > 0 })
        {
            return NonFinite($"{evaluation.NonFiniteCount} of the {evaluation.Count} evaluation samples got an output holding NaN or Inf, so they have no predicted class (counted as wrong)", model, optimizer);
        }

        if (evaluationLoss is double loss && !double.IsFinite(loss))
        {
            return NonFinite($"the evaluation loss is {Text(loss)}", model, optimizer);
        }

        if (evaluation is not null && OneClass(evaluation) is (int predicted, int inIt, int finite, int classesPresent) && classesPresent > 1)
        {
            bool flat = before is double b && Math.Abs(meanLoss - b) <= FlatFraction * Math.Abs(b);
            string share = inIt == finite
                ? string.Create(CultureInfo.InvariantCulture, $"every one of the {finite} evaluation samples is predicted as class {predicted}")
                : string.Create(CultureInfo.InvariantCulture, $"{inIt} of the {finite} evaluation samples are predicted as class {predicted}, though only {LabelsOf(evaluation, predicted)} of the {finite} are labelled {predicted}");
            return Saturation(epoch, before, flat, meanLoss, share, model, optimizer);
        }

        // Without labelled evaluation data there is no confusion matrix to show one class for everything;
        // a flat loss with weights far beyond what inputs of order 1 need tells the same story.
        if (evaluation is null && before is double flatBefore && Math.Abs(meanLoss - flatBefore) <= FlatFraction * Math.Abs(flatBefore)
            && LargestWeight(model) is (string heavy, float weight) && Math.Abs(weight) > LargeWeight)
        {
            string rate = optimizer.ReportedLearnRate is float lr ? $"this run's learn rate of {Text(lr)}" : $"the optimizer's steps ({optimizer})";
            return new TrainingDiagnosis(TrainingProblem.Saturation, string.Create(CultureInfo.InvariantCulture,
                $"Possible saturation: the mean training loss is flat ({flatBefore:F5} after epoch {epoch - 1}, {meanLoss:F5} after epoch {epoch}) " +
                $"and the largest weight is {Text(weight)} in '{heavy}'. Weights that large push sigmoids to 0 or 1 and ReLUs below 0, where their slope is (almost) 0 " +
                $"and learning stops; likely cause: {rate}, far too large. Train a fresh model with a smaller learn rate."));
        }

        // One rise of a few percent is noise (dropout, a learn rate near 0); a large jump, or a rise two epochs running, is not.
        double? twoBefore = previous.Count < 2 ? null : previous[^2].MeanTrainingLoss;
        if (before is double last && (meanLoss > last * (1 + JumpFraction)
            || (meanLoss > last * (1 + GrowthFraction) && twoBefore is double earlier && last > earlier * (1 + GrowthFraction))))
        {
            string earlierRise = meanLoss > last * (1 + JumpFraction) ? "" : string.Create(CultureInfo.InvariantCulture, $"from {twoBefore:F5} (epoch {epoch - 2}) to {last:F5} (epoch {epoch - 1}), then ");
            string rate = optimizer.ReportedLearnRate is float r
                ? $"a learn rate of {Text(r)} is probably too high for this network; try {Text(r / 3)}"
                : $"the optimizer's steps ({optimizer}) are probably too large; make them smaller";
            return new TrainingDiagnosis(TrainingProblem.Divergence, string.Create(CultureInfo.InvariantCulture,
                $"Divergence: the mean training loss grew {earlierRise}from {last:F5} (epoch {epoch - 1}) to {meanLoss:F5} (epoch {epoch}), by {(meanLoss / last - 1) * 100:F1}%, " +
                $"though every step of gradient descent should lower it. The steps overshoot the minimum: {rate}."));
        }

        return null;
    }

    /// <summary>
    /// The class (nearly) every finite prediction fell in: all of them, or at least <see cref="NearlyAllFraction"/> of them when
    /// no more than half the samples are labelled with that class (a model that answers one class for everything but a few
    /// stragglers has collapsed just the same; one that mostly answers the class most samples have has not). With it, how
    /// many predictions fell in it, how many predictions are finite and how many classes the labels hold; null otherwise.
    /// </summary>
    private static (int Predicted, int InIt, int Finite, int ClassesPresent)? OneClass(Evaluation evaluation)
    {
        int top = -1, inTop = 0, finite = 0, classesPresent = 0;
        for (int predicted = 0; predicted < evaluation.ClassCount; predicted++)
        {
            int column = 0;
            for (int actual = 0; actual < evaluation.ClassCount; actual++)
            {
                column += evaluation[actual, predicted];
            }

            finite += column;
            if (column > inTop)
            {
                (top, inTop) = (predicted, column);
            }
        }

        for (int actual = 0; actual < evaluation.ClassCount; actual++)
        {
            classesPresent += LabelsOf(evaluation, actual) + evaluation.NonFiniteCountOf(actual) > 0 ? 1 : 0;
        }

        bool all = top >= 0 && inTop == finite;
        bool nearlyAll = top >= 0 && inTop >= NearlyAllFraction * finite && LabelsOf(evaluation, top) <= 0.5 * finite;
        return all || nearlyAll ? (top, inTop, finite, classesPresent) : null;
    }

    /// <summary>The evaluation samples labelled <paramref name="actual"/> that got a finite prediction.</summary>
    private static int LabelsOf(Evaluation evaluation, int actual)
    {
        int row = 0;
        for (int predicted = 0; predicted < evaluation.ClassCount; predicted++)
        {
            row += evaluation[actual, predicted];
        }

        return row;
    }

    private static TrainingDiagnosis Saturation(int epoch, double? before, bool flat, double meanLoss, string share, Sequential model, Optimizer optimizer)
    {
        (string name, float weight) = LargestWeight(model);
        string losses = before is double b
            ? string.Create(CultureInfo.InvariantCulture, $"{b:F5} after epoch {epoch - 1}, {meanLoss:F5} after epoch {epoch}")
            : string.Create(CultureInfo.InvariantCulture, $"{meanLoss:F5} after epoch {epoch}");
        string seen = flat
            ? $"Saturation: {share}, and the mean training loss is flat ({losses})."
            : $"Possible saturation: after epoch {epoch} {share} (mean training loss {losses}); " +
              "if the loss stays flat in the next epoch, the network is stuck.";
        string rate = optimizer.ReportedLearnRate is float r
            ? $"a learn rate too high for this network (this run: {Text(r)}; divide it by 10, and again, until the loss falls)"
            : $"steps too large for this network (this run: {optimizer})";
        return new TrainingDiagnosis(TrainingProblem.Saturation,
            $"{seen} That is what saturated units do: a sigmoid's output sits at 0 or 1, where its slope s * (1 - s) is almost 0, and a ReLU's input stays below 0, where its slope is 0; " +
            "either way the gradients vanish and the weights stop changing. " +
            $"Likely causes: {rate}, or weights too large (the largest now is {Text(weight)} in '{name}'; if they started from N(0, 1), start from N(0, 1/inputSize)). " +
            "Train a fresh model with a smaller learn rate or smaller initial weights.");
    }

    private static TrainingDiagnosis NonFinite(string seen, Sequential model, Optimizer optimizer)
    {
        (string name, float weight) = LargestWeight(model);
        string cause = float.IsFinite(weight)
            ? $"Every weight is finite (the largest is {Text(weight)} in '{name}'), so the evaluation data itself probably holds NaN or Inf: check it."
            : $"The weights are not finite ('{name}' holds {Text(weight)}): the last update of the epoch had a finite loss but a NaN or Inf gradient " +
              $"(training stops at the next step's loss). Likely cause: steps too large ({optimizer}); train a fresh model with a smaller learn rate.";
        return new TrainingDiagnosis(TrainingProblem.NonFiniteOutputs, $"Non-finite outputs: {seen}. {cause}");
    }

    /// <summary>The parameter with the largest absolute value (or the first non-finite one) and that value.</summary>
    private static (string Name, float Value) LargestWeight(Sequential model)
    {
        string name = "";
        float largest = 0;
        foreach (Parameter parameter in model.Parameters)
        {
            foreach (float value in parameter.Value.AsSpan())
            {
                if (!float.IsFinite(value))
                {
                    return (parameter.Name, value);
                }

                if (Math.Abs(value) > Math.Abs(largest) || name.Length == 0)
                {
                    (name, largest) = (parameter.Name, value);
                }
            }
        }

        return (name, largest);
    }

    private static string Text(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
