// Helpers for the data tests: a temporary folder per test, IDX bytes built by hand (independently
// of IdxWriter, so the writer is checked against them) and gzip compression of arbitrary bytes.
using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistBp.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "MnistBp.Tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="fileName"/> inside the folder.</summary>
    public string File(string fileName) => System.IO.Path.Combine(Path, fileName);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="fileName"/> and returns its full path.</summary>
    public string Write(string fileName, byte[] bytes)
    {
        string path = File(fileName);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class IdxBytes
{
    /// <summary>An IDX file: 00 00 type rank, big-endian sizes, then <paramref name="data"/>, with nothing checked.</summary>
    public static byte[] Build(byte type, int[] dimensions, byte[] data)
    {
        byte[] bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        }

        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    /// <summary>An unsigned-byte IDX file.</summary>
    public static byte[] Build(int[] dimensions, byte[] data) => Build(0x08, dimensions, data);

    /// <summary>Deterministic, varied bytes (every value 0..255 appears in long enough runs).</summary>
    public static byte[] Pattern(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 37 + i / 256);
        }

        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}

/// <summary>A read-only view of a stream that cannot seek, like a pipe or a network response.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
