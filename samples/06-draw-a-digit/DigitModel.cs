// DigitModel: the trained network the page shows, loaded once at start and never changed (a visitor
// who teaches it gets a copy, see VisitorModels). It finds what the page needs through the public API
// only (Layer.Kind, Parameters, GetOutputSize, Predict), never by asking for a concrete layer type:
// the input is a square image; the "hidden" activations are the input of the second layer that has
// parameters (the first hidden layer's output); a hidden neuron's incoming weights are column j of the
// first such layer's first parameter when that is an [inputSize x hidden] matrix. Dropout layers (by
// Kind) are left out: at inference they are the identity. It assumes no number of classes.
using MnistBp;

namespace MnistBp.Samples.DrawADigit;

/// <summary>The shared, read-only model with the roles of its layers.</summary>
internal sealed class DigitModel
{
    /// <summary>The shipped model file, relative to the app's folder.</summary>
    public const string ShippedFile = "Model/784-100-10.mnbp";

    /// <summary>The Kind of the library's Dropout layer.</summary>
    private const string DropoutKind = "Dropout";

    /// <summary>What the shipped model is, for the console and the page.</summary>
    public const string ShippedDescription = "the model shipped with the sample: 784-100-10 sigmoid, trained by sample 04 " +
        "(--hidden 100 --epochs 10, quadratic cost, learn rate 3, batch 10, seed 1), 97.80% on the 10,000 MNIST test images";

    private DigitModel(Sequential model, string source)
    {
        Model = model;
        Source = source;
        Reading = OutputReading.For(model);

        Layer first = model.Layers[0];
        InputSize = first.FixedInputSize ?? throw new NotSupportedException($"The model's first layer ({first}) takes any width; the page needs a layer that fixes the input size, such as a Dense.");
        ImageSide = (int)Math.Round(Math.Sqrt(InputSize));
        if (ImageSide * ImageSide != InputSize)
        {
            throw new NotSupportedException($"The model takes {InputSize} inputs per sample, which is not a square image; the page draws square images (28 x 28 = 784 for MNIST).");
        }

        // The width after every layer: LayerWidths[i] is the output width of layer i.
        LayerWidths = new int[model.Layers.Count];
        int width = InputSize;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            width = model.Layers[i].GetOutputSize(width);
            LayerWidths[i] = width;
        }

        OutputSize = width;
        FirstParameterLayer = IndexOfLayerWithParameters(model, fromEnd: false);
        LastParameterLayer = IndexOfLayerWithParameters(model, fromEnd: true);

        // The hidden activations: what the second layer with parameters reads, the output of the first hidden layer
        // after its activation (none for a single-layer model). Its neurons are the columns of the first layer's W.
        int second = -1;
        for (int i = FirstParameterLayer + 1; i < model.Layers.Count && second < 0; i++)
        {
            second = model.Layers[i].Parameters.Count > 0 ? i : -1;
        }

        HiddenLayer = second > 0 ? second - 1 : -1;
        HiddenSize = HiddenLayer >= 0 ? LayerWidths[HiddenLayer] : 0;

        // W of the first layer with parameters, [inputSize x hidden]: column j is neuron j's incoming weights.
        if (HiddenLayer >= 0 && model.Layers[FirstParameterLayer].Parameters[0].Value is { Rank: 2 } weights
            && weights.Rows == InputSize && weights.Columns == HiddenSize && LayerWidths[FirstParameterLayer] == HiddenSize)
        {
            HasNeuronImages = true;
        }
    }

    /// <summary>The trained model; nothing in the app changes it.</summary>
    public Sequential Model { get; }

    /// <summary>Where the model came from, for the console and the page.</summary>
    public string Source { get; }

    /// <summary>How the outputs are read and which loss teaches it.</summary>
    public OutputReading Reading { get; }

    /// <summary>Inputs per sample: the pixels of one image.</summary>
    public int InputSize { get; }

    /// <summary>The side of the square image, 28 for MNIST.</summary>
    public int ImageSide { get; }

    /// <summary>Outputs per sample: the number of classes, read from the model.</summary>
    public int OutputSize { get; }

    /// <summary>The output width of each layer, in forward order.</summary>
    public int[] LayerWidths { get; }

    /// <summary>The index of the first layer that has parameters (the hidden Dense of 784-100-10).</summary>
    public int FirstParameterLayer { get; }

    /// <summary>The index of the last layer that has parameters (the output Dense of 784-100-10).</summary>
    public int LastParameterLayer { get; }

    /// <summary>The layer whose output is shown as the hidden activations, or -1 when there is none.</summary>
    public int HiddenLayer { get; }

    /// <summary>The number of hidden activations (0 when there is no hidden layer).</summary>
    public int HiddenSize { get; }

    /// <summary>Whether each hidden neuron's incoming weights can be shown as an image.</summary>
    public bool HasNeuronImages { get; }

    /// <summary>Loads the model named by <paramref name="path"/>, or the shipped one when it is null or empty.</summary>
    /// <param name="path">A model file saved by sample 04 (--save FILE), or null.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid model.</exception>
    /// <exception cref="NotSupportedException">The model is not one the page can show (the message says why).</exception>
    public static DigitModel Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            string shipped = Path.Combine(AppContext.BaseDirectory, ShippedFile);
            return From(ModelFile.Load(shipped), ShippedDescription);
        }

        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"--model {path}: there is no such file ({full}). Train and save one with: dotnet run -c Release --project samples/04-mnist -- --save FILE", full);
        }

        return From(ModelFile.Load(full), $"--model {full}");
    }

    /// <summary>Wraps a model already in memory (tests, and a model trained at start).</summary>
    /// <param name="model">The model; it must not be changed afterwards.</param>
    /// <param name="source">Where it came from, for the page.</param>
    public static DigitModel From(Sequential model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Layers.Count == 0)
        {
            throw new NotSupportedException("The model has no layers.");
        }

        // Inverted dropout is the identity at inference, which is all the page shows, and "teach it" must step the
        // network the page shows, not a randomly thinned one: the page's model is the same layers without them.
        if (model.Layers.Any(layer => layer.Kind == DropoutKind))
        {
            model = new Sequential([.. model.Layers.Where(layer => layer.Kind != DropoutKind)]);
            source += " (its dropout layers left out: at inference they pass their input through)";
        }

        return new DigitModel(model, source);
    }

    /// <summary>
    /// The forward pass of one sample with every layer's output kept: the same Layer.Predict calls,
    /// in the same order, as <see cref="Sequential.Predict(ReadOnlySpan{float}, Span{float}, int)"/> makes,
    /// so the last entry is exactly the library's prediction. Safe from many threads on an unchanging model.
    /// </summary>
    /// <param name="model">The shared model or a visitor's copy of it.</param>
    /// <param name="pixels">The sample, <see cref="InputSize"/> values.</param>
    /// <returns>The output of each layer, in forward order.</returns>
    public float[][] Activations(Sequential model, ReadOnlySpan<float> pixels)
    {
        var outputs = new float[model.Layers.Count][];
        ReadOnlySpan<float> current = pixels;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            outputs[i] = new float[LayerWidths[i]];
            // A = f(A of the layer before): each layer's own inference, nothing cached
            model.Layers[i].Predict(current, outputs[i], batchSize: 1);
            current = outputs[i];
        }

        return outputs;
    }

    /// <summary>Like <c>784-100-10: Dense 'hidden' 784 -> 100, Sigmoid 'hidden sigmoid', ...</c>.</summary>
    public string Describe() =>
        $"{InputSize}-{string.Join("-", LayerWidths.Where((_, i) => Model.Layers[i].Parameters.Count > 0))}: {string.Join(", ", Model.Layers)}";

    private static int IndexOfLayerWithParameters(Sequential model, bool fromEnd)
    {
        for (int k = 0; k < model.Layers.Count; k++)
        {
            int i = fromEnd ? model.Layers.Count - 1 - k : k;
            if (model.Layers[i].Parameters.Count > 0)
            {
                return i;
            }
        }

        throw new NotSupportedException($"The model ({model}) has no layer with parameters; there is nothing to teach.");
    }
}
