// Small helpers for the benchmarks: result checks, the data folder, and the GFLOP/s column.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Running;
using MnistBp.Data;

namespace MnistBp.Benchmarks;

internal static class Check
{
    /// <summary>Throws unless every element of <paramref name="fast"/> is within <paramref name="tolerance"/> (relative, with an absolute floor of the same size) of <paramref name="slow"/>.</summary>
    public static void Close(ReadOnlySpan<float> fast, ReadOnlySpan<float> slow, float tolerance, string what)
    {
        for (int i = 0; i < fast.Length; i++)
        {
            float allowed = tolerance * Math.Max(1f, Math.Abs(slow[i]));
            if (!(Math.Abs(fast[i] - slow[i]) <= allowed))
            {
                throw new InvalidOperationException($"{what}: element {i} is {fast[i]} but the scalar twin gives {slow[i]}; not benchmarking a wrong kernel.");
            }
        }
    }
}

internal static class RandomBatch
{
    /// <summary>A batch of uniform [0, 1) inputs and one-hot targets of random classes.</summary>
    public static (Tensor Inputs, Tensor Targets) Make(DeterministicRandom random, int batch, int inputSize, int classes)
    {
        var inputs = new Tensor(batch, inputSize);
        var targets = new Tensor(batch, classes);
        Span<float> values = inputs.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        for (int r = 0; r < batch; r++)
        {
            targets[r, random.NextInt(classes)] = 1f;
        }

        return (inputs, targets);
    }
}

internal static class DataFolder
{
    /// <summary>$MNISTBP_DATA, else ../shared/datasets/mnist above the current folder or the binaries.</summary>
    public static string Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, "shared", "datasets", "mnist");
                if (Mnist.IsPresent(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException($"No MNIST found: set {Mnist.EnvironmentVariable}.");
    }
}

/// <summary>Adds a GFLOP/s column for benchmarks with a Shape parameter "m,k,n".</summary>
public sealed class GflopsConfig : ManualConfig
{
    public GflopsConfig() => AddColumn(new GflopsColumn());

    private sealed class GflopsColumn : IColumn
    {
        public string Id => "Gflops";

        public string ColumnName => "GFLOP/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "2·m·n·k floating-point operations per second, in billions";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            Statistics? statistics = summary[benchmarkCase]?.ResultStatistics;
            object? shape = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value;
            if (statistics is null || shape is not string text)
            {
                return "-";
            }

            double[] sizes = [.. text.Split(',').Select(double.Parse)];
            return (2 * sizes[0] * sizes[1] * sizes[2] / statistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
