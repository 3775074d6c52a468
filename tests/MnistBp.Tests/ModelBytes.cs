// ModelBytes: writes model files byte by byte as docs/model-format.md describes them, independently of
// ModelFile, so the tests can check that ModelFile writes the documented layout and build the broken
// files (a bad rank, a huge size, a duplicate setting) that ModelFile itself would never write.
using System.Security.Cryptography;
using System.Text;

namespace MnistBp.Tests;

/// <summary>A model file under construction: header, then layers written field by field, then the SHA-256 trailer.</summary>
internal sealed class ModelBytes
{
    private readonly MemoryStream _stream = new();
    private readonly BinaryWriter _writer;

    /// <summary>Starts a file with the magic, <paramref name="version"/>, <paramref name="flags"/> and <paramref name="layerCount"/>.</summary>
    public ModelBytes(int layerCount, ushort version = 2, ushort flags = 0)
    {
        _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true); // BinaryWriter is little-endian on every platform
        _writer.Write("MNBP"u8);
        _writer.Write(version);
        _writer.Write(flags);
        _writer.Write(layerCount);
    }

    /// <summary>The offset the next byte will have.</summary>
    public int Position => (int)_stream.Position;

    /// <summary>An int32 byte count, then the UTF-8 bytes (a kind, a name, a setting name, a string value).</summary>
    public ModelBytes Text(string text) => Text(Encoding.UTF8.GetBytes(text));

    /// <summary>An int32 byte count, then these bytes, valid UTF-8 or not.</summary>
    public ModelBytes Text(byte[] utf8)
    {
        _writer.Write(utf8.Length);
        _writer.Write(utf8);
        return this;
    }

    /// <summary>A layer's kind and name.</summary>
    public ModelBytes Layer(string kind, string name) => Text(kind).Text(name);

    /// <summary>A count: of settings or of parameters.</summary>
    public ModelBytes Count(int count) => Int32(count);

    /// <summary>A setting of type tag 1, int32.</summary>
    public ModelBytes Setting(string name, int value) => Text(name).Byte(1).Int32(value);

    /// <summary>A setting of type tag 2, float32.</summary>
    public ModelBytes Setting(string name, float value) => Text(name).Byte(2).Single(value);

    /// <summary>A setting of type tag 3, string.</summary>
    public ModelBytes Setting(string name, string value) => Text(name).Byte(3).Text(value);

    /// <summary>A setting of type tag 4, bool.</summary>
    public ModelBytes Setting(string name, bool value) => Text(name).Byte(4).Byte(value ? (byte)1 : (byte)0);

    /// <summary>A rank-1 parameter: uint8 1, int32 length, the values.</summary>
    public ModelBytes Vector(params float[] values) => Byte(1).Int32(values.Length).Singles(values);

    /// <summary>A rank-2 parameter: uint8 2, int32 rows, int32 columns, the values row-major.</summary>
    public ModelBytes Matrix(int rows, int columns, params float[] values) => Byte(2).Int32(rows).Int32(columns).Singles(values);

    /// <summary>A rank-2 parameter of <paramref name="rows"/> x <paramref name="columns"/> zeros.</summary>
    public ModelBytes ZeroMatrix(int rows, int columns) => Matrix(rows, columns, new float[rows * columns]);

    /// <summary>A version-1 Dense layer: kind byte 1, name, int32 inputSize, int32 outputSize, W and b as zeros.</summary>
    public ModelBytes Version1Dense(string name, int inputSize, int outputSize) =>
        Byte(1).Text(name).Int32(inputSize).Int32(outputSize).Singles(new float[(inputSize * outputSize) + outputSize]);

    /// <summary>One byte.</summary>
    public ModelBytes Byte(byte value)
    {
        _writer.Write(value);
        return this;
    }

    /// <summary>A little-endian int32.</summary>
    public ModelBytes Int32(int value)
    {
        _writer.Write(value);
        return this;
    }

    /// <summary>A little-endian float32.</summary>
    public ModelBytes Single(float value)
    {
        _writer.Write(value);
        return this;
    }

    /// <summary>Little-endian float32 values.</summary>
    public ModelBytes Singles(IEnumerable<float> values)
    {
        foreach (float value in values)
        {
            _writer.Write(value);
        }

        return this;
    }

    /// <summary>The bytes so far followed by their SHA-256: a file whose checksum is right, whatever its content.</summary>
    public byte[] ToArray()
    {
        _writer.Flush();
        byte[] content = _stream.ToArray();
        return [.. content, .. SHA256.HashData(content)];
    }

    /// <summary>Loads the bytes with <see cref="ModelFile.Load(Stream, string)"/> under the name <paramref name="name"/>.</summary>
    public Sequential Load(string name = "test.mnbp") => ModelFile.Load(new MemoryStream(ToArray()), name);
}
