// Scaled add, the one update rule every optimizer step is made of: y += alpha * x
// (SGD: w -= learnRate * dW is Axpy(-learnRate, dW, w)).
// Tiers: the scalar twin (the reference); the Vector<float> loop; a 512-bit loop taken when UseTuned
// and UseVector512; long spans split across threads. Measured: the SGD update of 784-100-10 takes
// 6.9 us on one thread and 6 us on two (docs/performance.md). The 512-bit loop against
// the Vector<float> one, and the Vector<float> loop against the twin, have no measurement of their own.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MnistBp;

internal static unsafe partial class Kernels
{
    /// <summary>Lengths from which Axpy splits across threads (an SGD step over a 784 x 100 weight matrix is above it).</summary>
    private const int ParallelAxpyThreshold = 32 * 1024;

    /// <summary>
    /// Parts to split an element-wise pass over <paramref name="length"/> elements into (Axpy, and the optimizers'
    /// steps): 1 below <see cref="ParallelAxpyThreshold"/>, else one per thread with at least half that each.
    /// </summary>
    private static int ElementwiseParts(int length) =>
        length < ParallelAxpyThreshold ? 1 : Math.Min(ThreadCount, length / (ParallelAxpyThreshold / 2));

    /// <summary>Elements [First, First + Length) of part <paramref name="part"/> of <paramref name="parts"/>: even blocks in whole multiples of 64.</summary>
    private static (int First, int Length) BlockRange(int total, int part, int parts)
    {
        int chunk = ((total + parts - 1) / parts + 63) & ~63;
        int first = Math.Min(total, part * chunk);
        return (first, Math.Min(total - first, chunk));
    }

    /// <summary>Scaled add in place: <c>y[i] += alpha * x[i]</c>.</summary>
    /// <param name="alpha">The scale applied to <paramref name="x"/>.</param>
    /// <param name="x">The values to add.</param>
    /// <param name="y">The values updated in place, as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        RequireLength(y.Length, x.Length, nameof(y), "Axpy", "x");
        if (!UseVector)
        {
            AxpyScalar(alpha, x, y);
            return;
        }

        int parts = ElementwiseParts(x.Length);
        if (parts > 1)
        {
            // Element-wise, so any split gives the same bits; each thread takes one contiguous block.
            fixed (float* px = x, py = y)
            {
                var job = new AxpyJob(alpha, px, py, x.Length);
                KernelThreads.Run(&AxpyPart, &job, parts);
            }

            return;
        }

        AxpyVector(alpha, x, y);
    }

    private static void AxpyPart(void* state, int part, int parts)
    {
        ref readonly AxpyJob job = ref *(AxpyJob*)state;
        (int first, int length) = BlockRange(job.Length, part, parts);
        AxpyVector(job.Alpha, new ReadOnlySpan<float>(job.X + first, length), new Span<float>(job.Y + first, length));
    }

    private readonly struct AxpyJob(float alpha, float* x, float* y, int length)
    {
        public readonly float Alpha = alpha;
        public readonly float* X = x;
        public readonly float* Y = y;
        public readonly int Length = length;
    }

    /// <summary>The <see cref="Vector{T}"/> loop of <see cref="Axpy"/> on one thread (512-bit vectors in the tuned path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyVector(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        if (UseTuned && UseVector512)
        {
            Axpy512(alpha, x, y);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        var alphaVector = new Vector<float>(alpha);
        for (; i <= x.Length - count; i += count)
        {
            (new Vector<float>(y.Slice(i)) + alphaVector * new Vector<float>(x.Slice(i))).CopyTo(y.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>
    /// <see cref="AxpyVector"/> 16 lanes at a time: a multiply, then an add (not a fused multiply-add,
    /// which would round once and change the bits the scalar twin gives).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy512(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        var alphaVector = Vector512.Create(alpha);
        int i = 0;
        for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            (Vector512.LoadUnsafe(ref ys, (nuint)i) + alphaVector * Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        }

        for (; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>Scalar twin of <see cref="Axpy"/>.</summary>
    /// <inheritdoc cref="Axpy" path="/param"/>
    public static void AxpyScalar(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        RequireLength(y.Length, x.Length, nameof(y), "AxpyScalar", "x");
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }
}
