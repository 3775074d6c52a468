// ReluKernelTests, TanhKernelTests, DropoutKernelTests: the kernels of the new layers against their
// scalar twins on every path (Scalar, Vector, Tuned), over the lengths 0..67 and longer remainders,
// plus hand-worked values, saturated inputs (+-1000, +-infinity) and NaN, in-place use and the length
// checks. The class names end with KernelTests, so CI runs them again without hardware intrinsics.
// Tolerances: ReLU, leaky ReLU, TanhBackward, DropoutMask and ApplyMask do the same float operations
// on both paths (bit-exact); the vector tanh is its own approximation: 1e-6 relative of MathF.Tanh.
using static MnistBp.Tests.Layers.LayerTestData;

namespace MnistBp.Tests.Layers;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class ReluKernelTests : RestoresKernelSettings
{
    [Test]
    public void Relu_and_its_backward_are_bit_exact_with_the_scalar_twins([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (int length in Lengths)
        {
            var random = new DeterministicRandom((ulong)length);
            float[] z = Gaussian(random, length), dOutput = Gaussian(random, length);
            float[] a = new float[length], twin = new float[length];
            Kernels.Relu(z, a);
            Kernels.ReluScalar(z, twin);
            Assert.That(Bits(a), Is.EqualTo(Bits(twin)), $"Relu {path} length {length}");
            for (int i = 0; i < length; i++)
            {
                Assert.That(twin[i], Is.EqualTo(Math.Max(0, z[i])), $"ReluScalar [{i}] z = {z[i]}");
            }

            float[] dInput = new float[length], dTwin = new float[length];
            Kernels.ReluBackward(a, dOutput, dInput);
            Kernels.ReluBackwardScalar(a, dOutput, dTwin);
            Assert.That(Bits(dInput), Is.EqualTo(Bits(dTwin)), $"ReluBackward {path} length {length}");
            for (int i = 0; i < length; i++)
            {
                Assert.That(dTwin[i], Is.EqualTo(z[i] > 0 ? dOutput[i] : 0f), $"ReluBackwardScalar [{i}] z = {z[i]}");
            }
        }
    }

    [Test]
    public void LeakyRelu_and_its_backward_are_bit_exact_with_the_scalar_twins(
        [ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path, [Values(0f, 0.01f, 0.2f, 0.999f)] float slope)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (int length in Lengths)
        {
            var random = new DeterministicRandom((ulong)length + 100);
            float[] z = Gaussian(random, length), dOutput = Gaussian(random, length);
            float[] a = new float[length], twin = new float[length];
            Kernels.LeakyRelu(z, slope, a);
            Kernels.LeakyReluScalar(z, slope, twin);
            Assert.That(Bits(a), Is.EqualTo(Bits(twin)), $"LeakyRelu {path} slope {slope} length {length}");

            float[] dInput = new float[length], dTwin = new float[length];
            Kernels.LeakyReluBackward(a, slope, dOutput, dInput);
            Kernels.LeakyReluBackwardScalar(a, slope, dOutput, dTwin);
            Assert.That(Bits(dInput), Is.EqualTo(Bits(dTwin)), $"LeakyReluBackward {path} slope {slope} length {length}");
            for (int i = 0; i < length; i++)
            {
                Assert.That(twin[i], Is.EqualTo(z[i] > 0 ? z[i] : slope * z[i]), $"LeakyReluScalar [{i}] z = {z[i]}");
                Assert.That(dTwin[i], Is.EqualTo(z[i] > 0 ? dOutput[i] : slope * dOutput[i]), $"LeakyReluBackwardScalar [{i}] z = {z[i]}");
            }
        }
    }

    [Test]
    public void Relu_gives_known_values_saturates_and_keeps_NaN([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        float[] z = [-2f, -0.5f, 0f, 0.5f, 3f, 1000f, -1000f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        float[] a = new float[z.Length];
        Kernels.Relu(z, a);
        Assert.That(a, Is.EqualTo(new[] { 0f, 0f, 0f, 0.5f, 3f, 1000f, 0f, float.PositiveInfinity, 0f, float.NaN }));
        Assert.That(float.IsNaN(a[^1]), Is.True, "NaN is not hidden");

        float[] dOutput = [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f];
        float[] dInput = new float[z.Length];
        Kernels.ReluBackward(a, dOutput, dInput);
        // dz = da * (z > 0), 0 at exactly 0; a NaN output gives a NaN gradient
        Assert.That(dInput[..9], Is.EqualTo(new[] { 0f, 0f, 0f, 4f, 5f, 6f, 0f, 8f, 0f }));
        Assert.That(float.IsNaN(dInput[9]), Is.True, "a NaN output gives a NaN dInput");
    }

    [Test]
    public void LeakyRelu_gives_known_values_and_keeps_NaN([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        float[] z = [-2f, 0f, 3f, -1000f, float.NegativeInfinity, float.PositiveInfinity, float.NaN, -4f, 5f];
        float[] a = new float[z.Length];
        Kernels.LeakyRelu(z, 0.25f, a);
        Assert.That(a, Is.EqualTo(new[] { -0.5f, 0f, 3f, -250f, float.NegativeInfinity, float.PositiveInfinity, float.NaN, -1f, 5f }));

        float[] dInput = new float[z.Length];
        Kernels.LeakyReluBackward(a, 0.25f, [4f, 4f, 4f, 4f, 4f, 4f, 4f, 8f, 8f], dInput);
        // dz = da * (z > 0 ? 1 : slope); the slope at exactly 0, as PyTorch
        Assert.That(dInput, Is.EqualTo(new[] { 1f, 1f, 4f, 1f, 1f, 4f, float.NaN, 2f, 8f }));
        Assert.That(float.IsNaN(dInput[6]), Is.True);

        // A slope of 0 is ReLU exactly: -infinity gives 0, not 0 * -infinity = NaN.
        Kernels.LeakyRelu(z, 0f, a);
        Assert.That(a[4], Is.EqualTo(0f));
    }

    [Test]
    public void Every_kernel_takes_special_values_like_its_twin([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        float[] dOutput = [.. Specials.Select((_, i) => i - 7.5f)];
        float[] a = new float[Specials.Length], twin = new float[Specials.Length];
        Kernels.Relu(Specials, a);
        Kernels.ReluScalar(Specials, twin);
        Assert.That(Bits(a), Is.EqualTo(Bits(twin)), "Relu");
        Kernels.ReluBackward(a, dOutput, a);
        Kernels.ReluBackwardScalar(twin, dOutput, twin);
        Assert.That(Bits(a), Is.EqualTo(Bits(twin)), "ReluBackward");
        Kernels.LeakyRelu(Specials, 0.1f, a);
        Kernels.LeakyReluScalar(Specials, 0.1f, twin);
        Assert.That(Bits(a), Is.EqualTo(Bits(twin)), "LeakyRelu");
        Kernels.LeakyReluBackward(a, 0.1f, dOutput, a);
        Kernels.LeakyReluBackwardScalar(twin, 0.1f, dOutput, twin);
        Assert.That(Bits(a), Is.EqualTo(Bits(twin)), "LeakyReluBackward");
    }

    [Test]
    public void Relu_kernels_may_run_in_place([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(5);
        float[] z = Gaussian(random, 37), gradient = Gaussian(random, 37);
        float[] expected = new float[37], dExpected = new float[37];
        Kernels.LeakyReluScalar(z, 0.1f, expected);
        Kernels.LeakyReluBackwardScalar(expected, 0.1f, gradient, dExpected);

        Kernels.LeakyRelu(z, 0.1f, z);
        Kernels.LeakyReluBackward(z, 0.1f, gradient, gradient);

        Assert.That(z, Is.EqualTo(expected));
        Assert.That(gradient, Is.EqualTo(dExpected));
    }

    [Test]
    public void Lengths_that_differ_are_refused_naming_the_span()
    {
        float[] f3 = new float[3], f4 = new float[4];
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.Relu(f4, f3))!.Message, Does.StartWith("Relu: destination has 3 elements but x needs 4."));
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.ReluBackward(f4, f3, f4))!.Message, Does.StartWith("ReluBackward: dOutput has 3 elements but output needs 4."));
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.LeakyRelu(f3, 0.1f, f4))!.Message, Does.StartWith("LeakyRelu: destination has 4 elements but x needs 3."));
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.LeakyReluBackwardScalar(f3, 0.1f, f3, f4))!.Message, Does.StartWith("LeakyReluBackwardScalar: dInput has 4 elements but output needs 3."));
    }
}

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class TanhKernelTests : RestoresKernelSettings
{
    private const double RelativeTolerance = 1e-6;

    [Test]
    public void Tanh_is_within_1e_6_relative_of_MathF_Tanh_for_every_length([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path, [Values(0.3, 3, 12)] double scale)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (int length in Lengths)
        {
            float[] z = Gaussian(new DeterministicRandom((ulong)length + 1000), length, scale);
            float[] a = new float[length], twin = new float[length];
            Kernels.Tanh(z, a);
            Kernels.TanhScalar(z, twin);
            for (int i = 0; i < length; i++)
            {
                // tanh z = (e^2z - 1) / (e^2z + 1), in double: an oracle independent of both kernels
                double exact = Math.Tanh(z[i]);
                Assert.That(a[i], Is.EqualTo(twin[i]).Within(RelativeTolerance * Math.Abs(twin[i])), $"{path} length {length} [{i}] z = {z[i]}");
                Assert.That(twin[i], Is.EqualTo(exact).Within(RelativeTolerance * Math.Abs(exact)), $"TanhScalar [{i}] z = {z[i]}");
            }
        }
    }

    [Test]
    public void Tanh_is_accurate_on_a_dense_sweep_across_its_branches([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        // Every 1/1024 from -12 to 12: the polynomial, its bound at 0.5, the exp form and the saturation at 9.1.
        float[] z = [.. Enumerable.Range(-12 * 1024, 24 * 1024 + 1).Select(k => k / 1024f)];
        float[] a = new float[z.Length];
        Kernels.Tanh(z, a);
        double worst = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double exact = Math.Tanh(z[i]);
            double error = exact == 0 ? Math.Abs(a[i]) : Math.Abs(a[i] - exact) / Math.Abs(exact);
            worst = Math.Max(worst, error);
            Assert.That(error, Is.LessThanOrEqualTo(RelativeTolerance), $"{path} z = {z[i]}: {a[i]} against {exact}");
        }

        TestContext.Out.WriteLine($"{path}: worst relative error {worst:E2} on [-12, 12]");
    }

    [Test]
    public void Tanh_gives_known_values_saturates_exactly_and_keeps_NaN([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6; tanh(ln 3) = (3 - 1/3) / (3 + 1/3) = 0.8; tanh(ln 3 / 2) = 0.5
        float[] z = [0f, MathF.Log(2f), MathF.Log(3f), -MathF.Log(3f), MathF.Log(3f) / 2, 1000f, -1000f, float.PositiveInfinity, float.NegativeInfinity, 9.1f, -50f, float.NaN];
        float[] a = new float[z.Length];
        Kernels.Tanh(z, a);
        Assert.That(a[0], Is.EqualTo(0f));
        Assert.That(a[1], Is.EqualTo(0.6f).Within(1e-6f));
        Assert.That(a[2], Is.EqualTo(0.8f).Within(1e-6f));
        Assert.That(a[3], Is.EqualTo(-0.8f).Within(1e-6f));
        Assert.That(a[4], Is.EqualTo(0.5f).Within(1e-6f));
        Assert.That(a[5..11], Is.EqualTo(new[] { 1f, -1f, 1f, -1f, 1f, -1f }), "exactly +-1 at saturation, no NaN");
        Assert.That(float.IsNaN(a[11]), Is.True, "NaN is not hidden");

        float[] dInput = new float[3];
        Kernels.TanhBackward([0.6f, 1f, float.NaN], [2f, 5f, 1f], dInput);
        // dz = da * (1 - a^2): 2 * (1 - 0.36) = 1.28; a saturated unit passes nothing; NaN stays NaN
        Assert.That(dInput[0], Is.EqualTo(1.28f).Within(1e-6f));
        Assert.That(dInput[1], Is.EqualTo(0f));
        Assert.That(float.IsNaN(dInput[2]), Is.True);
    }

    [Test]
    public void Tanh_of_special_values_matches_MathF_Tanh([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        float[] a = new float[Specials.Length];
        Kernels.Tanh(Specials, a);
        for (int i = 0; i < Specials.Length; i++)
        {
            float expected = MathF.Tanh(Specials[i]);
            if (float.IsNaN(expected))
            {
                Assert.That(float.IsNaN(a[i]), Is.True, $"z = {Specials[i]}");
                continue;
            }

            Assert.That(a[i], Is.EqualTo(expected).Within(RelativeTolerance * Math.Abs(expected)), $"{path} z = {Specials[i]}");
        }
    }

    [Test]
    public void An_element_gets_the_same_bits_wherever_it_sits()
    {
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Vector };
        float[] z = Gaussian(new DeterministicRandom(9), 101, scale: 2);
        float[] whole = new float[z.Length], one = new float[1];
        Kernels.Tanh(z, whole);
        for (int i = 0; i < z.Length; i++)
        {
            Kernels.Tanh(z.AsSpan(i, 1), one);
            Assert.That(BitConverter.SingleToInt32Bits(one[0]), Is.EqualTo(BitConverter.SingleToInt32Bits(whole[i])), $"[{i}]");
        }
    }

    [Test]
    public void TanhBackward_is_bit_exact_with_its_twin_for_every_length([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (int length in Lengths)
        {
            var random = new DeterministicRandom((ulong)length + 2000);
            float[] a = [.. Gaussian(random, length).Select(MathF.Tanh)], dOutput = Gaussian(random, length);
            float[] dInput = new float[length], twin = new float[length];
            Kernels.TanhBackward(a, dOutput, dInput);
            Kernels.TanhBackwardScalar(a, dOutput, twin);
            Assert.That(Bits(dInput), Is.EqualTo(Bits(twin)), $"{path} length {length}");
        }
    }

    [Test]
    public void Tanh_kernels_may_run_in_place([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(6);
        float[] z = Gaussian(random, 45, 2), gradient = Gaussian(random, 45);
        float[] expected = new float[45], dExpected = new float[45];
        Kernels.Tanh(z, expected);
        Kernels.TanhBackward(expected, gradient, dExpected);

        Kernels.Tanh(z, z);
        Kernels.TanhBackward(z, gradient, gradient);

        Assert.That(z, Is.EqualTo(expected));
        Assert.That(gradient, Is.EqualTo(dExpected));
    }

    [Test]
    public void Lengths_that_differ_are_refused_naming_the_span()
    {
        float[] f3 = new float[3], f4 = new float[4];
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.Tanh(f4, f3))!.Message, Does.StartWith("Tanh: destination has 3 elements but x needs 4."));
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.TanhScalar(f3, f4))!.Message, Does.StartWith("TanhScalar: destination has 4 elements but x needs 3."));
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.TanhBackward(f4, f4, f3))!.Message, Does.StartWith("TanhBackward: dInput has 3 elements but output needs 4."));
    }
}

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class DropoutKernelTests : RestoresKernelSettings
{
    [Test]
    public void DropoutMask_is_bit_exact_with_its_twin_and_follows_the_documented_formula(
        [ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path, [Values(0f, 0.2f, 0.5f, 0.9f)] float rate)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        float scale = 1f / (1f - rate);
        foreach (int length in Lengths)
        {
            ulong key = new DeterministicRandom((ulong)length).NextUInt64();
            float[] mask = new float[length], twin = new float[length];
            Kernels.DropoutMask(key, rate, mask);
            Kernels.DropoutMaskScalar(key, rate, twin);
            Assert.That(Bits(mask), Is.EqualTo(Bits(twin)), $"{path} rate {rate} length {length}");
            for (int i = 0; i < length; i++)
            {
                Assert.That(twin[i], Is.EqualTo(Kernels.DropoutUniform(i, key) >= rate ? scale : 0f), $"[{i}]");
            }
        }
    }

    [Test]
    public void The_hash_is_lowbias32_and_u_is_its_top_24_bits()
    {
        // H(0) = 0: every step maps 0 to 0. H(1) worked out step by step:
        // 1 ^ (1 >> 16) = 1; * 0x7FEB352D = 0x7FEB352D; ^ (>> 15 = 0xFFD6) = 0x7FEBCAFB;
        // * 0x846CA68B mod 2^32, then ^ (>> 16): checked against the same steps in 64-bit arithmetic.
        Assert.That(Kernels.DropoutHash(0), Is.Zero);
        ulong h = 1;
        h ^= h >> 16;
        h = (h * 0x7FEB352DUL) & 0xFFFF_FFFFUL;
        h ^= h >> 15;
        Assert.That(h, Is.EqualTo(0x7FEBCAFBUL));
        h = (h * 0x846CA68BUL) & 0xFFFF_FFFFUL;
        h ^= h >> 16;
        Assert.That(Kernels.DropoutHash(1), Is.EqualTo((uint)h));

        ulong key = 0x0123_4567_89AB_CDEFUL;
        uint bits = Kernels.DropoutHash(Kernels.DropoutHash(5u ^ 0x89AB_CDEFU) + 0x0123_4567U);
        Assert.That(Kernels.DropoutUniform(5, key), Is.EqualTo((bits >> 8) / 16777216.0));
    }

    [Test]
    public void The_uniforms_fill_ten_bins_evenly()
    {
        const int Count = 100_000;
        int[] bins = new int[10];
        ulong key = new DeterministicRandom(42).NextUInt64();
        for (int i = 0; i < Count; i++)
        {
            float u = Kernels.DropoutUniform(i, key);
            Assert.That(u, Is.GreaterThanOrEqualTo(0f).And.LessThan(1f));
            bins[(int)(u * 10)]++;
        }

        // Each bin is Binomial(100000, 0.1): sd = sqrt(100000 * 0.1 * 0.9) = 94.9; allow 5 sd.
        Assert.That(bins, Has.All.InRange(10_000 - 475, 10_000 + 475), string.Join(", ", bins));
    }

    [Test]
    public void ApplyMask_is_bit_exact_with_its_twin_and_keeps_NaN([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        foreach (int length in Lengths)
        {
            var random = new DeterministicRandom((ulong)length + 3000);
            float[] z = Gaussian(random, length), mask = new float[length];
            Kernels.DropoutMaskScalar(random.NextUInt64(), 0.5f, mask);
            float[] a = new float[length], twin = new float[length];
            Kernels.ApplyMask(z, mask, a);
            Kernels.ApplyMaskScalar(z, mask, twin);
            Assert.That(Bits(a), Is.EqualTo(Bits(twin)), $"{path} length {length}");
            for (int i = 0; i < length; i++)
            {
                Assert.That(twin[i], Is.EqualTo(mask[i] == 0 ? 0f : 2f * z[i]), $"[{i}]");
            }
        }

        float[] special = [float.NaN, float.NaN, float.PositiveInfinity, 1000f];
        float[] result = new float[4];
        Kernels.ApplyMask(special, [0f, 2f, 0f, 0f], result);
        Assert.That(result.Take(3).All(float.IsNaN), Is.True, "NaN kept, dropped or not; a dropped infinity is NaN, not hidden");
        Assert.That(result[3], Is.EqualTo(0f));
    }

    [Test]
    public void ApplyMask_may_run_in_place_and_refuses_lengths_that_differ()
    {
        float[] z = [1f, 2f, 3f], mask = [0f, 2f, 2f];
        Kernels.ApplyMask(z, mask, z);
        Assert.That(z, Is.EqualTo(new[] { 0f, 4f, 6f }));
        float[] f3 = new float[3], f4 = new float[4];
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.ApplyMask(f3, f4, f3))!.Message, Does.StartWith("ApplyMask: mask has 4 elements but x needs 3."));
        Assert.That(Assert.Throws<ArgumentException>(() => Kernels.ApplyMaskScalar(f3, f3, f4))!.Message, Does.StartWith("ApplyMaskScalar: destination has 4 elements but x needs 3."));
    }
}
