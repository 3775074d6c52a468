// LayerRegistry: the registry of the layer kinds a model file may hold, each a stable name (Layer.Kind)
// with the factory that rebuilds such a layer from its LayerRecord. The built-in kinds are in the
// table below; a user's kind is made known with one Register call. The loader only ever looks kinds
// up here: nothing is instantiated from a type name found in a file, so a file can only create
// layers the program has chosen to know. Each kind also remembers the layer type its factory makes,
// so that Save can refuse a layer that claims a kind it would not load back as (a user's layer whose
// Kind says "Relu" would otherwise load as the library's Relu). It does not read or write files itself.
using System.Collections.Concurrent;
using System.Globalization;

namespace MnistBp;

/// <summary>The layer kinds model files can hold: a stable name per kind and the factory that rebuilds it.</summary>
/// <remarks>
/// <para>
/// <c>Dense</c>, <c>Sigmoid</c>, <c>Relu</c>, <c>LeakyRelu</c>, <c>Tanh</c>, <c>Softmax</c> and <c>Dropout</c> are known without any call. For a layer of your own, give it a fixed
/// <see cref="Layer.Kind"/> (such as <c>MyApp.Relu</c>), write its settings in
/// <see cref="Layer.WriteSettings"/>, and register its factory once at start-up, before saving or
/// loading: <c>LayerRegistry.Register("MyApp.Relu", record => new Relu(record.Name));</c>
/// </para>
/// <para>All members are safe to call from several threads.</para>
/// </remarks>
public static class LayerRegistry
{
    internal const int MaxKindBytes = 256;

    // The built-in kinds: the only place that names the library's own layer types for loading. A layer with
    // settings or sizes reads its record in its own file (FromRecord, beside the WriteSettings it reads back).
    private static readonly KeyValuePair<string, Registration>[] s_builtIn =
    [
        Entry("Dense", Dense.FromRecord),
        Entry("Sigmoid", record => new Sigmoid(record.Name)),
        Entry("Relu", record => new Relu(record.Name)),
        Entry("LeakyRelu", LeakyRelu.FromRecord),
        Entry("Tanh", record => new Tanh(record.Name)),
        Entry("Dropout", Dropout.FromRecord),
        Entry("Softmax", record => new Softmax(record.Name)),
    ];

    private static readonly ConcurrentDictionary<string, Registration> s_factories = new(s_builtIn, StringComparer.Ordinal);

    /// <summary>A kind's factory and the type it declares it makes (<see cref="Layer"/> itself when the factory says no more).</summary>
    private sealed record Registration(Func<LayerRecord, Layer> Create, Type LayerType);

    /// <summary>The kinds known now, built-in and registered, in ordinal order.</summary>
    public static IReadOnlyList<string> Registered => [.. s_factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Makes the layer kind <paramref name="kind"/> loadable: a model file holding a layer of that kind is
    /// rebuilt by <paramref name="create"/>. The kind also remembers <typeparamref name="TLayer"/>, the type the factory
    /// makes (inferred from it: <c>record => new Scale(record.Name)</c> gives <c>Scale</c>): saving a layer of another
    /// type under this kind is refused, since the file would load it back as a <typeparamref name="TLayer"/>. Registering the same kind again with the same delegate instance does nothing (a lambda that captures nothing is one cached instance, so running the same Register line twice is fine); another delegate, even one with the same code, is refused.
    /// </summary>
    /// <param name="kind">
    /// The kind's stable name, the <see cref="Layer.Kind"/> of its layers: 1 to 256 UTF-8 bytes, no control
    /// characters, no white space at either end; case-sensitive. Prefix your own with a namespace.
    /// </param>
    /// <param name="create">
    /// Creates the layer from its record: its name, its settings and the shapes of its saved parameters
    /// (take sizes from the shapes). The loader copies the parameter values in afterwards.
    /// </param>
    /// <typeparam name="TLayer">The type of layer the factory makes; usually inferred.</typeparam>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a valid kind name, or is already registered with another factory.</exception>
    public static void Register<TLayer>(string kind, Func<LayerRecord, TLayer> create)
        where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(create);
        if (ProblemWithKind(kind) is string problem)
        {
            throw new ArgumentException($"The layer kind '{ModelText.Escape(kind)}' {problem}.", nameof(kind));
        }

        Func<LayerRecord, Layer> factory = create; // the same delegate, seen as making any Layer
        Registration registered = s_factories.GetOrAdd(kind, new Registration(factory, typeof(TLayer)));
        if (!registered.Create.Equals(factory))
        {
            throw new ArgumentException(
                $"The layer kind '{kind}' is already registered with another factory; a kind names one type of layer for good. " +
                $"Give yours a name of its own, with your namespace in front, such as 'MyApp.{kind}'.",
                nameof(kind));
        }
    }

    /// <summary>
    /// Makes <paramref name="kind"/> loadable with a factory typed as making any <see cref="Layer"/> (one whose branches
    /// return different layer types, say, where <see cref="Register{TLayer}"/> cannot infer one type). Such a kind
    /// does not remember a layer type, so <see cref="ModelFile.Save(Sequential, string, bool)"/> cannot check that a layer saved under it
    /// loads back as its own type; otherwise the same as <see cref="Register{TLayer}"/>.
    /// </summary>
    /// <param name="kind">The kind's stable name, as for <see cref="Register{TLayer}"/>.</param>
    /// <param name="create">Creates the layer from its record.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not a valid kind name, or is already registered with another factory.</exception>
    public static void Register(string kind, Func<LayerRecord, Layer> create) => Register<Layer>(kind, create);

    /// <summary>Whether model files may hold layers of kind <paramref name="kind"/>: built in, or registered with <see cref="Register"/>.</summary>
    /// <param name="kind">The kind's name, such as <c>Dense</c>.</param>
    /// <returns>True when a factory is known for it.</returns>
    public static bool IsRegistered(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return s_factories.ContainsKey(kind);
    }

    /// <summary>The factory for <paramref name="kind"/>, if known.</summary>
    internal static bool TryGetFactory(string kind, out Func<LayerRecord, Layer> create)
    {
        bool found = s_factories.TryGetValue(kind, out Registration? registration);
        create = registration?.Create!;
        return found;
    }

    /// <summary>
    /// Null when a file holding <paramref name="layer"/> under <paramref name="kind"/> (registered) would load back as a layer
    /// of its type, else the type the kind's factory makes: a layer is refused when it is not an instance of that type.
    /// </summary>
    internal static Type? LoadsAsAnotherType(string kind, Layer layer) =>
        s_factories.TryGetValue(kind, out Registration? registration) && !registration.LayerType.IsInstanceOfType(layer) ? registration.LayerType : null;

    private static KeyValuePair<string, Registration> Entry<TLayer>(string kind, Func<LayerRecord, TLayer> create)
        where TLayer : Layer => new(kind, new Registration(create, typeof(TLayer)));

    /// <summary>Null when <paramref name="kind"/> can be registered and saved, else what is wrong with it.</summary>
    internal static string? ProblemWithKind(string kind)
    {
        int bytes = ModelText.ByteCount(kind);
        if (bytes < 0)
        {
            return "is not valid UTF-16 (it holds a lone surrogate)";
        }

        if (bytes is 0 or > MaxKindBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is {bytes} UTF-8 bytes long; a kind is 1 to {MaxKindBytes}");
        }

        if (ModelText.HasControlCharacters(kind))
        {
            return "holds control characters";
        }

        return char.IsWhiteSpace(kind[0]) || char.IsWhiteSpace(kind[^1]) ? "starts or ends with white space" : null;
    }

    /// <summary>
    /// The call that makes <paramref name="kind"/> loadable, for error messages, such as
    /// <c>LayerRegistry.Register("MyApp.Relu", record => new Relu(record.Name))</c>.
    /// </summary>
    /// <param name="kind">The kind; escaped into a C# literal.</param>
    /// <param name="typeName">The layer's class name when known, else null to guess it from the kind's last segment.</param>
    internal static string RegisterCall(string kind, string? typeName)
    {
        string guess = typeName ?? kind[(kind.LastIndexOfAny(['.', '+']) + 1)..];
        string type = IsIdentifier(guess) ? guess : "YourLayer";
        return $"{nameof(LayerRegistry)}.{nameof(Register)}({ModelText.CSharpLiteral(kind)}, record => new {type}(record.Name))";
    }

    private static bool IsIdentifier(string text) =>
        text.Length > 0 && (char.IsLetter(text[0]) || text[0] == '_') && text.All(c => char.IsLetterOrDigit(c) || c == '_');
}
