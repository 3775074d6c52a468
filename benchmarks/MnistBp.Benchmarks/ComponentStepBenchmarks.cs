// One training step with each layer, loss and optimizer past the tutorial in it (ReLU, leaky ReLU,
// Tanh, Softmax, Dropout; cross-entropy, softmax cross-entropy; momentum, Nesterov, Adam, AdamW,
// RMSprop, SGD with weight decay; gradient clipping and max-norm; a learn-rate schedule; the affine and
// elastic augmentations applied to the batch first, as Fit does), measured by
// BenchmarkDotNet's MemoryDiagnoser. After warm-up every one allocates 0 bytes: the `allocations`
// command (AllocationCheck.cs) runs these, and two control layers that allocate (every step, and
// every fourth step), and fails when a component allocates or a control is not seen.
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
        "momentum", "nesterov", "adam", "adamw", "rmsprop", "sgd weight decay",
        "clip and max-norm", "cosine schedule", "affine augmentation", "elastic augmentation",
        AllocatingControl, RarelyAllocatingControl,
    ];

    /// <summary>A layer that allocates 64 floats (280 B) every forward pass: the check must see it.</summary>
    public const string AllocatingControl = "allocating control";

    /// <summary>A layer that allocates 2 floats (32 B) every fourth forward pass: the check must see it too.</summary>
    public const string RarelyAllocatingControl = "rarely allocating control";

    /// <summary>Whether <paramref name="component"/> is one of the controls, which must allocate.</summary>
    public static bool IsControl(string component) => component is AllocatingControl or RarelyAllocatingControl;

    private const int Inputs = 784, Hidden = 256, Classes = 10;

    private Trainer _trainer = null!;
    private Tensor _inputs = null!, _targets = null!;
    private TrainingOptions _options = null!;
    private LearnRateSchedule? _schedule;
    private Augmentation? _augmentation;
    private Tensor _augmented = null!;
    private readonly DeterministicRandom _augmentationRandom = new(9);
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
        // Limits far below this net's gradient norm (about 0.1-1) and its columns' norms (about 1.4 at He and Xavier
        // initialisation), so every step clips and rescales; Setup checks that both did.
        _options = Component == "clip and max-norm" ? new TrainingOptions { GradientClipNorm = 0.01f, MaxNorm = 0.5f } : new TrainingOptions();
        _schedule = Component == "cosine schedule" ? LearnRateSchedule.Cosine() : null;
        _augmentation = Component switch
        {
            "affine augmentation" => new AffineAugmentation(28, 28, maxShift: 2f, maxRotationDegrees: 10f, maxScale: 0.1f),
            "elastic augmentation" => new ElasticDistortion(28, 28, alpha: 34f, sigma: 4f, maxRotationDegrees: 10f, maxScale: 0.1f),
            _ => null,
        };

        (_inputs, _targets) = RandomBatch.Make(random, Batch, Inputs, Classes);
        _augmented = new Tensor(Batch, Inputs, "augmented batch");

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

        if (Component == "clip and max-norm")
        {
            RequireClippedAndBounded();
        }

        if (_augmentation is not null && _augmented.AsSpan().SequenceEqual(_inputs.AsSpan()))
        {
            throw new InvalidOperationException($"{Component}: the augmented batch equals the original: the augmentation did nothing.");
        }
    }

    /// <summary>Throws unless the last step's gradients were clipped to norm 0.01 and every weight column is at most 0.5 long.</summary>
    private void RequireClippedAndBounded()
    {
        double sumOfSquares = 0, longestColumn = 0;
        foreach (Parameter parameter in _trainer.Optimizer.Parameters)
        {
            ReadOnlySpan<float> gradient = parameter.Gradient.AsSpan();
            for (int i = 0; i < gradient.Length; i++)
            {
                sumOfSquares += (double)gradient[i] * gradient[i];
            }

            if (parameter.Role == ParameterRole.Weights)
            {
                Tensor w = parameter.Value;
                for (int c = 0; c < w.Columns; c++)
                {
                    double column = 0;
                    for (int r = 0; r < w.Rows; r++)
                    {
                        column += (double)w[r, c] * w[r, c];
                    }

                    longestColumn = Math.Max(longestColumn, Math.Sqrt(column));
                }
            }
        }

        double norm = Math.Sqrt(sumOfSquares);
        if (Math.Abs(norm - 0.01) > 1e-4 || longestColumn > 0.5 + 1e-4)
        {
            throw new InvalidOperationException($"clip and max-norm: the gradient norm is {norm} (clipped to 0.01 expected) and the longest weight column {longestColumn} (at most 0.5 expected): the step did not clip or bound.");
        }
    }

    /// <summary>
    /// Forward, loss, zero grad, backward, (clip), step, (max-norm); with a schedule, the rate is set first by the same
    /// RateAt and SetLearnRate calls Fit makes before every step; with an augmentation, the batch is copied and distorted
    /// first, as Fit distorts every batch it draws.
    /// </summary>
    [Benchmark]
    public float Step()
    {
        if (_schedule is not null)
        {
            _trainer.Optimizer.SetLearnRate(_schedule.RateAt(0.05f, _step++ % 1000, 100, 1000));
        }

        if (_augmentation is not null)
        {
            _augmented.CopyFrom(_inputs);
            _augmentation.Apply(_augmented, _augmentationRandom);
            return _trainer.Step(_augmented, _targets, _options);
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
            "relu" or "softmax cross-entropy" or "momentum" or "nesterov" or "adam" or "adamw" or "rmsprop" or "sgd weight decay" or "clip and max-norm"
                or "cosine schedule" or "affine augmentation" or "elastic augmentation" => ReluNet(),
            "leaky relu" => [First(), new LeakyRelu(0.01f), Last()],
            "tanh" => [First(), new Tanh(), Last()],
            "softmax" => [First(), new Relu(), Last(), new Softmax()],
            "dropout" => [new Dropout(0.2f, 7, "input dropout"), First(), new Relu(), new Dropout(0.5f, 8), Last()],
            "cross-entropy" => [First(), new Sigmoid(), Last(), new Sigmoid("output sigmoid")],
            AllocatingControl => [First(), new Relu(), new AllocatingLayer(every: 1, floats: 64), Last()],
            RarelyAllocatingControl => [First(), new Relu(), new AllocatingLayer(every: 4, floats: 2), Last()],
            _ => throw new ArgumentException($"no component '{component}'", nameof(component)),
        };
        Loss loss = component switch
        {
            "relu" or "softmax" => new QuadraticCost(), // relu: the plain loss, so it is not the same case as "softmax cross-entropy"
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
            "rmsprop" => new RmsProp(model.Parameters, 1e-3f, weightDecay: 1e-4f),
            "sgd weight decay" => new Sgd(model.Parameters, 0.05f, weightDecay: WeightDecay.FromL2(5f, 50_000)),
            "softmax" or "cross-entropy" => new Sgd(model.Parameters, 0.5f),
            _ => new Sgd(model.Parameters, 0.05f),
        };
        return new Trainer(model, loss, optimizer);
    }

    /// <summary>A control: an identity layer that allocates <c>floats</c> floats every <c>every</c>-th forward pass.</summary>
    private sealed class AllocatingLayer(int every, int floats) : Layer("allocating control")
    {
        private int _calls;

        public static float[] LastGarbage { get; private set; } = [];

        public override string Kind => "AllocatingControl";

        public override Tensor Forward(Tensor input)
        {
            if (++_calls % every == 0)
            {
                LastGarbage = new float[floats]; // the allocation the check must catch
            }

            return input;
        }

        public override Tensor Backward(Tensor dOutput) => dOutput;
    }
}
