// KernelSettings: the one way to choose how the kernels run: which implementation (the scalar
// twins, the readable Vector<T> loops, the tuned kernels, or whatever this machine accelerates),
// how many threads one kernel call may use, and whether the tuned kernels use 512-bit vectors.
// One immutable value, KernelSettings.Current, holds for the whole process; its first value comes
// from the environment variable MNISTBP_KERNELS, read once. It deliberately does not choose per
// model, per thread or per call: the kernels read it as plain static fields (Kernels.cs), so asking
// costs nothing on a call that lasts a microsecond.
using System.Globalization;

namespace MnistBp;

/// <summary>Which implementation the kernels run.</summary>
public enum KernelPath
{
    /// <summary>
    /// What this machine accelerates: the tuned kernels where 256-bit vectors and fused multiply-add
    /// are done in hardware (x86 with AVX2 and FMA, or AVX-512), else the readable <see cref="System.Numerics.Vector{T}"/>
    /// loops where vectors are accelerated at all (Arm64, older x86), else the scalar twins.
    /// </summary>
    Auto,

    /// <summary>Always the scalar twins: readable in a debugger, the reference for tests.</summary>
    Scalar,

    /// <summary>Always the readable <see cref="System.Numerics.Vector{T}"/> loops, even when the JIT emulates them in software (for tests and measurements).</summary>
    Vector,

    /// <summary>Always the tuned kernels (Kernels.Gemm.cs; element-wise kernels without a tuned version take their Vector path), even in software (for tests and measurements).</summary>
    Tuned,
}

/// <summary>
/// How the kernels run, for the whole process: the path, the threads per kernel call and the
/// 512-bit vectors. Read and change it through <see cref="Current"/>, for example
/// <c>KernelSettings.Current = KernelSettings.Current with { ThreadCount = 1 };</c>. Its first
/// value comes from the environment variable <c>MNISTBP_KERNELS</c> (see <see cref="Parse"/>).
/// </summary>
/// <remarks>
/// Results have the same bits for every <see cref="ThreadCount"/>: a matrix product is split by
/// blocks of its result, and each element is always summed by one thread in the same order. The
/// paths may differ in the last bits of sums (they add in other orders) and of the sigmoid (another
/// exp approximation).
/// </remarks>
public sealed record KernelSettings
{
    /// <summary>The environment variable read once for the first <see cref="Current"/>: <c>MNISTBP_KERNELS</c>.</summary>
    public const string EnvironmentVariable = "MNISTBP_KERNELS";

    /// <summary>The largest <see cref="ThreadCount"/>: 64.</summary>
    public const int MaxThreadCount = 64;

    private static readonly Lock s_lock = new();
    private static KernelSettings s_current = FromEnvironmentVariable(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Which implementation the kernels run. The default is <see cref="KernelPath.Auto"/>.</summary>
    public KernelPath Path { get; init; } = KernelPath.Auto;

    /// <summary>
    /// The number of threads one kernel call may use, the calling thread included; 1 keeps
    /// everything on the calling thread. The default is the number of cores (at most <see cref="MaxThreadCount"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above <see cref="MaxThreadCount"/>.</exception>
    public int ThreadCount
    {
        get;
        init
        {
            if (value is < 1 or > MaxThreadCount)
            {
                throw new ArgumentOutOfRangeException(nameof(ThreadCount), value, $"KernelSettings.ThreadCount must be from 1 to {MaxThreadCount}; {value} is not.");
            }

            field = value;
        }
    } = Math.Min(Environment.ProcessorCount, MaxThreadCount);

    /// <summary>
    /// Whether the tuned kernels use 512-bit vectors. The default is whether the hardware
    /// accelerates them (AVX-512); false measures what they buy, true on hardware without them runs
    /// them in software (for tests). The other paths do not read it.
    /// </summary>
    public bool Vector512 { get; init; } = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    /// <summary>
    /// The settings in force for every kernel call in the process. Set it between calls, not while
    /// kernels run on other threads: a call running during the change may take either setting
    /// (each gives a correct result, not necessarily the same last bits).
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public static KernelSettings Current
    {
        get => s_current;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (s_lock)
            {
                s_current = value;
                Kernels.Use(value);
            }
        }
    }

    /// <summary>
    /// Reads settings written as <c>MNISTBP_KERNELS</c> takes them: comma-separated items, each at
    /// most once, in any order, case-insensitive; an item not given keeps its default.
    /// <list type="bullet">
    /// <item><c>auto</c>, <c>scalar</c>, <c>vector</c> or <c>tuned</c>: the <see cref="Path"/>;</item>
    /// <item><c>threads=N</c>, N from 1 to 64: the <see cref="ThreadCount"/>;</item>
    /// <item><c>avx512=on</c> or <c>avx512=off</c>: <see cref="Vector512"/>.</item>
    /// </list>
    /// For example <c>scalar</c>, <c>threads=1</c>, <c>tuned,threads=2,avx512=off</c>.
    /// <see cref="ToString"/> writes this form.
    /// </summary>
    /// <param name="text">The items; empty means all defaults.</param>
    /// <returns>The defaults with the items given applied.</returns>
    /// <exception cref="FormatException">An item is unknown, repeated or out of range; the message names it and lists the accepted forms.</exception>
    public static KernelSettings Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var settings = new KernelSettings();
        if (string.IsNullOrWhiteSpace(text))
        {
            return settings;
        }

        bool hasPath = false, hasThreads = false, hasVector512 = false;
        foreach (string rawItem in text.Split(','))
        {
            string item = rawItem.Trim().ToUpperInvariant();
            if (TryParsePath(item, out KernelPath path))
            {
                Once(ref hasPath, "a path", rawItem, text);
                settings = settings with { Path = path };
            }
            else if (item.StartsWith("THREADS=", StringComparison.Ordinal))
            {
                Once(ref hasThreads, "threads=", rawItem, text);
                if (!int.TryParse(item["THREADS=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int threads) || threads is < 1 or > MaxThreadCount)
                {
                    throw Invalid(text, $"'{rawItem.Trim()}' needs a whole number of threads from 1 to {MaxThreadCount}");
                }

                settings = settings with { ThreadCount = threads };
            }
            else if (item is "AVX512=ON" or "AVX512=OFF")
            {
                Once(ref hasVector512, "avx512=", rawItem, text);
                settings = settings with { Vector512 = item == "AVX512=ON" };
            }
            else
            {
                throw Invalid(text, item.Length == 0 ? "an item is empty" : $"'{rawItem.Trim()}' is not a setting");
            }
        }

        return settings;
    }

    /// <summary>The settings in the form <see cref="Parse"/> reads, every item given: <c>auto,threads=2,avx512=on</c>.</summary>
    /// <returns>The settings as text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{PathName(Path)},threads={ThreadCount},avx512={(Vector512 ? "on" : "off")}");

    /// <summary>The first <see cref="Current"/>: <paramref name="value"/> of the environment variable parsed, or the defaults when it is not set.</summary>
    internal static KernelSettings FromEnvironmentVariable(string? value)
    {
        try
        {
            return Parse(value ?? "");
        }
        catch (FormatException e)
        {
            // No inner exception: it would print the same message a second time.
            throw new FormatException($"{EnvironmentVariable}={e.Message}");
        }
    }

    private static bool TryParsePath(string item, out KernelPath path)
    {
        (bool known, path) = item switch
        {
            "AUTO" => (true, KernelPath.Auto),
            "SCALAR" => (true, KernelPath.Scalar),
            "VECTOR" => (true, KernelPath.Vector),
            "TUNED" => (true, KernelPath.Tuned),
            _ => (false, KernelPath.Auto),
        };
        return known;
    }

    private static string PathName(KernelPath path) => path switch
    {
        KernelPath.Scalar => "scalar",
        KernelPath.Vector => "vector",
        KernelPath.Tuned => "tuned",
        _ => "auto",
    };

    private static void Once(ref bool seen, string what, string rawItem, string text)
    {
        if (seen)
        {
            throw Invalid(text, $"'{rawItem.Trim()}' gives {what} a second time");
        }

        seen = true;
    }

    private static FormatException Invalid(string text, string problem) =>
        new($"\"{text}\": {problem}. Expected comma-separated items, each at most once: auto, scalar, vector or tuned; threads=N (N from 1 to {MaxThreadCount}); avx512=on or avx512=off. For example \"tuned,threads=2,avx512=off\".");
}
