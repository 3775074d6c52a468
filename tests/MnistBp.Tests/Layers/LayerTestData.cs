// Shared inputs for the tests of the Relu, LeakyRelu, Tanh and Dropout layers and kernels: seeded
// random arrays, the lengths every kernel sweep uses (each remainder of an 8- or 16-lane vector), and
// a bitwise comparison that treats NaN as equal to itself and tells -0 from +0.
namespace MnistBp.Tests.Layers;

internal static class LayerTestData
{
    /// <summary>0..67, then the longer remainders: every tail of a 4-, 8- or 16-lane vector.</summary>
    public static readonly int[] Lengths = [.. Enumerable.Range(0, 68), 100, 127, 129, 1000, 1023];

    public static readonly KernelPath[] Paths = [KernelPath.Scalar, KernelPath.Vector, KernelPath.Tuned];

    public static float[] Gaussian(DeterministicRandom random, int length, double scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(scale * random.NextGaussian());
        }

        return values;
    }

    public static Tensor GaussianTensor(DeterministicRandom random, int rows, int columns, double scale = 1)
    {
        var tensor = new Tensor(rows, columns);
        Gaussian(random, rows * columns, scale).CopyTo(tensor.AsSpan());
        return tensor;
    }

    /// <summary>Gaussian values pushed at least <paramref name="gap"/> away from 0, so that a finite difference never steps over ReLU's kink.</summary>
    public static Tensor AwayFromZero(DeterministicRandom random, int rows, int columns, float gap = 0.1f)
    {
        Tensor tensor = GaussianTensor(random, rows, columns);
        foreach (ref float x in tensor.AsSpan())
        {
            x = MathF.CopySign(gap + MathF.Abs(x), x);
        }

        return tensor;
    }

    public static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }

    /// <summary>Special values every element-wise kernel sees: zeros of both signs, tiny, huge, infinite and NaN.</summary>
    public static readonly float[] Specials =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f, 1e-4f, -1e-4f, 0.4999f, 0.5f, 0.5001f, -0.5f, 1f, -1f, 9f, 9.05f, 9.1f, -9.1f,
        20f, -20f, 88f, 89f, 1000f, -1000f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];
}
