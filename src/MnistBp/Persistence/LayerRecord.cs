// LayerRecord: what a model file holds for one layer, as the loader hands it to the factory of the
// layer's kind: the kind, the name, the settings and the shapes of the parameters. The shapes have
// been checked against the bytes present before the record exists, so a factory that takes its sizes
// from them (Dense takes W's rows and columns) cannot be made to allocate more than the file holds.
// The values themselves are not in the record: the loader copies them in after the factory returns.
using System.Globalization;

namespace MnistBp;

/// <summary>The shape of a saved parameter: rank 1 (<c>[length]</c>) or rank 2 (<c>[rows x columns]</c>), as <see cref="Tensor"/> has it.</summary>
/// <remarks>Like <see cref="Tensor"/>, a rank-1 shape has <see cref="Rows"/> = 1 and <see cref="Columns"/> = its length.</remarks>
public readonly record struct ParameterShape
{
    /// <summary>A rank-1 shape of <paramref name="length"/> elements.</summary>
    /// <param name="length">Zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public ParameterShape(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Rank = 1;
        Rows = 1;
        Columns = length;
    }

    /// <summary>A rank-2 shape of <paramref name="rows"/> x <paramref name="columns"/> elements.</summary>
    /// <param name="rows">Zero or more.</param>
    /// <param name="columns">Zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public ParameterShape(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rank = 2;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>1 or 2 (0 only for <c>default</c>, which is no shape).</summary>
    public int Rank { get; }

    /// <summary>The number of rows; 1 for rank 1.</summary>
    public int Rows { get; }

    /// <summary>The number of columns; the length for rank 1.</summary>
    public int Columns { get; }

    /// <summary>The number of elements.</summary>
    public long Length => (long)Rows * Columns;

    /// <summary>The shape of <paramref name="tensor"/>.</summary>
    /// <param name="tensor">A tensor.</param>
    /// <returns>Its rank and sizes.</returns>
    public static ParameterShape Of(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.Rank == 1 ? new ParameterShape(tensor.Columns) : new ParameterShape(tensor.Rows, tensor.Columns);
    }

    /// <summary><c>[784 x 30]</c> or <c>[30]</c>, as <see cref="Tensor.Shape"/> writes it.</summary>
    public override string ToString() => Rank == 1
        ? string.Create(CultureInfo.InvariantCulture, $"[{Columns}]")
        : string.Create(CultureInfo.InvariantCulture, $"[{Rows} x {Columns}]");
}

/// <summary>What a model file holds for one layer, given to the factory registered for its kind with <see cref="LayerRegistry.Register"/>.</summary>
/// <remarks>
/// A factory creates the layer from <see cref="Name"/>, <see cref="Settings"/> and the sizes in
/// <see cref="ParameterShapes"/>; it leaves the parameter values alone. The loader then checks that
/// the layer's <see cref="Layer.Parameters"/> have exactly these shapes and copies the saved values in.
/// </remarks>
public sealed class LayerRecord
{
    private readonly ParameterShape[] _parameterShapes;

    /// <summary>Creates a record; the loader does this for every layer it reads, a test may do it to try a factory.</summary>
    /// <param name="kind">The layer's kind, such as <c>Dense</c>.</param>
    /// <param name="name">The layer's name; may be empty.</param>
    /// <param name="settings">The settings the layer wrote.</param>
    /// <param name="parameterShapes">The shapes of its parameters, in the order of <see cref="Layer.Parameters"/>.</param>
    /// <exception cref="ArgumentException">A shape is <c>default</c>.</exception>
    public LayerRecord(string kind, string name, LayerSettings settings, IEnumerable<ParameterShape> parameterShapes)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(parameterShapes);
        _parameterShapes = [.. parameterShapes];
        if (_parameterShapes.Any(shape => shape.Rank == 0))
        {
            throw new ArgumentException("A parameter shape has rank 0 (a default ParameterShape); use new ParameterShape(length) or new ParameterShape(rows, columns).", nameof(parameterShapes));
        }

        Kind = kind;
        Name = name;
        Settings = settings;
    }

    /// <summary>The layer's kind, the key it was registered under.</summary>
    public string Kind { get; }

    /// <summary>The layer's name, to pass to its constructor; may be empty and may hold any character.</summary>
    public string Name { get; }

    /// <summary>The settings the layer wrote in <see cref="Layer.WriteSettings"/>.</summary>
    public LayerSettings Settings { get; }

    /// <summary>The shapes of the saved parameters, in the order of <see cref="Layer.Parameters"/>.</summary>
    public IReadOnlyList<ParameterShape> ParameterShapes => _parameterShapes;

    /// <summary>The shape of parameter <paramref name="index"/>, the way a factory takes its sizes (Dense: W's rows and columns).</summary>
    /// <param name="index">0 for the first parameter.</param>
    /// <returns>The shape found in the file.</returns>
    /// <exception cref="InvalidDataException">The file holds fewer parameters for this layer.</exception>
    public ParameterShape GetParameterShape(int index) =>
        (uint)index < (uint)_parameterShapes.Length
            ? _parameterShapes[index]
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{this} has {_parameterShapes.Length} parameter{(_parameterShapes.Length == 1 ? "" : "s")} in the file; parameter {index} was asked for."));

    /// <summary>Like <c>Dense 'hidden'</c>, as <see cref="Layer.ToString"/> starts; the name and kind are escaped (they come from a file).</summary>
    public override string ToString() => Describe(Kind, Name);

    /// <summary>Like <c>Dense 'hidden'</c>, or <c>Dense</c> for an empty name, with control characters escaped.</summary>
    internal static string Describe(string kind, string name) =>
        name.Length == 0 ? ModelText.Escape(kind) : $"{ModelText.Escape(kind)} '{ModelText.Escape(name)}'";
}
