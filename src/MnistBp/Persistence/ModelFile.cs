// ModelFile: saves a Sequential model (architecture and weights) to a small documented binary file
// and loads it back, bit for bit. The format is specified in docs/model-format.md. Loading trusts
// nothing in the file: every size is checked against the bytes present before anything is
// allocated, and a SHA-256 trailer catches damage. It never creates types named by the file, and it
// saves through a temporary file so a failed save leaves the previous file untouched.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MnistBp;

/// <summary>Saves and loads <see cref="Sequential"/> models in the MnistBp model format (version 1).</summary>
/// <remarks>
/// Layout, all little-endian: the 4 ASCII bytes <c>MNBP</c>; uint16 version (1); uint16 flags (0);
/// int32 layer count; then per layer a uint8 kind (1 = Dense, 2 = Sigmoid), a name (int32 byte count
/// then UTF-8), and for Dense: int32 inputSize, int32 outputSize, the weights as float32 row-major
/// [inputSize x outputSize], the biases as float32 [outputSize]; finally 32 bytes of SHA-256 over
/// everything before them.
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "MNBP"u8;
    private const int HashSize = 32;
    private const int MaxLayers = 4096;
    private const int MaxNameBytes = 1024;
    private const long MaxFileBytes = 1L << 31;

    private enum LayerKind : byte
    {
        Dense = 1,
        Sigmoid = 2,
    }

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/>. The bytes go to a temporary file in the
    /// same folder, which then replaces <paramref name="path"/>: an existing file is never left half-written.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="NotSupportedException">The model holds a layer kind the format cannot store.</exception>
    /// <exception cref="IOException">The file could not be written; an existing file at <paramref name="path"/> is unchanged.</exception>
    public static void Save(Sequential model, string path) => Save(model, path, wrapStream: null);

    /// <summary>Saves with a hook around the file stream, so tests can simulate a failure part way.</summary>
    internal static void Save(Sequential model, string path, Func<Stream, Stream>? wrapStream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Serialize(model); // fails on unsupported layers before any file is touched
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save the model to '{fullPath}': the folder '{directory}' does not exist.");
        }

        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (Stream stream = wrapStream?.Invoke(file) ?? file)
            {
                stream.Write(bytes);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes <paramref name="model"/> in the model format to <paramref name="destination"/>.</summary>
    /// <param name="model">The model to save.</param>
    /// <param name="destination">A writable stream.</param>
    /// <exception cref="NotSupportedException">The model holds a layer kind the format cannot store.</exception>
    public static void Save(Sequential model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Serialize(model));
    }

    /// <summary>Loads a model saved by <see cref="Save(Sequential, string)"/>.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>A model whose predictions are bit-identical to those of the saved one.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a model file, or is damaged or truncated; the message names the file and the offset.</exception>
    public static Sequential Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, path);
    }

    /// <summary>Loads a model from a stream.</summary>
    /// <param name="source">The stream, read to its end.</param>
    /// <param name="sourceName">The name used in error messages, such as the file path.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid model; the message names the source and the offset.</exception>
    public static Sequential Load(Stream source, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        sourceName ??= "model stream";
        byte[] bytes = ReadAll(source, sourceName);
        var reader = new Reader(bytes, sourceName);

        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw reader.Error(0, "it does not start with the MnistBp model magic 'MNBP'; this is not an MnistBp model file");
        }

        if (bytes.Length < Magic.Length + 4 + 4 + HashSize)
        {
            throw reader.Error(bytes.Length, $"the file is truncated: {bytes.Length} bytes is shorter than the smallest model file");
        }

        int version = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4));
        if (version != FormatVersion)
        {
            throw reader.Error(4, $"format version {version} is not supported (this MnistBp reads version {FormatVersion})");
        }

        int payload = bytes.Length - HashSize;
        byte[] expectedHash = SHA256.HashData(bytes.AsSpan(0, payload));
        if (!expectedHash.AsSpan().SequenceEqual(bytes.AsSpan(payload)))
        {
            throw reader.Error(payload, "the SHA-256 checksum does not match the content: the file is damaged or truncated");
        }

        reader.End = payload;
        reader.Position = 6;
        int flags = reader.ReadUInt16();
        if (flags != 0)
        {
            throw reader.Error(6, $"unknown flags 0x{flags:X4}");
        }

        int layerCount = reader.ReadInt32();
        if (layerCount is < 0 or > MaxLayers)
        {
            throw reader.Error(8, $"layer count {layerCount} is outside 0..{MaxLayers}");
        }

        var model = new Sequential();
        Dense? previousDense = null;
        for (int i = 0; i < layerCount; i++)
        {
            int kindOffset = reader.Position;
            var kind = (LayerKind)reader.ReadByte();
            string name = reader.ReadName(MaxNameBytes);
            switch (kind)
            {
                case LayerKind.Dense:
                    int sizesOffset = reader.Position;
                    int inputSize = reader.ReadInt32(), outputSize = reader.ReadInt32();
                    if (inputSize <= 0 || outputSize <= 0)
                    {
                        throw reader.Error(sizesOffset, $"layer {i} (Dense '{name}') has sizes {inputSize} -> {outputSize}; both must be positive");
                    }

                    long needed = ((long)inputSize * outputSize + outputSize) * sizeof(float);
                    if (needed > reader.Remaining)
                    {
                        throw reader.Error(sizesOffset, $"layer {i} (Dense '{name}') claims {inputSize} x {outputSize} weights ({needed} bytes) but only {reader.Remaining} bytes remain");
                    }

                    if (previousDense is not null && previousDense.OutputSize != inputSize)
                    {
                        throw reader.Error(sizesOffset, $"layer {i} (Dense '{name}') takes {inputSize} inputs but the Dense layer before it gives {previousDense.OutputSize}");
                    }

                    var dense = new Dense(inputSize, outputSize, name);
                    reader.ReadFloats(dense.Weights.Value.AsSpan());
                    reader.ReadFloats(dense.Biases.Value.AsSpan());
                    model.Add(dense);
                    previousDense = dense;
                    break;
                case LayerKind.Sigmoid:
                    model.Add(new Sigmoid(name));
                    break;
                default:
                    throw reader.Error(kindOffset, $"layer {i} has unknown kind {(byte)kind}");
            }
        }

        if (reader.Position != payload)
        {
            throw reader.Error(reader.Position, $"{payload - reader.Position} unexpected bytes after the last layer");
        }

        return model;
    }

    private static byte[] Serialize(Sequential model)
    {
        using var buffer = new MemoryStream();
        var header = new byte[12];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), model.Layers.Count);
        buffer.Write(header);

        Span<byte> scratch = stackalloc byte[8];
        foreach (Layer layer in model.Layers)
        {
            LayerKind kind = layer switch
            {
                Dense => LayerKind.Dense,
                Sigmoid => LayerKind.Sigmoid,
                _ => throw new NotSupportedException($"{layer} cannot be saved: model format {FormatVersion} stores Dense and Sigmoid layers only."),
            };
            buffer.WriteByte((byte)kind);
            byte[] name = Encoding.UTF8.GetBytes(layer.Name);
            if (name.Length > MaxNameBytes)
            {
                throw new NotSupportedException($"{layer}: the name is {name.Length} UTF-8 bytes; the format allows {MaxNameBytes}.");
            }

            BinaryPrimitives.WriteInt32LittleEndian(scratch, name.Length);
            buffer.Write(scratch[..4]);
            buffer.Write(name);
            if (layer is Dense dense)
            {
                BinaryPrimitives.WriteInt32LittleEndian(scratch, dense.InputSize);
                BinaryPrimitives.WriteInt32LittleEndian(scratch[4..], dense.OutputSize);
                buffer.Write(scratch);
                WriteFloats(buffer, dense.Weights.Value.AsSpan());
                WriteFloats(buffer, dense.Biases.Value.AsSpan());
            }
        }

        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            stream.Write(bytes);
        }
    }

    private static byte[] ReadAll(Stream source, string sourceName)
    {
        if (source.CanSeek && source.Length - source.Position > MaxFileBytes)
        {
            throw new InvalidDataException($"{sourceName}: {source.Length} bytes is larger than any MnistBp model file can be ({MaxFileBytes}).");
        }

        using var memory = new MemoryStream();
        source.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>Reads little-endian values with bounds checks that name the source and the offset.</summary>
    private sealed class Reader(byte[] bytes, string sourceName)
    {
        public int Position { get; set; }

        public int End { get; set; } = bytes.Length;

        public long Remaining => End - Position;

        public byte ReadByte() => Take(1)[0];

        public int ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public string ReadName(int maxBytes)
        {
            int offset = Position;
            int length = ReadInt32();
            if (length < 0 || length > maxBytes)
            {
                throw Error(offset, $"a layer name of {length} bytes is outside 0..{maxBytes}");
            }

            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length));
            }
            catch (DecoderFallbackException)
            {
                throw Error(offset + 4, "a layer name is not valid UTF-8");
            }
        }

        public void ReadFloats(Span<float> destination)
        {
            ReadOnlySpan<byte> source = Take(checked(destination.Length * sizeof(float)));
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * sizeof(float)));
            }
        }

        public InvalidDataException Error(long offset, string message) =>
            new($"{sourceName}: not a valid MnistBp model at byte {offset}: {message}.");

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > End - Position)
            {
                throw Error(Position, $"the file is truncated: {count} more bytes needed, {End - Position} left");
            }

            var span = new ReadOnlySpan<byte>(bytes, Position, count);
            Position += count;
            return span;
        }
    }
}
