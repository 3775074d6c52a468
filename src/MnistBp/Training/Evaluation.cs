// Evaluation: how well a classifier does on labelled data (data with float targets is measured by a
// loss instead: Trainer.Fit's EvaluationLoss). The predicted class of a sample is the output with the
// largest value (argmax, ties to the lowest class); from that come the accuracy, the accuracy per
// class and the confusion matrix. A sample whose output row holds a NaN or Inf has no predicted class:
// it is counted apart (NonFiniteCount), as wrong, and never in the confusion matrix, so NaN weights
// read as "0% and 10,000 non-finite outputs", not as a plausible accuracy. It runs the model in
// batches and does not train.
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>Accuracy, per-class accuracy and confusion matrix of a model on a dataset.</summary>
public sealed class Evaluation
{
    private readonly int[,] _confusion;
    private readonly int[] _nonFinite; // per actual class: samples whose output row held NaN or Inf

    private Evaluation(int[,] confusion, int[] nonFinite)
    {
        _confusion = confusion;
        _nonFinite = nonFinite;
        ClassCount = confusion.GetLength(0);
        for (int actual = 0; actual < ClassCount; actual++)
        {
            for (int predicted = 0; predicted < ClassCount; predicted++)
            {
                Count += confusion[actual, predicted];
            }

            Correct += confusion[actual, actual];
            NonFiniteCount += nonFinite[actual];
        }

        Count += NonFiniteCount;
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The number of samples evaluated, including the <see cref="NonFiniteCount"/> ones that got no prediction.</summary>
    public int Count { get; }

    /// <summary>The number of samples whose predicted class was their label.</summary>
    public int Correct { get; }

    /// <summary>
    /// The number of samples whose output row held a NaN or an infinity. They have no predicted class: they are not
    /// in the confusion matrix, and they count as wrong in <see cref="Accuracy"/> (they stay in its denominator), so a
    /// model with NaN weights scores 0%, not the share of one class. Non-zero means the weights or the inputs are not
    /// finite; <see cref="Trainer.Fit"/> reports it as a <see cref="TrainingDiagnosis"/>.
    /// </summary>
    public int NonFiniteCount { get; }

    /// <summary>
    /// <see cref="Correct"/> / <see cref="Count"/>, from 0 to 1 (0 when there were no samples). Samples with non-finite
    /// outputs are in <see cref="Count"/> and count as wrong.
    /// </summary>
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as class <paramref name="predicted"/>.</summary>
    /// <param name="actual">The label, 0 to ClassCount - 1.</param>
    /// <param name="predicted">The predicted class, 0 to ClassCount - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actual"/> or <paramref name="predicted"/> is not from 0 to ClassCount - 1.</exception>
    public int this[int actual, int predicted]
    {
        get
        {
            RequireClass(actual, nameof(actual));
            RequireClass(predicted, nameof(predicted));
            return _confusion[actual, predicted];
        }
    }

    /// <summary>How many samples of class <paramref name="actual"/> got an output row with a NaN or an infinity (no predicted class).</summary>
    /// <param name="actual">The label, 0 to ClassCount - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actual"/> is not from 0 to ClassCount - 1.</exception>
    public int NonFiniteCountOf(int actual)
    {
        RequireClass(actual, nameof(actual));
        return _nonFinite[actual];
    }

    private void RequireClass(int value, string name)
    {
        if ((uint)value >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a class from 0 to {ClassCount - 1}; this evaluation has {ClassCount} classes.");
        }
    }

    /// <summary>A copy of the confusion matrix, indexed [actual, predicted]; samples with non-finite outputs are not in it (see <see cref="NonFiniteCount"/>).</summary>
    public int[,] ToConfusionMatrix() => (int[,])_confusion.Clone();

    /// <summary>
    /// For each class, the fraction of its samples predicted correctly (NaN for a class with no samples); its samples
    /// with non-finite outputs count as wrong.
    /// </summary>
    public double[] PerClassAccuracy()
    {
        var result = new double[ClassCount];
        for (int actual = 0; actual < ClassCount; actual++)
        {
            int total = _nonFinite[actual];
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
        var nonFinite = new int[data.ClassCount];
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
                ReadOnlySpan<float> row = batchOutputs.Slice(r * data.ClassCount, data.ClassCount);
                if (AllFinite(row))
                {
                    confusion[labels[first + r], ArgMax(row)]++;
                }
                else
                {
                    nonFinite[labels[first + r]]++; // NaN or Inf has no largest value: no prediction, counted as wrong
                }
            }
        }

        return new Evaluation(confusion, nonFinite);
    }

    [ThreadStatic]
    private static float[]? t_inputs;

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The index of the largest value (the first one on ties); -1 for an empty span. Meant for finite values: a NaN
    /// compares false with everything, so it is never chosen after index 0 (<see cref="Of"/> skips rows holding one).
    /// </summary>
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

    /// <summary>
    /// Like <c>accuracy 96.84% (9684 of 10000), 10 classes</c>, followed by
    /// <c>; 10000 outputs not finite (NaN or Inf), counted as wrong</c> when <see cref="NonFiniteCount"/> is not 0.
    /// </summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"accuracy {Accuracy * 100:F2}% ({Correct} of {Count}), {ClassCount} classes") +
        (NonFiniteCount == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {NonFiniteCount} outputs not finite (NaN or Inf), counted as wrong"));

    /// <summary>
    /// The confusion matrix as a text table: one row per actual class, one column per predicted class, and a
    /// "not finite" column when some outputs were NaN or Inf.
    /// </summary>
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

        if (NonFiniteCount != 0)
        {
            text.Append("  not finite");
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

            if (NonFiniteCount != 0)
            {
                text.Append(_nonFinite[actual].ToString(CultureInfo.InvariantCulture).PadLeft(12));
            }

            text.Append(string.Create(CultureInfo.InvariantCulture, $"  {perClass[actual] * 100,7:F2}%")).AppendLine();
        }

        return text.ToString();
    }
}
