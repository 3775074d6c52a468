// The tutorial's dataset: four people, weight minus 135 lb and height minus 66 in, gender 1 = F, 0 = M.
namespace MnistBp.Samples.TutorialNetwork;

/// <summary>Alice, Bob, Charlie and Diana, and the two people the trained network is asked about.</summary>
public static class TutorialData
{
    /// <summary>The names, in the order of <see cref="Data"/>.</summary>
    public static string[] Names => ["Alice", "Bob", "Charlie", "Diana"];

    /// <summary>(weight - 135, height - 66) per person.</summary>
    public static double[][] Data =>
    [
        [-2, -1],  // Alice
        [25, 6],   // Bob
        [17, 4],   // Charlie
        [-15, -6], // Diana
    ];

    /// <summary>1 for F, 0 for M.</summary>
    public static double[] AllYTrues => [1, 0, 0, 1];

    /// <summary>Emily: 128 pounds, 63 inches.</summary>
    public static double[] Emily => [-7, -3];

    /// <summary>Frank: 155 pounds, 68 inches.</summary>
    public static double[] Frank => [20, 2];

    /// <summary>The seed the samples use unless told otherwise.</summary>
    public const ulong DefaultSeed = 42;

    /// <summary>Reads <c>--seed N</c> from the command line, or returns <see cref="DefaultSeed"/>.</summary>
    /// <exception cref="ArgumentException">The arguments are not understood.</exception>
    public static ulong ParseSeed(string[] args)
    {
        if (args.Length == 0)
        {
            return DefaultSeed;
        }

        if (args.Length == 2 && args[0] == "--seed" && ulong.TryParse(args[1], out ulong seed))
        {
            return seed;
        }

        throw new ArgumentException($"usage: [--seed N] with N a whole number from 0 to {ulong.MaxValue}; got '{string.Join(' ', args)}'");
    }
}
