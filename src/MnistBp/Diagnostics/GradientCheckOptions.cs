// GradientCheckOptions: the step, the tolerances and the sampling of GradientCheck, with the reason
// for every default. The defaults are tuned for float32 networks of the size this library trains:
// they catch a wrong factor, sign or term, and a gradient of 0.01 or more that is off by 2%, without failing a correct
// backward pass on rounding noise. Plain data, validated when a check starts.
namespace MnistBp;

/// <summary>How <see cref="GradientCheck"/> nudges values and judges the difference.</summary>
/// <remarks>
/// An element passes when
/// <c>|analytic - numeric| &lt;= AbsoluteTolerance + RelativeTolerance * max(|analytic|, |numeric|)</c>
/// and both are finite; <c>numeric = (L(x + h) - L(x - h)) / distance</c>, with h = <see cref="Step"/>.
/// </remarks>
public sealed record GradientCheckOptions
{
    /// <summary>The options every check uses when given none.</summary>
    public static GradientCheckOptions Default { get; } = new();

    /// <summary>
    /// The step h each value is nudged by, up and down; default 1e-2. Float32 keeps about 7 digits,
    /// so a loss of order 1 carries ~1e-7 of rounding, and dividing by 2h = 2e-2 turns that into
    /// ~1e-5 of noise on a numeric gradient; the truncation error of the central difference,
    /// h² f''' / 6, stays below ~2e-6 for sigmoids (|f'''| &lt;= 1/8). A step of 1e-3 would make the
    /// noise 10 times larger for a truncation error nobody needs; 1e-1 would make that error 100 times larger.
    /// </summary>
    public double Step { get; init; } = 1e-2;

    /// <summary>
    /// The relative agreement required; default 1e-2 (1%). That is a thousand times the float noise on
    /// a gradient of order 1, and far below what a wrong factor (2x), a sign error (-1x) or a missing
    /// term gives: a gradient off by 2% already fails where |gradient| is 0.01 or more. Below that the
    /// absolute floor decides, so a small gradient must be off by more (1e-4 in absolute terms) to fail.
    /// </summary>
    public double RelativeTolerance { get; init; } = 1e-2;

    /// <summary>
    /// The absolute floor, for gradients near zero where 1% of the value is below the float noise;
    /// default 1e-4. That noise comes from the rounding of the loss, not from the gradient: for the
    /// layer check's <c>sum(output * weights)</c> over ~20 outputs of order 1 it measured up to 1.4e-5,
    /// so 1e-4 leaves a 7x margin. A much smaller loss (a mean squared error of ~0.1 rounds at ~1e-8,
    /// ~1e-6 of noise) passes a tighter floor, and needs one when its gradients are themselves ~1e-4.
    /// </summary>
    public double AbsoluteTolerance { get; init; } = 1e-4;

    /// <summary>
    /// The most elements checked per tensor; default 200. Every element costs two forward passes, so
    /// a tensor with more elements gets a seeded sample of this many: one element from each of this
    /// many equal runs of its flat (row-major) index range, always including the first and the last
    /// element, where vector loops and register tiles end in their scalar remainders. Small layers
    /// (a 3 x 4 Dense has 12 + 4 values) are checked in full; a 784-30-10 model takes a second.
    /// </summary>
    public int MaxElementsPerTensor { get; init; } = 200;

    /// <summary>
    /// The seed of the sample of large tensors and of the random weights of the layer check; default 1.
    /// The same seed checks the same elements with the same weights every time, on every machine;
    /// another seed checks other elements.
    /// </summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Whether dLoss/dInput is checked too (model and layer checks); default true. dInput is what the
    /// layer below receives: a wrong one breaks the training of every layer under it while the
    /// layer's own parameter gradients still look right. The loss check always checks dPredicted.
    /// </summary>
    public bool CheckInputGradient { get; init; } = true;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// Step is not a positive finite number, a tolerance is negative or not finite, or
    /// MaxElementsPerTensor is below 1. The exception's parameter name is the setting's.
    /// </exception>
    public void Validate()
    {
        if (!(Step > 0) || !double.IsFinite(Step))
        {
            throw new ArgumentOutOfRangeException(nameof(Step), Step, "Step must be a positive finite number, such as 1e-2.");
        }

        if (!(RelativeTolerance >= 0) || !double.IsFinite(RelativeTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "RelativeTolerance must be zero or a positive finite number.");
        }

        if (!(AbsoluteTolerance >= 0) || !double.IsFinite(AbsoluteTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), AbsoluteTolerance, "AbsoluteTolerance must be zero or a positive finite number.");
        }

        if (MaxElementsPerTensor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxElementsPerTensor), MaxElementsPerTensor, "MaxElementsPerTensor must be at least 1.");
        }
    }
}
