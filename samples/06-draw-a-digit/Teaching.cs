// Teaching: "teach it", one step of gradient descent on the visitor's own digit and label, run by the
// library's own Forward, loss, Backward and Sgd on the visitor's copy of the model (chapter 5's training
// step for a batch of one). The layers are walked in reverse as Sequential.Backward walks them, written
// out so that each layer's dOutput can be shown: dZ at the output, dZ at the hidden layer, and dW of
// the hidden neurons the step moves most. A step whose weights or outputs come out NaN or infinite is undone.
using MnistBp;

namespace MnistBp.Samples.DrawADigit;

/// <summary>What one teaching step computed: the numbers the page shows.</summary>
internal sealed record TeachingStep(
    float Loss,
    float[] OutputsBefore,
    float[] DZOutput,
    float[]? DZHidden,
    NeuronGradient[] WeightGradients,
    float[] OutputsAfter,
    float LossAfter);

/// <summary>dW of one hidden neuron: its incoming weights' gradient, one value per pixel.</summary>
/// <param name="Neuron">The hidden neuron.</param>
/// <param name="DZ">dZ of that neuron: dW's column is the pixels times this number.</param>
/// <param name="DW">dLoss/dW for each of the neuron's incoming weights, row-major like the image.</param>
internal sealed record NeuronGradient(int Neuron, float DZ, float[] DW);

/// <summary>One SGD step on a visitor's copy.</summary>
internal static class Teaching
{
    /// <summary>How many hidden neurons' dW the page gets (those with the largest |dZ|).</summary>
    public const int NeuronsShown = 8;

    /// <summary>
    /// Runs forward, loss, ZeroGrad, backward and an SGD step at <paramref name="learnRate"/> on
    /// <paramref name="model"/>, then the forward pass again. The caller holds the visitor's lock.
    /// </summary>
    /// <returns>The step, or null when it made a weight or an output NaN or infinite; the weights are then as before.</returns>
    public static TeachingStep? Step(DigitModel digit, Sequential model, float[] pixels, int label, float learnRate)
    {
        OutputReading reading = digit.Reading;
        Loss loss = reading.CreateLoss();
        IReadOnlyList<Layer> layers = model.Layers;
        var input = Tensor.FromValues(1, digit.InputSize, pixels, "pixels");
        var target = new Tensor(1, digit.OutputSize, "target");
        reading.FillTarget(label, target.AsSpan());

        // Forward: every layer caches what its Backward needs.
        Tensor output = model.Forward(input);
        float[] outputsBefore = output.ToArray();
        // C = loss(a, y)
        float lossBefore = loss.Forward(output, target);

        // Backward, last layer first, as Sequential.Backward does: dOutputs[i] is dLoss/d(output of layer i).
        model.ZeroGrad();
        var dOutputs = new float[layers.Count][];
        Tensor gradient = loss.Backward(output, target);
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            dOutputs[i] = gradient.ToArray();
            // dA of the layer below = this layer's Backward of its dOutput (adding into its parameter gradients)
            gradient = layers[i].Backward(gradient)!;
        }

        // The output layer's Z is the output of the last layer with parameters; the hidden Z that of the first.
        float[] dZOutput = dOutputs[digit.LastParameterLayer];
        float[]? dZHidden = digit.HiddenLayer >= 0 ? dOutputs[digit.FirstParameterLayer] : null;
        NeuronGradient[] weightGradients = digit.HasNeuronImages && dZHidden is not null
            ? MostMoved(model.Layers[digit.FirstParameterLayer].Parameters[0].Gradient, dZHidden)
            : [];

        // Keep the weights, so a step that blows up can be undone: nothing is left half-changed.
        float[][] before = [.. model.Parameters.Select(p => p.Value.ToArray())];
        // w -= learnRate * dW, for every parameter
        new Sgd(model.Parameters, learnRate).Step();
        float[] outputsAfter = model.PredictSample(pixels);
        if (model.Parameters.Any(p => HasNonFinite(p.Value.AsSpan())) || HasNonFinite(outputsAfter))
        {
            for (int i = 0; i < before.Length; i++)
            {
                before[i].CopyTo(model.Parameters[i].Value.AsSpan());
            }

            return null;
        }

        float lossAfter = loss.Forward(Tensor.FromValues(1, digit.OutputSize, outputsAfter), target);
        return new TeachingStep(lossBefore, outputsBefore, dZOutput, dZHidden, weightGradients, outputsAfter, lossAfter);
    }

    /// <summary>The dW columns of the <see cref="NeuronsShown"/> neurons with the largest |dZ| (dW's column j is A·dZ_j: the largest columns).</summary>
    private static NeuronGradient[] MostMoved(Tensor dWeights, float[] dZHidden)
    {
        int inputs = dWeights.Rows, neurons = dWeights.Columns;
        return [.. Enumerable.Range(0, neurons)
            .OrderByDescending(j => MathF.Abs(dZHidden[j]))
            .ThenBy(j => j)
            .Take(NeuronsShown)
            .Select(j =>
            {
                var column = new float[inputs];
                for (int pixel = 0; pixel < inputs; pixel++)
                {
                    column[pixel] = dWeights[(pixel * neurons) + j];
                }

                return new NeuronGradient(j, dZHidden[j], column);
            })];
    }

    private static bool HasNonFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                return true;
            }
        }

        return false;
    }
}
