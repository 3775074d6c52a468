// SvgDocument: a small builder for SVG pictures (lines, polylines, rectangles, circles, text) that
// writes well-formed XML: every attribute value and text is escaped, characters XML cannot hold are
// refused, numbers are written with '.' whatever the culture. It knows nothing about charts; the
// pictures are built on it elsewhere. No CSS, no scripts, no external references.
using System.Globalization;
using System.Text;

namespace MnistBp.Pictures;

/// <summary>An SVG picture built element by element, in drawing order.</summary>
public sealed class SvgDocument
{
    private readonly StringBuilder _body = new();

    /// <summary>Creates an empty picture of the given size in pixels.</summary>
    /// <param name="width">The width, positive and finite.</param>
    /// <param name="height">The height, positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive and finite.</exception>
    public SvgDocument(double width, double height)
    {
        RequirePositive(width, nameof(width));
        RequirePositive(height, nameof(height));
        Width = width;
        Height = height;
    }

    /// <summary>The width in pixels.</summary>
    public double Width { get; }

    /// <summary>The height in pixels.</summary>
    public double Height { get; }

    /// <summary>Adds a straight line.</summary>
    /// <param name="x1">Start x.</param>
    /// <param name="y1">Start y (down from the top).</param>
    /// <param name="x2">End x.</param>
    /// <param name="y2">End y.</param>
    /// <param name="stroke">A colour, such as <c>#333</c> or <c>steelblue</c>.</param>
    /// <param name="strokeWidth">The line width.</param>
    /// <returns>This document, to chain calls.</returns>
    public SvgDocument Line(double x1, double y1, double x2, double y2, string stroke = "#000", double strokeWidth = 1) =>
        Element("line", ("x1", Number(x1)), ("y1", Number(y1)), ("x2", Number(x2)), ("y2", Number(y2)), ("stroke", stroke), ("stroke-width", Number(strokeWidth)));

    /// <summary>Adds a line through the points in order (a curve of a chart).</summary>
    /// <param name="points">The points; non-finite ones are refused.</param>
    /// <param name="stroke">A colour.</param>
    /// <param name="strokeWidth">The line width.</param>
    /// <returns>This document, to chain calls.</returns>
    public SvgDocument Polyline(IEnumerable<(double X, double Y)> points, string stroke = "#000", double strokeWidth = 1.5)
    {
        ArgumentNullException.ThrowIfNull(points);
        string list = string.Join(" ", points.Select(p => Number(p.X) + "," + Number(p.Y)));
        return Element("polyline", ("points", list), ("fill", "none"), ("stroke", stroke), ("stroke-width", Number(strokeWidth)));
    }

    /// <summary>Adds a rectangle.</summary>
    /// <param name="x">Left.</param>
    /// <param name="y">Top.</param>
    /// <param name="width">Width, zero or more.</param>
    /// <param name="height">Height, zero or more.</param>
    /// <param name="fill">The fill colour, or <c>none</c>.</param>
    /// <param name="stroke">The outline colour, or <c>none</c>.</param>
    /// <returns>This document, to chain calls.</returns>
    public SvgDocument Rect(double x, double y, double width, double height, string fill, string stroke = "none") =>
        Element("rect", ("x", Number(x)), ("y", Number(y)), ("width", Number(width)), ("height", Number(height)), ("fill", fill), ("stroke", stroke));

    /// <summary>Adds a circle.</summary>
    /// <param name="cx">Centre x.</param>
    /// <param name="cy">Centre y.</param>
    /// <param name="r">Radius, zero or more.</param>
    /// <param name="fill">The fill colour.</param>
    /// <param name="stroke">The outline colour, or <c>none</c>.</param>
    /// <returns>This document, to chain calls.</returns>
    public SvgDocument Circle(double cx, double cy, double r, string fill, string stroke = "none") =>
        Element("circle", ("cx", Number(cx)), ("cy", Number(cy)), ("r", Number(r)), ("fill", fill), ("stroke", stroke));

    /// <summary>Adds a PNG image, embedded in the document (no file beside it), drawn with crisp pixels when scaled up.</summary>
    /// <param name="x">Left.</param>
    /// <param name="y">Top.</param>
    /// <param name="width">Drawn width.</param>
    /// <param name="height">Drawn height.</param>
    /// <param name="image">The image.</param>
    /// <returns>This document, to chain calls.</returns>
    public SvgDocument Image(double x, double y, double width, double height, PngImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        string data = "data:image/png;base64," + Convert.ToBase64String(image.ToPng());
        return Element("image", ("x", Number(x)), ("y", Number(y)), ("width", Number(width)), ("height", Number(height)),
            ("href", data), ("image-rendering", "pixelated"), ("preserveAspectRatio", "none"));
    }

    /// <summary>Adds text, its anchor point at (x, y).</summary>
    /// <param name="x">Anchor x.</param>
    /// <param name="y">Baseline y.</param>
    /// <param name="text">The text; escaped as XML needs.</param>
    /// <param name="size">Font size in pixels.</param>
    /// <param name="anchor"><c>start</c>, <c>middle</c> or <c>end</c>.</param>
    /// <param name="fill">The colour.</param>
    /// <returns>This document, to chain calls.</returns>
    /// <exception cref="ArgumentException">The text holds a character XML 1.0 cannot hold (a control character), or the anchor is unknown.</exception>
    public SvgDocument Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = "#000")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (anchor is not ("start" or "middle" or "end"))
        {
            throw new ArgumentException($"The text anchor '{anchor}' is not start, middle or end.", nameof(anchor));
        }

        // Built aside and appended whole: a refused value leaves the document as it was.
        string content = Escape(text, nameof(text));
        var element = new StringBuilder("  <text");
        AppendAttributes(element, ("x", Number(x)), ("y", Number(y)), ("font-size", Number(size)), ("text-anchor", anchor), ("fill", fill), ("font-family", "sans-serif"));
        _body.Append(element).Append('>').Append(content).Append("</text>\n");
        return this;
    }

    /// <summary>The SVG file's text: an XML declaration and one <c>svg</c> element in the SVG namespace.</summary>
    public override string ToString() =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Number(Width)}\" height=\"{Number(Height)}\" viewBox=\"0 0 {Number(Width)} {Number(Height)}\">\n" +
        _body + "</svg>\n";

    /// <summary>Writes the picture to <paramref name="path"/> in UTF-8, replacing any file there.</summary>
    /// <param name="path">The file to write, such as <c>curves.svg</c>.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// <summary>A number as SVG wants it: invariant culture, round-trip precision trimmed to 4 decimals.</summary>
    /// <exception cref="ArgumentException">The number is NaN or infinite (it would make an invalid picture).</exception>
    internal static string Number(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"An SVG coordinate or size must be finite, not {value.ToString(CultureInfo.InvariantCulture)}.", nameof(value));
        }

        return Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Escapes &amp;, &lt;, &gt; and quotes; refuses characters XML 1.0 cannot hold.</summary>
    internal static string Escape(string text, string paramName)
    {
        var escaped = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]); // a pair: a character beyond U+FFFF
                continue;
            }

            bool allowed = c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (!allowed)
            {
                throw new ArgumentException($"Character U+{(int)c:X4} at index {i} cannot appear in an SVG (XML 1.0) document.", paramName);
            }

            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    private SvgDocument Element(string name, params (string Name, string Value)[] attributes)
    {
        // Built aside and appended whole: a refused value leaves the document as it was.
        var element = new StringBuilder("  <").Append(name);
        AppendAttributes(element, attributes);
        _body.Append(element).Append("/>\n");
        return this;
    }

    private static void AppendAttributes(StringBuilder element, params (string Name, string Value)[] attributes)
    {
        foreach ((string name, string value) in attributes)
        {
            ArgumentNullException.ThrowIfNull(value, name);
            element.Append(' ').Append(name).Append("=\"").Append(Escape(value, name)).Append('"');
        }
    }

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "An SVG size must be positive and finite.");
        }
    }
}
