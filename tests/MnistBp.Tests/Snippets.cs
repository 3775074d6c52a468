// Snippets: the small readers behind DocsTests, which keep docs/*.md from drifting away from the code.
//   Snippets.Extract     finds a member (method, constructor, property, field) or a type in a C# file by
//                        name and returns its text: attributes and body, XML doc lines dropped, dedented.
//   DocPage              reads a markdown page: snippet markers and their ```csharp blocks, paths and
//                        links, and the `Type.Member` code spans of its "## Code" and "## Run it" sections.
//   MemberReferences     resolves `Type.Member` names by reflection on the compiled assemblies.
// Extract blanks comments and string literals, then matches braces; it is not a C# parser (no
// preprocessor logic, no indexers or operators) and does not try to be one.
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace MnistBp.Tests;

/// <summary>A snippet or reference the docs name could not be found; the message says what and where.</summary>
internal sealed class SnippetException(string message) : Exception(message);

/// <summary>Finds a member or type in C# source by name and returns its text.</summary>
internal static partial class Snippets
{
    /// <summary>
    /// The text of the member or type named by <paramref name="selector"/>: its attributes, declaration
    /// and body, without XML doc lines, dedented, lines joined by "\n".
    /// </summary>
    /// <param name="source">The C# source.</param>
    /// <param name="selector">
    /// <c>Name</c>; <c>Type.Name</c> (nested as deep as needed) to look only inside a type;
    /// <c>Name(2)</c> for the second overload in file order; <c>Name(Tensor input)</c> for the overload
    /// whose parameter list contains that text. A type wins over its constructors: <c>Dense</c> is the
    /// class, <c>Dense.Dense(2)</c> its second constructor.
    /// </param>
    /// <param name="fileName">The file's name, for error messages.</param>
    /// <exception cref="SnippetException">Nothing, or more than one thing, matches; the message lists the candidates.</exception>
    public static string Extract(string source, string selector, string fileName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(selector);
        var file = new ParsedSource(source.ReplaceLineEndings("\n"));
        (List<string> path, string? argument) = ParseSelector(selector, fileName);

        int? block = null; // null: anywhere in the file
        foreach (string typeName in path[..^1])
        {
            Declaration type = ChooseType(file, typeName, block, selector, fileName);
            block = type.BodyBlock ?? throw new SnippetException(
                $"{fileName}#{selector}: '{typeName}' (line {type.Line + 1}) has no body to look into.");
        }

        return file.Text(Choose(file, path[^1], argument, block, selector, fileName));
    }

    /// <summary>Every declaration the reader recognises, as "line N: its declaration line", for error messages and tests.</summary>
    /// <param name="source">The C# source.</param>
    public static IReadOnlyList<string> ListDeclarations(string source)
    {
        var file = new ParsedSource(source.ReplaceLineEndings("\n"));
        return [.. file.Declarations.Select(d => file.Describe(d))];
    }

    /// <summary>Every declaration the reader recognises with its extracted text, in file order.</summary>
    /// <param name="source">The C# source.</param>
    public static IReadOnlyList<(string Name, string Text)> ExtractAll(string source)
    {
        var file = new ParsedSource(source.ReplaceLineEndings("\n"));
        return [.. file.Declarations.Select(d => (d.Name, file.Text(d)))];
    }

    private static (List<string> Path, string? Argument) ParseSelector(string selector, string fileName)
    {
        Match match = SelectorPattern().Match(selector.Trim());
        if (!match.Success)
        {
            throw new SnippetException($"{fileName}#{selector}: not a selector; write Name, Type.Name, Name(2) or Name(parameter text).");
        }

        List<string> path = [.. match.Groups["path"].Value.Split('.')];
        return (path, match.Groups["argument"].Success ? match.Groups["argument"].Value.Trim() : null);
    }

    private static Declaration ChooseType(ParsedSource file, string name, int? block, string selector, string fileName)
    {
        List<Declaration> types = [.. file.Declarations.Where(d => d.IsType && d.Name == name && (block is null || d.Block == block))];
        return types.Count switch
        {
            1 => types[0],
            0 => throw new SnippetException($"{fileName}#{selector}: no type '{name}' {Where(block)}. {Known(file, block)}"),
            _ => throw new SnippetException($"{fileName}#{selector}: {types.Count} types named '{name}': {Candidates(file, types)}."),
        };
    }

    private static Declaration Choose(ParsedSource file, string name, string? argument, int? block, string selector, string fileName)
    {
        List<Declaration> all = [.. file.Declarations.Where(d => d.Name == name && (block is null || d.Block == block))];
        if (all.Count == 0)
        {
            throw new SnippetException($"{fileName}#{selector}: no member or type '{name}' {Where(block)}. {Known(file, block)}");
        }

        List<Declaration> members = [.. all.Where(d => !d.IsType)];
        if (argument is null)
        {
            List<Declaration> types = [.. all.Where(d => d.IsType)];
            List<Declaration> chosen = types.Count > 0 ? types : members;
            return chosen.Count == 1
                ? chosen[0]
                : throw new SnippetException(
                    $"{fileName}#{selector}: '{name}' is ambiguous, {chosen.Count} declarations: {Candidates(file, chosen)}. "
                    + $"Pick one with #{name}(2) (the 2nd in file order), #{name}(text of its parameters), or qualify it as #Type.{name}.");
        }

        if (int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return index >= 1 && index <= members.Count
                ? members[index - 1]
                : throw new SnippetException($"{fileName}#{selector}: there are {members.Count} members named '{name}', so #{name}({index}) does not exist: {Candidates(file, members)}.");
        }

        string hint = Normalize(argument);
        List<Declaration> matching = [.. members.Where(d => Normalize(d.Parameters).Contains(hint, StringComparison.Ordinal))];
        return matching.Count == 1
            ? matching[0]
            : throw new SnippetException(
                $"{fileName}#{selector}: {matching.Count} members named '{name}' have '{argument}' in their parameters (need exactly 1): {Candidates(file, members)}.");
    }

    private static string Where(int? block) => block is null ? "in the file" : "in that type";

    private static string Known(ParsedSource file, int? block)
    {
        string[] names = [.. file.Declarations.Where(d => block is null || d.Block == block).Select(d => d.Name).Distinct().Take(40)];
        return names.Length == 0 ? "The reader found no declarations there." : $"Declarations there: {string.Join(", ", names)}.";
    }

    private static string Candidates(ParsedSource file, IEnumerable<Declaration> declarations) =>
        string.Join("; ", declarations.Select(file.Describe));

    private static string Normalize(string text) => WhitespacePattern().Replace(text, " ").Trim();

    [GeneratedRegex(@"^(?<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?:\((?<argument>[^()]*)\))?$")]
    private static partial Regex SelectorPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespacePattern();

    // A type declaration: attributes, modifiers, the keyword, the name.
    [GeneratedRegex(@"^(?:\s*\[[^\]]*\])*\s*(?:(?:public|private|protected|internal|static|sealed|abstract|partial|readonly|unsafe|file|new|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+(?:class|struct))?)\s+(?<name>[A-Za-z_]\w*)")]
    internal static partial Regex TypePattern();

    [GeneratedRegex(@"^\s*namespace\b")]
    internal static partial Regex NamespacePattern();

    // An identifier followed by optional generic arguments and then what can follow a member's name.
    [GeneratedRegex(@"(?<![\w@])(?<name>[A-Za-z_]\w*)\s*(?:<[^()=;]*>)?\s*(?=[({=;]|$)")]
    internal static partial Regex MemberNamePattern();

    [GeneratedRegex(@"^(?:\s*\[[^\]]*\])+")]
    internal static partial Regex LeadingAttributesPattern();

    private enum BlockKind
    {
        File,
        Namespace,
        Type,
        Code,
    }

    /// <summary>A declaration found in the source.</summary>
    /// <param name="Name">The member's or type's name.</param>
    /// <param name="IsType">True for class, struct, interface, enum, record.</param>
    /// <param name="Line">The 0-based line of the declaration (after its attributes).</param>
    /// <param name="Block">The block the declaration sits in (0: the file).</param>
    /// <param name="Start">Where the text starts (its first attribute line, or the declaration line).</param>
    /// <param name="End">Where the text ends (the end of the line holding its last brace or semicolon).</param>
    /// <param name="BodyBlock">The block of its body, or null when it has none.</param>
    /// <param name="Parameters">The text of its parameter list, or empty.</param>
    private sealed record Declaration(string Name, bool IsType, int Line, int Block, int Start, int End, int? BodyBlock, string Parameters);

    /// <summary>The source, its blanked twin and the declarations found in it.</summary>
    private sealed class ParsedSource
    {
        private readonly string _text;
        private readonly string _clean;
        private readonly List<int> _lineStarts = [];
        private readonly Dictionary<int, int> _blockOfOpenBrace = [];

        public ParsedSource(string text)
        {
            _text = text;
            _clean = Blank(text);
            Declarations = FindDeclarations();
        }

        public List<Declaration> Declarations { get; }

        public string Text(Declaration declaration)
        {
            string[] lines = _text[declaration.Start..declaration.End].Split('\n');
            List<string> kept = [.. lines.Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal)).Select(l => l.TrimEnd())];
            int indent = kept.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
            return string.Join('\n', kept.Select(l => l.Length >= indent ? l[indent..] : l));
        }

        public string Describe(Declaration declaration) =>
            $"line {declaration.Line + 1}: {LineText(declaration.Line).Trim()}";

        private string LineText(int line)
        {
            int start = _lineStarts[line];
            int end = _text.IndexOf('\n', start);
            return _text[start..(end < 0 ? _text.Length : end)];
        }

        private List<Declaration> FindDeclarations()
        {
            // One pass over the blanked text: for every line, the block it starts in and whether a
            // declaration can start there (not inside parentheses or brackets, and after ; { } or ]).
            var kinds = new List<BlockKind> { BlockKind.File };
            var stack = new Stack<int>();
            stack.Push(0);
            var lines = new List<(int Start, int Block, bool CanDeclare)>();
            int paren = 0, bracket = 0, boundary = 0;
            char previous = '\0';
            for (int pos = 0; pos <= _clean.Length; pos++)
            {
                if (pos == 0 || _clean[pos - 1] == '\n')
                {
                    _lineStarts.Add(pos);
                    lines.Add((pos, stack.Peek(), paren == 0 && bracket == 0 && previous is '\0' or ';' or '{' or '}' or ']'));
                }

                if (pos == _clean.Length)
                {
                    break;
                }

                char c = _clean[pos];
                switch (c)
                {
                    case '(': paren++; break;
                    case ')': paren--; break;
                    case '[': bracket++; break;
                    case ']': bracket--; break;
                    case ';': boundary = pos + 1; break;
                    case '{':
                        string header = _clean[boundary..pos];
                        kinds.Add(TypePattern().IsMatch(header) ? BlockKind.Type : NamespacePattern().IsMatch(header) ? BlockKind.Namespace : BlockKind.Code);
                        _blockOfOpenBrace[pos] = kinds.Count - 1;
                        stack.Push(kinds.Count - 1);
                        boundary = pos + 1;
                        break;
                    case '}':
                        if (stack.Count > 1)
                        {
                            stack.Pop();
                        }

                        boundary = pos + 1;
                        break;
                }

                if (!char.IsWhiteSpace(c))
                {
                    previous = c;
                }
            }

            var result = new List<Declaration>();
            for (int line = 0; line < lines.Count; line++)
            {
                (int start, int block, bool canDeclare) = lines[line];
                if (!canDeclare || kinds[block] == BlockKind.Code)
                {
                    continue;
                }

                int end = _clean.IndexOf('\n', start);
                string clean = _clean[start..(end < 0 ? _clean.Length : end)];
                if (clean.Trim().Length == 0)
                {
                    continue;
                }

                Match type = TypePattern().Match(clean);
                if (type.Success)
                {
                    Group name = type.Groups["name"];
                    result.Add(Complete(name.Value, isType: true, line, block, start, start + name.Index + name.Length));
                }
                else if (kinds[block] == BlockKind.Type && MemberName(clean) is (string name, int nameEnd))
                {
                    result.Add(Complete(name, isType: false, line, block, start, start + nameEnd));
                }
            }

            return result;
        }

        /// <summary>The name a member declaration line declares and where it ends in the line, or null when the line declares none.</summary>
        private static (string Name, int End)? MemberName(string clean)
        {
            Match attributes = LeadingAttributesPattern().Match(clean);
            int offset = attributes.Success ? attributes.Length : 0;
            string line = clean[offset..];
            foreach (Match match in MemberNamePattern().Matches(line))
            {
                // Something (a type, modifiers) must come before the name, with no '=' and balanced
                // parentheses (a tuple return type), ending in whitespace or '.' (explicit interface).
                string before = line[..match.Index];
                if (before.Trim().Length == 0 || before.Contains('=', StringComparison.Ordinal)
                    || before.Count(c => c == '(') != before.Count(c => c == ')')
                    || !(char.IsWhiteSpace(before[^1]) || before[^1] == '.'))
                {
                    continue;
                }

                Group name = match.Groups["name"];
                return name.Value is "this" or "operator" or "return" or "new" or "throw" or "await" or "using" or "else"
                    ? null
                    : (name.Value, offset + name.Index + name.Length);
            }

            return null;
        }

        private Declaration Complete(string name, bool isType, int line, int block, int lineStart, int nameEnd)
        {
            // Attribute lines directly above belong to the declaration.
            int first = line;
            while (first > 0 && LineText(first - 1).TrimStart().StartsWith('[') && !LineText(first - 1).TrimStart().StartsWith("[assembly", StringComparison.Ordinal))
            {
                first--;
            }

            (int end, int? bodyOpen) = FindEnd(lineStart);
            int lineEnd = _text.IndexOf('\n', Math.Max(end - 1, lineStart));
            int? bodyBlock = bodyOpen is int open ? _blockOfOpenBrace[open] : null;
            return new Declaration(name, isType, line, block, _lineStarts[first], lineEnd < 0 ? _text.Length : lineEnd, bodyBlock, isType ? string.Empty : ParameterText(nameEnd, end));
        }

        /// <summary>
        /// Where the declaration starting at <paramref name="start"/> ends: after the ';' that ends it at
        /// depth 0, or after the '}' closing its body (unless '=' follows: a property initializer).
        /// Once '=' or '=>' is seen at depth 0 (a field initializer or an expression body) only ';' ends it.
        /// </summary>
        private (int End, int? BodyOpen) FindEnd(int start)
        {
            int depth = 0;
            bool expression = false;
            int? bodyOpen = null;
            for (int i = start; i < _clean.Length; i++)
            {
                char c = _clean[i];
                if (c is '(' or '[' or '{')
                {
                    if (c == '{' && depth == 0 && !expression)
                    {
                        bodyOpen ??= i;
                    }

                    depth++;
                }
                else if (c is ')' or ']' or '}')
                {
                    depth--;
                    if (c == '}' && depth == 0 && !expression)
                    {
                        int next = i + 1;
                        while (next < _clean.Length && char.IsWhiteSpace(_clean[next]))
                        {
                            next++;
                        }

                        if (next < _clean.Length && _clean[next] == '=')
                        {
                            expression = true; // { get; } = value;
                            continue;
                        }

                        return (i + 1, bodyOpen);
                    }
                }
                else if (c == ';' && depth == 0)
                {
                    return (i + 1, bodyOpen);
                }
                else if (c == '=' && depth == 0)
                {
                    expression = true;
                }
            }

            throw new SnippetException($"The declaration on line {_lineStarts.BinarySearch(start) + 1} never ends (unbalanced braces?).");
        }

        /// <summary>The text between the parentheses right after a member's name (skipping generic arguments), or empty.</summary>
        private string ParameterText(int nameEnd, int end)
        {
            int open = nameEnd;
            while (open < end && _clean[open] != '(' && _clean[open] is not ('{' or '=' or ';'))
            {
                open++;
            }

            if (open >= end || _clean[open] != '(')
            {
                return string.Empty;
            }

            int depth = 0;
            for (int i = open; i < end; i++)
            {
                depth += _clean[i] == '(' ? 1 : _clean[i] == ')' ? -1 : 0;
                if (depth == 0)
                {
                    return _text[(open + 1)..i];
                }
            }

            return string.Empty;
        }
    }

    /// <summary>
    /// A copy of <paramref name="text"/> with the contents of comments, string and character literals
    /// and preprocessor lines replaced by spaces (line breaks kept), so that braces can be counted.
    /// </summary>
    internal static string Blank(string text)
    {
        char[] clean = text.ToCharArray();
        int i = 0;
        LexCode(text, clean, ref i, inHole: false);
        return new string(clean);
    }

    private static void LexCode(string s, char[] clean, ref int i, bool inHole)
    {
        int depth = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '/' && At(s, i + 1) == '/')
            {
                int end = s.IndexOf('\n', i);
                i = BlankRange(clean, i, end < 0 ? s.Length : end);
            }
            else if (c == '/' && At(s, i + 1) == '*')
            {
                int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = BlankRange(clean, i, end < 0 ? s.Length : end + 2);
            }
            else if (c == '#' && !inHole && AtLineStart(s, i))
            {
                int end = s.IndexOf('\n', i);
                i = BlankRange(clean, i, end < 0 ? s.Length : end);
            }
            else if (c == '\'')
            {
                int j = i + 1;
                while (j < s.Length && s[j] != '\'' && s[j] != '\n')
                {
                    j += s[j] == '\\' ? 2 : 1;
                }

                BlankRange(clean, i + 1, Math.Min(j, s.Length));
                i = j + 1;
            }
            else if (StringStart(s, i) is (int quote, int dollars, bool verbatim))
            {
                i = LexString(s, clean, quote, dollars, verbatim);
            }
            else if (c == '{')
            {
                depth++;
                i++;
            }
            else if (c == '}')
            {
                if (inHole && depth == 0)
                {
                    return; // the end of an interpolation hole
                }

                depth--;
                i++;
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>When a string literal starts at <paramref name="i"/>: the index of its first quote, its '$' count and whether it is verbatim.</summary>
    private static (int Quote, int Dollars, bool Verbatim)? StringStart(string s, int i)
    {
        if (i > 0 && (char.IsLetterOrDigit(s[i - 1]) || s[i - 1] == '_'))
        {
            return null; // an identifier's character: '@' of @class, say, cannot start a string here
        }

        int j = i, dollars = 0;
        bool verbatim = false;
        while (j < s.Length && (s[j] == '$' || s[j] == '@'))
        {
            dollars += s[j] == '$' ? 1 : 0;
            verbatim |= s[j] == '@';
            j++;
        }

        return j < s.Length && s[j] == '"' ? (j, dollars, verbatim) : null;
    }

    private static int LexString(string s, char[] clean, int quote, int dollars, bool verbatim)
    {
        int quotes = 0;
        while (quote + quotes < s.Length && s[quote + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            // A raw string literal: ends at the same number of quotes. Interpolation holes are blanked with it.
            string fence = new('"', quotes);
            int close = s.IndexOf(fence, quote + quotes, StringComparison.Ordinal);
            int end = close < 0 ? s.Length : close;
            BlankRange(clean, quote + quotes, end);
            return end + quotes;
        }

        int i = quote + 1;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '\\' && !verbatim)
            {
                BlankRange(clean, i, Math.Min(i + 2, s.Length));
                i += 2;
            }
            else if (c == '"')
            {
                if (verbatim && At(s, i + 1) == '"')
                {
                    BlankRange(clean, i, i + 2);
                    i += 2;
                    continue;
                }

                return i + 1;
            }
            else if (dollars > 0 && c == '{')
            {
                if (At(s, i + 1) == '{')
                {
                    BlankRange(clean, i, i + 2);
                    i += 2;
                    continue;
                }

                // An interpolation hole: code (which may hold strings and braces) up to its '}'.
                int holeStart = i;
                i++;
                LexCode(s, clean, ref i, inHole: true);
                i = Math.Min(i + 1, s.Length);
                BlankRange(clean, holeStart, i);
            }
            else
            {
                BlankRange(clean, i, i + 1);
                i++;
            }
        }

        return i;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool AtLineStart(string s, int i)
    {
        for (int j = i - 1; j >= 0 && s[j] != '\n'; j--)
        {
            if (!char.IsWhiteSpace(s[j]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces clean[from..to) by spaces, keeping line breaks; returns <paramref name="to"/>.</summary>
    private static int BlankRange(char[] clean, int from, int to)
    {
        for (int k = from; k < to && k < clean.Length; k++)
        {
            if (clean[k] is not ('\n' or '\r'))
            {
                clean[k] = ' ';
            }
        }

        return to;
    }
}

/// <summary>A <c>&lt;!-- snippet: path#selector --&gt;</c> marker and the fenced block after it.</summary>
/// <param name="Line">The 0-based line of the marker.</param>
/// <param name="File">The source path, relative to the repository root.</param>
/// <param name="Selector">What to extract from it (see <see cref="Snippets.Extract"/>).</param>
/// <param name="BlockStart">The first line of the block's content, or -1 when no ```csharp block follows the marker.</param>
/// <param name="BlockEnd">The line of the closing fence, or -1.</param>
/// <param name="Content">The block's content, lines joined by "\n"; null when there is no block.</param>
internal sealed record SnippetMarker(int Line, string File, string Selector, int BlockStart, int BlockEnd, string? Content);

/// <summary>One markdown page of docs/: its snippet markers, paths, links and Code sections.</summary>
internal sealed partial class DocPage
{
    /// <summary>The command that rewrites every snippet block from the code.</summary>
    public const string RegenerateCommand = "MNISTBP_UPDATE_SNIPPETS=1 dotnet test --filter \"FullyQualifiedName~DocsTests\"";

    private readonly string[] _lines;

    /// <summary>Reads a page from its text.</summary>
    /// <param name="name">The page's path for messages, such as "docs/05-from-w1-w6-to-matrices.md".</param>
    /// <param name="text">The markdown.</param>
    public DocPage(string name, string text)
    {
        Name = name;
        _lines = text.ReplaceLineEndings("\n").Split('\n');
        _fence = new string?[_lines.Length];
        string? language = null; // null: outside a fenced block
        for (int i = 0; i < _lines.Length; i++)
        {
            string trimmed = _lines[i].Trim();
            if (language is null && trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                language = trimmed[3..].Trim(); // an opening fence: the block's language, maybe ""
                _fence[i] = language;
            }
            else if (language is not null && trimmed == "```")
            {
                _fence[i] = language; // the closing fence
                language = null;
            }
            else
            {
                _fence[i] = language;
            }
        }

        Markers = FindMarkers();
    }

    /// <summary>The page's path for messages.</summary>
    public string Name { get; }

    /// <summary>The snippet markers in page order.</summary>
    public IReadOnlyList<SnippetMarker> Markers { get; }

    /// <summary>The lines, "\n" removed.</summary>
    public IReadOnlyList<string> Lines => _lines;

    // For each line: null outside fenced blocks, else the block's language ("" when none); fences included.
    private readonly string?[] _fence;

    private bool InFence(int line) => _fence[line] is not null;

    private bool InCSharpFence(int line) => _fence[line] is "csharp" or "cs" or "c#";

    /// <summary>
    /// Compares every snippet block with the code it names and returns one message per problem:
    /// a missing file or member, a marker without a block, or a block that differs from the code.
    /// </summary>
    /// <param name="readSource">Reads a source file by its path relative to the repository root; null when it does not exist.</param>
    public List<string> CheckSnippets(Func<string, string?> readSource)
    {
        var problems = new List<string>();
        foreach (SnippetMarker marker in Markers)
        {
            string where = $"{Name}:{marker.Line + 1}: snippet {marker.File}#{marker.Selector}";
            string expected;
            try
            {
                expected = Resolve(marker, readSource);
            }
            catch (SnippetException e)
            {
                problems.Add($"{where}: {e.Message}");
                continue;
            }

            if (marker.Content is null)
            {
                problems.Add($"{where}: the marker must be followed directly by a ```csharp block.");
            }
            else if (marker.Content != expected)
            {
                problems.Add($"{where}: the block differs from the code. {FirstDifference(marker.Content, expected)}");
            }
        }

        return problems;
    }

    /// <summary>The page with every snippet block rewritten from the code (a block is added where a marker has none).</summary>
    /// <param name="readSource">Reads a source file by its path relative to the repository root; null when it does not exist.</param>
    /// <exception cref="SnippetException">A file or member a marker names does not exist.</exception>
    public string WithSnippetsUpdated(Func<string, string?> readSource)
    {
        var output = new List<string>(_lines.Length);
        int next = 0;
        foreach (SnippetMarker marker in Markers)
        {
            string code = Resolve(marker, readSource);
            output.AddRange(_lines[next..(marker.Line + 1)]);
            output.Add("```csharp");
            output.AddRange(code.Split('\n'));
            output.Add("```");
            next = marker.BlockEnd >= 0 ? marker.BlockEnd + 1 : marker.Line + 1;
        }

        output.AddRange(_lines[next..]);
        return string.Join('\n', output);
    }

    /// <summary>
    /// Every repository path the page mentions (<c>src/...</c>, <c>samples/...</c>, <c>tests/...</c>,
    /// <c>benchmarks/...</c>, <c>docs/...</c>, in text or code) and every relative link target,
    /// each with its line; link targets are resolved against <paramref name="pageFolder"/>, paths against <paramref name="root"/>.
    /// </summary>
    /// <param name="root">The repository root.</param>
    /// <param name="pageFolder">The folder holding the page.</param>
    public List<(int Line, string Mentioned, string FullPath)> PathsAndLinks(string root, string pageFolder)
    {
        var result = new List<(int, string, string)>();
        for (int i = 0; i < _lines.Length; i++)
        {
            if (InCSharpFence(i))
            {
                continue; // code shown from src: its text is checked against the source instead
            }

            foreach (Match link in InFence(i) ? Enumerable.Empty<Match>() : LinkPattern().Matches(_lines[i]))
            {
                string target = link.Groups["target"].Value;
                if (target.StartsWith('#') || UriSchemePattern().IsMatch(target))
                {
                    continue;
                }

                string path = target.Split('#')[0];
                result.Add((i, target, Path.GetFullPath(Path.Combine(pageFolder, Uri.UnescapeDataString(path)))));
            }

            foreach (Match path in RepositoryPathPattern().Matches(_lines[i]))
            {
                result.Add((i, path.Value, Path.GetFullPath(Path.Combine(root, path.Groups["path"].Value))));
            }
        }

        return result;
    }

    /// <summary>
    /// The code spans of the form <c>Type.Member</c> (dotted, starting with a capital; an optional
    /// trailing "()") in the page's "## Code" and "## Run it..." sections, or in the whole page when
    /// <paramref name="wholePage"/>; fenced blocks are skipped.
    /// </summary>
    /// <param name="wholePage">Look at every line outside fenced blocks, not only "## Code" sections.</param>
    public List<(int Line, string Reference)> MemberReferences(bool wholePage = false)
    {
        var result = new List<(int, string)>();
        bool inCode = false;
        for (int i = 0; i < _lines.Length; i++)
        {
            if (InFence(i))
            {
                continue;
            }

            if (_lines[i].StartsWith("# ", StringComparison.Ordinal) || _lines[i].StartsWith("## ", StringComparison.Ordinal))
            {
                string heading = _lines[i].Trim();
                inCode = heading == "## Code" || heading.StartsWith("## Run it", StringComparison.Ordinal);
                continue;
            }

            if (!inCode && !wholePage)
            {
                continue;
            }

            foreach (Match span in CodeSpanPattern().Matches(_lines[i]))
            {
                string text = span.Groups["code"].Value;
                if (MemberReferencePattern().IsMatch(text))
                {
                    result.Add((i, text));
                }
            }
        }

        return result;
    }

    /// <summary>Whether the page has a "## Code" section.</summary>
    public bool HasCodeSection => _lines.Any(l => l.Trim() == "## Code");

    private static string Resolve(SnippetMarker marker, Func<string, string?> readSource)
    {
        string source = readSource(marker.File) ?? throw new SnippetException($"the file {marker.File} does not exist.");
        return Snippets.Extract(source, marker.Selector, marker.File);
    }

    private static string FirstDifference(string docs, string code)
    {
        string[] a = docs.Split('\n'), b = code.Split('\n');
        int line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line])
        {
            line++;
        }

        string Show(string[] lines) => line < lines.Length ? $"'{lines[line]}'" : "(nothing: the block ends here)";
        return $"First difference at line {line + 1} of the block: docs have {Show(a)}, the code has {Show(b)} "
            + $"({a.Length} lines in the docs, {b.Length} in the code).";
    }

    private List<SnippetMarker> FindMarkers()
    {
        var markers = new List<SnippetMarker>();
        for (int i = 0; i < _lines.Length; i++)
        {
            Match match = MarkerPattern().Match(_lines[i]);
            if (!match.Success)
            {
                continue;
            }

            int open = i + 1;
            int close = -1;
            if (open < _lines.Length && _lines[open].Trim() is "```csharp" or "```cs" or "```c#")
            {
                for (int j = open + 1; j < _lines.Length; j++)
                {
                    if (_lines[j].Trim() == "```")
                    {
                        close = j;
                        break;
                    }
                }
            }

            string? content = close < 0 ? null : string.Join('\n', _lines[(open + 1)..close]);
            markers.Add(new SnippetMarker(i, match.Groups["file"].Value, match.Groups["selector"].Value, close < 0 ? -1 : open + 1, close, content));
        }

        return markers;
    }

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<file>[^\s#]+)#(?<selector>[^\s(]+(?:\([^)]*\))?)\s*-->\s*$")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UriSchemePattern();

    [GeneratedRegex(@"(?<![\w./-])(?<path>(?:src|samples|tests|benchmarks|docs)/[\w./-]*\w)")]
    private static partial Regex RepositoryPathPattern();

    [GeneratedRegex(@"(?<!`)`(?<code>[^`]+)`(?!`)")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"^(?:MnistBp\.)?[A-Z]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?$")]
    private static partial Regex MemberReferencePattern();
}

/// <summary>Resolves <c>Type.Member.Member</c> names by reflection.</summary>
internal static class MemberReferences
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy;

    /// <summary>
    /// Null when <paramref name="reference"/> names a type and a chain of members on it (each member's
    /// type is where the next name is looked up), else the reason it does not.
    /// </summary>
    /// <param name="reference">Such as <c>Dense.Backward</c>, <c>Dense.Weights.Gradient</c>, <c>MnistBp.Kernels.MatMul()</c>.</param>
    /// <param name="assemblies">Where to look for the first name's type.</param>
    public static string? Problem(string reference, IEnumerable<Assembly> assemblies)
    {
        string text = reference.EndsWith("()", StringComparison.Ordinal) ? reference[..^2] : reference;
        string[] names = text.Split('.');
        int first = names[0] == "MnistBp" && names.Length > 2 ? 1 : 0;
        Type[] types = [.. assemblies.SelectMany(a => a.GetTypes()).Where(t => TypeName(t) == names[first] && !t.IsNested)];
        if (types.Length == 0)
        {
            return $"no type '{names[first]}' in {string.Join(", ", assemblies.Select(a => a.GetName().Name))}";
        }

        string? problem = null;
        foreach (Type type in types)
        {
            problem = Walk(type, names.AsSpan(first + 1));
            if (problem is null)
            {
                return null;
            }
        }

        return problem;
    }

    private static string? Walk(Type type, ReadOnlySpan<string> names)
    {
        Type current = type;
        foreach (string name in names)
        {
            MemberInfo[] members = current.GetMember(name, All);
            if (members.Length == 0 && current.IsInterface)
            {
                members = [.. current.GetInterfaces().SelectMany(i => i.GetMember(name, All))];
            }

            if (members.Length == 0)
            {
                return $"{current.Name} has no member '{name}'";
            }

            current = members[0] switch
            {
                PropertyInfo p => p.PropertyType,
                FieldInfo f => f.FieldType,
                MethodInfo m => m.ReturnType,
                Type t => t,
                EventInfo e => e.EventHandlerType!,
                _ => current,
            };
        }

        return null;
    }

    private static string TypeName(Type type)
    {
        int tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type.Name : type.Name[..tick];
    }
}

/// <summary>Builds text for messages.</summary>
internal static class Problems
{
    /// <summary>The problems one per line, or an empty string.</summary>
    public static string Format(IEnumerable<string> problems)
    {
        var text = new StringBuilder();
        foreach (string problem in problems)
        {
            text.Append("  ").AppendLine(problem);
        }

        return text.ToString();
    }
}
