// How samples 04 and 05 end when something goes wrong: one line on stderr and an exit code a script
// can test. 1: training stopped on NaN or divergence; 130: cancelled with Ctrl+C; 2: bad input (a
// missing folder, a damaged file, an option out of range). Anything else is a bug and crashes loudly.
namespace MnistBp.Samples.Digits;

/// <summary>The exit codes and messages of the MNIST samples for the failures they expect.</summary>
public static class SampleExit
{
    /// <summary>Whether <paramref name="e"/> is a failure the samples report instead of crashing.</summary>
    public static bool Handles(Exception e) =>
        e is TrainingDivergedException or OperationCanceledException
            or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    /// <summary>Writes what happened to stderr and returns the exit code for it.</summary>
    public static int Report(Exception e)
    {
        switch (e)
        {
            case TrainingDivergedException:
                Console.Error.WriteLine();
                Console.Error.WriteLine($"training stopped: {e.Message}");
                return 1;
            case OperationCanceledException:
                Console.Error.WriteLine();
                Console.Error.WriteLine("cancelled");
                return 130;
            default:
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
        }
    }
}
