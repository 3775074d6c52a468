// DigitApp: sample 06 started for the tests. In memory (WebApplicationFactory's TestServer) for the API
// tests, or on a real Kestrel server on a free loopback port for the load test. Also where the tests
// find the repository and the MNIST test images (MNISTBP_DATA, else the slice shipped with sample 04).
using System.Net.Http.Json;
using System.Text.Json;
using MnistBp.Data;
using MnistBp.Samples.DrawADigit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MnistBp.Web.Tests;

internal static class DigitApp
{
    /// <summary>The app in memory, with the shipped model.</summary>
    public static WebApplicationFactory<Program> InMemory() => new WebApplicationFactory<Program>()
        .WithWebHostBuilder(builder => builder.UseSetting("visitors:capacity", "8"));

    /// <summary>The shared model of a running factory.</summary>
    public static DigitModel Model(WebApplicationFactory<Program> factory) => factory.Services.GetRequiredService<DigitModel>();

    /// <summary>POSTs <paramref name="body"/> as JSON text.</summary>
    public static Task<HttpResponseMessage> PostJsonText(HttpClient client, string path, string body) =>
        client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    /// <summary>POSTs <paramref name="value"/> serialized with System.Text.Json and reads the JSON answer, requiring 200.</summary>
    public static async Task<JsonElement> PostOk(HttpClient client, string path, object value)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync(path, value);
        string text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), $"{path}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The folder holding MnistBp.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The MNIST test set: from $MNISTBP_DATA (or ../shared/datasets/mnist) when present, else the slice shipped with sample 04.</summary>
    public static Dataset MnistTest => s_test.Value;

    private static readonly Lazy<Dataset> s_test = new(() =>
    {
        string? full = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
        string[] candidates = [full ?? "", Path.Combine(RepositoryRoot, "..", "shared", "datasets", "mnist"), Path.Combine(RepositoryRoot, "samples", "04-mnist", "mnist-slice")];
        string folder = candidates.First(c => c.Length > 0 && File.Exists(Path.Combine(c, Mnist.TestLabelsFileName)));
        return Dataset.FromIdx(Path.Combine(folder, Mnist.TestImagesFileName), Path.Combine(folder, Mnist.TestLabelsFileName), classCount: 10);
    });

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MnistBp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No MnistBp.sln above {TestContext.CurrentContext.TestDirectory}.");
    }

    /// <summary>The values of a JSON array of numbers, as floats (System.Text.Json writes floats so that they read back exactly).</summary>
    public static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetSingle())];
}
