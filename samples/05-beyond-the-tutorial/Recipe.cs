// What a recipe is: a network, a loss, an optimizer and a training schedule, all fixed before the
// run starts, with the published result it reproduces. Recipes.cs holds the recipes themselves.
namespace MnistBp.Samples.Beyond;

/// <summary>What a recipe is built from: the data's sizes and the run's seed and epoch count.</summary>
/// <param name="InputSize">Features per sample (784 for MNIST).</param>
/// <param name="ImageWidth">Image width in pixels.</param>
/// <param name="ImageHeight">Image height in pixels.</param>
/// <param name="ClassCount">Classes (10 for MNIST); never assumed.</param>
/// <param name="TrainingCount">Training samples (50,000 with a validation split).</param>
/// <param name="Epochs">Epochs of this run (the recipe's own, or --epochs).</param>
/// <param name="Seed">The run's seed.</param>
internal readonly record struct RecipeSetup(int InputSize, int ImageWidth, int ImageHeight, int ClassCount, int TrainingCount, int Epochs, ulong Seed);

/// <summary>A recipe made ready to train.</summary>
/// <param name="Model">The network, initialised.</param>
/// <param name="Loss">The loss to minimise.</param>
/// <param name="Optimizer">The optimizer over the model's parameters.</param>
/// <param name="Options">Batch size, epochs, schedule, augmentation, early stopping.</param>
/// <param name="Settings">What the run prints about itself, one line.</param>
internal sealed record RecipeRun(Sequential Model, Loss Loss, Optimizer Optimizer, TrainingOptions Options, string Settings);

/// <summary>A fixed training schedule chosen in advance, with the published number it reproduces.</summary>
/// <param name="Name">The name given to --recipe.</param>
/// <param name="Reference">Who published it, and where.</param>
/// <param name="Published">Their number, as they state it.</param>
/// <param name="Epochs">Epochs of the full run.</param>
/// <param name="Validates">
/// True: train on all but the last 10,000 training images and report the accuracy on those each epoch (Nielsen's
/// split). Early stopping would stop on it when the recipe's options set a patience; none does, since restoring the
/// best validation epoch did not help nielsen-ch3 (see its comment). False: train on all 60,000 with a fixed
/// schedule and report the training loss.
/// </param>
/// <param name="Build">Makes the model, loss, optimizer and options for one run.</param>
internal sealed record Recipe(string Name, string Reference, string Published, int Epochs, bool Validates, Func<RecipeSetup, RecipeRun> Build);
