// Scaled add, the one update rule every optimizer step is made of: y += alpha * x
// (SGD: w -= learnRate * dW is Axpy(-learnRate, dW, w)).
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

public static partial class Kernels
{
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
