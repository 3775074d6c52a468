// TrainingOptions and the progress records the Trainer reports: plain data, validated up front so a
// bad setting fails before the first epoch rather than in the middle of one. Past the tutorial it
// holds the learn-rate schedule, gradient-norm clipping, max-norm and early stopping (each off by
// default, so the tutorial's runs are unchanged), and TrainingHistory, the list Fit returns.
namespace MnistBp;

/// <summary>How <see cref="Trainer.Fit"/> trains: epochs, mini-batch size, and whether and how the samples are shuffled.</summary>
public sealed record TrainingOptions
{
    /// <summary>Number of passes over the training data; at least 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per mini-batch; at least 1. The last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>
    /// Whether every epoch starts by shuffling the samples (true, the default: stochastic gradient descent
    /// as Nielsen's book does it). False keeps them in the dataset's order, epoch after epoch, as the
    /// tutorial trains its four people; <see cref="ShuffleSeed"/> is then not used.
    /// </summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the <see cref="DeterministicRandom"/> that shuffles the samples at the start of every epoch (when <see cref="Shuffle"/> is true).</summary>
    public ulong ShuffleSeed { get; init; }

    /// <summary>
    /// Transforms every training batch's inputs before its step (random shifts, rotations, elastic distortions), or
    /// null (the default) to train on the data as it is. Evaluation data is never augmented.
    /// </summary>
    public Augmentation? Augmentation { get; init; }

    /// <summary>Seed of the <see cref="DeterministicRandom"/> that <see cref="Augmentation"/> draws from; one stream for the whole run.</summary>
    public ulong AugmentationSeed { get; init; }

    /// <summary>
    /// The learn rate of every step, or null (the default) to keep the optimizer's rate. <see cref="Trainer.Fit"/> takes
    /// the optimizer's <see cref="Optimizer.ReportedLearnRate"/> as the base rate, sets the scheduled rate with
    /// <see cref="Optimizer.SetLearnRate"/> before every step, and sets the base rate back when it returns.
    /// </summary>
    public LearnRateSchedule? Schedule { get; init; }

    /// <summary>
    /// Gradient-norm clipping, or null (the default) for none: after backward and before the optimizer's step, when the
    /// global L2 norm of all gradients <c>sqrt(Σ_p Σ_i dP[i]²)</c> is above this, every gradient is multiplied by
    /// <c>clip / (norm + 1e-6)</c> (torch.nn.utils.clip_grad_norm_); smaller gradients are left alone. Positive and finite.
    /// A non-finite norm is left alone too (it shows in the weights, which Fit checks every epoch).
    /// </summary>
    public float? GradientClipNorm { get; init; }

    /// <summary>
    /// Max-norm constraint, or null (the default) for none: after every optimizer step, each unit's incoming weight
    /// vector is rescaled to an L2 norm of at most this (Srivastava et al. 2014). That is each column of every rank-2
    /// <see cref="ParameterRole.Weights"/> parameter (read as [inputSize x outputSize], as Dense's W is); biases and
    /// rank-1 parameters are not touched. Positive and finite.
    /// </summary>
    public float? MaxNorm { get; init; }

    /// <summary>
    /// Early stopping, or null (the default) for none: stop after this many epochs in a row without improvement on the
    /// evaluation (validation) data passed to <see cref="Trainer.Fit"/>, which it then requires: a higher accuracy for data
    /// with labels, a lower <see cref="EpochResult.EvaluationLoss"/> for float targets. At the end (stopped or not) the
    /// model gets back the best epoch's weights, copied on each improvement (never per step);
    /// <see cref="TrainingHistory.BestEpoch"/> says which epoch. At least 1.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// Epochs or BatchSize is below 1, GradientClipNorm or MaxNorm is not positive and finite, or EarlyStoppingPatience is below 1.
    /// </exception>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (GradientClipNorm is float clip && !(clip > 0f && float.IsFinite(clip)))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, "GradientClipNorm must be positive and finite (or null for no clipping).");
        }

        if (MaxNorm is float maxNorm && !(maxNorm > 0f && float.IsFinite(maxNorm)))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNorm), maxNorm, "MaxNorm must be positive and finite (or null for no max-norm constraint).");
        }

        if (EarlyStoppingPatience is int patience && patience < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), patience, "EarlyStoppingPatience must be at least 1 (or null for no early stopping).");
        }
    }
}

/// <summary>What one finished epoch reports.</summary>
/// <param name="Epoch">The epoch just finished, counting from 1.</param>
/// <param name="EpochCount">The number of epochs in the run.</param>
/// <param name="MeanTrainingLoss">The loss averaged over every training sample of the epoch.</param>
/// <param name="Duration">Wall-clock time of the epoch's training (evaluation excluded).</param>
/// <param name="Evaluation">The accuracy and confusion matrix on evaluation data with class labels; null when none was given or it has float targets.</param>
/// <param name="EvaluationLoss">
/// The trainer's loss on evaluation data with float targets (regression), averaged over its samples as
/// <paramref name="MeanTrainingLoss"/> is, after the epoch's training (NaN when it has no samples); null when none was given or it has class labels.
/// </param>
/// <param name="Diagnosis">
/// A problem noticed at the end of this epoch (saturation, divergence, non-finite outputs), in words with this run's
/// numbers; null when the epoch looks healthy. Computed once per epoch from the mean losses and the evaluation.
/// </param>
/// <param name="LearnRate">
/// The optimizer's <see cref="Optimizer.ReportedLearnRate"/> at the epoch's last step (with a <see cref="TrainingOptions.Schedule"/>,
/// the scheduled rate of that step); null when the optimizer reports none.
/// </param>
/// <param name="BestEpoch">
/// The best epoch so far on the evaluation data (highest accuracy, or lowest evaluation loss for float targets; the
/// earliest on ties), this one included; null without evaluation data or while no epoch had a finite score.
/// </param>
public sealed record EpochResult(int Epoch, int EpochCount, double MeanTrainingLoss, TimeSpan Duration, Evaluation? Evaluation, double? EvaluationLoss = null, TrainingDiagnosis? Diagnosis = null, float? LearnRate = null, int? BestEpoch = null);

/// <summary>What <see cref="Trainer.Fit"/> returns: one <see cref="EpochResult"/> per finished epoch, and how the run ended.</summary>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public sealed class TrainingHistory : IReadOnlyList<EpochResult>
{
    private readonly List<EpochResult> _results;

    internal TrainingHistory(List<EpochResult> results, bool stoppedEarly, bool restoredBestWeights)
    {
        _results = results;
        StoppedEarly = stoppedEarly;
        RestoredBestWeights = restoredBestWeights;
    }

    /// <summary>The number of finished epochs.</summary>
    public int Count => _results.Count;

    /// <summary>The result of one epoch, in order (index 0 is epoch 1).</summary>
    /// <param name="index">From 0 to Count - 1.</param>
    public EpochResult this[int index] => _results[index];

    /// <summary>
    /// The best epoch on the evaluation data (<see cref="EpochResult.BestEpoch"/> of the last epoch); null without
    /// evaluation data. With <see cref="TrainingOptions.EarlyStoppingPatience"/>, the model holds this epoch's weights.
    /// </summary>
    public int? BestEpoch => _results.Count == 0 ? null : _results[^1].BestEpoch;

    /// <summary>Whether early stopping ended the run before <see cref="TrainingOptions.Epochs"/>.</summary>
    public bool StoppedEarly { get; }

    /// <summary>
    /// Whether the model's weights were set back to <see cref="BestEpoch"/>'s at the end (early stopping on, and the
    /// last epoch was not the best). The optimizer's own state (velocities, moments) is not set back.
    /// </summary>
    public bool RestoredBestWeights { get; }

    /// <summary>Enumerates the results in epoch order.</summary>
    /// <returns>An enumerator.</returns>
    public IEnumerator<EpochResult> GetEnumerator() => _results.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Like <c>12 epochs, best 9, stopped early, best weights restored</c>.</summary>
    public override string ToString() =>
        $"{Count} epochs" + (BestEpoch is int best ? $", best {best}" : "") + (StoppedEarly ? ", stopped early" : "") + (RestoredBestWeights ? ", best weights restored" : "");
}

/// <summary>Progress inside an epoch, reported after every mini-batch.</summary>
/// <param name="Epoch">The current epoch, counting from 1.</param>
/// <param name="SamplesDone">Training samples processed so far in this epoch.</param>
/// <param name="SampleCount">Training samples per epoch.</param>
public readonly record struct BatchProgress(int Epoch, int SamplesDone, int SampleCount);
