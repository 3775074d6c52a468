// IdxArray: what an IDX file holds once read: the sizes of its dimensions and its unsigned bytes,
// row-major (the last dimension varies fastest), plus the name of the file for error messages.
// It is a plain container: it does not scale, reshape or interpret the bytes (Dataset does that)
// and it holds only the unsigned-byte element type, the only one MNIST uses.
using System.Collections.ObjectModel;
using System.Globalization;

namespace MnistBp.Data;

/// <summary>
/// An N-dimensional array of unsigned bytes as stored in an IDX file: <see cref="Dimensions"/>
/// (for MNIST images <c>[10000, 28, 28]</c>) and <see cref="Data"/>, row-major.
/// </summary>
/// <remarks>
/// In the file the data starts at byte offset <see cref="DataOffset"/> = 4 + 4 * rank (the magic
/// number, then one big-endian int32 per dimension), so element <c>i</c> of <see cref="Data"/> is
/// byte <c>DataOffset + i</c> of the (decompressed) file.
/// </remarks>
public sealed class IdxArray
{
    /// <summary>The largest number of dimensions accepted (the format allows 255; no real file needs more than a few).</summary>
    public const int MaxRank = 8;

    private readonly int[] _dimensions;

    /// <summary>Creates an array from its sizes and its bytes.</summary>
    /// <param name="dimensions">The size of each dimension, outermost first; 1 to <see cref="MaxRank"/> of them, each zero or more.</param>
    /// <param name="data">The elements, row-major; exactly the product of the sizes. It is not copied.</param>
    /// <param name="sourceName">The file or stream the bytes came from, used in error messages.</param>
    /// <exception cref="ArgumentException">The sizes are invalid or their product is not the length of <paramref name="data"/>.</exception>
    public IdxArray(ReadOnlySpan<int> dimensions, ReadOnlyMemory<byte> data, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        ValidateDimensions(dimensions, data.Length, nameof(dimensions));
        _dimensions = dimensions.ToArray();
        Dimensions = new ReadOnlyCollection<int>(_dimensions);
        Data = data;
        SourceName = sourceName;
    }

    /// <summary>The file path or stream name the array was read from, as used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>The size of each dimension, outermost first: <c>[count, rows, columns]</c> for MNIST images.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of dimensions, 1 to <see cref="MaxRank"/>.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>The elements, row-major: the last dimension varies fastest.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The byte offset of the first data byte in the (decompressed) file: 4 + 4 * <see cref="Rank"/>.</summary>
    public int DataOffset => HeaderLength(Rank);

    /// <summary>The sizes as text, like <c>[10000 x 28 x 28]</c>.</summary>
    public string Shape => DescribeSizes(_dimensions);

    /// <summary>The source name and shape, like <c>t10k-images-idx3-ubyte.gz [10000 x 28 x 28]</c>.</summary>
    public override string ToString() => $"{SourceName} {Shape}";

    /// <summary>The length of an unsigned-byte IDX header: the 4-byte magic number plus 4 bytes per dimension.</summary>
    internal static int HeaderLength(int rank) => 4 + 4 * rank;

    /// <summary>Sizes as text: <c>[10000 x 28 x 28]</c>.</summary>
    internal static string DescribeSizes(ReadOnlySpan<int> sizes)
    {
        var parts = new string[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = sizes[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(" x ", parts) + "]";
    }

    /// <summary>
    /// The product of the sizes, or -1 when it exceeds <see cref="Array.MaxLength"/>. Sizes must be
    /// non-negative. A zero size anywhere makes the product zero, however large the others are.
    /// </summary>
    internal static long ElementCount(ReadOnlySpan<int> sizes)
    {
        if (sizes.Contains(0))
        {
            return 0;
        }

        // Stop as soon as the product passes Array.MaxLength: each step multiplies a value below 2^31
        // by a size below 2^31, so the long never overflows.
        long count = 1;
        foreach (int size in sizes)
        {
            count *= size;
            if (count > Array.MaxLength)
            {
                return -1;
            }
        }

        return count;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless the sizes are a valid IDX shape for <paramref name="dataLength"/> bytes.</summary>
    internal static void ValidateDimensions(ReadOnlySpan<int> dimensions, int dataLength, string parameterName)
    {
        if (dimensions.Length is 0 or > MaxRank)
        {
            throw new ArgumentException($"An IDX array has 1 to {MaxRank} dimensions, got {dimensions.Length}.", parameterName);
        }

        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 0)
            {
                throw new ArgumentException($"Dimension {i} of {DescribeSizes(dimensions)} is negative.", parameterName);
            }
        }

        long count = ElementCount(dimensions);
        if (count != dataLength)
        {
            string claimed = count < 0 ? $"more than {Array.MaxLength}" : count.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException($"The sizes {DescribeSizes(dimensions)} need {claimed} bytes of data, got {dataLength}.", parameterName);
        }
    }
}
