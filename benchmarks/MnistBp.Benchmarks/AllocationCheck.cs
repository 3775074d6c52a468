// The `allocations` command: runs ComponentStepBenchmarks (a training step with each layer, loss and
// optimizer past the tutorial, 1 and 2 threads, batch 1 and 64) under BenchmarkDotNet's
// MemoryDiagnoser and prints the bytes allocated per step. It exits 1 if the 1,024 steps of a
// measured iteration allocate 4 KB or more in all (one 24-byte object every sixth step would), or if
// either control is not seen: one allocates 280 B every step, the other 32 B every fourth step (8 KB
// per iteration). A check that cannot see an allocation checks nothing. CI runs it.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MnistBp.Benchmarks;

internal static class AllocationCheck
{
    private const int StepsPerIteration = 1024;
    private const long ToleranceBytes = 4096;

    public static int Run()
    {
        // A fixed 1,024 steps per iteration, each case in its own process: allocation counts, not timings.
        // MemoryDiagnoser counts the bytes of every thread (GC.GetTotalAllocatedBytes), so the kernel worker threads
        // are seen too. The 4 KB tolerance per iteration is for what is not a step's: 336 B, once per iteration, in 10 of
        // the 56 cases on 2026-12-02 (10 of 60 with RMSprop, later that day), in 1-thread runs too (where no worker thread exists), never twice.
        // Three warm-up iterations, not one: after one, a CI run once saw 12,336 B in the measured iteration of one case
        // (RMSprop, 2 threads, batch 64) that two reruns did not (0 B): one-time work landing late, not a step's allocation.
        Job job = Job.Dry
            .WithWarmupCount(3)
            .WithIterationCount(1)
            .WithInvocationCount(StepsPerIteration)
            .WithUnrollFactor(1)
            .WithId("allocations");
        IConfig config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "mnistbp-allocations"));
        Summary summary = BenchmarkRunner.Run<ComponentStepBenchmarks>(config);

        int failures = 0, measured = 0, controls = 0;
        Console.WriteLine();
        Console.WriteLine($"bytes allocated per training step (BenchmarkDotNet MemoryDiagnoser), and in all over the {StepsPerIteration} steps of the measured iteration:");
        foreach (BenchmarkReport report in summary.Reports)
        {
            var parameters = report.BenchmarkCase.Parameters;
            string component = (string)parameters[nameof(ComponentStepBenchmarks.Component)];
            string where = $"{component}, {parameters[nameof(ComponentStepBenchmarks.Threads)]} thread(s), batch {parameters[nameof(ComponentStepBenchmarks.Batch)]}";
            long? perStep = report.Success ? report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) : null;
            long? total = report.Success ? report.GcStats.GetTotalAllocatedBytes(excludeAllocationQuantumSideEffects: false) : null;
            bool control = ComponentStepBenchmarks.IsControl(component);
            string verdict;
            if (perStep is null || total is null || report.GcStats.TotalOperations != StepsPerIteration)
            {
                verdict = "FAILED: no measurement";
                failures++;
            }
            else if (control)
            {
                bool seen = total >= ToleranceBytes && perStep > 0;
                verdict = seen ? "allocates, as the control must" : "FAILED: the control's allocation was not seen";
                failures += seen ? 0 : 1;
                controls += seen ? 1 : 0;
            }
            else
            {
                bool clean = total < ToleranceBytes && perStep == 0;
                verdict = clean ? "ok" : "FAILED: allocates";
                failures += clean ? 0 : 1;
                measured++;
            }

            Console.WriteLine($"  {where,-52} {perStep?.ToString() ?? "-",6} B per step {total?.ToString() ?? "-",8} B in all  {verdict}");
        }

        int expected = (ComponentStepBenchmarks.Components.Count - 2) * 2 * 2;
        if (measured != expected || controls != 2 * 2 * 2)
        {
            Console.WriteLine($"FAILED: {measured} component steps measured ({expected} expected), {controls} controls seen (8 expected)");
            failures++;
        }

        Console.WriteLine(failures == 0
            ? $"allocation check passed: {measured} training steps allocate 0 bytes per step (under {ToleranceBytes} B per {StepsPerIteration} steps); both controls are seen"
            : $"allocation check FAILED: {failures} problem(s)");
        return failures == 0 ? 0 : 1;
    }
}
