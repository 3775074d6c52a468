// Pictures: the library's numbers drawn, one call each. A sheet of every hidden neuron's incoming
// weights as images (what each neuron looks for), a sheet of digits with their labels, the training
// curves of a run, and the confusion matrix as a heat map. Each returns a PngImage or SvgDocument
// the caller saves; nothing here trains or changes what it draws.
using System.Globalization;

namespace MnistBp.Pictures;

/// <summary>Pictures of weights, digits, training curves and confusion matrices.</summary>
public static class Pictures
{
    /// <summary>
    /// Every neuron's incoming weights (column j of a [inputs x neurons] weight matrix W, such as a Dense
    /// layer's <c>Weights.Value</c>) as a <paramref name="imageHeight"/> x
    /// <paramref name="imageWidth"/> image in the diverging map of <see cref="Colors.Diverging"/>, neuron
    /// 0 top left, <paramref name="columns"/> per row, 1 pixel of grey between them. One scale for the
    /// whole sheet, so neurons can be compared: full colour at the 99th percentile of |w| (a few
    /// outliers would otherwise wash every other weight out to white); NaN shows magenta.
    /// </summary>
    /// <param name="weights">W, [inputs x neurons], whose inputs are the pixels of images, such as the hidden layer's of 784-30-10.</param>
    /// <param name="imageHeight">Rows of one input image (28 for MNIST).</param>
    /// <param name="imageWidth">Columns of one input image (28 for MNIST); the two multiply to the rows of W.</param>
    /// <param name="columns">Neurons per row of the sheet, at least 1.</param>
    /// <param name="scale">Each weight drawn as scale x scale pixels, 1 to 16.</param>
    /// <returns>An RGBA image.</returns>
    /// <exception cref="ArgumentException">W is not a matrix, or the image size does not multiply to its rows.</exception>
    public static PngImage WeightSheet(Tensor weights, int imageHeight = 28, int imageWidth = 28, int columns = 10, int scale = 3)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 16);
        if (weights.Rank != 2 || (long)imageHeight * imageWidth != weights.Rows)
        {
            throw new ArgumentException($"{weights.Describe()}: images of {imageHeight} x {imageWidth} = {(long)imageHeight * imageWidth} pixels do not match its {weights.Rows} inputs (rows).", nameof(weights));
        }

        int inputs = weights.Rows;
        ReadOnlySpan<float> w = weights.AsSpan();
        float[] magnitudes = [.. w.ToArray().Where(float.IsFinite).Select(MathF.Abs)];
        Array.Sort(magnitudes);
        float largest = magnitudes.Length == 0 ? 0f : magnitudes[(int)Math.Min(magnitudes.Length - 1, Math.Floor(magnitudes.Length * 0.99))];

        int neurons = weights.Columns, sheetColumns = Math.Min(columns, neurons), sheetRows = (neurons + sheetColumns - 1) / sheetColumns;
        int cellWidth = (imageWidth * scale) + 1, cellHeight = (imageHeight * scale) + 1;
        var sheet = new PngImage((sheetColumns * cellWidth) + 1, (sheetRows * cellHeight) + 1, PngFormat.Rgba);
        Fill(sheet, 128, 128, 128);
        for (int neuron = 0; neuron < neurons; neuron++)
        {
            int left = 1 + ((neuron % sheetColumns) * cellWidth), top = 1 + ((neuron / sheetColumns) * cellHeight);
            for (int pixel = 0; pixel < inputs; pixel++)
            {
                // W[pixel, neuron]: the weight from input pixel (row, column) into this neuron.
                (byte r, byte g, byte b) = Colors.Diverging(w[(pixel * neurons) + neuron], largest > 0f ? largest : 1f);
                FillBlock(sheet, left + ((pixel % imageWidth) * scale), top + ((pixel / imageWidth) * scale), scale, r, g, b);
            }
        }

        return sheet;
    }

    /// <summary>
    /// One sample as an image in the ink map of <see cref="Colors.Ink"/>: row-major values of
    /// <paramref name="imageHeight"/> x <paramref name="imageWidth"/>, each drawn as scale x scale pixels.
    /// </summary>
    /// <param name="pixels">The values, such as one row of <see cref="Dataset.GetImages"/>.</param>
    /// <param name="imageHeight">Rows.</param>
    /// <param name="imageWidth">Columns.</param>
    /// <param name="scale">Pixels per value, 1 to 16.</param>
    /// <returns>An RGBA image.</returns>
    /// <exception cref="ArgumentException">The number of values is not <paramref name="imageHeight"/> x <paramref name="imageWidth"/>.</exception>
    public static PngImage Digit(ReadOnlySpan<float> pixels, int imageHeight = 28, int imageWidth = 28, int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 16);
        if (pixels.Length != (long)imageHeight * imageWidth)
        {
            throw new ArgumentException($"{pixels.Length} values do not make an image of {imageHeight} x {imageWidth}.", nameof(pixels));
        }

        var image = new PngImage(imageWidth * scale, imageHeight * scale, PngFormat.Rgba);
        for (int i = 0; i < pixels.Length; i++)
        {
            (byte r, byte g, byte b) = Colors.Ink(pixels[i]);
            FillBlock(image, (i % imageWidth) * scale, (i / imageWidth) * scale, scale, r, g, b);
        }

        return image;
    }

    /// <summary>
    /// The first <paramref name="count"/> samples of a labelled image dataset in a grid, each with its
    /// label under it (SVG; the digits embedded as PNG and drawn with crisp pixels).
    /// </summary>
    /// <param name="data">A dataset with labels and a two-dimensional <see cref="Dataset.ImageShape"/>, such as MNIST.</param>
    /// <param name="count">How many samples, 1 or more (at most the dataset's count).</param>
    /// <param name="columns">Samples per row.</param>
    /// <param name="size">Drawn size of one image in pixels.</param>
    /// <returns>The picture.</returns>
    /// <exception cref="ArgumentException">The dataset has no labels or its images are not two-dimensional.</exception>
    public static SvgDocument DigitSheet(Dataset data, int count = 30, int columns = 10, double size = 56)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (!data.HasLabels || data.ImageShape.Count != 2)
        {
            throw new ArgumentException($"A digit sheet needs labelled images of two dimensions; this dataset has {(data.HasLabels ? "" : "no labels and ")}image shape [{string.Join(" x ", data.ImageShape)}].", nameof(data));
        }

        count = Math.Min(count, data.Count);
        int height = data.ImageShape[0], width = data.ImageShape[1], rows = (count + columns - 1) / columns;
        double cellWidth = size + 8, cellHeight = size + 24;
        var svg = new SvgDocument((Math.Min(count, columns) * cellWidth) + 8, (rows * cellHeight) + 8);
        svg.Rect(0, 0, svg.Width, svg.Height, "#fff");
        Tensor images = data.GetImages();
        ReadOnlySpan<byte> labels = data.Labels.Span;
        for (int i = 0; i < count; i++)
        {
            double left = 8 + ((i % columns) * cellWidth), top = 8 + ((i / columns) * cellHeight);
            svg.Image(left, top, size, size, Digit(images.Row(i), height, width))
               .Rect(left, top, size, size, "none", "#bbb")
               .Text(left + (size / 2), top + size + 15, labels[i].ToString(CultureInfo.InvariantCulture), 13, "middle", "#222");
        }

        return svg;
    }

    /// <summary>
    /// The first <paramref name="count"/> samples the model gets wrong, each with its true label, the
    /// predicted class and the three largest outputs as shares of all outputs (a / Σa; for a model
    /// ending in softmax these are its probabilities). Samples whose outputs are not finite count as
    /// wrong and say so.
    /// </summary>
    /// <param name="model">The trained model; its outputs are one per class.</param>
    /// <param name="data">Labelled two-dimensional images.</param>
    /// <param name="count">How many to show at most.</param>
    /// <param name="columns">Samples per row.</param>
    /// <param name="size">Drawn size of one image in pixels.</param>
    /// <returns>The picture; a one-line note when nothing is misclassified.</returns>
    public static SvgDocument MisclassifiedSheet(Sequential model, Dataset data, int count = 30, int columns = 6, double size = 56)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (!data.HasLabels || data.ImageShape.Count != 2)
        {
            throw new ArgumentException("A misclassified sheet needs labelled images of two dimensions.", nameof(data));
        }

        Tensor outputs = model.Predict(data.GetImages());
        if (outputs.Columns != data.ClassCount)
        {
            throw new ArgumentException($"The model gives {outputs.Columns} outputs per sample; the data has {data.ClassCount} classes.", nameof(model));
        }

        ReadOnlySpan<byte> labels = data.Labels.Span;
        var wrong = new List<(int Index, int Predicted, (int Class, double Share)[] Top)>();
        for (int i = 0; i < data.Count && wrong.Count < count; i++)
        {
            ReadOnlySpan<float> row = outputs.Row(i);
            bool finite = true;
            double sum = 0;
            foreach (float value in row)
            {
                finite &= float.IsFinite(value);
                sum += Math.Max(0, value);
            }

            int predicted = finite ? Evaluation.ArgMax(row) : -1;
            if (predicted == labels[i])
            {
                continue;
            }

            float[] values = row.ToArray();
            (int, double)[] top = finite
                ? [.. Enumerable.Range(0, values.Length).OrderByDescending(c => values[c]).Take(3).Select(c => (c, sum > 0 ? Math.Max(0, values[c]) / sum : 0))]
                : [];
            wrong.Add((i, predicted, top));
        }

        double cellWidth = size + 64, cellHeight = size + 58;
        int rows = Math.Max(1, (wrong.Count + columns - 1) / columns);
        var svg = new SvgDocument((Math.Max(1, Math.Min(wrong.Count, columns)) * cellWidth) + 8, (rows * cellHeight) + 8);
        svg.Rect(0, 0, svg.Width, svg.Height, "#fff");
        if (wrong.Count == 0)
        {
            return svg.Text(8, 24, "no misclassified sample", 12);
        }

        Tensor images = data.GetImages();
        int height = data.ImageShape[0], width = data.ImageShape[1];
        for (int k = 0; k < wrong.Count; k++)
        {
            (int index, int predicted, (int Class, double Share)[] top) = wrong[k];
            double left = 8 + ((k % columns) * cellWidth), top0 = 8 + ((k / columns) * cellHeight), middle = left + (cellWidth / 2) - 4;
            svg.Image(middle - (size / 2), top0, size, size, Digit(images.Row(index), height, width))
               .Text(middle, top0 + size + 13, predicted < 0
                   ? $"true {labels[index]}, outputs not finite"
                   : string.Create(CultureInfo.InvariantCulture, $"true {labels[index]}, predicted {predicted}"), 11, "middle", "#c0392b")
               .Text(middle, top0 + size + 27, string.Join("  ", top.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Class}: {t.Share:0.00}"))), 10, "middle", "#555");
        }

        return svg;
    }

    /// <summary>
    /// The curves of a run: mean training loss (left axis, linear or log) and, where the epochs were
    /// evaluated, accuracy in percent (right axis), per epoch; axes, ticks, labels and a legend. More
    /// accuracy curves (the training data's, a validation set's) come through <paramref name="moreAccuracies"/>.
    /// </summary>
    /// <param name="results">What <see cref="Trainer.Fit"/> returned, one result per epoch.</param>
    /// <param name="logLoss">True to draw the loss on a logarithmic axis (it must then be positive).</param>
    /// <param name="title">A title over the chart.</param>
    /// <param name="evaluationName">What the evaluation data is, for the legend, such as "test".</param>
    /// <param name="moreAccuracies">Further curves: a name and one accuracy (0 to 1) per epoch of <paramref name="results"/>.</param>
    /// <returns>The chart.</returns>
    /// <exception cref="ArgumentException">There are no results, a loss is not finite (or not positive with <paramref name="logLoss"/>), or a further curve has not one finite accuracy per epoch.</exception>
    public static SvgDocument TrainingCurves(
        IReadOnlyList<EpochResult> results, bool logLoss = false, string title = "Training", string evaluationName = "evaluation",
        IReadOnlyList<(string Name, IReadOnlyList<double> Accuracies)>? moreAccuracies = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(title);
        if (results.Count == 0)
        {
            throw new ArgumentException("There are no epochs to draw.", nameof(results));
        }

        double[] losses = [.. results.Select(r => r.MeanTrainingLoss)];
        for (int i = 0; i < losses.Length; i++)
        {
            if (!double.IsFinite(losses[i]) || (logLoss && losses[i] <= 0))
            {
                throw new ArgumentException($"Epoch {results[i].Epoch} has a mean training loss of {losses[i].ToString(CultureInfo.InvariantCulture)}, which cannot be drawn{(logLoss ? " on a log axis" : "")}.", nameof(results));
            }
        }

        const double Width = 640, Height = 360, Left = 64, Right = 64, Top = 40, Bottom = 48;
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        var svg = new SvgDocument(Width, Height).Rect(0, 0, Width, Height, "#fff");
        svg.Text(Width / 2, 22, title, 15, "middle");

        // x: epochs 1..n (a single epoch sits in the middle)
        int first = results[0].Epoch, last = results[^1].Epoch;
        double X(int epoch) => last == first ? Left + (plotWidth / 2) : Left + (plotWidth * (epoch - first) / (last - first));

        // left y: the loss, linear from 0 or log between decades
        double lossMin = logLoss ? Math.Pow(10, Math.Floor(Math.Log10(losses.Min()))) : 0;
        double lossMax = logLoss ? Math.Pow(10, Math.Ceiling(Math.Log10(losses.Max()))) : NiceCeiling(losses.Max());
        if (logLoss && lossMax <= lossMin)
        {
            lossMax = lossMin * 10;
        }

        double YLoss(double loss) => logLoss
            ? Top + (plotHeight * (1 - ((Math.Log10(loss) - Math.Log10(lossMin)) / (Math.Log10(lossMax) - Math.Log10(lossMin)))))
            : Top + (plotHeight * (1 - (loss / lossMax)));

        svg.Rect(Left, Top, plotWidth, plotHeight, "none", "#999");
        foreach (double tick in logLoss ? Decades(lossMin, lossMax) : [0, lossMax / 4, lossMax / 2, 3 * lossMax / 4, lossMax])
        {
            double y = YLoss(tick);
            svg.Line(Left - 4, y, Left, y, "#999").Line(Left, y, Left + plotWidth, y, "#eee")
               .Text(Left - 7, y + 4, tick.ToString(logLoss ? "0.###E+0" : "G3", CultureInfo.InvariantCulture), 11, "end", "#1f4e9a");
        }

        foreach (int epoch in EpochTicks(first, last))
        {
            svg.Line(X(epoch), Top + plotHeight, X(epoch), Top + plotHeight + 4, "#999")
               .Text(X(epoch), Top + plotHeight + 17, epoch.ToString(CultureInfo.InvariantCulture), 11, "middle");
        }

        svg.Text(Left + (plotWidth / 2), Height - 10, "epoch", 12, "middle")
           .Text(14, Top - 12, logLoss ? "mean training loss (log)" : "mean training loss", 12, "start", "#1f4e9a");
        svg.Polyline(results.Select(r => (X(r.Epoch), YLoss(r.MeanTrainingLoss))), "#1f4e9a", 2);

        // right y: accuracy in percent, where there is an evaluation
        ArgumentNullException.ThrowIfNull(evaluationName);
        var curves = new List<(string Name, (int Epoch, double Percent)[] Points)>();
        EpochResult[] evaluated = [.. results.Where(r => r.Evaluation is not null)];
        if (evaluated.Length > 0)
        {
            curves.Add((evaluationName, [.. evaluated.Select(r => (r.Epoch, r.Evaluation!.Accuracy * 100))]));
        }

        foreach ((string name, IReadOnlyList<double> accuracies) in moreAccuracies ?? [])
        {
            if (accuracies.Count != results.Count || accuracies.Any(a => !double.IsFinite(a)))
            {
                throw new ArgumentException($"The curve '{name}' needs one finite accuracy per epoch ({results.Count}); it has {accuracies.Count}.", nameof(moreAccuracies));
            }

            curves.Add((name, [.. results.Select((r, i) => (r.Epoch, accuracies[i] * 100))]));
        }

        string[] palette = ["#c0392b", "#27ae60", "#8e44ad", "#d35400"];
        if (curves.Count > 0)
        {
            double accuracyMin = Math.Floor(curves.SelectMany(c => c.Points).Min(p => p.Percent) / 10) * 10;
            accuracyMin = Math.Min(accuracyMin, 90);
            double YAccuracy(double percent) => Top + (plotHeight * (1 - ((percent - accuracyMin) / (100 - accuracyMin))));
            for (int k = 0; k <= 4; k++)
            {
                double percent = accuracyMin + ((100 - accuracyMin) * k / 4), y = YAccuracy(percent);
                svg.Line(Left + plotWidth, y, Left + plotWidth + 4, y, "#999")
                   .Text(Left + plotWidth + 7, y + 4, percent.ToString("0.#", CultureInfo.InvariantCulture) + "%", 11, "start", "#c0392b");
            }

            svg.Text(Width - 14, Top - 12, "accuracy", 12, "end", "#c0392b");
            for (int c = 0; c < curves.Count; c++)
            {
                string colour = palette[c % palette.Length];
                svg.Polyline(curves[c].Points.Select(p => (X(p.Epoch), YAccuracy(p.Percent))), colour, 2);
                foreach ((int epoch, double percent) in curves[c].Points)
                {
                    svg.Circle(X(epoch), YAccuracy(percent), 2.5, colour);
                }
            }
        }

        // legend
        svg.Line(Left + 10, Top + 14, Left + 30, Top + 14, "#1f4e9a", 2).Text(Left + 36, Top + 18, "loss", 11);
        for (int c = 0; c < curves.Count; c++)
        {
            double x = Left + 90 + (c * 130);
            svg.Line(x, Top + 14, x + 20, Top + 14, palette[c % palette.Length], 2).Text(x + 26, Top + 18, $"{curves[c].Name} accuracy", 11);
        }

        return svg;
    }

    /// <summary>
    /// The confusion matrix as a heat map: row = actual class, column = predicted class, each cell
    /// shaded by its share of the row and labelled with its count; the diagonal (correct) in green,
    /// the rest in red; each row's accuracy at its end.
    /// </summary>
    /// <param name="evaluation">What <see cref="Evaluation.Of"/> returned.</param>
    /// <param name="classNames">Names for the classes (such as "0".."9"); null for their numbers.</param>
    /// <returns>The picture.</returns>
    /// <exception cref="ArgumentException"><paramref name="classNames"/> does not have one name per class.</exception>
    public static SvgDocument ConfusionMatrix(Evaluation evaluation, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        int n = evaluation.ClassCount;
        if (classNames is not null && classNames.Count != n)
        {
            throw new ArgumentException($"{classNames.Count} class names for {n} classes.", nameof(classNames));
        }

        string Name(int c) => classNames?[c] ?? c.ToString(CultureInfo.InvariantCulture);
        const double Cell = 44, Left = 70, Top = 60;
        double[] perClass = evaluation.PerClassAccuracy();
        var svg = new SvgDocument(Left + (n * Cell) + 80, Top + (n * Cell) + 20).Rect(0, 0, Left + (n * Cell) + 80, Top + (n * Cell) + 20, "#fff");
        svg.Text(Left + (n * Cell / 2), 18, "predicted class", 13, "middle").Text(12, Top - 8, "actual", 13);
        for (int actual = 0; actual < n; actual++)
        {
            int rowTotal = 0;
            for (int predicted = 0; predicted < n; predicted++)
            {
                rowTotal += evaluation[actual, predicted];
            }

            svg.Text(Left - 10, Top + (actual * Cell) + (Cell / 2) + 4, Name(actual), 12, "end");
            for (int predicted = 0; predicted < n; predicted++)
            {
                int count = evaluation[actual, predicted];
                double share = rowTotal == 0 ? 0 : (double)count / rowTotal;
                // green for the diagonal, red elsewhere; the share of the row sets how dark
                (int r, int g, int b) = actual == predicted ? (39, 174, 96) : (192, 57, 43);
                double t = actual == predicted ? share : Math.Min(1, share * 4); // errors are rare: stretched to show
                string fill = string.Create(CultureInfo.InvariantCulture, $"rgb({Shade(r, t)},{Shade(g, t)},{Shade(b, t)})");
                double x = Left + (predicted * Cell), y = Top + (actual * Cell);
                svg.Rect(x, y, Cell, Cell, fill, "#ddd")
                   .Text(x + (Cell / 2), y + (Cell / 2) + 4, count.ToString(CultureInfo.InvariantCulture), 11, "middle", t > 0.6 ? "#fff" : "#222");
            }

            string accuracy = double.IsNaN(perClass[actual]) ? "-" : (perClass[actual] * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
            svg.Text(Left + (n * Cell) + 8, Top + (actual * Cell) + (Cell / 2) + 4, accuracy, 11);
        }

        for (int predicted = 0; predicted < n; predicted++)
        {
            svg.Text(Left + (predicted * Cell) + (Cell / 2), Top - 8, Name(predicted), 12, "middle");
        }

        return svg;
    }

    /// <summary>
    /// A small network drawn as the post draws it: inputs on the left, one column of neurons per layer
    /// with weights (a layer whose parameters are W [inputs x neurons] and b [neurons], as Dense's),
    /// every edge labelled with its weight and every neuron with its bias; edges coloured by sign and
    /// thickened by size. With <paramref name="gradients"/>, the labels are dL/dw and dL/db of the last
    /// backward pass instead, the numbers one step of gradient descent moves.
    /// </summary>
    /// <param name="model">A model of at most 10 neurons per layer, such as the post's 2-2-1.</param>
    /// <param name="inputNames">Names of the inputs (such as "weight", "height"); null for x1, x2, ...</param>
    /// <param name="gradients">True to label with the gradients instead of the values.</param>
    /// <returns>The picture.</returns>
    /// <exception cref="ArgumentException">The model has no layer with weights, a layer is too wide to draw, or the names do not fit.</exception>
    public static SvgDocument NetworkFigure(Sequential model, IReadOnlyList<string>? inputNames = null, bool gradients = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new List<(Layer Layer, Tensor W, Tensor B)>();
        foreach (Layer layer in model.Layers)
        {
            IReadOnlyList<Parameter> p = layer.Parameters;
            if (p.Count == 2 && p[0].Value.Rank == 2 && p[1].Value.Rank == 1 && p[1].Value.Columns == p[0].Value.Columns)
            {
                layers.Add((layer, gradients ? p[0].Gradient : p[0].Value, gradients ? p[1].Gradient : p[1].Value));
            }
        }

        if (layers.Count == 0)
        {
            throw new ArgumentException($"{model} has no layer with a weight matrix and a bias vector to draw.", nameof(model));
        }

        int inputs = layers[0].W.Rows;
        if (inputNames is not null && inputNames.Count != inputs)
        {
            throw new ArgumentException($"{inputNames.Count} input names for {inputs} inputs.", nameof(inputNames));
        }

        int[] widths = [inputs, .. layers.Select(l => l.W.Columns)];
        if (widths.Max() > 10)
        {
            throw new ArgumentException($"A layer of {widths.Max()} neurons is too wide to draw; this figure is for small networks like the post's 2-2-1.", nameof(model));
        }

        const double ColumnGap = 220, RowGap = 110, Radius = 26, Margin = 70;
        double height = (widths.Max() * RowGap) + 40, width = (2 * Margin) + ((widths.Length - 1) * ColumnGap);
        (double X, double Y) Node(int column, int row) => (Margin + (column * ColumnGap), 40 + ((height - 40) * (row + 0.5) / widths[column]));
        var svg = new SvgDocument(width, height + 20).Rect(0, 0, width, height + 20, "#fff");
        svg.Text(width / 2, 22, gradients ? "gradients of the last backward pass: dL/dw on the edges, dL/db in the neurons" : "weights on the edges, biases in the neurons", 13, "middle", "#444");

        float largest = 1e-12f;
        foreach ((_, Tensor w, _) in layers)
        {
            foreach (float value in w.AsSpan())
            {
                largest = float.IsFinite(value) ? Math.Max(largest, MathF.Abs(value)) : largest;
            }
        }

        for (int l = 0; l < layers.Count; l++)
        {
            Tensor w = layers[l].W;
            for (int i = 0; i < w.Rows; i++)
            {
                for (int j = 0; j < w.Columns; j++)
                {
                    (double x1, double y1) = Node(l, i);
                    (double x2, double y2) = Node(l + 1, j);
                    float value = w[i, j];
                    (byte r, byte g, byte b) = Colors.Diverging(value, largest);
                    string colour = string.Create(CultureInfo.InvariantCulture, $"rgb({r},{g},{b})");
                    double thickness = 1 + (3 * Math.Min(1, MathF.Abs(value) / largest));
                    svg.Line(x1 + Radius, y1, x2 - Radius, y2, colour, float.IsFinite(value) ? thickness : 1);
                    // the label a third of the way along, where edges into the same neuron part
                    double t = 0.2 + (0.5 * j / Math.Max(1, w.Columns - 1));
                    svg.Text(x1 + Radius + ((x2 - x1 - (2 * Radius)) * t), y1 + ((y2 - y1) * t) - 4, Format(value), 11, "middle", "#333");
                }
            }
        }

        for (int column = 0; column < widths.Length; column++)
        {
            for (int row = 0; row < widths[column]; row++)
            {
                (double x, double y) = Node(column, row);
                string name = column == 0
                    ? inputNames?[row] ?? $"x{row + 1}"
                    : layers.Count == column && widths[column] == 1 ? "o1" : $"{(column == widths.Length - 1 ? "o" : "h")}{row + 1}";
                svg.Circle(x, y, Radius, column == 0 ? "#f4f4f4" : "#fdf6e3", "#555").Text(x, column == 0 ? y + 4 : y - 3, name, 12, "middle");
                if (column > 0)
                {
                    svg.Text(x, y + 13, "b " + Format(layers[column - 1].B[row]), 10, "middle", "#555");
                }
            }
        }

        return svg;
    }

    private static string Format(float value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static int Shade(int channel, double amount) => (int)Math.Round(255 + ((channel - 255) * Math.Clamp(amount, 0, 1)));

    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static IEnumerable<double> Decades(double from, double to)
    {
        for (double d = from; d <= to * 1.0001; d *= 10)
        {
            yield return d;
        }
    }

    private static IEnumerable<int> EpochTicks(int first, int last)
    {
        int span = last - first, step = Math.Max(1, (int)Math.Ceiling(span / 10.0));
        for (int epoch = first; epoch <= last; epoch += step)
        {
            yield return epoch;
        }
    }

    private static void Fill(PngImage image, byte r, byte g, byte b)
    {
        Span<byte> pixels = image.Pixels;
        for (int i = 0; i < pixels.Length; i += 4)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
            pixels[i + 3] = 255;
        }
    }

    private static void FillBlock(PngImage image, int left, int top, int size, byte r, byte g, byte b)
    {
        for (int y = top; y < top + size; y++)
        {
            for (int x = left; x < left + size; x++)
            {
                image.SetRgba(x, y, r, g, b);
            }
        }
    }
}
