// One training step with each layer, loss and optimizer past the tutorial in it (ReLU, leaky ReLU,
// Tanh, Softmax, Dropout; cross-entropy, softmax cross-entropy; momentum, Nesterov, Adam, AdamW,
// SGD with weight decay; gradient clipping and max-norm; a learn-rate schedule), measured by
// BenchmarkDotNet's MemoryDiagnoser. After warm-up every one allocates 0 bytes: the `allocations`
// command (AllocationCheck.cs) runs these and fails on any byte, and on a control that allocates.
using BenchmarkDotNet.Attributes;

namespace MnistBp.Benchmarks;

[MemoryDiagnoser]
public class ComponentStepBenchmarks
{
    /// <summary>Every component the check covers, in the order it reports them; "allocating control" must allocate.</summary>
    public static IReadOnlyList<string> Components { get; } =
    [
        "relu", "leaky relu", "tanh", "softmax", "dropout",
        "cross-entropy", "softmax cross-entropy",
        "momentum", "nesterov", "adam", "adamw", "sgd weight decay",
        "clip and max-norm", "cosine schedule",
        AllocatingControl,
    ];

    /// <summary>A layer that allocates a small array every forward pass: the check must see it.</summary>
    public const string AllocatingControl = "allocating control";

    private const int Inputs = 784, Hidden = 256, Classes = 10;

    private Trainer _trainer = null!;
    private Tensor _inputs = null!, _targets = null!;
    private TrainingOptions _options = null!;
    private LearnRateSchedule? _schedule;
    private int _step;

    [ParamsSource(nameof(Components))]
    public string Component { get; set; } = "relu";

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = Threads };
        var random = new DeterministicRandom(5);
        _trainer = Build(Component, random);
        _options = Component == "clip and max-norm" ? new TrainingOptions { GradientClipNorm = 1f, MaxNorm = 2f } : new TrainingOptions();
        _schedule = Component == "cosine schedule" ? LearnRateSchedule.Cosine() : null;

        _inputs = new Tensor(Batch, Inputs);
        _targets = new Tensor(Batch, Classes);
        Span<float> inputs = _inputs.AsSpan();
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)random.NextDouble();
        }

        for (int r = 0; r < Batch; r++)
        {
            _targets[r, random.NextInt(Classes)] = 1f;
        }

        float before = Step();
        for (int i = 0; i < 30; i++)
        {
            Step();
        }

        float after = Step();
        if (!(after < before))
        {
            throw new InvalidOperationException($"{Component}: training on one batch should lower its loss: {before} -> {after}.");
        }
    }

    /// <summary>Forward, loss, zero grad, backward, (clip), step, (max-norm); with a schedule, the rate is set first.</summary>
    [Benchmark]
    public float Step()
    {
        if (_schedule is not null)
        {
            _trainer.Optimizer.SetLearnRate(_schedule.RateAt(0.05f, _step++ % 1000, 100, 1000));
        }

        return _trainer.Step(_inputs, _targets, _options);
    }

    private static Trainer Build(string component, DeterministicRandom random)
    {
        Dense First() => new(Inputs, Hidden, WeightInit.HeNormal, random, "hidden");
        Dense Last() => new(Hidden, Classes, WeightInit.XavierNormal, random, "output");
        Layer[] ReluNet() => [First(), new Relu("relu"), Last()];

        Layer[] layers = component switch
        {
            "relu" or "softmax cross-entropy" or "momentum" or "nesterov" or "adam" or "adamw" or "sgd weight decay" or "clip and max-norm" or "cosine schedule" => ReluNet(),
            "leaky relu" => [First(), new LeakyRelu(0.01f), Last()],
            "tanh" => [First(), new Tanh(), Last()],
            "softmax" => [First(), new Relu(), Last(), new Softmax()],
            "dropout" => [new Dropout(0.2f, 7, "input dropout"), First(), new Relu(), new Dropout(0.5f, 8), Last()],
            "cross-entropy" => [First(), new Sigmoid(), Last(), new Sigmoid("output sigmoid")],
            AllocatingControl => [First(), new Relu(), new AllocatingLayer(), Last()],
            _ => throw new ArgumentException($"no component '{component}'", nameof(component)),
        };
        Loss loss = component switch
        {
            "softmax" => new QuadraticCost(),
            "cross-entropy" => new CrossEntropyCost(),
            _ => new SoftmaxCrossEntropy(),
        };

        var model = new Sequential(layers);
        Optimizer optimizer = component switch
        {
            "momentum" => new Momentum(model.Parameters, 0.05f, 0.9f),
            "nesterov" or "clip and max-norm" or "cosine schedule" => new Momentum(model.Parameters, 0.05f, 0.9f, nesterov: true),
            "adam" => new Adam(model.Parameters, 1e-3f),
            "adamw" => new AdamW(model.Parameters, 1e-3f, weightDecay: 0.01f),
            "sgd weight decay" => new Sgd(model.Parameters, 0.05f, weightDecay: WeightDecay.FromL2(5f, 50_000)),
            "softmax" or "cross-entropy" => new Sgd(model.Parameters, 0.5f),
            _ => new Sgd(model.Parameters, 0.05f),
        };
        return new Trainer(model, loss, optimizer);
    }

    /// <summary>The control: an identity layer that allocates 64 floats every forward pass.</summary>
    private sealed class AllocatingLayer() : Layer("allocating control")
    {
        public static float[] LastGarbage { get; private set; } = [];

        public override string Kind => "AllocatingControl";

        public override Tensor Forward(Tensor input)
        {
            LastGarbage = new float[64]; // the allocation the check must catch
            return input;
        }

        public override Tensor Backward(Tensor dOutput) => dOutput;
    }
}
