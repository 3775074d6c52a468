// What the API answers, checked against numbers computed independently: the first 100 MNIST test
// images posted as pixels give exactly the library's own Predict; "teach it" gives the loss, dZ and dW
// of the formulas of chapter 5 written out here on plain arrays, and the outputs after one SGD step of
// the same formulas; the shared model never changes; reset and other visitors see the trained model.
using System.Net;
using System.Text.Json;
using MnistBp.Samples.DrawADigit;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MnistBp.Web.Tests;

public class ApiTests
{
    private WebApplicationFactory<Program> _factory = null!;

    [OneTimeSetUp]
    public void Start() => _factory = DigitApp.InMemory();

    [OneTimeTearDown]
    public void Stop() => _factory.Dispose();

    [Test]
    public async Task The_page_and_its_files_are_served()
    {
        using HttpClient client = _factory.CreateClient();
        string html = await client.GetStringAsync("/");
        Assert.That(html, Does.Contain("<canvas id=\"pad\" width=\"280\" height=\"280\""));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "no CDN");
        Assert.That(await client.GetStringAsync("/app.js"), Does.Contain("/api/backprop"));
        using HttpResponseMessage css = await client.GetAsync("/app.css");
        Assert.That(css.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_model_endpoint_reads_the_widths_from_the_model()
    {
        using HttpClient client = _factory.CreateClient();
        JsonElement model = JsonDocument.Parse(await client.GetStringAsync("/api/model")).RootElement;
        Assert.That(model.GetProperty("inputSize").GetInt32(), Is.EqualTo(784));
        Assert.That(model.GetProperty("imageSide").GetInt32(), Is.EqualTo(28));
        Assert.That(model.GetProperty("outputSize").GetInt32(), Is.EqualTo(10));
        Assert.That(model.GetProperty("hiddenSize").GetInt32(), Is.EqualTo(100));
        Assert.That(model.GetProperty("source").GetString(), Does.Contain("shipped").And.Contain("97.80%"));
        Assert.That(model.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("kind").GetString()), Is.EqualTo(new[] { "Dense", "Sigmoid", "Dense", "Sigmoid" }));
        Assert.That(model.GetProperty("model").GetString(), Is.EqualTo("trained"));
    }

    [Test]
    public async Task The_first_100_MNIST_test_images_get_exactly_the_librarys_Predict()
    {
        Sequential shared = DigitApp.Model(_factory).Model;
        Tensor images = DigitApp.MnistTest.GetImages();
        using HttpClient client = _factory.CreateClient();
        int agreeWithLabel = 0;
        for (int i = 0; i < 100; i++)
        {
            float[] pixels = images.Row(i).ToArray();
            JsonElement answer = await DigitApp.PostOk(client, "/api/predict", new { pixels });

            float[] expected = shared.PredictSample(pixels);
            Assert.That(DigitApp.Floats(answer.GetProperty("outputs")), Is.EqualTo(expected), $"image {i}: the outputs, bit for bit");
            Assert.That(answer.GetProperty("prediction").GetInt32(), Is.EqualTo(Evaluation.ArgMax(expected)), $"image {i}");
            float[] probabilities = DigitApp.Floats(answer.GetProperty("probabilities"));
            Assert.That(probabilities.Sum(), Is.EqualTo(1f).Within(1e-5f));
            // p_i = a_i / Σ a (the last layer is a sigmoid)
            Assert.That(probabilities, Is.EqualTo(expected.Select(a => a / expected.Sum())).Within(1e-6f));
            Assert.That(answer.GetProperty("hidden").GetArrayLength(), Is.EqualTo(100));
            agreeWithLabel += answer.GetProperty("prediction").GetInt32() == DigitApp.MnistTest.Labels.Span[i] ? 1 : 0;
        }

        TestContext.Out.WriteLine($"{agreeWithLabel} of the first 100 test images predicted right");
        Assert.That(agreeWithLabel, Is.GreaterThanOrEqualTo(95), "the shipped model is a trained one");
    }

    [Test]
    public async Task Teach_it_gives_the_gradients_and_the_step_of_the_formulas()
    {
        Sequential shared = DigitApp.Model(_factory).Model;
        float[] w1 = shared.Layers[0].Parameters[0].Value.ToArray(), b1 = shared.Layers[0].Parameters[1].Value.ToArray();
        float[] w2 = shared.Layers[2].Parameters[0].Value.ToArray(), b2 = shared.Layers[2].Parameters[1].Value.ToArray();
        const int Inputs = 784, Hidden = 100, Outputs = 10;
        float[] x = DigitApp.MnistTest.GetImages().Row(0).ToArray(); // a 7
        const int Label = 2;
        const float LearnRate = 0.5f;

        using HttpClient client = _factory.CreateClient();
        JsonElement step = await DigitApp.PostOk(client, "/api/backprop", new { pixels = x, label = Label, learnRate = LearnRate });

        // The forward pass on plain arrays: h = σ(x·W1 + b1), a = σ(h·W2 + b2).
        (double[] h, double[] a) = Forward(x, w1, b1, w2, b2);
        double[] y = [.. Enumerable.Range(0, Outputs).Select(k => k == Label ? 1.0 : 0.0)];
        // C = Σ (a - y)² / 2
        double loss = Enumerable.Range(0, Outputs).Sum(k => (a[k] - y[k]) * (a[k] - y[k])) / 2;
        // dZ2 = (a - y) · a · (1 - a)
        double[] dZ2 = [.. Enumerable.Range(0, Outputs).Select(k => (a[k] - y[k]) * a[k] * (1 - a[k]))];
        // dZ1 = (dZ2 · W2ᵀ) · h · (1 - h)
        double[] dZ1 = [.. Enumerable.Range(0, Hidden).Select(j => Enumerable.Range(0, Outputs).Sum(k => dZ2[k] * w2[(j * Outputs) + k]) * h[j] * (1 - h[j]))];

        Assert.That(step.GetProperty("loss").GetDouble(), Is.EqualTo(loss).Within(1e-5));
        Assert.That(DigitApp.Floats(step.GetProperty("dZOutput")), Is.EqualTo(dZ2).Within(1e-6));
        Assert.That(DigitApp.Floats(step.GetProperty("dZHidden")), Is.EqualTo(dZ1).Within(1e-6));

        // dW1[:, j] = xᵀ · dZ1[j], for the 8 neurons with the largest |dZ1|, largest first.
        JsonElement[] dW = [.. step.GetProperty("dW").EnumerateArray()];
        int[] expectedNeurons = [.. Enumerable.Range(0, Hidden).OrderByDescending(j => Math.Abs(dZ1[j])).Take(8)];
        Assert.That(dW.Select(n => n.GetProperty("neuron").GetInt32()), Is.EqualTo(expectedNeurons));
        foreach (JsonElement neuron in dW)
        {
            int j = neuron.GetProperty("neuron").GetInt32();
            Assert.That(DigitApp.Floats(neuron.GetProperty("dW")), Is.EqualTo(x.Select(p => p * dZ1[j])).Within(1e-7), $"neuron {j}");
            Assert.That(neuron.GetProperty("dZ").GetDouble(), Is.EqualTo(dZ1[j]).Within(1e-6));
        }

        // One SGD step by hand: W -= learnRate · dW, b -= learnRate · db, then the forward pass again.
        for (int i = 0; i < Inputs; i++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                w1[(i * Hidden) + j] -= (float)(LearnRate * x[i] * dZ1[j]);
            }
        }

        for (int j = 0; j < Hidden; j++)
        {
            b1[j] -= (float)(LearnRate * dZ1[j]);
            for (int k = 0; k < Outputs; k++)
            {
                w2[(j * Outputs) + k] -= (float)(LearnRate * h[j] * dZ2[k]);
            }
        }

        for (int k = 0; k < Outputs; k++)
        {
            b2[k] -= (float)(LearnRate * dZ2[k]);
        }

        (_, double[] after) = Forward(x, w1, b1, w2, b2);
        Assert.That(DigitApp.Floats(step.GetProperty("after").GetProperty("outputs")), Is.EqualTo(after).Within(1e-5));
        Assert.That(DigitApp.Floats(step.GetProperty("before").GetProperty("outputs")), Is.EqualTo(shared.PredictSample(x)));
        Assert.That(step.GetProperty("lossAfter").GetDouble(), Is.LessThan(loss), "a step toward the label lowers its loss");
        Assert.That(after[Label], Is.GreaterThan(a[Label]));
        Assert.That(step.GetProperty("steps").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_shared_model_never_changes_and_each_visitor_has_their_own_copy()
    {
        DigitModel digit = DigitApp.Model(_factory);
        float[][] before = [.. digit.Model.Parameters.Select(p => p.Value.ToArray())];
        Tensor images = DigitApp.MnistTest.GetImages();
        float[] seven = images.Row(0).ToArray();
        // The image of the first 100 the model is least sure of, taught its runner-up class. (A sure one barely
        // moves: with a sigmoid output and the quadratic cost, dZ = (a - y) a (1 - a) is near 0 when a is near 0 or 1.)
        (float[] unsure, int runnerUp, int predicted) = Enumerable.Range(0, 100)
            .Select(i => (Pixels: images.Row(i).ToArray(), Outputs: digit.Model.PredictSample(images.Row(i))))
            .Select(s => (s.Pixels, RunnerUp: Enumerable.Range(0, 10).OrderByDescending(k => s.Outputs[k]).ElementAt(1), Predicted: Evaluation.ArgMax(s.Outputs), s.Outputs))
            .OrderByDescending(s => s.Outputs[s.RunnerUp])
            .Select(s => (s.Pixels, s.RunnerUp, s.Predicted))
            .First();

        using HttpClient teacher = _factory.CreateClient(), other = _factory.CreateClient();
        int steps = 0;
        JsonElement taught;
        do
        {
            await DigitApp.PostOk(teacher, "/api/backprop", new { pixels = unsure, label = runnerUp, learnRate = 3f });
            steps++;
            taught = await DigitApp.PostOk(teacher, "/api/predict", new { pixels = unsure });
        }
        while (taught.GetProperty("prediction").GetInt32() != runnerUp && steps < 30);

        TestContext.Out.WriteLine($"the teacher's copy calls the {predicted} a {runnerUp} after {steps} steps at learn rate 3");
        Assert.That(taught.GetProperty("model").GetString(), Is.EqualTo("yours"));
        Assert.That(taught.GetProperty("steps").GetInt32(), Is.EqualTo(steps));
        Assert.That(taught.GetProperty("prediction").GetInt32(), Is.EqualTo(runnerUp), "the teacher's copy learned");
        JsonElement sureOne = await DigitApp.PostOk(teacher, "/api/backprop", new { pixels = seven, label = 1, learnRate = 1000f });
        Assert.That(sureOne.GetProperty("steps").GetInt32(), Is.EqualTo(steps + 1));

        JsonElement untouched = await DigitApp.PostOk(other, "/api/predict", new { pixels = unsure });
        Assert.That(untouched.GetProperty("model").GetString(), Is.EqualTo("trained"));
        Assert.That(DigitApp.Floats(untouched.GetProperty("outputs")), Is.EqualTo(digit.Model.PredictSample(unsure)));
        Assert.That(untouched.GetProperty("prediction").GetInt32(), Is.EqualTo(predicted));

        float[][] after = [.. digit.Model.Parameters.Select(p => p.Value.ToArray())];
        Assert.That(after, Is.EqualTo(before), "every weight of the shared model, bit for bit");

        // Reset: back to the trained model.
        JsonElement reset = await DigitApp.PostOk(teacher, "/api/reset", new { });
        Assert.That(reset.GetProperty("dropped").GetBoolean(), Is.True);
        JsonElement again = await DigitApp.PostOk(teacher, "/api/predict", new { pixels = unsure });
        Assert.That(again.GetProperty("model").GetString(), Is.EqualTo("trained"));
        Assert.That(DigitApp.Floats(again.GetProperty("outputs")), Is.EqualTo(digit.Model.PredictSample(unsure)));
    }

    [Test]
    public async Task A_visitors_weight_pictures_follow_their_copy()
    {
        using HttpClient client = _factory.CreateClient();
        byte[] trained = await client.GetByteArrayAsync("/api/weights/0.png");
        Assert.That(trained[..8], Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }));
        float[] seven = DigitApp.MnistTest.GetImages().Row(0).ToArray();
        JsonElement step = await DigitApp.PostOk(client, "/api/backprop", new { pixels = seven, label = 1, learnRate = 1000f });
        int moved = step.GetProperty("dW")[0].GetProperty("neuron").GetInt32();
        byte[] taught = await client.GetByteArrayAsync($"/api/weights/{moved}.png");
        byte[] stillTrained = await _factory.CreateClient().GetByteArrayAsync($"/api/weights/{moved}.png");
        Assert.That(taught, Is.Not.EqualTo(stillTrained));
    }

    [Test]
    public async Task The_model_option_loads_another_model_and_the_page_follows_its_widths()
    {
        // --model FILE arrives as the configuration key "model": a random 784-16-10 saved to a temporary file.
        var random = new DeterministicRandom(5);
        var other = new Sequential(new Dense(784, 16, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid(), new Dense(16, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid());
        using var app = new AppWithModel(other);
        HttpClient client = app.Client;
        JsonElement model = JsonDocument.Parse(await client.GetStringAsync("/api/model")).RootElement;
        Assert.That(model.GetProperty("source").GetString(), Is.EqualTo($"--model {app.Path}"));
        Assert.That(model.GetProperty("hiddenSize").GetInt32(), Is.EqualTo(16));
        Assert.That(model.GetProperty("description").GetString(), Does.StartWith("784-16-10:"));

        float[] pixels = DigitApp.MnistTest.GetImages().Row(1).ToArray();
        JsonElement answer = await DigitApp.PostOk(client, "/api/predict", new { pixels });
        Assert.That(DigitApp.Floats(answer.GetProperty("outputs")), Is.EqualTo(other.PredictSample(pixels)));
        Assert.That(answer.GetProperty("hidden").GetArrayLength(), Is.EqualTo(16));
    }

    [Test]
    public async Task A_model_that_ends_in_logits_is_read_through_a_softmax_and_taught_with_softmax_cross_entropy()
    {
        // A ReLU net ending in a Dense layer (sample 05's recipes): logits, no output activation.
        var random = new DeterministicRandom(9);
        var other = new Sequential(new Dense(784, 20, WeightInit.HeNormal, random, "hidden"), new Relu(), new Dense(20, 10, WeightInit.XavierNormal, random, "output"));
        using var app = new AppWithModel(other);
        HttpClient client = app.Client;
        float[] pixels = DigitApp.MnistTest.GetImages().Row(3).ToArray();
        float[] logits = other.PredictSample(pixels);
        // p_j = e^(z_j) / Σ_k e^(z_k), in double
        double max = logits.Max();
        double[] expected = [.. logits.Select(z => Math.Exp(z - max))];
        double sum = expected.Sum();

        JsonElement answer = await DigitApp.PostOk(client, "/api/predict", new { pixels });
        float[] probabilities = DigitApp.Floats(answer.GetProperty("probabilities"));
        Assert.That(DigitApp.Floats(answer.GetProperty("outputs")), Is.EqualTo(logits));
        for (int j = 0; j < 10; j++)
        {
            Assert.That(probabilities[j], Is.EqualTo(expected[j] / sum).Within(1e-6), $"p[{j}]");
        }

        // Teach it label 4: the loss is -ln p_4 and dZ at the output is p - y.
        JsonElement step = await DigitApp.PostOk(client, "/api/backprop", new { pixels, label = 4, learnRate = 0.1f });
        Assert.That(step.GetProperty("loss").GetDouble(), Is.EqualTo(-Math.Log(expected[4] / sum)).Within(1e-5));
        float[] dZ = DigitApp.Floats(step.GetProperty("dZOutput"));
        for (int j = 0; j < 10; j++)
        {
            Assert.That(dZ[j], Is.EqualTo((expected[j] / sum) - (j == 4 ? 1 : 0)).Within(1e-6), $"dZ[{j}]");
        }

        float[] after = DigitApp.Floats(step.GetProperty("after").GetProperty("probabilities"));
        Assert.That(after[4], Is.GreaterThan(probabilities[4]), "one step towards label 4 raises its probability");
    }

    [Test]
    public async Task A_deeper_model_with_dropout_shows_its_first_hidden_layer_and_teaches_without_dropping()
    {
        // Sample 05's shape: Dense-Relu-Dropout-Dense-Relu-Dropout-Dense. The page leaves the dropouts out (the identity
        // at inference), so its outputs are the library's Predict and "teach it" is deterministic.
        var random = new DeterministicRandom(11);
        var other = new Sequential(
            new Dense(784, 20, WeightInit.HeNormal, random, "hidden 1"), new Relu(), new Dropout(0.5f, 1),
            new Dense(20, 16, WeightInit.HeNormal, random, "hidden 2"), new Relu(), new Dropout(0.5f, 2),
            new Dense(16, 10, WeightInit.XavierNormal, random, "output"));
        using var app = new AppWithModel(other);
        HttpClient client = app.Client;
        JsonElement model = JsonDocument.Parse(await client.GetStringAsync("/api/model")).RootElement;
        Assert.That(model.GetProperty("hiddenSize").GetInt32(), Is.EqualTo(20), "the first hidden layer, whose neurons are W1's columns");
        Assert.That(model.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("kind").GetString()), Has.None.EqualTo("Dropout"));

        float[] pixels = DigitApp.MnistTest.GetImages().Row(2).ToArray();
        JsonElement answer = await DigitApp.PostOk(client, "/api/predict", new { pixels });
        Assert.That(DigitApp.Floats(answer.GetProperty("outputs")), Is.EqualTo(other.PredictSample(pixels)));
        Assert.That(answer.GetProperty("hidden").GetArrayLength(), Is.EqualTo(20));

        JsonElement first = await DigitApp.PostOk(client, "/api/backprop", new { pixels, label = 3, learnRate = 0.01f });
        Assert.That(DigitApp.Floats(first.GetProperty("before").GetProperty("outputs")), Is.EqualTo(other.PredictSample(pixels)), "teaching starts from the page's outputs");
        Assert.That(DigitApp.Floats(first.GetProperty("dZHidden")), Has.Length.EqualTo(20));
    }

    private static (double[] Hidden, double[] Outputs) Forward(float[] x, float[] w1, float[] b1, float[] w2, float[] b2)
    {
        int inputs = x.Length, hidden = b1.Length, outputs = b2.Length;
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        // h_j = σ(Σ_i x_i W1[i, j] + b1_j)
        double[] h = [.. Enumerable.Range(0, hidden).Select(j => Sigmoid(Enumerable.Range(0, inputs).Sum(i => (double)x[i] * w1[(i * hidden) + j]) + b1[j]))];
        // a_k = σ(Σ_j h_j W2[j, k] + b2_k)
        double[] a = [.. Enumerable.Range(0, outputs).Select(k => Sigmoid(Enumerable.Range(0, hidden).Sum(j => h[j] * w2[(j * outputs) + k]) + b2[k]))];
        return (h, a);
    }

    /// <summary>The app started with --model on <c>model</c>, saved to a temporary file that Dispose deletes.</summary>
    private sealed class AppWithModel : IDisposable
    {
        private readonly WebApplicationFactory<Program> _factory;

        public AppWithModel(Sequential model)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mnistbp-web-{Guid.NewGuid():N}.mnbp");
            ModelFile.Save(model, Path);
            _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder.UseSetting("model", Path));
            Client = _factory.CreateClient();
        }

        public string Path { get; }

        public HttpClient Client { get; }

        public void Dispose()
        {
            Client.Dispose();
            _factory.Dispose();
            File.Delete(Path);
        }
    }
}
