// ModelFile, version 1: the first layout, read and never written. It stored a layer's kind as a byte
// and a Dense layer's sizes before its values. The table below maps those bytes to the kind names
// of version 2, and the reader turns each layer into the same LayerRecord a version-2 file gives, so
// both versions are rebuilt by the same registered factories and predict bit-identically.
namespace MnistBp;

public static partial class ModelFile
{
    // The kinds version 1 had: its kind byte -> the kind name, and whether the layer stores
    // int32 inputSize, int32 outputSize, then W [inputSize x outputSize] and b [outputSize].
    private static readonly Dictionary<byte, (string Kind, bool HasWeights)> s_version1Kinds = new()
    {
        [1] = ("Dense", true),
        [2] = ("Sigmoid", false),
    };

    private static StoredLayer ReadVersion1Layer(ModelReader reader, int index)
    {
        int offset = reader.Position;
        byte kindByte = reader.ReadByte();
        string name = reader.ReadText(0, MaxNameBytes, "layer name");
        if (!s_version1Kinds.TryGetValue(kindByte, out (string Kind, bool HasWeights) kind))
        {
            throw reader.Error(offset, $"layer {index} has unknown kind {kindByte} (version 1 has 1 = Dense and 2 = Sigmoid)");
        }

        if (!kind.HasWeights)
        {
            return new StoredLayer(offset, new LayerRecord(kind.Kind, name, new LayerSettings(), []), []);
        }

        string where = $"layer {index} ({LayerRecord.Describe(kind.Kind, name)})";
        int sizesOffset = reader.Position;
        int inputSize = reader.ReadInt32(), outputSize = reader.ReadInt32();
        if (inputSize <= 0 || outputSize <= 0)
        {
            throw reader.Error(sizesOffset, $"{where} has sizes {inputSize} -> {outputSize}; both must be positive");
        }

        // Compared as counts of floats: inputSize x outputSize x 4 bytes can overflow a long.
        long values = ((long)inputSize * outputSize) + outputSize;
        if (values > reader.Remaining / sizeof(float))
        {
            throw reader.Error(sizesOffset, $"{where} claims {inputSize} x {outputSize} weights and {outputSize} biases ({values} values) but only {reader.Remaining} bytes remain");
        }

        long needed = values * sizeof(float);

        int weightsOffset = reader.Position;
        reader.Skip(needed);
        return new StoredLayer(
            offset,
            new LayerRecord(kind.Kind, name, new LayerSettings(), [new ParameterShape(inputSize, outputSize), new ParameterShape(outputSize)]),
            [new StoredParameter(sizesOffset, weightsOffset), new StoredParameter(sizesOffset, weightsOffset + (int)((long)inputSize * outputSize * sizeof(float)))]);
    }
}
