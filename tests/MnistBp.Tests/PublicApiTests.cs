// PublicApiTests: the public API of the MnistBp assembly as text, compared with the approved
// snapshot tests/MnistBp.Tests/PublicApi.approved.txt, so that every change to what a learner (or a
// NuGet user) can call is deliberate and shows up in review as a diff of that file.
// PublicApi.Render lists every public type (and protected member of an unsealed one) by reflection:
// kind, base type, interfaces, and each member's signature with parameter names, nullability and
// default values. Compiler-generated members (a record's Equals, Deconstruct...) are left out.
// To accept a change: MNISTBP_ACCEPT_API=1 dotnet test --filter FullyQualifiedName~PublicApiTests
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace MnistBp.Tests;

public class PublicApiTests
{
    /// <summary>Set to 1 to write the approved snapshot from the current API instead of failing.</summary>
    public const string AcceptVariable = "MNISTBP_ACCEPT_API";

    private static string ApprovedPath => Path.Combine(TestPaths.RepositoryRoot, "tests", "MnistBp.Tests", "PublicApi.approved.txt");

    [Test]
    public void The_public_API_is_the_approved_one()
    {
        string actual = PublicApi.Render(typeof(Tensor).Assembly);
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(ApprovedPath, actual);
            TestContext.Out.WriteLine($"{AcceptVariable}=1: wrote {ApprovedPath}; review it with git diff.");
            return;
        }

        string approved = File.Exists(ApprovedPath) ? File.ReadAllText(ApprovedPath).ReplaceLineEndings("\n") : "";
        if (actual == approved)
        {
            return;
        }

        Assert.Fail(
            $"The public API of MnistBp differs from {Path.GetRelativePath(TestPaths.RepositoryRoot, ApprovedPath)} ('-' approved, '+' now):\n\n"
            + LineDiff.Format(approved, actual)
            + $"\nIf the change is deliberate, accept it with\n  {AcceptVariable}=1 dotnet test --filter FullyQualifiedName~PublicApiTests\n"
            + "and commit the updated file: its diff is the API change reviewers will read. Otherwise, undo the change to the API.");
    }

    [Test]
    public void The_snapshot_lists_the_types_and_members_a_learner_uses()
    {
        string api = PublicApi.Render(typeof(Tensor).Assembly);

        Assert.That(api, Does.StartWith("namespace MnistBp\n"));
        Assert.That(api, Does.Contain("\npublic sealed class Dense : Layer\n"));
        Assert.That(api, Does.Contain("\n    public Dense(int inputSize, int outputSize, string name = \"dense\")\n"));
        Assert.That(api, Does.Contain("\n    public override Tensor Forward(Tensor input)\n"));
        Assert.That(api, Does.Contain("\n    protected Layer(string name)\n"), "protected members of an unsealed type are API");
        Assert.That(api, Does.Contain("\n    public float this[int row, int column] { get; set; }\n"));
        Assert.That(api, Does.Contain("\npublic enum WeightInit\n    StandardNormal = 0\n"));
        Assert.That(api, Does.Contain("\n    public Sequential(params IEnumerable<Layer> layers)\n"));
        Assert.That(api, Does.Contain("\n    public int Epochs { get; init; }\n"));
        Assert.That(api, Does.Contain("CancellationToken cancellationToken = default)"));
        Assert.That(api, Does.Not.Contain("DebugView").And.Not.Contain("DebuggerText").And.Not.Contain("KernelThreads"), "internal types stay out");
        Assert.That(api, Does.Not.Contain("BackwardBeforeForward"), "private protected members stay out");
        Assert.That(api, Does.Not.Contain("<Clone>$").And.Not.Contain("EqualityContract").And.Not.Contain("PrintMembers"), "compiler-generated members stay out");
    }
}

/// <summary>The rendering rules, on types made for the purpose: each rule can fail on its own.</summary>
public class PublicApiRenderTests
{
    [Test]
    public void A_class_shows_its_kind_base_interfaces_and_members_in_a_fixed_order()
    {
        Assert.That(Render(typeof(ApiSample.Box)), Is.EqualTo("""
            public class ApiSample.Box : ApiSample.Base, IComparable<ApiSample.Box>
                public const int Size = 3
                public static readonly string? Label
                public Box()
                protected Box(int[] values, string name = "a \"box\"", ApiSample.Color color = ApiSample.Color.Red, CancellationToken cancellationToken = default, double? scale = null)
                public override int Area { get; }
                public string? Caption { get; protected set; }
                public int this[int index] { get; }
                public int CompareTo(ApiSample.Box? other)
                protected virtual bool Fill(Span<float> destination, ref int written, out string? error, in Guid id)
                public static T First<T>(IReadOnlyList<T> items, params T[] more)
                protected internal sealed override void Grow(int by = 1)
                public (int, string) Summary()
                public static bool TryParse(string text, out ApiSample.Box? box)
                public event EventHandler<int>? Changed
            """.ReplaceLineEndings("\n")));
        Assert.That(Render(typeof(ApiSample.Base)), Is.EqualTo("""
            public abstract class ApiSample.Base
                protected Base()
                public abstract int Area { get; }
                protected internal virtual void Grow(int by = 1)
            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void Records_enums_structs_and_static_classes_show_their_kind_without_generated_members()
    {
        Assert.That(Render(typeof(ApiSample.Point)), Is.EqualTo("""
            public sealed record ApiSample.Point : IEquatable<ApiSample.Point>
                public Point(int X, int Y = 2)
                public int X { get; init; }
                public int Y { get; init; }
            """.ReplaceLineEndings("\n")));
        Assert.That(Render(typeof(ApiSample.Step)), Is.EqualTo("""
            public readonly record struct ApiSample.Step : IEquatable<ApiSample.Step>
                public Step(int Epoch)
                public int Epoch { get; init; }
            """.ReplaceLineEndings("\n")));
        Assert.That(Render(typeof(ApiSample.Color)), Is.EqualTo("public enum ApiSample.Color\n    Red = 0\n    Blue = 4"));
        Assert.That(Render(typeof(ApiSample)), Is.EqualTo("public static class ApiSample\n    public static void Use(this string text)"));
    }

    private static string Render(Type type) => PublicApi.RenderType(type).TrimEnd('\n');

    [Test]
    public void The_diff_shows_removed_and_added_lines_with_two_lines_of_context()
    {
        string diff = LineDiff.Format("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n");

        Assert.That(diff, Is.EqualTo("""
            @@ line 2
              b
              c
            - d
            + D
              e
              f
            @@ line 9
              i
              j
            + k
            """.ReplaceLineEndings("\n") + "\n"));
        Assert.That(LineDiff.Format("same\n", "same\n"), Is.Empty);
    }
}

/// <summary>Types for <see cref="PublicApiRenderTests"/>, one of each shape the renderer knows.</summary>
public static class ApiSample
{
    /// <summary>An extension method.</summary>
    public static void Use(this string text) => _ = text;

    /// <summary>An enum with a gap.</summary>
    public enum Color
    {
        /// <summary>0.</summary>
        Red,

        /// <summary>4.</summary>
        Blue = 4,
    }

    /// <summary>A positional record.</summary>
    public sealed record Point(int X, int Y = 2);

    /// <summary>A positional record struct.</summary>
    public readonly record struct Step(int Epoch);

    /// <summary>An abstract base.</summary>
    public abstract class Base
    {
        /// <summary>A protected constructor.</summary>
        protected Base()
        {
        }

        /// <summary>An abstract property.</summary>
        public abstract int Area { get; }

        /// <summary>A protected internal virtual method.</summary>
        protected internal virtual void Grow(int by = 1)
        {
        }
    }

    /// <summary>A class with one member of every kind.</summary>
    public class Box : Base, IComparable<Box>
    {
        /// <summary>A constant.</summary>
        public const int Size = 3;

        /// <summary>A static field.</summary>
        public static readonly string? Label = null;

        /// <summary>Not part of the API.</summary>
        internal int _hidden;

        /// <summary>A public constructor.</summary>
        public Box()
        {
        }

        /// <summary>A protected constructor with defaults.</summary>
        protected Box(int[] values, string name = "a \"box\"", Color color = Color.Red, CancellationToken cancellationToken = default, double? scale = null)
        {
            _hidden = values.Length + name.Length + (int)color + (cancellationToken.CanBeCanceled ? 1 : 0) + (int)(scale ?? 0);
        }

        /// <summary>An event.</summary>
        public event EventHandler<int>? Changed;

        /// <inheritdoc/>
        public override int Area => _hidden;

        /// <summary>A property with a protected setter.</summary>
        public string? Caption { get; protected set; }

        /// <summary>An indexer.</summary>
        public int this[int index] => index;

        /// <summary>A generic method with params.</summary>
        public static T First<T>(IReadOnlyList<T> items, params T[] more) => items.Count > 0 ? items[0] : more[0];

        /// <summary>An out parameter.</summary>
        public static bool TryParse(string text, out Box? box)
        {
            box = text.Length > 0 ? new Box() : null;
            return box is not null;
        }

        /// <inheritdoc/>
        public int CompareTo(Box? other) => 0;

        /// <summary>A tuple.</summary>
        public (int Count, string Name) Summary() => (_hidden, Caption ?? "");

        /// <inheritdoc/>
        protected internal sealed override void Grow(int by = 1) => Changed?.Invoke(this, by);

        /// <summary>ref, out and in parameters.</summary>
        protected virtual bool Fill(Span<float> destination, ref int written, out string? error, in Guid id)
        {
            error = null;
            return id == Guid.Empty && destination.Length > written++;
        }

        /// <summary>Not part of the API.</summary>
        private protected void Hidden()
        {
        }
    }
}

/// <summary>Renders the public API of an assembly as sorted text, one member per line.</summary>
internal static class PublicApi
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(void)] = "void", [typeof(object)] = "object", [typeof(string)] = "string", [typeof(bool)] = "bool",
        [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char", [typeof(short)] = "short",
        [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long",
        [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal",
        [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    /// <summary>Every visible type of <paramref name="assembly"/>, grouped by namespace, sorted by name.</summary>
    public static string Render(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (IGrouping<string, Type> space in VisibleTypes(assembly).GroupBy(t => t.Namespace ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append("namespace ").Append(space.Key).Append('\n').Append('\n');
            foreach (Type type in space.OrderBy(t => TypeName(t), StringComparer.Ordinal))
            {
                text.Append(RenderType(type));
            }
        }

        return text.ToString();
    }

    /// <summary>One type: its declaration, then one indented line per visible member, then a blank line.</summary>
    public static string RenderType(Type type)
    {
        var text = new StringBuilder(Declaration(type)).Append('\n');
        foreach (string member in Members(type))
        {
            text.Append("    ").Append(member).Append('\n');
        }

        return text.Append('\n').ToString();
    }

    private static IEnumerable<Type> VisibleTypes(Assembly assembly)
    {
        var pending = new Stack<Type>(assembly.GetTypes().Where(t => t.IsPublic));
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (IsCompilerGenerated(type))
            {
                continue;
            }

            yield return type;
            foreach (Type nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (nested.IsNestedPublic || (!type.IsSealed && (nested.IsNestedFamily || nested.IsNestedFamORAssem)))
                {
                    pending.Push(nested);
                }
            }
        }
    }

    private static string Declaration(Type type)
    {
        string access = type.IsPublic || type.IsNestedPublic ? "public" : "protected";
        string name = TypeName(type);
        if (type.IsEnum)
        {
            Type underlying = Enum.GetUnderlyingType(type);
            return $"{access} enum {name}{(underlying == typeof(int) ? "" : " : " + TypeName(underlying))}";
        }

        if (typeof(Delegate).IsAssignableFrom(type.BaseType))
        {
            MethodInfo invoke = type.GetMethod("Invoke")!;
            return $"{access} delegate {ReturnType(invoke)} {name}({Parameters(invoke)})";
        }

        bool isRecord = type.GetMethods(Declared).Any(m => m.Name == "PrintMembers" && IsCompilerGenerated(m));
        string kind = type.IsInterface ? "interface"
            : type.IsValueType ? (type.CustomAttributes.Any(a => a.AttributeType.Name == "IsReadOnlyAttribute") ? "readonly " : "") + (isRecord ? "record struct" : "struct")
            : (type.IsAbstract && type.IsSealed ? "static " : type.IsAbstract ? "abstract " : type.IsSealed ? "sealed " : "") + (isRecord ? "record" : "class");

        var bases = new List<string>();
        if (type.BaseType is Type baseType && baseType != typeof(object) && baseType != typeof(ValueType))
        {
            bases.Add(TypeName(baseType));
        }

        Type[] inherited = type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Where(i => !inherited.Contains(i) && (i.IsPublic || i.IsNestedPublic))
            .Select(i => TypeName(i)).Order(StringComparer.Ordinal));
        return $"{access} {kind} {name}{(bases.Count == 0 ? "" : " : " + string.Join(", ", bases))}";
    }

    private static IEnumerable<string> Members(Type type)
    {
        if (type.IsEnum)
        {
            return type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .OrderBy(f => Convert.ToInt64(f.GetRawConstantValue(), CultureInfo.InvariantCulture))
                .Select(f => $"{f.Name} = {Convert.ToString(f.GetRawConstantValue(), CultureInfo.InvariantCulture)}");
        }

        if (typeof(Delegate).IsAssignableFrom(type.BaseType))
        {
            return [];
        }

        // Sorted by kind, then name, then parameters: access and modifiers do not move a member.
        var members = new List<(int Order, string Name, string Line)>();
        foreach (FieldInfo field in type.GetFields(Declared).Where(f => IsVisible(f.IsPublic, f.IsFamily, f.IsFamilyOrAssembly, type) && !IsCompilerGenerated(f)))
        {
            members.Add((field.IsLiteral ? 0 : 1, field.Name, RenderField(field)));
        }

        foreach (ConstructorInfo constructor in type.GetConstructors(Declared).Where(c => !c.IsStatic && IsVisible(c, type) && !IsCompilerGenerated(c)))
        {
            members.Add((2, "", $"{Access(constructor)} {SimpleName(type)}({Parameters(constructor)})"));
        }

        foreach (PropertyInfo property in type.GetProperties(Declared))
        {
            MethodInfo[] accessors = [.. new[] { property.GetMethod, property.SetMethod }.OfType<MethodInfo>().Where(a => IsVisible(a, type))];
            if (accessors.Length > 0 && !IsCompilerGenerated(property))
            {
                bool indexer = property.GetIndexParameters().Length > 0;
                members.Add((indexer ? 4 : 3, property.Name, RenderProperty(property, accessors[0])));
            }
        }

        foreach (MethodInfo method in type.GetMethods(Declared).Where(m => IsVisible(m, type) && !m.IsSpecialName && !IsCompilerGenerated(m)))
        {
            members.Add((5, method.Name, RenderMethod(method)));
        }

        foreach (EventInfo e in type.GetEvents(Declared))
        {
            if (e.AddMethod is MethodInfo add && IsVisible(add, type))
            {
                members.Add((6, e.Name, $"{Access(add)} {Modifiers(add)}event {TypeName(e.EventHandlerType!, new NullabilityInfoContext().Create(e))} {e.Name}"));
            }
        }

        return members.OrderBy(m => m.Order).ThenBy(m => m.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Line[Math.Max(0, m.Line.IndexOf('(', StringComparison.Ordinal))..], StringComparer.Ordinal)
            .ThenBy(m => m.Line, StringComparer.Ordinal).Select(m => m.Line);
    }

    private static string RenderField(FieldInfo field)
    {
        string access = field.IsPublic ? "public" : field.IsFamilyOrAssembly ? "protected internal" : "protected";
        string type = TypeName(field.FieldType, new NullabilityInfoContext().Create(field));
        if (field.IsLiteral)
        {
            return $"{access} const {type} {field.Name} = {Literal(field.GetRawConstantValue(), field.FieldType)}";
        }

        return $"{access} {(field.IsStatic ? "static " : "")}{(field.IsInitOnly ? "readonly " : "")}{type} {field.Name}";
    }

    private static string RenderProperty(PropertyInfo property, MethodInfo first)
    {
        // The property takes the wider access of its visible accessors; a narrower accessor says its own.
        MethodInfo[] visible = [.. new[] { property.GetMethod, property.SetMethod }.OfType<MethodInfo>().Where(a => IsVisible(a, property.DeclaringType!))];
        string propertyAccess = visible.Any(a => a.IsPublic) ? "public" : visible.Any(a => a.IsFamilyOrAssembly) ? "protected internal" : "protected";
        IEnumerable<string> accessors = visible.Select(a =>
        {
            string keyword = a == property.GetMethod ? "get;" : IsInit(a) ? "init;" : "set;";
            return Access(a) == propertyAccess ? keyword : $"{Access(a)} {keyword}";
        });

        ParameterInfo[] index = property.GetIndexParameters();
        string name = index.Length == 0 ? property.Name : $"this[{string.Join(", ", index.Select(Parameter))}]";
        string type = TypeName(property.PropertyType, new NullabilityInfoContext().Create(property));
        return $"{propertyAccess} {Modifiers(first)}{type} {name} {{ {string.Join(" ", accessors)} }}";
    }

    private static string RenderMethod(MethodInfo method)
    {
        string generic = method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : "";
        return $"{Access(method)} {Modifiers(method)}{ReturnType(method)} {method.Name}{generic}({Parameters(method)})";
    }

    private static string ReturnType(MethodInfo method) =>
        TypeName(method.ReturnType, new NullabilityInfoContext().Create(method.ReturnParameter));

    private static string Parameters(MethodBase method)
    {
        string text = string.Join(", ", method.GetParameters().Select(Parameter));
        return method.IsDefined(typeof(ExtensionAttribute)) ? "this " + text : text;
    }

    private static string Parameter(ParameterInfo parameter)
    {
        Type type = parameter.ParameterType;
        string prefix = "";
        if (type.IsByRef)
        {
            type = type.GetElementType()!;
            prefix = parameter.IsOut ? "out " : parameter.IsIn ? "in " : "ref ";
        }
        else if (parameter.IsDefined(typeof(ParamArrayAttribute)) || parameter.GetCustomAttributes().Any(a => a.GetType().Name == "ParamCollectionAttribute"))
        {
            prefix = "params ";
        }

        string text = $"{prefix}{TypeName(type, new NullabilityInfoContext().Create(parameter))} {parameter.Name}";
        return parameter.HasDefaultValue ? $"{text} = {Literal(parameter.RawDefaultValue, type)}" : text;
    }

    private static string Literal(object? value, Type type)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        return value switch
        {
            null or DBNull or Missing => target.IsValueType && Nullable.GetUnderlyingType(type) is null ? "default" : "null",
            string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
            char c => $"'{c}'",
            bool b => b ? "true" : "false",
            _ when target.IsEnum => Enum.GetName(target, value) is string member ? $"{TypeName(target)}.{member}" : $"({TypeName(target)}){value}",
            float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static string TypeName(Type type, NullabilityInfo? nullability = null)
    {
        if (type.IsByRef || type.IsPointer)
        {
            return TypeName(type.GetElementType()!, nullability) + (type.IsPointer ? "*" : "");
        }

        if (Nullable.GetUnderlyingType(type) is Type underlying)
        {
            return TypeName(underlying, nullability?.GenericTypeArguments.FirstOrDefault()) + "?";
        }

        string nullable = !type.IsValueType && nullability?.ReadState == NullabilityState.Nullable ? "?" : "";
        if (type.IsArray)
        {
            return TypeName(type.GetElementType()!, nullability?.ElementType) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + nullable;
        }

        if (type.IsGenericParameter)
        {
            return type.Name; // reflection cannot tell T from T? for an unconstrained T
        }

        if (s_keywords.TryGetValue(type, out string? keyword))
        {
            return keyword + nullable;
        }

        Type[] arguments = type.GetGenericArguments();
        string Argument(int i) => TypeName(arguments[i], nullability is { GenericTypeArguments.Length: > 0 } n && i < n.GenericTypeArguments.Length ? n.GenericTypeArguments[i] : null);
        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
        {
            return "(" + string.Join(", ", arguments.Select((_, i) => Argument(i))) + ")" + nullable;
        }

        string name = type.IsNested ? TypeName(type.DeclaringType!) + "." + SimpleName(type) : SimpleName(type);
        int own = type.IsNested ? arguments.Length - type.DeclaringType!.GetGenericArguments().Length : arguments.Length;
        if (type.IsGenericType && own > 0)
        {
            name += "<" + string.Join(", ", Enumerable.Range(arguments.Length - own, own).Select(Argument)) + ">";
        }

        return name + nullable;
    }

    private static string SimpleName(Type type) => type.Name.Split('`')[0];

    private static bool IsInit(MethodInfo? setter) =>
        setter is not null && setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    private static bool IsVisible(MethodBase method, Type type) => IsVisible(method.IsPublic, method.IsFamily, method.IsFamilyOrAssembly, type);

    private static bool IsVisible(bool isPublic, bool isFamily, bool isFamilyOrAssembly, Type type) =>
        isPublic || (!type.IsSealed && (isFamily || isFamilyOrAssembly));

    private static string Access(MethodBase method) => method.IsPublic ? "public" : method.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string Modifiers(MethodInfo method)
    {
        if (method.IsStatic)
        {
            return "static ";
        }

        if (method.IsAbstract && !method.DeclaringType!.IsInterface)
        {
            return "abstract ";
        }

        if (!method.IsVirtual || method.DeclaringType!.IsInterface)
        {
            return "";
        }

        bool overrides = method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        if (overrides)
        {
            return method.IsFinal ? "sealed override " : "override ";
        }

        return method.IsFinal ? "" : "virtual "; // virtual final: an interface implementation, not virtual in C#
    }

    private static bool IsCompilerGenerated(MemberInfo member) => member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
}

/// <summary>A line diff for people: the changed lines with two lines of context, '-' before, '+' after.</summary>
internal static class LineDiff
{
    public static string Format(string before, string after, int context = 2)
    {
        string[] a = Lines(before), b = Lines(after);

        // lcs[i, j]: the length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        // Walk both: a kept line, else a removed one (first), else an added one. OldLine is 0-based in a.
        var edits = new List<(char Kind, string Line, int OldLine)>();
        for (int x = 0, y = 0; x < a.Length || y < b.Length;)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                edits.Add((' ', a[x], x));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                edits.Add(('-', a[x], x));
                x++;
            }
            else
            {
                edits.Add(('+', b[y], x));
                y++;
            }
        }

        // Show every change and the kept lines within `context` of one, in runs headed by their line.
        var shown = new bool[edits.Count];
        for (int k = 0; k < edits.Count; k++)
        {
            if (edits[k].Kind != ' ')
            {
                for (int m = Math.Max(0, k - context); m <= Math.Min(edits.Count - 1, k + context); m++)
                {
                    shown[m] = true;
                }
            }
        }

        var text = new StringBuilder();
        for (int k = 0; k < edits.Count; k++)
        {
            if (!shown[k])
            {
                continue;
            }

            if (k == 0 || !shown[k - 1])
            {
                text.Append(CultureInfo.InvariantCulture, $"@@ line {edits[k].OldLine + 1}\n");
            }

            text.Append(edits[k].Kind).Append(' ').Append(edits[k].Line).Append('\n');
        }

        return text.ToString();
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
