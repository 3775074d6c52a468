// Learn-rate schedules: each built-in's value at chosen steps against its formula worked out by hand,
// Fit setting the scheduled rate before every step (seen in EpochResult.LearnRate and in the rate the
// optimizer holds at each batch), the base rate set back afterwards, and the errors for an optimizer
// without a learn rate and for a schedule that gives a bad rate.
using MnistBp.Data;

namespace MnistBp.Tests.Training;

internal sealed class ScheduleTests
{
    [Test]
    public void Constant_keeps_the_base_rate() =>
        Assert.That(LearnRateSchedule.Constant().RateAt(0.3f, 57, 10, 100), Is.EqualTo(0.3f));

    [Test]
    public void StepDecay_multiplies_by_gamma_every_k_epochs()
    {
        // 10 steps per epoch, ×0.1 every 2 epochs: epochs 0-1 -> 1, 2-3 -> 0.1, 4 -> 0.01.
        LearnRateSchedule schedule = LearnRateSchedule.StepDecay(0.1f, 2);
        Assert.That(schedule.RateAt(1f, 0, 10, 50), Is.EqualTo(1f));
        Assert.That(schedule.RateAt(1f, 19, 10, 50), Is.EqualTo(1f), "last step of epoch 1 (0-based)");
        Assert.That(schedule.RateAt(1f, 20, 10, 50), Is.EqualTo(0.1f).Within(1e-7f));
        Assert.That(schedule.RateAt(1f, 45, 10, 50), Is.EqualTo(0.01f).Within(1e-8f));
        Assert.That(schedule.ToString(), Is.EqualTo("StepDecay gamma=0.1 everyEpochs=2"));
    }

    [Test]
    public void Cosine_goes_from_the_base_rate_to_the_minimum()
    {
        // min + (base - min)(1 + cos(π t / T)) / 2 with base 1, min 0.1, T = 100:
        // t = 0 -> 1; t = 50 -> 0.1 + 0.9 * 0.5 = 0.55; t = 100 -> 0.1; t = 25 -> 0.1 + 0.45 (1 + √2/2) = 0.8682...
        LearnRateSchedule schedule = LearnRateSchedule.Cosine(0.1f);
        Assert.That(schedule.RateAt(1f, 0, 10, 100), Is.EqualTo(1f));
        Assert.That(schedule.RateAt(1f, 50, 10, 100), Is.EqualTo(0.55f).Within(1e-6f));
        Assert.That(schedule.RateAt(1f, 25, 10, 100), Is.EqualTo(0.1 + (0.45 * (1 + (Math.Sqrt(2) / 2)))).Within(1e-6));
        Assert.That(schedule.RateAt(1f, 100, 10, 100), Is.EqualTo(0.1f).Within(1e-7f));
    }

    [TestCase(100_000_000)]
    [TestCase(300_000_000)]
    [TestCase(2_000_000_000)]
    public void Cosine_keeps_its_digits_at_the_end_of_a_very_long_run(int totalSteps)
    {
        // The last step's rate is base * (1 + cos(π (T - 1) / T)) / 2 = base * sin²(π / 2T), about 2.5e-17 for T = 1e8 (to 1e-6 of it).
        // Computed as 1 + cos it came out 10% low at T = 1e8 (2.22e-17) and 0 from T = 3e8, which Validate refuses.
        double exact = 0.1 * Math.Pow(Math.Sin(Math.PI / (2.0 * totalSteps)), 2);
        LearnRateSchedule schedule = LearnRateSchedule.Cosine();
        Assert.That(schedule.RateAt(0.1f, totalSteps - 1, 1000, totalSteps), Is.EqualTo(exact).Within(1e-4).Percent);
        Assert.That(() => schedule.Validate(0.1f, 1000, totalSteps), Throws.Nothing);
    }

    [TestCase(0.1f, 37_520)] // dropout: 80 epochs of 469 batches (simard-800: 40 of 938)
    [TestCase(0.1f, 70_350)] // augmented: 150 epochs of 469
    [TestCase(0.3f, 1_407)]  // fast-98: 3 epochs of 469
    [TestCase(0.05f, 37_520)] // simard-800's rate
    public void Cosine_gives_the_same_float_as_one_plus_cos_at_every_step_of_a_recipe(float baseRate, int totalSteps)
    {
        // The sine form changed no recipe: at every step of these runs it rounds to the float the formula (1 + cos) / 2 gave.
        LearnRateSchedule schedule = LearnRateSchedule.Cosine();
        int differ = 0;
        for (int t = 0; t < totalSteps; t++)
        {
            float plusCos = (float)(baseRate * (1 + Math.Cos(Math.PI * t / totalSteps)) / 2);
            differ += schedule.RateAt(baseRate, t, 469, totalSteps) == plusCos ? 0 : 1;
        }

        Assert.That(differ, Is.Zero);
    }

    [Test]
    public void WarmUp_rises_linearly_then_hands_over()
    {
        // 4 steps from 0.25: 0.25, 0.4375, 0.625, 0.8125, then StepDecay(0.5, 1) counting epochs from the end of the warm-up.
        LearnRateSchedule schedule = LearnRateSchedule.WarmUp(4, 0.25f, LearnRateSchedule.StepDecay(0.5f, 1));
        float[] expected = [0.25f, 0.4375f, 0.625f, 0.8125f];
        for (int step = 0; step < 4; step++)
        {
            Assert.That(schedule.RateAt(1f, step, 10, 100), Is.EqualTo(expected[step]).Within(1e-7f), $"step {step}");
        }

        Assert.That(schedule.RateAt(1f, 4, 10, 100), Is.EqualTo(1f), "the next schedule's step 0");
        Assert.That(schedule.RateAt(1f, 14, 10, 100), Is.EqualTo(0.5f), "its epoch 1");
        Assert.That(LearnRateSchedule.WarmUp(3).RateAt(2f, 10, 10, 100), Is.EqualTo(2f), "then Constant by default");
        Assert.That(schedule.ToString(), Is.EqualTo("WarmUp steps=4 startFraction=0.25 then StepDecay gamma=0.5 everyEpochs=1"));
    }

    [Test]
    public void Bad_schedule_settings_are_refused()
    {
        Assert.That(() => LearnRateSchedule.StepDecay(0f, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("gamma"));
        Assert.That(() => LearnRateSchedule.StepDecay(float.NaN, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("gamma"));
        Assert.That(() => LearnRateSchedule.StepDecay(0.5f, 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("everyEpochs"));
        Assert.That(() => LearnRateSchedule.StepDecay(10f, 5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith(
            "gamma 10 would multiply the rate by 10 every 5 epoch(s), so the rate would grow: a decay takes a gamma in (0, 1], such as 0.1 to divide by 10."));
        Assert.That(() => LearnRateSchedule.StepDecay(1.0001f, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("gamma 1.0001 would multiply the rate by 1.0001"));
        Assert.That(() => LearnRateSchedule.StepDecay(10f, 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("everyEpochs"));
        Assert.That(LearnRateSchedule.StepDecay(1f, 3).RateAt(0.2f, step: 70, stepsPerEpoch: 10, totalSteps: 100), Is.EqualTo(0.2f), "gamma 1 keeps the rate");
        Assert.That(() => LearnRateSchedule.Cosine(-1f), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minimumRate"));
        Assert.That(() => LearnRateSchedule.WarmUp(0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("warmUpSteps"));
        Assert.That(() => LearnRateSchedule.WarmUp(5, 0f), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("startFraction"));
    }

    [Test]
    public void Fit_sets_the_scheduled_rate_before_every_step_and_restores_the_base_rate()
    {
        // 40 samples in batches of 10: 4 steps per epoch, 3 epochs; StepDecay(0.5, 1): 2, 1, 0.5.
        (Trainer trainer, Dataset data) = TinyProblem(withLearnRate: true, out Sgd sgd);
        var seen = new List<float>();
        var options = new TrainingOptions { Epochs = 3, BatchSize = 10, Schedule = LearnRateSchedule.StepDecay(0.5f, 1) };
        sgd.LearnRate = 2f;

        TrainingHistory history = trainer.Fit(data, options, batchProgress: new Recorder<BatchProgress>(_ => seen.Add(sgd.LearnRate)));

        Assert.That(history.Select(r => r.LearnRate), Is.EqualTo(new float?[] { 2f, 1f, 0.5f }));
        Assert.That(seen, Is.EqualTo(new[] { 2f, 2f, 2f, 2f, 1f, 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.5f }), "the rate of every step");
        Assert.That(sgd.LearnRate, Is.EqualTo(2f), "Fit sets the base rate back");

        // Cosine with a minimum: the last epoch's last step (t = 11 of 12) is close to the minimum.
        TrainingHistory cosine = trainer.Fit(data, options with { Schedule = LearnRateSchedule.Cosine(0.02f) });
        double last = 0.02 + ((2 - 0.02) * (1 + Math.Cos(Math.PI * 11 / 12)) / 2);
        Assert.That(cosine[2].LearnRate!.Value, Is.EqualTo(last).Within(1e-6));
        Assert.That(trainer.Fit(data, options with { Schedule = null })[0].LearnRate, Is.EqualTo(2f), "without a schedule: the optimizer's rate");
    }

    [Test]
    public void A_schedule_needs_an_optimizer_with_a_learn_rate()
    {
        (Trainer trainer, Dataset data) = TinyProblem(withLearnRate: false, out _);
        float before = trainer.Model.Parameters[0].Value.AsSpan()[0];
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Schedule = LearnRateSchedule.Cosine() }),
            Throws.InvalidOperationException.With.Message.Contains("reports no learn rate").And.Message.Contains("Cosine"));
        Assert.That(trainer.Model.Parameters[0].Value.AsSpan()[0], Is.EqualTo(before), "refused before any step");
    }

    [Test]
    public void A_schedule_giving_a_bad_rate_at_any_step_stops_Fit_before_the_first_step()
    {
        (Trainer trainer, Dataset data) = TinyProblem(withLearnRate: true, out _);
        float[] before = trainer.Model.Parameters[0].Value.ToArray();
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Schedule = new ZeroAfterFirstStep() }),
            Throws.InvalidOperationException.With.Message.Contains("ZeroAfterFirstStep gives 0 at step 1 (epoch 1, base rate 1)")
                .And.Message.Contains("nothing was trained"));

        // 40 samples in batches of 10, 3 epochs: the rate is 1, then 1e-30, then 1e-60, which is 0 in float, from step 8;
        // StepDecay only falls, so its Validate checks the last step, 11.
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Epochs = 3, BatchSize = 10, Schedule = LearnRateSchedule.StepDecay(1e-30f, 1) }),
            Throws.InvalidOperationException.With.Message.StartsWith("The learn-rate schedule StepDecay gamma=1E-30 everyEpochs=1 gives 0 at step 11 (epoch 3, base rate 1)"));
        // After a warm-up, the schedule that follows checks its own part.
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Epochs = 3, BatchSize = 10, Schedule = LearnRateSchedule.WarmUp(2, then: LearnRateSchedule.StepDecay(1e-30f, 1)) }),
            Throws.InvalidOperationException.With.Message.StartsWith(
                "The learn-rate schedule WarmUp steps=2 startFraction=0.1 then StepDecay gamma=1E-30 everyEpochs=1 fails after its 2 warm-up steps (add 2 to the step below")
                .And.Message.Contains("StepDecay gamma=1E-30 everyEpochs=1 gives 0"));
        // A run too long to count its steps in an int is refused before the schedule is asked.
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Epochs = int.MaxValue / 2, BatchSize = 10, Schedule = LearnRateSchedule.Cosine() }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("more than a schedule counts"));

        // A cosine whose minimum is above the base rate would raise the rate.
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Schedule = LearnRateSchedule.Cosine(2f) }),
            Throws.InvalidOperationException.With.Message.EqualTo(
                "Cosine minimumRate=2 is above the base rate 1: the cosine would raise the rate to 2 instead of lowering it. Give a minimumRate no higher than the optimizer's learn rate."));
        Assert.That(trainer.Model.Parameters[0].Value.ToArray(), Is.EqualTo(before), "no run changed a weight");
    }

    [Test]
    public void An_optimizer_that_reports_a_rate_but_cannot_set_it_is_refused_before_training()
    {
        var random = new DeterministicRandom(2);
        var model = new Sequential(new Dense(4, 2, WeightInit.ScaledNormal, random, "d"), new Sigmoid());
        var trainer = new Trainer(model, new QuadraticCost(), new ReportsOnly(model.Parameters));
        (_, Dataset data) = TinyProblem(withLearnRate: true, out _);
        Assert.That(() => trainer.Fit(data, new TrainingOptions { Schedule = LearnRateSchedule.Constant() }),
            Throws.InvalidOperationException.With.Message.Contains("cannot set").And.InnerException.TypeOf<NotSupportedException>());
    }

    /// <summary>Reports a learn rate but keeps the base class's SetLearnRate, which refuses.</summary>
    private sealed class ReportsOnly(IEnumerable<Parameter> parameters) : Optimizer(parameters)
    {
        public override float? ReportedLearnRate => 0.1f;

        public override void Step()
        {
        }
    }

    /// <summary>A user's schedule that goes wrong after one step.</summary>
    private sealed class ZeroAfterFirstStep : LearnRateSchedule
    {
        public override float RateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps) => step == 0 ? baseRate : 0f;
    }

    /// <summary>An optimizer without a learn rate (its ReportedLearnRate is null).</summary>
    private sealed class SignDescent(IEnumerable<Parameter> parameters) : Optimizer(parameters)
    {
        public override void Step()
        {
            foreach (Parameter parameter in Parameters)
            {
                Span<float> value = parameter.Value.AsSpan();
                ReadOnlySpan<float> gradient = parameter.Gradient.AsSpan();
                for (int i = 0; i < value.Length; i++)
                {
                    value[i] -= 0.01f * MathF.Sign(gradient[i]);
                }
            }
        }
    }

    /// <summary>A 4-3-2 network on 40 random samples; withLearnRate false gives an optimizer without a learn rate.</summary>
    internal static (Trainer Trainer, Dataset Data) TinyProblem(bool withLearnRate, out Sgd sgd)
    {
        var random = new DeterministicRandom(5);
        var model = new Sequential(new Dense(4, 3, WeightInit.ScaledNormal, random, "h"), new Sigmoid(), new Dense(3, 2, WeightInit.ScaledNormal, random, "o"), new Sigmoid());
        var features = new Tensor(40, 4);
        byte[] labels = new byte[40];
        for (int i = 0; i < 40; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                features[i, j] = (float)random.NextGaussian();
            }

            labels[i] = (byte)(features[i, 0] > 0 ? 1 : 0);
        }

        sgd = new Sgd(model.Parameters, 1f);
        Optimizer optimizer = withLearnRate ? sgd : new SignDescent(model.Parameters);
        return (new Trainer(model, new QuadraticCost(), optimizer), Dataset.FromFeatures(features, labels, 2));
    }

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to a thread pool).</summary>
    internal sealed class Recorder<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
