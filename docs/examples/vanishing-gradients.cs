// Chapter 14's example: the vanishing gradient problem, measured layer by layer. A 784-30-30-30-30-10
// network (Nielsen's chapter 5 deepest one), four ways: sigmoid or ReLU hidden layers, each with the
// old N(0, 1/inputSize) weights or the initialisation made for it (Xavier for sigmoid, He for ReLU).
// For each: the norm of the bias gradient of every hidden layer on 1,000 training images (Nielsen's
// "speed of learning"), then one epoch of SGD and the test accuracy. Not a benchmark, not a search.
//   dotnet run docs/examples/vanishing-gradients.cs     (from the repository root; $MNISTBP_DATA or the slice)
#:project ../../src/MnistBp/MnistBp.csproj
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using MnistBp;
using MnistBp.Data;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
MnistData data = LoadMnist();
Dataset probe = data.Train.Slice(0, 1000);
Tensor probeImages = new Tensor(probe.Count, probe.FeatureCount, "x"), probeTargets = new Tensor(probe.Count, probe.TargetCount, "y");
probe.FillBatch([.. Enumerable.Range(0, probe.Count)], probeImages, probeTargets);
Dataset train = data.Train.Slice(0, Math.Min(20_000, data.Train.Count));

const int HiddenLayers = 4, Width = 30;
(string Name, bool Relu, WeightInit Init)[] setups =
[
    ("sigmoid, N(0, 1/n)", false, WeightInit.ScaledNormal),
    ("sigmoid, Xavier", false, WeightInit.XavierNormal),
    ("ReLU, N(0, 1/n)", true, WeightInit.ScaledNormal),
    ("ReLU, He", true, WeightInit.HeNormal),
];

Console.WriteLine($"784-{string.Join("-", Enumerable.Repeat(Width, HiddenLayers))}-10, softmax + cross-entropy; ||db|| of each hidden layer on {probe.Count} training images (layer 1 = next to the input)");
Console.WriteLine($"{"hidden layers, init",-20} {"||db1||",9} {"||db2||",9} {"||db3||",9} {"||db4||",9} {"db1/db4",8} {"test acc. after 1 epoch",24}");
var ratios = new Dictionary<string, double>();
var accuracies = new Dictionary<string, double>();
foreach ((string name, bool relu, WeightInit init) in setups)
{
    Sequential model = Build(relu, init, seed: 1);
    var loss = new SoftmaxCrossEntropy();

    // one forward and backward pass over the probe batch: dLoss/db of every layer, the batch average
    Tensor logits = model.Forward(probeImages);
    model.ZeroGrad();
    model.Backward(loss.Backward(logits, probeTargets));
    double[] norms = [.. model.Layers.OfType<Dense>().Take(HiddenLayers).Select(dense => Norm(dense.Biases.Gradient))];
    ratios[name] = norms[0] / norms[^1];

    // then one epoch of plain SGD, the same for all four, and the test accuracy
    var trainer = new Trainer(model, loss, new Sgd(model.Parameters, 0.1f));
    trainer.Fit(train, new TrainingOptions { Epochs = 1, BatchSize = 10, ShuffleSeed = 1 });
    accuracies[name] = Evaluation.Of(model, data.Test).Accuracy;
    Console.WriteLine($"{name,-20} {string.Join(" ", norms.Select(n => n.ToString("F5").PadLeft(9)))} {ratios[name],8:F3} {accuracies[name] * 100,22:F2}%");
}

Console.WriteLine($"(trained on {train.Count} images, tested on {data.Test.Count}; {clock.Elapsed.TotalSeconds:F1} s in all)");
bool vanishes = ratios["sigmoid, N(0, 1/n)"] < 0.25;
bool heKeeps = ratios["ReLU, He"] > 0.5 && ratios["ReLU, He"] > 4 * ratios["sigmoid, N(0, 1/n)"];
bool heLearns = accuracies["ReLU, He"] > accuracies["sigmoid, N(0, 1/n)"];
Console.WriteLine($"the sigmoid net's first layer learns over 4 times slower than its last: {vanishes}");
Console.WriteLine($"ReLU with He keeps the first layer's gradient within 2x of the last: {heKeeps}");
Console.WriteLine($"ReLU with He is more accurate after one epoch than sigmoid with N(0, 1/n): {heLearns}");
return vanishes && heKeeps && heLearns ? 0 : 1;

// HiddenLayers hidden layers of Width neurons, each Dense then the activation; the output layer's logits go to the loss.
static Sequential Build(bool relu, WeightInit init, ulong seed)
{
    var random = new DeterministicRandom(seed);
    var model = new Sequential();
    int inputSize = 784;
    for (int layer = 1; layer <= HiddenLayers; layer++)
    {
        model.Add(new Dense(inputSize, Width, init, random, $"hidden {layer}"));
        model.Add(relu ? new Relu($"a{layer}") : new Sigmoid($"s{layer}"));
        inputSize = Width;
    }

    WeightInit outputInit = init == WeightInit.ScaledNormal ? init : WeightInit.XavierNormal;
    return model.Add(new Dense(inputSize, 10, outputInit, random, "output"));
}

// ||x|| = sqrt(Σ x²)
static double Norm(Tensor tensor)
{
    double sum = 0;
    foreach (float value in tensor.AsSpan())
    {
        sum += (double)value * value;
    }

    return Math.Sqrt(sum);
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
