// Sample 01: one neuron, exactly as in the tutorial's "Building Blocks: Neurons" and "Coding a Neuron".
// Inputs x = [2, 3], weights w = [0, 1], bias b = 4: the neuron computes f(w·x + b) = f(7).
// It uses no library code at all: this is the arithmetic the library later does in bulk.
// Exits non-zero when the result is not the tutorial's 0.9990889488055994.
using System.Globalization;
using MnistBp.Samples.Neuron;

double[] weights = [0, 1]; // w1 = 0, w2 = 1
double bias = 4;           // b = 4
var neuron = new Neuron(weights, bias);

double[] x = [2, 3];       // x1 = 2, x2 = 3
double output = neuron.FeedForward(x);
Console.WriteLine(output.ToString("R", CultureInfo.InvariantCulture)); // 0.9990889488055994

const double Expected = 0.9990889488055994;
if (output != Expected)
{
    Console.Error.WriteLine($"check failed: expected {Expected:R}, got {output:R}");
    return 1;
}

return 0;

namespace MnistBp.Samples.Neuron
{
    /// <summary>One neuron: weights, a bias, and the sigmoid activation.</summary>
    public sealed class Neuron(double[] weights, double bias)
    {
        /// <summary>The activation function f(x) = 1 / (1 + e^(-x)) (tutorial: "sigmoid").</summary>
        public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        /// <summary>Weight inputs, add bias, then use the activation function.</summary>
        public double FeedForward(double[] inputs)
        {
            // total = w · x + b   (tutorial: np.dot(self.weights, inputs) + self.bias)
            double total = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                total += weights[i] * inputs[i];
            }

            total += bias;
            return Sigmoid(total);
        }
    }
}
