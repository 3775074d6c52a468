// Regenerates the pictures in docs/pictures, the ones README.md and the chapters show:
//   dotnet run docs/pictures/make-pictures.cs            (from the repository root; needs the full MNIST
//   in $MNISTBP_DATA or ../shared/datasets/mnist)
// The post's 2-2-1 network before and after training, the gradients of its first step on Alice, and a
// 784-100-10 sigmoid network after 5 epochs of sample 04's settings: digits, curves, confusion matrix,
// hidden weights. Everything is seeded, so a rerun on the same kernel path writes the same numbers.
#:project ../../src/MnistBp.Pictures/MnistBp.Pictures.csproj
#:project ../../samples/03-network-from-layers/03-network-from-layers.csproj
using MnistBp;
using MnistBp.Data;
using MnistBp.Pictures;
using MnistBp.Samples.NetworkFromLayers;
using MnistBp.Samples.TutorialNetwork;

string here = Path.GetDirectoryName(Path.GetFullPath("docs/pictures/make-pictures.cs"))!;
if (!File.Exists(Path.Combine(here, "make-pictures.cs")))
{
    Console.Error.WriteLine("Run it from the repository root: dotnet run docs/pictures/make-pictures.cs");
    return 2;
}

string Out(string name) => Path.Combine(here, name);

// The post's network: seed 42 of sample 02, before and after its 1000 epochs.
var tutorial = new OurNeuralNetwork(TutorialData.DefaultSeed);
Sequential network = LayersNetwork.Build(tutorial.CurrentWeights);
string[] inputs = ["weight", "height"];

// One step on Alice (weight -2, height -1, female = 1) from the initial weights: the gradients.
Tensor alice = Tensor.FromValues(1, 2, [-2f, -1f], "x"), yTrue = Tensor.FromValues(1, 1, [1f], "y_true");
var mse = new MeanSquaredError();
Tensor yPred = network.Forward(alice);
network.ZeroGrad();
network.Backward(mse.Backward(yPred, yTrue));
Pictures.NetworkFigure(network, inputs, gradients: true).Save(Out("network-gradients.svg"));

LayersNetwork.Train(network, TutorialData.Data, TutorialData.AllYTrues);
Pictures.NetworkFigure(network, inputs).Save(Out("network.svg"));

// MNIST: 784-100-10, sigmoid, quadratic cost, SGD 3.0, batch 10, 5 epochs, seed 1 (sample 04's defaults but --hidden 100 --epochs 5).
string? folder = new[] { Environment.GetEnvironmentVariable("MNISTBP_DATA"), Path.Combine("..", "shared", "datasets", "mnist") }
    .FirstOrDefault(f => f is not null && Mnist.IsPresent(f));
if (folder is null)
{
    Console.Error.WriteLine("The full MNIST is needed: set MNISTBP_DATA to the folder of the four files.");
    return 1;
}

MnistData mnist = Mnist.Load(folder);
var random = new DeterministicRandom(1);
var model = new Sequential(
    new Dense(784, 100, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden sigmoid"),
    new Dense(100, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("output sigmoid"));
var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
IReadOnlyList<EpochResult> results = trainer.Fit(mnist.Train, new TrainingOptions { Epochs = 5, BatchSize = 10, ShuffleSeed = 1 }, mnist.Test);

Pictures.DigitSheet(mnist.Test, count: 20).Save(Out("digits.svg"));
Pictures.TrainingCurves(results, title: "784-100-10 on MNIST: loss and test accuracy per epoch").Save(Out("curves.svg"));
Pictures.ConfusionMatrix(results[^1].Evaluation!).Save(Out("confusion.svg"));
Pictures.MisclassifiedSheet(model, mnist.Test, count: 12).Save(Out("misclassified.svg"));
Pictures.WeightSheet(model.Layers[0].Parameters[0].Value, columns: 20, scale: 2).Save(Out("weights.png"));
Console.WriteLine($"docs/pictures written; MNIST after 5 epochs: {results[^1].Evaluation}");
return 0;
