// The rectified linear unit and its leaky variant in both directions: a = max(0, z) and
// a = z > 0 ? z : slope * z (Nair & Hinton 2010; Maas, Hannun & Ng 2013), past the tutorial's sigmoid.
// Both backward passes read the forward output a, not z: for a slope >= 0, a > 0 exactly where z > 0,
// so a layer caches one tensor it owns. Comparisons and selects only, so the Vector<float> loops give
// the same bits as the scalar twins; no tuned version (a select costs less than the loads around it).
// NaN is never hidden: a NaN input gives a NaN output and a NaN dInput.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>Element-wise ReLU: <c>destination[i] = x[i] &lt; 0 ? 0 : x[i]</c>, that is max(0, x[i]) with NaN kept as NaN.</summary>
    /// <param name="x">The inputs z.</param>
    /// <param name="destination">The outputs a, as long as <paramref name="x"/>; may be the same span as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "Relu", "x");
        if (!UseVector)
        {
            ReluScalar(x, destination);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= x.Length - count; i += count)
        {
            var z = new Vector<float>(x.Slice(i));
            // a = max(0, z): 0 where z < 0, else z (a NaN compares false and stays)
            Vector.ConditionalSelect(Vector.LessThan(z, Vector<float>.Zero), Vector<float>.Zero, z).CopyTo(destination.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            float z = x[i];
            destination[i] = z < 0f ? 0f : z;
        }
    }

    /// <summary>Scalar twin of <see cref="Relu"/>.</summary>
    /// <inheritdoc cref="Relu" path="/param"/>
    public static void ReluScalar(ReadOnlySpan<float> x, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "ReluScalar", "x");
        for (int i = 0; i < x.Length; i++)
        {
            float z = x[i];
            // a = max(0, z)
            destination[i] = z < 0f ? 0f : z;
        }
    }

    /// <summary>
    /// ReLU backward from its cached output: <c>dInput[i] = output[i] &gt; 0 ? dOutput[i] : 0</c>, that is
    /// dz = da * (z &gt; 0), the derivative at exactly 0 taken as 0 (as PyTorch does); a NaN output gives a NaN dInput.
    /// </summary>
    /// <param name="output">The ReLU's output a from the forward pass.</param>
    /// <param name="dOutput">dLoss/dOutput, as long as <paramref name="output"/>.</param>
    /// <param name="dInput">dLoss/dInput, as long as <paramref name="output"/>; may be the same span as <paramref name="dOutput"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "ReluBackward", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "ReluBackward", "output");
        if (!UseVector)
        {
            ReluBackwardScalar(output, dOutput, dInput);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= output.Length - count; i += count)
        {
            var a = new Vector<float>(output.Slice(i));
            // dz = da * (z > 0): da where a > 0, 0 where a <= 0, and the NaN itself where a is NaN
            Vector<float> passed = Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), new Vector<float>(dOutput.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(Vector.Equals(a, a), passed, a).CopyTo(dInput.Slice(i));
        }

        for (; i < output.Length; i++)
        {
            dInput[i] = ReluBackwardOne(output[i], dOutput[i]);
        }
    }

    /// <summary>Scalar twin of <see cref="ReluBackward"/>.</summary>
    /// <inheritdoc cref="ReluBackward" path="/param"/>
    public static void ReluBackwardScalar(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "ReluBackwardScalar", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "ReluBackwardScalar", "output");
        for (int i = 0; i < output.Length; i++)
        {
            dInput[i] = ReluBackwardOne(output[i], dOutput[i]);
        }
    }

    // dz = da * (z > 0), with a NaN output passed on as NaN
    private static float ReluBackwardOne(float a, float da) => float.IsNaN(a) ? a : a > 0f ? da : 0f;

    /// <summary>
    /// Element-wise leaky ReLU: <c>destination[i] = x[i] &gt; 0 ? x[i] : slope * x[i]</c>. A slope of 0 is
    /// exactly <see cref="Relu"/> (so -infinity gives 0, not 0 * -infinity = NaN).
    /// </summary>
    /// <param name="x">The inputs z.</param>
    /// <param name="slope">The slope for z &lt;= 0, in [0, 1) (the layer checks it).</param>
    /// <param name="destination">The outputs a, as long as <paramref name="x"/>; may be the same span as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyRelu(ReadOnlySpan<float> x, float slope, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "LeakyRelu", "x");
        if (slope == 0f)
        {
            Relu(x, destination);
            return;
        }

        if (!UseVector)
        {
            LeakyReluScalar(x, slope, destination);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        var slopes = new Vector<float>(slope);
        for (; i <= x.Length - count; i += count)
        {
            var z = new Vector<float>(x.Slice(i));
            // a = z > 0 ? z : slope * z   (a NaN takes the second branch and stays NaN)
            Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<float>.Zero), z, slopes * z).CopyTo(destination.Slice(i));
        }

        for (; i < x.Length; i++)
        {
            float z = x[i];
            destination[i] = z > 0f ? z : slope * z;
        }
    }

    /// <summary>Scalar twin of <see cref="LeakyRelu"/>.</summary>
    /// <inheritdoc cref="LeakyRelu" path="/param"/>
    public static void LeakyReluScalar(ReadOnlySpan<float> x, float slope, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "LeakyReluScalar", "x");
        if (slope == 0f)
        {
            ReluScalar(x, destination);
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            float z = x[i];
            // a = z > 0 ? z : slope * z
            destination[i] = z > 0f ? z : slope * z;
        }
    }

    /// <summary>
    /// Leaky ReLU backward from its cached output: <c>dInput[i] = output[i] &gt; 0 ? dOutput[i] : slope * dOutput[i]</c>
    /// (for a slope &gt;= 0, a &gt; 0 exactly where z &gt; 0; the derivative at 0 is the slope, as PyTorch); a NaN output gives NaN.
    /// </summary>
    /// <param name="output">The layer's output a from the forward pass.</param>
    /// <param name="slope">The slope the forward pass used.</param>
    /// <param name="dOutput">dLoss/dOutput, as long as <paramref name="output"/>.</param>
    /// <param name="dInput">dLoss/dInput, as long as <paramref name="output"/>; may be the same span as <paramref name="dOutput"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluBackward(ReadOnlySpan<float> output, float slope, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "LeakyReluBackward", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "LeakyReluBackward", "output");
        if (!UseVector)
        {
            LeakyReluBackwardScalar(output, slope, dOutput, dInput);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        var slopes = new Vector<float>(slope);
        for (; i <= output.Length - count; i += count)
        {
            var a = new Vector<float>(output.Slice(i));
            var da = new Vector<float>(dOutput.Slice(i));
            // dz = da * (z > 0 ? 1 : slope), and the NaN itself where a is NaN
            Vector<float> passed = Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), da, slopes * da);
            Vector.ConditionalSelect(Vector.Equals(a, a), passed, a).CopyTo(dInput.Slice(i));
        }

        for (; i < output.Length; i++)
        {
            dInput[i] = LeakyReluBackwardOne(output[i], slope, dOutput[i]);
        }
    }

    /// <summary>Scalar twin of <see cref="LeakyReluBackward"/>.</summary>
    /// <inheritdoc cref="LeakyReluBackward" path="/param"/>
    public static void LeakyReluBackwardScalar(ReadOnlySpan<float> output, float slope, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "LeakyReluBackwardScalar", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "LeakyReluBackwardScalar", "output");
        for (int i = 0; i < output.Length; i++)
        {
            dInput[i] = LeakyReluBackwardOne(output[i], slope, dOutput[i]);
        }
    }

    // dz = da * (z > 0 ? 1 : slope), with a NaN output passed on as NaN
    private static float LeakyReluBackwardOne(float a, float slope, float da) => float.IsNaN(a) ? a : a > 0f ? da : slope * da;
}
