// Dropout: inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov 2014). While
// training, every Forward drops each unit with probability rate and scales the kept ones by
// 1 / (1 - rate): a = z * m, m = (u >= rate) / (1 - rate), so inference needs no rescaling and Predict
// (evaluation) is the identity. Forward caches the mask m, because dz = da * m. The masks come from a
// counter-based hash keyed by one DeterministicRandom(seed) draw per Forward (Kernels.Dropout.cs).
// It does not save the generator's position: a loaded model starts its masks from the seed again.
using System.Globalization;

namespace MnistBp;

/// <summary>
/// Inverted dropout: in <see cref="Forward"/> (training) each unit is zeroed with probability
/// <see cref="Rate"/> and the others are multiplied by <c>1 / (1 - Rate)</c>; <see cref="Predict"/>
/// (inference and evaluation) copies its input unchanged.
/// </summary>
/// <remarks>
/// The k-th mask drawn (counting from 1 since construction) uses the key of the k-th
/// <see cref="DeterministicRandom.NextUInt64"/> of <c>new DeterministicRandom(Seed)</c>; unit i of the
/// batch (row-major) is kept when <c>u(key, i) &gt;= Rate</c>, u uniform in [0, 1) in steps of 2^-24. So the
/// same seed gives the same masks, on every machine and kernel path. For a gradient check or for
/// comparing with another library, set <see cref="FreezeMask"/> and read <see cref="LastMask"/>.
/// </remarks>
public sealed class Dropout : Layer
{
    private readonly DeterministicRandom _random;
    private Tensor? _mask;    // cached by Forward: Backward multiplies by the same m
    private Tensor? _output;
    private Tensor? _dInput;

    /// <summary>Creates a dropout layer.</summary>
    /// <param name="rate">The probability of dropping a unit while training: finite, in [0, 1); 0 drops nothing.</param>
    /// <param name="seed">Fixes the sequence of masks; equal seeds give equal masks.</param>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is NaN, infinite, negative or at least 1.</exception>
    public Dropout(float rate, ulong seed = 0, string name = "dropout")
        : base(name)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, string.Create(CultureInfo.InvariantCulture, $"Dropout: the rate (the probability of dropping a unit) must be finite and in [0, 1); {rate} is not."));
        }

        Rate = rate;
        Seed = seed;
        _random = new DeterministicRandom(seed);
    }

    /// <summary>The probability of dropping a unit in a training <see cref="Forward"/>, in [0, 1).</summary>
    public float Rate { get; }

    /// <summary>The seed of the generator that keys the masks.</summary>
    public ulong Seed { get; }

    /// <summary>
    /// When true, <see cref="Forward"/> keeps the last mask instead of drawing a new one, as long as the batch
    /// has its shape (a batch of another shape, or the first Forward, still draws one). For gradient checks,
    /// which rerun Forward and need the same function each time; false (the default) while training.
    /// </summary>
    public bool FreezeMask { get; set; }

    /// <summary>
    /// The mask m of the last <see cref="Forward"/>, row-major in the shape of its input: 0 for a dropped
    /// unit, <c>1 / (1 - Rate)</c> for a kept one; empty before the first Forward. A view of the layer's
    /// buffer: the next Forward that draws a mask overwrites it.
    /// </summary>
    public ReadOnlySpan<float> LastMask => _mask is null ? [] : _mask.AsSpan();

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor? previousMask = _mask;
        Tensor mask = Reuse(ref _mask, input.Rows, input.Columns, "m");
        if (!FreezeMask || !ReferenceEquals(mask, previousMask))
        {
            // m = (u >= rate) / (1 - rate), u uniform in [0, 1), drawn anew for this batch and cached for the backward pass
            Kernels.DropoutMask(_random.NextUInt64(), Rate, mask.AsSpan());
        }

        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "a");
        // a = z * m
        Kernels.ApplyMask(input.AsSpan(), mask.AsSpan(), output.AsSpan());
        return output;
    }

    /// <inheritdoc/>
    public override string Kind => "Dropout";

    /// <inheritdoc/>
    public override string Formula => string.Create(CultureInfo.InvariantCulture, $"a = z * m, m = (u >= {Rate}) / (1 - {Rate}); Predict: a = z");

    /// <summary>Inference: the identity, <c>output = input</c>; never drops (thread-safe, allocates nothing).</summary>
    /// <param name="input">The inputs, [batchSize x inputSize] row-major.</param>
    /// <param name="output">The outputs, as long as <paramref name="input"/>; must not overlap it.</param>
    /// <param name="batchSize">The number of samples; at least 1.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize)
    {
        if (output.Length != input.Length)
        {
            throw new ArgumentException($"{this} Predict: output has {output.Length} values; the input has {input.Length}.", nameof(output));
        }

        // a = z: inverted dropout scaled the kept units while training, so inference leaves them alone
        input.CopyTo(output);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor mask = _mask!;
        Tensor dInput = Reuse(ref _dInput, mask.Rows, mask.Columns, "dz");
        // dz = da * m
        Kernels.ApplyMask(dOutput.AsSpan(), mask.AsSpan(), dInput.AsSpan());
        return dInput;
    }

    /// <summary>Writes the rate, as the float32 setting <c>rate</c>, and the seed, as the string <c>seed</c> (decimal: settings hold no 64-bit integers).</summary>
    /// <param name="settings">Receives the settings.</param>
    public override void WriteSettings(LayerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Add("rate", Rate).Add("seed", Seed.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Rebuilds a Dropout from its model-file record (the built-in kind <c>Dropout</c>): reads back what <see cref="WriteSettings"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The seed is not a decimal number that fits 64 bits; the loader adds the file, layer and offset.</exception>
    internal static Dropout FromRecord(LayerRecord record)
    {
        string seed = record.Settings.GetString("seed"); // a decimal string: settings hold no 64-bit integers
        return ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? new Dropout(record.Settings.GetSingle("rate"), value, record.Name)
            : throw new InvalidDataException($"the setting 'seed' is \"{ModelText.Escape(seed)}\", not a decimal number from 0 to {ulong.MaxValue}");
    }
}
