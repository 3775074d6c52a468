// Chapter 10's program: a layer of your own, outside the library, doing all that a built-in one does.
// Softplus, a = ln(1 + e^z), the smooth ReLU, is written at the end of this file the way a user
// writes a layer: a subclass of MnistBp.Layer with a Forward and a Backward, and nothing else. The
// library's tools then take it as they take Dense: the gradient check, Trainer.Fit on MNIST with
// evaluation, the debugger text, and, after one LayerRegistry.Register call, ModelFile.Save and Load,
// bit for bit. Run from the repository root:
//   MNISTBP_DATA=../shared/datasets/mnist dotnet run docs/examples/your-own-layer.cs
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

// 1. The gradient check: Backward against finite differences of Forward, on inputs from -3 to 3.
var random = new DeterministicRandom(7);
var z = new Tensor(4, 6, "z");
for (int i = 0; i < z.Length; i++)
{
    z.AsSpan()[i] = 6f * ((float)random.NextDouble() - 0.5f);
}

GradientCheckReport report = GradientCheck.Check(new Softplus(), z);
Console.WriteLine(report);
Check("Softplus passes the gradient check", report.Passed);

// 2. Extreme inputs: both formulas below only ever take e^-|z|, at most 1, so z = ±1000 overflows nothing. At z = -40,
// ln(1 + e^z) is e^-40 = 4.2e-18 to many digits, which ln(1 + x) computed as Log(1 + x) would round to 0.
var softplus = new Softplus();
float[] a = softplus.Forward(Tensor.FromValues(1, 4, [-1000f, -40f, 20f, 1000f])).ToArray();
float[] slope = softplus.Backward(Tensor.FromValues(1, 4, [1f, 1f, 1f, 1f]))!.ToArray();
Console.WriteLine($"z = [-1000, -40, 20, 1000]: a = [{string.Join(", ", a.Select(v => v.ToString("G4")))}], da/dz = σ(z) = [{string.Join(", ", slope.Select(v => v.ToString("G4")))}]");
Check("inputs of ±1000 give a = 0 and 1000 with slopes 0 and 1, and a(-40) = e^-40 to 1e-6 of it",
    a[0] == 0f && a[3] == 1000f && slope[0] == 0f && slope[3] == 1f && Math.Abs(a[1] - Math.Exp(-40)) < 1e-6 * Math.Exp(-40));

// 3. Training: 784-100-10 with Softplus in the hidden layer, through the same Trainer.Fit as a built-in layer.
(Dataset train, Dataset test, string where) = LoadMnist();
var init = new DeterministicRandom(1);
var model = new Sequential(
    new Dense(train.FeatureCount, 100, WeightInit.HeNormal, init, "hidden"),
    new Softplus("hidden softplus"),
    new Dense(100, train.ClassCount, WeightInit.XavierNormal, init, "output"));
var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Momentum(model.Parameters, 0.05f, 0.9f));
Console.WriteLine($"training {model} on {train.Count} images from {where}");
IReadOnlyList<EpochResult> history = trainer.Fit(train, new TrainingOptions { Epochs = 2, BatchSize = 64, ShuffleSeed = 1 }, evaluationData: test);
foreach (EpochResult epoch in history)
{
    Console.WriteLine($"epoch {epoch.Epoch}: mean training loss {epoch.MeanTrainingLoss:F4}, test accuracy {epoch.Evaluation!.Accuracy * 100:F2}%");
}

Console.WriteLine($"messages name the layer as: {model.Layers[1]}");
double minimum = train.Count >= 60000 ? 0.95 : 0.85; // the slice's 8,000 images teach less in two epochs
Check($"a model with Softplus trains past {minimum * 100:F0}% in 2 epochs", history[^1].Evaluation!.Accuracy > minimum && history[^1].Diagnosis is null);

// 4. Saving: one Register call makes the kind loadable; the loaded model predicts the same bits.
LayerRegistry.Register("Docs.Softplus", record => new Softplus(record.Name));
string path = Path.Combine(Path.GetTempPath(), $"softplus-{Environment.ProcessId}.mnbp");
ModelFile.Save(model, path);
Sequential loaded = ModelFile.Load(path);
File.Delete(path);
Tensor images = test.GetImages();
var first = Tensor.FromValues(100, images.Columns, images.AsSpan()[..(100 * images.Columns)].ToArray());
Check("saved and loaded, it is a Softplus again and predicts the same bits",
    loaded.Layers[1] is Softplus && model.Predict(first).ToArray().SequenceEqual(loaded.Predict(first).ToArray()));
return allPassed ? 0 : 1;

// $MNISTBP_DATA when it is set (it must then hold the four files), else the 8,000 + 2,000 image slice shipped with sample 04.
static (Dataset Train, Dataset Test, string Where) LoadMnist()
{
    string? folder = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
    string where = $"${Mnist.EnvironmentVariable}";
    if (!string.IsNullOrWhiteSpace(folder) && !Mnist.IsPresent(folder))
    {
        Console.Error.WriteLine($"error: ${Mnist.EnvironmentVariable} is '{folder}', which does not hold the four MNIST files; fix it, or unset it to train on the slice.");
        Environment.Exit(2);
    }

    if (string.IsNullOrWhiteSpace(folder))
    {
        string repository = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, "..", ".."));
        folder = Path.Combine(repository, "samples", "04-mnist", "mnist-slice");
        where = "the slice samples/04-mnist/mnist-slice (set MNISTBP_DATA for the full MNIST)";
    }

    MnistData data = Mnist.Load(folder);
    return (data.Train, data.Test, where);
}

/// <summary>Element-wise softplus, <c>a = ln(1 + e^z)</c>: a ReLU with the corner rounded off, whose slope is σ(z).</summary>
/// <param name="name">A name shown in the debugger, in messages and in model files.</param>
internal sealed class Softplus(string name = "softplus") : Layer(name)
{
    private Tensor? _input;   // cached by Forward: Backward needs z for the slope σ(z)
    private Tensor? _output;
    private Tensor? _dInput;

    /// <inheritdoc/>
    public override string Kind => "Docs.Softplus"; // the stable name in model files

    /// <inheritdoc/>
    public override string Formula => "a = ln(1 + e^z)";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        _input = input;
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
        ReadOnlySpan<float> z = input.AsSpan();
        Span<float> a = output.AsSpan();
        for (int i = 0; i < z.Length; i++)
        {
            // e = e^-|z|, at most 1, so nothing overflows even for z = ±1000
            double e = Math.Exp(-Math.Abs(z[i]));
            // a = ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)
            a[i] = (float)(Math.Max(z[i], 0f) + LogOnePlus(e));
        }

        return output;
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor dInput = Reuse(ref _dInput, dOutput.Rows, dOutput.Columns, "dz");
        ReadOnlySpan<float> z = _input!.AsSpan(), da = dOutput.AsSpan();
        Span<float> dz = dInput.AsSpan();
        for (int i = 0; i < dz.Length; i++)
        {
            // e = e^-|z| again: σ(z) = 1 / (1 + e^-z) for z >= 0 and e^z / (1 + e^z) for z < 0 are the same number
            double e = Math.Exp(-Math.Abs(z[i]));
            // dz = da · σ(z), since d/dz ln(1 + e^z) = e^z / (1 + e^z) = σ(z)
            dz[i] = da[i] * (float)(z[i] >= 0f ? 1 / (1 + e) : e / (1 + e));
        }

        return dInput;
    }

    // ln(1 + x) for a small x without losing its digits (Goldberg): u = 1 + x is rounded, so take the log of u and
    // correct by how much x differs from what u really added, u - 1
    private static double LogOnePlus(double x)
    {
        double u = 1 + x;
        // ln(1 + x) = ln(u) · x / (u - 1), and = x when u rounds to 1 (there ln(1 + x) = x to every digit)
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }
}
