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
    /// <remarks>
    /// Reading <see cref="Parameter.Gradient"/> right after <see cref="Parameter.ZeroGrad"/> performs
    /// the pending clear; the next Backward then adds into those zeros instead of overwriting them,
    /// which gives the same numbers.
    /// </remarks>
    public static string Of(Parameter parameter)
    {
        Tensor gradient = parameter.Gradient;
        return $"{parameter.Value.Describe()} grad {gradient.Shape} |g|max={Format(MaxAbs(gradient.AsSpan()))}";
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
        string optimizer = trainer.Optimizer is Sgd sgd
            ? $"Sgd learnRate={Format(sgd.LearnRate)}"
            : trainer.Optimizer.GetType().Name;
        return $"Trainer {(sizes.Length == 0 ? "(no Dense layer)" : sizes)}, {trainer.Loss.GetType().Name}, {optimizer}";
    }

    /// <summary>The loss's name and formula, like <c>MeanSquaredError L = mean((target - predicted)²)</c>.</summary>
    public static string Of(Loss loss) => loss switch
    {
        MeanSquaredError => "MeanSquaredError L = mean((target - predicted)²)",
        QuadraticCost => "QuadraticCost C = Σ (predicted - target)² / (2 batchSize)",
        _ => loss.GetType().Name,
    };

    /// <summary>Like <c>Dataset 60000 images [28 x 28], 10 classes</c>.</summary>
    public static string Of(Dataset data) =>
        $"Dataset {Count(data.Count, "image")} {Shape(data.ImageShape)}, {Count(data.ClassCount, "class")}";

    /// <summary>
    /// The sizes along the model, from the <see cref="Dense"/> layers: <c>784 -> 30 -> 10</c>; where a
    /// layer's input does not match the previous output, both show: <c>784 -> 30 != 20 -> 10</c>.
    /// Empty when the model has no Dense layer.
    /// </summary>
    public static string Sizes(Sequential model)
    {
        var text = new StringBuilder();
        int last = -1;
        foreach (Layer layer in model.Layers)
        {
            if (layer is not Dense dense)
            {
                continue; // element-wise layers keep the size
            }

            if (last < 0)
            {
                text.Append(dense.InputSize);
            }
            else if (last != dense.InputSize)
            {
                text.Append(" != ").Append(dense.InputSize);
            }

            text.Append(" -> ").Append(dense.OutputSize);
            last = dense.OutputSize;
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
