// Kernels: the few numeric loops everything else is built from (matrix products, bias, sigmoid,
// axpy, copying a batch). Kernels work on spans plus sizes, know nothing about layers, and never
// allocate. Each kernel picks its own implementation from KernelSettings.Current, which this file
// keeps as plain static fields: the choice costs one field read per call, no lock.
//
// The tiers, and the measured reason each one exists (docs/performance.md; x86, AMD EPYC Zen 5
// with AVX-512; one epoch of 784-100-10 on one thread, the optimization ladder in
// benchmarks/results/optimization-ladder-2026-11-28.txt):
//   - Scalar twins (...Scalar): the reference every other tier is tested and benchmarked against,
//     and the code to step through in a debugger (KernelPath.Scalar). Not for speed: 5.4-5.75 s
//     per epoch.
//   - Readable Vector<float> loops: 0.91-0.99 s per epoch, 5.7-6.1x the twins. For the matrix
//     products this is NOT what runs on x86 with AVX2 or AVX-512: there the tuned Gemm runs
//     (Kernels.Gemm.cs). It runs them where TunedIsAccelerated is false: on every Arm64 machine
//     (Vector256 is not hardware accelerated there, so Vector<float> is 128-bit NEON; not measured
//     here, we have no Arm64 machine) and on x86 without AVX2 and FMA. The element-wise kernels
//     without a tuned version (AddBias, SumColumns, PixelsToFloats) run this tier on every machine
//     with vector hardware; Dot runs only inside MatMulTransposeB's Vector<float> tier.
//   - Tuned (Kernels.Gemm.cs, and 512-bit Sigmoid, SigmoidBackward and Axpy): the register-tiled
//     products take the epoch to 0.203-0.289 s with 256-bit vectors (3.4-4.5x the Vector<float>
//     loops) and 0.136-0.242 s with 512-bit ones (1.2-1.5x more).
//   - Threads (KernelThreads.cs): two threads make the epoch 1.25-1.55x faster, with the same bits.
// Legend for the matrix products: m = rows of the result, n = its columns, k = the inner size summed over.
using System.Numerics;

namespace MnistBp;

/// <summary>
/// The numeric kernels under the layers. Matrices are row-major spans; sizes are passed explicitly.
/// </summary>
/// <remarks>
/// Every kernel has a scalar twin named <c>...Scalar</c> that computes the same thing with plain
/// loops. The matrix products have three versions: the scalar twin (the reference), a readable
/// <see cref="Vector{T}"/> loop, and a tuned register-tiled kernel (Kernels.Gemm.cs), the one that
/// runs on x86 with AVX2 or AVX-512. <see cref="KernelSettings.Current"/> chooses; setting
/// <c>MNISTBP_KERNELS=scalar</c> makes the whole library use the twins, which is the easiest way
/// to step through the arithmetic in a debugger.
/// </remarks>
internal static partial class Kernels
{
    // KernelSettings.Current, spread out into what the kernels ask: plain static fields, written only
    // by Use, so a kernel's question is one load, with no lock and no indirection.
    private static bool s_useVector = UsesVector(KernelSettings.Current);
    private static bool s_useTuned = UsesTuned(KernelSettings.Current);
    private static bool s_useVector512 = KernelSettings.Current.Vector512;
    private static int s_threadCount = KernelSettings.Current.ThreadCount;

    /// <summary>The number of threads a kernel call may use, the calling thread included (<see cref="KernelSettings.ThreadCount"/>).</summary>
    internal static int ThreadCount => s_threadCount;

    /// <summary>True when the element-wise kernels should run their <see cref="Vector{T}"/> loops (or their tuned versions).</summary>
    internal static bool UseVector => s_useVector;

    /// <summary>True when the matrix products should run the tuned register-tiled kernel.</summary>
    internal static bool UseTuned => s_useTuned;

    /// <summary>Whether the tuned kernels use 512-bit vectors (<see cref="KernelSettings.Vector512"/>).</summary>
    internal static bool UseVector512 => s_useVector512;

    /// <summary>Puts <paramref name="settings"/> in force; only <see cref="KernelSettings.Current"/> calls it.</summary>
    internal static void Use(KernelSettings settings)
    {
        s_useVector = UsesVector(settings);
        s_useTuned = UsesTuned(settings);
        s_useVector512 = settings.Vector512;
        s_threadCount = settings.ThreadCount;
    }

    private static bool UsesVector(KernelSettings settings) => settings.Path switch
    {
        KernelPath.Scalar => false,
        KernelPath.Vector or KernelPath.Tuned => true,
        _ => Vector.IsHardwareAccelerated,
    };

    private static bool UsesTuned(KernelSettings settings) => settings.Path switch
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
