// The hyperbolic tangent in both directions: a = tanh(z) and dz = da * (1 - a^2) (LeCun et al.,
// "Efficient BackProp", 1998, recommend it over the sigmoid because it is centred on 0). The BCL has
// no vector tanh, so the Vector<float> loop builds one from Vector.Exp: an odd Taylor polynomial for
// |z| < 0.5, where 1 - e^(-2|z|) would cancel, (1 - e) / (1 + e) with e = e^(-2|z|) up to 9.1, and
// exactly +-1 beyond, where float tanh is 1 anyway. Within 1e-6 relative of MathF.Tanh (the scalar
// twin). No tuned version and no threads: measured nowhere yet, so none claimed.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MnistBp;

internal static partial class Kernels
{
    /// <summary>Below this |z| the vector tanh uses its polynomial; the first left-out term is below 1e-8 relative there.</summary>
    private const float TanhPolynomialBound = 0.5f;

    /// <summary>From this |z| on, tanh(z) rounds to +-1 in float (1 - tanh(z) &lt; 2^-25 beyond 9.02), and the kernels write exactly +-1.</summary>
    private const float TanhSaturationBound = 9.1f;

    /// <summary>
    /// Element-wise hyperbolic tangent: <c>destination[i] = tanh(x[i])</c>, within 1e-6 relative of
    /// <see cref="MathF.Tanh"/>, exactly +-1 for |x| &gt;= 9.1 and for infinities, NaN for NaN.
    /// </summary>
    /// <param name="x">The inputs z.</param>
    /// <param name="destination">The outputs a, as long as <paramref name="x"/>; may be the same span as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "Tanh", "x");
        if (!UseVector)
        {
            TanhScalar(x, destination);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= x.Length - count; i += count)
        {
            TanhVector(new Vector<float>(x.Slice(i))).CopyTo(destination.Slice(i));
        }

        if (i < x.Length)
        {
            // The remainder goes through the same vector code, padded, so an element's value does not
            // depend on where it sits (as in Sigmoid).
            Span<float> lanes = stackalloc float[Vector<float>.Count];
            lanes.Clear();
            x.Slice(i).CopyTo(lanes);
            TanhVector(new Vector<float>(lanes)).CopyTo(lanes);
            lanes[..(x.Length - i)].CopyTo(destination.Slice(i));
        }
    }

    /// <summary>tanh of each lane: the polynomial, the exp form or +-1, chosen by |z|; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> TanhVector(Vector<float> z)
    {
        Vector<float> magnitude = Vector.Abs(z);

        // tanh z = z + z^3 (-1/3 + t (2/15 + t (-17/315 + ...))), t = z^2: Taylor to z^15, for |z| < 0.5
        Vector<float> t = z * z;
        Vector<float> p = new Vector<float>(-929569f / 638512875f);
        p = (p * t) + new Vector<float>(21844f / 6081075f);
        p = (p * t) + new Vector<float>(-1382f / 155925f);
        p = (p * t) + new Vector<float>(62f / 2835f);
        p = (p * t) + new Vector<float>(-17f / 315f);
        p = (p * t) + new Vector<float>(2f / 15f);
        p = (p * t) + new Vector<float>(-1f / 3f);
        Vector<float> small = z + (z * t * p);

        // tanh |z| = (1 - e) / (1 + e), e = e^(-2|z|); the sign of z put back
        Vector<float> e = Vector.Exp(new Vector<float>(-2f) * magnitude);
        Vector<float> large = Vector.CopySign((Vector<float>.One - e) / (Vector<float>.One + e), z);

        // tanh z = +-1 for |z| >= 9.1 (a NaN compares false everywhere and keeps the exp form's NaN)
        Vector<float> saturated = Vector.CopySign(Vector<float>.One, z);
        Vector<float> result = Vector.ConditionalSelect(Vector.LessThan(magnitude, new Vector<float>(TanhPolynomialBound)), small, large);
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(magnitude, new Vector<float>(TanhSaturationBound)), saturated, result);
    }

    /// <summary>Scalar twin of <see cref="Tanh"/>: <see cref="MathF.Tanh"/> per element.</summary>
    /// <inheritdoc cref="Tanh" path="/param"/>
    public static void TanhScalar(ReadOnlySpan<float> x, Span<float> destination)
    {
        RequireLength(destination.Length, x.Length, nameof(destination), "TanhScalar", "x");
        for (int i = 0; i < x.Length; i++)
        {
            // a = tanh z
            destination[i] = MathF.Tanh(x[i]);
        }
    }

    /// <summary>Tanh backward from its cached output: <c>dInput[i] = dOutput[i] * (1 - output[i]^2)</c>.</summary>
    /// <param name="output">The tanh's output a from the forward pass.</param>
    /// <param name="dOutput">dLoss/dOutput, as long as <paramref name="output"/>.</param>
    /// <param name="dInput">dLoss/dInput, as long as <paramref name="output"/>; may be the same span as <paramref name="dOutput"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "TanhBackward", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "TanhBackward", "output");
        if (!UseVector)
        {
            TanhBackwardScalar(output, dOutput, dInput);
            return;
        }

        int count = Vector<float>.Count, i = 0;
        for (; i <= output.Length - count; i += count)
        {
            var a = new Vector<float>(output.Slice(i));
            // dz = da * (1 - a^2)
            (new Vector<float>(dOutput.Slice(i)) * (Vector<float>.One - (a * a))).CopyTo(dInput.Slice(i));
        }

        for (; i < output.Length; i++)
        {
            float a = output[i];
            dInput[i] = dOutput[i] * (1f - (a * a));
        }
    }

    /// <summary>Scalar twin of <see cref="TanhBackward"/>.</summary>
    /// <inheritdoc cref="TanhBackward" path="/param"/>
    public static void TanhBackwardScalar(ReadOnlySpan<float> output, ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "TanhBackwardScalar", "output");
        RequireLength(dInput.Length, output.Length, nameof(dInput), "TanhBackwardScalar", "output");
        for (int i = 0; i < output.Length; i++)
        {
            float a = output[i];
            // dz = da * (1 - a^2)
            dInput[i] = dOutput[i] * (1f - (a * a));
        }
    }
}
