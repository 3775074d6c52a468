// DebuggerText: the one-line summaries the debugger shows next to a Parameter, a Sequential, a
// Trainer, a loss or a Dataset (their [DebuggerDisplay] attributes call these methods). They run
// whenever a debugger window shows the object, so each is short and allocates one string; the
// largest cost is |g|max, one pass over a gradient. Nothing here is used by training itself, and
// nothing here changes what it describes.
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>The text of the <see cref="System.Diagnostics.DebuggerDisplayAttribute"/>s of the library's types.</summary>
internal static class DebuggerText
{
    /// <summary>Like <c>W hidden [784 x 30] grad [784 x 30] |g|max=0.0123</c>: the value, its gradient's shape and largest magnitude.</summary>
    /// <remarks>Right after <see cref="Parameter.ZeroGrad"/> it shows <c>|g|max=0 (zeroed)</c> without touching the buffer.</remarks>
    public static string Of(Parameter parameter)
    {
        string magnitude = parameter.IsGradientZero ? "0" : Format(MaxAbs(parameter.Gradient.AsSpan()));
        return $"{parameter.Value.Describe()} grad {parameter.Value.Shape} |g|max={magnitude}";
    }

    /// <summary>What <see cref="FirstRows"/> shows of a tensor shaped like <paramref name="like"/> whose values are all zero.</summary>
    public static float[][] ZeroRows(Tensor like, int maxRows, int maxColumns)
    {
        int rows = Math.Min(like.Rows, maxRows), columns = Math.Min(like.Columns, maxColumns);
        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            result[r] = new float[columns];
        }

        return result;
    }

    /// <summary>
    /// Like <c>Dense 'hidden' 784 -> 30</c> (the layer's own <see cref="Layer.ToString"/>), and for a layer
    /// that takes any width, the widths of the last batch through it: <c>Relu 'relu' 64 -> 64</c>.
    /// </summary>
    public static string Of(Layer layer)
    {
        (int rows, int inputSize, int outputSize) = layer.LastShape;
        return layer.FixedInputSize is null && rows > 0 ? $"{layer} {inputSize} -> {outputSize}" : layer.ToString();
    }

    /// <summary>The shapes of the last batch through the layer, like <c>[10 x 784] -> [10 x 30]</c>, or "no Forward yet".</summary>
    public static string LastBatch(Layer layer)
    {
        (int rows, int inputSize, int outputSize) = layer.LastShape;
        return rows == 0 ? "no Forward yet" : $"[{rows} x {inputSize}] -> [{rows} x {outputSize}]";
    }

    /// <summary>Like <c>Sequential 784 -> 30 -> 10 (4 layers, 23860 parameters)</c>.</summary>
    public static string Of(Sequential model)
    {
        string sizes = Sizes(model);
        int layers = model.Layers.Count;
        return $"Sequential {(sizes.Length == 0 ? "" : sizes + " ")}({Count(layers, "layer")}, {Count(ParameterCount(model), "parameter")})";
    }

    /// <summary>Like <c>Trainer 784 -> 30 -> 10, QuadraticCost, Sgd learnRate=3</c>: the model's sizes, the loss, the optimizer.</summary>
    public static string Of(Trainer trainer)
    {
        string sizes = Sizes(trainer.Model);
        return $"Trainer {(sizes.Length == 0 ? "(sizes known after the first batch)" : sizes)}, {trainer.Loss}, {trainer.Optimizer}";
    }

    /// <summary>The loss's name and formula, like <c>MeanSquaredError L = mean((target - predicted)²)</c>.</summary>
    public static string Of(Loss loss) => loss.Formula.Length == 0 ? loss.ToString() : $"{loss} {loss.Formula}";

    /// <summary>Like <c>Dataset 60000 images [28 x 28], 10 classes</c>, or for float targets <c>Dataset 4 samples [2], 1 target</c>.</summary>
    public static string Of(Dataset data) => data.HasLabels
        ? $"Dataset {Count(data.Count, "image")} {Shape(data.ImageShape)}, {Count(data.ClassCount, "class")}"
        : $"Dataset {Count(data.Count, "sample")} {Shape(data.ImageShape)}, {Count(data.TargetCount, "target")}";

    /// <summary>
    /// The sizes along the model: <c>784 -> 30 -> 10</c>. The input width comes from the first layer that
    /// requires one (<see cref="Layer.FixedInputSize"/>, such as Dense), or else from the last batch
    /// through the model; each layer's <see cref="Layer.GetOutputSize"/> gives the next. A width shows
    /// only where it changes; where a layer's required input does not match, both show:
    /// <c>784 -> 30 != 20 -> 10</c>. Empty when no width is known.
    /// </summary>
    public static string Sizes(Sequential model)
    {
        var text = new StringBuilder();
        int width = -1;
        foreach (Layer layer in model.Layers)
        {
            int? required = layer.FixedInputSize ?? (layer.LastShape.Rows > 0 ? layer.LastShape.InputSize : null);
            if (required is int needed && needed != width)
            {
                text.Append(width < 0 ? $"{needed}" : $" != {needed}");
                width = needed;
            }

            if (width < 0)
            {
                continue; // nothing known yet: an element-wise layer before the first Dense
            }

            int next;
            try
            {
                next = layer.GetOutputSize(width);
            }
            catch (ArgumentException)
            {
                break;
            }

            if (next != width || layer.FixedInputSize is not null)
            {
                text.Append(" -> ").Append(next);
                width = next;
            }
        }

        return text.ToString();
    }

    /// <summary>The number of trainable values (weights and biases) in the model.</summary>
    public static long ParameterCount(Sequential model)
    {
        long count = 0;
        foreach (Layer layer in model.Layers)
        {
            foreach (Parameter parameter in layer.Parameters)
            {
                count += parameter.Value.Length;
            }
        }

        return count;
    }

    /// <summary>max |values[i]|; NaN when a value is NaN (a gradient that blew up), 0 when empty.</summary>
    public static float MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0f;
        foreach (float value in values)
        {
            float magnitude = MathF.Abs(value);
            if (float.IsNaN(magnitude))
            {
                return float.NaN;
            }

            max = Math.Max(max, magnitude);
        }

        return max;
    }

    /// <summary>
    /// The first <paramref name="maxRows"/> rows of a tensor, each cut to <paramref name="maxColumns"/>
    /// values: what a proxy shows instead of thousands of numbers. A rank-1 tensor is one row.
    /// </summary>
    public static float[][] FirstRows(Tensor tensor, int maxRows, int maxColumns)
    {
        int rows = Math.Min(tensor.Rows, maxRows), columns = Math.Min(tensor.Columns, maxColumns);
        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            result[r] = tensor.Row(r)[..columns].ToArray();
        }

        return result;
    }

    /// <summary>Which part of a tensor <see cref="FirstRows"/> shows: <c>all of [2 x 2]</c> or <c>rows 0-7 of 784, columns 0-15 of 30</c>.</summary>
    public static string Shown(Tensor tensor, int maxRows, int maxColumns)
    {
        if (tensor.Rows <= maxRows && tensor.Columns <= maxColumns)
        {
            return $"all of {tensor.Shape}";
        }

        string rows = tensor.Rows <= maxRows ? $"all {tensor.Rows} rows" : $"rows 0-{maxRows - 1} of {tensor.Rows}";
        string columns = tensor.Columns <= maxColumns ? $"all {tensor.Columns} columns" : $"columns 0-{maxColumns - 1} of {tensor.Columns}";
        return $"{rows}, {columns}";
    }

    /// <summary>A float as the debugger text shows it: 3 significant digits, invariant culture.</summary>
    public static string Format(float value) => value.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>A list of sizes as <c>[28 x 28]</c>.</summary>
    public static string Shape(IReadOnlyList<int> sizes) => $"[{string.Join(" x ", sizes)}]";

    private static string Count(long count, string noun) =>
        count == 1 ? $"1 {noun}" : $"{count} {(noun.EndsWith('s') ? noun + "es" : noun + "s")}";
}
