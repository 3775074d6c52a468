// TrainingDivergedException: what Trainer.Step and Trainer.Fit throw when a batch's loss is NaN or
// infinite. The trainer checks one float per step (the loss, before backward and the update), so
// the happy path costs nothing; only once the loss is bad does it look at the batch and the weights
// to say why. It does not repair anything: the model is left as the previous step made it.
using System.Globalization;

namespace MnistBp;

/// <summary>
/// Thrown by <see cref="Trainer.Step(Tensor, Tensor)"/> and <see cref="Trainer.Fit"/> when the loss of a mini-batch is NaN or
/// infinite. That batch's update is not applied: the check runs before Backward and the optimizer's Step, so the
/// model holds the weights the previous step left (the message says whether those are finite).
/// </summary>
/// <remarks>
/// A NaN in the batch's inputs, or a NaN or Inf in its targets, makes its loss NaN, so bad data stops training at the
/// first batch that holds it. A NaN that appears only in a gradient (the loss still finite, as with an infinite
/// input, which saturates a sigmoid) reaches the weights through that step's update and shows in the next step's
/// loss; the message then says the weights are already non-finite (<see cref="WeightsFinite"/> is false).
/// </remarks>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a message only; the properties are null or NaN.</summary>
    public TrainingDivergedException()
        : this("Training diverged: the loss is not finite.")
    {
    }

    /// <summary>Creates the exception with a message only; the properties are null or NaN.</summary>
    /// <param name="message">The message.</param>
    public TrainingDivergedException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and a cause; the properties are null or NaN.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one, or null.</param>
    public TrainingDivergedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Value = float.NaN;
        Optimizer = "";
        Cause = "";
    }

    /// <summary>Creates the exception with everything the trainer knows about the step.</summary>
    /// <param name="message">The message (names the epoch, the batch, the value, the optimizer and the model's state).</param>
    /// <param name="epoch">The epoch, counting from 1; null when <see cref="Trainer.Step(Tensor, Tensor)"/> was called directly.</param>
    /// <param name="batch">The mini-batch within the epoch, counting from 1; null when <see cref="Trainer.Step(Tensor, Tensor)"/> was called directly.</param>
    /// <param name="value">The loss of the batch: NaN or ±Infinity.</param>
    /// <param name="learnRate">The optimizer's <see cref="Optimizer.ReportedLearnRate"/>.</param>
    /// <param name="optimizer">The optimizer's settings, as its ToString gives them.</param>
    /// <param name="cause">What the trainer found, in words: the sample and feature holding a NaN, or a weight that is already NaN, or neither.</param>
    /// <param name="weightsFinite">Whether every weight of the model is finite (the update of this step was not applied).</param>
    public TrainingDivergedException(string message, int? epoch, int? batch, float value, float? learnRate, string optimizer, string cause, bool weightsFinite)
        : base(message)
    {
        Epoch = epoch;
        Batch = batch;
        Value = value;
        LearnRate = learnRate;
        Optimizer = optimizer ?? "";
        Cause = cause ?? "";
        WeightsFinite = weightsFinite;
    }

    /// <summary>The epoch of the failing step, counting from 1; null when <see cref="Trainer.Step(Tensor, Tensor)"/> was called directly.</summary>
    public int? Epoch { get; }

    /// <summary>The mini-batch of the failing step within its epoch, counting from 1; null when <see cref="Trainer.Step(Tensor, Tensor)"/> was called directly.</summary>
    public int? Batch { get; }

    /// <summary>The batch's loss: NaN, +Infinity or -Infinity.</summary>
    public float Value { get; }

    /// <summary>The optimizer's learn rate at that step (<see cref="Optimizer.ReportedLearnRate"/>); null when it reports none.</summary>
    public float? LearnRate { get; }

    /// <summary>The optimizer's settings as its ToString gives them, such as <c>Sgd learnRate=3</c>.</summary>
    public string Optimizer { get; }

    /// <summary>What the trainer found when it looked, in a sentence: where a non-finite input, target or weight is, or that all were finite.</summary>
    public string Cause { get; }

    /// <summary>Whether every weight of the model was finite when the exception was thrown (true for bad data: the step was refused before it could spread).</summary>
    public bool WeightsFinite { get; }

    internal static string Describe(float value) => value.ToString("G9", CultureInfo.InvariantCulture);
}
