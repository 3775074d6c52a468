// Augmentation: the contract for changing training inputs on the fly, batch by batch, before each
// training step (Simard et al. 2003: new, slightly distorted copies of the training images every
// epoch). Trainer.Fit calls Apply on every training batch and never on evaluation data. The built-in
// kinds, each its own file, work on images whose width and height they are given; nothing here
// assumes 28x28 digits.
namespace MnistBp;

/// <summary>Changes the inputs of a training batch in place before each training step (data augmentation).</summary>
/// <remarks>
/// <see cref="Trainer.Fit"/> calls <see cref="Apply"/> on every training batch, after filling it and before the
/// step, with a <see cref="DeterministicRandom"/> seeded from <see cref="TrainingOptions.AugmentationSeed"/>, so a
/// run is reproducible. Evaluation and <see cref="Sequential.Predict(ReadOnlySpan{float}, Span{float}, int)"/> never
/// see it. To write your own, override <see cref="Apply"/>; take every random number from <c>random</c>, and do not
/// allocate per call (a training step allocates nothing).
/// </remarks>
public abstract class Augmentation
{
    /// <summary>Transforms each row of <paramref name="inputs"/> in place.</summary>
    /// <param name="inputs">The batch's inputs, [batchSize x featureCount]; each row one sample.</param>
    /// <param name="random">The only source of randomness to use, seeded by the trainer.</param>
    public abstract void Apply(Tensor inputs, DeterministicRandom random);

    /// <summary>The augmentation's name and settings, such as <c>ElasticDistortion alpha=34 sigma=4</c>; the type's name unless overridden.</summary>
    public override string ToString() => GetType().Name;
}
