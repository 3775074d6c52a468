// DatasetDebugView: what the debugger shows when a Dataset is expanded: its sizes, the first labels
// (or target rows, for float targets), the first image drawn in characters (so a 7 looks like a 7 in
// the watch window) and how many images each class has. It reads at most one pass over the labels;
// it is never used by training.

namespace MnistBp;

/// <summary>The debugger's expanded view of a <see cref="Dataset"/>.</summary>
/// <param name="data">The dataset to show.</param>
internal sealed class DatasetDebugView(Dataset data)
{
    /// <summary>Labels shown in <see cref="FirstLabels"/>.</summary>
    public const int MaxLabels = 16;

    // From blank to full ink: pixel p in [0, 1] becomes Ramp[(int)(p * (Ramp.Length - 1) + 0.5)].
    private const string Ramp = " .:-=+*#%@";

    /// <summary>The number of images.</summary>
    public int Count => data.Count;

    /// <summary>The shape of one image, such as <c>[28 x 28]</c>.</summary>
    public string ImageShape => DebuggerText.Shape(data.ImageShape);

    /// <summary>The number of classes; 0 for float targets.</summary>
    public int ClassCount => data.ClassCount;

    /// <summary>The number of target columns: the class count, or the float targets per sample.</summary>
    public int TargetCount => data.TargetCount;

    /// <summary>The labels of the first images; empty for float targets.</summary>
    public byte[] FirstLabels => data.HasLabels ? data.Labels.Span[..Math.Min(data.Count, MaxLabels)].ToArray() : [];

    /// <summary>The target rows of the first samples for float targets; empty for labels (see <see cref="FirstLabels"/>).</summary>
    public float[][] FirstTargets => data.HasLabels
        ? []
        : [.. Enumerable.Range(0, Math.Min(data.Count, MaxLabels)).Select(i => data.TargetRows(i, 1).ToArray())];

    /// <summary>The first image, one string per pixel row, ink from ' ' (0) to '@' (1); empty when there is none.</summary>
    public string[] FirstImage
    {
        get
        {
            if (data.Count == 0)
            {
                return [];
            }

            ReadOnlySpan<float> pixels = data.ImageRows(0, 1, new float[data.FeatureCount]);
            int width = data.ImageShape.Count >= 2 ? data.ImageShape[^1] : pixels.Length;
            var rows = new string[pixels.Length / width];
            for (int r = 0; r < rows.Length; r++)
            {
                var line = new char[width];
                for (int c = 0; c < width; c++)
                {
                    float p = Math.Clamp(pixels[r * width + c], 0f, 1f);
                    line[c] = Ramp[(int)(p * (Ramp.Length - 1) + 0.5f)];
                }

                rows[r] = new string(line);
            }

            return rows;
        }
    }

    /// <summary>How many images each class has: <c>LabelCounts[c]</c> images are labelled c; empty for float targets.</summary>
    public int[] LabelCounts
    {
        get
        {
            if (!data.HasLabels)
            {
                return [];
            }

            var counts = new int[data.ClassCount];
            foreach (byte label in data.Labels.Span)
            {
                counts[label]++;
            }

            return counts;
        }
    }

    /// <summary>
    /// The pixels as floats, [count x features], when <see cref="Dataset.GetImages"/> has been built; null
    /// otherwise (the view does not build it: that would take 4 bytes per pixel and switch FillBatch
    /// to the float copy, just because someone looked).
    /// </summary>
    public Tensor? Images => data.ImagesIfBuilt;
}
