// `dotnet run -c Release --project benchmarks/MnistBp.Benchmarks -- epoch [--batch 10,32,128] [--threads 1,2] [--reps 3]`
// Times one epoch of 784-100-10 sigmoid / quadratic cost / SGD lr 3.0 on the full MNIST, the same
// network and data the peers in ../shared/peers train, after an untimed warm-up. Prints one line
// per run, `mnistbp threads=T bs=B sec=S acc=A`, which benchmarks/side-by-side.py reads.
// The kernel path comes from MNISTBP_KERNELS as everywhere (`MNISTBP_KERNELS=vector` or
// `avx512=off` for the optimization ladder of docs/performance.md); --threads sets the thread count.
using System.Diagnostics;
using System.Globalization;
using MnistBp.Data;

namespace MnistBp.Benchmarks;

internal static class EpochCommand
{
    public static int Run(string[] args)
    {
        int[] batches = [10, 32, 128], threads = [1, 2];
        int reps = 3;
        string? data = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--batch": batches = ParseList(args[i + 1]); break;
                case "--threads": threads = ParseList(args[i + 1]); break;
                case "--reps": reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--data": data = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        MnistData mnist = Mnist.Load(data ?? DataFolder.Find(), download: false);
        Console.WriteLine($"# MnistBp epoch timer: 784-100-10, {mnist.Train.Count} training images; Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector<float>.Count {System.Numerics.Vector<float>.Count}, {Environment.ProcessorCount} cores; kernels {KernelSettings.Current}");

        // Warm-up, untimed: every batch size and thread count on 10,000 images (buffers, first calls),
        // then a pause. .NET compiles a method quickly first and optimizes it on a background thread
        // once it has been called often (tiered compilation); without the pause the first timed epoch
        // partly ran the quick code and was 20-40% slower at batch 10 than the following ones.
        Dataset warmUp = mnist.Train.Slice(0, 10_000);
        for (int round = 0; round < 2; round++)
        {
            foreach (int t in threads)
            {
                foreach (int b in batches)
                {
                    KernelSettings.Current = KernelSettings.Current with { ThreadCount = t };
                    NewTrainer().Fit(warmUp, new TrainingOptions { BatchSize = b });
                }
            }

            Thread.Sleep(500);
        }

        for (int rep = 0; rep < reps; rep++)
        {
            foreach (int b in batches)
            {
                foreach (int t in rep % 2 == 0 ? threads : threads.Reverse())
                {
                    KernelSettings.Current = KernelSettings.Current with { ThreadCount = t };
                    Trainer trainer = NewTrainer();
                    GC.Collect();
                    long start = Stopwatch.GetTimestamp();
                    trainer.Fit(mnist.Train, new TrainingOptions { BatchSize = b, ShuffleSeed = 12345 });
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    double accuracy = Evaluation.Of(trainer.Model, mnist.Test).Accuracy;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"mnistbp threads={t} bs={b} sec={seconds:F4} acc={accuracy:F4} gflops={19.18 / seconds:F1}"));
                }
            }
        }

        return 0;
    }

    /// <summary>784-100-10 with N(0, 1) weights, as the peers' scripts initialise it.</summary>
    internal static Trainer NewTrainer()
    {
        var random = new DeterministicRandom(0);
        var model = new Sequential(
            new Dense(784, 100, WeightInit.StandardNormal, random, "hidden"), new Sigmoid(),
            new Dense(100, 10, WeightInit.StandardNormal, random, "output"), new Sigmoid());
        return new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
    }

    private static int[] ParseList(string text) => [.. text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
}
