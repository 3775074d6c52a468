// Sample 04: the question the learner asked: the same layers, 784 inputs, MNIST. Loads the real
// 60,000 training and 10,000 test images (from --data, $MNISTBP_DATA or the per-user cache,
// downloading when missing; else, loudly, the small slice shipped beside this sample), trains a
// sigmoid MLP with the library's Trainer, prints one line per epoch (and the trainer's diagnosis when
// it sees saturation, divergence or NaN), then the confusion matrix. It exits non-zero when training
// diverged to NaN, when the last epoch has a diagnosis, or when the accuracy is below --min-accuracy.
using System.Diagnostics;
using System.Globalization;
using MnistBp;
using MnistBp.Data;
using MnistBp.Pictures;
using MnistBp.Samples.Digits;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
MnistOptions options;
try
{
    options = MnistOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(MnistOptions.Usage);
    return 0;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop after the current mini-batch instead of killing the process
    cancellation.Cancel();
};

try
{
    // Refuse a --save or --report path that cannot work before spending minutes on training.
    if (options.Save is not null)
    {
        OutputPaths.RequireWritableFile("--save", options.Save);
    }

    if (options.Report is not null)
    {
        OutputPaths.RequireWritableFolder("--report", options.Report);
    }

    if (options.Data is not null && !Directory.Exists(options.Data))
    {
        throw new DirectoryNotFoundException($"--data {options.Data}: there is no such folder (it should hold the four MNIST files).");
    }

    MnistData data = DataLoading.Load(options.Data);

    // 784 -> hidden -> 10, a sigmoid after each Dense layer.
    var random = new DeterministicRandom(options.Seed);
    int inputSize = data.Train.FeatureCount, outputSize = data.Train.ClassCount;
    var model = new Sequential(
        new Dense(inputSize, options.Hidden, options.Init, random, "hidden"),
        new Sigmoid("hidden sigmoid"),
        new Dense(options.Hidden, outputSize, options.Init, random, "output"),
        new Sigmoid("output sigmoid"));
    var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, options.LearnRate));

    Console.WriteLine($"network: {inputSize}-{options.Hidden}-{outputSize} sigmoid, quadratic cost, SGD learn rate {options.LearnRate}, " +
        $"batch {options.Batch}, {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}, init {(options.Init == WeightInit.ScaledNormal ? "N(0, 1/inputSize)" : "N(0, 1)")}, seed {options.Seed}");

    var trainingAccuracies = new List<double>(); // only for --report: one extra pass over the training data per epoch, outside the timed training
    var bar = new ConsoleProgressBar();
    var stopwatch = Stopwatch.StartNew();
    IReadOnlyList<EpochResult> results = trainer.Fit(
        data.Train,
        new TrainingOptions { Epochs = options.Epochs, BatchSize = options.Batch, ShuffleSeed = options.Seed },
        evaluationData: data.Test,
        epochProgress: new SyncProgress<EpochResult>(r =>
        {
            bar.Clear();
            Console.WriteLine($"epoch {r.Epoch,3}/{r.EpochCount}  test accuracy {r.Evaluation!.Accuracy * 100,6:F2}%  " +
                $"mean training loss {r.MeanTrainingLoss:F5}  {r.Duration.TotalSeconds,6:F2} s" +
                (r.Evaluation.NonFiniteCount == 0 ? "" : $"  ({r.Evaluation.NonFiniteCount} outputs not finite)"));
            if (r.Diagnosis is not null)
            {
                Console.WriteLine($"  warning: {r.Diagnosis.Message}");
            }

            if (options.Report is not null)
            {
                trainingAccuracies.Add(Evaluation.Of(model, data.Train).Accuracy);
            }
        }),
        batchProgress: bar,
        cancellationToken: cancellation.Token);

    Evaluation final = results[^1].Evaluation!;
    double meanSeconds = results.Average(r => r.Duration.TotalSeconds);
    Console.WriteLine();
    Console.WriteLine($"test accuracy {final.Accuracy * 100:F2}% ({final.Correct} of {final.Count}) after {results.Count} epoch{(results.Count == 1 ? "" : "s")}; " +
        $"{meanSeconds:F2} s per epoch of training, {stopwatch.Elapsed.TotalSeconds:F1} s in all" +
        (final.NonFiniteCount == 0 ? "" : $"; {final.NonFiniteCount} test images got NaN or Inf outputs (no prediction, counted as wrong)"));
    Console.WriteLine();
    Console.WriteLine(final.FormatConfusionMatrix());

    // The checks come before saving: a run that fails them leaves a model already at --save as it was.
    string? failure = results[^1].Diagnosis is TrainingDiagnosis diagnosis
        ? $"{diagnosis.Problem} after the last epoch (see the warning above)"
        : options.MinAccuracy is double minimum && final.Accuracy * 100 < minimum
            ? $"test accuracy {final.Accuracy * 100:F2}% is below --min-accuracy {minimum}%"
            : null;
    if (options.Save is not null && failure is null)
    {
        ModelFile.Save(model, options.Save);
        Console.WriteLine($"model saved to {Path.GetFullPath(options.Save)}");
    }
    else if (options.Save is not null)
    {
        Console.WriteLine($"model not saved to {Path.GetFullPath(options.Save)}: the run failed its check" +
            (File.Exists(options.Save) ? "; the file there is left as it was" : ""));
    }

    if (options.Report is not null)
    {
        (string, string)[] settings =
        [
            ("network", $"{inputSize}-{options.Hidden}-{outputSize}, sigmoid after each Dense layer"),
            ("loss", "quadratic cost, C = Σ (a - y)² / (2 n)"),
            ("optimizer", trainer.Optimizer.ToString()),
            ("batch", options.Batch.ToString(CultureInfo.InvariantCulture)),
            ("epochs", options.Epochs.ToString(CultureInfo.InvariantCulture)),
            ("initial weights", options.Init == WeightInit.ScaledNormal ? "N(0, 1/inputSize)" : "N(0, 1)"),
            ("seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
            ("data", $"{data.Train.Count} training and {data.Test.Count} test images from {data.Location.Path}"),
        ];
        string page = TrainingReport.Write(
            new TrainingRun($"Sample 04: {inputSize}-{options.Hidden}-{outputSize} on MNIST", settings, results, model, data.Test, trainingAccuracies), options.Report);
        Console.WriteLine($"report written to {page}");
    }

    if (failure is not null)
    {
        Console.Error.WriteLine($"check failed: {failure}");
        return 1;
    }

    return 0;
}
catch (Exception e) when (SampleExit.Handles(e)) // 1 diverged, 130 cancelled, 2 bad input
{
    return SampleExit.Report(e);
}
