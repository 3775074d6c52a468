// LearnRateSchedule: how the learn rate changes during training, as a function of the step. The
// trainer asks it before every step (Trainer.Fit with TrainingOptions.Schedule) and sets the answer on
// the optimizer (Optimizer.SetLearnRate). A schedule scales the optimizer's own rate when Fit starts
// (the base rate), as PyTorch's schedulers scale initial_lr. Built-ins: Constant, StepDecay (×γ every
// k epochs), Cosine (to a minimum over the run), WarmUp (linear from a fraction, then another). No
// schedule that looks at the loss (reduce-on-plateau): a schedule here is fixed before training starts.
using System.Globalization;

namespace MnistBp;

/// <summary>The learn rate of every training step, from the base rate and the step's position in the run.</summary>
/// <remarks>
/// To write one, override <see cref="RateAt"/>: it runs before every step, so it must not allocate, and it must return a
/// positive finite rate. Before training starts, <see cref="Trainer.Fit"/> calls <see cref="Validate"/>, which by default
/// asks RateAt for every step's rate, and refuses the run, before any weight changes, with a message naming the
/// schedule, the step and the epoch when one is not; so RateAt must give the same rate for the same arguments (a
/// function of them, keeping no state). A schedule that knows its shape (a monotone one) may override Validate to check
/// fewer steps, as the built-ins do.
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{ToString(),nq}")]
public abstract class LearnRateSchedule
{
    /// <summary>The learn rate for one step.</summary>
    /// <param name="baseRate">The optimizer's <see cref="Optimizer.ReportedLearnRate"/> when <see cref="Trainer.Fit"/> started.</param>
    /// <param name="step">The step, counting from 0 over the whole run (the epoch, from 0, is <c>step / stepsPerEpoch</c>).</param>
    /// <param name="stepsPerEpoch">Mini-batches per epoch; at least 1.</param>
    /// <param name="totalSteps">Steps in the whole run (epochs × stepsPerEpoch); above <paramref name="step"/>.</param>
    /// <returns>The rate; positive and finite.</returns>
    public abstract float RateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps);

    /// <summary>
    /// Checks, before training, that every step of a run gets a positive finite rate. The default asks
    /// <see cref="RateAt"/> for each of the <paramref name="totalSteps"/> steps (for a million steps, a few milliseconds).
    /// </summary>
    /// <param name="baseRate">The optimizer's rate when Fit starts.</param>
    /// <param name="stepsPerEpoch">Mini-batches per epoch; at least 1.</param>
    /// <param name="totalSteps">Steps in the whole run; at least 1.</param>
    /// <exception cref="InvalidOperationException">A step's rate is not positive and finite; the message names the schedule, the step and the epoch.</exception>
    public virtual void Validate(float baseRate, int stepsPerEpoch, int totalSteps)
    {
        for (int step = 0; step < totalSteps; step++)
        {
            RequireRateAt(baseRate, step, stepsPerEpoch, totalSteps);
        }
    }

    /// <summary>Throws unless <see cref="RateAt"/> gives a positive finite rate at <paramref name="step"/>: for <see cref="Validate"/>.</summary>
    /// <param name="baseRate">The optimizer's rate when Fit starts.</param>
    /// <param name="step">The step to ask about.</param>
    /// <param name="stepsPerEpoch">Mini-batches per epoch; at least 1.</param>
    /// <param name="totalSteps">Steps in the whole run.</param>
    /// <exception cref="InvalidOperationException">The rate is not positive and finite; the message names the schedule, the step and the epoch.</exception>
    protected void RequireRateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps)
    {
        float rate = RateAt(baseRate, step, stepsPerEpoch, totalSteps);
        if (!(rate > 0f) || !float.IsFinite(rate))
        {
            throw BadRate(this, rate, step, baseRate, stepsPerEpoch, beforeTraining: true);
        }
    }

    /// <summary>The error for a rate that is not positive and finite, naming the schedule, the step and the epoch.</summary>
    internal static InvalidOperationException BadRate(LearnRateSchedule schedule, float rate, int step, float baseRate, int stepsPerEpoch, bool beforeTraining)
    {
        string when = beforeTraining ? "Fit checked the rates before the first step: nothing was trained. " : "";
        return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The learn-rate schedule {schedule} gives {rate} at step {step} (epoch {(step / Math.Max(1, stepsPerEpoch)) + 1}, base rate {baseRate}); a learn rate must be positive and finite. {when}Fix the schedule's settings."));
    }

    /// <summary>For a schedule whose rate only falls or only rises: the first and the last step hold its extremes.</summary>
    private void RequireEnds(float baseRate, int stepsPerEpoch, int totalSteps)
    {
        RequireRateAt(baseRate, 0, stepsPerEpoch, totalSteps);
        RequireRateAt(baseRate, Math.Max(0, totalSteps - 1), stepsPerEpoch, totalSteps);
    }

    /// <summary>The base rate at every step (the same as no schedule).</summary>
    public static LearnRateSchedule Constant() => new ConstantSchedule();

    /// <summary>
    /// Step decay: <c>rate = baseRate * gamma^floor(epoch / everyEpochs)</c>, the epoch counting from 0 (PyTorch's StepLR
    /// stepped once per epoch).
    /// </summary>
    /// <param name="gamma">
    /// The factor applied every <paramref name="everyEpochs"/> epochs: above 0 and at most 1 (0.1 divides by 10; 1 keeps the
    /// rate). A factor above 1 is refused: it would grow the rate, which is not a decay (and 10 for 0.1 is an easy slip).
    /// </param>
    /// <param name="everyEpochs">How many epochs between decays; at least 1.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public static LearnRateSchedule StepDecay(float gamma, int everyEpochs)
    {
        if (!(gamma > 0f) || !float.IsFinite(gamma))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(everyEpochs, 1);
        if (gamma > 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, string.Create(CultureInfo.InvariantCulture,
                $"gamma {gamma:R} would multiply the rate by {gamma:R} every {everyEpochs} epoch(s), so the rate would grow: a decay takes a gamma in (0, 1], such as {1f / gamma:R} to divide by {gamma:R}."));
        }

        return new StepDecaySchedule(gamma, everyEpochs);
    }

    /// <summary>
    /// Cosine annealing over the run: <c>rate = minimumRate + (baseRate - minimumRate) * (1 + cos(π step / totalSteps)) / 2</c>,
    /// the base rate at step 0, falling to <paramref name="minimumRate"/> at the end (PyTorch's CosineAnnealingLR with
    /// T_max = the run's steps, stepped every step).
    /// </summary>
    /// <param name="minimumRate">The rate at the end of the run; finite, not negative, and not above the base rate (Fit refuses that before training).</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumRate"/> is negative or not finite.</exception>
    /// <remarks>Its <see cref="Validate"/>, which Fit calls before training, throws an <see cref="InvalidOperationException"/> when the base rate is below <paramref name="minimumRate"/>.</remarks>
    public static LearnRateSchedule Cosine(float minimumRate = 0f)
    {
        Optimizer.RequireNonNegative(minimumRate, nameof(minimumRate));
        return new CosineSchedule(minimumRate);
    }

    /// <summary>
    /// Linear warm-up: for <c>step &lt; warmUpSteps</c>, <c>rate = baseRate * (startFraction + (1 - startFraction) * step / warmUpSteps)</c>
    /// (PyTorch's LinearLR); from then on <paramref name="then"/>, which sees the steps after the warm-up as its own run
    /// (its step 0 is step warmUpSteps, its totalSteps are the run's minus warmUpSteps; PyTorch's SequentialLR).
    /// </summary>
    /// <param name="warmUpSteps">Steps of warm-up; at least 1.</param>
    /// <param name="startFraction">The fraction of the base rate at step 0; in (0, 1].</param>
    /// <param name="then">The schedule after the warm-up, or null for <see cref="Constant"/>.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public static LearnRateSchedule WarmUp(int warmUpSteps, float startFraction = 0.1f, LearnRateSchedule? then = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmUpSteps, 1);
        if (!(startFraction > 0f && startFraction <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(startFraction), startFraction, "startFraction must be in (0, 1].");
        }

        return new WarmUpSchedule(warmUpSteps, startFraction, then ?? Constant());
    }

    /// <summary>The schedule's name and settings, such as <c>StepDecay gamma=0.1 everyEpochs=10</c>; the type's name unless overridden.</summary>
    public override string ToString() => GetType().Name;

    private sealed class ConstantSchedule : LearnRateSchedule
    {
        public override float RateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps) => baseRate;

        public override void Validate(float baseRate, int stepsPerEpoch, int totalSteps) => RequireRateAt(baseRate, 0, stepsPerEpoch, totalSteps);

        public override string ToString() => "Constant";
    }

    private sealed class StepDecaySchedule(float gamma, int everyEpochs) : LearnRateSchedule
    {
        public override float RateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps)
        {
            int epoch = step / Math.Max(1, stepsPerEpoch);
            // rate = base * γ^floor(epoch / k)
            return (float)(baseRate * Math.Pow(gamma, epoch / everyEpochs));
        }

        // base · γ^k only falls (0 < γ ≤ 1, checked when made): the two ends are its extremes.
        public override void Validate(float baseRate, int stepsPerEpoch, int totalSteps) => RequireEnds(baseRate, stepsPerEpoch, totalSteps);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"StepDecay gamma={gamma:G3} everyEpochs={everyEpochs}");
    }

    private sealed class CosineSchedule(float minimumRate) : LearnRateSchedule
    {
        public override float RateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps)
        {
            int steps = Math.Max(1, totalSteps);
            // s = sin(π (T - t) / 2T), so that s² = (1 + cos(π t / T)) / 2 without adding nearly -1 to 1 near the end (chapter 15)
            double s = Math.Sin(Math.PI * (steps - step) / (2.0 * steps));
            // rate = min + (base - min) * (1 + cos(π t / T)) / 2 = min + (base - min) * s²
            return (float)(minimumRate + ((baseRate - (double)minimumRate) * (s * s)));
        }

        // The cosine falls from the base rate to the minimum, so the two ends are its extremes; a minimum above the
        // base rate would make it rise instead.
        public override void Validate(float baseRate, int stepsPerEpoch, int totalSteps)
        {
            if (minimumRate > baseRate)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{this} is above the base rate {baseRate}: the cosine would raise the rate to {minimumRate:G3} instead of lowering it. Give a minimumRate no higher than the optimizer's learn rate."));
            }

            RequireEnds(baseRate, stepsPerEpoch, totalSteps);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Cosine minimumRate={minimumRate:G3}");
    }

    private sealed class WarmUpSchedule(int warmUpSteps, float startFraction, LearnRateSchedule then) : LearnRateSchedule
    {
        public override float RateAt(float baseRate, int step, int stepsPerEpoch, int totalSteps)
        {
            if (step < warmUpSteps)
            {
                // rate = base * (f + (1 - f) * step / N)
                return (float)(baseRate * (startFraction + ((1 - (double)startFraction) * step / warmUpSteps)));
            }

            return then.RateAt(baseRate, step - warmUpSteps, stepsPerEpoch, Math.Max(1, totalSteps - warmUpSteps));
        }

        // The warm-up rises linearly from its first step; the schedule after it checks its own part of the run.
        public override void Validate(float baseRate, int stepsPerEpoch, int totalSteps)
        {
            RequireRateAt(baseRate, 0, stepsPerEpoch, totalSteps);
            if (totalSteps > warmUpSteps)
            {
                try
                {
                    then.Validate(baseRate, stepsPerEpoch, totalSteps - warmUpSteps);
                }
                catch (InvalidOperationException e)
                {
                    // The schedule after the warm-up counts its steps from the warm-up's end: say so, and name the whole schedule.
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"The learn-rate schedule {this} fails after its {warmUpSteps} warm-up steps (add {warmUpSteps} to the step below for the run's own step): {e.Message}"), e);
                }
            }
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"WarmUp steps={warmUpSteps} startFraction={startFraction:G3} then {then}");
    }
}
