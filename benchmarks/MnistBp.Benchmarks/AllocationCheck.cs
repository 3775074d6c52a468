// The `allocations` command: runs ComponentStepBenchmarks (a training step with each layer, loss and
// optimizer past the tutorial, 1 and 2 threads, batch 1 and 64) under BenchmarkDotNet's
// MemoryDiagnoser, prints the bytes allocated per step, and exits 1 if any step allocates, or if
// the allocating control does not (a check that cannot see an allocation checks nothing). CI runs it.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MnistBp.Benchmarks;

internal static class AllocationCheck
{
    private const int StepsPerIteration = 1024;

    public static int Run()
    {
        // A fixed 1024 steps per iteration after one warm-up iteration, each case in its own process: allocation
        // counts, not timings. MemoryDiagnoser counts the bytes of every thread (GC.GetTotalAllocatedBytes), so the
        // kernel worker threads are seen too. With 32 steps per iteration, a few hundred bytes allocated once in a
        // while by the runtime or the harness (in 1-thread runs too, where no worker exists) showed as 10 B per step in
        // 6 of 60 cases; over 1024 steps BenchmarkDotNet reports 0 for all of them and still 280 B for the control.
        Job job = Job.Dry
            .WithWarmupCount(1)
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

        int failures = 0, measured = 0;
        Console.WriteLine();
        Console.WriteLine("bytes allocated per training step (BenchmarkDotNet MemoryDiagnoser):");
        foreach (BenchmarkReport report in summary.Reports)
        {
            var parameters = report.BenchmarkCase.Parameters;
            string component = (string)parameters[nameof(ComponentStepBenchmarks.Component)];
            string where = $"{component}, {parameters[nameof(ComponentStepBenchmarks.Threads)]} thread(s), batch {parameters[nameof(ComponentStepBenchmarks.Batch)]}";
            long? bytes = report.Success ? report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) : null;
            bool control = component == ComponentStepBenchmarks.AllocatingControl;
            string verdict;
            if (bytes is null)
            {
                verdict = "FAILED: no measurement";
                failures++;
            }
            else if (control)
            {
                verdict = bytes > 0 ? "allocates, as the control must" : "FAILED: the control's allocation was not seen";
                failures += bytes > 0 ? 0 : 1;
            }
            else
            {
                verdict = bytes == 0 ? "ok" : "FAILED: allocates";
                failures += bytes == 0 ? 0 : 1;
                measured++;
            }

            Console.WriteLine($"  {where,-48} {bytes?.ToString() ?? "-",6} B  {verdict}");
        }

        int expected = (ComponentStepBenchmarks.Components.Count - 1) * 2 * 2;
        if (measured != expected)
        {
            Console.WriteLine($"FAILED: {measured} component steps measured, {expected} expected");
            failures++;
        }

        Console.WriteLine(failures == 0
            ? $"allocation check passed: {measured} training steps allocate 0 bytes; the control allocates"
            : $"allocation check FAILED: {failures} problem(s)");
        return failures == 0 ? 0 : 1;
    }
}
