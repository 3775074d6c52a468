// DigitApi: the endpoints behind the page. /api/predict runs the forward pass (on the shared model, or
// on the visitor's copy once they have taught it); /api/backprop runs one teaching step on the visitor's
// copy and returns the loss, the gradients and the probabilities after the step; /api/reset drops the
// copy; /api/model says what the model is (its widths are read from it, never assumed); and
// /api/weights/{neuron}.png draws a hidden neuron's incoming weights with MnistBp.Pictures.
// Every body is checked by DigitRequests before the model is touched.
using System.Text.Json.Serialization;
using MnistBp;
using MnistBp.Pictures;

namespace MnistBp.Samples.DrawADigit;

/// <summary>Maps the sample's HTTP API.</summary>
internal static class DigitApi
{
    /// <summary>Adds the endpoints to <paramref name="app"/>.</summary>
    public static void MapDigitApi(this WebApplication app)
    {
        app.MapGet("/api/model", IResult (HttpContext http, DigitModel digit, VisitorModels visitors) =>
        {
            Visitor? visitor = visitors.TryGet(http.Request.Cookies[VisitorModels.CookieName]);
            return TypedResults.Ok(new ModelInfo(
                digit.Source, digit.Describe(), digit.InputSize, digit.ImageSide, digit.OutputSize, digit.HiddenSize, digit.HasNeuronImages,
                digit.Reading.ChartNote, digit.Reading.LossDescription, digit.Reading.TeachingNote,
                [.. digit.Model.Layers.Select((layer, i) => new LayerInfo(layer.Kind, layer.Name, digit.LayerWidths[i], layer.Formula))],
                visitor is null ? "trained" : "yours", visitor?.Steps ?? 0));
        });

        app.MapPost("/api/predict", async Task<IResult> (HttpContext http, DigitModel digit, VisitorModels visitors) =>
        {
            (System.Text.Json.JsonDocument? document, IResult? problem) = await DigitRequests.ReadJsonAsync(http.Request, http.RequestAborted);
            using (document)
            {
                if (problem is not null)
                {
                    return problem;
                }

                (PredictRequest? request, problem) = DigitRequests.Predict(document!, digit);
                if (problem is not null)
                {
                    return problem;
                }

                Visitor? visitor = visitors.TryGet(http.Request.Cookies[VisitorModels.CookieName]);
                if (visitor is null)
                {
                    // The shared model: the built-in layers' Predict caches nothing, so every request runs at once.
                    return Prediction(digit, digit.Model, request!.Pixels, "trained", 0);
                }

                lock (visitor.Gate)
                {
                    return Prediction(digit, visitor.Model, request!.Pixels, "yours", visitor.Steps);
                }
            }
        });

        app.MapPost("/api/backprop", async Task<IResult> (HttpContext http, DigitModel digit, VisitorModels visitors) =>
        {
            (System.Text.Json.JsonDocument? document, IResult? problem) = await DigitRequests.ReadJsonAsync(http.Request, http.RequestAborted);
            using (document)
            {
                if (problem is not null)
                {
                    return problem;
                }

                (BackpropRequest? request, problem) = DigitRequests.Backprop(document!, digit);
                if (problem is not null)
                {
                    return problem;
                }

                string? id = http.Request.Cookies[VisitorModels.CookieName];
                if (!VisitorModels.IsWellFormed(id))
                {
                    id = VisitorModels.NewId();
                    http.Response.Cookies.Append(VisitorModels.CookieName, id, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
                }

                Visitor visitor = await visitors.GetOrCreateAsync(id!, http.RequestAborted);
                lock (visitor.Gate)
                {
                    TeachingStep? step = Teaching.Step(digit, visitor.Model, request!.Pixels, request.Label, request.LearnRate);
                    if (step is null)
                    {
                        return DigitRequests.Invalid("learnRate",
                            $"a step at learnRate {request.LearnRate} made some weights NaN or infinite; it was undone and your model is as it was: choose a smaller learn rate");
                    }

                    visitor.Steps++;
                    return TypedResults.Ok(new BackpropResponse(
                        request.Label, request.LearnRate, step.Loss,
                        Outputs(digit, step.OutputsBefore),
                        step.DZOutput, step.DZHidden, [.. step.WeightGradients.Select(g => new NeuronGradientInfo(g.Neuron, g.DZ, g.DW))],
                        Outputs(digit, step.OutputsAfter), step.LossAfter, visitor.Steps));
                }
            }
        });

        app.MapPost("/api/reset", IResult (HttpContext http, VisitorModels visitors) =>
            TypedResults.Ok(new ResetResponse(visitors.Remove(http.Request.Cookies[VisitorModels.CookieName]), "trained")));

        app.MapGet("/api/weights/{neuron:int}.png", IResult (int neuron, HttpContext http, DigitModel digit, VisitorModels visitors) =>
        {
            if (!digit.HasNeuronImages)
            {
                return DigitRequests.Invalid("neuron", $"this model ({digit.Describe()}) has no hidden layer whose incoming weights are images");
            }

            if (neuron < 0 || neuron >= digit.HiddenSize)
            {
                return DigitRequests.Invalid("neuron", $"neuron must be from 0 to {digit.HiddenSize - 1}; got {neuron}");
            }

            Visitor? visitor = visitors.TryGet(http.Request.Cookies[VisitorModels.CookieName]);
            byte[] png;
            if (visitor is null)
            {
                png = NeuronPicture(digit, digit.Model, neuron);
            }
            else
            {
                lock (visitor.Gate)
                {
                    png = NeuronPicture(digit, visitor.Model, neuron);
                }
            }

            http.Response.Headers.CacheControl = "no-cache";
            return Results.File(png, "image/png");
        });
    }

    private static IResult Prediction(DigitModel digit, Sequential model, float[] pixels, string which, int steps)
    {
        float[][] activations = digit.Activations(model, pixels);
        float[] outputs = activations[^1];
        if (outputs.Any(o => !float.IsFinite(o)))
        {
            // Cannot come from the shipped model and pixels in 0..1; a taught copy is undone before it gets here. Said, not hidden.
            return TypedResults.Problem($"the {(which == "yours" ? "your copy of the " : "")}model's outputs for these pixels are not finite (NaN or infinite){(which == "yours" ? "; reset to the trained model" : "")}",
                statusCode: StatusCodes.Status500InternalServerError, title: "The model gave NaN or infinite outputs.");
        }

        var probabilities = new float[outputs.Length];
        digit.Reading.ToProbabilities(outputs, probabilities);
        return TypedResults.Ok(new PredictResponse(Evaluation.ArgMax(outputs), probabilities, outputs, digit.HiddenLayer >= 0 ? activations[digit.HiddenLayer] : [], which, steps));
    }

    private static OutputsInfo Outputs(DigitModel digit, float[] outputs)
    {
        var probabilities = new float[outputs.Length];
        digit.Reading.ToProbabilities(outputs, probabilities);
        return new OutputsInfo(Evaluation.ArgMax(outputs), probabilities, outputs);
    }

    /// <summary>Column <paramref name="neuron"/> of W of the first layer with parameters, as a picture (red: ink there pushes the neuron up).</summary>
    private static byte[] NeuronPicture(DigitModel digit, Sequential model, int neuron)
    {
        Tensor weights = model.Layers[digit.FirstParameterLayer].Parameters[0].Value;
        var column = new Tensor(weights.Rows, 1, $"W[:, {neuron}]");
        for (int pixel = 0; pixel < weights.Rows; pixel++)
        {
            column[pixel] = weights[pixel, neuron];
        }

        return Pictures.Pictures.WeightSheet(column, digit.ImageSide, digit.ImageSide, columns: 1, scale: 3).ToPng();
    }
}

/// <summary>GET /api/model.</summary>
internal sealed record ModelInfo(
    string Source, string Description, int InputSize, int ImageSide, int OutputSize, int HiddenSize, bool HasNeuronImages,
    string ChartNote, string Loss, string TeachingNote, LayerInfo[] Layers, string Model, int Steps);

/// <summary>One layer in GET /api/model.</summary>
internal sealed record LayerInfo(string Kind, string Name, int Outputs, string Formula);

/// <summary>POST /api/predict.</summary>
internal sealed record PredictResponse(int Prediction, float[] Probabilities, float[] Outputs, float[] Hidden, string Model, int Steps);

/// <summary>The outputs of one forward pass.</summary>
internal sealed record OutputsInfo(int Prediction, float[] Probabilities, float[] Outputs);

/// <summary>dW of one hidden neuron in POST /api/backprop.</summary>
internal sealed record NeuronGradientInfo(
    int Neuron,
    [property: JsonPropertyName("dZ")] float DZ,
    [property: JsonPropertyName("dW")] float[] DW);

/// <summary>POST /api/backprop.</summary>
internal sealed record BackpropResponse(
    int Label,
    float LearnRate,
    float Loss,
    OutputsInfo Before,
    [property: JsonPropertyName("dZOutput")] float[] DZOutput,
    [property: JsonPropertyName("dZHidden")] float[]? DZHidden,
    [property: JsonPropertyName("dW")] NeuronGradientInfo[] DW,
    OutputsInfo After,
    float LossAfter,
    int Steps);

/// <summary>POST /api/reset.</summary>
internal sealed record ResetResponse(bool Dropped, string Model);
