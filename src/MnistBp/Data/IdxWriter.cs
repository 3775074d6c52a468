// IdxWriter: writes unsigned-byte IDX files, raw or gzip-compressed, the exact layout IdxReader
// reads. It exists for tests and tools (small hand-made files, a small slice of MNIST kept in the
// repository). It writes in place, not atomically, and writes no other element type.
using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistBp.Data;

/// <summary>Writes unsigned-byte IDX files: the magic number 00 00 08 n, n big-endian int32 sizes, then the bytes.</summary>
public static class IdxWriter
{
    /// <summary>Writes an IDX file at <paramref name="path"/>, replacing any file there.</summary>
    /// <param name="path">The file to create; its folder must exist.</param>
    /// <param name="dimensions">The size of each dimension, outermost first; 1 to <see cref="IdxArray.MaxRank"/> of them, each zero or more.</param>
    /// <param name="data">The elements, row-major; exactly the product of the sizes.</param>
    /// <param name="gzip">True to gzip-compress the file (whatever its name), false to write it raw.</param>
    /// <exception cref="ArgumentException">The sizes are invalid or do not match the length of <paramref name="data"/>.</exception>
    public static void Write(string path, ReadOnlySpan<int> dimensions, ReadOnlySpan<byte> data, bool gzip)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IdxArray.ValidateDimensions(dimensions, data.Length, nameof(dimensions));
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(file, dimensions, data, gzip);
    }

    /// <summary>Writes an IDX file to <paramref name="stream"/> at its current position; the stream is left open.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="dimensions">The size of each dimension, outermost first; 1 to <see cref="IdxArray.MaxRank"/> of them, each zero or more.</param>
    /// <param name="data">The elements, row-major; exactly the product of the sizes.</param>
    /// <param name="gzip">True to gzip-compress the output, false to write it raw.</param>
    /// <exception cref="ArgumentException">The sizes are invalid or do not match the length of <paramref name="data"/>.</exception>
    public static void Write(Stream stream, ReadOnlySpan<int> dimensions, ReadOnlySpan<byte> data, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(stream);
        IdxArray.ValidateDimensions(dimensions, data.Length, nameof(dimensions));

        // Magic number 00 00 08 n (unsigned bytes, n dimensions), then n big-endian int32 sizes.
        Span<byte> header = stackalloc byte[IdxArray.HeaderLength(IdxArray.MaxRank)];
        header = header[..IdxArray.HeaderLength(dimensions.Length)];
        header[0] = 0;
        header[1] = 0;
        header[2] = 0x08;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.Slice(4 + 4 * i, 4), dimensions[i]);
        }

        if (gzip)
        {
            using var compressor = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
            compressor.Write(header);
            compressor.Write(data);
        }
        else
        {
            stream.Write(header);
            stream.Write(data);
        }

        stream.Flush();
    }
}
