// DeterministicRandom: the project's own seeded generator, so that a seed names the same weights
// and the same shuffles on every machine and every .NET version (System.Random promises neither).
// It is SplitMix64 (Steele, Lea and Flood, 2014) for uniform bits and Marsaglia's polar method for
// normal samples, with a logarithm written from + - * / only, so no C runtime math is involved.
// It is not cryptographically secure and makes no attempt to be.
using System.Numerics;

namespace MnistBp;

/// <summary>
/// A small, fully specified pseudo-random generator: the same seed gives the same sequence
/// everywhere, bit for bit.
/// </summary>
/// <remarks>
/// Uniform values come from SplitMix64: the state advances by 0x9E3779B97F4A7C15 per draw and is
/// mixed by two xor-shift-multiply rounds. <see cref="NextGaussian"/> uses Marsaglia's polar method;
/// its logarithm is computed with basic arithmetic only (IEEE 754 makes those exact everywhere),
/// and its square root is correctly rounded by IEEE 754 as well.
/// </remarks>
public sealed class DeterministicRandom
{
    private ulong _state;

    /// <summary>Creates a generator whose sequence is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <param name="maxExclusive">The exclusive upper bound; must be positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is zero or negative.</exception>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);

        // Lemire's method: the high half of a 32x32-bit product, rejecting the few low values that
        // would make some results more likely than others.
        ulong range = (ulong)maxExclusive;
        ulong product = (NextUInt64() >> 32) * range;
        if ((uint)product < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while ((uint)product < threshold)
            {
                product = (NextUInt64() >> 32) * range;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>A sample of the standard normal distribution N(0, 1).</summary>
    public double NextGaussian()
    {
        // Marsaglia's polar method: pick (u, v) uniformly in the unit disc; then
        // u * sqrt(-2 ln(s) / s) with s = u² + v² is N(0, 1). (The second sample, v * ..., is dropped.)
        while (true)
        {
            double u = 2.0 * NextDouble() - 1.0;
            double v = 2.0 * NextDouble() - 1.0;
            double s = u * u + v * v;
            if (s > 0.0 && s < 1.0)
            {
                return u * Math.Sqrt(-2.0 * Log(s) / s);
            }
        }
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher-Yates), driven by this generator.</summary>
    /// <param name="values">The values to permute.</param>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Natural logarithm of a positive, finite, normal double using only + - * /.</summary>
    internal static double Log(double x)
    {
        const double Ln2 = 0.6931471805599453094;

        // x = m * 2^e with m in [1, 2), read from the IEEE 754 bits.
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)((bits >> 52) & 0x7FF) - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            e++;
        }

        // ln(m) = 2 atanh(t) = 2 (t + t³/3 + t⁵/5 + ...), t = (m - 1) / (m + 1), |t| <= 0.172.
        double t = (m - 1.0) / (m + 1.0), t2 = t * t, term = t, sum = 0.0;
        for (int k = 1; k <= 41; k += 2)
        {
            sum += term / k;
            term *= t2;
        }

        return e * Ln2 + 2.0 * sum;
    }
}
