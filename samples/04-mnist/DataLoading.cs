// Where sample 04 gets its images: the full MNIST when it can (an explicit --data folder, else
// $MNISTBP_DATA, else the per-user cache, downloading missing files there), else the small slice
// shipped beside the sample, announced loudly so nobody mistakes its accuracy for the real one.
// A folder given with --data is never replaced by the slice: when it fails, the sample says why.
using MnistBp.Data;

namespace MnistBp.Samples.Digits;

/// <summary>Finds, downloads or falls back to the MNIST data for the sample.</summary>
public static class DataLoading
{
    /// <summary>The folder of the shipped slice, copied next to the sample's binaries.</summary>
    public static string SliceDirectory => Path.Combine(AppContext.BaseDirectory, "mnist-slice");

    /// <summary>Loads the full MNIST, or the shipped slice when the full set cannot be had.</summary>
    public static MnistData Load(string? directory)
    {
        MnistDirectory location = Mnist.ResolveDirectory(directory);
        MnistData data;
        if (Mnist.IsPresent(location.Path))
        {
            data = Mnist.Load(location.Path, download: false);
        }
        else
        {
            Console.WriteLine($"MNIST is not in {location.Path} ({Describe(location.Source)}); downloading it there.");
            try
            {
                data = Mnist.Load(location.Path, download: true, progress: new SyncProgress<MnistDownloadProgress>(p => Console.WriteLine($"  {p}")));
            }
            catch (MnistDownloadException) when (location.Source == MnistDirectorySource.Argument)
            {
                throw; // --data named this folder explicitly: say what is wrong with it rather than train on something else
            }
            catch (MnistDownloadException e)
            {
                Console.WriteLine();
                Console.WriteLine("!!! The full MNIST could not be found or downloaded:");
                Console.WriteLine($"!!! {e.Message}");
                Console.WriteLine($"!!! TRAINING ON THE SMALL SLICE SHIPPED WITH THIS SAMPLE ({SliceDirectory}):");
                Console.WriteLine("!!! 8,000 training and 2,000 test images. Accuracy will be lower than on the full set.");
                Console.WriteLine($"!!! For the real run, set {Mnist.EnvironmentVariable} or pass --data DIR.");
                Console.WriteLine();
                data = Mnist.Load(SliceDirectory, download: false);
                Console.WriteLine($"data: {data.Train.Count} training and {data.Test.Count} test images from the SHIPPED SLICE in {data.Location.Path}");
                return data;
            }
        }

        Console.WriteLine($"data: {data.Train.Count} training and {data.Test.Count} test images from {location.Path} ({Describe(location.Source)})");
        return data;
    }

    private static string Describe(MnistDirectorySource source) => source switch
    {
        MnistDirectorySource.Argument => "--data",
        MnistDirectorySource.EnvironmentVariable => $"${Mnist.EnvironmentVariable}",
        _ => $"the per-user cache; set ${Mnist.EnvironmentVariable} or pass --data to use another folder",
    };
}
