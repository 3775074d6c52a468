// ModelText: the text rules of the model file. Strict UTF-8 (a string that cannot round-trip, such as
// a lone surrogate, is refused rather than silently replaced), and escaping for error messages: a
// name read from a file may hold control characters (a newline, an ANSI escape, a right-to-left
// override) that must not reach a console or a log raw. It knows nothing about layers.
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>Strict UTF-8 and message-safe text for model files.</summary>
internal static class ModelText
{
    /// <summary>UTF-8 without a byte order mark that throws on invalid bytes and on lone surrogates.</summary>
    public static UTF8Encoding Strict { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The UTF-8 byte count of <paramref name="text"/>, or -1 when it is not valid UTF-16 (a lone surrogate).</summary>
    public static int ByteCount(string text)
    {
        try
        {
            return Strict.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return -1;
        }
    }

    /// <summary>
    /// <paramref name="text"/> with every control or format character (newline, escape, bidirectional
    /// override, zero-width space...) written as <c>\u001B</c>, so it can be put in a message as is.
    /// </summary>
    public static string Escape(string text) => Escape(text, literal: false);

    /// <summary>A C# string literal for <paramref name="text"/>, quotes included, for the code an error message suggests.</summary>
    public static string CSharpLiteral(string text) => "\"" + Escape(text, literal: true) + "\"";

    /// <summary>True when <paramref name="text"/> holds a character <see cref="Escape(string)"/> would rewrite.</summary>
    public static bool HasControlCharacters(string text) => text.Any(NeedsEscape);

    private static string Escape(string text, bool literal)
    {
        if (!text.Any(c => NeedsEscape(c) || (literal && c is '"' or '\\')))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (NeedsEscape(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(literal && c is '"' or '\\' ? "\\" : "").Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c)
    {
        UnicodeCategory category = char.GetUnicodeCategory(c);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator;
    }
}
