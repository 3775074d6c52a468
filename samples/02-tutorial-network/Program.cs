// Sample 02: the tutorial's complete program ("Now, let's train the network" and "Now You Can Use
// the Network to Predict Genders"). Trains OurNeuralNetwork on Alice, Bob, Charlie and Diana, prints
// the loss every 10 epochs, then predicts Emily and Frank. Exits non-zero when training failed.
using MnistBp.Samples.TutorialNetwork;

ulong seed;
try
{
    seed = TutorialData.ParseSeed(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Train our neural network!
var network = new OurNeuralNetwork(seed);
double lastLoss = double.NaN;
network.Train(TutorialData.Data, TutorialData.AllYTrues, (epoch, loss) =>
{
    Console.WriteLine($"Epoch {epoch} loss: {loss:F3}");
    lastLoss = loss;
});

// Make some predictions
// (The README's quick start, with the same seed 42, prints Emily 0.964 and Frank 0.039: the same nine
// numbers come out of DeterministicRandom(42), but this network takes them as w1..w6, b1..b3 in the
// tutorial's order, while each Dense draws its weight matrix row by row and then its biases, so there
// w2 and w3 swap and the hidden biases and output weights trade places. Started from this network's
// weights (LayersNetwork.Build in sample 03), the same layers print these two numbers.)
double emily = network.FeedForward(TutorialData.Emily);
double frank = network.FeedForward(TutorialData.Frank);
Console.WriteLine($"Emily: {emily:F3} - {(emily > 0.5 ? "F" : "M")}"); // 0.951 - F in the tutorial
Console.WriteLine($"Frank: {frank:F3} - {(frank > 0.5 ? "F" : "M")}"); // 0.039 - M in the tutorial

if (!(emily > 0.9 && frank < 0.1 && lastLoss < 0.01))
{
    Console.Error.WriteLine($"check failed (seed {seed}): expected Emily > 0.9, Frank < 0.1 and a final loss < 0.01");
    return 1;
}

return 0;
