// Sample 05 without running it: its command line (the issue's exact form, every option, every bad
// value named in its error), its list of recipes (the five the issue asks for, each with a reference
// and a number), and every recipe built for data that is not MNIST: 8x8 images in 5 classes, where a
// recipe that assumed 784 inputs or 10 classes would throw or give the wrong output width. .ci/run
// runs each recipe for real on MNIST and checks the last line's format.
using MnistBp.Data;
using MnistBp.Samples.Beyond;

namespace MnistBp.Tests.Samples;

[NonParallelizable] // the recipes train on both kernel threads
internal sealed class BeyondTheTutorialTests
{
    [Test]
    public void The_usage_is_the_issue_s_command_line()
    {
        string usage = RecipeOptions.Usage;
        Assert.That(usage, Does.Contain(
            "dotnet run -c Release --project samples/05-beyond-the-tutorial -- --recipe NAME [--epochs N] [--seed S] [--data DIR] [--save FILE] [--min-accuracy P]"));
        Assert.That(usage, Does.Contain("dotnet run -c Release --project samples/05-beyond-the-tutorial -- --list"));
        foreach (string option in new[] { "--recipe NAME", "--epochs N", "--seed S", "--data DIR", "--save FILE", "--min-accuracy P", "--list", "--help" })
        {
            Assert.That(usage, Does.Contain($"  {option}"), $"the help explains {option}");
        }
    }

    [Test]
    public void Every_option_is_read()
    {
        RecipeOptions options = RecipeOptions.Parse(["--recipe", "fast-98", "--epochs", "2", "--seed", "7", "--data", "/d", "--save", "m.bin", "--min-accuracy", "97.5"]);
        Assert.That(options, Is.EqualTo(new RecipeOptions { Recipe = "fast-98", Epochs = 2, Seed = 7, Data = "/d", Save = "m.bin", MinAccuracy = 97.5 }));
        Assert.That(RecipeOptions.Parse(["--recipe", "dropout"]), Is.EqualTo(new RecipeOptions { Recipe = "dropout", Seed = 1 }), "defaults: seed 1, the recipe's epochs");
        Assert.That(RecipeOptions.Parse(["--list"]).List, Is.True);
        Assert.That(RecipeOptions.Parse(["--help"]).Help, Is.True);
    }

    [TestCase(new string[0], "--recipe NAME is required")]
    [TestCase(new[] { "--recipe" }, "--recipe needs a value")]
    [TestCase(new[] { "--recipe", "dropout", "--epochs", "0" }, "--epochs '0': expected a whole number from 1 to 2147483647")]
    [TestCase(new[] { "--recipe", "dropout", "--epochs", "99999999999" }, "--epochs '99999999999': expected a whole number from 1 to 2147483647")]
    [TestCase(new[] { "--recipe", "dropout", "--epochs", "1.5" }, "--epochs '1.5'")]
    [TestCase(new[] { "--recipe", "dropout", "--seed", "-1" }, "--seed '-1': expected a whole number from 0 to 18446744073709551615")]
    [TestCase(new[] { "--recipe", "dropout", "--epochs=3" }, "'--epochs=3': write the option and its value apart, '--epochs 3'")]
    [TestCase(new[] { "--recipe", "dropout", "--nosuch=3" }, "unknown option '--nosuch=3'")]
    [TestCase(new[] { "--recipe", "dropout", "--nosuch" }, "unknown option '--nosuch'")]
    [TestCase(new[] { "--recipe", "nosuch", "--recipe", "dropout" }, "--recipe is given twice; give it once")]
    [TestCase(new[] { "--recipe", "dropout", "--min-accuracy", "101" }, "--min-accuracy '101': expected a percentage from 0 to 100")]
    [TestCase(new[] { "--recipe", "dropout", "--min-accuracy", "NaN" }, "--min-accuracy 'NaN'")]
    [TestCase(new[] { "--recipe", "dropout", "--learn-rate", "3" }, "unknown option '--learn-rate'")]
    [TestCase(new[] { "dropout" }, "unknown argument 'dropout'")]
    public void A_bad_command_line_is_refused_with_what_is_wrong(string[] args, string message) =>
        Assert.That(() => RecipeOptions.Parse(args), Throws.InstanceOf<FormatException>().With.Message.Contains(message));

    [Test]
    public void The_list_has_the_issue_s_recipes_each_with_its_reference_and_number()
    {
        string[] names = [.. Recipes.All.Select(r => r.Name)];
        Assert.That(names, Is.SupersetOf(new[] { "nielsen-ch3", "simard-800", "dropout", "augmented", "fast-98" }));
        Assert.That(names, Is.Unique);
        foreach (Recipe recipe in Recipes.All)
        {
            Assert.That(recipe.Reference, Is.Not.Empty, recipe.Name);
            Assert.That(recipe.Published, Does.Match(@"\d+(\.\d+)?%"), $"{recipe.Name}: its published number");
            Assert.That(recipe.Epochs, Is.Positive, recipe.Name);
        }

        Assert.That(Recipes.All.Single(r => r.Name == "nielsen-ch3").Validates, Is.True, "Nielsen validates on the last 10,000 training images");
    }

    [TestCaseSource(nameof(RecipeNames))]
    public void Every_recipe_builds_and_trains_on_data_that_is_not_MNIST_sized(string name)
    {
        // 8 x 8 images, 5 classes, 200 samples: nothing in a recipe may assume 784 inputs, 28 x 28 or 10 classes.
        const int Width = 8, Height = 8, Classes = 5, Count = 200;
        Recipe recipe = Recipes.All.Single(r => r.Name == name);
        RecipeRun run = recipe.Build(new RecipeSetup(Width * Height, Width, Height, Classes, Count, Epochs: 2, Seed: 3));

        var random = new DeterministicRandom(11);
        byte[] pixels = new byte[Count * Width * Height], labels = new byte[Count];
        for (int i = 0; i < Count; i++)
        {
            labels[i] = (byte)(i % Classes);
            for (int j = 0; j < Width * Height; j++)
            {
                // each class lights its own band of pixels, plus noise
                pixels[(i * Width * Height) + j] = (byte)((j * Classes / (Width * Height) == labels[i] ? 204 : 25) + random.NextDouble() * 25);
            }
        }

        // Images (not bare features), so the augmented recipe can distort them as 8 x 8 pictures.
        Dataset images = Dataset.FromIdx(new IdxArray([Count, Height, Width], pixels, "images"), new IdxArray([Count], labels, "labels"), Classes);
        var trainer = new Trainer(run.Model, run.Loss, run.Optimizer);
        IReadOnlyList<EpochResult> results = trainer.Fit(images, run.Options with { Epochs = 2 });

        Assert.That(results, Has.Count.EqualTo(2));
        Assert.That(results.Select(r => r.MeanTrainingLoss), Has.All.Matches<double>(double.IsFinite), $"{name}: finite losses");
        Assert.That(run.Model.Predict(images.GetImages()).Columns, Is.EqualTo(Classes), $"{name}: one output per class");
        Assert.That(run.Settings, Does.StartWith($"{Width * Height}-").And.Contain($"-{Classes},"), $"{name}: the settings line names the data's sizes");
    }

    private static IEnumerable<string> RecipeNames() => Recipes.All.Select(r => r.Name);
}
