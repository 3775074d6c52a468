// ModelFile: saves a Sequential model (architecture and weights) to a small documented binary file
// and loads it back, bit for bit. The format is specified in docs/model-format.md: version 2 is
// written (ModelFile.Version2.cs), versions 1 and 2 are read (ModelFile.Version1.cs). Every layer is
// rebuilt by the factory LayerRegistry holds for its kind, so new kinds extend the format without
// touching this file, and nothing is instantiated from a type name found in a file. Loading trusts
// nothing: every size is checked against the bytes present before anything is allocated, and a
// SHA-256 trailer catches damage. Saving goes through a temporary file, so a failed save leaves the
// previous file untouched.
namespace MnistBp;

/// <summary>Saves and loads <see cref="Sequential"/> models in the MnistBp model format (writes version 2, reads 1 and 2).</summary>
/// <remarks>
/// <para>
/// Layout, all little-endian: the 4 ASCII bytes <c>MNBP</c>; uint16 version (2); uint16 flags (0);
/// int32 layer count; then per layer its kind and name (int32 byte count then UTF-8), its settings
/// (int32 count, then per setting a name, a uint8 type tag and the value) and its parameters (int32
/// count, then per parameter a uint8 rank, int32 sizes and the float32 values, row-major); finally
/// 32 bytes of SHA-256 over everything before them. docs/model-format.md gives it byte by byte.
/// </para>
/// <para>
/// A layer is saved when its <see cref="Layer.Kind"/> is known to <see cref="LayerRegistry"/>: <c>Dense</c>
/// and <c>Sigmoid</c> always are, a kind of your own after one <see cref="LayerRegistry.Register"/> call.
/// </para>
/// </remarks>
public static partial class ModelFile
{
    /// <summary>The format version this code writes; it reads this one and every one before it.</summary>
    public const int FormatVersion = 2;

    internal const int MaxLayers = 4096;
    internal const int MaxNameBytes = 1024;
    internal const int MaxParameters = 256;
    private const int HeaderBytes = 12; // magic, version, flags, layer count
    private const int HashBytes = 32;
    private static readonly long s_maxFileBytes = Array.MaxLength;

    private static ReadOnlySpan<byte> Magic => "MNBP"u8;

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/>. The bytes go to a temporary file in the
    /// same folder, which then replaces <paramref name="path"/>: an existing file is never left half-written.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="NotSupportedException">
    /// A layer's kind is not registered (the message shows the <see cref="LayerRegistry.Register"/> call to
    /// make), or a name or a count is beyond the format's bounds; nothing has been written.
    /// </exception>
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
    /// <exception cref="NotSupportedException">A layer cannot be saved (see <see cref="Save(Sequential, string)"/>); nothing has been written.</exception>
    public static void Save(Sequential model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Serialize(model));
    }

    /// <summary>Loads a model saved by <see cref="Save(Sequential, string)"/>, of this format version or an earlier one.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>A model whose predictions are bit-identical to those of the saved one.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a model file, is damaged or truncated, or holds a layer kind this program has not
    /// registered; the message names the file and the offset.
    /// </exception>
    public static Sequential Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, path);
    }

    /// <summary>Loads a model from a stream.</summary>
    /// <param name="source">The stream, read to its end.</param>
    /// <param name="sourceName">The name used in error messages, such as the file path; null for "model stream".</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid model; the message names the source and the offset.</exception>
    public static Sequential Load(Stream source, string? sourceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        sourceName ??= "model stream";
        byte[] bytes = ReadAll(source, sourceName);
        var reader = new ModelReader(bytes, sourceName);

        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw reader.Error(0, "it does not start with the MnistBp model magic 'MNBP'; this is not an MnistBp model file");
        }

        if (bytes.Length < HeaderBytes + HashBytes)
        {
            throw reader.Error(bytes.Length, $"the file is truncated: {bytes.Length} bytes is shorter than the smallest model file");
        }

        reader.Position = Magic.Length;
        int version = reader.ReadUInt16();
        Func<ModelReader, int, StoredLayer> readLayer = version switch
        {
            1 => ReadVersion1Layer,
            FormatVersion => ReadVersion2Layer,
            _ => throw reader.Error(4, $"format version {version} is not supported (this MnistBp reads versions 1 to {FormatVersion})"),
        };

        int payload = bytes.Length - HashBytes;
        byte[] expectedHash = System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, payload));
        if (!expectedHash.AsSpan().SequenceEqual(bytes.AsSpan(payload)))
        {
            throw reader.Error(payload, "the SHA-256 checksum does not match the content: the file is damaged or truncated");
        }

        reader.End = payload;
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
        int? width = null; // inputs per sample the next layer gets, once a layer with a fixed input size has set it
        for (int i = 0; i < layerCount; i++)
        {
            StoredLayer stored = readLayer(reader, i);
            Layer layer = Create(reader, i, stored);
            CopyParameters(reader, i, stored, layer);
            width = CheckWidth(reader, i, stored, layer, width);
            model.Add(layer);
        }

        if (reader.Position != payload)
        {
            throw reader.Error(reader.Position, $"{payload - reader.Position} unexpected bytes after the last layer");
        }

        return model;
    }

    /// <summary>Rebuilds one layer with the factory registered for its kind: the only way a file creates anything.</summary>
    private static Layer Create(ModelReader reader, int index, StoredLayer stored)
    {
        LayerRecord record = stored.Record;
        if (!LayerRegistry.TryGetFactory(record.Kind, out Func<LayerRecord, Layer> create))
        {
            throw reader.Error(stored.Offset,
                $"layer {index} ({record}) has the kind '{ModelText.Escape(record.Kind)}', which this program has not registered " +
                $"(it knows {string.Join(", ", LayerRegistry.Registered)}). Layers are created only by registered factories, never from type names " +
                $"in a file: if the kind is yours, make it loadable before loading with {LayerRegistry.RegisterCall(record.Kind, typeName: null)}");
        }

        Layer? layer;
        try
        {
            layer = create(record);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw reader.Error(stored.Offset, $"layer {index} ({record}): the factory registered for '{ModelText.Escape(record.Kind)}' failed: {ModelText.Escape(e.Message)}", e);
        }

        return layer ?? throw reader.Error(stored.Offset, $"layer {index} ({record}): the factory registered for '{ModelText.Escape(record.Kind)}' returned null");
    }

    /// <summary>Checks that the new layer's parameters have exactly the shapes in the file, then copies the saved values in.</summary>
    private static void CopyParameters(ModelReader reader, int index, StoredLayer stored, Layer layer)
    {
        IReadOnlyList<Parameter> parameters = layer.Parameters;
        IReadOnlyList<ParameterShape> shapes = stored.Record.ParameterShapes;
        if (parameters.Count != shapes.Count)
        {
            throw reader.Error(stored.Offset,
                $"layer {index} ({stored.Record}) has {shapes.Count} parameters in the file ({string.Join(", ", shapes)}), but the layer its factory made has " +
                $"{parameters.Count} ({string.Join(", ", parameters.Select(p => p.Value.Shape))})");
        }

        for (int j = 0; j < parameters.Count; j++)
        {
            Tensor value = parameters[j].Value;
            if (ParameterShape.Of(value) != shapes[j])
            {
                throw reader.Error(stored.Parameters[j].Offset,
                    $"layer {index} ({stored.Record}), parameter {j} '{ModelText.Escape(value.Name)}': the file holds {shapes[j]}, the layer its factory made has {value.Shape}");
            }

            reader.ReadFloatsAt(stored.Parameters[j].ValuesOffset, value.AsSpan());
        }
    }

    /// <summary>Checks that a layer with a fixed input size gets it from the layers before; returns the width after the layer.</summary>
    private static int? CheckWidth(ModelReader reader, int index, StoredLayer stored, Layer layer, int? width)
    {
        if (layer.FixedInputSize is int fixedInputSize)
        {
            if (width is int given && given != fixedInputSize)
            {
                throw reader.Error(stored.Offset, $"layer {index} ({stored.Record}) takes {fixedInputSize} inputs per sample but the layers before it give {given}");
            }

            width = fixedInputSize;
        }

        if (width is not int inputSize)
        {
            return null;
        }

        try
        {
            return layer.GetOutputSize(inputSize);
        }
        catch (ArgumentException e)
        {
            throw reader.Error(stored.Offset, $"layer {index} ({stored.Record}) cannot take the {inputSize} inputs per sample the layers before it give: {ModelText.Escape(e.Message)}", e);
        }
    }

    private static byte[] ReadAll(Stream source, string sourceName)
    {
        if (source.CanSeek && source.Length - source.Position > s_maxFileBytes)
        {
            throw new InvalidDataException($"{sourceName}: {source.Length} bytes is larger than any MnistBp model file can be ({s_maxFileBytes}).");
        }

        using var memory = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = source.Read(chunk)) > 0)
        {
            if (memory.Length + read > s_maxFileBytes)
            {
                throw new InvalidDataException($"{sourceName}: more than {s_maxFileBytes} bytes, larger than any MnistBp model file can be.");
            }

            memory.Write(chunk, 0, read);
        }

        return memory.ToArray();
    }

    /// <summary>One layer as a reader found it: where it starts, its record, and where each parameter's shape and values are.</summary>
    private sealed record StoredLayer(int Offset, LayerRecord Record, StoredParameter[] Parameters);

    /// <summary>Where a parameter starts (its rank or sizes) and where its float32 values start.</summary>
    private readonly record struct StoredParameter(int Offset, int ValuesOffset);
}
