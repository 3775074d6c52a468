// DropoutLayerTests: the inverted dropout layer. The mask follows its documented recipe (the k-th
// DeterministicRandom(seed) draw keys the k-th mask); over 100,000 units the fraction dropped is the
// rate and the mean is preserved, within 5 standard deviations of the binomial; equal seeds give equal
// masks, other seeds and later Forwards other ones; Backward multiplies by the same mask; Predict and
// evaluation never drop; rate 0 is the identity; FreezeMask makes GradientCheck pass (and without it
// the check fails); bad rates are refused.
using static MnistBp.Tests.Layers.LayerTestData;

namespace MnistBp.Tests.Layers;

[NonParallelizable] // KernelSettings.Current is process-wide
internal sealed class DropoutLayerTests : RestoresKernelSettings
{
    [Test]
    public void Forward_and_Backward_multiply_by_the_mask_of_the_documented_recipe([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var dropout = new Dropout(0.25f, seed: 77);
        var keys = new DeterministicRandom(77);
        Tensor z = GaussianTensor(new DeterministicRandom(1), 6, 11);
        for (int call = 0; call < 3; call++)
        {
            ulong key = keys.NextUInt64();
            float[] a = dropout.Forward(z).AsSpan().ToArray();
            float[] mask = dropout.LastMask.ToArray();
            Assert.That(mask, Has.Length.EqualTo(z.Length));
            for (int i = 0; i < z.Length; i++)
            {
                // m = (u >= rate) / (1 - rate); a = z * m
                float m = Kernels.DropoutUniform(i, key) >= 0.25f ? 1f / 0.75f : 0f;
                Assert.That(mask[i], Is.EqualTo(m), $"call {call} [{i}]");
                Assert.That(a[i], Is.EqualTo(z.AsSpan()[i] * m), $"call {call} [{i}]");
            }

            Tensor da = GaussianTensor(new DeterministicRandom((ulong)call + 5), 6, 11);
            float[] dz = dropout.Backward(da).AsSpan().ToArray();
            for (int i = 0; i < z.Length; i++)
            {
                // dz = da * m
                Assert.That(dz[i], Is.EqualTo(da.AsSpan()[i] * mask[i]), $"call {call} dz [{i}]");
            }
        }
    }

    [Test]
    public void The_fraction_dropped_is_the_rate_and_the_mean_is_kept_over_100000_units([Values(0.1f, 0.2f, 0.5f, 0.8f)] float rate)
    {
        const int Units = 100_000;
        var dropout = new Dropout(rate, seed: 3);
        var ones = new Tensor(100, 1000);
        ones.Fill(1f);
        for (int call = 0; call < 3; call++)
        {
            ReadOnlySpan<float> a = dropout.Forward(ones).AsSpan();
            int dropped = 0;
            double sum = 0;
            foreach (float value in a)
            {
                dropped += value == 0f ? 1 : 0;
                sum += value;
            }

            // dropped ~ Binomial(n, rate): sd = sqrt(n rate (1 - rate)); the mean of a is 1 with sd sqrt(rate / ((1 - rate) n)).
            double droppedSd = Math.Sqrt(Units * rate * (1 - rate)), meanSd = Math.Sqrt(rate / ((1 - rate) * Units));
            Assert.That(dropped, Is.EqualTo(Units * rate).Within(5 * droppedSd), $"call {call}: {dropped} of {Units} dropped at rate {rate}");
            Assert.That(sum / Units, Is.EqualTo(1.0).Within(5 * meanSd), $"call {call}: the mean of the outputs");
        }
    }

    [Test]
    public void Consecutive_masks_are_independent()
    {
        // Two masks at rate 0.5: a unit is dropped in both with probability 0.25 (sd 0.0014 over 100,000).
        var dropout = new Dropout(0.5f, seed: 8);
        var ones = new Tensor(1, 100_000);
        ones.Fill(1f);
        float[] first = dropout.Forward(ones).AsSpan().ToArray();
        float[] second = dropout.Forward(ones).AsSpan().ToArray();
        int both = first.Zip(second).Count(pair => pair.First == 0f && pair.Second == 0f);
        Assert.That(both / 100_000.0, Is.EqualTo(0.25).Within(5 * Math.Sqrt(0.25 * 0.75 / 100_000)));
    }

    [Test]
    public void The_same_seed_gives_the_same_masks_and_other_seeds_other_ones([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        Tensor z = GaussianTensor(new DeterministicRandom(2), 10, 50);
        Dropout first = new(0.5f, seed: 9), same = new(0.5f, seed: 9), other = new(0.5f, seed: 10);
        float[] firstMask = [.. Masks(first, z, 2)], sameMask = [.. Masks(same, z, 2)], otherMask = [.. Masks(other, z, 2)];

        Assert.That(Bits(sameMask), Is.EqualTo(Bits(firstMask)), "seed 9 twice");
        Assert.That(otherMask, Is.Not.EqualTo(firstMask), "seeds 9 and 10");
        Assert.That(firstMask.AsSpan(0, 500).SequenceEqual(firstMask.AsSpan(500, 500)), Is.False, "a new mask every Forward");

        // The same masks on every kernel path: the vector loop and the scalar twin draw the same bits.
        KernelSettings.Current = KernelSettings.Current with { Path = KernelPath.Scalar };
        Assert.That(Bits([.. Masks(new Dropout(0.5f, seed: 9), z, 2)]), Is.EqualTo(Bits(firstMask)), "Scalar against " + path);
    }

    [Test]
    public void Predict_never_drops_and_evaluation_sees_the_identity()
    {
        var dropout = new Dropout(0.9f, seed: 4);
        float[] input = GaussianTensor(new DeterministicRandom(3), 8, 20).AsSpan().ToArray(), output = new float[input.Length];
        for (int i = 0; i < 5; i++)
        {
            dropout.Predict(input, output, 8);
            Assert.That(Bits(output), Is.EqualTo(Bits(input)));
        }

        var random = new DeterministicRandom(5);
        var first = new Dense(5, 7, WeightInit.StandardNormal, random, "first");
        var second = new Dense(7, 2, WeightInit.StandardNormal, random, "second");
        var withDropout = new Sequential(first, new Relu(), new Dropout(0.5f), second);
        var without = new Sequential(first, new Relu(), second);
        Tensor x = GaussianTensor(random, 4, 5);
        Assert.That(Bits(withDropout.Predict(x).AsSpan()), Is.EqualTo(Bits(without.Predict(x).AsSpan())));
    }

    [Test]
    public void Rate_zero_is_the_identity_in_training_too()
    {
        var dropout = new Dropout(0f, seed: 6);
        Tensor z = GaussianTensor(new DeterministicRandom(6), 7, 9);
        Assert.That(Bits(dropout.Forward(z).AsSpan()), Is.EqualTo(Bits(z.AsSpan())));
        Assert.That(dropout.LastMask.ToArray(), Has.All.EqualTo(1f));
        Tensor da = GaussianTensor(new DeterministicRandom(7), 7, 9);
        Assert.That(Bits(dropout.Backward(da).AsSpan()), Is.EqualTo(Bits(da.AsSpan())));
    }

    [Test]
    public void FreezeMask_keeps_the_mask_until_the_shape_changes()
    {
        var dropout = new Dropout(0.5f, seed: 11);
        Assert.That(dropout.LastMask.IsEmpty, Is.True, "no mask before the first Forward");
        Tensor z = GaussianTensor(new DeterministicRandom(8), 4, 30);
        dropout.FreezeMask = true;
        float[] first = [.. Masks(dropout, z, 1)];
        Assert.That(Bits([.. Masks(dropout, z, 3)]), Is.EqualTo(Bits([.. first, .. first, .. first])));

        Tensor other = GaussianTensor(new DeterministicRandom(9), 5, 30);
        Assert.That(Masks(dropout, other, 1).Count(), Is.EqualTo(150), "another shape draws its own mask");
        dropout.FreezeMask = false;
        float[] next = [.. Masks(dropout, other, 1)], after = [.. Masks(dropout, other, 1)];
        Assert.That(after, Is.Not.EqualTo(next), "unfrozen: a new mask every Forward");
    }

    [Test]
    public void With_a_frozen_mask_the_gradient_check_passes_and_without_it_fails([ValueSource(typeof(LayerTestData), nameof(Paths))] KernelPath path)
    {
        KernelSettings.Current = KernelSettings.Current with { Path = path };
        var random = new DeterministicRandom(21);
        Tensor input = GaussianTensor(random, 5, 8);

        GradientCheckReport frozen = GradientCheck.Check(new Dropout(0.3f, seed: 1) { FreezeMask = true }, input);
        TestContext.Out.WriteLine(frozen);
        Assert.That(frozen.Passed, Is.True, frozen.ToString());

        GradientCheckReport redrawn = GradientCheck.Check(new Dropout(0.3f, seed: 1), input);
        Assert.That(redrawn.Passed, Is.False, "a mask redrawn at every Forward is another function each time");
        Assert.That(redrawn.Problem, Does.StartWith("The loss is not the same function from one call to the next").And.Contain("set its FreezeMask to true"));
        Assert.That(redrawn.ToString(), Does.Contain("FreezeMask"), "the hint is in the table a learner reads");
        Assert.That(frozen.Problem, Is.Null);

        var dropout = new Dropout(0.3f, seed: 2) { FreezeMask = true };
        var model = new Sequential(
            new Dense(8, 6, WeightInit.ScaledNormal, random, "hidden"), new Tanh(), dropout,
            new Dense(6, 3, WeightInit.ScaledNormal, random, "output"));
        // Targets 0.3 or so from the outputs: a loss near 0.1, whose float rounding adds little to the numeric gradients.
        Tensor target = model.Predict(input);
        foreach (ref float t in target.AsSpan())
        {
            t += (float)(0.3 * random.NextGaussian());
        }

        GradientCheckReport report = GradientCheck.Check(model, new MeanSquaredError(), input, target, new GradientCheckOptions { AbsoluteTolerance = 5e-5 });
        TestContext.Out.WriteLine(report);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(dropout.LastMask.ToArray(), Has.Some.Zero, "the check ran with units dropped");
    }

    [Test]
    public void A_rate_outside_0_to_1_is_refused_naming_it([Values(-0.1f, 1f, 1.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity)] float rate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Dropout(rate));
        Assert.That(error!.ParamName, Is.EqualTo("rate"));
        Assert.That(error.Message, Does.Contain("finite and in [0, 1)"));
    }

    [Test]
    public void Shapes_are_checked_and_the_settings_are_readable()
    {
        var dropout = new Dropout(0.2f, seed: 12);
        Assert.Throws<InvalidOperationException>(() => dropout.Backward(new Tensor(2, 2)));
        dropout.Forward(new Tensor(2, 3));
        Assert.Throws<ArgumentException>(() => dropout.Backward(new Tensor(3, 2)));
        Assert.That(Assert.Throws<ArgumentException>(() => dropout.Predict(new float[6], new float[5], 2))!.ParamName, Is.EqualTo("output"));
        Assert.That((dropout.Kind, dropout.Name, dropout.Rate, dropout.Seed), Is.EqualTo(("Dropout", "dropout", 0.2f, 12UL)));
        Assert.That(dropout.Formula, Is.EqualTo("a = z * m, m = (u >= 0.2) / (1 - 0.2); Predict: a = z"));
    }

    /// <summary>The masks of <paramref name="calls"/> Forwards of <paramref name="z"/>, one after the other.</summary>
    private static IEnumerable<float> Masks(Dropout dropout, Tensor z, int calls)
    {
        var masks = new List<float>();
        for (int i = 0; i < calls; i++)
        {
            dropout.Forward(z);
            masks.AddRange(dropout.LastMask.ToArray());
        }

        return masks;
    }
}
