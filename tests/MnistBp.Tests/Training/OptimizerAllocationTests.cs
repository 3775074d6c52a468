// A training step allocates nothing once warm, for every optimizer and with a schedule, clipping and
// max-norm on: Trainer.Step with options, and Fit itself, measured between batches from inside its
// batchProgress callback (so Fit's per-run allocations, the order array and the results, are not
// counted). The AllocationTests pattern: the smallest of three windows, so a one-off runtime
// allocation (a JIT tier-up) cannot fail it, but a per-step one fails all three.
using MnistBp.Data;

namespace MnistBp.Tests.Training;

[NonParallelizable] // allocation counting wants the process to itself, and the Fit test sets KernelSettings.Current
internal sealed class OptimizerAllocationTests : RestoresKernelSettings
{
    private static Optimizer NewOptimizer(string name, IEnumerable<Parameter> parameters) => name switch
    {
        "sgd-decay" => new Sgd(parameters, 0.5f, weightDecay: 1e-4f),
        "momentum" => new Momentum(parameters, 0.1f, weightDecay: 1e-4f),
        "nesterov" => new Momentum(parameters, 0.1f, nesterov: true),
        "adam" => new Adam(parameters, weightDecay: 1e-4f),
        "rmsprop" => new RmsProp(parameters, weightDecay: 1e-4f),
        _ => new AdamW(parameters),
    };

    private static Trainer NewTrainer(string optimizer)
    {
        var random = new DeterministicRandom(1);
        var model = new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("h"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("o"));
        return new Trainer(model, new QuadraticCost(), NewOptimizer(optimizer, model.Parameters));
    }

    [Test]
    public void A_step_allocates_nothing_for_every_optimizer_with_clipping_and_max_norm(
        [Values("sgd-decay", "momentum", "nesterov", "adam", "adamw", "rmsprop")] string optimizer, [Values] bool clipAndMaxNorm)
    {
        Trainer trainer = NewTrainer(optimizer);
        var inputs = new Tensor(10, 784);
        var targets = new Tensor(10, 10);
        inputs.Fill(0.5f);
        targets[0] = 1f;
        var options = clipAndMaxNorm ? new TrainingOptions { GradientClipNorm = 0.01f, MaxNorm = 0.5f } : new TrainingOptions();
        for (int i = 0; i < 50; i++)
        {
            trainer.Step(inputs, targets, options);
        }

        Assert.That(Allocations.SmallestOfWindows(() => trainer.Step(inputs, targets, options), 20, allThreads: true), Is.Zero); // every thread: long updates split across the kernel threads
    }

    [Test]
    public void Fit_allocates_nothing_per_step_with_a_schedule_clipping_and_max_norm([Values("momentum", "adam")] string optimizer)
    {
        // One kernel thread, so the calling thread's counter sees every step's work; the steps on two threads are the
        // Step test's (counted on every thread). What this adds is Fit's own loop: the gather, the schedule, the callbacks.
        KernelSettings.Current = KernelSettings.Current with { ThreadCount = 1 };
        Trainer trainer = NewTrainer(optimizer);
        Dataset data = Dataset.FromIdx(new IdxArray([1000, 28, 28], new byte[1000 * 784], "images"), new IdxArray([1000], new byte[1000], "labels"), classCount: 10);
        var options = new TrainingOptions
        {
            Epochs = 1,
            BatchSize = 10,
            ShuffleSeed = 3,
            Schedule = LearnRateSchedule.WarmUp(20, 0.1f, LearnRateSchedule.Cosine(1e-4f)),
            GradientClipNorm = 0.5f,
            MaxNorm = 2f,
        };
        long[] allocated = new long[100];
        int batch = 0;
        var recorder = new ScheduleTests.Recorder<BatchProgress>(_ => allocated[batch++] = GC.GetAllocatedBytesForCurrentThread());
        long smallest = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            batch = 0;
            trainer.Fit(data, options, batchProgress: recorder);
            smallest = Math.Min(smallest, allocated[99] - allocated[20]); // steps 22 to 100 of the run
        }

        Assert.That(smallest, Is.Zero, "bytes over 79 steps");
    }
}
