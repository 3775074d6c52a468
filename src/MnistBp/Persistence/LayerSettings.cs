// LayerSettings: the named values a layer saves besides its parameters (a slope, a rate, a flag), in
// the order it writes them. Layer.WriteSettings fills one when a model is saved; the factory given to
// LayerRegistry.Register reads it back when the model is loaded. Values are typed (int32, float32,
// string, bool) and a float keeps its exact bits. It stores no tensors: parameters are saved for
// every layer without it, and no size written here can make the loader allocate anything.
using System.Globalization;

namespace MnistBp;

/// <summary>
/// The settings of one layer in a model file, other than its parameters: an ordered list of named,
/// typed values, each name used once.
/// </summary>
/// <remarks>
/// A layer adds its values in <see cref="Layer.WriteSettings"/>; the factory of its kind reads them
/// back with <see cref="GetSingle(string)"/> and the other Get methods, which throw an
/// <see cref="InvalidDataException"/> naming the setting and what was found when a value is missing
/// or of another type. The overloads with a default value let a kind that gained a setting still read
/// files written before it. At most 256 settings per layer; a name is 1 to 256 UTF-8 bytes, a string
/// value at most 4096.
/// </remarks>
public sealed class LayerSettings
{
    internal const int MaxCount = 256;
    internal const int MaxNameBytes = 256;
    internal const int MaxStringBytes = 4096;

    private readonly List<LayerSetting> _settings = [];
    private readonly string _owner;

    /// <summary>Creates an empty list of settings.</summary>
    public LayerSettings()
        : this(owner: string.Empty)
    {
    }

    /// <summary>Creates an empty list whose error messages start with <paramref name="owner"/>, such as "layer 2 (Scale 'gain')".</summary>
    internal LayerSettings(string owner) => _owner = owner;

    /// <summary>The number of settings.</summary>
    public int Count => _settings.Count;

    /// <summary>The names of the settings, in the order they were added.</summary>
    public IReadOnlyList<string> Names => [.. _settings.Select(s => s.Name)];

    /// <summary>The settings in order, for the model file writer.</summary>
    internal IReadOnlyList<LayerSetting> Entries => _settings;

    /// <summary>Whether a setting called <paramref name="name"/> is present, of any type.</summary>
    /// <param name="name">The setting's name (case-sensitive).</param>
    /// <returns>True when present.</returns>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return IndexOf(name) >= 0;
    }

    /// <summary>Adds a 32-bit integer.</summary>
    /// <param name="name">A name not used yet by this layer, 1 to 256 UTF-8 bytes.</param>
    /// <param name="value">The value.</param>
    /// <returns>These settings, so calls can be chained.</returns>
    /// <exception cref="ArgumentException">The name is empty, too long, not valid text or already used.</exception>
    /// <exception cref="InvalidOperationException">256 settings are already present.</exception>
    public LayerSettings Add(string name, int value) => Add(new LayerSetting(name, LayerSettingType.Int32, value, null));

    /// <summary>Adds a 32-bit float; it is saved bit for bit (NaN payloads and -0 included).</summary>
    /// <param name="name">A name not used yet by this layer, 1 to 256 UTF-8 bytes.</param>
    /// <param name="value">The value.</param>
    /// <returns>These settings, so calls can be chained.</returns>
    /// <exception cref="ArgumentException">The name is empty, too long, not valid text or already used.</exception>
    /// <exception cref="InvalidOperationException">256 settings are already present.</exception>
    public LayerSettings Add(string name, float value) => Add(new LayerSetting(name, LayerSettingType.Single, BitConverter.SingleToInt32Bits(value), null));

    /// <summary>Adds a string of at most 4096 UTF-8 bytes.</summary>
    /// <param name="name">A name not used yet by this layer, 1 to 256 UTF-8 bytes.</param>
    /// <param name="value">The value; may be empty.</param>
    /// <returns>These settings, so calls can be chained.</returns>
    /// <exception cref="ArgumentException">The name or the value is too long or not valid text (a lone surrogate), or the name is empty or already used.</exception>
    /// <exception cref="InvalidOperationException">256 settings are already present.</exception>
    public LayerSettings Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int bytes = ModelText.ByteCount(value);
        if (bytes is < 0 or > MaxStringBytes)
        {
            throw new ArgumentException(
                $"{Prefix}the value of setting '{ModelText.Escape(name ?? "")}' is {(bytes < 0 ? "not valid UTF-16 (a lone surrogate)" : $"{bytes} UTF-8 bytes; at most {MaxStringBytes} are allowed")}.",
                nameof(value));
        }

        return Add(new LayerSetting(name!, LayerSettingType.String, 0, value));
    }

    /// <summary>Adds a boolean.</summary>
    /// <param name="name">A name not used yet by this layer, 1 to 256 UTF-8 bytes.</param>
    /// <param name="value">The value.</param>
    /// <returns>These settings, so calls can be chained.</returns>
    /// <exception cref="ArgumentException">The name is empty, too long, not valid text or already used.</exception>
    /// <exception cref="InvalidOperationException">256 settings are already present.</exception>
    public LayerSettings Add(string name, bool value) => Add(new LayerSetting(name, LayerSettingType.Boolean, value ? 1 : 0, null));

    /// <summary>The 32-bit integer called <paramref name="name"/>.</summary>
    /// <param name="name">The setting's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">No such setting, or it is not an integer; the message names it and lists what is there.</exception>
    public int GetInt32(string name) => Require(name, LayerSettingType.Int32).Bits;

    /// <summary>The 32-bit integer called <paramref name="name"/>, or <paramref name="defaultValue"/> when there is none.</summary>
    /// <param name="name">The setting's name.</param>
    /// <param name="defaultValue">The value for a file written before the setting existed.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">The setting is present but not an integer.</exception>
    public int GetInt32(string name, int defaultValue) => Find(name, LayerSettingType.Int32)?.Bits ?? defaultValue;

    /// <summary>The 32-bit float called <paramref name="name"/>, bit for bit as it was added.</summary>
    /// <param name="name">The setting's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">No such setting, or it is not a float; the message names it and lists what is there.</exception>
    public float GetSingle(string name) => BitConverter.Int32BitsToSingle(Require(name, LayerSettingType.Single).Bits);

    /// <summary>The 32-bit float called <paramref name="name"/>, or <paramref name="defaultValue"/> when there is none.</summary>
    /// <param name="name">The setting's name.</param>
    /// <param name="defaultValue">The value for a file written before the setting existed.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">The setting is present but not a float.</exception>
    public float GetSingle(string name, float defaultValue) =>
        Find(name, LayerSettingType.Single) is LayerSetting found ? BitConverter.Int32BitsToSingle(found.Bits) : defaultValue;

    /// <summary>The string called <paramref name="name"/>.</summary>
    /// <param name="name">The setting's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">No such setting, or it is not a string; the message names it and lists what is there.</exception>
    public string GetString(string name) => Require(name, LayerSettingType.String).Text!;

    /// <summary>The string called <paramref name="name"/>, or <paramref name="defaultValue"/> when there is none.</summary>
    /// <param name="name">The setting's name.</param>
    /// <param name="defaultValue">The value for a file written before the setting existed.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">The setting is present but not a string.</exception>
    public string GetString(string name, string defaultValue) => Find(name, LayerSettingType.String)?.Text ?? defaultValue;

    /// <summary>The boolean called <paramref name="name"/>.</summary>
    /// <param name="name">The setting's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">No such setting, or it is not a boolean; the message names it and lists what is there.</exception>
    public bool GetBoolean(string name) => Require(name, LayerSettingType.Boolean).Bits != 0;

    /// <summary>The boolean called <paramref name="name"/>, or <paramref name="defaultValue"/> when there is none.</summary>
    /// <param name="name">The setting's name.</param>
    /// <param name="defaultValue">The value for a file written before the setting existed.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">The setting is present but not a boolean.</exception>
    public bool GetBoolean(string name, bool defaultValue) => Find(name, LayerSettingType.Boolean) is LayerSetting found ? found.Bits != 0 : defaultValue;

    /// <summary>Lists the settings, such as <c>factor = 0.5 (float32), steps = 3 (int32)</c>, or <c>no settings</c>.</summary>
    public override string ToString() => _settings.Count == 0 ? "no settings" : string.Join(", ", _settings.Select(s => s.ToString()));

    /// <summary>Adds a setting read from a file; the reader has checked the name and the value.</summary>
    internal void AddChecked(LayerSetting setting) => _settings.Add(setting);

    /// <summary>The rules for a setting name: null when <paramref name="name"/> is valid and unused, else what is wrong.</summary>
    internal string? ProblemWithName(string name)
    {
        int bytes = ModelText.ByteCount(name);
        if (bytes < 0)
        {
            return "is not valid UTF-16 (a lone surrogate)";
        }

        if (bytes is 0 or > MaxNameBytes)
        {
            return $"is {bytes} UTF-8 bytes; a setting name is 1 to {MaxNameBytes}";
        }

        return IndexOf(name) >= 0 ? "is used twice; each setting of a layer needs its own name" : null;
    }

    private string Prefix => _owner.Length == 0 ? "" : _owner + ": ";

    private LayerSettings Add(LayerSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting.Name, "name");
        if (ProblemWithName(setting.Name) is string problem)
        {
            throw new ArgumentException($"{Prefix}the setting name '{ModelText.Escape(setting.Name)}' {problem}.", "name");
        }

        if (_settings.Count == MaxCount)
        {
            throw new InvalidOperationException($"{Prefix}a layer can save at most {MaxCount} settings; '{ModelText.Escape(setting.Name)}' would be one more.");
        }

        _settings.Add(setting);
        return this;
    }

    /// <summary>The setting called <paramref name="name"/>, which must be present and of type <paramref name="type"/>.</summary>
    private LayerSetting Require(string name, LayerSettingType type) =>
        Find(name, type) ?? throw new InvalidDataException($"{Prefix}the {type.Describe()} setting '{ModelText.Escape(name)}' is missing; the layer has {this}.");

    /// <summary>The setting called <paramref name="name"/>, or null when there is none; it must be of type <paramref name="type"/>.</summary>
    private LayerSetting? Find(string name, LayerSettingType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = IndexOf(name);
        if (index < 0)
        {
            return null;
        }

        LayerSetting found = _settings[index];
        return found.Type == type
            ? found
            : throw new InvalidDataException($"{Prefix}the setting '{ModelText.Escape(name)}' should be {type.Describe()} but is {found}.");
    }

    private int IndexOf(string name) => _settings.FindIndex(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}

/// <summary>The type tag of a setting in a model file.</summary>
internal enum LayerSettingType : byte
{
    /// <summary>A little-endian int32.</summary>
    Int32 = 1,

    /// <summary>A little-endian float32 (IEEE 754 binary32).</summary>
    Single = 2,

    /// <summary>An int32 byte count, then that many bytes of UTF-8.</summary>
    String = 3,

    /// <summary>One byte, 0 or 1.</summary>
    Boolean = 4,
}

/// <summary>One named, typed value: <see cref="Bits"/> holds an int32, a float32's bits or a bool as 0/1; <see cref="Text"/> a string.</summary>
internal readonly record struct LayerSetting(string Name, LayerSettingType Type, int Bits, string? Text)
{
    /// <summary>Like <c>factor = 0.5 (float32)</c>; names and strings are escaped, long strings cut.</summary>
    public override string ToString()
    {
        string value = Type switch
        {
            LayerSettingType.Int32 => Bits.ToString(CultureInfo.InvariantCulture),
            LayerSettingType.Single => BitConverter.Int32BitsToSingle(Bits).ToString("R", CultureInfo.InvariantCulture),
            LayerSettingType.Boolean => Bits != 0 ? "true" : "false",
            _ => "\"" + ModelText.Escape(Text!.Length > 40 ? Text[..40] + "..." : Text) + "\"",
        };
        return $"{ModelText.Escape(Name)} = {value} ({Type.Describe()})";
    }
}

/// <summary>The names of the setting types in messages and docs.</summary>
internal static class LayerSettingTypes
{
    /// <summary>"int32", "float32", "string" or "bool", as docs/model-format.md names them.</summary>
    public static string Describe(this LayerSettingType type) => type switch
    {
        LayerSettingType.Int32 => "int32",
        LayerSettingType.Single => "float32",
        LayerSettingType.String => "string",
        LayerSettingType.Boolean => "bool",
        _ => string.Create(CultureInfo.InvariantCulture, $"type {(byte)type}"),
    };
}
