// ModelReader and ModelWriter: the little-endian primitives of the model file. The reader trusts
// nothing: every read is checked against the bytes left before it happens, every length is checked
// against its bound before anything is allocated, and every error names the source and the byte
// offset. They know the primitive types of the format (integers, floats, length-prefixed UTF-8),
// not its layout, which lives in ModelFile.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MnistBp;

/// <summary>Reads the primitives of a model file with bounds checks whose errors name the source and the offset.</summary>
/// <param name="bytes">The whole file, in its first <paramref name="length"/> bytes.</param>
/// <param name="length">How many bytes of <paramref name="bytes"/> hold the file.</param>
/// <param name="sourceName">The file's path or another name for messages.</param>
internal sealed class ModelReader(byte[] bytes, int length, string sourceName)
{
    /// <summary>A reader of all of <paramref name="bytes"/>.</summary>
    public ModelReader(byte[] bytes, string sourceName)
        : this(bytes, bytes.Length, sourceName)
    {
    }

    /// <summary>The offset of the next byte to read.</summary>
    public int Position { get; set; }

    /// <summary>The offset reads must stop at (the start of the SHA-256 trailer once it is verified).</summary>
    public int End { get; set; } = length;

    /// <summary>The bytes left before <see cref="End"/>.</summary>
    public int Remaining => End - Position;

    /// <summary>Reads a uint8.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a little-endian uint16.</summary>
    public int ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian int32.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads an int32 byte count in <paramref name="minBytes"/>..<paramref name="maxBytes"/>, then that many bytes of strict UTF-8.</summary>
    /// <param name="minBytes">The smallest length allowed.</param>
    /// <param name="maxBytes">The largest length allowed, checked before the text is allocated.</param>
    /// <param name="what">What the text is, for messages: "layer name", "kind".</param>
    public string ReadText(int minBytes, int maxBytes, string what)
    {
        int offset = Position;
        int length = ReadInt32();
        if (length < minBytes || length > maxBytes)
        {
            throw Error(offset, string.Create(CultureInfo.InvariantCulture, $"a {what} of {length} bytes is outside {minBytes}..{maxBytes}"));
        }

        try
        {
            return ModelText.Strict.GetString(Take(length));
        }
        catch (DecoderFallbackException)
        {
            throw Error(offset + 4, $"a {what} is not valid UTF-8");
        }
    }

    /// <summary>Moves past <paramref name="count"/> bytes, which must be there.</summary>
    public void Skip(long count)
    {
        if (count < 0 || count > Remaining)
        {
            throw Truncated(count);
        }

        Position += (int)count;
    }

    /// <summary>Reads <paramref name="destination"/>.Length float32 values starting at <paramref name="offset"/>, leaving <see cref="Position"/> alone.</summary>
    public void ReadFloatsAt(int offset, Span<float> destination)
    {
        int saved = Position;
        Position = offset;
        ReadOnlySpan<byte> source = Take(checked(destination.Length * sizeof(float)));
        Position = saved;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * sizeof(float)));
        }
    }

    /// <summary>The error for a file that is not a valid model: "source: not a valid MnistBp model at byte N: message."</summary>
    /// <param name="offset">Where the problem is.</param>
    /// <param name="message">What is wrong, without a final period; names from the file must already be escaped.</param>
    /// <param name="inner">The exception behind it, such as a factory's.</param>
    public InvalidDataException Error(long offset, string message, Exception? inner = null) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{sourceName}: not a valid MnistBp model at byte {offset}: {message.TrimEnd('.')}."), inner);

    private InvalidDataException Truncated(long count) =>
        Error(Position, string.Create(CultureInfo.InvariantCulture, $"the file is truncated: {count} more bytes needed, {Remaining} left"));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw Truncated(count);
        }

        var span = new ReadOnlySpan<byte>(bytes, Position, count);
        Position += count;
        return span;
    }
}

/// <summary>Writes the primitives of a model file, little-endian, into memory.</summary>
internal sealed class ModelWriter
{
    private readonly MemoryStream _buffer = new();

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);

    /// <summary>Writes raw bytes, such as the magic.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>Writes a uint8.</summary>
    public void WriteByte(byte value) => _buffer.WriteByte(value);

    /// <summary>Writes a little-endian uint16.</summary>
    public void WriteUInt16(int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, checked((ushort)value));
        _buffer.Write(bytes);
    }

    /// <summary>Writes a little-endian int32.</summary>
    public void WriteInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes an int32 byte count and the UTF-8 bytes of <paramref name="text"/>, which the caller has checked encodes strictly.</summary>
    public void WriteText(string text)
    {
        byte[] utf8 = ModelText.Strict.GetBytes(text);
        WriteInt32(utf8.Length);
        _buffer.Write(utf8);
    }

    /// <summary>Writes float32 values, little-endian, bit for bit.</summary>
    public void WriteSingles(ReadOnlySpan<float> values)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _buffer.Write(bytes);
        }
    }

    /// <summary>The bytes written so far followed by their SHA-256.</summary>
    public byte[] ToArrayWithHash()
    {
        _buffer.Write(System.Security.Cryptography.SHA256.HashData(Written));
        return _buffer.ToArray();
    }
}
