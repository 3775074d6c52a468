// The tutorial's OurNeuralNetwork, line for line in C# (sections "An Example Feedforward" through
// "Training: Stochastic Gradient Descent"): 2 inputs, a hidden layer of 2 neurons (h1, h2), an
// output neuron (o1), weights w1..w6 and biases b1..b3, every partial derivative written by hand.
// It uses double like numpy; it deliberately uses no matrices and no library layers: sample 03
// rebuilds the same network from MnistBp's layers and shows the numbers agree.
namespace MnistBp.Samples.TutorialNetwork;

/// <summary>
/// A neural network with 2 inputs, a hidden layer with 2 neurons (h1, h2) and an output layer with
/// 1 neuron (o1). Field names follow the tutorial.
/// </summary>
public sealed class OurNeuralNetwork
{
    // Weights
    private double _w1, _w2, _w3, _w4, _w5, _w6;

    // Biases
    private double _b1, _b2, _b3;

    /// <summary>Random initial weights and biases from N(0, 1), drawn w1..w6 then b1..b3 (tutorial: np.random.normal()).</summary>
    public OurNeuralNetwork(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        _w1 = random.NextGaussian();
        _w2 = random.NextGaussian();
        _w3 = random.NextGaussian();
        _w4 = random.NextGaussian();
        _w5 = random.NextGaussian();
        _w6 = random.NextGaussian();
        _b1 = random.NextGaussian();
        _b2 = random.NextGaussian();
        _b3 = random.NextGaussian();
    }

    /// <summary>A network with the given weights and biases.</summary>
    public OurNeuralNetwork(Weights weights)
    {
        (_w1, _w2, _w3, _w4, _w5, _w6, _b1, _b2, _b3) = weights;
    }

    /// <summary>The current weights and biases.</summary>
    public Weights CurrentWeights => new(_w1, _w2, _w3, _w4, _w5, _w6, _b1, _b2, _b3);

    /// <summary>Sigmoid activation function: f(x) = 1 / (1 + e^(-x)).</summary>
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Derivative of sigmoid: f'(x) = f(x) * (1 - f(x)).</summary>
    public static double DerivSigmoid(double x)
    {
        double fx = Sigmoid(x);
        return fx * (1 - fx);
    }

    /// <summary>The mean squared error: ((y_true - y_pred) ** 2).mean().</summary>
    public static double MseLoss(double[] yTrue, double[] yPred)
    {
        double sum = 0;
        for (int i = 0; i < yTrue.Length; i++)
        {
            sum += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i]);
        }

        return sum / yTrue.Length;
    }

    /// <summary>x is an array with 2 elements (weight and height, shifted). Returns o1.</summary>
    public double FeedForward(double[] x)
    {
        double h1 = Sigmoid(_w1 * x[0] + _w2 * x[1] + _b1);
        double h2 = Sigmoid(_w3 * x[0] + _w4 * x[1] + _b2);
        double o1 = Sigmoid(_w5 * h1 + _w6 * h2 + _b3);
        return o1;
    }

    /// <summary>
    /// Every partial derivative the tutorial computes for one sample, before any weight changes
    /// (the first half of the body of the tutorial's <c>train</c> loop).
    /// </summary>
    public PartialDerivatives ComputePartialDerivatives(double[] x, double yTrue)
    {
        // --- Do a feedforward (we'll need these values later)
        double sum_h1 = _w1 * x[0] + _w2 * x[1] + _b1;
        double h1 = Sigmoid(sum_h1);

        double sum_h2 = _w3 * x[0] + _w4 * x[1] + _b2;
        double h2 = Sigmoid(sum_h2);

        double sum_o1 = _w5 * h1 + _w6 * h2 + _b3;
        double o1 = Sigmoid(sum_o1);
        double yPred = o1;

        // --- Calculate partial derivatives.
        // --- Naming: dL_dW1 represents "partial L / partial w1"
        double dL_dYPred = -2 * (yTrue - yPred);

        // Neuron o1
        double dYPred_dW5 = h1 * DerivSigmoid(sum_o1);
        double dYPred_dW6 = h2 * DerivSigmoid(sum_o1);
        double dYPred_dB3 = DerivSigmoid(sum_o1);

        double dYPred_dH1 = _w5 * DerivSigmoid(sum_o1);
        double dYPred_dH2 = _w6 * DerivSigmoid(sum_o1);

        // Neuron h1
        double dH1_dW1 = x[0] * DerivSigmoid(sum_h1);
        double dH1_dW2 = x[1] * DerivSigmoid(sum_h1);
        double dH1_dB1 = DerivSigmoid(sum_h1);

        // Neuron h2
        double dH2_dW3 = x[0] * DerivSigmoid(sum_h2);
        double dH2_dW4 = x[1] * DerivSigmoid(sum_h2);
        double dH2_dB2 = DerivSigmoid(sum_h2);

        return new PartialDerivatives(
            dL_dYPred,
            dYPred_dW5, dYPred_dW6, dYPred_dB3, dYPred_dH1, dYPred_dH2,
            dH1_dW1, dH1_dW2, dH1_dB1,
            dH2_dW3, dH2_dW4, dH2_dB2);
    }

    /// <summary>
    /// Trains the network the tutorial's way: one sample at a time, in order, updating after each.
    /// Every 10 epochs <paramref name="reportLoss"/> receives the epoch and the loss on all the data.
    /// </summary>
    /// <param name="data">An (n x 2) array: n samples of (weight - 135, height - 66).</param>
    /// <param name="allYTrues">n elements: 1 for F, 0 for M.</param>
    /// <param name="reportLoss">Called with (epoch, loss) every 10 epochs.</param>
    /// <param name="learnRate">0.1 in the tutorial.</param>
    /// <param name="epochs">Number of times to loop through the entire dataset; 1000 in the tutorial.</param>
    public void Train(double[][] data, double[] allYTrues, Action<int, double>? reportLoss = null, double learnRate = 0.1, int epochs = 1000)
    {
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = 0; i < data.Length; i++)
            {
                double[] x = data[i];
                double yTrue = allYTrues[i];
                PartialDerivatives d = ComputePartialDerivatives(x, yTrue);

                // --- Update weights and biases
                // Neuron h1
                _w1 -= learnRate * d.dL_dYPred * d.dYPred_dH1 * d.dH1_dW1;
                _w2 -= learnRate * d.dL_dYPred * d.dYPred_dH1 * d.dH1_dW2;
                _b1 -= learnRate * d.dL_dYPred * d.dYPred_dH1 * d.dH1_dB1;

                // Neuron h2
                _w3 -= learnRate * d.dL_dYPred * d.dYPred_dH2 * d.dH2_dW3;
                _w4 -= learnRate * d.dL_dYPred * d.dYPred_dH2 * d.dH2_dW4;
                _b2 -= learnRate * d.dL_dYPred * d.dYPred_dH2 * d.dH2_dB2;

                // Neuron o1
                _w5 -= learnRate * d.dL_dYPred * d.dYPred_dW5;
                _w6 -= learnRate * d.dL_dYPred * d.dYPred_dW6;
                _b3 -= learnRate * d.dL_dYPred * d.dYPred_dB3;
            }

            // --- Calculate total loss at the end of each epoch
            if (epoch % 10 == 0)
            {
                double[] yPreds = [.. data.Select(FeedForward)];
                double loss = MseLoss(allYTrues, yPreds);
                reportLoss?.Invoke(epoch, loss);
            }
        }
    }
}

/// <summary>The nine numbers of the network: w1..w6 and b1..b3.</summary>
public readonly record struct Weights(double W1, double W2, double W3, double W4, double W5, double W6, double B1, double B2, double B3)
{
    /// <summary>Every weight w = 1 and every bias 0 (the tutorial's hand-worked example uses these).</summary>
    public static Weights AllOnes => new(1, 1, 1, 1, 1, 1, 0, 0, 0);
}

/// <summary>
/// The partial derivatives of one training step, named after the tutorial's locals
/// (dL_dYPred is d_L_d_ypred, dH1_dW1 is d_h1_d_w1, ...). The chain rule puts them together.
/// </summary>
#pragma warning disable IDE1006 // names mirror the tutorial's d_L_d_ypred, d_ypred_d_w5, ...
public readonly record struct PartialDerivatives(
    double dL_dYPred,
    double dYPred_dW5, double dYPred_dW6, double dYPred_dB3, double dYPred_dH1, double dYPred_dH2,
    double dH1_dW1, double dH1_dW2, double dH1_dB1,
    double dH2_dW3, double dH2_dW4, double dH2_dB2)
#pragma warning restore IDE1006
{
    /// <summary>dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 (tutorial: "Example: Calculating the Partial Derivative").</summary>
    public double dL_dW1 => dL_dYPred * dYPred_dH1 * dH1_dW1;
}
