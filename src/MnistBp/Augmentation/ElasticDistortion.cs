// ElasticDistortion: Simard, Steinkraus & Platt (2003), "Best Practices for Convolutional Neural Networks
// Applied to Visual Document Analysis", section 2.2: per image, two fields of uniform random numbers in
// (-1, 1) are smoothed by a Gaussian of sigma pixels and scaled by alpha, and used as a displacement
// field read bilinearly; optionally after a random affine map (Ciresan et al. 2010 combine both). The
// smoothing is two truncated 1-D passes (radius ceil(3 sigma)); outside the image the field and the
// pixels are 0. It works on any width x height; it draws no other kinds of distortion.
using System.Globalization;

namespace MnistBp;

/// <summary>
/// Simard's elastic distortions: every training image is warped by its own smooth random displacement field,
/// optionally combined with a random shift, rotation and scaling as in <see cref="AffineAugmentation"/>.
/// </summary>
/// <remarks>
/// <para>
/// Per image, two fields Ux and Uy hold one uniform number from [-1, 1) per pixel. Each is convolved with a
/// Gaussian of standard deviation <see cref="Sigma"/> pixels, normalized to sum 1 and truncated at the radius
/// <see cref="GaussianRadius"/> = ceil(3 sigma) (the field is 0 outside the image), and multiplied by
/// <see cref="Alpha"/>: <c>dx = alpha (G * Ux)</c>, <c>dy = alpha (G * Uy)</c>. Output pixel (x, y) is the bilinear
/// interpolation of the original at <c>A(x, y) + (dx, dy)</c>, where A is the inverse of the random affine map
/// (the identity when all three affine maxima are 0), reading the background value 0 outside the image.
/// </para>
/// <para>
/// Defaults: Simard et al. report the elastic distortions for MNIST with sigma = 4 and alpha = 34 (their 784-800-10
/// network reached 0.7% test error with them). Ciresan, Meier, Gambardella and Schmidhuber (2010, "Deep, Big, Simple
/// Neural Nets for Handwritten Digit Recognition") used somewhat stronger elastic settings (sigma about 5-6,
/// alpha about 36-38) together with rotations and scalings; pass the affine maxima for that style.
/// With sigma = 4 the smoothed field has a standard deviation of about alpha / sqrt(3) * sum of g², 1.4 pixels at alpha = 34.
/// </para>
/// <para>
/// Rows are split across <see cref="KernelSettings.ThreadCount"/> threads, each with a seed drawn from the trainer's
/// generator in row order: the same seed gives the same bits for any thread count (on one kernel path). Apply
/// allocates nothing once warm.
/// </para>
/// </remarks>
public sealed class ElasticDistortion : Augmentation
{
    private readonly AugmentSettings _settings;

    /// <summary>Creates the distortion for images of <paramref name="width"/> x <paramref name="height"/> pixels, stored row by row.</summary>
    /// <param name="width">Pixels per image row; at least 1.</param>
    /// <param name="height">Rows per image; at least 1. Every batch row must hold width x height pixels.</param>
    /// <param name="alpha">The strength: the smoothed field is multiplied by it (pixels); 0 or more, 0 meaning no elastic warp. Simard's 34 by default.</param>
    /// <param name="sigma">The Gaussian's standard deviation in pixels, above 0 and at most 100; Simard's 4 by default.</param>
    /// <param name="maxShift">As <see cref="AffineAugmentation"/>: the largest shift along each axis in pixels; 0 (the default) for none.</param>
    /// <param name="maxRotationDegrees">As <see cref="AffineAugmentation"/>: the largest rotation in degrees, 0 to 180; 0 for none.</param>
    /// <param name="maxScale">As <see cref="AffineAugmentation"/>: the largest change of size, from 0 to below 1; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or a setting is negative, not finite or too large; the message names it.</exception>
    public ElasticDistortion(int width, int height, float alpha = 34f, float sigma = 4f, float maxShift = 0f, float maxRotationDegrees = 0f, float maxScale = 0f)
    {
        ImageBatch.RequireSize(width, height);
        ImageBatch.RequireRange(alpha, 0f, float.MaxValue, false, nameof(alpha), "the strength of the displacement field in pixels");
        if (!(sigma > 0f && sigma <= 100f))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, string.Create(CultureInfo.InvariantCulture, $"sigma (the Gaussian's standard deviation in pixels) must be above 0 and at most 100; {sigma} is not."));
        }

        ImageBatch.RequireRange(maxShift, 0f, float.MaxValue, false, nameof(maxShift), "the largest shift in pixels");
        ImageBatch.RequireRange(maxRotationDegrees, 0f, 180f, false, nameof(maxRotationDegrees), "the largest rotation in degrees");
        ImageBatch.RequireRange(maxScale, 0f, 1f, true, nameof(maxScale), "the largest change of size as a fraction");
        Width = width;
        Height = height;
        Alpha = alpha;
        Sigma = sigma;
        MaxShift = maxShift;
        MaxRotationDegrees = maxRotationDegrees;
        MaxScale = maxScale;
        // d = alpha (G * U): alpha goes into the row pass, the column pass keeps sum 1
        _settings = new AugmentSettings(width, height, maxShift, maxRotationDegrees * (MathF.PI / 180f), maxScale, Kernels.GaussianWeights(sigma, alpha), Kernels.GaussianWeights(sigma, 1f));
    }

    /// <summary>Pixels per image row.</summary>
    public int Width { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>The strength alpha: the factor on the smoothed random field, in pixels.</summary>
    public float Alpha { get; }

    /// <summary>The Gaussian's standard deviation sigma, in pixels.</summary>
    public float Sigma { get; }

    /// <summary>Where the Gaussian is cut off: ceil(3 sigma) pixels each side (2r + 1 taps per pass).</summary>
    public int GaussianRadius => Kernels.GaussianRadius(Sigma);

    /// <summary>The largest shift along each axis, in pixels (0: none).</summary>
    public float MaxShift { get; }

    /// <summary>The largest rotation, in degrees (0: none).</summary>
    public float MaxRotationDegrees { get; }

    /// <summary>The largest change of size, as a fraction (0: none).</summary>
    public float MaxScale { get; }

    /// <summary>Warps every row of <paramref name="inputs"/> in place, each by its own random field (and affine map, when set).</summary>
    /// <param name="inputs">[batchSize x (width height)]: one image per row, row by row, background 0.</param>
    /// <param name="random">The trainer's generator; one number is drawn per row.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The rows of <paramref name="inputs"/> are not width x height pixels; the message gives both numbers.</exception>
    public override void Apply(Tensor inputs, DeterministicRandom random)
    {
        ReadOnlySpan<ulong> seeds = ImageBatch.DrawSeeds(inputs, random, Width, Height, nameof(ElasticDistortion));
        Kernels.AugmentImages(inputs.AsSpan(), seeds, _settings);
    }

    /// <summary>The name and settings, such as <c>ElasticDistortion 28x28 alpha=34 sigma=4</c>, with the affine maxima when any is set.</summary>
    public override string ToString()
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"ElasticDistortion {Width}x{Height} alpha={Alpha} sigma={Sigma}");
        return MaxShift == 0f && MaxRotationDegrees == 0f && MaxScale == 0f
            ? text
            : text + string.Create(CultureInfo.InvariantCulture, $" shift={MaxShift} rotation={MaxRotationDegrees} scale={MaxScale}");
    }
}
