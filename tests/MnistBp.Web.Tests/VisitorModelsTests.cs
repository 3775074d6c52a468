// The visitor cache is bounded both ways (capacity, and the memory budget, with the least recently used copy evicted first,
// expiry with a fake clock), copies are independent of the shared model, and a step that would make a
// weight infinite is undone. Also the output-reading seam: sigmoid outputs normalised, unknown kinds refused.
using MnistBp.Samples.DrawADigit;

namespace MnistBp.Web.Tests;

public class VisitorModelsTests
{
    private static Sequential SmallModel()
    {
        var random = new DeterministicRandom(7);
        return new Sequential(new Dense(4, 3, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid(), new Dense(3, 2, WeightInit.ScaledNormal, random, "output"), new Sigmoid());
    }

    private static readonly string[] s_ids = [.. Enumerable.Range(0, 5).Select(_ => VisitorModels.NewId())];

    [Test]
    public async Task The_least_recently_used_copy_makes_room_when_the_cache_is_full()
    {
        var clock = new FakeClock();
        var visitors = new VisitorModels(SmallModel(), capacity: 2, expiry: TimeSpan.FromMinutes(30), clock);
        Visitor first = await visitors.GetOrCreateAsync(s_ids[0]);
        clock.Advance(TimeSpan.FromSeconds(1));
        await visitors.GetOrCreateAsync(s_ids[1]);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(visitors.TryGet(s_ids[0]), Is.SameAs(first), "using the first makes the second the oldest");
        clock.Advance(TimeSpan.FromSeconds(1));
        await visitors.GetOrCreateAsync(s_ids[2]);

        Assert.That(visitors.Count, Is.EqualTo(2));
        Assert.That(visitors.TryGet(s_ids[1]), Is.Null, "evicted");
        Assert.That(visitors.TryGet(s_ids[0]), Is.SameAs(first));
        Assert.That(visitors.TryGet(s_ids[2]), Is.Not.Null);
    }

    [Test]
    public async Task The_memory_budget_caps_the_number_of_copies()
    {
        // SmallModel: 4x3 + 3 + 3x2 + 2 = 23 parameters, values and gradients: 23 * 8 = 184 bytes per copy.
        var clock = new FakeClock();
        var visitors = new VisitorModels(SmallModel(), capacity: 100, expiry: TimeSpan.FromMinutes(30), clock, memoryBudgetBytes: 3 * 184 + 100);
        Assert.That(visitors.BytesPerCopy, Is.EqualTo(184));
        Assert.That(visitors.Capacity, Is.EqualTo(3), "652 bytes hold 3 copies of 184");
        foreach (string id in s_ids)
        {
            await visitors.GetOrCreateAsync(id);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(visitors.Count, Is.EqualTo(3));
        Assert.That(visitors.TryGet(s_ids[1]), Is.Null, "the oldest went first");
        Assert.That(visitors.TryGet(s_ids[4]), Is.Not.Null);
        Assert.That(new VisitorModels(SmallModel(), 100, TimeSpan.FromMinutes(1), clock, memoryBudgetBytes: 10).Capacity, Is.EqualTo(1), "a budget below one copy still allows one");
        Assert.That(new VisitorModels(SmallModel(), 2, TimeSpan.FromMinutes(1), clock, memoryBudgetBytes: 1L << 40).Capacity, Is.EqualTo(2), "the count still bounds");
        Assert.That(() => new VisitorModels(SmallModel(), 2, TimeSpan.FromMinutes(1), clock, memoryBudgetBytes: 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("memoryBudgetBytes"));
    }

    [Test]
    public void Copies_are_made_one_at_a_time_and_once_per_visitor()
    {
        // A slow copy (20 ms) that counts how many run at once: 16 first requests, 8 visitors twice each, in parallel.
        int inFlight = 0, mostAtOnce = 0, copies = 0;
        Sequential SlowCopy(Sequential model)
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostAtOnce, now);
            Interlocked.Increment(ref copies);
            Thread.Sleep(20);
            Interlocked.Decrement(ref inFlight);
            return ModelFile.Copy(model);
        }

        var visitors = new VisitorModels(SmallModel(), capacity: 10, expiry: TimeSpan.FromMinutes(30), new FakeClock(), copy: SlowCopy);
        string[] ids = [.. Enumerable.Range(0, 8).Select(_ => VisitorModels.NewId())];
        var got = new Visitor[16];
        using (var start = new Barrier(got.Length))
        {
            // One thread per request, all released at once (the thread pool would start them a few at a time).
            Thread[] threads = [.. Enumerable.Range(0, got.Length).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                got[i] = visitors.GetOrCreateAsync(ids[i % 8]).AsTask().GetAwaiter().GetResult();
            }))];
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }

        Assert.That(mostAtOnce, Is.EqualTo(1), "one copy in memory at a time beyond the cache");
        Assert.That(copies, Is.EqualTo(8), "one copy per visitor, however many of their requests came at once");
        Assert.That(visitors.Count, Is.EqualTo(8));
        for (int i = 0; i < got.Length; i++)
        {
            Assert.That(got[i], Is.SameAs(visitors.TryGet(ids[i % 8])), $"request {i} got the copy the cache keeps");
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int seen = Volatile.Read(ref location);
        while (value > seen)
        {
            int before = Interlocked.CompareExchange(ref location, value, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }

    [Test]
    public async Task A_copy_unused_for_the_expiry_is_dropped()
    {
        var clock = new FakeClock();
        var visitors = new VisitorModels(SmallModel(), capacity: 10, expiry: TimeSpan.FromMinutes(30), clock);
        await visitors.GetOrCreateAsync(s_ids[0]);
        await visitors.GetOrCreateAsync(s_ids[1]);
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.That(visitors.TryGet(s_ids[1]), Is.Not.Null, "used again at 20 minutes");
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.That(visitors.TryGet(s_ids[0]), Is.Null, "35 minutes unused");
        Assert.That(visitors.TryGet(s_ids[1]), Is.Not.Null, "15 minutes unused");
        Assert.That(visitors.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Remove_drops_a_copy_and_ids_that_are_not_ours_are_ignored()
    {
        var visitors = new VisitorModels(SmallModel(), capacity: 10, expiry: TimeSpan.FromMinutes(30), new FakeClock());
        await visitors.GetOrCreateAsync(s_ids[0]);
        Assert.That(visitors.Remove(s_ids[0]), Is.True);
        Assert.That(visitors.Remove(s_ids[0]), Is.False);
        Assert.That(visitors.TryGet("../../etc/passwd"), Is.Null);
        Assert.That(visitors.TryGet(null), Is.Null);
        Assert.That(VisitorModels.IsWellFormed(s_ids[3].ToUpperInvariant()), Is.False);
        Assert.That(async () => await visitors.GetOrCreateAsync("x"), Throws.ArgumentException.With.Message.Contains("32 lower-case hex digits"));
    }

    [Test]
    public async Task A_copy_is_the_shared_model_bit_for_bit_and_independent_of_it()
    {
        Sequential shared = SmallModel();
        var visitors = new VisitorModels(shared, capacity: 10, expiry: TimeSpan.FromMinutes(30), new FakeClock());
        Visitor visitor = await visitors.GetOrCreateAsync(s_ids[0]);
        float[] sample = [0.1f, 0.9f, 0.4f, 0f];
        Assert.That(visitor.Model.PredictSample(sample), Is.EqualTo(shared.PredictSample(sample)));

        visitor.Model.Parameters[0].Value[0] += 1f;
        Assert.That(shared.Parameters[0].Value[0], Is.Not.EqualTo(visitor.Model.Parameters[0].Value[0]));
    }

    [Test]
    public void A_step_that_makes_a_weight_infinite_is_undone()
    {
        Sequential model = SmallModel();
        DigitModel digit = DigitModel.From(SmallModel(), "test");
        // Hidden weights and biases 0 keep the hidden sigmoids at 0.5 (not saturated) for any input, so an input
        // of 3e38 gives dW1 = x · dZ1 near 1e36 and learnRate 1000 pushes W1 past float's largest, 3.4e38.
        model.Layers[0].Parameters[0].Value.Clear();
        model.Layers[0].Parameters[1].Value.Clear();
        float[][] before = [.. model.Parameters.Select(p => p.Value.ToArray())];

        TeachingStep? step = Teaching.Step(digit, model, [3e38f, 3e38f, 3e38f, 3e38f], label: 1, learnRate: 1000f);

        Assert.That(step, Is.Null);
        Assert.That(model.Parameters.Select(p => p.Value.ToArray()), Is.EqualTo(before));
    }

    [Test]
    public void A_last_sigmoid_reads_as_outputs_divided_by_their_sum_and_teaches_with_the_quadratic_cost()
    {
        OutputReading reading = OutputReading.For(SmallModel());
        var probabilities = new float[3];
        reading.ToProbabilities([0.2f, 0.6f, 0.2f], probabilities);
        Assert.That(probabilities, Is.EqualTo(new[] { 0.2f, 0.6f, 0.2f }).Within(1e-7f));
        reading.ToProbabilities([0.5f, 0.25f, 0.25f], probabilities);
        Assert.That(probabilities, Is.EqualTo(new[] { 0.5f, 0.25f, 0.25f }).Within(1e-7f));
        reading.ToProbabilities([0.9f, 0.9f, 0.9f], probabilities);
        Assert.That(probabilities, Is.EqualTo(new[] { 1 / 3f, 1 / 3f, 1 / 3f }).Within(1e-7f));
        reading.ToProbabilities([0f, 0f, 0f], probabilities);
        Assert.That(probabilities, Is.EqualTo(new[] { 1 / 3f, 1 / 3f, 1 / 3f }));

        var target = new float[3] { 5f, 5f, 5f };
        reading.FillTarget(2, target);
        Assert.That(target, Is.EqualTo(new[] { 0f, 0f, 1f }));
        Assert.That(reading.CreateLoss(), Is.TypeOf<QuadraticCost>());
    }

    [Test]
    public void A_last_layer_of_an_unknown_kind_is_refused_saying_where_to_add_it()
    {
        // A last Tanh: no reading knows it (Sigmoid and Dense, logits, do).
        var model = new Sequential(new Dense(4, 2, "hidden"), new Tanh());
        Assert.That(() => OutputReading.For(model), Throws.TypeOf<NotSupportedException>().With.Message.Contains("'Tanh'").And.Message.Contains("OutputReading.For"));
    }

    [Test]
    public void A_model_file_that_does_not_exist_is_refused_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.mnbp");
        Assert.That(() => DigitModel.Load(path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(path).And.Message.Contains("--save FILE"));
    }

    [Test]
    public void The_roles_of_a_model_come_from_its_layers_and_no_class_count_is_assumed()
    {
        var random = new DeterministicRandom(3);
        var model = new Sequential(new Dense(16, 5, WeightInit.ScaledNormal, random), new Sigmoid(), new Dense(5, 3, WeightInit.ScaledNormal, random), new Sigmoid());
        DigitModel digit = DigitModel.From(model, "test");
        Assert.That((digit.InputSize, digit.ImageSide, digit.OutputSize, digit.HiddenSize, digit.HasNeuronImages), Is.EqualTo((16, 4, 3, 5, true)));
        Assert.That(digit.Describe(), Does.StartWith("16-5-3:"));
        float[][] activations = digit.Activations(model, new float[16]);
        Assert.That(activations[^1], Is.EqualTo(model.PredictSample(new float[16])));

        TeachingStep step = Teaching.Step(digit, ModelFile.Copy(model), [.. Enumerable.Range(0, 16).Select(i => i / 16f)], label: 2, learnRate: 1f)!;
        Assert.That(step.DZOutput, Has.Length.EqualTo(3));
        Assert.That(step.WeightGradients, Has.Length.EqualTo(5), "all 5 neurons, fewer than the 8 shown");
    }

    private sealed class FakeClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
