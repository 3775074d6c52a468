// Every bad input of /api/predict and /api/backprop answers 400 with a JSON problem detail whose
// errors name the field (body, pixels, label, learnRate), and leaves the visitor's copy as it was.
using System.Net;
using System.Text;
using System.Text.Json;
using MnistBp.Samples.DrawADigit;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MnistBp.Web.Tests;

public class BadInputTests
{
    private WebApplicationFactory<Program> _factory = null!;

    [OneTimeSetUp]
    public void Start() => _factory = DigitApp.InMemory();

    [OneTimeTearDown]
    public void Stop() => _factory.Dispose();

    private static string Pixels(string value, int count = 784) => "[" + string.Join(",", Enumerable.Repeat(value, count)) + "]";

    private static string PixelsWith(int index, string value) =>
        "[" + string.Join(",", Enumerable.Range(0, 784).Select(i => i == index ? value : "0")) + "]";

    private static string Backprop(string pixels, string label = "3", string learnRate = "0.5") =>
        $$"""{"pixels": {{pixels}}, "label": {{label}}, "learnRate": {{learnRate}}}""";

    /// <summary>(what, endpoint, body, the field the problem must name, a piece of its message).</summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, string path, string body, string field, string message) =>
            new TestCaseData(path, body, field, message).SetName($"{path.Replace("/api/", "", StringComparison.Ordinal)}: {name}");

        foreach (string path in new[] { "/api/predict", "/api/backprop" })
        {
            Func<string, string> body = path == "/api/predict" ? p => $$"""{"pixels": {{p}}}""" : p => Backprop(p);
            yield return Case("783 pixels", path, body(Pixels("0", 783)), "pixels", "it has 783");
            yield return Case("785 pixels", path, body(Pixels("0", 785)), "pixels", "it has 785");
            yield return Case("no pixels", path, body("[]"), "pixels", "it has 0");
            yield return Case("pixels missing", path, """{"label": 3, "learnRate": 1}""", "pixels", "pixels is missing");
            yield return Case("pixels a string", path, body("\"0,0,0\""), "pixels", "it is a string");
            yield return Case("pixels null", path, body("null"), "pixels", "it is null");
            yield return Case("pixel NaN as a string", path, body(PixelsWith(5, "\"NaN\"")), "pixels", "pixels[5]");
            yield return Case("pixel Infinity as a string", path, body(PixelsWith(6, "\"Infinity\"")), "pixels", "NaN and infinities");
            yield return Case("pixel 1e400 (infinite as a float)", path, body(PixelsWith(7, "1e400")), "pixels", "pixels[7] = 1e400 is not a finite number");
            yield return Case("pixel 3.5e38 (beyond float)", path, body(PixelsWith(8, "3.5e38")), "pixels", "pixels[8]");
            yield return Case("pixel -0.001", path, body(PixelsWith(9, "-0.001")), "pixels", "pixels[9] = -0.001 is outside 0..1");
            yield return Case("pixel 1.0001", path, body(PixelsWith(783, "1.0001")), "pixels", "pixels[783] = 1.0001 is outside 0..1");
            yield return Case("pixel 255 (bytes, not bytes / 255)", path, body(PixelsWith(0, "255")), "pixels", "outside 0..1");
            yield return Case("pixel null", path, body(PixelsWith(10, "null")), "pixels", "pixels[10] must be a number");
            yield return Case("pixel true", path, body(PixelsWith(11, "true")), "pixels", "it is a boolean");
            yield return Case("bare NaN literal", path, body(PixelsWith(12, "NaN")), "body", "not valid JSON");
            yield return Case("bare Infinity literal", path, body(PixelsWith(12, "Infinity")), "body", "not valid JSON");
            yield return Case("malformed JSON", path, """{"pixels": [0, 0""", "body", "not valid JSON");
            yield return Case("trailing garbage", path, body(Pixels("0")) + "}", "body", "not valid JSON");
            yield return Case("empty body", path, "", "body", "empty");
            yield return Case("an array, not an object", path, Pixels("0"), "body", "must be a JSON object");
            yield return Case("a number, not an object", path, "42", "body", "must be a JSON object");
            yield return Case("too deep", path, "{\"pixels\": " + new string('[', 40) + new string(']', 40) + "}", "body", "not valid JSON");
            yield return Case("over the size limit", path, body(Pixels("0." + new string('0', 100))), "body", "at most 65536");
        }

        string pixels = Pixels("0");
        yield return Case("label missing", "/api/backprop", $$"""{"pixels": {{pixels}}, "learnRate": 1}""", "label", "label is missing");
        yield return Case("label 10 (the model has 10 outputs)", "/api/backprop", Backprop(pixels, label: "10"), "label", "from 0 to 9");
        yield return Case("label -1", "/api/backprop", Backprop(pixels, label: "-1"), "label", "got -1");
        yield return Case("label 3.5", "/api/backprop", Backprop(pixels, label: "3.5"), "label", "got 3.5");
        yield return Case("label \"3\"", "/api/backprop", Backprop(pixels, label: "\"3\""), "label", "whole number");
        yield return Case("label 1e10", "/api/backprop", Backprop(pixels, label: "1e10"), "label", "whole number");
        yield return Case("learnRate missing", "/api/backprop", $$"""{"pixels": {{pixels}}, "label": 3}""", "learnRate", "learnRate is missing");
        yield return Case("learnRate 0", "/api/backprop", Backprop(pixels, learnRate: "0"), "learnRate", "positive");
        yield return Case("learnRate -1", "/api/backprop", Backprop(pixels, learnRate: "-1"), "learnRate", "got -1");
        yield return Case("learnRate 1e-50 (0 as a float)", "/api/backprop", Backprop(pixels, learnRate: "1e-50"), "learnRate", "positive");
        yield return Case("learnRate 1e39 (infinite as a float)", "/api/backprop", Backprop(pixels, learnRate: "1e39"), "learnRate", "finite");
        yield return Case("learnRate 1e400", "/api/backprop", Backprop(pixels, learnRate: "1e400"), "learnRate", "finite");
        yield return Case("learnRate \"NaN\"", "/api/backprop", Backprop(pixels, learnRate: "\"NaN\""), "learnRate", "got \"NaN\"");
        yield return Case("learnRate 1001 (above the cap)", "/api/backprop", Backprop(pixels, learnRate: "1001"), "learnRate", "at most 1000");
        yield return Case("learnRate null", "/api/backprop", Backprop(pixels, learnRate: "null"), "learnRate", "got null");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_bad_request_gets_400_with_a_problem_naming_the_field(string path, string body, string field, string message)
    {
        using HttpClient client = _factory.CreateClient();
        using HttpResponseMessage response = await DigitApp.PostJsonText(client, path, body);
        string text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        JsonElement problem = JsonDocument.Parse(text).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(400));
        JsonElement errors = problem.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { field }), text);
        Assert.That(errors.GetProperty(field)[0].GetString(), Does.Contain(message));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(message));
        // Refused before anything ran: no visitor copy was made, so no cookie was handed out.
        Assert.That(response.Headers.Contains("Set-Cookie"), Is.False);
    }

    [Test]
    public async Task A_chunked_body_over_the_limit_is_refused_too()
    {
        // No Content-Length up front: the limit is enforced while reading.
        using HttpClient client = _factory.CreateClient();
        byte[] bytes = Encoding.UTF8.GetBytes("{\"pixels\": " + Pixels("0." + new string('0', 100)) + "}");
        using var content = new StreamContent(new NoLengthStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty("body")[0].GetString(), Does.Contain("longer than 65536"));
    }

    [Test]
    public async Task A_bad_request_leaves_the_visitors_copy_as_it_was()
    {
        using HttpClient client = _factory.CreateClient();
        float[] pixels = DigitApp.MnistTest.GetImages().Row(0).ToArray();
        JsonElement taught = await DigitApp.PostOk(client, "/api/backprop", new { pixels, label = 3, learnRate = 1f });
        JsonElement before = await DigitApp.PostOk(client, "/api/predict", new { pixels });
        Assert.That(before.GetProperty("model").GetString(), Is.EqualTo("yours"));

        foreach (string body in new[] { Backprop(Pixels("0"), label: "10"), Backprop(Pixels("0"), learnRate: "-1"), Backprop(PixelsWith(3, "2")) })
        {
            using HttpResponseMessage response = await DigitApp.PostJsonText(client, "/api/backprop", body);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        JsonElement after = await DigitApp.PostOk(client, "/api/predict", new { pixels });
        Assert.That(DigitApp.Floats(after.GetProperty("outputs")), Is.EqualTo(DigitApp.Floats(before.GetProperty("outputs"))));
        Assert.That(after.GetProperty("steps").GetInt32(), Is.EqualTo(taught.GetProperty("steps").GetInt32()));
    }

    [Test]
    public async Task A_neuron_outside_the_hidden_layer_gets_400_naming_it()
    {
        using HttpClient client = _factory.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/api/weights/100.png");
        string text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty("neuron")[0].GetString(), Does.Contain("from 0 to 99"));
    }

    /// <summary>A stream that hides its length, so HttpClient sends the body chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
