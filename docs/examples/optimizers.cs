// Chapter 15's example: the same network, the same batches in the same order, seven ways to step.
// 784-100-10, ReLU with He weights, softmax + cross-entropy, batches of 10, seed 1; plain SGD, momentum,
// Nesterov, RMSprop, Adam, AdamW, and momentum again under a warm-up + cosine learn-rate schedule. Prints the
// mean training loss of each epoch, the loss on the training images after the last step and the test
// accuracy; exits 1 when momentum or Adam does not beat plain SGD. Settings are the usual defaults,
// not tuned here.
//   dotnet run docs/examples/optimizers.cs     (from the repository root; $MNISTBP_DATA or the slice)
#:project ../../src/MnistBp/MnistBp.csproj
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using MnistBp;
using MnistBp.Data;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();

// Part 1, a long narrow valley: L(w) = ½ (w1² + 100 w2²) from w = (1, 1); its curvatures are 1 and 100, so
// plain gradient descent must keep η < 2/100 (η = 0.01 here) and then crawls along w1 at (1 - η) per step.
(string Name, Func<Parameter, Optimizer> Create)[] valleyRuns =
[
    ("SGD η=0.01", p => new Sgd([p], 0.01f)),
    ("momentum η=0.01 μ=0.9", p => new Momentum([p], 0.01f, 0.9f)),
    ("Nesterov η=0.01 μ=0.9", p => new Momentum([p], 0.01f, 0.9f, nesterov: true)),
    ("RMSprop η=0.01 ρ=0.9", p => new RmsProp([p], 0.01f, 0.9f)),
    ("Adam η=0.1", p => new Adam([p], 0.1f)),
    ("AdamW η=0.1 λ=0.01", p => new AdamW([p], 0.1f, weightDecay: 0.01f)),
];
int[] checkpoints = [10, 30, 100, 300];
Console.WriteLine("L(w) = ½ (w1² + 100 w2²), from w = (1, 1), L = 50.5");
Console.WriteLine($"{"optimizer",-27} {string.Join(" ", checkpoints.Select(c => $"L after {c}".PadLeft(12)))}");
var valley = new Dictionary<string, double[]>();
foreach ((string name, Func<Parameter, Optimizer> create) in valleyRuns)
{
    var w = new Parameter(Tensor.FromValues([1f, 1f], "w"), ParameterRole.Weights);
    Optimizer optimizer = create(w);
    var losses = new List<double>();
    for (int step = 1; step <= checkpoints[^1]; step++)
    {
        Span<float> value = w.Value.AsSpan(), gradient = w.Gradient.AsSpan();
        // dL/dw1 = w1, dL/dw2 = 100 w2
        gradient[0] = value[0];
        gradient[1] = 100f * value[1];
        optimizer.Step();
        if (checkpoints.Contains(step))
        {
            // L = ½ (w1² + 100 w2²)
            losses.Add(0.5 * ((value[0] * value[0]) + (100.0 * value[1] * value[1])));
        }
    }

    valley[name] = [.. losses];
    Console.WriteLine($"{name,-27} {string.Join(" ", losses.Select(l => l.ToString("0.00E+00").PadLeft(12)))}");
}

Console.WriteLine();
MnistData data = LoadMnist();
Dataset train = data.Train.Slice(0, Math.Min(8_000, data.Train.Count));
const int Epochs = 3, BatchSize = 10;
int steps = Epochs * (train.Count / BatchSize);

(string Name, Func<IReadOnlyList<Parameter>, Optimizer> Create, LearnRateSchedule? Schedule)[] runs =
[
    ("SGD η=0.1", p => new Sgd(p, 0.1f), null),
    ("momentum η=0.01 μ=0.9", p => new Momentum(p, 0.01f, 0.9f), null),
    ("Nesterov η=0.01 μ=0.9", p => new Momentum(p, 0.01f, 0.9f, nesterov: true), null),
    ("RMSprop η=0.001 ρ=0.9", p => new RmsProp(p, 0.001f, 0.9f), null),
    ("Adam η=0.001", p => new Adam(p, 0.001f), null),
    ("AdamW η=0.001 λ=0.01", p => new AdamW(p, 0.001f, weightDecay: 0.01f), null),
    ("momentum, warm-up + cosine", p => new Momentum(p, 0.02f, 0.9f), LearnRateSchedule.WarmUp(200, 0.1f, LearnRateSchedule.Cosine())),
];

Console.WriteLine($"784-100-10 ReLU/He, softmax + cross-entropy, {train.Count} training images, batch {BatchSize}, {Epochs} epochs = {steps} steps, the same order for all");
Console.WriteLine($"{"optimizer",-27} {"epoch 1",8} {"epoch 2",8} {"epoch 3",8} {"after " + steps,10} {"test acc.",9}");
var final = new Dictionary<string, double>();
foreach ((string name, Func<IReadOnlyList<Parameter>, Optimizer> create, LearnRateSchedule? schedule) in runs)
{
    var random = new DeterministicRandom(1);
    var model = new Sequential(
        new Dense(784, 100, WeightInit.HeNormal, random, "hidden"), new Relu("a"),
        new Dense(100, 10, WeightInit.XavierNormal, random, "output"));
    var loss = new SoftmaxCrossEntropy();
    var trainer = new Trainer(model, loss, create(model.Parameters));
    TrainingHistory history = trainer.Fit(train, new TrainingOptions { Epochs = Epochs, BatchSize = BatchSize, ShuffleSeed = 1, Schedule = schedule });
    final[name] = LossOn(model, loss, train);
    double accuracy = Evaluation.Of(model, data.Test).Accuracy * 100;
    Console.WriteLine($"{name,-27} {string.Join(" ", history.Select(r => r.MeanTrainingLoss.ToString("F4").PadLeft(8)))} {final[name],10:F4} {accuracy,8:F2}%");
}

Console.WriteLine($"(mean loss over each epoch's steps; 'after' = the loss on all {train.Count} training images after the last step; {clock.Elapsed.TotalSeconds:F1} s in all)");
var warmUpCosine = LearnRateSchedule.WarmUp(200, 0.1f, LearnRateSchedule.Cosine());
int[] shown = [0, 100, 200, 1000, steps / 2, steps - 1];
Console.WriteLine($"{warmUpCosine}, base rate 0.02: " + string.Join(", ", shown.Select(t => $"step {t}: {warmUpCosine.RateAt(0.02f, t, train.Count / BatchSize, steps):G3}")));
bool momentumBeatsSgd = valley["momentum η=0.01 μ=0.9"][2] < valley["SGD η=0.01"][2] / 100 && valley["Nesterov η=0.01 μ=0.9"][2] < valley["SGD η=0.01"][2] / 100;
bool allLearn = final.Values.All(value => value < 0.5);
bool scheduleHelps = final["momentum, warm-up + cosine"] < final["momentum η=0.01 μ=0.9"];
Console.WriteLine($"in the valley, momentum and Nesterov are 100 times lower than plain SGD after 100 steps: {momentumBeatsSgd}");
Console.WriteLine($"on MNIST every optimizer brings the loss from about ln 10 = 2.30 below 0.5: {allLearn}");
Console.WriteLine($"on MNIST warm-up + cosine ends lower than momentum at a constant rate: {scheduleHelps}");
return momentumBeatsSgd && allLearn && scheduleHelps ? 0 : 1;

// C = (1/n) Σ_rows [log Σ_k e^(z_k) - Σ_j y_j z_j] over the whole data set, one batch of 1000 at a time
static double LossOn(Sequential model, Loss loss, Dataset data)
{
    var inputs = new Tensor(1000, data.FeatureCount, "x");
    var targets = new Tensor(1000, data.TargetCount, "y");
    var outputs = new Tensor(1000, 10, "z");
    double sum = 0;
    for (int first = 0; first + 1000 <= data.Count; first += 1000)
    {
        data.FillBatch([.. Enumerable.Range(first, 1000)], inputs, targets);
        model.Predict(inputs.AsSpan(), outputs.AsSpan(), 1000);
        sum += loss.Forward(outputs, targets) * 1000.0;
    }

    return sum / (data.Count / 1000 * 1000);
}

// The full MNIST from $MNISTBP_DATA, else the slice shipped with sample 04 (8,000 training, 2,000 test images).
static MnistData LoadMnist([CallerFilePath] string here = "")
{
    string? folder = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
    if (!string.IsNullOrWhiteSpace(folder) && Mnist.IsPresent(folder))
    {
        return Mnist.Load(folder);
    }

    string slice = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples", "04-mnist", "mnist-slice"));
    Console.WriteLine($"${Mnist.EnvironmentVariable} does not name a folder with the full MNIST: using the slice in {slice}");
    return Mnist.Load(slice);
}
