// AffineAugmentation: random shifts, rotations and scalings of training images, a new draw for every
// image of every batch (the "affine distortions" of Simard, Steinkraus & Platt 2003, section 2.1).
// Each output pixel reads the original at the inverse-mapped point, interpolated bilinearly, with
// background 0 outside the image (black, for MNIST's ink-is-positive pixels). It works on any
// width x height; it does not shear, flip, or scale the two axes apart.
using System.Globalization;

namespace MnistBp;

/// <summary>
/// Moves, turns and resizes every training image by a random amount: a shift of up to
/// <see cref="MaxShift"/> pixels along each axis, a rotation of up to <see cref="MaxRotationDegrees"/> about the
/// image's centre, a change of size of up to <see cref="MaxScale"/> (a fraction); each one off when its maximum is 0.
/// </summary>
/// <remarks>
/// Per image, four numbers are drawn uniformly: shift x and y from [-MaxShift, MaxShift), the angle from
/// [-MaxRotationDegrees, MaxRotationDegrees), the size factor from [1 - MaxScale, 1 + MaxScale). Forward, a pixel at p
/// goes to <c>c + s R(theta) (p - c) + t</c>, with c the centre ((width - 1) / 2, (height - 1) / 2); y grows downwards,
/// so a positive angle turns the picture clockwise as displayed. Each output pixel is the bilinear interpolation of the
/// original at the inverse image of its position; where that falls outside the image, the background value 0 is read.
/// A shift by whole pixels therefore moves the picture exactly; the pixels shifted in are 0.
/// The rows of a batch are split across <see cref="KernelSettings.ThreadCount"/> threads, each with a seed drawn from
/// the trainer's generator in row order: the same seed gives the same bits for any thread count (on one kernel path).
/// Apply allocates nothing once warm.
/// </remarks>
public sealed class AffineAugmentation : Augmentation
{
    private readonly AugmentSettings _settings;

    /// <summary>Creates the augmentation for images of <paramref name="width"/> x <paramref name="height"/> pixels, stored row by row.</summary>
    /// <param name="width">Pixels per image row; at least 1.</param>
    /// <param name="height">Rows per image; at least 1. Every batch row must hold width x height pixels.</param>
    /// <param name="maxShift">The largest shift along each axis, in pixels; 0 or more (0: no shift).</param>
    /// <param name="maxRotationDegrees">The largest rotation, in degrees, from 0 (none) to 180.</param>
    /// <param name="maxScale">The largest change of size as a fraction, from 0 (none) to below 1: 0.1 draws factors in [0.9, 1.1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or a maximum is negative, not finite or too large; the message names it.</exception>
    public AffineAugmentation(int width, int height, float maxShift = 2f, float maxRotationDegrees = 0f, float maxScale = 0f)
    {
        ImageBatch.RequireSize(width, height);
        ImageBatch.RequireRange(maxShift, 0f, float.MaxValue, false, nameof(maxShift), "the largest shift in pixels");
        ImageBatch.RequireRange(maxRotationDegrees, 0f, 180f, false, nameof(maxRotationDegrees), "the largest rotation in degrees");
        ImageBatch.RequireRange(maxScale, 0f, 1f, true, nameof(maxScale), "the largest change of size as a fraction");
        Width = width;
        Height = height;
        MaxShift = maxShift;
        MaxRotationDegrees = maxRotationDegrees;
        MaxScale = maxScale;
        // theta_max = degrees * pi / 180
        _settings = new AugmentSettings(width, height, maxShift, maxRotationDegrees * (MathF.PI / 180f), maxScale, [], []);
    }

    /// <summary>Pixels per image row.</summary>
    public int Width { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>The largest shift along each axis, in pixels.</summary>
    public float MaxShift { get; }

    /// <summary>The largest rotation, in degrees.</summary>
    public float MaxRotationDegrees { get; }

    /// <summary>The largest change of size, as a fraction of the size.</summary>
    public float MaxScale { get; }

    /// <summary>Shifts, rotates and scales every row of <paramref name="inputs"/> in place, each by its own random amount.</summary>
    /// <param name="inputs">[batchSize x (width height)]: one image per row, row by row, background 0.</param>
    /// <param name="random">The trainer's generator; one number is drawn per row.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The rows of <paramref name="inputs"/> are not width x height pixels; the message gives both numbers.</exception>
    public override void Apply(Tensor inputs, DeterministicRandom random)
    {
        ReadOnlySpan<ulong> seeds = ImageBatch.DrawSeeds(inputs, random, Width, Height, nameof(AffineAugmentation));
        Kernels.AugmentImages(inputs.AsSpan(), seeds, _settings);
    }

    /// <summary>The name and settings, such as <c>AffineAugmentation 28x28 shift=2 rotation=10 scale=0.1</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"AffineAugmentation {Width}x{Height} shift={MaxShift} rotation={MaxRotationDegrees} scale={MaxScale}");
}
