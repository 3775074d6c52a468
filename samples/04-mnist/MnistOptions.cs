// The command line of sample 04. The defaults are the settings of Nielsen's chapter-1 run ("Neural
// Networks and Deep Learning", network.py): 784-30-10, sigmoid, quadratic cost, mini-batch 10, learn
// rate 3.0, 30 epochs. Not his run: the weights start from N(0, 1/inputSize) unless --init normal
// (his N(0, 1)), it trains on all 60,000 images (he on 50,000, keeping 10,000 for validation), in
// float, with seeded draws and shuffles. The Usage text says the same.
using System.Globalization;

namespace MnistBp.Samples.Digits;

/// <summary>The options of the MNIST sample.</summary>
public sealed record MnistOptions
{
    /// <summary>Neurons in the hidden layer.</summary>
    public int Hidden { get; init; } = 30;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Samples per mini-batch.</summary>
    public int Batch { get; init; } = 10;

    /// <summary>SGD step size.</summary>
    public float LearnRate { get; init; } = 3.0f;

    /// <summary>Seed of the initial weights and of the shuffles.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>How the initial weights are drawn.</summary>
    public WeightInit Init { get; init; } = WeightInit.ScaledNormal;

    /// <summary>The folder with the four MNIST files, or null for MNISTBP_DATA / the cache folder.</summary>
    public string? Data { get; init; }

    /// <summary>Where to save the trained model, or null.</summary>
    public string? Save { get; init; }

    /// <summary>A folder to write the HTML training report into (index.html and its pictures), or null.</summary>
    public string? Report { get; init; }

    /// <summary>Exit non-zero when the final test accuracy (percent) is below this.</summary>
    public double? MinAccuracy { get; init; }

    /// <summary>Only print the help.</summary>
    public bool Help { get; init; }

    /// <summary>The help text.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project samples/04-mnist -- [options]

        Trains a sigmoid MLP on MNIST with mini-batch SGD and reports its test accuracy.
        The defaults are the settings of Nielsen's chapter-1 run (network.py): 784-30-10, quadratic
        cost, batch 10, lr 3.0, 30 epochs. What differs from his run:
          - the initial weights: by default each layer's from N(0, 1/inputs) (1/784 for the hidden
            layer), his from N(0, 1); --init normal starts as he does, weights and biases from N(0, 1)
            (the biases are N(0, 1) either way);
          - the data: all 60,000 training images; he trains on 50,000 and keeps 10,000 for validation;
            both test on the 10,000 test images;
          - float instead of numpy's double, and the start and the shuffles come from --seed, so the
            accuracy of each epoch is not the one he prints.

          --hidden N          hidden neurons (default 30)
          --epochs N          passes over the 60,000 training images (default 30)
          --batch N           mini-batch size (default 10)
          --lr X              learn rate (default 3.0). Too large (20 or more, at batch 10 or 100)
                              and the output sigmoids saturate at 0: the accuracy drops to 10-20%
                              and the mean training loss sits at 0.50000; the trainer then prints a
                              "warning: Saturation" and the sample exits with 1 (docs/07)
          --seed N            seed for the initial weights and the shuffles (default 1)
          --init scaled|normal
                              scaled: weights from N(0, 1/inputSize) (default);
                              normal: N(0, 1) as in the tutorial and in Nielsen's network.py.
                              With 100+ hidden units N(0, 1) saturates the sigmoids and learns slowly.
          --data DIR          an existing folder with the four MNIST files (.gz or raw); default:
                              $MNISTBP_DATA, else a per-user cache folder (missing files are
                              downloaded into the folder chosen)
          --save FILE         save the trained model to FILE, unless the run fails a check (a file
                              already there is then left as it was)
          --report DIR        write a training report to DIR/index.html (settings, curves, confusion
                              matrix, misclassified digits, hidden weights; pictures beside it);
                              written for a run that fails its check too, replacing a report in DIR
          --min-accuracy P    exit with code 1 when the final test accuracy is below P percent
          --help              show this help
        """;

    /// <summary>Parses the command line.</summary>
    /// <exception cref="FormatException">An option is unknown, lacks its value, or has a bad value; the message says which.</exception>
    public static MnistOptions Parse(string[] args)
    {
        var options = new MnistOptions();
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h")
            {
                options = options with { Help = true };
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
                "--hidden" => options with { Hidden = PositiveInt(name, value) },
                "--epochs" => options with { Epochs = PositiveInt(name, value) },
                "--batch" => options with { Batch = PositiveInt(name, value) },
                "--lr" => options with { LearnRate = PositiveFloat(name, value) },
                "--seed" => options with { Seed = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : throw Bad(name, value, "a whole number from 0 to 18446744073709551615") },
                "--init" => options with
                {
                    Init = value switch
                    {
                        "scaled" => WeightInit.ScaledNormal,
                        "normal" => WeightInit.StandardNormal,
                        _ => throw Bad(name, value, "'scaled' or 'normal'"),
                    },
                },
                "--data" => options with { Data = value },
                "--save" => options with { Save = value },
                "--report" => options with { Report = value },
                "--min-accuracy" => options with
                {
                    MinAccuracy = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p is >= 0 and <= 100
                        ? p : throw Bad(name, value, "a percentage from 0 to 100"),
                },
                _ => throw new System.Diagnostics.UnreachableException($"{name} is in ValueOptions but Parse does not read it"),
            };
        }

        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw Bad(name, value, "a whole number from 1 to 2147483647");

    private static float PositiveFloat(string name, string value) =>
        float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) && x > 0 && float.IsFinite(x) ? x : throw Bad(name, value, "a number > 0");

    /// <summary>
    /// The options that take a value: any other name is refused before the switch in Parse reads it, and a '--name=value'
    /// written as one word is told to write them apart. Every name here has its arm in that switch.
    /// </summary>
    private static readonly string[] ValueOptions = ["--hidden", "--epochs", "--batch", "--lr", "--seed", "--init", "--data", "--save", "--report", "--min-accuracy"];

    private static FormatException Bad(string name, string value, string expected) => new($"{name} '{value}': expected {expected}");
}
