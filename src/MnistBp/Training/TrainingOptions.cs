// TrainingOptions and the progress records the Trainer reports: plain data, validated up front so a
// bad setting fails before the first epoch rather than in the middle of one.
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

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Epochs or BatchSize is below 1.</exception>
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
public sealed record EpochResult(int Epoch, int EpochCount, double MeanTrainingLoss, TimeSpan Duration, Evaluation? Evaluation, double? EvaluationLoss = null, TrainingDiagnosis? Diagnosis = null);

/// <summary>Progress inside an epoch, reported after every mini-batch.</summary>
/// <param name="Epoch">The current epoch, counting from 1.</param>
/// <param name="SamplesDone">Training samples processed so far in this epoch.</param>
/// <param name="SampleCount">Training samples per epoch.</param>
public readonly record struct BatchProgress(int Epoch, int SamplesDone, int SampleCount);
