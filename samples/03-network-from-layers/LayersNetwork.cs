// The tutorial's 2-2-1 network rebuilt from MnistBp's parts: Dense, Sigmoid, Sequential,
// MeanSquaredError and Sgd. The nine numbers w1..w6, b1..b3 become two weight matrices and two bias
// vectors; the hand-written partial derivatives become Backward. Training is the tutorial's: one
// sample at a time, in order, learn rate 0.1, 1000 epochs.
using MnistBp.Samples.TutorialNetwork;

namespace MnistBp.Samples.NetworkFromLayers;

/// <summary>Builds and trains the 2-2-1 network from library layers.</summary>
public static class LayersNetwork
{
    /// <summary>
    /// The model 2 -> Dense(2) -> Sigmoid -> Dense(1) -> Sigmoid, holding the given w1..w6, b1..b3.
    /// </summary>
    /// <remarks>
    /// W is [inputSize x outputSize]; column j holds the weights into neuron j:
    /// <code>
    /// W hidden = | w1 w3 |   b hidden = [b1 b2]      W output = | w5 |   b output = [b3]
    ///            | w2 w4 |                                      | w6 |
    /// </code>
    /// so that [x0 x1] · W hidden + b hidden = [sum_h1 sum_h2].
    /// </remarks>
    public static Sequential Build(Weights w)
    {
        var hidden = new Dense(inputSize: 2, outputSize: 2, name: "hidden");
        var output = new Dense(inputSize: 2, outputSize: 1, name: "output");
        Tensor wHidden = hidden.Weights.Value, wOutput = output.Weights.Value;
        wHidden[0, 0] = (float)w.W1; wHidden[0, 1] = (float)w.W3;
        wHidden[1, 0] = (float)w.W2; wHidden[1, 1] = (float)w.W4;
        hidden.Biases.Value[0] = (float)w.B1;
        hidden.Biases.Value[1] = (float)w.B2;
        wOutput[0, 0] = (float)w.W5;
        wOutput[1, 0] = (float)w.W6;
        output.Biases.Value[0] = (float)w.B3;

        return new Sequential(hidden, new Sigmoid("h"), output, new Sigmoid("o1"));
    }

    /// <summary>
    /// Trains <paramref name="model"/> one sample at a time in order (a mini-batch of 1), exactly as
    /// the tutorial does, calling <paramref name="reportLoss"/> with the loss on all the data every 10 epochs.
    /// </summary>
    public static void Train(Sequential model, double[][] data, double[] allYTrues, Action<int, double>? reportLoss = null, float learnRate = 0.1f, int epochs = 1000)
    {
        var loss = new MeanSquaredError();
        var optimizer = new Sgd(model.Parameters, learnRate);
        Tensor[] inputs = [.. data.Select(x => Tensor.FromValues(1, 2, [(float)x[0], (float)x[1]], "x"))];
        Tensor[] targets = [.. allYTrues.Select(y => Tensor.FromValues(1, 1, [(float)y], "y_true"))];
        Tensor allInputs = Tensor.FromValues(data.Length, 2, [.. data.SelectMany(x => x.Select(v => (float)v))], "data");
        Tensor allTargets = Tensor.FromValues(data.Length, 1, [.. allYTrues.Select(y => (float)y)], "all_y_trues");

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                Tensor yPred = model.Forward(inputs[i]);                 // forward
                loss.Forward(yPred, targets[i]);                         // loss
                model.ZeroGrad();                                        // zero grad
                model.Backward(loss.Backward(yPred, targets[i]));        // backward: d_L_d_ypred, then every d_L_d_w at once
                optimizer.Step();                                        // step: w -= learn_rate * d_L_d_w
            }

            if (epoch % 10 == 0)
            {
                reportLoss?.Invoke(epoch, loss.Forward(model.Forward(allInputs), allTargets));
            }
        }
    }

    /// <summary>
    /// Trains sample 02's network and this one from the same seeded initial weights and returns
    /// both loss curves, every 10 epochs.
    /// </summary>
    public static (List<double> Tutorial, List<double> Layers) CompareWithTutorial(ulong seed)
    {
        var tutorial = new OurNeuralNetwork(seed);
        Sequential model = Build(tutorial.CurrentWeights);

        var tutorialLosses = new List<double>();
        var layerLosses = new List<double>();
        tutorial.Train(TutorialData.Data, TutorialData.AllYTrues, (_, l) => tutorialLosses.Add(l));
        Train(model, TutorialData.Data, TutorialData.AllYTrues, (_, l) => layerLosses.Add(l));
        return (tutorialLosses, layerLosses);
    }
}
