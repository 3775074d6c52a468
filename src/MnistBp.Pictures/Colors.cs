// Colors: the two colour maps the pictures use. A grey ramp for inputs (0 = white paper, 1 = black
// ink, as a digit is drawn), and a diverging map for weights and gradients: negative blue, zero
// white, positive red, so the sign of every weight reads at a glance and its size as saturation.
namespace MnistBp.Pictures;

/// <summary>Colour maps from numbers to pixels.</summary>
public static class Colors
{
    /// <summary>Ink on paper: 0 white, 1 black; values outside [0, 1] are clamped, NaN is shown as magenta.</summary>
    /// <param name="value">An input value in [0, 1], such as a pixel / 255.</param>
    /// <returns>The red, green and blue bytes.</returns>
    public static (byte R, byte G, byte B) Ink(float value)
    {
        if (float.IsNaN(value))
        {
            return (255, 0, 255);
        }

        byte grey = (byte)MathF.Round(255f * (1f - Math.Clamp(value, 0f, 1f)));
        return (grey, grey, grey);
    }

    /// <summary>
    /// The diverging map: -scale is full blue (33, 102, 172), 0 white, +scale full red (178, 24, 43),
    /// linear in between; beyond ±scale clamped; NaN magenta, so a blown-up weight cannot hide.
    /// </summary>
    /// <param name="value">The number to show.</param>
    /// <param name="scale">The magnitude shown at full colour, positive.</param>
    /// <returns>The red, green and blue bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is not positive and finite.</exception>
    public static (byte R, byte G, byte B) Diverging(float value, float scale)
    {
        if (!(scale > 0f) || !float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The colour scale must be positive and finite.");
        }

        if (float.IsNaN(value))
        {
            return (255, 0, 255);
        }

        float t = Math.Clamp(value / scale, -1f, 1f);
        (float r, float g, float b) = t < 0 ? (33f, 102f, 172f) : (178f, 24f, 43f);
        float a = MathF.Abs(t);
        // white (255, 255, 255) mixed toward the end colour by |t|
        return (Mix(r, a), Mix(g, a), Mix(b, a));
    }

    private static byte Mix(float end, float amount) => (byte)MathF.Round(255f + ((end - 255f) * amount));
}
