// The command line of sample 05:
//   --recipe NAME [--epochs N] [--seed S] [--data DIR] [--save FILE] [--min-accuracy P], or --list.
// A recipe fixes everything else (network, loss, optimizer, schedule, batch size, augmentation) in
// advance; --epochs only shortens or lengthens its schedule (CI runs each for one epoch).
using System.Globalization;

namespace MnistBp.Samples.Beyond;

/// <summary>The options of sample 05.</summary>
internal sealed record RecipeOptions
{
    /// <summary>The recipe to run, or null with --list / --help.</summary>
    public string? Recipe { get; init; }

    /// <summary>Epochs instead of the recipe's own count, or null.</summary>
    public int? Epochs { get; init; }

    /// <summary>Seed of the initial weights, the shuffles, dropout and augmentation.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The folder with the four MNIST files, or null for MNISTBP_DATA / the cache folder.</summary>
    public string? Data { get; init; }

    /// <summary>Where to save the trained model, or null.</summary>
    public string? Save { get; init; }

    /// <summary>Exit with 1 when the final test accuracy (percent) is below this.</summary>
    public double? MinAccuracy { get; init; }

    /// <summary>Print the recipes and stop.</summary>
    public bool List { get; init; }

    /// <summary>Print the help and stop.</summary>
    public bool Help { get; init; }

    /// <summary>The help text.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project samples/05-beyond-the-tutorial -- --recipe NAME [--epochs N] [--seed S] [--data DIR] [--save FILE] [--min-accuracy P]
               dotnet run -c Release --project samples/05-beyond-the-tutorial -- --list

        Trains one of the recipes that go past the tutorial (cross-entropy, softmax, ReLU, dropout,
        momentum, RMSprop, elastic distortions) on MNIST, then measures it once on the 10,000 test
        images. A recipe is fixed in advance: it holds out the last 10,000 training images for
        validation (Nielsen's 50,000 / 10,000 split) where it needs a validation set, and nothing
        looks at the test set before the end. The last line is always
          test accuracy XX.XX% (C of N) after E epochs; T s of training
        where T counts only training (not data loading or evaluation; the first epoch's JIT warm-up
        is included).

          --recipe NAME       the recipe to run (see --list)
          --epochs N          run N epochs instead of the recipe's own number (its schedule is
                              stretched or shortened to fit)
          --seed S            seed for the initial weights, shuffles, dropout masks and distortions (default 1)
          --data DIR          an existing folder with the four MNIST files (.gz or raw); default:
                              $MNISTBP_DATA, else a per-user cache folder (missing files are
                              downloaded into it; when that fails too, the small slice shipped with
                              sample 04 is used, announced loudly). A --data folder is never
                              replaced by the slice: when it fails, the sample says why
          --save FILE         save the trained model to FILE (sample 06 can load it), unless the
                              run is below --min-accuracy (a file already there is then kept)
          --min-accuracy P    exit with code 1 when the final test accuracy is below P percent
          --list              print every recipe with the reference it reproduces and its number
          --help              show this help
        """;

    /// <summary>Parses the command line.</summary>
    /// <exception cref="FormatException">An option is unknown, lacks its value, or has a bad value; the message says which.</exception>
    public static RecipeOptions Parse(string[] args)
    {
        var options = new RecipeOptions();
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h" or "--list")
            {
                options = name == "--list" ? options with { List = true } : options with { Help = true };
                continue;
            }

            if (name.IndexOf('=', StringComparison.Ordinal) is int equals and > 2 && ValueOptions.Contains(name[..equals]))
            {
                throw new FormatException($"'{name}': write the option and its value apart, '{name[..equals]} {name[(equals + 1)..]}'");
            }

            if (!ValueOptions.Contains(name))
            {
                throw new FormatException(name.StartsWith("--", StringComparison.Ordinal) ? $"unknown option '{name}' (see --help)" : $"unknown argument '{name}' (see --help)");
            }

            if (i + 1 >= args.Length)
            {
                throw new FormatException($"{name} needs a value");
            }

            if (!given.Add(name))
            {
                throw new FormatException($"{name} is given twice; give it once");
            }

            string value = args[++i];
            options = name switch
            {
                "--recipe" => options with { Recipe = value },
                "--epochs" => options with
                {
                    Epochs = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw Bad(name, value, "a whole number from 1 to 2147483647"),
                },
                "--seed" => options with { Seed = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : throw Bad(name, value, "a whole number from 0 to 18446744073709551615") },
                "--data" => options with { Data = value },
                "--save" => options with { Save = value },
                "--min-accuracy" => options with
                {
                    MinAccuracy = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p is >= 0 and <= 100
                        ? p : throw Bad(name, value, "a percentage from 0 to 100"),
                },
                _ => throw new System.Diagnostics.UnreachableException($"{name} is in ValueOptions but Parse does not read it"),
            };
        }

        if (!options.Help && !options.List && options.Recipe is null)
        {
            throw new FormatException("--recipe NAME is required (--list shows the recipes)");
        }

        return options;
    }

    /// <summary>
    /// The options that take a value: any other name is refused before the switch in Parse reads it, and a '--name=value'
    /// written as one word is told to write them apart. Every name here has its arm in that switch.
    /// </summary>
    private static readonly string[] ValueOptions = ["--recipe", "--epochs", "--seed", "--data", "--save", "--min-accuracy"];

    private static FormatException Bad(string name, string value, string expected) => new($"{name} '{value}': expected {expected}");
}
