// TrainingReport: one run written as a folder a browser opens with no network and no script:
// index.html with the run's settings and results, and beside it the pictures of Pictures.cs (the
// curves, the confusion matrix, the misclassified test images, the hidden layer's weights). Every
// text that goes into the HTML is escaped; every picture is checked by the tests of Pictures.cs.
using System.Globalization;
using System.Net;
using System.Text;

namespace MnistBp.Pictures;

/// <summary>What one training run is, for <see cref="TrainingReport.Write"/>.</summary>
/// <param name="Title">The page's title, such as "Sample 04: 784-100-10 on MNIST".</param>
/// <param name="Settings">The run's settings as name and value, in the order to show them.</param>
/// <param name="Results">What <see cref="Trainer.Fit"/> returned; the last epoch's evaluation is the one shown.</param>
/// <param name="Model">The trained model: its first layer's weights are drawn when they are a [pixels x neurons] matrix (a Dense layer over images).</param>
/// <param name="TestData">The labelled images the last evaluation was made on, for the misclassified sheet.</param>
/// <param name="TrainingAccuracies">The accuracy on the training data after each epoch (0 to 1), drawn beside the test accuracy; null for none.</param>
public sealed record TrainingRun(string Title, IReadOnlyList<(string Name, string Value)> Settings, IReadOnlyList<EpochResult> Results, Sequential Model, Dataset TestData, IReadOnlyList<double>? TrainingAccuracies = null);

/// <summary>Writes a self-contained HTML report of a training run.</summary>
public static class TrainingReport
{
    /// <summary>The page's file name in the report folder.</summary>
    public const string PageFileName = "index.html";

    /// <summary>
    /// Writes <c>index.html</c> and its pictures (<c>curves.svg</c>, <c>curves-log.svg</c> when every loss is positive,
    /// <c>confusion.svg</c>, <c>misclassified.svg</c>, and <c>weights.png</c> when the first layer is a
    /// Dense layer over 2-D images; otherwise the page says why there is none) into <paramref name="directory"/>,
    /// creating it when missing and replacing those files.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="directory">The report folder.</param>
    /// <returns>The full path of index.html.</returns>
    /// <exception cref="ArgumentException">The run has no epochs, or its last epoch has no evaluation.</exception>
    public static string Write(TrainingRun run, string directory)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (run.Results.Count == 0 || run.Results[^1].Evaluation is not Evaluation final)
        {
            throw new ArgumentException("A report needs at least one epoch, the last one evaluated on the test data.", nameof(run));
        }

        Directory.CreateDirectory(directory);
        IReadOnlyList<(string, IReadOnlyList<double>)>? training = run.TrainingAccuracies is null ? null : [("training", run.TrainingAccuracies)];
        Pictures.TrainingCurves(run.Results, title: "Loss and accuracy per epoch", evaluationName: "test", moreAccuracies: training).Save(Path.Combine(directory, "curves.svg"));
        bool logCurves = run.Results.All(r => r.MeanTrainingLoss > 0); // a log axis needs positive losses
        if (logCurves)
        {
            Pictures.TrainingCurves(run.Results, logLoss: true, title: "The same, loss on a log scale", evaluationName: "test", moreAccuracies: training)
                .Save(Path.Combine(directory, "curves-log.svg"));
        }
        Pictures.ConfusionMatrix(final).Save(Path.Combine(directory, "confusion.svg"));
        Pictures.MisclassifiedSheet(run.Model, run.TestData).Save(Path.Combine(directory, "misclassified.svg"));
        // The first layer's first parameter, when it is a [pixels x neurons] matrix (a Dense layer's W).
        Tensor? w = run.Model.Layers.Count > 0 && run.Model.Layers[0].Parameters.Count > 0 ? run.Model.Layers[0].Parameters[0].Value : null;
        bool weights = w is { Rank: 2 } && run.TestData.ImageShape.Count == 2 && (long)run.TestData.ImageShape[0] * run.TestData.ImageShape[1] == w.Rows;
        if (weights)
        {
            Pictures.WeightSheet(w!, run.TestData.ImageShape[0], run.TestData.ImageShape[1]).Save(Path.Combine(directory, "weights.png"));
        }

        string page = Path.Combine(directory, PageFileName);
        File.WriteAllText(page, Html(run, final, weights, logCurves), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return Path.GetFullPath(page);
    }

    private static string Html(TrainingRun run, Evaluation final, bool weights, bool logCurves)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<title>").Append(E(run.Title)).Append("</title>\n")
            .Append("<style>body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}table{border-collapse:collapse}")
            .Append("td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f4f4f4}img{max-width:100%;border:1px solid #eee}")
            .Append("figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em}</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(E(run.Title)).Append("</h1>\n")
            .Append("<p><strong>").Append(E(final.ToString())).Append("</strong> after ")
            .Append(run.Results.Count.ToString(CultureInfo.InvariantCulture)).Append(run.Results.Count == 1 ? " epoch" : " epochs").Append("; ")
            .Append(E(run.Results.Sum(r => r.Duration.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture))).Append(" s of training.</p>\n");

        html.Append("<h2>Settings</h2>\n<table>\n");
        foreach ((string name, string value) in run.Settings)
        {
            html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");
        }

        html.Append("<tr><th>model</th><td>").Append(E(run.Model.ToString())).Append("</td></tr>\n</table>\n");

        html.Append("<h2>Epochs</h2>\n<table>\n<tr><th>epoch</th><th>mean training loss</th>")
            .Append(run.TrainingAccuracies is null ? "" : "<th>training accuracy</th>").Append("<th>test accuracy</th><th>seconds of training</th></tr>\n");
        for (int i = 0; i < run.Results.Count; i++)
        {
            EpochResult r = run.Results[i];
            string trainingCell = run.TrainingAccuracies is { } t && i < t.Count ? $"<td>{(t[i] * 100).ToString("0.00", CultureInfo.InvariantCulture)}%</td>" : run.TrainingAccuracies is null ? "" : "<td></td>";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{r.Epoch}</td><td>{r.MeanTrainingLoss:0.00000}</td>{trainingCell}<td>{(r.Evaluation is null ? "" : (r.Evaluation.Accuracy * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%")}</td><td>{r.Duration.TotalSeconds:0.00}</td></tr>\n");
            if (r.Diagnosis is not null)
            {
                html.Append("<tr><td colspan=\"5\"><strong>warning:</strong> ").Append(E(r.Diagnosis.Message)).Append("</td></tr>\n");
            }
        }

        html.Append("</table>\n");
        Figure(html, "curves.svg", "Training curves", "The mean training loss of each epoch (blue, left axis) and the accuracy after it (right axis): on the test data, and on the training data when measured.");
        if (logCurves)
        {
            Figure(html, "curves-log.svg", "Training curves, log loss", "The same loss on a logarithmic axis, where late progress is visible.");
        }

        Figure(html, "confusion.svg", "Confusion matrix", "Row: the true class; column: the predicted one. The diagonal is right; off it, the mistakes, darker where more of the row went.");
        Figure(html, "misclassified.svg", "Misclassified test images", "The first test images the network got wrong: the true label, the predicted one, and its three largest outputs as shares of all outputs.");
        if (weights)
        {
            IReadOnlyList<int> shape = run.TestData.ImageShape;
            string incoming = ((long)shape[0] * shape[1]).ToString(CultureInfo.InvariantCulture), image = $"{shape[1]}×{shape[0]}";
            Figure(html, "weights.png", "Hidden weights", $"Each hidden neuron's {incoming} incoming weights as a {image} image: red where a dark pixel pushes the neuron up, blue where it pushes it down.");
        }
        else
        {
            html.Append("<p>").Append(WebUtility.HtmlEncode(NoWeightsPicture(run))).Append("</p>\n");
        }

        return html.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>Why the report has no weights.png, naming what it found instead of a [pixels x neurons] first matrix.</summary>
    private static string NoWeightsPicture(TrainingRun run)
    {
        IReadOnlyList<int> shape = run.TestData.ImageShape;
        Layer? first = run.Model.Layers.Count > 0 ? run.Model.Layers[0] : null;
        string found = first is null ? "the model has no layers"
            : first.Parameters.Count == 0 ? $"the first layer, {first}, has no parameters"
            : $"the first layer's first parameter, {first.Parameters[0].Name}, is {first.Parameters[0].Value.Shape}";
        if (shape.Count != 2)
        {
            return $"No picture of the hidden weights: it needs 2-D images, but the samples are of shape [{string.Join(" x ", shape)}].";
        }

        return $"No picture of the hidden weights: it needs a first layer whose first parameter is a [pixels x neurons] matrix over 2-D images (a Dense layer's W, {(long)shape[0] * shape[1]} pixels here), but {found}.";
    }

    private static void Figure(StringBuilder html, string file, string alt, string caption) =>
        html.Append("<figure><img src=\"").Append(file).Append("\" alt=\"").Append(WebUtility.HtmlEncode(alt)).Append("\"><figcaption>")
            .Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>\n");
}
