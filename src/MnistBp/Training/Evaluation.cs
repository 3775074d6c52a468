// Evaluation: how well a classifier does on labelled data (data with float targets is measured by a
// loss instead: Trainer.Fit's EvaluationLoss). The predicted class of a sample is the output with the
// largest value (argmax, ties to the lowest class); from that come the accuracy, the accuracy per
// class and the confusion matrix. It runs the model in batches and does not train.
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>Accuracy, per-class accuracy and confusion matrix of a model on a dataset.</summary>
public sealed class Evaluation
{
    private readonly int[,] _confusion;

    private Evaluation(int[,] confusion)
    {
        _confusion = confusion;
        ClassCount = confusion.GetLength(0);
        for (int actual = 0; actual < ClassCount; actual++)
        {
            for (int predicted = 0; predicted < ClassCount; predicted++)
            {
                Count += confusion[actual, predicted];
            }

            Correct += confusion[actual, actual];
        }
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The number of samples evaluated.</summary>
    public int Count { get; }

    /// <summary>The number of samples whose predicted class was their label.</summary>
    public int Correct { get; }

    /// <summary><see cref="Correct"/> / <see cref="Count"/>, from 0 to 1 (0 when there were no samples).</summary>
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as class <paramref name="predicted"/>.</summary>
    /// <param name="actual">The label, 0 to ClassCount - 1.</param>
    /// <param name="predicted">The predicted class, 0 to ClassCount - 1.</param>
    public int this[int actual, int predicted] => _confusion[actual, predicted];

    /// <summary>A copy of the confusion matrix, indexed [actual, predicted].</summary>
    public int[,] ToConfusionMatrix() => (int[,])_confusion.Clone();

    /// <summary>For each class, the fraction of its samples predicted correctly (NaN for a class with no samples).</summary>
    public double[] PerClassAccuracy()
    {
        var result = new double[ClassCount];
        for (int actual = 0; actual < ClassCount; actual++)
        {
            int total = 0;
            for (int predicted = 0; predicted < ClassCount; predicted++)
            {
                total += _confusion[actual, predicted];
            }

            result[actual] = total == 0 ? double.NaN : (double)_confusion[actual, actual] / total;
        }

        return result;
    }

    /// <summary>Runs <paramref name="model"/> over <paramref name="data"/> in batches and counts its predictions.</summary>
    /// <param name="model">A model whose output has <see cref="Dataset.ClassCount"/> columns.</param>
    /// <param name="data">Samples with class labels (<see cref="Dataset.HasLabels"/>).</param>
    /// <param name="batchSize">Samples per forward pass; larger is faster and uses more memory.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="data"/> has float targets instead of class labels, or the model does not map the dataset's
    /// features to its class count (the message names the data's sizes and the model's); both checked before anything runs.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public static Evaluation Of(Sequential model, Dataset data, int batchSize = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!data.HasLabels)
        {
            throw new ArgumentException(
                $"Evaluation.Of needs class labels to count right and wrong predictions, but data ({DebuggerText.Of(data)}) has float targets (regression); " +
                "measure it with a loss instead (Trainer.Fit reports EpochResult.EvaluationLoss for such data).", nameof(data));
        }

        data.RequireFits(model, nameof(data));
        var confusion = new int[data.ClassCount, data.ClassCount];
        ReadOnlySpan<byte> labels = data.Labels.Span;
        int largestBatch = Math.Min(batchSize, data.Count);
        var outputs = new float[largestBatch * data.ClassCount];
        float[] inputs = ScratchMemory.AtLeast(ref t_inputs, largestBatch * data.FeatureCount); // one batch of pixels as floats
        for (int first = 0; first < data.Count; first += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(batchSize, data.Count - first);
            Span<float> batchOutputs = outputs.AsSpan(0, rows * data.ClassCount);
            // Predict, not Forward: the built-in layers' Predict caches nothing, so evaluating leaves training alone.
            model.Predict(data.ImageRows(first, rows, inputs), batchOutputs, rows);
            for (int r = 0; r < rows; r++)
            {
                confusion[labels[first + r], ArgMax(batchOutputs.Slice(r * data.ClassCount, data.ClassCount))]++;
            }
        }

        return new Evaluation(confusion);
    }

    [ThreadStatic]
    private static float[]? t_inputs;

    /// <summary>The index of the largest value (the first one on ties); -1 for an empty span.</summary>
    /// <param name="values">The values, such as one row of a model's output.</param>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = values.IsEmpty ? -1 : 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Like <c>accuracy 96.84% (9684 of 10000), 10 classes</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"accuracy {Accuracy * 100:F2}% ({Correct} of {Count}), {ClassCount} classes");

    /// <summary>The confusion matrix as a text table: one row per actual class, one column per predicted class.</summary>
    public string FormatConfusionMatrix()
    {
        const int Width = 6;
        var text = new StringBuilder();
        text.Append("actual \\ predicted").AppendLine();
        text.Append(new string(' ', 4));
        for (int predicted = 0; predicted < ClassCount; predicted++)
        {
            text.Append(predicted.ToString(CultureInfo.InvariantCulture).PadLeft(Width));
        }

        text.Append("  accuracy").AppendLine();
        double[] perClass = PerClassAccuracy();
        for (int actual = 0; actual < ClassCount; actual++)
        {
            text.Append(actual.ToString(CultureInfo.InvariantCulture).PadLeft(3)).Append(' ');
            for (int predicted = 0; predicted < ClassCount; predicted++)
            {
                text.Append(_confusion[actual, predicted].ToString(CultureInfo.InvariantCulture).PadLeft(Width));
            }

            text.Append(string.Create(CultureInfo.InvariantCulture, $"  {perClass[actual] * 100,7:F2}%")).AppendLine();
        }

        return text.ToString();
    }
}
