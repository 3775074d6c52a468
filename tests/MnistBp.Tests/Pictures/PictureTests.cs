// The picture writers, checked from outside: every PNG is decoded by an independent decoder
// (decode_png.py beside this file: Python's zlib and struct) and compared pixel for pixel; every
// SVG is parsed as XML. The CRC-32 is checked against the standard check value.
using System.Text.Json;
using System.Xml.Linq;
using MnistBp.Data;
using MnistBp.Pictures;

namespace MnistBp.Tests;

public class PictureTests
{
    private static string Decoder => Path.Combine(TestPaths.RepositoryRoot, "tests", "MnistBp.Tests", "Pictures", "decode_png.py");

    /// <summary>Runs the independent decoder on a file: its exit code, standard output and standard error; ignores the test where no Python 3 runs (a bare machine), fails under MNISTBP_CI=1.</summary>
    private static (int ExitCode, string Output, string Error) RunDecoder(string path) =>
        PythonTool.Run(Decoder, [path], "decode PNGs independently");

    /// <summary>Decodes <paramref name="png"/> with the independent decoder, which must accept it.</summary>
    private static JsonElement Decode(byte[] png)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mnistbp-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, png);
        try
        {
            (int exitCode, string output, string error) = RunDecoder(path);
            Assert.That(exitCode, Is.Zero, $"the independent decoder refused the PNG: {error}");
            return JsonDocument.Parse(output).RootElement;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Crc32_gives_the_standard_check_value() =>
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u)); // the check value of CRC-32/ISO-HDLC

    [Test]
    public void A_grey_PNG_decodes_to_its_pixels_in_an_independent_decoder([Values(1, 3, 28, 280)] int size)
    {
        var image = new PngImage(size, size + 1, PngFormat.Grey);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                image.SetGrey(x, y, (byte)((x * 7) + (y * 13)));
            }
        }

        JsonElement decoded = Decode(image.ToPng());
        Assert.That(decoded.GetProperty("width").GetInt32(), Is.EqualTo(size));
        Assert.That(decoded.GetProperty("height").GetInt32(), Is.EqualTo(size + 1));
        Assert.That(decoded.GetProperty("colour_type").GetInt32(), Is.Zero);
        Assert.That(decoded.GetProperty("chunks").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "IHDR", "IDAT", "IEND" }));
        Assert.That(Convert.FromHexString(decoded.GetProperty("pixels").GetString()!), Is.EqualTo(image.Pixels.ToArray()));
    }

    [Test]
    public void An_RGBA_PNG_decodes_to_its_pixels_in_an_independent_decoder()
    {
        var image = new PngImage(5, 3, PngFormat.Rgba);
        var random = new DeterministicRandom(3);
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 5; x++)
            {
                image.SetRgba(x, y, (byte)random.NextInt(256), (byte)random.NextInt(256), (byte)random.NextInt(256), (byte)(x * 60));
            }
        }

        JsonElement decoded = Decode(image.ToPng());
        Assert.That(decoded.GetProperty("colour_type").GetInt32(), Is.EqualTo(6));
        Assert.That(Convert.FromHexString(decoded.GetProperty("pixels").GetString()!), Is.EqualTo(image.Pixels.ToArray()));
    }

    [Test]
    public void The_decoder_refuses_a_damaged_PNG()
    {
        // The check can fail: one flipped bit in the pixel data breaks the chunk's CRC.
        byte[] png = new PngImage(4, 4, PngFormat.Grey).ToPng();
        png[^20] ^= 1;
        string path = Path.Combine(Path.GetTempPath(), $"mnistbp-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, png);
        try
        {
            (int exitCode, _, string error) = RunDecoder(path);
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(error, Does.Contain("CRC mismatch"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Bad_sizes_and_pixels_outside_the_image_are_refused_by_name()
    {
        Assert.That(() => new PngImage(0, 5, PngFormat.Grey), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("width"));
        Assert.That(() => new PngImage(5, PngImage.MaxSize + 1, PngFormat.Grey), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("height"));
        var image = new PngImage(3, 2, PngFormat.Grey);
        Assert.That(() => image.SetGrey(3, 0, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("x"));
        Assert.That(() => image.SetGrey(0, -1, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("y"));
        Assert.That(() => image.SetRgba(0, 0, 1, 2, 3), Throws.InvalidOperationException);
    }

    [Test]
    public void An_SVG_parses_as_XML_with_its_text_escaped()
    {
        var svg = new SvgDocument(200, 100)
            .Rect(0, 0, 200, 100, "#fff")
            .Line(10, 90, 190, 90, "#333")
            .Polyline([(10, 80), (100, 40.5), (190, 10.25)], "steelblue")
            .Circle(100, 40.5, 2, "steelblue")
            .Text(100, 20, "loss < 0.1 & \"accuracy\" > 98% 'ok' — ü", anchor: "middle");

        XDocument document = XDocument.Parse(svg.ToString());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(document.Root!.Name, Is.EqualTo(ns + "svg"));
        Assert.That(document.Root.Attribute("viewBox")!.Value, Is.EqualTo("0 0 200 100"));
        Assert.That(document.Root.Element(ns + "text")!.Value, Is.EqualTo("loss < 0.1 & \"accuracy\" > 98% 'ok' — ü"));
        Assert.That(document.Root.Element(ns + "polyline")!.Attribute("points")!.Value, Is.EqualTo("10,80 100,40.5 190,10.25"));
        Assert.That(document.Root.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "rect", "line", "polyline", "circle", "text" }));
    }

    [Test]
    public void An_SVG_refuses_what_would_make_it_invalid()
    {
        var svg = new SvgDocument(10, 10);
        Assert.That(() => svg.Text(1, 1, "bell \u0007"), Throws.ArgumentException.With.Property("ParamName").EqualTo("text").And.Message.Contains("U+0007"));
        Assert.That(() => svg.Line(double.NaN, 0, 1, 1), Throws.ArgumentException.With.Message.Contains("finite"));
        Assert.That(() => svg.Text(1, 1, "x", anchor: "left"), Throws.ArgumentException.With.Property("ParamName").EqualTo("anchor"));
        Assert.That(() => svg.Rect(0, 0, 1, 1, "red\u0001"), Throws.ArgumentException.With.Property("ParamName").EqualTo("fill"));
        Assert.That(() => new SvgDocument(0, 10), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(XDocument.Parse(svg.ToString()).Root!.Elements(), Is.Empty, "nothing half-written was added");
    }

    [Test]
    public void A_weight_sheet_shows_each_neurons_weights_in_the_diverging_map()
    {
        // 4 inputs as 2 x 2 images, 3 neurons: W[pixel, neuron].
        var layer = new Dense(4, 3, "h");
        float[] w = [1f, -1f, 0f, 0.5f, 0f, -0.5f, 0f, 2f, 1f, -2f, 0.25f, 1f];
        w.CopyTo(layer.Weights.Value.AsSpan());
        PngImage sheet = Pictures.Pictures.WeightSheet(layer.Weights.Value, imageHeight: 2, imageWidth: 2, columns: 3, scale: 2);

        Assert.That((sheet.Width, sheet.Height), Is.EqualTo(((3 * ((2 * 2) + 1)) + 1, (2 * 2) + 1 + 1)));
        byte[] pixels = Convert.FromHexString(Decode(sheet.ToPng()).GetProperty("pixels").GetString()!);
        (byte R, byte G, byte B) At(int x, int y) => (pixels[((y * sheet.Width) + x) * 4], pixels[(((y * sheet.Width) + x) * 4) + 1], pixels[(((y * sheet.Width) + x) * 4) + 2]);

        // the 99th percentile of |w| over 12 weights is the largest, 2
        Assert.That(At(0, 0), Is.EqualTo(((byte)128, (byte)128, (byte)128)), "the grey frame");
        Assert.That(At(1, 1), Is.EqualTo(Colors.Diverging(1f, 2f)), "neuron 0, pixel (0, 0): W[0, 0] = 1");
        Assert.That(At(6, 1), Is.EqualTo(Colors.Diverging(-1f, 2f)), "neuron 1, pixel (0, 0): W[0, 1] = -1");
        Assert.That(At(14, 4), Is.EqualTo(Colors.Diverging(1f, 2f)), "neuron 2, pixel (1, 1): W[3, 2] = 1");
        Assert.That(At(8, 3), Is.EqualTo(Colors.Diverging(0.25f, 2f)), "neuron 1, pixel (1, 1): W[3, 1] = 0.25");
        Assert.That(At(11, 3), Is.EqualTo(Colors.Diverging(1f, 2f)), "neuron 2, pixel (1, 0) of row 1: W[2, 2] = 1");
        Assert.That(Colors.Diverging(0f, 1f), Is.EqualTo(((byte)255, (byte)255, (byte)255)), "zero is white");
        Assert.That(Colors.Diverging(float.NaN, 1f), Is.EqualTo(((byte)255, (byte)0, (byte)255)), "NaN cannot hide");
        Assert.That(() => Pictures.Pictures.WeightSheet(layer.Weights.Value, 3, 3), Throws.ArgumentException.With.Message.Contains("do not match its 4 inputs"));
    }

    [Test]
    public void A_digit_sheet_shows_the_first_digits_with_their_labels()
    {
        Dataset test = Dataset.FromIdx(
            Path.Combine(TestPaths.MnistSlice, "t10k-images-idx3-ubyte.gz"), Path.Combine(TestPaths.MnistSlice, "t10k-labels-idx1-ubyte.gz"), 10);
        XDocument document = XDocument.Parse(Pictures.Pictures.DigitSheet(test, count: 12, columns: 6).ToString());
        XNamespace ns = "http://www.w3.org/2000/svg";
        string[] labels = [.. document.Root!.Elements(ns + "text").Select(t => t.Value)];
        Assert.That(labels, Is.EqualTo(test.Labels.Span[..12].ToArray().Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.That(labels[..3], Is.EqualTo(new[] { "7", "2", "1" }), "the first MNIST test digits");

        // The first digit, embedded as PNG, decodes to the dataset's pixels in the ink map.
        string href = document.Root.Elements(ns + "image").First().Attribute("href")!.Value;
        byte[] pixels = Convert.FromHexString(Decode(Convert.FromBase64String(href["data:image/png;base64,".Length..])).GetProperty("pixels").GetString()!);
        ReadOnlySpan<float> first = test.GetImages().Row(0);
        for (int i = 0; i < 784; i++)
        {
            Assert.That(pixels[i * 4], Is.EqualTo(Colors.Ink(first[i]).R), $"pixel {i}");
        }
    }

    [Test]
    public void Training_curves_and_the_confusion_matrix_are_well_formed_SVG_with_their_numbers()
    {
        var random = new DeterministicRandom(4);
        Tensor features = new(60, 2);
        byte[] labels = new byte[60];
        for (int i = 0; i < 60; i++)
        {
            labels[i] = (byte)(i % 3);
            features[i, 0] = labels[i] + (0.1f * (float)random.NextGaussian());
            features[i, 1] = -labels[i] + (0.1f * (float)random.NextGaussian());
        }

        Dataset data = Dataset.FromFeatures(features, labels, 3);
        var model = new Sequential(new Dense(2, 3, WeightInit.ScaledNormal, random, "d"), new Sigmoid("s"));
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
        IReadOnlyList<EpochResult> results = trainer.Fit(data, new TrainingOptions { Epochs = 4, BatchSize = 5, ShuffleSeed = 1 }, data);
        XNamespace ns = "http://www.w3.org/2000/svg";

        foreach (bool log in new[] { false, true })
        {
            XDocument curves = XDocument.Parse(Pictures.Pictures.TrainingCurves(results, logLoss: log, evaluationName: "test", moreAccuracies: [("training", [0.5, 0.6, 0.7, 0.8])]).ToString());
            XElement[] lines = [.. curves.Root!.Elements(ns + "polyline")];
            Assert.That(lines, Has.Length.EqualTo(3), "loss, test accuracy and training accuracy");
            Assert.That(curves.Root.Elements(ns + "text").Select(t => t.Value), Does.Contain("test accuracy").And.Contain("training accuracy"));
            Assert.That(lines[0].Attribute("points")!.Value.Split(' '), Has.Length.EqualTo(4), "one point per epoch");
            Assert.That(curves.Root.Elements(ns + "text").Select(t => t.Value), Does.Contain("epoch").And.Contain("accuracy"));
        }

        Evaluation evaluation = results[^1].Evaluation!;
        XDocument matrix = XDocument.Parse(Pictures.Pictures.ConfusionMatrix(evaluation).ToString());
        string[] texts = [.. matrix.Root!.Elements(ns + "text").Select(t => t.Value)];
        for (int actual = 0; actual < 3; actual++)
        {
            for (int predicted = 0; predicted < 3; predicted++)
            {
                Assert.That(texts, Does.Contain(evaluation[actual, predicted].ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        Assert.That(() => Pictures.Pictures.TrainingCurves([]), Throws.ArgumentException);
        Assert.That(() => Pictures.Pictures.TrainingCurves(results, moreAccuracies: [("short", [0.5])]), Throws.ArgumentException.With.Message.Contains("one finite accuracy per epoch (4)"));
        Dataset digits = Dataset.FromIdx(
            Path.Combine(TestPaths.MnistSlice, "t10k-images-idx3-ubyte.gz"), Path.Combine(TestPaths.MnistSlice, "t10k-labels-idx1-ubyte.gz"), 10).Slice(0, 50);
        XDocument misclassified = XDocument.Parse(Pictures.Pictures.MisclassifiedSheet(UntrainedDigitModel(), digits, count: 5).ToString());
        Assert.That(misclassified.Root!.Elements(ns + "image").Count(), Is.EqualTo(5), "an untrained model gets at least 5 of 50 wrong");
        Assert.That(misclassified.Root.Elements(ns + "text").Select(t => t.Value), Has.Some.StartsWith("true "));
        Assert.That(() => Pictures.Pictures.ConfusionMatrix(evaluation, ["a", "b"]), Throws.ArgumentException.With.Message.Contains("2 class names for 3 classes"));
    }

    [Test]
    public void The_network_figure_labels_every_weight_and_bias_of_the_posts_network()
    {
        Sequential model = MnistBp.Samples.NetworkFromLayers.LayersNetwork.Build(new MnistBp.Samples.TutorialNetwork.OurNeuralNetwork(42).CurrentWeights);
        XNamespace ns = "http://www.w3.org/2000/svg";
        XDocument figure = XDocument.Parse(Pictures.Pictures.NetworkFigure(model, ["weight", "height"]).ToString());
        string[] texts = [.. figure.Root!.Elements(ns + "text").Select(t => t.Value)];
        foreach (Parameter parameter in model.Parameters)
        {
            foreach (float value in parameter.Value.AsSpan())
            {
                string label = value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(texts.Any(t => t == label || t == "b " + label), Is.True, $"{parameter.Name} value {label} is on the figure");
            }
        }

        Assert.That(figure.Root.Elements(ns + "line").Count(), Is.EqualTo(6), "w1..w6");
        Assert.That(figure.Root.Elements(ns + "circle").Count(), Is.EqualTo(5), "2 inputs, h1, h2, o1");
        Assert.That(texts, Does.Contain("weight").And.Contain("o1"));
        Assert.That(() => Pictures.Pictures.NetworkFigure(model, ["just one"]), Throws.ArgumentException.With.Message.Contains("1 input names for 2 inputs"));
    }

    [Test]
    public void A_report_on_images_that_are_not_28_by_28_draws_and_names_their_shape()
    {
        // 4 rows x 6 columns, 3 classes: the weights sheet and its caption come from the data, not from MNIST.
        const int Rows = 4, Columns = 6, Classes = 3, Count = 30, Hidden = 5;
        byte[] pixels = new byte[Count * Rows * Columns], labels = new byte[Count];
        for (int i = 0; i < Count; i++)
        {
            labels[i] = (byte)(i % Classes);
            for (int j = 0; j < Rows * Columns; j++)
            {
                pixels[(i * Rows * Columns) + j] = (byte)(j % Classes == labels[i] ? 220 : 20);
            }
        }

        Dataset data = Dataset.FromIdx(new IdxArray([Count, Rows, Columns], pixels, "images"), new IdxArray([Count], labels, "labels"), Classes);
        var random = new DeterministicRandom(4);
        var model = new Sequential(new Dense(Rows * Columns, Hidden, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("h"), new Dense(Hidden, Classes, WeightInit.ScaledNormal, random, "output"));
        IReadOnlyList<EpochResult> results = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.Parameters, 0.5f)).Fit(data, new TrainingOptions { Epochs = 2, BatchSize = 10, ShuffleSeed = 1 }, data);
        string folder = Path.Combine(Path.GetTempPath(), $"mnistbp-report-{Guid.NewGuid():N}");
        try
        {
            string page = File.ReadAllText(TrainingReport.Write(new TrainingRun("4 x 6 images", [("classes", "3")], results, model, data), folder));
            Assert.That(page, Does.Contain("Each hidden neuron&#39;s 24 incoming weights as a 6&#215;4 image"), "the caption: width × height of the data's images");
            // Five tiles in a row, each 6 x 3 + 1 pixels wide and 4 x 3 + 1 high, and a 1-pixel border: 96 x 14 (swapped, 66 x 20).
            JsonElement sheet = Decode(File.ReadAllBytes(Path.Combine(folder, "weights.png")));
            Assert.That((sheet.GetProperty("width").GetInt32(), sheet.GetProperty("height").GetInt32()), Is.EqualTo((96, 14)), "weights.png, decoded independently");
            Assert.That(page, Does.Not.Contain("No picture of the hidden weights"));

            // A first layer without parameters: no weights.png, and the page says why.
            var shifted = new Sequential(new Relu("first"), model.Layers[0], model.Layers[1], model.Layers[2]);
            string other = Path.Combine(folder, "other");
            string second = File.ReadAllText(TrainingReport.Write(new TrainingRun("4 x 6 images", [("classes", "3")], results, shifted, data), other));
            Assert.That(File.Exists(Path.Combine(other, "weights.png")), Is.False);
            Assert.That(second, Does.Contain("No picture of the hidden weights: it needs a first layer whose first parameter is a [pixels x neurons] matrix over 2-D images " +
                "(a Dense layer&#39;s W, 24 pixels here), but the first layer, Relu &#39;first&#39;, has no parameters."));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static Sequential UntrainedDigitModel() =>
        new(new Dense(784, 10, WeightInit.ScaledNormal, new DeterministicRandom(2), "d"), new Sigmoid("s"));
}
