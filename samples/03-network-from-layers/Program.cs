// Sample 03: the same 2-2-1 network as sample 02, built from Dense/Sigmoid/Sequential and trained
// with MeanSquaredError and Sgd from the same initial weights. Prints both runs' losses side by
// side and exits non-zero if they ever differ by more than 1e-6.
using MnistBp.Samples.NetworkFromLayers;
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

const double Tolerance = 1e-6;
(List<double> tutorial, List<double> layers) = LayersNetwork.CompareWithTutorial(seed);

Console.WriteLine($"{"epoch",5}  {"sample 02 (w1..w6)",20}  {"sample 03 (layers)",20}  {"difference",10}");
double worst = 0;
for (int i = 0; i < tutorial.Count; i++)
{
    double difference = Math.Abs(tutorial[i] - layers[i]);
    worst = Math.Max(worst, difference);
    Console.WriteLine($"{i * 10,5}  {tutorial[i],20:F9}  {layers[i],20:F9}  {difference,10:E1}");
}

Console.WriteLine($"largest difference: {worst:E2} (allowed {Tolerance:E0})");
if (!(worst <= Tolerance))
{
    Console.Error.WriteLine($"check failed (seed {seed}): the two networks' losses differ by {worst:E2}");
    return 1;
}

return 0;
