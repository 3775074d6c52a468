// Chapter 12's program: softmax, its Jacobian-vector backward, the fused softmax + cross-entropy
// gradient p - y, and log-sum-exp keeping logits of ±1000 finite (Nielsen, "Neural Networks and Deep
// Learning", chapter 3, "Softmax"); then 784-30-10 on MNIST with sigmoid outputs + cross-entropy
// against logits + softmax cross-entropy. Run from the repository root:
//   MNISTBP_DATA=../shared/datasets/mnist dotnet run docs/examples/softmax.cs
// Without $MNISTBP_DATA it trains on the slice in samples/04-mnist/mnist-slice. Exits 1 when a check fails.
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

string Show(ReadOnlySpan<float> values) => "[" + string.Join(", ", values.ToArray().Select(v => v.ToString("G6", CultureInfo.InvariantCulture))) + "]";

// 1. Softmax of one sample's three logits.
Tensor z = Tensor.FromValues(1, 3, [1f, 2f, 3f], "z");
var softmax = new Softmax();
Tensor p = softmax.Forward(z);
Console.WriteLine($"z = {Show(z.AsSpan())}  ->  p = softmax(z) = {Show(p.AsSpan())}, Σ p = {p.AsSpan().ToArray().Sum():G6}");

// 2. Backward as a Jacobian-vector product, against the Jacobian J[i, j] = ∂p_j/∂z_i = p_j (δ_ij - p_i) built in full.
Tensor dP = Tensor.FromValues(1, 3, [0.5f, -1f, 2f], "dP");
Tensor dZ = softmax.Backward(dP);
var byJacobian = new float[3];
for (int i = 0; i < 3; i++)
{
    for (int j = 0; j < 3; j++)
    {
        float jacobian = p[0, j] * ((i == j ? 1f : 0f) - p[0, i]);
        byJacobian[i] += jacobian * dP[0, j];
    }
}

float jvpError = Enumerable.Range(0, 3).Max(i => Math.Abs(dZ[0, i] - byJacobian[i]));
Console.WriteLine($"dP = {Show(dP.AsSpan())}: Softmax.Backward gives dZ = {Show(dZ.AsSpan())}");
Console.WriteLine($"                     J·dP with the 3 x 3 Jacobian = {Show(byJacobian)}   (largest difference {jvpError:G3})");
Check("the Jacobian-vector product equals the full Jacobian times dP", jvpError < 1e-6f);

// 3. Softmax then the log-likelihood C = -ln p_y (target class 2): dP = -y / p, then back through softmax; the fused loss gives p - y at once.
Tensor y = Tensor.FromValues(1, 3, [0f, 0f, 1f], "y");
Tensor dPLog = Tensor.FromValues(1, 3, [.. Enumerable.Range(0, 3).Select(j => -y[0, j] / p[0, j])], "dP");
Tensor twoSteps = softmax.Backward(dPLog);
var fused = new SoftmaxCrossEntropy();
float fusedLoss = fused.Forward(z, y);
Tensor fusedGradient = fused.Backward(z, y);
float[] pMinusY = [.. Enumerable.Range(0, 3).Select(j => p[0, j] - y[0, j])];
float fusedError = Enumerable.Range(0, 3).Max(j => Math.Abs(fusedGradient[0, j] - pMinusY[j]));
Console.WriteLine($"target y = {Show(y.AsSpan())}: -ln p_y = {-MathF.Log(p[0, 2]):G6}, SoftmaxCrossEntropy.Forward = {fusedLoss:G6}");
Console.WriteLine($"  Softmax.Backward(-y / p) = {Show(twoSteps.AsSpan())}");
Console.WriteLine($"  SoftmaxCrossEntropy.Backward = {Show(fusedGradient.AsSpan())}, p - y = {Show(pMinusY)}");
Check("the fused gradient is p - y (batch of 1)", fusedError < 1e-6f);

// 4. Logits of ±1000, the target the class the network is surest is wrong.
Tensor big = Tensor.FromValues(1, 3, [1000f, -1000f, 0f], "z");
Tensor yBig = Tensor.FromValues(1, 3, [0f, 1f, 0f], "y");
float[] naiveExp = [.. big.AsSpan().ToArray().Select(MathF.Exp)];
float naiveSum = naiveExp.Sum();
float[] naiveP = [.. naiveExp.Select(e => e / naiveSum)];
float naiveLoss = -MathF.Log(naiveP[1]);
Tensor shiftedP = new Softmax().Forward(big);
float layerThenLog = -MathF.Log(shiftedP[0, 1]);
float bigLoss = fused.Forward(big, yBig);
Tensor bigGradient = fused.Backward(big, yBig);
Console.WriteLine($"z = {Show(big.AsSpan())}, y = {Show(yBig.AsSpan())}");
Console.WriteLine($"  e^z / Σ e^z, as written     p = {Show(naiveP)}, -ln p_y = {naiveLoss}");
Console.WriteLine($"  Softmax layer (max taken)   p = {Show(shiftedP.AsSpan())}, -ln p_y = {layerThenLog}");
Console.WriteLine($"  SoftmaxCrossEntropy         C = {bigLoss:G6}, dZ = {Show(bigGradient.AsSpan())}");
Check("logits of ±1000 give a finite fused loss and gradient",
    float.IsFinite(bigLoss) && bigGradient.AsSpan().ToArray().All(float.IsFinite));
Check("the formula as written gives NaN and an infinite loss there", float.IsNaN(naiveP[0]) && !float.IsFinite(naiveLoss));

// 5. MNIST, 784-30-10, sigmoid hidden layer, batch 10, η = 0.5, seed 1: sigmoid outputs + CrossEntropyCost, or logits + SoftmaxCrossEntropy.
(Dataset all, Dataset test, string where) = LoadMnist();
// The first 20,000 training images (all of them on the slice): 3 epochs of each run stay well under a minute, even in Debug.
Dataset train = all.Slice(0, Math.Min(20000, all.Count));
Console.WriteLine();
Console.WriteLine($"784-30-10, sigmoid hidden layer, η = 0.5, batch 10, seed 1, the first {train.Count} training and all {test.Count} test images from {where}");
var accuracies = new Dictionary<string, double[]>();
foreach ((string name, bool softmaxOutput) in new[] { ("sigmoid outputs + CrossEntropyCost", false), ("logits + SoftmaxCrossEntropy", true) })
{
    var random = new DeterministicRandom(1);
    var layers = new List<Layer>
    {
        new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden sigmoid"),
        new Dense(30, 10, WeightInit.ScaledNormal, random, softmaxOutput ? "logits" : "output"),
    };
    if (!softmaxOutput)
    {
        layers.Add(new Sigmoid("output sigmoid"));
    }

    var model = new Sequential([.. layers]);
    Loss loss = softmaxOutput ? new SoftmaxCrossEntropy() : new CrossEntropyCost();
    TrainingHistory history = new Trainer(model, loss, new Sgd(model.Parameters, 0.5f))
        .Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 10, ShuffleSeed = 1 }, test);
    accuracies[name] = [.. history.Select(r => r.Evaluation!.Accuracy)];
    Console.WriteLine($"  {name,-36} test accuracy after epochs 1, 2, 3: {string.Join(", ", accuracies[name].Select(v => $"{100 * v:F2}%"))}");
}

Check("softmax cross-entropy trained MNIST past 85% in 3 epochs", accuracies["logits + SoftmaxCrossEntropy"][^1] > 0.85);
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
