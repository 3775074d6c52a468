// Kernels: the few numeric loops everything else is built from (matrix products, bias, sigmoid, axpy).
// Each operation has a System.Numerics.Vector<float> version (the fast path) and a plain scalar
// twin (the reference the tests and benchmarks compare against). Kernels work on spans plus sizes,
// know nothing about layers, and never allocate.
using System.Numerics;

namespace MnistBp;

/// <summary>Which implementation the kernels run.</summary>
internal enum KernelPath
{
    /// <summary><see cref="Vector{T}"/> loops when the hardware accelerates them, else the scalar twins.</summary>
    Auto,

    /// <summary>Always the scalar twins: readable in a debugger, the reference for tests.</summary>
    Scalar,

    /// <summary>Always the readable <see cref="Vector{T}"/> loops, even when the JIT emulates them in software (tests only).</summary>
    Vector,

    /// <summary>Always the tuned matrix products of Kernels.Gemm.cs (element-wise kernels take their Vector path), even in software (tests only).</summary>
    Tuned,
}

/// <summary>
/// The numeric kernels under the layers. Matrices are row-major spans; sizes are passed explicitly.
/// </summary>
/// <remarks>
/// Every kernel has a scalar twin named <c>...Scalar</c> that computes the same thing with plain
/// loops. The matrix products have three versions: the scalar twin (the reference), a readable
/// <see cref="Vector{T}"/> loop, and a tuned register-tiled kernel (Kernels.Gemm.cs) that runs by default. Setting the environment variable <c>MNISTBP_SCALAR=1</c> makes the whole library use the
/// twins, which is the easiest way to step through the arithmetic in a debugger.
/// Legend for the matrix products: <c>m</c> = rows of the result, <c>n</c> = columns of the result,
/// <c>k</c> = the inner size summed over.
/// </remarks>
public static partial class Kernels
{
    /// <summary>
    /// The number of threads a kernel call may use, the calling thread included. The default is the
    /// number of cores (or the environment variable <c>MNISTBP_THREADS</c>); 1 keeps everything on the
    /// calling thread. Results are bit-identical for every setting: a matrix product is split by blocks
    /// of its result, and each element is always summed by one thread in the same order.
    /// </summary>
    public static int ThreadCount
    {
        get => KernelThreads.ThreadCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            KernelThreads.ThreadCount = value;
        }
    }

    /// <summary>The path in force; tests switch it to compare both paths.</summary>
    internal static KernelPath Path { get; set; } = PathFromEnvironment();

    /// <summary>
    /// <c>MNISTBP_SCALAR=1</c> picks the scalar twins (for stepping through in a debugger);
    /// <c>MNISTBP_KERNELS=scalar|vector|tuned</c> picks any path, to measure what each one buys.
    /// </summary>
    private static KernelPath PathFromEnvironment() =>
        Environment.GetEnvironmentVariable("MNISTBP_SCALAR") == "1" ? KernelPath.Scalar
        : Environment.GetEnvironmentVariable("MNISTBP_KERNELS") switch
        {
            "scalar" => KernelPath.Scalar,
            "vector" => KernelPath.Vector,
            "tuned" => KernelPath.Tuned,
            _ => KernelPath.Auto,
        };

    /// <summary>True when the element-wise kernels should run their <see cref="Vector{T}"/> loops.</summary>
    internal static bool UseVector => Path switch
    {
        KernelPath.Scalar => false,
        KernelPath.Vector or KernelPath.Tuned => true,
        _ => Vector.IsHardwareAccelerated,
    };

    /// <summary>True when the matrix products should run the tuned register-tiled kernel.</summary>
    internal static bool UseTuned => Path switch
    {
        KernelPath.Tuned => true,
        KernelPath.Auto => TunedIsAccelerated,
        _ => false,
    };

    private static void RequireLength(int actual, long required, string spanName, string kernel, string shape)
    {
        if (actual != required)
        {
            throw new ArgumentException($"{kernel}: {spanName} has {actual} elements but {shape} needs {required}.", spanName);
        }
    }

    private static void RequireSizes(int m, int k, int n, string kernel)
    {
        if (m < 0 || k < 0 || n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"{kernel}: sizes must not be negative (m={m}, k={k}, n={n}).");
        }
    }
}
