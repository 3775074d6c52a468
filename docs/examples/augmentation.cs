// Chapter 16's example: the built-in augmentations on MNIST digits. Draws ten training digits as they
// are, under a random affine map (shift, rotation, scale) and under Simard's elastic distortion (alone and
// after an affine map), measures what each costs per 60,000-image epoch, on its own and inside training
// (784-100-10 ReLU, one epoch each), and checks that distorted digits keep their ink and still teach.
// Seeded throughout; the seconds are this machine's, the rest is the same on every run of a kernel path.
//   dotnet run docs/examples/augmentation.cs                    (from the repository root; $MNISTBP_DATA or the slice)
//   dotnet run docs/examples/augmentation.cs -- --save-picture  (also rewrites docs/pictures/augmentation.png)
#:project ../../src/MnistBp/MnistBp.csproj
#:project ../../src/MnistBp.Pictures/MnistBp.Pictures.csproj
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using MnistBp;
using MnistBp.Data;
using MnistBp.Pictures;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
MnistData data = LoadMnist();
Dataset train = data.Train;
const int Size = 28, Pixels = Size * Size;

(string Name, Augmentation? Augmentation)[] kinds =
[
    ("none", null),
    ("affine", new AffineAugmentation(Size, Size, maxShift: 2f, maxRotationDegrees: 15f, maxScale: 0.15f)),
    ("elastic", new ElasticDistortion(Size, Size, alpha: 34f, sigma: 4f)),
    ("elastic + affine", new ElasticDistortion(Size, Size, alpha: 34f, sigma: 4f, maxShift: 2f, maxRotationDegrees: 10f, maxScale: 0.1f)),
];

// The picture: the first training image of each digit 0-9, one row per kind, the same seed for every row.
int[] firstOfEach = [.. Enumerable.Range(0, 10).Select(digit => train.Labels.Span.IndexOf((byte)digit))];
var digits = new Tensor(10, Pixels, "x");
var oneHot = new Tensor(10, 10, "y");
train.FillBatch(firstOfEach, digits, oneHot);
var sheet = new PngImage(10 * 60, kinds.Length * 60, PngFormat.Grey);
sheet.Pixels.Fill(255); // white paper
Console.WriteLine($"{"augmentation",-17} {"mean |change| per pixel",24} {"ink kept",9}");
var change = new Dictionary<string, double>();
var ink = new Dictionary<string, double>();
for (int row = 0; row < kinds.Length; row++)
{
    var copy = new Tensor(10, Pixels, "x");
    copy.CopyFrom(digits);
    kinds[row].Augmentation?.Apply(copy, new DeterministicRandom(7));
    ReadOnlySpan<float> before = digits.AsSpan(), after = copy.AsSpan();
    double changed = 0, inkBefore = 0, inkAfter = 0;
    for (int i = 0; i < after.Length; i++)
    {
        changed += Math.Abs(after[i] - before[i]);
        inkBefore += before[i];
        inkAfter += after[i];
    }

    change[kinds[row].Name] = changed / after.Length;
    ink[kinds[row].Name] = inkAfter / inkBefore;
    Console.WriteLine($"{kinds[row].Name,-17} {change[kinds[row].Name],24:F4} {ink[kinds[row].Name] * 100,8:F1}%");
    for (int digit = 0; digit < 10; digit++)
    {
        // each digit at twice its size, with a 2-pixel margin: ink 1 is black on white
        for (int y = 0; y < 2 * Size; y++)
        {
            for (int x = 0; x < 2 * Size; x++)
            {
                float value = Math.Clamp(copy[digit, ((y / 2) * Size) + (x / 2)], 0f, 1f);
                sheet.SetGrey((digit * 60) + 2 + x, (row * 60) + 2 + y, (byte)MathF.Round(255f * (1f - value)));
            }
        }
    }
}

string picture = Path.Combine(args.Contains("--save-picture") ? Path.Combine(Here(), "..", "pictures") : Path.GetTempPath(), "augmentation.png");
sheet.Save(picture);
string shown = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(picture));
Console.WriteLine($"rows: {string.Join(", ", kinds.Select(k => k.Name))}; written to {(shown.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(picture) : shown)}");
Console.WriteLine();

// The cost of the augmentation alone: every training image once, in the trainer's batches of 10 (fill, then
// apply); and of a training epoch with it. Each the best of two runs, after a warm-up, since the machine is shared.
const int BatchSize = 10;
Sequential NewModel()
{
    var weights = new DeterministicRandom(1);
    return new Sequential(
        new Dense(Pixels, 100, WeightInit.HeNormal, weights, "hidden"), new Relu("a"),
        new Dense(100, 10, WeightInit.XavierNormal, weights, "output"));
}

TrainingOptions Options(Augmentation? augmentation) =>
    new() { Epochs = 1, BatchSize = BatchSize, ShuffleSeed = 1, Augmentation = augmentation, AugmentationSeed = 5 };

foreach ((_, Augmentation? augmentation) in kinds)
{
    Sequential warm = NewModel();
    new Trainer(warm, new SoftmaxCrossEntropy(), new Momentum(warm.Parameters, 0.01f, 0.9f)).Fit(train.Slice(0, 1000), Options(augmentation));
}

var inputs = new Tensor(BatchSize, Pixels, "x");
var targets = new Tensor(BatchSize, 10, "y");
int[] order = [.. Enumerable.Range(0, train.Count)];
int batches = train.Count / BatchSize;
Console.WriteLine($"{"augmentation",-17} {"alone, s/epoch",15} {"µs/image",9} {"training epoch, s",18} {"test accuracy",14}   ({train.Count} images, batch {BatchSize}, 784-100-10 ReLU, momentum)");
var alone = new Dictionary<string, double>();
var epoch = new Dictionary<string, double>();
var accuracy = new Dictionary<string, double>();
foreach ((string name, Augmentation? augmentation) in kinds)
{
    alone[name] = double.MaxValue;
    epoch[name] = double.MaxValue;
    for (int run = 0; run < 2; run++)
    {
        var random = new DeterministicRandom(11);
        var watch = Stopwatch.StartNew();
        for (int b = 0; b < batches; b++)
        {
            train.FillBatch(order.AsSpan(b * BatchSize, BatchSize), inputs, targets);
            augmentation?.Apply(inputs, random);
        }

        alone[name] = Math.Min(alone[name], watch.Elapsed.TotalSeconds);

        Sequential model = NewModel();
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Momentum(model.Parameters, 0.01f, 0.9f));
        TrainingHistory history = trainer.Fit(train, Options(augmentation));
        epoch[name] = Math.Min(epoch[name], history[0].Duration.TotalSeconds);
        accuracy[name] = Evaluation.Of(model, data.Test).Accuracy; // the same seeds, the same weights both times
    }

    Console.WriteLine($"{name,-17} {alone[name],15:F3} {alone[name] * 1e6 / train.Count,9:F1} {epoch[name],18:F2} {accuracy[name] * 100,13:F2}%");
}

Console.WriteLine($"('alone' includes filling the batch, {alone["none"]:F3} s with no augmentation; {Environment.ProcessorCount} cores; {clock.Elapsed.TotalSeconds:F1} s in all)");
bool distorts = kinds.Skip(1).All(k => change[k.Name] > 0.02);
bool keepsInk = kinds.Skip(1).All(k => Math.Abs(ink[k.Name] - 1) < 0.25);
bool stillTeaches = kinds.Skip(1).All(k => accuracy[k.Name] >= 0.9 * accuracy["none"]);
Console.WriteLine($"every augmentation changes the digits (mean |change| above 0.02): {distorts}");
Console.WriteLine($"every augmentation keeps the ink within 25%: {keepsInk}");
Console.WriteLine($"one epoch on distorted digits keeps at least 90% of the test accuracy of one on the originals: {stillTeaches}");
return distorts && keepsInk && stillTeaches ? 0 : 1;

// The folder of this file.
static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

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
