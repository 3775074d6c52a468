// The training report, opened as a learner opens it: in Chromium, from the file system. Every picture
// must load (naturalWidth > 0), the console must stay free of errors, and the page is kept as a
// screenshot to look at.
using MnistBp;
using MnistBp.Data;
using MnistBp.Pictures;
using Microsoft.Playwright;

namespace MnistBp.Browser.Tests;

public class ReportTests
{
    [Test]
    public async Task The_training_report_shows_every_picture_with_no_console_error()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"mnistbp-report-{Guid.NewGuid():N}");
        try
        {
            string page = WriteReport(folder);
            (IPlaywright playwright, IBrowser browser) = await Browser.LaunchAsync();
            using (playwright)
            await using (browser)
            {
                IPage tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
                var errors = new List<string>();
                tab.Console += (_, message) =>
                {
                    if (message.Type == "error")
                    {
                        errors.Add(message.Text);
                    }
                };
                tab.PageError += (_, error) => errors.Add(error);

                await tab.GotoAsync(new Uri(page).AbsoluteUri);
                await tab.WaitForLoadStateAsync(LoadState.Load);

                string[] sources = await tab.EvalOnSelectorAllAsync<string[]>("img", "images => images.map(i => i.getAttribute('src'))");
                int[] widths = await tab.EvalOnSelectorAllAsync<int[]>("img", "images => images.map(i => i.naturalWidth)");
                string screenshot = Path.Combine(Browser.ScreenshotFolder(), "training-report.png");
                await tab.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
                TestContext.Out.WriteLine($"screenshot: {screenshot}");

                Assert.That(sources, Is.EqualTo(new[] { "curves.svg", "curves-log.svg", "confusion.svg", "misclassified.svg", "weights.png" }));
                Assert.That(widths, Has.All.GreaterThan(0), "every picture loaded: " + string.Join(", ", sources.Zip(widths, (s, w) => $"{s} {w}px")));
                Assert.That(errors, Is.Empty, "console errors");
                Assert.That(await tab.TitleAsync(), Is.EqualTo("Report test: 784-30-10 on the MNIST slice"));
                string[] captions = await tab.EvalOnSelectorAllAsync<string[]>("figcaption", "captions => captions.map(c => c.textContent)");
                Assert.That(captions[^1], Does.StartWith("Each hidden neuron's 784 incoming weights as a 28×28 image"), "the caption is built from the data's image shape");
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Test]
    public async Task The_check_sees_a_picture_that_did_not_load()
    {
        // The check above can fail: with weights.png gone, its img has naturalWidth 0.
        string folder = Path.Combine(Path.GetTempPath(), $"mnistbp-report-{Guid.NewGuid():N}");
        try
        {
            string page = WriteReport(folder);
            File.Delete(Path.Combine(folder, "weights.png"));
            (IPlaywright playwright, IBrowser browser) = await Browser.LaunchAsync();
            using (playwright)
            await using (browser)
            {
                IPage tab = await browser.NewPageAsync();
                await tab.GotoAsync(new Uri(page).AbsoluteUri);
                await tab.WaitForLoadStateAsync(LoadState.Load);
                int[] widths = await tab.EvalOnSelectorAllAsync<int[]>("img", "images => images.map(i => i.naturalWidth)");
                Assert.That(widths[^1], Is.Zero, "the missing weights.png");
                Assert.That(widths[..^1], Has.All.GreaterThan(0));
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Two epochs of 784-30-10 on the shipped slice, written as a report.</summary>
    private static string WriteReport(string folder)
    {
        string slice = Path.Combine(RepositoryRoot(), "samples", "04-mnist", "mnist-slice");
        MnistData data = Mnist.Load(slice);
        var random = new DeterministicRandom(1);
        var model = new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"), new Sigmoid("hidden sigmoid"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"), new Sigmoid("output sigmoid"));
        var trainer = new Trainer(model, new QuadraticCost(), new Sgd(model.Parameters, 3f));
        IReadOnlyList<EpochResult> results = trainer.Fit(data.Train, new TrainingOptions { Epochs = 2, BatchSize = 10, ShuffleSeed = 1 }, data.Test);
        return TrainingReport.Write(new TrainingRun("Report test: 784-30-10 on the MNIST slice", [("learn rate", "3"), ("batch", "10")], results, model, data.Test), folder);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MnistBp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No MnistBp.sln above the test binaries.");
    }
}
