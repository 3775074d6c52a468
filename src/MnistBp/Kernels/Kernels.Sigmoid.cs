// The sigmoid activation in both directions (tutorial: "Activation function" and the derivative
// f'(x) = f(x) * (1 - f(x)) used in "Training a Neural Network, Part 2").
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

public static partial class Kernels
{
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
