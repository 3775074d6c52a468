// Chapter 13's program: overfitting and what holds it back (Nielsen, "Neural Networks and Deep
// Learning", chapter 3, "Overfitting and regularization"). MNIST's 60,000 training images split
// Nielsen's way into 50,000 to train on and 10,000 to validate on; only the first 1,000 are trained
// on, so the network memorises them. Four runs of 784-30-10 (sigmoid, N(0, 1) start as in Nielsen's
// overfitting runs, cross-entropy, η = 0.5, batch 10, seed 1, 40 epochs): plain, L2 with λ/n, dropout with max-norm, and plain with early stopping that restores
// the best weights. The test set is touched once per run, at the end. Run from the repository root:
//   MNISTBP_DATA=../shared/datasets/mnist dotnet run docs/examples/overfitting.cs
// Without $MNISTBP_DATA it uses the slice in samples/04-mnist/mnist-slice. Exits 1 when a check fails.
#:project ../../src/MnistBp/MnistBp.csproj
using System.Globalization;
using MnistBp;
using MnistBp.Data;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool allPassed = true;
void Check(string what, bool passed)
{
    Console.WriteLine($"{what}: {(passed ? "true" : "false")}");
    allPassed &= passed;
}

const int TrainingCount = 1000, ValidationShown = 2000, Epochs = 40;
const float LearnRate = 0.5f, Lambda = 0.1f;
(Dataset all, Dataset test, string where) = LoadMnist();
// Nielsen's split: the first 50,000 training images to learn from, the last 10,000 to validate on (on the slice: 6,000 and 2,000).
int validationCount = all.Count >= 60000 ? 10000 : 2000;
Dataset learnFrom = all.Slice(0, all.Count - validationCount);
// Every epoch is validated, so only the first 2,000 of the held-out images are used: enough to see the gap, and quick.
Dataset validation = all.Slice(all.Count - validationCount, ValidationShown);
Dataset train = learnFrom.Slice(0, TrainingCount);
Console.WriteLine($"from {where}: training on the first {train.Count} of {learnFrom.Count}, validating on {validation.Count} of the {validationCount} held out, testing once on {test.Count}");
Console.WriteLine($"784-30-10 sigmoid, weights and biases N(0, 1), CrossEntropyCost, η = {LearnRate}, batch 10, seed 1, {Epochs} epochs");

int[] shown = [1, 5, 10, 20, 30, 40];
var finals = new Dictionary<string, (double Train, double Validation, double Test)>();
foreach (string run in new[] { "plain", "L2", "dropout + max-norm", "early stopping" })
{
    var random = new DeterministicRandom(1);
    var layers = new List<Layer> { new Dense(784, 30, WeightInit.StandardNormal, random, "hidden"), new Sigmoid("hidden sigmoid") };
    if (run == "dropout + max-norm")
    {
        layers.Add(new Dropout(rate: 0.5f, seed: 1, "hidden dropout"));
    }

    layers.AddRange([new Dense(30, 10, WeightInit.StandardNormal, random, "output"), new Sigmoid("output sigmoid")]);
    var model = new Sequential([.. layers]);
    // L2: C = C0 + λ/(2n) Σ w², so every step adds (λ/n)·w to dW; n = the 1,000 images trained on.
    float weightDecay = run == "L2" ? WeightDecay.FromL2(Lambda, train.Count) : 0f;
    var trainer = new Trainer(model, new CrossEntropyCost(), new Sgd(model.Parameters, LearnRate, weightDecay));
    var options = new TrainingOptions
    {
        Epochs = Epochs,
        BatchSize = 10,
        ShuffleSeed = 1,
        MaxNorm = run == "dropout + max-norm" ? 2f : null,
        EarlyStoppingPatience = run == "early stopping" ? 10 : null,
    };
    var trainingAccuracy = new List<double>();
    TrainingHistory history = trainer.Fit(train, options, validation,
        epochProgress: new Progress(_ => trainingAccuracy.Add(Evaluation.Of(model, train).Accuracy)));

    string settings = run switch
    {
        "L2" => $"Sgd weightDecay = WeightDecay.FromL2({Lambda}, {train.Count}) = {weightDecay:G3}",
        "dropout + max-norm" => "Dropout(0.5) after the hidden sigmoid, MaxNorm = 2",
        "early stopping" => "EarlyStoppingPatience = 10",
        _ => "no regularisation",
    };
    Console.WriteLine();
    Console.WriteLine($"{run}: {settings}");
    Console.WriteLine($"  {"epoch",5} {"loss",8} {"training",9} {"validation",11}");
    foreach (EpochResult result in history.Where(r => shown.Contains(r.Epoch) || r.Epoch == history.Count))
    {
        Console.WriteLine($"  {result.Epoch,5} {result.MeanTrainingLoss,8:F4} {100 * trainingAccuracy[result.Epoch - 1],8:F2}% {100 * result.Evaluation!.Accuracy,10:F2}%");
    }

    double validationNow = Evaluation.Of(model, validation).Accuracy;
    double testOnce = Evaluation.Of(model, test).Accuracy; // the only look at the test set
    finals[run] = (Evaluation.Of(model, train).Accuracy, validationNow, testOnce);
    Console.WriteLine($"  {history}; best validation epoch {history.BestEpoch} ({100 * history[history.BestEpoch!.Value - 1].Evaluation!.Accuracy:F2}%)");
    Console.WriteLine($"  the model as Fit left it: training {100 * finals[run].Train:F2}%, validation {100 * validationNow:F2}%, test {100 * testOnce:F2}%");
    if (run == "early stopping")
    {
        Check("early stopping stopped and gave back the best epoch's weights",
            history.StoppedEarly && validationNow == history[history.BestEpoch!.Value - 1].Evaluation!.Accuracy);
    }
}

Console.WriteLine();
double Gap(string run) => finals[run].Train - finals[run].Validation;
Check("the plain network overfits: over 99.5% on its training images, at least 10 points fewer on validation",
    finals["plain"].Train > 0.995 && Gap("plain") >= 0.10);
Check("L2 narrows the gap between training and validation accuracy", Gap("L2") < Gap("plain"));
Check("dropout + max-norm narrows it too", Gap("dropout + max-norm") < Gap("plain"));
return allPassed ? 0 : 1;

// $MNISTBP_DATA when it holds the four files, else the 8,000 + 2,000 image slice shipped with sample 04.
static (Dataset Train, Dataset Test, string Where) LoadMnist()
{
    string? folder = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
    string where = $"${Mnist.EnvironmentVariable}";
    if (string.IsNullOrWhiteSpace(folder) || !Mnist.IsPresent(folder))
    {
        string repository = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, "..", ".."));
        folder = Path.Combine(repository, "samples", "04-mnist", "mnist-slice");
        where = "the slice samples/04-mnist/mnist-slice (set MNISTBP_DATA for the full MNIST)";
    }

    MnistData data = Mnist.Load(folder);
    return (data.Train, data.Test, where);
}

// Called on the training thread after every epoch (System.Progress<T> would post to the thread pool).
sealed class Progress(Action<EpochResult> report) : IProgress<EpochResult>
{
    public void Report(EpochResult value) => report(value);
}
