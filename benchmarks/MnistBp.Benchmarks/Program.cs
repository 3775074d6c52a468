// Entry point: `epoch` runs the epoch timer for the side-by-side comparison; `allocations` checks that
// a training step with every layer, loss and optimizer allocates 0 bytes (MemoryDiagnoser); anything else goes to
// BenchmarkDotNet (for example `--filter *Kernel*`, or `--job short` for a quick smoke run).
using BenchmarkDotNet.Running;
using MnistBp.Benchmarks;

if (args.Length > 0 && args[0] == "epoch")
{
    return EpochCommand.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "allocations")
{
    return AllocationCheck.Run();
}

IEnumerable<BenchmarkDotNet.Reports.Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(EpochCommand).Assembly).Run(args);
// Non-zero when a benchmark failed (its setup check threw, or it produced no result), so CI notices.
bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
