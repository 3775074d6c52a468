// The update rules of the optimizers past plain SGD, each one pass over a parameter: SGD with L2
// weight decay, momentum (and Nesterov's look-ahead), Adam and AdamW (Kingma & Ba 2015; Loshchilov &
// Hutter 2019), in PyTorch's formulation (torch.optim.SGD / Adam / AdamW) so an oracle can match it;
// RMSprop's has a file of its own (Kernels.RmsProp.cs); plus what gradient clipping and max-norm need (a sum of squares, a scale, column norms).
// Tiers: the scalar twin (the reference) and one readable Vector<float> loop each; no 512-bit or
// threaded version, except MomentumStep and AdamStep (and RmsPropStep), which split long tensors across the threads like
// Axpy, and the two max-norm passes, which split by blocks of columns (the recipes of sample 05 step
// 0.4-2.8 million weights every mini-batch).
// The element-wise loops do the same operations in the same order as their twins, so the same bits.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MnistBp;

internal static unsafe partial class Kernels
{
    /// <summary>
    /// SGD with coupled weight decay, in place: <c>w[i] -= learnRate * (g[i] + weightDecay * w[i])</c>.
    /// </summary>
    /// <param name="learnRate">The step size.</param>
    /// <param name="weightDecay">The L2 coefficient λ (the gradient of λ/2 Σ w²).</param>
    /// <param name="gradient">dLoss/dW.</param>
    /// <param name="weights">The weights, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SgdDecayStep(float learnRate, float weightDecay, ReadOnlySpan<float> gradient, Span<float> weights)
    {
        RequireLength(weights.Length, gradient.Length, nameof(weights), "SgdDecayStep", "gradient");
        if (!UseVector)
        {
            SgdDecayStepScalar(learnRate, weightDecay, gradient, weights);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        var rate = new Vector<float>(learnRate);
        var decay = new Vector<float>(weightDecay);
        for (; i <= gradient.Length - count; i += count)
        {
            var w = new Vector<float>(weights.Slice(i));
            // w -= lr * (g + λ w)
            (w - (rate * (new Vector<float>(gradient.Slice(i)) + (decay * w)))).CopyTo(weights.Slice(i));
        }

        for (; i < gradient.Length; i++)
        {
            weights[i] -= learnRate * (gradient[i] + (weightDecay * weights[i]));
        }
    }

    /// <summary>Scalar twin of <see cref="SgdDecayStep"/>.</summary>
    /// <inheritdoc cref="SgdDecayStep" path="/param"/>
    public static void SgdDecayStepScalar(float learnRate, float weightDecay, ReadOnlySpan<float> gradient, Span<float> weights)
    {
        RequireLength(weights.Length, gradient.Length, nameof(weights), "SgdDecayStepScalar", "gradient");
        for (int i = 0; i < gradient.Length; i++)
        {
            // w -= lr * (g + λ w)
            weights[i] -= learnRate * (gradient[i] + (weightDecay * weights[i]));
        }
    }

    /// <summary>
    /// SGD with momentum, in place (PyTorch's form, no dampening): with <c>g = gradient[i] + weightDecay * w[i]</c>,
    /// <c>v[i] = momentum * v[i] + g</c>, then <c>w[i] -= learnRate * v[i]</c>, or with Nesterov
    /// <c>w[i] -= learnRate * (g + momentum * v[i])</c>.
    /// </summary>
    /// <param name="learnRate">The step size.</param>
    /// <param name="momentum">μ, the share of the last velocity kept.</param>
    /// <param name="weightDecay">The coupled L2 coefficient λ (0 for none).</param>
    /// <param name="nesterov">Whether to step along Nesterov's look-ahead <c>g + μ v</c> instead of <c>v</c>.</param>
    /// <param name="gradient">dLoss/dW.</param>
    /// <param name="velocity">The velocity v, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <param name="weights">The weights, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MomentumStep(float learnRate, float momentum, float weightDecay, bool nesterov, ReadOnlySpan<float> gradient, Span<float> velocity, Span<float> weights)
    {
        RequireLength(velocity.Length, gradient.Length, nameof(velocity), "MomentumStep", "gradient");
        RequireLength(weights.Length, gradient.Length, nameof(weights), "MomentumStep", "gradient");
        if (!UseVector)
        {
            MomentumStepScalar(learnRate, momentum, weightDecay, nesterov, gradient, velocity, weights);
            return;
        }

        // Element-wise, so any split gives the same bits: long tensors (a 784 x 512 W) go to both cores, like Axpy.
        int parts = ElementwiseParts(gradient.Length);
        if (parts > 1)
        {
            fixed (float* pg = gradient, pv = velocity, pw = weights)
            {
                var job = new MomentumJob(learnRate, momentum, weightDecay, nesterov, pg, pv, pw, gradient.Length);
                KernelThreads.Run(&MomentumPart, &job, parts);
            }

            return;
        }

        MomentumStepVector(learnRate, momentum, weightDecay, nesterov, gradient, velocity, weights);
    }

    private static void MomentumPart(void* state, int part, int parts)
    {
        ref readonly MomentumJob job = ref *(MomentumJob*)state;
        (int first, int length) = BlockRange(job.Length, part, parts);
        MomentumStepVector(
            job.LearnRate, job.Momentum, job.WeightDecay, job.Nesterov,
            new ReadOnlySpan<float>(job.Gradient + first, length), new Span<float>(job.Velocity + first, length), new Span<float>(job.Weights + first, length));
    }

    private readonly struct MomentumJob(float learnRate, float momentum, float weightDecay, bool nesterov, float* gradient, float* velocity, float* weights, int length)
    {
        public readonly float LearnRate = learnRate;
        public readonly float Momentum = momentum;
        public readonly float WeightDecay = weightDecay;
        public readonly bool Nesterov = nesterov;
        public readonly float* Gradient = gradient;
        public readonly float* Velocity = velocity;
        public readonly float* Weights = weights;
        public readonly int Length = length;
    }

    /// <summary>The <see cref="Vector{T}"/> loop of <see cref="MomentumStep"/> on one thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MomentumStepVector(float learnRate, float momentum, float weightDecay, bool nesterov, ReadOnlySpan<float> gradient, Span<float> velocity, Span<float> weights)
    {
        int count = Vector<float>.Count, i = 0;
        var rate = new Vector<float>(learnRate);
        var mu = new Vector<float>(momentum);
        var decay = new Vector<float>(weightDecay);
        for (; i <= gradient.Length - count; i += count)
        {
            var w = new Vector<float>(weights.Slice(i));
            // g = dW + λ w
            Vector<float> g = new Vector<float>(gradient.Slice(i)) + (decay * w);
            // v = μ v + g
            Vector<float> v = (mu * new Vector<float>(velocity.Slice(i))) + g;
            v.CopyTo(velocity.Slice(i));
            // w -= lr * v   (Nesterov: w -= lr * (g + μ v))
            Vector<float> direction = nesterov ? g + (mu * v) : v;
            (w - (rate * direction)).CopyTo(weights.Slice(i));
        }

        MomentumStepScalar(learnRate, momentum, weightDecay, nesterov, gradient.Slice(i), velocity.Slice(i), weights.Slice(i));
    }

    /// <summary>Scalar twin of <see cref="MomentumStep"/>.</summary>
    /// <inheritdoc cref="MomentumStep" path="/param"/>
    public static void MomentumStepScalar(float learnRate, float momentum, float weightDecay, bool nesterov, ReadOnlySpan<float> gradient, Span<float> velocity, Span<float> weights)
    {
        RequireLength(velocity.Length, gradient.Length, nameof(velocity), "MomentumStepScalar", "gradient");
        RequireLength(weights.Length, gradient.Length, nameof(weights), "MomentumStepScalar", "gradient");
        for (int i = 0; i < gradient.Length; i++)
        {
            // g = dW + λ w
            float g = gradient[i] + (weightDecay * weights[i]);
            // v = μ v + g
            float v = (momentum * velocity[i]) + g;
            velocity[i] = v;
            // w -= lr * v   (Nesterov: w -= lr * (g + μ v))
            float direction = nesterov ? g + (momentum * v) : v;
            weights[i] -= learnRate * direction;
        }
    }

    /// <summary>
    /// One Adam / AdamW update, in place (PyTorch's form): <c>w *= decayScale</c> (AdamW's decoupled decay,
    /// 1 - lr λ; 1 for Adam), <c>g = gradient + coupledDecay * w</c> (Adam's L2; 0 for AdamW),
    /// <c>m = β1 m + (1 - β1) g</c>, <c>v = β2 v + (1 - β2) g²</c>,
    /// <c>w -= stepSize * m / (sqrt(v) / biasCorrection2Root + ε)</c>.
    /// </summary>
    /// <param name="settings">The step's scalars.</param>
    /// <param name="gradient">dLoss/dW.</param>
    /// <param name="firstMoment">m, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <param name="secondMoment">v, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <param name="weights">The weights, updated in place, as long as <paramref name="gradient"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdamStep(in AdamStepSettings settings, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment, Span<float> weights)
    {
        RequireLength(firstMoment.Length, gradient.Length, nameof(firstMoment), "AdamStep", "gradient");
        RequireLength(secondMoment.Length, gradient.Length, nameof(secondMoment), "AdamStep", "gradient");
        RequireLength(weights.Length, gradient.Length, nameof(weights), "AdamStep", "gradient");
        if (!UseVector)
        {
            AdamStepScalar(settings, gradient, firstMoment, secondMoment, weights);
            return;
        }

        // Element-wise, so any split gives the same bits: long tensors go to both cores, like MomentumStep.
        int parts = ElementwiseParts(gradient.Length);
        if (parts > 1)
        {
            fixed (float* pg = gradient, pm = firstMoment, pv = secondMoment, pw = weights)
            {
                var job = new AdamJob(settings, pg, pm, pv, pw, gradient.Length);
                KernelThreads.Run(&AdamPart, &job, parts);
            }

            return;
        }

        AdamStepVector(settings, gradient, firstMoment, secondMoment, weights);
    }

    private static void AdamPart(void* state, int part, int parts)
    {
        ref readonly AdamJob job = ref *(AdamJob*)state;
        (int first, int length) = BlockRange(job.Length, part, parts);
        AdamStepVector(
            job.Settings, new ReadOnlySpan<float>(job.Gradient + first, length), new Span<float>(job.FirstMoment + first, length),
            new Span<float>(job.SecondMoment + first, length), new Span<float>(job.Weights + first, length));
    }

    private readonly struct AdamJob(AdamStepSettings settings, float* gradient, float* firstMoment, float* secondMoment, float* weights, int length)
    {
        public readonly AdamStepSettings Settings = settings;
        public readonly float* Gradient = gradient;
        public readonly float* FirstMoment = firstMoment;
        public readonly float* SecondMoment = secondMoment;
        public readonly float* Weights = weights;
        public readonly int Length = length;
    }

    /// <summary>The <see cref="Vector{T}"/> loop of <see cref="AdamStep"/> on one thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AdamStepVector(in AdamStepSettings settings, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment, Span<float> weights)
    {
        int count = Vector<float>.Count, i = 0;
        var beta1 = new Vector<float>(settings.Beta1);
        var oneMinusBeta1 = new Vector<float>(1f - settings.Beta1);
        var beta2 = new Vector<float>(settings.Beta2);
        var oneMinusBeta2 = new Vector<float>(1f - settings.Beta2);
        var stepSize = new Vector<float>(settings.StepSize);
        var root = new Vector<float>(settings.BiasCorrection2Root);
        var epsilon = new Vector<float>(settings.Epsilon);
        var coupled = new Vector<float>(settings.CoupledDecay);
        var scale = new Vector<float>(settings.DecayScale);
        for (; i <= gradient.Length - count; i += count)
        {
            // w *= 1 - lr λ   (AdamW; 1 for Adam)
            Vector<float> w = new Vector<float>(weights.Slice(i)) * scale;
            // g = dW + λ w   (Adam's coupled L2; λ = 0 for AdamW)
            Vector<float> g = new Vector<float>(gradient.Slice(i)) + (coupled * w);
            // m = β1 m + (1 - β1) g
            Vector<float> m = (beta1 * new Vector<float>(firstMoment.Slice(i))) + (oneMinusBeta1 * g);
            // v = β2 v + (1 - β2) g²
            Vector<float> v = (beta2 * new Vector<float>(secondMoment.Slice(i))) + (oneMinusBeta2 * (g * g));
            m.CopyTo(firstMoment.Slice(i));
            v.CopyTo(secondMoment.Slice(i));
            // w -= (lr / (1 - β1^t)) * m / (sqrt(v) / sqrt(1 - β2^t) + ε)
            (w - (stepSize * (m / ((Vector.SquareRoot(v) / root) + epsilon)))).CopyTo(weights.Slice(i));
        }

        AdamStepScalar(settings, gradient.Slice(i), firstMoment.Slice(i), secondMoment.Slice(i), weights.Slice(i));
    }

    /// <summary>Scalar twin of <see cref="AdamStep"/>.</summary>
    /// <inheritdoc cref="AdamStep" path="/param"/>
    public static void AdamStepScalar(in AdamStepSettings settings, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment, Span<float> weights)
    {
        RequireLength(firstMoment.Length, gradient.Length, nameof(firstMoment), "AdamStepScalar", "gradient");
        RequireLength(secondMoment.Length, gradient.Length, nameof(secondMoment), "AdamStepScalar", "gradient");
        RequireLength(weights.Length, gradient.Length, nameof(weights), "AdamStepScalar", "gradient");
        float oneMinusBeta1 = 1f - settings.Beta1, oneMinusBeta2 = 1f - settings.Beta2;
        for (int i = 0; i < gradient.Length; i++)
        {
            // w *= 1 - lr λ   (AdamW; 1 for Adam)
            float w = weights[i] * settings.DecayScale;
            // g = dW + λ w   (Adam's coupled L2; λ = 0 for AdamW)
            float g = gradient[i] + (settings.CoupledDecay * w);
            // m = β1 m + (1 - β1) g
            float m = (settings.Beta1 * firstMoment[i]) + (oneMinusBeta1 * g);
            // v = β2 v + (1 - β2) g²
            float v = (settings.Beta2 * secondMoment[i]) + (oneMinusBeta2 * (g * g));
            firstMoment[i] = m;
            secondMoment[i] = v;
            // w -= (lr / (1 - β1^t)) * m / (sqrt(v) / sqrt(1 - β2^t) + ε)
            weights[i] = w - (settings.StepSize * (m / ((MathF.Sqrt(v) / settings.BiasCorrection2Root) + settings.Epsilon)));
        }
    }

    /// <summary>The scalars of one <see cref="AdamStep"/>, computed once per step by the optimizer.</summary>
    /// <param name="Beta1">β1, the first moment's decay.</param>
    /// <param name="Beta2">β2, the second moment's decay.</param>
    /// <param name="StepSize">lr / (1 - β1^t).</param>
    /// <param name="BiasCorrection2Root">sqrt(1 - β2^t).</param>
    /// <param name="Epsilon">ε, added to the denominator after the bias correction (PyTorch's placement).</param>
    /// <param name="CoupledDecay">Adam's L2 λ added to the gradient (0 for none or AdamW).</param>
    /// <param name="DecayScale">AdamW's 1 - lr λ applied to the weights first (1 for Adam).</param>
    internal readonly record struct AdamStepSettings(float Beta1, float Beta2, float StepSize, float BiasCorrection2Root, float Epsilon, float CoupledDecay, float DecayScale);

    /// <summary>
    /// Sum of squares: <c>Σ x[i]²</c>, each square and the sum in double, so gradients beyond 1.8e19 (whose float
    /// squares overflow) still give a finite norm that clipping can act on (lane-wise partial sums, so it may differ
    /// from the twin in the last bits).
    /// </summary>
    /// <param name="x">The values.</param>
    /// <returns>The sum of their squares.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        if (!UseVector)
        {
            return SumOfSquaresScalar(x);
        }

        int count = Vector<float>.Count, i = 0;
        Vector<double> sums = Vector<double>.Zero;
        for (; i <= x.Length - count; i += count)
        {
            Vector.Widen(new Vector<float>(x.Slice(i)), out Vector<double> low, out Vector<double> high);
            // Σ x², in double
            sums += (low * low) + (high * high);
        }

        double sum = Vector.Sum(sums);
        for (; i < x.Length; i++)
        {
            sum += (double)x[i] * x[i];
        }

        return sum;
    }

    /// <summary>Scalar twin of <see cref="SumOfSquares"/>.</summary>
    /// <inheritdoc cref="SumOfSquares" path="/param"/>
    /// <returns>The sum of their squares, added in index order, in double.</returns>
    public static double SumOfSquaresScalar(ReadOnlySpan<float> x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            // Σ x², in double
            sum += (double)x[i] * x[i];
        }

        return sum;
    }

    /// <summary>Scale in place: <c>x[i] *= alpha</c>.</summary>
    /// <param name="alpha">The factor.</param>
    /// <param name="x">The values, scaled in place.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(float alpha, Span<float> x)
    {
        if (!UseVector)
        {
            ScaleScalar(alpha, x);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        var factor = new Vector<float>(alpha);
        for (; i <= x.Length - count; i += count)
        {
            (new Vector<float>(x.Slice(i)) * factor).CopyTo(x.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            x[i] *= alpha;
        }
    }

    /// <summary>Scalar twin of <see cref="Scale"/>.</summary>
    /// <inheritdoc cref="Scale" path="/param"/>
    public static void ScaleScalar(float alpha, Span<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= alpha;
        }
    }

    /// <summary>
    /// Squared norm of every column of a row-major [rows x columns] matrix: <c>destination[c] = Σ_r matrix[r, c]²</c>,
    /// added row by row (the same order as the twin, so the same bits).
    /// </summary>
    /// <param name="matrix">The matrix, rows * columns values.</param>
    /// <param name="rows">Its rows.</param>
    /// <param name="columns">Its columns.</param>
    /// <param name="destination">One value per column.</param>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSquaredNorms(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> destination)
    {
        RequireSizes(rows, columns, 0, "ColumnSquaredNorms");
        RequireLength(matrix.Length, (long)rows * columns, nameof(matrix), "ColumnSquaredNorms", "rows x columns");
        RequireLength(destination.Length, columns, nameof(destination), "ColumnSquaredNorms", "columns");
        if (!UseVector)
        {
            ColumnSquaredNormsScalar(matrix, rows, columns, destination);
            return;
        }

        // Each column is summed over the rows in order, so blocks of columns on both cores give the same bits.
        if (RunByColumns(&ColumnSquaredNormsPart, ref MemoryMarshal.GetReference(matrix), ref MemoryMarshal.GetReference(destination), rows, columns))
        {
            return;
        }

        ColumnSquaredNormsVector(matrix, rows, columns, 0, columns, destination);
    }

    /// <summary>
    /// Runs <paramref name="part"/> over blocks of columns of a [rows x columns] matrix on the kernel threads, with the
    /// matrix and one vector of <paramref name="columns"/> values; false, having run nothing, when the pass is too small to split.
    /// </summary>
    private static bool RunByColumns(delegate*<void*, int, int, void> part, ref float matrix, ref float vector, int rows, int columns)
    {
        int parts = ColumnParts(rows, columns);
        if (parts <= 1)
        {
            return false;
        }

        fixed (float* pm = &matrix, pv = &vector)
        {
            var job = new ColumnJob(pm, pv, rows, columns);
            KernelThreads.Run(part, &job, parts);
        }

        return true;
    }

    /// <summary>Parts to split a [rows x columns] column-wise pass into: 1 below <see cref="ParallelAxpyThreshold"/> elements or 128 columns.</summary>
    private static int ColumnParts(int rows, int columns) =>
        (long)rows * columns < ParallelAxpyThreshold || columns < 128 ? 1 : Math.Min(ThreadCount, columns / 64);

    /// <summary>Columns [first, last) of part <paramref name="part"/> of <paramref name="parts"/>, in whole blocks of 64.</summary>
    private static (int First, int Last) ColumnRange(int columns, int part, int parts)
    {
        (int first, int length) = BlockRange(columns, part, parts);
        return (first, first + length);
    }

    private static void ColumnSquaredNormsPart(void* state, int part, int parts)
    {
        ref readonly ColumnJob job = ref *(ColumnJob*)state;
        (int first, int last) = ColumnRange(job.Columns, part, parts);
        ColumnSquaredNormsVector(
            new ReadOnlySpan<float>(job.Matrix, job.Rows * job.Columns), job.Rows, job.Columns, first, last, new Span<float>(job.Vector, job.Columns));
    }

    private readonly struct ColumnJob(float* matrix, float* vector, int rows, int columns)
    {
        public readonly float* Matrix = matrix;
        public readonly float* Vector = vector; // the norms written, or the factors read
        public readonly int Rows = rows;
        public readonly int Columns = columns;
    }

    /// <summary>The <see cref="Vector{T}"/> loop of <see cref="ColumnSquaredNorms"/> over columns [first, last) on one thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnSquaredNormsVector(ReadOnlySpan<float> matrix, int rows, int columns, int first, int last, Span<float> destination)
    {
        destination[first..last].Clear();
        int count = Vector<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            int c = first;
            for (; c <= last - count; c += count)
            {
                var value = new Vector<float>(row.Slice(c));
                // ‖W[:, c]‖² = Σ_r W[r, c]²
                (new Vector<float>(destination.Slice(c)) + (value * value)).CopyTo(destination.Slice(c));
            }

            for (; c < last; c++)
            {
                destination[c] += row[c] * row[c];
            }
        }
    }

    /// <summary>Scalar twin of <see cref="ColumnSquaredNorms"/>.</summary>
    /// <inheritdoc cref="ColumnSquaredNorms" path="/param"/>
    public static void ColumnSquaredNormsScalar(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> destination)
    {
        RequireSizes(rows, columns, 0, "ColumnSquaredNormsScalar");
        RequireLength(matrix.Length, (long)rows * columns, nameof(matrix), "ColumnSquaredNormsScalar", "rows x columns");
        RequireLength(destination.Length, columns, nameof(destination), "ColumnSquaredNormsScalar", "columns");
        destination.Clear();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                // ‖W[:, c]‖² = Σ_r W[r, c]²
                destination[c] += matrix[(r * columns) + c] * matrix[(r * columns) + c];
            }
        }
    }

    /// <summary>Scales every column of a row-major [rows x columns] matrix in place: <c>matrix[r, c] *= factors[c]</c>.</summary>
    /// <param name="matrix">The matrix, rows * columns values.</param>
    /// <param name="rows">Its rows.</param>
    /// <param name="columns">Its columns.</param>
    /// <param name="factors">One factor per column.</param>
    /// <exception cref="ArgumentException">A span's length does not fit the sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaleColumns(Span<float> matrix, int rows, int columns, ReadOnlySpan<float> factors)
    {
        RequireSizes(rows, columns, 0, "ScaleColumns");
        RequireLength(matrix.Length, (long)rows * columns, nameof(matrix), "ScaleColumns", "rows x columns");
        RequireLength(factors.Length, columns, nameof(factors), "ScaleColumns", "columns");
        if (!UseVector)
        {
            ScaleColumnsScalar(matrix, rows, columns, factors);
            return;
        }

        if (RunByColumns(&ScaleColumnsPart, ref MemoryMarshal.GetReference(matrix), ref MemoryMarshal.GetReference(factors), rows, columns))
        {
            return;
        }

        ScaleColumnsVector(matrix, rows, columns, 0, columns, factors);
    }

    private static void ScaleColumnsPart(void* state, int part, int parts)
    {
        ref readonly ColumnJob job = ref *(ColumnJob*)state;
        (int first, int last) = ColumnRange(job.Columns, part, parts);
        ScaleColumnsVector(
            new Span<float>(job.Matrix, job.Rows * job.Columns), job.Rows, job.Columns, first, last, new ReadOnlySpan<float>(job.Vector, job.Columns));
    }

    /// <summary>The <see cref="Vector{T}"/> loop of <see cref="ScaleColumns"/> over columns [first, last) on one thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleColumnsVector(Span<float> matrix, int rows, int columns, int first, int last, ReadOnlySpan<float> factors)
    {
        int count = Vector<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = matrix.Slice(r * columns, columns);
            int c = first;
            for (; c <= last - count; c += count)
            {
                // W[r, c] *= factor[c]
                (new Vector<float>(row.Slice(c)) * new Vector<float>(factors.Slice(c))).CopyTo(row.Slice(c));
            }

            for (; c < last; c++)
            {
                row[c] *= factors[c];
            }
        }
    }

    /// <summary>Scalar twin of <see cref="ScaleColumns"/>.</summary>
    /// <inheritdoc cref="ScaleColumns" path="/param"/>
    public static void ScaleColumnsScalar(Span<float> matrix, int rows, int columns, ReadOnlySpan<float> factors)
    {
        RequireSizes(rows, columns, 0, "ScaleColumnsScalar");
        RequireLength(matrix.Length, (long)rows * columns, nameof(matrix), "ScaleColumnsScalar", "rows x columns");
        RequireLength(factors.Length, columns, nameof(factors), "ScaleColumnsScalar", "columns");
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                // W[r, c] *= factor[c]
                matrix[(r * columns) + c] *= factors[c];
            }
        }
    }
}
