// A bounded load test on loopback: the app on a real Kestrel server (WebApplicationFactory.UseKestrel on a
// free port), 8 concurrent clients each sending 2,000 predict requests of real MNIST digits. It asserts
// 0 errors and that every answer is the library's own prediction; it prints requests per second, p50 and
// p99 latency, and never asserts a time (the machine is shared, so the numbers are for reading only).
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MnistBp.Samples.DrawADigit;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MnistBp.Web.Tests;

public class LoadTests
{
    private const int Clients = 8;
    private const int RequestsPerClient = 2_000;

    [Test]
    public async Task Eight_clients_times_2000_predict_requests_on_Kestrel_get_0_errors()
    {
        using var factory = new WebApplicationFactory<Program>();
        factory.UseKestrel(0); // a free port on loopback, a real socket
        factory.StartServer();
        Uri address = factory.CreateClient().BaseAddress!;
        Assert.That(address.IsLoopback, Is.True, address.ToString());

        DigitModel digit = DigitApp.Model(factory);
        Tensor images = DigitApp.MnistTest.GetImages();
        const int Distinct = 50;
        string[] bodies = [.. Enumerable.Range(0, Distinct).Select(i => JsonSerializer.Serialize(new { pixels = images.Row(i).ToArray() }))];
        int[] expected = [.. Enumerable.Range(0, Distinct).Select(i => Evaluation.ArgMax(digit.Model.PredictSample(images.Row(i))))];

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        // One warm-up request, so the first JIT does not count as latency.
        using (HttpResponseMessage warm = await http.PostAsync("/api/predict", new StringContent(bodies[0], System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.That((int)warm.StatusCode, Is.EqualTo(200));
        }

        var latencies = new double[Clients * RequestsPerClient];
        int errors = 0, wrong = 0;
        var errorSamples = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (int r = 0; r < RequestsPerClient; r++)
            {
                int index = ((client * RequestsPerClient) + r) % Distinct;
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using HttpResponseMessage response = await http.PostAsync("/api/predict", new StringContent(bodies[index], System.Text.Encoding.UTF8, "application/json"));
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        errorSamples.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        continue;
                    }

                    PredictAnswer? answer = await response.Content.ReadFromJsonAsync<PredictAnswer>();
                    if (answer?.Prediction != expected[index])
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                {
                    Interlocked.Increment(ref errors);
                    errorSamples.Enqueue(e.Message);
                }
                finally
                {
                    latencies[(client * RequestsPerClient) + r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        })));
        total.Stop();

        Array.Sort(latencies);
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Length - 1, Math.Floor(p * latencies.Length))];
        int count = latencies.Length;
        TestContext.Out.WriteLine(
            $"load: {Clients} clients x {RequestsPerClient} predict requests = {count} on loopback Kestrel in {total.Elapsed.TotalSeconds:F2} s: " +
            $"{count / total.Elapsed.TotalSeconds:F0} requests/s, p50 {Percentile(0.50):F2} ms, p99 {Percentile(0.99):F2} ms, max {latencies[^1]:F2} ms, " +
            $"{errors} errors, {wrong} wrong predictions ({Environment.ProcessorCount} cores, shared with the test client)");

        Assert.That(errors, Is.Zero, string.Join("\n", errorSamples.Take(5)));
        Assert.That(wrong, Is.Zero, "every answer is the library's own prediction");
    }

    private sealed record PredictAnswer(int Prediction);
}
