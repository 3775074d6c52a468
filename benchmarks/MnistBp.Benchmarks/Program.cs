// Entry point: `epoch` runs the epoch timer for the side-by-side comparison; anything else goes to
// BenchmarkDotNet (for example `--filter *Kernel*`, or `--job short` for a quick smoke run).
using BenchmarkDotNet.Running;
using MnistBp.Benchmarks;

if (args.Length > 0 && args[0] == "epoch")
{
    return EpochCommand.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(EpochCommand).Assembly).Run(args);
return 0;
