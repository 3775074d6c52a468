// Sample 06's page in Chromium, served by the app itself on a real Kestrel port: a "1" drawn as a
// vertical stroke and a "0" drawn as a ring with mouse moves are recognised, "teach it" shows the loss,
// the gradients and the probabilities after the step, reset goes back to the trained model, and the
// console stays free of errors. Screenshots: draw-a-digit-one.png, draw-a-digit-zero.png,
// draw-a-digit-teach.png (MNISTBP_SCREENSHOTS=docs/pictures regenerates the README's).
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace MnistBp.Browser.Tests;

public class DrawADigitTests
{
    private WebApplicationFactory<Program> _app = null!;
    private Uri _address = null!;

    [OneTimeSetUp]
    public void StartApp()
    {
        _app = new WebApplicationFactory<Program>();
        _app.UseKestrel(0); // a free loopback port the browser can reach
        _app.StartServer();
        _address = _app.CreateClient().BaseAddress!;
    }

    [OneTimeTearDown]
    public void StopApp() => _app.Dispose();

    [Test]
    public async Task A_drawn_1_and_a_drawn_0_are_recognised_and_teach_it_shows_the_backward_pass()
    {
        (IPlaywright playwright, IBrowser browser) = await Browser.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1240, Height = 860 } });
            var errors = new List<string>();
            tab.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    errors.Add(message.Text);
                }
            };
            tab.PageError += (_, error) => errors.Add(error);

            await tab.GotoAsync(_address.AbsoluteUri);
            await tab.WaitForFunctionAsync("() => window.digitPage && window.digitPage.ready === true");
            Assert.That(await tab.TextContentAsync("#model-source"), Does.Contain("784-100-10"));
            Assert.That(await tab.Locator("#labels button").CountAsync(), Is.EqualTo(10), "one label button per output of the model");

            // A "1": one vertical stroke down the middle.
            await Stroke(tab, [.. Enumerable.Range(0, 21).Select(i => (140.0, 40.0 + (10 * i)))]);
            int one = await SettledPrediction(tab);
            string folder = Browser.ScreenshotFolder();
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "draw-a-digit-one.png") });
            Assert.That(one, Is.EqualTo(1), "a vertical stroke is a 1");
            Assert.That(await tab.TextContentAsync("#prediction"), Is.EqualTo("1"));
            Assert.That(await tab.Locator("#bars .bar").CountAsync(), Is.EqualTo(10));
            Assert.That(await tab.EvalOnSelectorAllAsync<int[]>("#weights img", "images => images.map(i => i.naturalWidth)"), Has.Length.EqualTo(6).And.All.GreaterThan(0), "the most active neurons' weights loaded");

            // Clear, then a "0": a ring of 48 points, taller than wide.
            await tab.ClickAsync("#clear");
            await SettledPrediction(tab);
            await Stroke(tab, [.. Enumerable.Range(0, 49).Select(i => (140 + (60 * Math.Sin(i * Math.PI / 24)), 140 - (90 * Math.Cos(i * Math.PI / 24))))]);
            int zero = await SettledPrediction(tab);
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "draw-a-digit-zero.png") });
            Assert.That(zero, Is.EqualTo(0), "a ring is a 0");

            // Teach it: the true digit is 0, one step at learn rate 3.
            double before = await tab.EvaluateAsync<double>("() => window.digitPage.last.probabilities[0]");
            await tab.ClickAsync("#label-0");
            await tab.FillAsync("#learn-rate", "3");
            await tab.ClickAsync("#teach-button");
            await tab.WaitForFunctionAsync("() => window.digitPage.teachings === 1");
            await tab.WaitForSelectorAsync("#teach-result:not([hidden])");
            await SettledPrediction(tab);
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "draw-a-digit-teach.png"), FullPage = true });
            TestContext.Out.WriteLine($"screenshots in {folder}");

            Assert.That(double.Parse(await tab.TextContentAsync("#loss") ?? "", System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0));
            Assert.That(await tab.Locator("#dz-output .bar").CountAsync(), Is.EqualTo(10), "dZ at the output, one per class");
            Assert.That(await tab.EvaluateAsync<int[]>("() => { const c = document.getElementById('dz-hidden'); return [c.width, c.height]; }"), Is.EqualTo(new[] { 10, 10 }), "dZ of the 100 hidden neurons");
            Assert.That(await tab.Locator("#dw canvas").CountAsync(), Is.EqualTo(8), "dW of the 8 hidden neurons the step moves most");
            Assert.That(await tab.Locator("#after-bars .bar").CountAsync(), Is.EqualTo(10), "the probabilities after the step");
            Assert.That(await tab.TextContentAsync("#after-prediction"), Is.EqualTo("0"));
            double after = await tab.EvaluateAsync<double>("() => window.digitPage.lastBackprop.after.probabilities[0]");
            Assert.That(after, Is.GreaterThanOrEqualTo(before), "a step toward the true digit does not lower its probability");
            Assert.That(await tab.TextContentAsync("#model-state"), Does.Contain("your copy, taught 1 step"));

            // Reset: back to the trained model.
            await tab.ClickAsync("#reset");
            await tab.WaitForFunctionAsync("() => window.digitPage.last.model === 'trained'");
            Assert.That(await tab.TextContentAsync("#model-state"), Does.Contain("the trained model"));
            Assert.That(await tab.TextContentAsync("#error"), Is.Empty);
            Assert.That(errors, Is.Empty, "console errors");
        }
    }

    [Test]
    public async Task Undo_removes_the_last_stroke()
    {
        (IPlaywright playwright, IBrowser browser) = await Browser.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage tab = await browser.NewPageAsync();
            await tab.GotoAsync(_address.AbsoluteUri);
            await tab.WaitForFunctionAsync("() => window.digitPage && window.digitPage.ready === true");
            await Stroke(tab, [.. Enumerable.Range(0, 21).Select(i => (140.0, 40.0 + (10 * i)))]);
            Assert.That(await SettledPrediction(tab), Is.EqualTo(1));
            await Stroke(tab, [.. Enumerable.Range(0, 21).Select(i => (40.0 + (10 * i), 140.0))]); // a cross
            await SettledPrediction(tab);
            await tab.ClickAsync("#undo");
            Assert.That(await SettledPrediction(tab), Is.EqualTo(1), "the vertical stroke again");
            await tab.ClickAsync("#undo");
            await tab.WaitForFunctionAsync("() => window.digitPage.points() === 0 && window.digitPage.predictedFor === 0");
            Assert.That(await tab.TextContentAsync("#prediction"), Is.EqualTo("–"), "a blank pad predicts nothing");
        }
    }

    /// <summary>Draws one stroke with the mouse through <paramref name="points"/> (pad pixels, 0..280).</summary>
    private static async Task Stroke(IPage tab, (double X, double Y)[] points)
    {
        LocatorBoundingBoxResult box = (await tab.Locator("#pad").BoundingBoxAsync())!;
        double scale = box.Width / 280;
        await tab.Mouse.MoveAsync((float)(box.X + (points[0].X * scale)), (float)(box.Y + (points[0].Y * scale)));
        await tab.Mouse.DownAsync();
        foreach ((double x, double y) in points.Skip(1))
        {
            await tab.Mouse.MoveAsync((float)(box.X + (x * scale)), (float)(box.Y + (y * scale)), new MouseMoveOptions { Steps = 2 });
        }

        await tab.Mouse.UpAsync();
    }

    /// <summary>Waits until the page's prediction is for everything drawn, and returns it.</summary>
    private static async Task<int> SettledPrediction(IPage tab)
    {
        await tab.WaitForFunctionAsync("() => window.digitPage.predictedFor === window.digitPage.points()");
        return await tab.EvaluateAsync<int>("() => window.digitPage.points() === 0 ? -1 : window.digitPage.last.prediction");
    }
}
