// DocsTests: docs/ is read beside Victor Zhou's post, so it must not drift from the code.
//   - every ```csharp block under a <!-- snippet: path#Member --> marker equals that member's text,
//     extracted from the source by Snippets.Extract (MNISTBP_UPDATE_SNIPPETS=1 rewrites the blocks);
//   - every repository path and relative link in the docs exists;
//   - every `Type.Member` in a "## Code" or "## Run it" section (anywhere in notation.md) exists in the assemblies;
//   - every chapter names the section of the post (or, from chapter 11, of Nielsen's book) it pairs with, and the index lists every page;
//   - the gradients chapter 5 quotes are the ones the layers compute.
// DocsReaderTests below shows that each of these checks can fail.
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using MnistBp.Samples.NetworkFromLayers;
using MnistBp.Samples.TutorialNetwork;

namespace MnistBp.Tests;

public partial class DocsTests
{
    /// <summary>Set to 1 to rewrite the snippet blocks in docs/*.md from the code instead of failing.</summary>
    public const string UpdateVariable = "MNISTBP_UPDATE_SNIPPETS";

    /// <summary>
    /// The sections of "Machine Learning for Beginners: An Introduction to Neural Networks"
    /// (victorzhou.com) that a chapter can pair with.
    /// </summary>
    internal static readonly string[] s_postSections =
    [
        "1. Building Blocks: Neurons",
        "2. Combining Neurons into a Neural Network",
        "3. Training a Neural Network, Part 1",
        "4. Training a Neural Network, Part 2",
        "Now What?",
    ];

    /// <summary>
    /// The sections of Michael Nielsen's "Neural Networks and Deep Learning" that the chapters past the
    /// tutorial (11 onward) can pair with instead: chapter 3, and chapter 5 for vanishing gradients.
    /// </summary>
    internal static readonly string[] s_nielsenSections =
    [
        "The cross-entropy cost function",
        "Softmax",
        "Overfitting and regularization",
        "Weight initialization",
        "Artificially expanding the training data",
        "Variations on stochastic gradient descent",
        "The vanishing gradient problem",
    ];

    /// <summary>Where `Type.Member` names are looked up: the library, the two samples the tests reference, and the tests.</summary>
    internal static readonly Assembly[] s_assemblies =
        [typeof(Tensor).Assembly, typeof(OurNeuralNetwork).Assembly, typeof(LayersNetwork).Assembly, typeof(DocsTests).Assembly];

    private static string Root => TestPaths.RepositoryRoot;

    private static string DocsFolder => Path.Combine(Root, "docs");

    [Test]
    public void Every_snippet_in_the_docs_is_the_code_it_names()
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            UpdateSnippets();
        }

        List<DocPage> pages = Pages();
        List<string> problems = [.. pages.SelectMany(page => page.CheckSnippets(ReadSource))];

        Assert.That(problems.Count == 0, Is.True,
            $"{problems.Count} snippet(s) in docs/ do not match the code:\n{Problems.Format(problems)}"
            + $"When the code changed on purpose, rewrite every block from the code with\n  {DocPage.RegenerateCommand}\n"
            + "and read the diff of docs/: the prose around a block may need to change too. A missing member means "
            + "the marker must name its new place (path#Type.Member, #Name(2) for the 2nd overload, #Name(parameter text)).");
        Assert.That(pages.Sum(page => page.Markers.Count), Is.GreaterThan(20), "the chapters show code through snippet markers");
    }

    [Test]
    public void Every_file_and_link_the_docs_point_at_exists()
    {
        var problems = new List<string>();
        int count = 0;
        foreach (DocPage page in Pages())
        {
            foreach ((int line, string mentioned, string fullPath) in page.PathsAndLinks(Root, DocsFolder))
            {
                count++;
                if (!File.Exists(fullPath) && !Directory.Exists(fullPath))
                {
                    problems.Add($"{page.Name}:{line + 1}: '{mentioned}' does not exist (looked for {fullPath}).");
                }
            }
        }

        Assert.That(problems.Count == 0, Is.True, $"The docs point at files that are not there:\n{Problems.Format(problems)}");
        Assert.That(count, Is.GreaterThan(50), "the chapters name the files they describe");
    }

    [Test]
    public void Every_member_named_in_a_Code_or_Run_it_section_exists()
    {
        var problems = new List<string>();
        int count = 0;
        foreach (DocPage page in Pages())
        {
            bool notation = page.Name.EndsWith("notation.md", StringComparison.Ordinal);
            foreach ((int line, string reference) in page.MemberReferences(wholePage: notation))
            {
                count++;
                if (MemberReferences.Problem(reference, s_assemblies) is string problem)
                {
                    problems.Add($"{page.Name}:{line + 1}: `{reference}`: {problem}.");
                }
            }
        }

        Assert.That(problems.Count == 0, Is.True, $"The docs name members that do not exist:\n{Problems.Format(problems)}");
        Assert.That(count, Is.GreaterThan(40), "the Code sections and notation.md name the members they describe");
    }

    [Test]
    public void Every_chapter_names_the_section_of_the_post_it_pairs_with_and_shows_its_code()
    {
        List<DocPage> chapters = Chapters();
        var problems = new List<string>();
        foreach (DocPage chapter in chapters)
        {
            string? pairs = chapter.Lines.Take(8).FirstOrDefault(l => l.StartsWith("> Pairs with", StringComparison.Ordinal));
            if (pairs is null)
            {
                problems.Add($"{chapter.Name}: no '> Pairs with ...' line among the first 8 lines.");
            }
            else if (!s_postSections.Concat(s_nielsenSections).Any(section => pairs.Contains($"\"{section}\"", StringComparison.Ordinal)))
            {
                problems.Add($"{chapter.Name}: the 'Pairs with' line quotes none of the post's sections ({string.Join(" | ", s_postSections)}) "
                    + $"nor of Nielsen's ({string.Join(" | ", s_nielsenSections)}).");
            }

            if (!chapter.HasCodeSection || chapter.MemberReferences().Count == 0)
            {
                problems.Add($"{chapter.Name}: no '## Code' section naming `Type.Member`s.");
            }

            if (chapter.Markers.Count == 0)
            {
                problems.Add($"{chapter.Name}: shows no code through a snippet marker.");
            }
        }

        Assert.That(problems.Count == 0, Is.True, $"The chapters are not laid out as docs/README.md promises:\n{Problems.Format(problems)}");
        Assert.That(chapters.Select(c => Path.GetFileName(c.Name)[..2]), Is.EqualTo(Enumerable.Range(1, chapters.Count).Select(n => n.ToString("D2", CultureInfo.InvariantCulture))),
            "the chapters are numbered 01, 02, ... without gaps");
        Assert.That(chapters, Has.Count.EqualTo(16), "chapters 1-10 beside the tutorial, 11-16 beside Nielsen's chapters 3 and 5");
    }

    [Test]
    public void Every_chapter_past_the_tutorial_has_the_three_parts_and_ends_with_a_program_to_run()
    {
        // Chapters 10 onward (your own layer, then beside Nielsen): a formula section, "The matrix form", "Code", and a
        // "Run it" section whose command runs a docs/examples program; every such program is some chapter's.
        List<DocPage> chapters = [.. Chapters().Where(c => int.Parse(Path.GetFileName(c.Name)[..2], CultureInfo.InvariantCulture) >= 10)];
        string examples = Path.Combine(DocsFolder, "examples");
        var problems = new List<string>();
        var run = new HashSet<string>();
        foreach (DocPage chapter in chapters)
        {
            string[] headings = [.. chapter.Lines.Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..])];
            int formula = Array.FindIndex(headings, h => h.Contains("formula", StringComparison.Ordinal));
            int matrix = Array.IndexOf(headings, "The matrix form"), code = Array.IndexOf(headings, "Code");
            int runIt = Array.FindIndex(headings, h => h.StartsWith("Run it", StringComparison.Ordinal));
            if (formula < 0 || matrix < 0 || code < 0 || runIt < 0 || !(formula < matrix && matrix < code && code < runIt))
            {
                problems.Add($"{chapter.Name}: the sections are {string.Join(" | ", headings)}; a formula, 'The matrix form', 'Code' and 'Run it', in that order, are required.");
                continue;
            }

            string[] commands = [.. chapter.Lines.SkipWhile(l => !l.StartsWith("## Run it", StringComparison.Ordinal))
                .Select(l => ExampleCommandPattern().Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];
            if (commands.Length == 0)
            {
                problems.Add($"{chapter.Name}: its 'Run it' section has no `dotnet run docs/examples/NAME.cs` command.");
            }

            foreach (string name in commands)
            {
                run.Add(name);
                if (!File.Exists(Path.Combine(examples, name)))
                {
                    problems.Add($"{chapter.Name}: runs docs/examples/{name}, which does not exist.");
                }
            }
        }

        problems.AddRange(Directory.GetFiles(examples, "*.cs").Select(Path.GetFileName).OfType<string>().Where(name => !run.Contains(name))
            .Select(name => $"docs/examples/{name}: no chapter's 'Run it' section runs it."));
        Assert.That(chapters, Has.Count.GreaterThanOrEqualTo(7), "chapters 10-16");
        Assert.That(problems.Count == 0, Is.True, $"The chapters past the tutorial are not laid out as the issue asks:\n{Problems.Format(problems)}");
    }

    [Test]
    public void Every_chapter_ends_by_linking_the_chapters_before_and_after_it()
    {
        // The last paragraph of chapter N reads "Previous: [...](chapter N-1). Next: [...](chapter N+1)."; the first
        // has no Previous, and the last's Next is the index. A reader who follows Next from chapter 1 reads them all.
        List<DocPage> pages = Chapters();
        List<string> chapters = [.. pages.Select(c => Path.GetFileName(c.Name))];
        var problems = new List<string>();
        for (int i = 0; i < pages.Count; i++)
        {
            string[] lines = [.. pages[i].Lines.Reverse().SkipWhile(l => l.Trim().Length == 0).TakeWhile(l => l.Trim().Length > 0).Reverse()];
            string ending = string.Join(" ", lines);
            string? previous = LinkAfter(ending, "Previous:"), next = LinkAfter(ending, "Next:");
            string? expectedPrevious = i == 0 ? null : chapters[i - 1];
            string expectedNext = i == chapters.Count - 1 ? "README.md" : chapters[i + 1];
            if (previous != expectedPrevious)
            {
                problems.Add($"{chapters[i]}: its last paragraph links Previous to {previous ?? "nothing"}, not {expectedPrevious ?? "nothing"}: '{ending}'");
            }

            if (next != expectedNext)
            {
                problems.Add($"{chapters[i]}: its last paragraph links Next to {next ?? "nothing"}, not {expectedNext}: '{ending}'");
            }
        }

        Assert.That(problems.Count == 0, Is.True, $"The chapters do not link on in order:\n{Problems.Format(problems)}");

        // The first link target after a label such as "Next:", or null when the label is not there.
        static string? LinkAfter(string text, string label)
        {
            int at = text.IndexOf(label, StringComparison.Ordinal);
            Match link = at < 0 ? Match.Empty : LinkTargetPattern().Match(text, at);
            return link.Success ? link.Groups["target"].Value : null;
        }
    }

    [GeneratedRegex(@"dotnet run (?:-c Release )?docs/examples/(?<name>[A-Za-z0-9-]+\.cs)")]
    private static partial Regex ExampleCommandPattern();

    [Test]
    public void The_index_links_every_page_and_the_chapters_in_order()
    {
        string index = File.ReadAllText(Path.Combine(DocsFolder, "README.md"));
        List<string> linked = [.. LinkTargetPattern().Matches(index).Select(m => m.Groups["target"].Value)];
        List<string> chapters = [.. Chapters().Select(c => Path.GetFileName(c.Name))];
        string[] required = [.. chapters, "notation.md", "model-format.md"];

        Assert.That(required.Where(page => !linked.Contains(page)), Is.Empty, "docs/README.md links these pages");
        Assert.That(linked.Where(chapters.Contains), Is.EqualTo(chapters), "docs/README.md lists the chapters in order");

        // Pages added by others (a debugger page, say) should be listed too, but that is theirs to do.
        string[] unlisted = [.. Directory.GetFiles(DocsFolder, "*.md").Select(Path.GetFileName).OfType<string>()
            .Where(page => page != "README.md" && !linked.Contains(page))];
        if (unlisted.Length > 0)
        {
            Assert.Warn($"docs/README.md does not link {string.Join(", ", unlisted)} yet.");
        }
    }

    [Test]
    public void Chapter_5_quotes_the_numbers_the_layers_compute_for_Alice()
    {
        // The post's example: all weights 1, biases 0, Alice = [-2, -1] with y_true = 1.
        Sequential model = LayersNetwork.Build(Weights.AllOnes);
        var hidden = (Dense)model.Layers[0];
        var output = (Dense)model.Layers[2];
        var hiddenSigmoid = (Sigmoid)model.Layers[1];
        var outputSigmoid = (Sigmoid)model.Layers[3];
        var loss = new MeanSquaredError();
        Tensor alice = Tensor.FromValues(1, 2, [-2f, -1f], "x");

        var lines = new List<string>();
        void Show(string name, Tensor value) => lines.Add($"{name,-10} = {Format(value)}");
        Tensor zHidden = hidden.Forward(alice);
        Show("Z hidden", zHidden);
        Tensor aHidden = hiddenSigmoid.Forward(zHidden);
        Show("A hidden", aHidden);
        Tensor zOutput = output.Forward(aHidden);
        Show("Z output", zOutput);
        Tensor yPred = outputSigmoid.Forward(zOutput);
        Show("y_pred", yPred);
        Tensor yTrue = Tensor.FromValues(1, 1, [1f], "y_true");
        loss.Forward(yPred, yTrue);
        model.ZeroGrad();
        Tensor dYPred = loss.Backward(yPred, yTrue);
        Show("dy_pred", dYPred);
        Tensor dZOutput = outputSigmoid.Backward(dYPred);
        Show("dZ output", dZOutput);
        Tensor dAHidden = output.Backward(dZOutput)!;
        Show("dW output", output.Weights.Gradient);
        Show("db output", output.Biases.Gradient);
        Show("dA hidden", dAHidden);
        Tensor dZHidden = hiddenSigmoid.Backward(dAHidden);
        Show("dZ hidden", dZHidden);
        hidden.Backward(dZHidden);
        Show("dW hidden", hidden.Weights.Gradient);
        Show("db hidden", hidden.Biases.Gradient);

        string chapter = File.ReadAllText(Path.Combine(DocsFolder, "05-from-w1-w6-to-matrices.md")).ReplaceLineEndings("\n");
        string[] missing = [.. lines.Where(line => !chapter.Contains(line + "\n", StringComparison.Ordinal))];
        Assert.That(missing, Is.Empty,
            $"docs/05-from-w1-w6-to-matrices.md should quote these lines exactly as the code computes them:\n{string.Join('\n', lines)}\n");
    }

    /// <summary>A tensor's values to 5 decimals, matrices as [[row], [row]], vectors as [a, b].</summary>
    private static string Format(Tensor tensor)
    {
        string Row(int r) => string.Join(", ", Enumerable.Range(0, tensor.Columns).Select(c => tensor[r, c].ToString("F5", CultureInfo.InvariantCulture)));
        if (tensor.Rank == 1)
        {
            return $"[{string.Join(", ", tensor.ToArray().Select(v => v.ToString("F5", CultureInfo.InvariantCulture)))}]";
        }

        return $"[{string.Join(", ", Enumerable.Range(0, tensor.Rows).Select(r => $"[{Row(r)}]"))}]";
    }

    private static void UpdateSnippets()
    {
        var report = new StringBuilder();
        foreach (string path in PagePaths())
        {
            string text = File.ReadAllText(path);
            var page = new DocPage(Relative(path), text);
            string updated = page.WithSnippetsUpdated(ReadSource);
            if (page.Markers.Count > 0 && updated != text.ReplaceLineEndings("\n"))
            {
                File.WriteAllText(path, updated);
                report.AppendLine(CultureInfo.InvariantCulture, $"rewrote the snippets of {Relative(path)}");
            }
        }

        TestContext.Out.WriteLine(report.Length == 0 ? $"{UpdateVariable}=1: every snippet was already up to date." : report.ToString());
    }

    private static IEnumerable<string> PagePaths() => Directory.GetFiles(DocsFolder, "*.md").Order(StringComparer.Ordinal);

    private static List<DocPage> Pages() => [.. PagePaths().Select(path => new DocPage(Relative(path), File.ReadAllText(path)))];

    private static List<DocPage> Chapters() => [.. Pages().Where(page => ChapterPattern().IsMatch(Path.GetFileName(page.Name)))];

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Reads a file by its path relative to the repository root; null when it does not exist or lies outside.</summary>
    internal static string? ReadSource(string relativePath)
    {
        string full = Path.GetFullPath(Path.Combine(Root, relativePath));
        bool inside = full.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inside && File.Exists(full) ? File.ReadAllText(full) : null;
    }

    [GeneratedRegex(@"^\d\d-[\w-]+\.md$")]
    private static partial Regex ChapterPattern();

    [GeneratedRegex(@"\]\((?<target>[^)#\s]+)")]
    private static partial Regex LinkTargetPattern();
}

/// <summary>The readers behind DocsTests, on made-up input: each check can fail, and says why.</summary>
public class DocsReaderTests
{
    private const string Source = """"
        // A file to read.
        using System.Collections.Generic;

        namespace Demo;

        /// <summary>A box.</summary>
        [Serializable]
        public sealed class Box(int size) : IDisposable
        {
            private readonly string _brace = "}{ \" {"; // a } in a comment
            private readonly char _open = '{';

            /// <summary>The size.</summary>
            public int Size { get; } = size;

            public int Twice => Size * 2;

            public static IReadOnlyList<int> Empty { get; } =
            [
                1, 2,
            ];

            public string Describe() => $"Box {{ {Size} }} {(Size > 1 ? "big }" : "small {")}";

            /// <summary>Adds one number.</summary>
            public int Add(int x)
            {
                return x + Size; /* } */
            }

            public int Add(int x, int y)
            {
                string raw = """
                    { not code
                    """;
                return x + y + raw.Length;
            }

            private (int A, int B) Pair(int a) => (a, a);

        #pragma warning disable CA1063
            [Obsolete("no")]
            public void Dispose()
            {
                var v = @"verbatim "" } quote";
                if (v.Length > 0)
                {
                    Add(1);
                }
            }
        #pragma warning restore CA1063

            internal sealed class Inner
            {
                public int Add(int x) => x;
            }
        }
        """";

    [Test]
    public void Extract_returns_the_member_without_its_doc_comment_dedented()
    {
        Assert.That(Snippets.Extract(Source, "Size", "Box.cs"), Is.EqualTo("public int Size { get; } = size;"));
        Assert.That(Snippets.Extract(Source, "Twice", "Box.cs"), Is.EqualTo("public int Twice => Size * 2;"));
        Assert.That(Snippets.Extract(Source, "Add(1)", "Box.cs"), Is.EqualTo("public int Add(int x)\n{\n    return x + Size; /* } */\n}"));
        Assert.That(Snippets.Extract(Source, "Pair", "Box.cs"), Is.EqualTo("private (int A, int B) Pair(int a) => (a, a);"));
        Assert.That(Snippets.Extract(Source, "Empty", "Box.cs"), Is.EqualTo("public static IReadOnlyList<int> Empty { get; } =\n[\n    1, 2,\n];"));
    }

    [Test]
    public void Extract_is_not_fooled_by_braces_in_strings_characters_comments_and_interpolations()
    {
        Assert.That(Snippets.Extract(Source, "_brace", "Box.cs"), Is.EqualTo("private readonly string _brace = \"}{ \\\" {\"; // a } in a comment"));
        Assert.That(Snippets.Extract(Source, "_open", "Box.cs"), Is.EqualTo("private readonly char _open = '{';"));
        Assert.That(Snippets.Extract(Source, "Describe", "Box.cs"), Does.StartWith("public string Describe() => $\"Box {{").And.EndWith("\"small {\")}\";"));
        string[] add = Snippets.Extract(Source, "Add(int y)", "Box.cs").Split('\n');
        Assert.That(add, Has.Length.EqualTo(7));
        Assert.That(add[^1], Is.EqualTo("}"));
        string dispose = Snippets.Extract(Source, "Dispose", "Box.cs");
        Assert.That(dispose, Does.StartWith("[Obsolete(\"no\")]\npublic void Dispose()\n{").And.EndWith("    }\n}"));
    }

    [Test]
    public void Extract_finds_types_and_members_of_nested_types()
    {
        string box = Snippets.Extract(Source, "Box", "Box.cs");
        Assert.That(box, Does.StartWith("[Serializable]\npublic sealed class Box(int size) : IDisposable\n{").And.EndWith("\n}"));
        Assert.That(box, Does.Not.Contain("///"), "XML doc lines are left out");
        Assert.That(Snippets.Extract(Source, "Box.Inner.Add", "Box.cs"), Is.EqualTo("public int Add(int x) => x;"));
        Assert.That(Snippets.Extract(Source, "Inner", "Box.cs"), Does.StartWith("internal sealed class Inner\n{"));
    }

    [Test]
    public void Extract_names_the_file_and_the_member_when_the_member_is_missing()
    {
        Assert.That(() => Snippets.Extract(Source, "Subtract", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.StartsWith("Box.cs#Subtract: no member or type 'Subtract' in the file.").And.Message.Contains("Add"));
        Assert.That(() => Snippets.Extract(Source, "Box.Inner.Twice", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.Contains("no member or type 'Twice' in that type"));
        Assert.That(() => Snippets.Extract(Source, "Crate.Add", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.Contains("no type 'Crate'"));
        Assert.That(() => Snippets.Extract(Source, "Add Twice", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.Contains("not a selector"));
    }

    [Test]
    public void Extract_asks_which_overload_and_lists_them()
    {
        Assert.That(() => Snippets.Extract(Source, "Add", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.Contains("'Add' is ambiguous, 3 declarations")
            .And.Message.Contains("public int Add(int x, int y)")
            .And.Message.Contains("#Add(2)"));
        Assert.That(() => Snippets.Extract(Source, "Add(4)", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.Contains("there are 3 members named 'Add'"));
        Assert.That(() => Snippets.Extract(Source, "Add(int x)", "Box.cs"), Throws.TypeOf<SnippetException>()
            .With.Message.Contains("3 members named 'Add' have 'int x' in their parameters (need exactly 1)"));
        Assert.That(Snippets.Extract(Source, "Add(2)", "Box.cs"), Is.EqualTo(Snippets.Extract(Source, "Add(int y)", "Box.cs")));
    }

    [Test]
    public void Extract_reads_every_declaration_of_the_library_whole()
    {
        // Every member and type of every file in src/ comes out whole: it names itself, its braces
        // balance, and it ends with the '}' or ';' that closes it.
        var problems = new List<string>();
        int count = 0;
        string src = Path.Combine(TestPaths.RepositoryRoot, "src");
        foreach (string path in Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(src, p).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin")))
        {
            foreach ((string name, string text) in Snippets.ExtractAll(File.ReadAllText(path)))
            {
                count++;
                string clean = Snippets.Blank(text);
                if (!text.Contains(name, StringComparison.Ordinal) || clean.Count(c => c == '{') != clean.Count(c => c == '}')
                    || !(clean.TrimEnd().EndsWith('}') || clean.TrimEnd().EndsWith(';')))
                {
                    problems.Add($"{Path.GetFileName(path)}#{name}:\n{text}");
                }
            }
        }

        Assert.That(problems, Is.Empty, string.Join("\n\n", problems));
        Assert.That(count, Is.GreaterThan(200), "declarations found in src/");
    }

    [Test]
    public void A_stale_block_is_reported_with_its_first_difference()
    {
        string page = "# Page\n<!-- snippet: Box.cs#Twice -->\n```csharp\npublic int Twice => Size * 3;\n```\n";
        List<string> problems = new DocPage("docs/page.md", page).CheckSnippets(ReadBox);

        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.StartWith("docs/page.md:2: snippet Box.cs#Twice: the block differs from the code.")
            .And.Contains("First difference at line 1 of the block: docs have 'public int Twice => Size * 3;', the code has 'public int Twice => Size * 2;'"));
    }

    [Test]
    public void A_marker_without_a_block_or_with_a_missing_file_or_member_is_reported()
    {
        string page = "<!-- snippet: Box.cs#Twice -->\nno block here\n"
            + "<!-- snippet: Crate.cs#Twice -->\n```csharp\n```\n"
            + "<!-- snippet: Box.cs#Thrice -->\n```csharp\n```\n";
        List<string> problems = new DocPage("docs/page.md", page).CheckSnippets(ReadBox);

        Assert.That(problems, Has.Count.EqualTo(3));
        Assert.That(problems[0], Does.EndWith("the marker must be followed directly by a ```csharp block."));
        Assert.That(problems[1], Does.EndWith("the file Crate.cs does not exist."));
        Assert.That(problems[2], Does.Contain("no member or type 'Thrice'"));
    }

    [Test]
    public void Updating_rewrites_stale_blocks_adds_missing_ones_and_leaves_the_rest_alone()
    {
        string page = "# Page\n\n<!-- snippet: Box.cs#Twice -->\n```csharp\nold\ntext\n```\n\nprose\n<!-- snippet: Box.cs#Size -->\nmore prose\n";
        string updated = new DocPage("docs/page.md", page).WithSnippetsUpdated(ReadBox);

        Assert.That(updated, Is.EqualTo(
            "# Page\n\n<!-- snippet: Box.cs#Twice -->\n```csharp\npublic int Twice => Size * 2;\n```\n\nprose\n"
            + "<!-- snippet: Box.cs#Size -->\n```csharp\npublic int Size { get; } = size;\n```\nmore prose\n"));
        Assert.That(new DocPage("docs/page.md", updated).CheckSnippets(ReadBox), Is.Empty);
        Assert.That(new DocPage("docs/page.md", updated).WithSnippetsUpdated(ReadBox), Is.EqualTo(updated), "a second update changes nothing");
    }

    [Test]
    public void A_marker_can_pick_an_overload_by_the_text_of_its_parameters()
    {
        string page = "<!-- snippet: Box.cs#Box.Add(int x, int y) -->\n```csharp\n```\n";
        var doc = new DocPage("docs/page.md", page);

        Assert.That(doc.Markers.Single().Selector, Is.EqualTo("Box.Add(int x, int y)"));
        Assert.That(doc.WithSnippetsUpdated(ReadBox), Does.Contain("public int Add(int x, int y)\n{\n    string raw = \"\"\"\n"));
    }

    [Test]
    public void Paths_and_links_are_found_in_text_and_shell_blocks_but_not_in_csharp_blocks()
    {
        string root = TestPaths.RepositoryRoot;
        string page = "See src/MnistBp/Tensor.cs, src/MnistBp/Nothing.cs and [a link](../src/MnistBp/Gone.cs#L3).\n"
            + "[the post](https://victorzhou.com/blog/intro-to-neural-networks/) [above](#page)\n"
            + "```bash\ndotnet run --project samples/09-nothing\n```\n"
            + "```csharp\nvar path = \"samples/not-checked\";\n```\n";
        List<(int Line, string Mentioned, string FullPath)> found = new DocPage("docs/page.md", page).PathsAndLinks(root, Path.Combine(root, "docs"));
        string[] missing = [.. found.Where(f => !File.Exists(f.FullPath) && !Directory.Exists(f.FullPath)).Select(f => f.Mentioned)];

        Assert.That(found.Select(f => f.Mentioned), Is.EquivalentTo(new[] { "../src/MnistBp/Gone.cs#L3", "src/MnistBp/Tensor.cs", "src/MnistBp/Nothing.cs", "samples/09-nothing" }));
        Assert.That(missing, Is.EquivalentTo(new[] { "../src/MnistBp/Gone.cs#L3", "src/MnistBp/Nothing.cs", "samples/09-nothing" }));
    }

    [Test]
    public void Member_references_are_read_from_Code_and_Run_it_sections_and_must_resolve()
    {
        string page = "# 1. A chapter\n`Dense.NotChecked` outside the Code section\n## Code\n"
            + "- `Dense.Backward`, `MnistBp.Kernels.MatMul()`, `Dense.Weights.Gradient.Shape`, `OurNeuralNetwork.FeedForward`\n"
            + "- `Dense.Backwards` and `Densest.Forward`, but not `dotnet run` or `x.y`\n"
            + "```csharp\nDense.Ignored();\n```\n## Run it, check it\n`Sgd.Step`\n## Notes\n`Sgd.NotChecked`\n";
        var doc = new DocPage("docs/01-a.md", page);
        List<(int Line, string Reference)> references = doc.MemberReferences();

        Assert.That(references.Select(r => r.Reference), Is.EqualTo(new[]
        {
            "Dense.Backward", "MnistBp.Kernels.MatMul()", "Dense.Weights.Gradient.Shape", "OurNeuralNetwork.FeedForward", "Dense.Backwards", "Densest.Forward", "Sgd.Step",
        }));
        Assert.That(references.Take(4).Select(r => MemberReferences.Problem(r.Reference, DocsTests.s_assemblies)), Is.All.Null);
        Assert.That(MemberReferences.Problem("Dense.Backwards", DocsTests.s_assemblies), Is.EqualTo("Dense has no member 'Backwards'"));
        Assert.That(MemberReferences.Problem("Densest.Forward", DocsTests.s_assemblies), Does.StartWith("no type 'Densest' in MnistBp"));
        Assert.That(doc.MemberReferences(wholePage: true).Select(r => r.Reference), Does.Contain("Dense.NotChecked").And.Contain("Sgd.NotChecked"));
    }

    private static string? ReadBox(string path) => path == "Box.cs" ? Source : null;
}
