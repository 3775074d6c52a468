// ModelFile, version 2: the layout written today. A layer is its kind (a stable name), its name, its
// settings (named, typed values the layer writes itself) and its parameters (rank, sizes, float32
// values), so a new kind needs no change here. The writer refuses, before any byte reaches a file,
// every layer the loader could not rebuild; the reader checks every count and size against the
// bytes left before allocating. The byte-by-byte layout is in docs/model-format.md.
namespace MnistBp;

public static partial class ModelFile
{
    private static byte[] Serialize(Sequential model, bool allowNonFinite)
    {
        IReadOnlyList<Layer> layers = model.Layers;
        if (layers.Count > MaxLayers)
        {
            throw new NotSupportedException($"The model has {layers.Count} layers; a model file holds at most {MaxLayers}.");
        }

        var writer = new ModelWriter();
        writer.WriteBytes(Magic);
        writer.WriteUInt16(FormatVersion);
        writer.WriteUInt16(0); // flags
        writer.WriteInt32(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            WriteLayer(writer, i, layers[i], allowNonFinite);
        }

        return writer.ToArrayWithHash();
    }

    private static void WriteLayer(ModelWriter writer, int index, Layer layer, bool allowNonFinite)
    {
        string where = $"layer {index} ({ModelText.Escape(layer.ToString() ?? layer.GetType().Name)})";
        string kind = layer.Kind ?? "";
        if (LayerRegistry.ProblemWithKind(kind) is string problem)
        {
            throw new NotSupportedException(
                $"Cannot save {where}: its Kind '{ModelText.Escape(kind)}' {problem}. " +
                $"Override Kind with a fixed name such as \"MyApp.{layer.GetType().Name}\".");
        }

        int nameBytes = ModelText.ByteCount(layer.Name);
        if (nameBytes is < 0 or > MaxNameBytes)
        {
            throw new NotSupportedException(nameBytes < 0
                ? $"Cannot save {where}: its name is not valid UTF-16 (it holds a lone surrogate)."
                : $"Cannot save {where}: its name is {nameBytes} UTF-8 bytes; the format allows {MaxNameBytes}.");
        }

        var settings = new LayerSettings(owner: where);
        layer.WriteSettings(settings);
        IReadOnlyList<Parameter> parameters = layer.Parameters;
        if (parameters.Count > MaxParameters)
        {
            throw new NotSupportedException($"Cannot save {where}: it has {parameters.Count} parameters; the format allows {MaxParameters} per layer.");
        }

        if (!LayerRegistry.IsRegistered(kind))
        {
            string sizes = parameters.Count == 0 && settings.Count == 0
                ? ""
                : " The factory takes the sizes from record.GetParameterShape(i) and the settings from record.Settings (see docs/model-format.md).";
            throw new NotSupportedException(
                $"Cannot save {where}: its kind '{ModelText.Escape(kind)}' is not registered, so the file could not be loaded again. " +
                $"Register it once at start-up, before saving or loading: {LayerRegistry.RegisterCall(kind, layer.GetType().Name)};{sizes}");
        }

        if (LayerRegistry.LoadsAsAnotherType(kind, layer) is Type registeredType)
        {
            throw new NotSupportedException(
                $"Cannot save {where}: its kind '{ModelText.Escape(kind)}' is registered for {registeredType.FullName}, so the file would load it back " +
                $"as a {registeredType.Name}, not as the {layer.GetType().FullName} it is. Give {layer.GetType().Name} a Kind of its own " +
                $"(override Kind with a fixed name such as \"MyApp.{layer.GetType().Name}\") and register it: " +
                $"{LayerRegistry.RegisterCall($"MyApp.{layer.GetType().Name}", layer.GetType().Name)}.");
        }

        for (int j = 0; !allowNonFinite && j < parameters.Count; j++)
        {
            Tensor value = parameters[j].Value;
            if (FirstNonFinite(value.AsSpan()) is int element)
            {
                throw new ArgumentException(
                    $"Cannot save {DescribeElement(where, j, value, element)}. Weights that are not finite come from training that diverged " +
                    "(a learn rate too high, or bad numbers in the data) and would make every prediction meaningless. " +
                    "Pass allowNonFinite: true to save them anyway, for instance to inspect them.");
            }
        }

        writer.WriteText(kind);
        writer.WriteText(layer.Name);
        writer.WriteInt32(settings.Count);
        foreach (LayerSetting setting in settings.Entries)
        {
            writer.WriteText(setting.Name);
            writer.WriteByte((byte)setting.Type);
            if (setting.Type == LayerSettingType.String)
            {
                writer.WriteText(setting.Text!);
            }
            else if (setting.Type == LayerSettingType.Boolean)
            {
                writer.WriteByte((byte)setting.Bits);
            }
            else
            {
                writer.WriteInt32(setting.Bits); // an int32, or a float32's bits: either way 4 bytes, exactly
            }
        }

        writer.WriteInt32(parameters.Count);
        foreach (Parameter parameter in parameters)
        {
            Tensor value = parameter.Value;
            writer.WriteByte((byte)value.Rank);
            if (value.Rank == 2)
            {
                writer.WriteInt32(value.Rows);
            }

            writer.WriteInt32(value.Columns);
            writer.WriteSingles(value.AsSpan());
        }
    }

    private static StoredLayer ReadVersion2Layer(ModelReader reader, int index)
    {
        int offset = reader.Position;
        string kind = reader.ReadText(1, LayerRegistry.MaxKindBytes, "layer kind");
        string name = reader.ReadText(0, MaxNameBytes, "layer name");
        string where = $"layer {index} ({LayerRecord.Describe(kind, name)})";
        LayerSettings settings = ReadSettings(reader, where);

        int countOffset = reader.Position;
        int count = reader.ReadInt32();
        if (count is < 0 or > MaxParameters)
        {
            throw reader.Error(countOffset, $"{where} has a parameter count of {count}, outside 0..{MaxParameters}");
        }

        var shapes = new ParameterShape[count];
        var parameters = new StoredParameter[count];
        for (int j = 0; j < count; j++)
        {
            int parameterOffset = reader.Position;
            int rank = reader.ReadByte();
            if (rank is not (1 or 2))
            {
                throw reader.Error(parameterOffset, $"{where}, parameter {j} has rank {rank}; a parameter has rank 1 or 2");
            }

            int sizesOffset = reader.Position;
            int rows = rank == 2 ? reader.ReadInt32() : 1;
            int columns = reader.ReadInt32();
            if (rows < 0 || columns < 0)
            {
                throw reader.Error(sizesOffset, $"{where}, parameter {j} has a negative size ({(rank == 2 ? $"{rows} x {columns}" : $"{columns}")})");
            }

            // The values must all be in the file before anything of this size is allocated.
            shapes[j] = rank == 2 ? new ParameterShape(rows, columns) : new ParameterShape(columns);
            // Compared as counts of floats: rows x columns x 4 bytes can overflow a long.
            if (shapes[j].Length > reader.Remaining / sizeof(float))
            {
                throw reader.Error(sizesOffset, $"{where}, parameter {j} claims {shapes[j]} = {shapes[j].Length} values but only {reader.Remaining} bytes remain");
            }

            long needed = shapes[j].Length * sizeof(float);

            parameters[j] = new StoredParameter(parameterOffset, reader.Position);
            reader.Skip(needed);
        }

        return new StoredLayer(offset, new LayerRecord(kind, name, settings, shapes), parameters);
    }

    private static LayerSettings ReadSettings(ModelReader reader, string where)
    {
        int countOffset = reader.Position;
        int count = reader.ReadInt32();
        if (count is < 0 or > LayerSettings.MaxCount)
        {
            throw reader.Error(countOffset, $"{where} has a setting count of {count}, outside 0..{LayerSettings.MaxCount}");
        }

        var settings = new LayerSettings();
        for (int k = 0; k < count; k++)
        {
            int settingOffset = reader.Position;
            string name = reader.ReadText(1, LayerSettings.MaxNameBytes, "setting name");
            if (settings.ProblemWithName(name) is string problem)
            {
                throw reader.Error(settingOffset, $"{where}: the setting name '{ModelText.Escape(name)}' {problem}");
            }

            int typeOffset = reader.Position;
            var type = (LayerSettingType)reader.ReadByte();
            settings.AddChecked(type switch
            {
                LayerSettingType.Int32 or LayerSettingType.Single => new LayerSetting(name, type, reader.ReadInt32(), null),
                LayerSettingType.String => new LayerSetting(name, type, 0, reader.ReadText(0, LayerSettings.MaxStringBytes, "string setting")),
                LayerSettingType.Boolean => new LayerSetting(name, type, ReadBoolean(reader, where, name), null),
                _ => throw reader.Error(typeOffset,
                    $"{where}: the setting '{ModelText.Escape(name)}' has the unknown type tag {(byte)type} (1 = int32, 2 = float32, 3 = string, 4 = bool)"),
            });
        }

        return settings;
    }

    private static int ReadBoolean(ModelReader reader, string where, string name)
    {
        int offset = reader.Position;
        int value = reader.ReadByte();
        return value is 0 or 1
            ? value
            : throw reader.Error(offset, $"{where}: the bool setting '{ModelText.Escape(name)}' holds {value}; a bool is 0 or 1");
    }
}
