// DigitRequests: reads and checks the JSON bodies of /api/predict and /api/backprop before anything
// runs, so bad input is answered with 400 and a problem detail naming the field (body, pixels, label,
// learnRate) and never reaches the model half-checked. The body is read with a size limit; the JSON is
// parsed by System.Text.Json (no NaN or Infinity literals; a number that does not fit a float is
// refused as not finite). It does not bind to classes: each field is checked by hand, with the index
// of the first bad pixel in the message.
using System.Globalization;
using System.Text.Json;

namespace MnistBp.Samples.DrawADigit;

/// <summary>A checked predict request: the pixels.</summary>
/// <param name="Pixels">The image, row-major, each value in 0..1.</param>
internal sealed record PredictRequest(float[] Pixels);

/// <summary>A checked backprop request.</summary>
/// <param name="Pixels">The image, row-major, each value in 0..1.</param>
/// <param name="Label">The true class, 0 to outputs - 1.</param>
/// <param name="LearnRate">The SGD step size, positive and finite.</param>
internal sealed record BackpropRequest(float[] Pixels, int Label, float LearnRate);

/// <summary>Reads the request bodies; every refusal is a 400 validation problem keyed by the field.</summary>
internal static class DigitRequests
{
    /// <summary>The largest body accepted: 784 numbers written out in full take about 16 KB.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The largest learn rate accepted: far beyond any useful one, and small enough that steps cannot overflow a float.</summary>
    public const float MaxLearnRate = 1000f;

    /// <summary>Reads the body as JSON; returns null and sets <paramref name="problem"/> when it is too large or malformed.</summary>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Invalid("body", $"the body has {request.ContentLength} bytes; at most {MaxBodyBytes} are accepted"));
        }

        // Read at most one byte more than the limit: a chunked body gives no length up front.
        byte[] buffer = new byte[MaxBodyBytes + 1];
        int length = 0, read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > MaxBodyBytes)
        {
            return (null, Invalid("body", $"the body is longer than {MaxBodyBytes} bytes, the most accepted"));
        }

        if (length == 0)
        {
            return (null, Invalid("body", "the body is empty; send a JSON object such as {\"pixels\": [784 numbers]}"));
        }

        try
        {
            return (JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 8 }), null);
        }
        catch (JsonException e)
        {
            return (null, Invalid("body", $"the body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>Checks a predict body.</summary>
    public static (PredictRequest? Request, IResult? Problem) Predict(JsonDocument document, DigitModel digit)
    {
        if (RequireObject(document) is IResult notObject)
        {
            return (null, notObject);
        }

        (float[]? pixels, IResult? problem) = ReadPixels(document.RootElement, digit);
        return problem is null ? (new PredictRequest(pixels!), null) : (null, problem);
    }

    /// <summary>Checks a backprop body.</summary>
    public static (BackpropRequest? Request, IResult? Problem) Backprop(JsonDocument document, DigitModel digit)
    {
        if (RequireObject(document) is IResult notObject)
        {
            return (null, notObject);
        }

        JsonElement root = document.RootElement;
        (float[]? pixels, IResult? pixelProblem) = ReadPixels(root, digit);
        if (pixelProblem is not null)
        {
            return (null, pixelProblem);
        }

        int classes = digit.OutputSize;
        if (!root.TryGetProperty("label", out JsonElement labelElement))
        {
            return (null, Invalid("label", $"label is missing: give the true digit, a whole number from 0 to {classes - 1}"));
        }

        if (labelElement.ValueKind != JsonValueKind.Number || !labelElement.TryGetInt32(out int label) || label < 0 || label >= classes)
        {
            return (null, Invalid("label", $"label must be a whole number from 0 to {classes - 1} (the model has {classes} outputs); got {Shown(labelElement)}"));
        }

        if (!root.TryGetProperty("learnRate", out JsonElement rateElement))
        {
            return (null, Invalid("learnRate", "learnRate is missing: give the SGD step size, a positive number such as 3"));
        }

        if (rateElement.ValueKind != JsonValueKind.Number || !rateElement.TryGetSingle(out float learnRate) || !float.IsFinite(learnRate) || !(learnRate > 0f))
        {
            return (null, Invalid("learnRate", $"learnRate must be a positive, finite number (as a float); got {Shown(rateElement)}"));
        }

        if (learnRate > MaxLearnRate)
        {
            return (null, Invalid("learnRate", $"learnRate must be at most {MaxLearnRate}; got {Shown(rateElement)}"));
        }

        return (new BackpropRequest(pixels!, label, learnRate), null);
    }

    /// <summary>A 400 problem detail whose errors name <paramref name="field"/>.</summary>
    public static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [message] },
            detail: message,
            title: $"The request's {field} is not valid.");

    private static IResult? RequireObject(JsonDocument document) => document.RootElement.ValueKind == JsonValueKind.Object
        ? null
        : Invalid("body", $"the body must be a JSON object such as {{\"pixels\": [784 numbers]}}; it is {Article(document.RootElement.ValueKind)}");

    private static (float[]? Pixels, IResult? Problem) ReadPixels(JsonElement root, DigitModel digit)
    {
        int size = digit.InputSize, side = digit.ImageSide;
        if (!root.TryGetProperty("pixels", out JsonElement element))
        {
            return (null, Invalid("pixels", $"pixels is missing: give {size} numbers ({side} x {side}, row-major, 0 = background, 1 = ink)"));
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return (null, Invalid("pixels", $"pixels must be an array of {size} numbers; it is {Article(element.ValueKind)}"));
        }

        int count = element.GetArrayLength();
        if (count != size)
        {
            return (null, Invalid("pixels", $"pixels must have {size} numbers ({side} x {side}, row-major); it has {count}"));
        }

        var pixels = new float[size];
        int i = 0;
        foreach (JsonElement value in element.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                string what = value.ValueKind == JsonValueKind.String && value.GetString() is string text
                    && (text.Contains("nan", StringComparison.OrdinalIgnoreCase) || text.Contains("inf", StringComparison.OrdinalIgnoreCase))
                    ? $"the string {Shown(value)}: NaN and infinities are not pixels"
                    : Article(value.ValueKind);
                return (null, Invalid("pixels", $"pixels[{i}] must be a number from 0 to 1; it is {what}"));
            }

            if (!value.TryGetSingle(out float pixel) || !float.IsFinite(pixel))
            {
                return (null, Invalid("pixels", $"pixels[{i}] = {Shown(value)} is not a finite number; pixels go from 0 to 1"));
            }

            if (pixel is < 0f or > 1f)
            {
                return (null, Invalid("pixels", $"pixels[{i}] = {Shown(value)} is outside 0..1 (0 = background, 1 = ink, like MNIST's bytes / 255)"));
            }

            pixels[i++] = pixel;
        }

        return (pixels, null);
    }

    private static string Shown(JsonElement element)
    {
        string text = element.GetRawText();
        return text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..40]}...");
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "not a value",
    };
}
