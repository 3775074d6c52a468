// Chapter 11's program: the learning slowdown of a sigmoid with the quadratic cost, and how the
// cross-entropy cost removes it (Nielsen, "Neural Networks and Deep Learning", chapter 3, "The
// cross-entropy cost function"). One sigmoid neuron taught "1 -> 0" from a good and a bad start,
// then 784-30-10 on 20,000 MNIST images for 3 epochs with each cost. Run from the repository root:
//   MNISTBP_DATA=../shared/datasets/mnist dotnet run docs/examples/cross-entropy.cs
// Without $MNISTBP_DATA it trains on the slice in samples/04-mnist/mnist-slice. Exits 1 when a check fails.
#:project ../../src/MnistBp/MnistBp.csproj
using System.Globalization;
using MnistBp;
using MnistBp.Data;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool allPassed = true;
void Check(string what, bool passed)
{
    Console.WriteLine($"{what}: {(passed ? "true" : "false")}");
    allPassed &= passed;
}

// Part 1: one neuron, a = σ(w·x + b), taught to turn the input 1 into the output 0 (Nielsen's example).
Console.WriteLine("One sigmoid neuron, x = 1, y = 0, learn rate 0.15, one step per epoch");
Tensor x = Tensor.FromValues(1, 1, [1f], "x"), y = Tensor.FromValues(1, 1, [0f], "y");
(Sequential Model, Dense Neuron, Sigmoid Activation) Neuron(float w, float b)
{
    var dense = new Dense(1, 1, "neuron");
    dense.Weights.Value.AsSpan()[0] = w;
    dense.Biases.Value.AsSpan()[0] = b;
    var sigmoid = new Sigmoid("σ");
    return (new Sequential(dense, sigmoid), dense, sigmoid);
}

// The first step's gradients from the bad start w = b = 2: dZ is (a - y)·σ'(z) for the quadratic cost, a - y for cross-entropy.
foreach (Loss loss in new Loss[] { new QuadraticCost(), new CrossEntropyCost() })
{
    (Sequential model, Dense dense, Sigmoid sigmoid) = Neuron(2f, 2f);
    Tensor a = model.Forward(x);
    model.ZeroGrad();
    Tensor dZ = sigmoid.Backward(loss.Backward(a, y));
    dense.Backward(dZ);
    Console.WriteLine($"  w = b = 2, {loss.GetType().Name,-16}: a = {a[0, 0]:F4}, a - y = {a[0, 0] - y[0, 0]:F4}, dZ = {dZ[0, 0]:F4}, dW = {dense.Weights.Gradient[0, 0]:F4}");
}

// A neuron saturated and wrong: w = b = 10, so z = 20 and a float sigmoid gives exactly 1. Apart, the Sigmoid layer's
// a (1 - a) is exactly 0 and nothing reaches w; fused into the loss (SigmoidCrossEntropy, on the logit z), dZ = a - y.
float[] saturatedDw = new float[2];
foreach ((int index, bool fused) in new[] { (0, false), (1, true) })
{
    (Sequential model, Dense dense, _) = Neuron(10f, 10f);
    Sequential logit = new(dense);
    Loss loss = fused ? new SigmoidCrossEntropy() : new CrossEntropyCost();
    Sequential used = fused ? logit : model;
    used.ZeroGrad();
    used.Backward(loss.Backward(used.Forward(x), y));
    saturatedDw[index] = dense.Weights.Gradient[0, 0];
    string how = fused ? "SigmoidCrossEntropy on z" : "Sigmoid + CrossEntropyCost";
    Console.WriteLine($"  w = b = 10, {how,-26}: a = {model.PredictSample([1f])[0]:F4}, dW = {saturatedDw[index]:F4}");
}

int[] shown = [0, 10, 50, 100, 150, 200, 300];
var firstBelow = new Dictionary<string, int>();
Console.WriteLine($"  {"start",-12} {"cost",-16} " + string.Join(" ", shown.Select(e => $"{"a@" + e,7}")) + "   epochs to a < 0.1");
foreach ((float w, float b) in new[] { (0.6f, 0.9f), (2f, 2f) })
{
    foreach (Loss loss in new Loss[] { new QuadraticCost(), new CrossEntropyCost() })
    {
        (Sequential model, _, _) = Neuron(w, b);
        var trainer = new Trainer(model, loss, new Sgd(model.Parameters, learnRate: 0.15f));
        var outputs = new List<float> { model.PredictSample([1f])[0] };
        var costs = new List<float> { loss.Forward(model.Forward(x), y) };
        int below = -1;
        for (int epoch = 1; epoch <= 300; epoch++)
        {
            trainer.Step(x, y);
            float a = model.PredictSample([1f])[0];
            outputs.Add(a);
            costs.Add(loss.Forward(model.Forward(x), y));
            if (below < 0 && a < 0.1f)
            {
                below = epoch;
            }
        }

        string name = loss.GetType().Name;
        firstBelow[$"{w},{b},{name}"] = below < 0 ? int.MaxValue : below;
        string start = $"w={w},b={b}";
        Console.WriteLine($"  {start,-12} {name,-16} " + string.Join(" ", shown.Select(e => $"{outputs[e],7:F4}")) + $"   {(below < 0 ? "> 300" : below.ToString(CultureInfo.InvariantCulture))}");
        Console.WriteLine($"  {"",-12} {"  its cost C",-16} " + string.Join(" ", shown.Select(e => $"{costs[e],7:F4}")));
    }
}

Check("cross-entropy learned faster than quadratic cost from the bad start (w = b = 2)",
    firstBelow["2,2,CrossEntropyCost"] < firstBelow["2,2,QuadraticCost"]);
Check("the quadratic cost learned slower from the bad start than from the good one",
    firstBelow["2,2,QuadraticCost"] > firstBelow["0.6,0.9,QuadraticCost"]);
Check("at a = 1 exactly, only the fused SigmoidCrossEntropy still teaches w (dW = a - y = 1)",
    saturatedDw[0] == 0f && saturatedDw[1] == 1f);

// Part 2: 784-30-10 sigmoid on MNIST, the same start (seed 1) for every run, batch 10.
(Dataset all, Dataset test, string where) = LoadMnist();
// The first 20,000 training images (all of them on the slice): 3 epochs of each run stay well under a minute, even in Debug.
Dataset train = all.Slice(0, Math.Min(20000, all.Count));
Console.WriteLine();
Console.WriteLine($"784-30-10 sigmoid, batch 10, seed 1, the first {train.Count} training and all {test.Count} test images from {where}");
var accuracy = new Dictionary<string, double[]>();
foreach ((string name, Func<Loss> newLoss, float learnRate) in new (string, Func<Loss>, float)[]
{
    ("quadratic, η = 0.5", () => new QuadraticCost(), 0.5f),
    ("cross-entropy, η = 0.5", () => new CrossEntropyCost(), 0.5f),
    ("quadratic, η = 3.0", () => new QuadraticCost(), 3f),
})
{
    var random = new DeterministicRandom(1);
    var model = new Sequential(
        new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden sigmoid"),
        new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("output sigmoid"));
    var trainer = new Trainer(model, newLoss(), new Sgd(model.Parameters, learnRate));
    TrainingHistory history = trainer.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 10, ShuffleSeed = 1 }, test);
    accuracy[name] = [.. history.Select(r => r.Evaluation!.Accuracy)];
    Console.WriteLine($"  {name,-24} test accuracy after epochs 1, 2, 3: {string.Join(", ", accuracy[name].Select(v => $"{100 * v:F2}%"))}");
}

Check("cross-entropy learned faster than quadratic cost on MNIST (epoch 1, same η = 0.5)",
    accuracy["cross-entropy, η = 0.5"][0] > accuracy["quadratic, η = 0.5"][0]);
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
