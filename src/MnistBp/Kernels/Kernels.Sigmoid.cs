// The sigmoid activation in both directions (tutorial: "Activation function" and the derivative
// f'(x) = f(x) * (1 - f(x)) used in "Training a Neural Network, Part 2"). The forward pass costs an
// exp per element, about as much as the small matrix product after it, so its tuned version uses
// 512-bit vectors where the hardware has them and splits large batches across threads.
// Tiers: the scalar twin (the reference); the Vector<float> loops, which run wherever vectors are
// accelerated and the tuned 512-bit path is not taken (Arm64, x86 without AVX-512); the tuned
// 512-bit versions, taken when UseTuned and UseVector512 (x86 with AVX-512). Measured reason for the
// tuned ones (docs/performance.md, two threads, batch 128, per training step): the hidden layer's
// sigmoid 8.5-8.6 -> 3.1-3.2 us, its backward 2.0 -> 1.4-1.5 us. The Vector<float> loops against
// the twins were measured only together with every other kernel (the optimization ladder).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MnistBp;

internal static unsafe partial class Kernels
{
    /// <summary>Elements from which the tuned Sigmoid splits across threads (a [128 x 100] batch is above it).</summary>
    private const int ParallelSigmoidThreshold = 8192;

    /// <summary>Element-wise logistic sigmoid: <c>destination[i] = 1 / (1 + exp(-x[i]))</c>.</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="destination">The outputs, as long as <paramref name="x"/>; may be the same span as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "Sigmoid", "x");
        if (!UseVector)
        {
            SigmoidScalar(x, destination);
            return;
        }

        if (UseTuned && UseVector512)
        {
            SigmoidTuned(x, destination);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= x.Length - count; i += count)
        {
            var exp = Vector.Exp(-new Vector<float>(x.Slice(i)));
            (Vector<float>.One / (Vector<float>.One + exp)).CopyTo(destination.Slice(i));
        }

        if (i < x.Length)
        {
            // The remainder goes through the same vector exp, padded: Vector.Exp and MathF.Exp may
            // differ in the last bit, and an element's value must not depend on where it sits
            // (one image or a batch, one thread or two must give the same bits).
            Span<float> lanes = stackalloc float[Vector<float>.Count];
            lanes.Clear();
            x.Slice(i).CopyTo(lanes);
            var exp = Vector.Exp(-new Vector<float>(lanes));
            (Vector<float>.One / (Vector<float>.One + exp)).CopyTo(lanes);
            lanes[..(x.Length - i)].CopyTo(destination.Slice(i));
        }
    }

    /// <summary>
    /// <see cref="Sigmoid"/> with 512-bit vectors (the BCL's Vector512.Exp gives the same bits lane
    /// for lane as Vector.Exp), split into blocks of whole vectors across threads when it is long.
    /// </summary>
    private static void SigmoidTuned(ReadOnlySpan<float> x, Span<float> destination)
    {
        int vectors = x.Length / Vector512<float>.Count;
        int parts = x.Length < ParallelSigmoidThreshold ? 1 : Math.Min(ThreadCount, vectors);
        if (parts <= 1)
        {
            Sigmoid512(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(destination), 0, x.Length);
            return;
        }

        fixed (float* px = x, pd = destination)
        {
            var job = new ElementwiseJob(px, null, pd, x.Length);
            KernelThreads.Run(&SigmoidPart, &job, parts);
        }
    }

    private static void SigmoidPart(void* state, int part, int parts)
    {
        ref readonly ElementwiseJob job = ref *(ElementwiseJob*)state;
        (int first, int last) = job.Part(part, parts);
        Sigmoid512(ref Unsafe.AsRef<float>(job.X), ref Unsafe.AsRef<float>(job.Destination), first, last);
    }

    /// <summary>destination[i] = 1 / (1 + exp(-x[i])) for i in [first, last), 16 lanes at a time; the tail through a padded vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sigmoid512(ref float x, ref float destination, int first, int last)
    {
        int i = first;
        for (; i <= last - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            Vector512<float> exp = Vector512.Exp(-Vector512.LoadUnsafe(ref x, (nuint)i));
            (Vector512<float>.One / (Vector512<float>.One + exp)).StoreUnsafe(ref destination, (nuint)i);
        }

        if (i < last)
        {
            // As in Sigmoid: the same vector exp for the last elements, so no element depends on where it sits.
            Span<float> lanes = stackalloc float[Vector512<float>.Count];
            lanes.Clear();
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref x, i), last - i).CopyTo(lanes);
            Vector512<float> exp = Vector512.Exp(-Vector512.Create<float>(lanes));
            (Vector512<float>.One / (Vector512<float>.One + exp)).CopyTo(lanes);
            lanes[..(last - i)].CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination, i), last - i));
        }
    }

    /// <summary>An element-wise kernel's operands as pinned pointers, so that worker threads can reach them.</summary>
    private readonly struct ElementwiseJob(float* x, float* y, float* destination, int length)
    {
        public readonly float* X = x;
        public readonly float* Y = y;
        public readonly float* Destination = destination;
        public readonly int Length = length;

        /// <summary>The elements [first, last) of a part: blocks of whole 512-bit vectors, the last part also taking the elements after the last whole vector.</summary>
        public (int First, int Last) Part(int part, int parts)
        {
            int vectors = Length / Vector512<float>.Count;
            int first = (int)((long)vectors * part / parts) * Vector512<float>.Count;
            int last = part == parts - 1 ? Length : (int)((long)vectors * (part + 1) / parts) * Vector512<float>.Count;
            return (first, last);
        }
    }

    /// <summary>Scalar twin of <see cref="Sigmoid"/>.</summary>
    /// <inheritdoc cref="Sigmoid" path="/param"/>
    public static void SigmoidScalar(ReadOnlySpan<float> x, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "SigmoidScalar", "x");
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = 1f / (1f + MathF.Exp(-x[i]));
        }
    }

    /// <summary>
    /// Sigmoid backward from its cached output:
    /// <c>dInput[i] = dOutput[i] * s[i] * (1 - s[i])</c>, where <c>s</c> is the sigmoid's output.
    /// </summary>
    /// <param name="output">The sigmoid's output <c>s</c> from the forward pass.</param>
    /// <param name="dOutput">dLoss/dOutput, as long as <paramref name="output"/>.</param>
    /// <param name="dInput">dLoss/dInput, as long as <paramref name="output"/>; may be the same span as <paramref name="dOutput"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "SigmoidBackward", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "SigmoidBackward", "output");
        if (!UseVector)
        {
            SigmoidBackwardScalar(output, dOutput, dInput);
            return;
        }

        if (UseTuned && UseVector512)
        {
            SigmoidBackwardTuned(output, dOutput, dInput);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= output.Length - count; i += count)
        {
            var s = new Vector<float>(output.Slice(i));
            (new Vector<float>(dOutput.Slice(i)) * s * (Vector<float>.One - s)).CopyTo(dInput.Slice(i));
        }

        for (; i < output.Length; i++)
        {
            float s = output[i];
            dInput[i] = dOutput[i] * s * (1f - s);
        }
    }

    /// <summary><see cref="SigmoidBackward"/> with 512-bit vectors, split across threads when long; the same operations in the same order, so the same bits.</summary>
    private static void SigmoidBackwardTuned(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        int parts = output.Length < ParallelSigmoidThreshold ? 1 : Math.Min(ThreadCount, output.Length / Vector512<float>.Count);
        fixed (float* s = output, d = dOutput, di = dInput)
        {
            var job = new ElementwiseJob(s, d, di, output.Length);
            if (parts <= 1)
            {
                SigmoidBackwardPart(&job, 0, 1);
                return;
            }

            KernelThreads.Run(&SigmoidBackwardPart, &job, parts);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SigmoidBackwardPart(void* state, int part, int parts)
    {
        ref readonly ElementwiseJob job = ref *(ElementwiseJob*)state;
        (int first, int last) = job.Part(part, parts);
        int i = first;
        for (; i <= last - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            Vector512<float> s = Vector512.Load(job.X + i);
            (Vector512.Load(job.Y + i) * s * (Vector512<float>.One - s)).Store(job.Destination + i);
        }

        for (; i < last; i++)
        {
            float s = job.X[i];
            job.Destination[i] = job.Y[i] * s * (1f - s);
        }
    }

    /// <summary>Scalar twin of <see cref="SigmoidBackward"/>.</summary>
    /// <inheritdoc cref="SigmoidBackward" path="/param"/>
    public static void SigmoidBackwardScalar(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "SigmoidBackwardScalar", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "SigmoidBackwardScalar", "output");
        for (int i = 0; i < output.Length; i++)
        {
            float s = output[i];
            dInput[i] = dOutput[i] * s * (1f - s);
        }
    }
}
