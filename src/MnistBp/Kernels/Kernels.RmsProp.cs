// RmsProp's step (Optimizers/RmsProp.cs): element-wise, so the Vector<float> loop does the same
// operations in the same order as its scalar twin (the same bits), and long tensors are split across
// the threads like MomentumStep's.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static unsafe partial class Kernels
{
    /// <summary>
    /// One RMSprop update, in place (PyTorch's form): with <c>g = gradient[i] + weightDecay * w[i]</c>,
    /// <c>v[i] = rho * v[i] + (1 - rho) * g²</c>, then <c>w[i] -= learnRate * g / (sqrt(v[i]) + epsilon)</c>.
    /// </summary>
    /// <param name="learnRate">The step size.</param>
    /// <param name="rho">ρ, the share of the last mean square kept.</param>
    /// <param name="epsilon">ε, added to the root mean square.</param>
    /// <param name="weightDecay">The coupled L2 coefficient λ (0 for none).</param>
    /// <param name="gradient">dLoss/dW.</param>
    /// <param name="meanSquare">The running mean square v, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <param name="weights">The weights, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsPropStep(float learnRate, float rho, float epsilon, float weightDecay, ReadOnlySpan<float> gradient, Span<float> meanSquare, Span<float> weights)
    {
        RequireLength(meanSquare.Length, gradient.Length, nameof(meanSquare), "RmsPropStep", "gradient");
        RequireLength(weights.Length, gradient.Length, nameof(weights), "RmsPropStep", "gradient");
        if (!UseVector)
        {
            RmsPropStepScalar(learnRate, rho, epsilon, weightDecay, gradient, meanSquare, weights);
            return;
        }

        int parts = ElementwiseParts(gradient.Length);
        if (parts > 1)
        {
            fixed (float* pg = gradient, pv = meanSquare, pw = weights)
            {
                var job = new RmsPropJob(learnRate, rho, epsilon, weightDecay, pg, pv, pw, gradient.Length);
                KernelThreads.Run(&RmsPropPart, &job, parts);
            }

            return;
        }

        RmsPropStepVector(learnRate, rho, epsilon, weightDecay, gradient, meanSquare, weights);
    }

    private static void RmsPropPart(void* state, int part, int parts)
    {
        ref readonly RmsPropJob job = ref *(RmsPropJob*)state;
        (int first, int length) = BlockRange(job.Length, part, parts);
        RmsPropStepVector(
            job.LearnRate, job.Rho, job.Epsilon, job.WeightDecay,
            new ReadOnlySpan<float>(job.Gradient + first, length), new Span<float>(job.MeanSquare + first, length), new Span<float>(job.Weights + first, length));
    }

    private readonly struct RmsPropJob(float learnRate, float rho, float epsilon, float weightDecay, float* gradient, float* meanSquare, float* weights, int length)
    {
        public readonly float LearnRate = learnRate;
        public readonly float Rho = rho;
        public readonly float Epsilon = epsilon;
        public readonly float WeightDecay = weightDecay;
        public readonly float* Gradient = gradient;
        public readonly float* MeanSquare = meanSquare;
        public readonly float* Weights = weights;
        public readonly int Length = length;
    }

    /// <summary>The <see cref="Vector{T}"/> loop of <see cref="RmsPropStep"/> on one thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RmsPropStepVector(float learnRate, float rho, float epsilon, float weightDecay, ReadOnlySpan<float> gradient, Span<float> meanSquare, Span<float> weights)
    {
        int count = Vector<float>.Count, i = 0;
        var rate = new Vector<float>(learnRate);
        var keep = new Vector<float>(rho);
        var add = new Vector<float>(1f - rho);
        var eps = new Vector<float>(epsilon);
        var decay = new Vector<float>(weightDecay);
        for (; i <= gradient.Length - count; i += count)
        {
            var w = new Vector<float>(weights.Slice(i));
            // g = dW + λ w
            Vector<float> g = new Vector<float>(gradient.Slice(i)) + (decay * w);
            // v = ρ v + (1 - ρ) g²
            Vector<float> v = (keep * new Vector<float>(meanSquare.Slice(i))) + (add * (g * g));
            v.CopyTo(meanSquare.Slice(i));
            // w -= lr * g / (sqrt(v) + ε)
            (w - (rate * (g / (Vector.SquareRoot(v) + eps)))).CopyTo(weights.Slice(i));
        }

        RmsPropStepScalar(learnRate, rho, epsilon, weightDecay, gradient.Slice(i), meanSquare.Slice(i), weights.Slice(i));
    }

    /// <summary>Scalar twin of <see cref="RmsPropStep"/>.</summary>
    /// <inheritdoc cref="RmsPropStep" path="/param"/>
    public static void RmsPropStepScalar(float learnRate, float rho, float epsilon, float weightDecay, ReadOnlySpan<float> gradient, Span<float> meanSquare, Span<float> weights)
    {
        RequireLength(meanSquare.Length, gradient.Length, nameof(meanSquare), "RmsPropStepScalar", "gradient");
        RequireLength(weights.Length, gradient.Length, nameof(weights), "RmsPropStepScalar", "gradient");
        float add = 1f - rho;
        for (int i = 0; i < gradient.Length; i++)
        {
            // g = dW + λ w
            float g = gradient[i] + (weightDecay * weights[i]);
            // v = ρ v + (1 - ρ) g²
            float v = (rho * meanSquare[i]) + (add * (g * g));
            meanSquare[i] = v;
            // w -= lr * g / (sqrt(v) + ε)
            weights[i] -= learnRate * (g / (MathF.Sqrt(v) + epsilon));
        }
    }
}
