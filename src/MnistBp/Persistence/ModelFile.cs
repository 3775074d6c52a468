// ModelFile: saves a Sequential model (architecture and weights) to a small documented binary file
// and loads it back, bit for bit. The format is specified in docs/model-format.md: version 2 is
// written (ModelFile.Version2.cs), versions 1 and 2 are read (ModelFile.Version1.cs). Every layer is
// rebuilt by the factory LayerRegistry holds for its kind, so new kinds extend the format without
// touching this file, and nothing is instantiated from a type name found in a file. Loading trusts
// nothing: every size is checked against the bytes present before anything is allocated, and a
// SHA-256 trailer catches damage; NaN and infinite weights are refused both ways unless asked for.
// Saving goes through a temporary file of its own beside the target, so a failed save leaves the previous file
// untouched and the next save clears what a killed one left.
using System.Globalization;

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
    /// <exception cref="ArgumentException">
    /// A weight is NaN or infinite (the message names the layer, the parameter and the element); nothing has
    /// been written. <see cref="Save(Sequential, string, bool)"/> with <c>allowNonFinite: true</c> saves it anyway.
    /// </exception>
    /// <exception cref="NotSupportedException">
    /// A layer's kind is not registered (the message shows the <see cref="LayerRegistry.Register"/> call to
    /// make), or a name or a count is beyond the format's bounds; nothing has been written.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">
    /// The file is read-only, or the folder may not be written; an existing file at <paramref name="path"/> is unchanged.
    /// </exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a folder, or the file could not be written (the message names <paramref name="path"/>);
    /// an existing file at <paramref name="path"/> is unchanged, and a replaced one keeps its permissions. A symbolic link
    /// is kept: the file it points to is replaced. Two saves to
    /// one path at once each write a file of their own and rename it in turn: the path ends up holding one
    /// complete model or the other, never a torn one.
    /// </exception>
    public static void Save(Sequential model, string path) => Save(model, path, allowNonFinite: false, wrapStream: null);

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/>, as <see cref="Save(Sequential, string)"/> does, optionally with NaN or infinite weights.</summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="allowNonFinite">
    /// True to save NaN and infinite weights bit for bit (such a file loads only with <c>allowNonFinite: true</c>);
    /// false to refuse them, as <see cref="Save(Sequential, string)"/> does.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="allowNonFinite"/> is false and a weight is NaN or infinite; nothing has been written.</exception>
    /// <exception cref="NotSupportedException">A layer cannot be saved (see <see cref="Save(Sequential, string)"/>); nothing has been written.</exception>
    /// <exception cref="IOException">The file could not be written; an existing file at <paramref name="path"/> is unchanged.</exception>
    public static void Save(Sequential model, string path, bool allowNonFinite) => Save(model, path, allowNonFinite, wrapStream: null);

    /// <summary>
    /// Throws unless <see cref="Save(Sequential, string)"/> could write a model at <paramref name="path"/> now: the checks Save
    /// makes of the path (a file name, not a folder, in a folder that exists, not a read-only file, a symbolic link followed
    /// to the file it points to), then an empty probe file created and deleted in that folder, which finds what a listing
    /// cannot (a folder that may not be written, a read-only file system, /proc); it writes no bytes, so a disk too full
    /// for the model is found only by Save itself, which then leaves an existing file unchanged. Call it before a long training run that ends in a Save, so a
    /// path that cannot work fails at once instead of after the run. Nothing at <paramref name="path"/> is touched.
    /// </summary>
    /// <param name="path">The file a later Save will create or replace.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The path names a folder, its folder does not exist, or the file system there takes no new file; the message names the path.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is read-only, or access to the folder is denied; the message names the path.</exception>
    public static void RequireWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (string fullPath, string directory, _) = ResolveTarget(path);
        string probe = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp"); // the name Save's temporary file would have
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Cannot save the model to '{fullPath}': access to the folder '{directory}' is denied, so no file can be created there.", e);
        }
        catch (IOException e)
        {
            // The folder exists (ResolveTarget saw it): a "not found" here means its file system takes no new files, as /proc.
            string why = e is DirectoryNotFoundException or FileNotFoundException
                ? "its file system takes no new files"
                : e.Message.Replace(probe, "a test file", StringComparison.Ordinal);
            throw new IOException($"Cannot save the model to '{fullPath}': no file can be created in the folder '{directory}' ({why}).", e);
        }
    }

    /// <summary>
    /// The file Save writes for <paramref name="path"/> (a symbolic link followed to its final target), its folder and whether
    /// it exists; throws for a path Save refuses, before anything is written.
    /// </summary>
    private static (string FullPath, string Directory, bool Exists) ResolveTarget(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath) || Path.EndsInDirectorySeparator(fullPath))
        {
            throw new IOException($"Cannot save the model to '{fullPath}': it is a folder; give a file name.");
        }

        // A symbolic link: the file it points to is replaced and the link kept, as writing through it would.
        if (new FileInfo(fullPath).LinkTarget is not null && File.ResolveLinkTarget(fullPath, returnFinalTarget: true) is FileSystemInfo target)
        {
            fullPath = target.FullName;
        }

        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        if (File.Exists(directory))
        {
            throw new IOException($"Cannot save the model to '{fullPath}': '{directory}' is a file, not a folder.");
        }

        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save the model to '{fullPath}': the folder '{directory}' does not exist.");
        }

        // Replacing a file by renaming needs only the folder's permission, not the file's: refuse a read-only
        // file here, as writing into it would be refused.
        bool exists = File.Exists(fullPath);
        if (exists && (File.GetAttributes(fullPath) & FileAttributes.ReadOnly) != 0)
        {
            throw new UnauthorizedAccessException($"Cannot save the model to '{fullPath}': the file is read-only; it is unchanged.");
        }

        return (fullPath, directory, exists);
    }

    /// <summary>Saves with a hook around the file stream, so tests can simulate a failure part way.</summary>
    internal static void Save(Sequential model, string path, Func<Stream, Stream>? wrapStream) => Save(model, path, allowNonFinite: false, wrapStream);

    private static void Save(Sequential model, string path, bool allowNonFinite, Func<Stream, Stream>? wrapStream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Serialize(model, allowNonFinite); // fails on unsupported layers before any file is touched
        (string fullPath, string directory, bool exists) = ResolveTarget(path);

        // A temporary name of its own, so two saves never write into one file; what killed saves of this
        // target left behind is deleted first (a file another save still holds open is left alone).
        string fileName = Path.GetFileName(fullPath);
        DeleteStaleTemporaryFiles(directory, fileName);
        string temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
        bool opened = false;
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                opened = true;
                using Stream stream = wrapStream?.Invoke(file) ?? file;
                stream.Write(bytes);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            if (exists && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(fullPath)); // the replaced file's permissions, not the default
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (IOException e) when (e is not DirectoryNotFoundException)
        {
            throw new IOException(Failed(e), e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException(Failed(e), e);
        }
        finally
        {
            if (opened && File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }

        // The system's message names the temporary file; the user knows only the target.
        string Failed(Exception e) => $"Cannot save the model to '{fullPath}': {e.Message} (writing its temporary file '{Path.GetFileName(temporary)}'); "
            + (exists ? "the existing file is unchanged." : "nothing was saved.");
    }

    /// <summary>Deletes the <c>.NAME.GUID.tmp</c> (and <c>.NAME.tmp</c>) files that saves killed mid-way left beside this target.</summary>
    private static void DeleteStaleTemporaryFiles(string directory, string fileName)
    {
        string prefix = "." + fileName + ".";
        try
        {
            foreach (string stale in Directory.EnumerateFiles(directory, prefix + "*tmp"))
            {
                string name = Path.GetFileName(stale);
                string middle = name.Length > prefix.Length + 3 ? name[prefix.Length..^".tmp".Length] : "";
                if (name == prefix + "tmp" || (middle.Length == 32 && middle.All(char.IsAsciiHexDigitLower)))
                {
                    // A save still writing holds its file with FileShare.None (a lock on Unix too): opening it fails, and it is left alone.
                    try
                    {
                        using (new FileStream(stale, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                        {
                        }
                    }
                    catch (IOException)
                    {
                        continue;
                    }

                    File.Delete(stale);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover that cannot be deleted does not stop this save.
        }
    }

    /// <summary>Writes <paramref name="model"/> in the model format to <paramref name="destination"/>.</summary>
    /// <param name="model">The model to save.</param>
    /// <param name="destination">A writable stream.</param>
    /// <exception cref="ArgumentException">A weight is NaN or infinite (the message names the layer, the parameter and the element); nothing has been written.</exception>
    /// <exception cref="NotSupportedException">A layer cannot be saved (see <see cref="Save(Sequential, string)"/>); nothing has been written.</exception>
    public static void Save(Sequential model, Stream destination) => Save(model, destination, allowNonFinite: false);

    /// <summary>Writes <paramref name="model"/> in the model format to <paramref name="destination"/>, optionally with NaN or infinite weights.</summary>
    /// <param name="model">The model to save.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="allowNonFinite">True to write NaN and infinite weights bit for bit; false to refuse them.</param>
    /// <exception cref="ArgumentException"><paramref name="allowNonFinite"/> is false and a weight is NaN or infinite; nothing has been written.</exception>
    /// <exception cref="NotSupportedException">A layer cannot be saved (see <see cref="Save(Sequential, string)"/>); nothing has been written.</exception>
    public static void Save(Sequential model, Stream destination, bool allowNonFinite)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Serialize(model, allowNonFinite));
    }

    /// <summary>
    /// A consistent, independent copy of <paramref name="model"/>: saved to memory and loaded back through
    /// the same <see cref="LayerRegistry"/>, so any kind that can be saved can be copied.
    /// </summary>
    /// <remarks>
    /// Take the copy on the thread that trains, between two training steps (for example in a progress
    /// callback): <see cref="Sequential.Predict(Tensor)"/> on the copy then runs from any thread while training
    /// goes on, and never sees weights mid-update. Its predictions are bit-identical to those of
    /// <paramref name="model"/> when the copy was taken. NaN and infinite weights are copied as they are.
    /// </remarks>
    /// <param name="model">The model to copy.</param>
    /// <returns>A new model with the same layers, settings and weights.</returns>
    /// <exception cref="NotSupportedException">A layer cannot be saved (see <see cref="Save(Sequential, string)"/>).</exception>
    public static Sequential Copy(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        byte[] bytes = Serialize(model, allowNonFinite: true);
        return Load(new MemoryStream(bytes, writable: false), "model copy", allowNonFinite: true);
    }

    /// <summary>Loads a model saved by <see cref="Save(Sequential, string)"/>, of this format version or an earlier one.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>A model whose predictions are bit-identical to those of the saved one.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a folder (the message names it), or the file cannot be read.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">The file's permissions forbid reading it.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a model file, is damaged or truncated, holds a layer kind this program has not
    /// registered, or holds a NaN or infinite weight; the message names the file and the offset.
    /// </exception>
    public static Sequential Load(string path) => Load(path, allowNonFinite: false);

    /// <summary>Loads a model file, as <see cref="Load(string)"/> does, optionally accepting NaN or infinite weights.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="allowNonFinite">True to load NaN and infinite weights as they are; false to refuse them.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder (the message names it), or the file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file's permissions forbid reading it.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid model (see <see cref="Load(string)"/>); the message names the file and the offset.</exception>
    public static Sequential Load(string path, bool allowNonFinite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"Cannot load a model from '{Path.GetFullPath(path)}': it is a folder, not a model file.");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, path, allowNonFinite);
    }

    /// <summary>Loads a model from a stream.</summary>
    /// <param name="source">A readable stream, seekable or not, read to its end.</param>
    /// <param name="sourceName">The name used in error messages, such as the file path; null for "model stream".</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> cannot be read (such as a write-only stream).</exception>
    /// <exception cref="InvalidDataException">
    /// The bytes are not a valid model, are longer than a model file can be, or hold a NaN or infinite
    /// weight; the message names the source and the offset.
    /// </exception>
    public static Sequential Load(Stream source, string? sourceName) => Load(source, sourceName, allowNonFinite: false);

    /// <summary>Loads a model from a stream, optionally accepting NaN or infinite weights.</summary>
    /// <param name="source">A readable stream, seekable or not, read to its end.</param>
    /// <param name="sourceName">The name used in error messages, such as the file path; null for "model stream".</param>
    /// <param name="allowNonFinite">True to load NaN and infinite weights as they are; false to refuse them.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> cannot be read (such as a write-only stream).</exception>
    /// <exception cref="InvalidDataException">The bytes are not a valid model (see <see cref="Load(Stream, string)"/>); the message names the source and the offset.</exception>
    public static Sequential Load(Stream source, string? sourceName, bool allowNonFinite) =>
        Load(source, sourceName, allowNonFinite, s_maxFileBytes);

    /// <summary>Loads with a smaller cap on the bytes read, so tests can reach it.</summary>
    internal static Sequential Load(Stream source, string? sourceName, bool allowNonFinite, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        sourceName ??= "model stream";
        if (!source.CanRead)
        {
            throw new ArgumentException($"The stream for '{sourceName}' cannot be read.", nameof(source));
        }

        // The header first: a stream that is not a model file is refused after 12 bytes, whatever its length.
        byte[] header = new byte[HeaderBytes];
        int headerRead = source.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        var headerReader = new ModelReader(header, headerRead, sourceName);
        if (headerRead < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw headerReader.Error(0, "it does not start with the MnistBp model magic 'MNBP'; this is not an MnistBp model file");
        }

        if (headerRead >= 6)
        {
            int headerVersion = BitConverter.IsLittleEndian ? BitConverter.ToUInt16(header, 4) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(4));
            if (headerVersion is not (1 or FormatVersion))
            {
                throw headerReader.Error(4, $"format version {headerVersion} is not supported (this MnistBp reads versions 1 to {FormatVersion})");
            }
        }

        (byte[] bytes, int length) = ReadRest(source, sourceName, header, headerRead, maxBytes);
        var reader = new ModelReader(bytes, length, sourceName);

        if (length < HeaderBytes + HashBytes)
        {
            throw reader.Error(length, $"the file is truncated: {length} bytes is shorter than the smallest model file");
        }

        reader.Position = Magic.Length;
        int version = reader.ReadUInt16();
        Func<ModelReader, int, StoredLayer> readLayer = version switch
        {
            1 => ReadVersion1Layer,
            FormatVersion => ReadVersion2Layer,
            _ => throw reader.Error(4, $"format version {version} is not supported (this MnistBp reads versions 1 to {FormatVersion})"),
        };

        int payload = length - HashBytes;
        byte[] expectedHash = System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, payload));
        if (!expectedHash.AsSpan().SequenceEqual(bytes.AsSpan(payload, HashBytes)))
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
            CopyParameters(reader, i, stored, layer, allowNonFinite);
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
    private static void CopyParameters(ModelReader reader, int index, StoredLayer stored, Layer layer, bool allowNonFinite)
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
            if (!allowNonFinite && FirstNonFinite(value.AsSpan()) is int element)
            {
                throw reader.Error(stored.Parameters[j].ValuesOffset + ((long)element * sizeof(float)),
                    $"{DescribeElement($"layer {index} ({stored.Record})", j, value, element)}. Weights that are not finite come from training that diverged; " +
                    "load with allowNonFinite: true to inspect them anyway");
            }
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

    /// <summary>The index of the first NaN or infinite value, or null when all are finite.</summary>
    internal static int? FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Like <c>layer 2 (Dense 'output'), parameter 0 'W output', element 13 (row 1, column 3) is NaN</c>.</summary>
    internal static string DescribeElement(string where, int parameterIndex, Tensor value, int element)
    {
        string position = value.Rank == 2
            ? string.Create(CultureInfo.InvariantCulture, $" (row {element / value.Columns}, column {element % value.Columns})")
            : "";
        string number = value.AsSpan()[element].ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"{where}, parameter {parameterIndex} '{ModelText.Escape(value.Name)}', element {element}{position} is {number}");
    }

    /// <summary>Reads what follows the header, up to <paramref name="maxBytes"/> in all; the buffer may be longer than the bytes in it.</summary>
    private static (byte[] Bytes, int Length) ReadRest(Stream source, string sourceName, byte[] header, int headerRead, long maxBytes)
    {
        long expected = -1;
        if (source.CanSeek)
        {
            expected = source.Length - source.Position;
            if (headerRead + expected > maxBytes)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{sourceName}: {headerRead + expected} bytes is larger than any MnistBp model file can be ({maxBytes})."));
            }
        }

        // Seekable: exactly the length. Otherwise start small and double, never past the cap, so what is
        // allocated stays within twice what was read.
        long initial = expected >= 0 ? headerRead + expected : Math.Min(maxBytes, 1 << 16);
        byte[] buffer = new byte[Math.Max(initial, headerRead)];
        header.AsSpan(0, headerRead).CopyTo(buffer);
        int length = headerRead;
        if (headerRead < header.Length)
        {
            return (buffer, length); // the stream ended inside the header
        }

        while (true)
        {
            if (length == buffer.Length)
            {
                if (length >= maxBytes)
                {
                    // Full at the cap: one more byte means the stream is too long.
                    if (source.ReadByte() < 0)
                    {
                        return (buffer, length);
                    }

                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{sourceName}: more than {maxBytes} bytes, larger than any MnistBp model file can be; refused after reading {maxBytes + 1} bytes."));
                }

                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, maxBytes));
            }

            int read = source.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                return (buffer, length);
            }

            length += read;
        }
    }

    /// <summary>One layer as a reader found it: where it starts, its record, and where each parameter's shape and values are.</summary>
    private sealed record StoredLayer(int Offset, LayerRecord Record, StoredParameter[] Parameters);

    /// <summary>Where a parameter starts (its rank or sizes) and where its float32 values start.</summary>
    private readonly record struct StoredParameter(int Offset, int ValuesOffset);
}
