// ImageBatch: what the built-in image augmentations share before their kernel runs: checking that a
// batch's rows are images of the promised size, and drawing one seed per row from the trainer's
// generator, in row order, so that the result does not depend on how the rows are split across threads.
// It holds no state but a per-thread buffer of seeds; it does not transform anything itself.
using System.Globalization;

namespace MnistBp;

internal static class ImageBatch
{
    [ThreadStatic]
    private static ulong[]? t_seeds;

    /// <summary>Checks the arguments of an augmentation's Apply and draws one seed per row of <paramref name="inputs"/> from <paramref name="random"/>.</summary>
    /// <returns>The seeds, in a per-thread buffer valid until the next call on this thread.</returns>
    public static ReadOnlySpan<ulong> DrawSeeds(Tensor inputs, DeterministicRandom random, int width, int height, string augmentation)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(random);
        int pixels = width * height;
        if (inputs.Columns != pixels)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{augmentation} works on images of {width} x {height} = {pixels} pixels per row, but inputs {inputs.Describe()} has {inputs.Columns} per row."),
                nameof(inputs));
        }

        int rows = inputs.Length == 0 ? 0 : inputs.Rows;
        if (t_seeds is null || t_seeds.Length < rows)
        {
            t_seeds = new ulong[Math.Max(rows, 256)];
        }

        Span<ulong> seeds = t_seeds.AsSpan(0, rows);
        for (int row = 0; row < rows; row++)
        {
            seeds[row] = random.NextUInt64();
        }

        return seeds;
    }

    /// <summary>Throws unless <paramref name="width"/> and <paramref name="height"/> make a non-empty image an array can hold.</summary>
    public static void RequireSize(int width, int height)
    {
        if (width < 1 || height < 1 || (long)width * height > Array.MaxLength / 4)
        {
            throw new ArgumentOutOfRangeException(width < 1 ? nameof(width) : nameof(height), string.Create(CultureInfo.InvariantCulture, $"An image must be at least 1 x 1 pixels and fit in an array; {width} x {height} does not."));
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and in [<paramref name="min"/>, <paramref name="max"/>] (or below max when <paramref name="maxExclusive"/>).</summary>
    public static void RequireRange(float value, float min, float max, bool maxExclusive, string name, string meaning)
    {
        bool inRange = float.IsFinite(value) && value >= min && (maxExclusive ? value < max : value <= max);
        if (!inRange)
        {
            string upper = maxExclusive ? $"below {max}" : $"at most {max}";
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} ({meaning}) must be a finite number from {min} and {upper}; {value} is not."));
        }
    }
}
