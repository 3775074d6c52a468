// Sample 05: past the tutorial. Runs one recipe (a network, loss, optimizer and schedule fixed in
// advance, after a published result: Nielsen's chapter 3, Simard et al. 2003, Srivastava et al.
// 2014) on MNIST: one line per epoch, then one look at the test set at the very end. The last line is
//   test accuracy XX.XX% (C of N) after E epochs; T s of training
// with T the seconds of training alone. Exits 1 below --min-accuracy or when training diverged.
using System.Globalization;
using MnistBp;
using MnistBp.Data;
using MnistBp.Samples.Beyond;
using MnistBp.Samples.Digits;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
RecipeOptions options;
try
{
    options = RecipeOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(RecipeOptions.Usage);
    return 0;
}

if (options.List)
{
    // Columns as wide as the longest name and the longest published number.
    int nameWidth = Recipes.All.Max(each => each.Name.Length), publishedWidth = Recipes.All.Max(each => each.Published.Length);
    foreach (Recipe each in Recipes.All)
    {
        Console.WriteLine($"{each.Name.PadRight(nameWidth)}  {each.Published.PadRight(publishedWidth)}  {each.Reference} ({each.Epochs} epochs)");
    }

    return 0;
}

Recipe? recipe = Recipes.All.FirstOrDefault(r => r.Name == options.Recipe);
if (recipe is null)
{
    Console.Error.WriteLine($"error: there is no recipe '{options.Recipe}'; the recipes are {string.Join(", ", Recipes.All.Select(r => r.Name))} (--list)");
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop after the current mini-batch
    cancellation.Cancel();
};

try
{
    if (options.Save is not null)
    {
        OutputPaths.RequireWritableFile("--save", options.Save); // before minutes of training, not after
    }

    if (options.Data is not null && !Directory.Exists(options.Data))
    {
        throw new DirectoryNotFoundException($"--data {options.Data}: there is no such folder (it should hold the four MNIST files).");
    }

    MnistData data = DataLoading.Load(options.Data);
    Dataset training = data.Train, validation = null!;
    if (recipe.Validates)
    {
        // Nielsen's split: the last 10,000 of the 60,000 training images validate (one in six of a smaller set).
        int held = data.Train.Count >= 60000 ? 10000 : data.Train.Count / 6;
        training = data.Train.Slice(0, data.Train.Count - held);
        validation = data.Train.Slice(data.Train.Count - held, held);
    }

    int epochs = options.Epochs ?? recipe.Epochs;
    IReadOnlyList<int> shape = data.Train.ImageShape;
    RecipeRun run = recipe.Build(new RecipeSetup(
        data.Train.FeatureCount, shape[^1], shape.Count > 1 ? shape[^2] : 1, data.Train.ClassCount, training.Count, epochs, options.Seed));
    var trainer = new Trainer(run.Model, run.Loss, run.Optimizer);
    Console.WriteLine($"recipe {recipe.Name}: {recipe.Reference}, published {recipe.Published}");
    Console.WriteLine($"  {run.Settings}");
    Console.WriteLine($"  {run.Optimizer}; batch {run.Options.BatchSize}; {epochs} epoch{(epochs == 1 ? "" : "s")}; seed {options.Seed}; " +
        (recipe.Validates ? $"training on {training.Count}, validating on {validation.Count}" : $"training on all {training.Count} (no validation set)"));

    var bar = new ConsoleProgressBar();
    IReadOnlyList<EpochResult> results = trainer.Fit(
        training,
        run.Options with { Epochs = epochs },
        evaluationData: recipe.Validates ? validation : null,
        epochProgress: new SyncProgress<EpochResult>(r =>
        {
            bar.Clear();
            string measured = r.Evaluation is Evaluation v ? $"validation accuracy {v.Accuracy * 100,6:F2}%  " : "";
            Console.WriteLine($"epoch {r.Epoch,3}/{r.EpochCount}  {measured}mean training loss {r.MeanTrainingLoss:F5}  {r.Duration.TotalSeconds,6:F2} s");
            if (r.Diagnosis is not null)
            {
                Console.WriteLine($"  warning: {r.Diagnosis.Message}");
            }
        }),
        batchProgress: bar,
        cancellationToken: cancellation.Token);

    double trainingSeconds = results.Sum(r => r.Duration.TotalSeconds);
    Evaluation test = Evaluation.Of(run.Model, data.Test, cancellationToken: cancellation.Token); // the one look at the test set
    // The check comes before saving: a run below --min-accuracy leaves a model already at --save as it was.
    bool belowMinimum = options.MinAccuracy is double minimum && test.Accuracy * 100 < minimum;
    if (options.Save is not null && !belowMinimum)
    {
        ModelFile.Save(run.Model, options.Save);
        Console.WriteLine($"model saved to {Path.GetFullPath(options.Save)}");
    }
    else if (options.Save is not null)
    {
        Console.WriteLine($"model not saved to {Path.GetFullPath(options.Save)}: the run failed its check" +
            (File.Exists(options.Save) ? "; the file there is left as it was" : ""));
    }

    Console.WriteLine($"test accuracy {test.Accuracy * 100:F2}% ({test.Correct} of {test.Count}) after {results.Count} epochs; {trainingSeconds:F1} s of training"); // the issue's exact form, "epochs" even for 1
    if (belowMinimum)
    {
        Console.Error.WriteLine($"check failed: test accuracy {test.Accuracy * 100:F2}% is below --min-accuracy {options.MinAccuracy}%");
        return 1;
    }

    return 0;
}
catch (Exception e) when (SampleExit.Handles(e)) // 1 diverged, 130 cancelled, 2 bad input
{
    return SampleExit.Report(e);
}
