// OutputReading: the one place that decides how the page reads a model's outputs and which loss
// "teach it" back-propagates, chosen from the Kind of the model's last layer (never from a concrete
// layer type). A last "Sigmoid" (sample 04's networks) gives independent outputs in 0..1,
// normalised to sum 1 for the chart, taught with the quadratic cost of chapter 1 and of sample 04.
// A last "Dense" (sample 05's recipes) gives logits, read through a softmax and taught with the
// fused softmax cross-entropy (docs chapter 12). Another kind is one more case in For; nothing else
// in the sample changes. It assumes no number of classes.
using MnistBp;

namespace MnistBp.Samples.DrawADigit;

/// <summary>How the outputs of a model become the page's probabilities, and the loss that teaches it one label.</summary>
internal abstract class OutputReading
{
    /// <summary>The reading for <paramref name="model"/>, from its last layer's <see cref="Layer.Kind"/>.</summary>
    /// <exception cref="NotSupportedException">The last layer's kind has no reading here; the message says where to add one.</exception>
    public static OutputReading For(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string kind = model.Layers.Count == 0 ? "(no layers)" : model.Layers[^1].Kind;
        return kind switch
        {
            "Sigmoid" => new SigmoidOutputs(),
            "Dense" => new Logits(),
            _ => throw new NotSupportedException(
                $"The model's last layer is of kind '{kind}'; the page knows how to read a last 'Sigmoid' (sample 04's networks) and a last 'Dense' (logits, sample 05's recipes). " +
                "Add a case for this kind in OutputReading.For (samples/06-draw-a-digit/OutputReading.cs)."),
        };
    }

    /// <summary>One sentence for the page under the bar chart: what the bars are.</summary>
    public abstract string ChartNote { get; }

    /// <summary>The loss's name and formula, for the page, such as "quadratic cost, C = ...".</summary>
    public abstract string LossDescription { get; }

    /// <summary>One sentence for the page beside dZ at the output: how this loss and this output learn.</summary>
    public abstract string TeachingNote { get; }

    /// <summary>A new loss for one teaching step (a loss keeps a gradient buffer: one per caller).</summary>
    public abstract Loss CreateLoss();

    /// <summary>Writes the probabilities the chart shows for one sample's <paramref name="outputs"/>.</summary>
    /// <param name="outputs">The model's outputs, one per class.</param>
    /// <param name="probabilities">Receives one number per class, summing to 1.</param>
    public abstract void ToProbabilities(ReadOnlySpan<float> outputs, Span<float> probabilities);

    /// <summary>Writes the target the loss compares the outputs with when the true class is <paramref name="label"/>.</summary>
    /// <param name="label">The true class, 0 to outputs - 1.</param>
    /// <param name="target">Receives one number per class.</param>
    public abstract void FillTarget(int label, Span<float> target);

    /// <summary>A last Sigmoid: each output is its own yes/no in 0..1 (they need not sum to 1), taught with the quadratic cost.</summary>
    private sealed class SigmoidOutputs : OutputReading
    {
        public override string ChartNote =>
            "The last layer is a sigmoid: each output is its own number from 0 to 1 and they do not sum to 1, " +
            "so the bars show each output divided by their sum.";

        public override string LossDescription => "quadratic cost, C = Σ (a - y)² / 2 (y: 1 for the true digit, 0 for the others)";

        public override string TeachingNote =>
            "dZ = (a - y) · a · (1 - a): an output near 0 or 1 gets a dZ near 0 even when it is wrong, so a digit the network is sure of " +
            "barely moves (the learning slowdown of the quadratic cost, Nielsen's chapter 3); a digit it is unsure of learns fast.";

        public override Loss CreateLoss() => new QuadraticCost();

        public override void ToProbabilities(ReadOnlySpan<float> outputs, Span<float> probabilities)
        {
            double sum = 0;
            for (int i = 0; i < outputs.Length; i++)
            {
                sum += outputs[i];
            }

            for (int i = 0; i < outputs.Length; i++)
            {
                // p_i = a_i / Σ_k a_k   (sigmoids are all > 0; when every one underflowed to 0, each class gets 1 / count)
                probabilities[i] = sum > 0 ? (float)(outputs[i] / sum) : 1f / outputs.Length;
            }
        }

        public override void FillTarget(int label, Span<float> target)
        {
            // y = one-hot(label): 1 for the true digit, 0 for the others (Nielsen's vectorized_result)
            target.Clear();
            target[label] = 1f;
        }
    }

    /// <summary>A last Dense: the outputs are logits z, turned into probabilities by a softmax, taught with the fused softmax cross-entropy.</summary>
    private sealed class Logits : OutputReading
    {
        public override string ChartNote =>
            "The last layer gives logits z (any real numbers); the bars are their softmax, p_j = e^(z_j) / Σ_k e^(z_k), which sums to 1.";

        public override string LossDescription => "softmax cross-entropy, C = -ln p_y (p = softmax(z), y: the true digit)";

        public override string TeachingNote =>
            "dZ = p - y: the further the probability of the true digit is from 1, the larger the step, however sure the network was " +
            "(no learning slowdown: the softmax's and the logarithm's derivatives cancel, docs chapter 12).";

        public override Loss CreateLoss() => new SoftmaxCrossEntropy();

        // p = softmax(z), computed stably (the largest logit subtracted first) by the library's own kernel
        public override void ToProbabilities(ReadOnlySpan<float> outputs, Span<float> probabilities) =>
            SoftmaxCrossEntropy.Probabilities(outputs, probabilities, batchSize: 1);

        public override void FillTarget(int label, Span<float> target)
        {
            // y = one-hot(label)
            target.Clear();
            target[label] = 1f;
        }
    }
}
