// TrainingOptions and the progress records the Trainer reports: plain data, validated up front so a
// bad setting fails before the first epoch rather than in the middle of one.
namespace MnistBp;

/// <summary>How <see cref="Trainer.Fit"/> trains: epochs, mini-batch size and the shuffling seed.</summary>
public sealed record TrainingOptions
{
    /// <summary>Number of passes over the training data; at least 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per mini-batch; at least 1. The last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>Seed of the <see cref="DeterministicRandom"/> that shuffles the samples at the start of every epoch.</summary>
    public ulong ShuffleSeed { get; init; }

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
/// <param name="Evaluation">The result on the evaluation data, or null when none was given.</param>
public sealed record EpochResult(int Epoch, int EpochCount, double MeanTrainingLoss, TimeSpan Duration, Evaluation? Evaluation);

/// <summary>Progress inside an epoch, reported after every mini-batch.</summary>
/// <param name="Epoch">The current epoch, counting from 1.</param>
/// <param name="SamplesDone">Training samples processed so far in this epoch.</param>
/// <param name="SampleCount">Training samples per epoch.</param>
public readonly record struct BatchProgress(int Epoch, int SamplesDone, int SampleCount);
