// STUB: replaced by the model-file work (LayerKinds registry, LayerSettings, LayerRecord).
namespace MnistBp;

/// <summary>Named settings a layer writes to a model file.</summary>
public sealed class LayerSettings
{
}

/// <summary>What a model file holds for one layer, given to the layer kind's factory.</summary>
public sealed class LayerRecord
{
}

/// <summary>The layer kinds model files can hold.</summary>
public static class LayerKinds
{
    /// <summary>Makes a kind known.</summary>
    /// <param name="kind">The kind's stable name.</param>
    /// <param name="create">Creates the layer from its record.</param>
    public static void Register(string kind, Func<LayerRecord, Layer> create)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(create);
    }
}
