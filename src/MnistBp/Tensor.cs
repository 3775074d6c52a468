// Tensor: a float array plus a shape of rank 1 or 2, stored row-major.
// It is the "matrix" of the tutorial's matrix form: the weight matrix W, the activations A of a
// whole mini-batch (one sample per row), and every gradient dX. It deliberately does no
// arithmetic itself (that lives in Kernels) and has no broadcasting, views of views or autograd.
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>
/// A dense block of <see cref="float"/> values with a shape of rank 1 (<c>[length]</c>) or rank 2
/// (<c>[rows x columns]</c>), stored row-major in a managed array.
/// </summary>
/// <remarks>
/// A rank-1 tensor behaves as a single row: <see cref="Rows"/> is 1 and <see cref="Columns"/> is
/// its length. Element <c>[r, c]</c> of a rank-2 tensor lives at flat index <c>r * Columns + c</c>.
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
[DebuggerTypeProxy(typeof(TensorDebugView))]
public sealed class Tensor
{
    private readonly float[] _data;

    /// <summary>Creates a zero-filled rank-1 tensor of <paramref name="length"/> elements.</summary>
    /// <param name="length">The number of elements; zero or more.</param>
    /// <param name="name">A name shown in the debugger and in error messages, such as "b1".</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public Tensor(int length, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _data = length == 0 ? [] : new float[length];
        Rank = 1;
        Rows = 1;
        Columns = length;
        Name = name ?? string.Empty;
    }

    /// <summary>Creates a zero-filled rank-2 tensor of <paramref name="rows"/> x <paramref name="columns"/> elements.</summary>
    /// <param name="rows">The number of rows; zero or more.</param>
    /// <param name="columns">The number of columns; zero or more.</param>
    /// <param name="name">A name shown in the debugger and in error messages, such as "W1".</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the element count exceeds <see cref="Array.MaxLength"/>.</exception>
    public Tensor(int rows, int columns, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long count = (long)rows * columns;
        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"A tensor of [{rows} x {columns}] would hold {count} elements, more than an array can ({Array.MaxLength}).");
        }

        _data = count == 0 ? [] : new float[count];
        Rank = 2;
        Rows = rows;
        Columns = columns;
        Name = name ?? string.Empty;
    }

    /// <summary>Creates a rank-2 tensor holding a copy of <paramref name="values"/>, given row by row.</summary>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="values">Exactly <paramref name="rows"/> * <paramref name="columns"/> values, row-major.</param>
    /// <param name="name">An optional name.</param>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static Tensor FromValues(int rows, int columns, ReadOnlySpan<float> values, string? name = null)
    {
        var tensor = new Tensor(rows, columns, name);
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException($"{tensor.Describe()} needs {tensor.Length} values, got {values.Length}.", nameof(values));
        }

        values.CopyTo(tensor._data);
        return tensor;
    }

    /// <summary>Creates a rank-1 tensor holding a copy of <paramref name="values"/>.</summary>
    /// <param name="values">The values.</param>
    /// <param name="name">An optional name.</param>
    public static Tensor FromValues(ReadOnlySpan<float> values, string? name = null)
    {
        var tensor = new Tensor(values.Length, name);
        values.CopyTo(tensor._data);
        return tensor;
    }

    /// <summary>The name given at construction ("W1", "dInput"...), or an empty string.</summary>
    public string Name { get; }

    /// <summary>1 for a vector, 2 for a matrix.</summary>
    public int Rank { get; }

    /// <summary>The number of rows (1 for a rank-1 tensor).</summary>
    public int Rows { get; }

    /// <summary>The number of columns (the length of a rank-1 tensor).</summary>
    public int Columns { get; }

    /// <summary>The total number of elements.</summary>
    public int Length => _data.Length;

    /// <summary>The shape as text: <c>[784 x 30]</c> for a matrix, <c>[30]</c> for a vector.</summary>
    public string Shape => Rank == 1
        ? string.Create(CultureInfo.InvariantCulture, $"[{Columns}]")
        : string.Create(CultureInfo.InvariantCulture, $"[{Rows} x {Columns}]");

    /// <summary>Gets or sets the element at a flat (row-major) index.</summary>
    /// <param name="index">0 to <see cref="Length"/> - 1.</param>
    public float this[int index]
    {
        get => _data[CheckIndex(index)];
        set => _data[CheckIndex(index)] = value;
    }

    /// <summary>Gets or sets the element at row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    /// <param name="row">0 to <see cref="Rows"/> - 1.</param>
    /// <param name="column">0 to <see cref="Columns"/> - 1.</param>
    public float this[int row, int column]
    {
        get => _data[CheckIndex(row, column)];
        set => _data[CheckIndex(row, column)] = value;
    }

    /// <summary>A span over all elements, row-major. Writes go to the tensor.</summary>
    public Span<float> AsSpan() => _data;

    /// <summary>A span over the elements of one row. Writes go to the tensor.</summary>
    /// <param name="row">0 to <see cref="Rows"/> - 1.</param>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row {row} is outside {Describe()}.");
        }

        return _data.AsSpan(row * Columns, Columns);
    }

    /// <summary>Copies the elements into a new array, row-major.</summary>
    public float[] ToArray() => (float[])_data.Clone();

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(_data);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    /// <param name="value">The value to store.</param>
    public void Fill(float value) => Array.Fill(_data, value);

    /// <summary>Copies the elements of <paramref name="source"/>, which must have the same shape.</summary>
    /// <param name="source">The tensor to copy from.</param>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireSameShape(source, this, "CopyFrom", nameof(source));
        source._data.CopyTo(_data, 0);
    }

    /// <summary>True when <paramref name="other"/> has the same rank, rows and columns.</summary>
    /// <param name="other">The tensor to compare with.</param>
    public bool HasSameShape(Tensor other) =>
        other is not null && other.Rank == Rank && other.Rows == Rows && other.Columns == Columns;

    /// <summary>The name and shape, like <c>W1 [784 x 30]</c>.</summary>
    public string Describe() => Name.Length == 0 ? Shape : $"{Name} {Shape}";

    /// <summary>Shape plus the first few values, like <c>W1 [2 x 2] [[0.1, 0.2], [0.3, 0.4]]</c>.</summary>
    public override string ToString()
    {
        const int MaxRows = 3, MaxColumns = 6;
        var text = new StringBuilder(Describe()).Append(' ');
        if (Rank == 1)
        {
            AppendRow(text, _data.AsSpan(), MaxColumns);
            return text.ToString();
        }

        text.Append('[');
        for (int r = 0; r < Math.Min(Rows, MaxRows); r++)
        {
            if (r > 0)
            {
                text.Append(", ");
            }

            AppendRow(text, _data.AsSpan(r * Columns, Columns), MaxColumns);
        }

        if (Rows > MaxRows)
        {
            text.Append(", ...");
        }

        return text.Append(']').ToString();
    }

    /// <summary>Throws unless <paramref name="actual"/> has the same shape as <paramref name="expected"/>.</summary>
    /// <param name="actual">The tensor that was passed.</param>
    /// <param name="expected">The tensor whose shape it must match.</param>
    /// <param name="context">Where the check happens, such as "Dense 'W1' Backward".</param>
    /// <param name="paramName">The caller's parameter that holds <paramref name="actual"/>.</param>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    internal static void RequireSameShape(Tensor actual, Tensor expected, string context, string paramName)
    {
        ArgumentNullException.ThrowIfNull(actual, paramName);
        ArgumentNullException.ThrowIfNull(expected);
        if (!actual.HasSameShape(expected))
        {
            throw new ArgumentException($"{context}: {actual.Describe()} does not have the shape of {expected.Describe()}.", paramName);
        }
    }

    internal string DebuggerDisplay => Describe();

    private static void AppendRow(StringBuilder text, ReadOnlySpan<float> row, int maxColumns)
    {
        text.Append('[');
        for (int c = 0; c < Math.Min(row.Length, maxColumns); c++)
        {
            if (c > 0)
            {
                text.Append(", ");
            }

            text.Append(row[c].ToString("G6", CultureInfo.InvariantCulture));
        }

        if (row.Length > maxColumns)
        {
            text.Append(", ...");
        }

        text.Append(']');
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index {index} is outside {Describe()}.");
        }

        return index;
    }

    private int CheckIndex(int row, int column)
    {
        if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
        {
            // Blame the index that is out of range (the row when both are).
            throw new ArgumentOutOfRangeException((uint)row >= (uint)Rows ? nameof(row) : nameof(column), $"[{row}, {column}] is outside {Describe()}.");
        }

        return row * Columns + column;
    }

    /// <summary>What the debugger shows when a tensor is expanded: shape and the first rows.</summary>
    internal sealed class TensorDebugView(Tensor tensor)
    {
        private const int MaxRows = 8, MaxColumns = 16;

        public string Shape => tensor.Describe();

        [DebuggerBrowsable(DebuggerBrowsableState.RootHidden)]
        public float[][] FirstRows
        {
            get
            {
                int rows = Math.Min(tensor.Rows, MaxRows), columns = Math.Min(tensor.Columns, MaxColumns);
                var result = new float[rows][];
                for (int r = 0; r < rows; r++)
                {
                    result[r] = tensor._data.AsSpan(r * tensor.Columns, columns).ToArray();
                }

                return result;
            }
        }
    }
}
