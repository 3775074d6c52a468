// Dataset: samples ready for training, each flattened into one row of features, with what the model
// should learn for each: a class label (turned into a one-hot target row) or a row of float targets
// (regression). Images read from IDX files keep their pixels as bytes (a quarter of the memory of
// floats, and a quarter of the traffic when a shuffled mini-batch is gathered); float features, such
// as the tutorial's weights and heights, are kept as floats. FillBatch copies a mini-batch of inputs
// and targets without allocating. The float tensor of all images, GetImages(), is built the first time
// someone asks for it, and from then on it is what FillBatch reads.
// It reads any image shape, class count or target count (MNIST's 28 x 28 and 10 are just
// arguments); it does not shuffle (DeterministicRandom.Shuffle does, on an index array), augment,
// normalise or download.
using System.Collections.ObjectModel;
using MnistBp.Data;

namespace MnistBp;

/// <summary>
/// Samples and what to learn from them, such as the 10000 MNIST test digits: <see cref="GetImages"/> is a
/// [<see cref="Count"/> x <see cref="FeatureCount"/>] tensor of features (for images, pixels in [0, 1]),
/// and each sample has either a class label (<see cref="HasLabels"/>: <see cref="Labels"/>, one-hot
/// targets of <see cref="ClassCount"/> columns) or a row of <see cref="TargetCount"/> float targets
/// (regression: <see cref="Targets"/>).
/// </summary>
/// <remarks>
/// Make one with <see cref="FromIdx(string, string, int)"/> (images and labels, as MNIST ships them),
/// <see cref="FromFeatures(Tensor, ReadOnlySpan{byte}, int)"/> (float features, class labels) or
/// <see cref="FromFeatures(Tensor, Tensor)"/> (float features, float targets). <see cref="FillBatch"/>
/// and <see cref="Trainer.Fit"/> work the same for every kind; <see cref="Evaluation.Of"/> needs class labels.
/// </remarks>
[System.Diagnostics.DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
[System.Diagnostics.DebuggerTypeProxy(typeof(DatasetDebugView))]
public sealed class Dataset
{
    private readonly byte[]? _labels;  // one class index per sample; null when the targets are floats
    private readonly float[]? _targets; // [count x targetCount], row-major; null when the samples have labels
    private readonly int[] _imageShape;
    private readonly byte[]? _pixels; // [count x features], one byte per pixel; null when built from floats
    private Tensor? _images;           // built from _pixels on first use of Images

    // Exactly one of labels and targets is given; targetCount is the width of a target row (the class count for labels).
    private Dataset(byte[]? pixels, Tensor? images, int count, int featureCount, int[] imageShape, byte[]? labels, float[]? targets, int targetCount)
    {
        _pixels = pixels;
        _images = images;
        Count = count;
        FeatureCount = featureCount;
        _imageShape = imageShape;
        ImageShape = new ReadOnlyCollection<int>(imageShape);
        _labels = labels;
        _targets = targets;
        TargetCount = targetCount;
    }

    /// <summary>
    /// The samples' features, one sample per row. For images each is flattened row-major (for MNIST row
    /// <c>i</c> holds pixel <c>(y, x)</c> at column <c>28 * y + x</c>), every byte scaled as
    /// <c>byte / 255f</c>; for a dataset made from float features, they are those features as given.
    /// </summary>
    /// <remarks>
    /// A dataset of images keeps its pixels as bytes; this [<see cref="Count"/> x <see cref="FeatureCount"/>]
    /// float tensor (4 bytes per pixel: 188 MB for the 60,000 MNIST training images) is built the first
    /// time it is asked for (the bytes are kept too). It is the dataset's own tensor, not a copy: writing to
    /// it changes the dataset, and <see cref="FillBatch"/> reads it from then on (with the same results,
    /// a little more slowly). A dataset made from float features holds only this tensor (its own copy of
    /// the features it was given).
    /// </remarks>
    /// <returns>The dataset's own [<see cref="Count"/> x <see cref="FeatureCount"/>] tensor (not a copy).</returns>
    public Tensor GetImages() => _images ?? BuildImages();

    /// <summary><see cref="GetImages"/> when it has been built, else null (for the debugger, which must not build it).</summary>
    internal Tensor? ImagesIfBuilt => _images;

    /// <summary>
    /// Whether every sample has a class label (<see cref="Labels"/>, learnt as one-hot targets: classification);
    /// false when the samples have float targets instead (<see cref="Targets"/>: regression).
    /// </summary>
    public bool HasLabels => _labels is not null;

    /// <summary>The label of each sample: a class index from 0 to <see cref="ClassCount"/> - 1, one byte per sample (as IDX label files store them).</summary>
    /// <exception cref="InvalidOperationException">The dataset has float targets, not labels (<see cref="HasLabels"/> is false): read <see cref="Targets"/>.</exception>
    public ReadOnlyMemory<byte> Labels => _labels ?? throw new InvalidOperationException(
        $"This dataset has float targets ({TargetCount} per sample: regression), not class labels; read Targets, or check HasLabels first.");

    /// <summary>The float targets of a regression dataset, [<see cref="Count"/> x <see cref="TargetCount"/>] row-major: row <c>i</c> is what the model should output for sample <c>i</c>.</summary>
    /// <exception cref="InvalidOperationException">The dataset has class labels (<see cref="HasLabels"/> is true): read <see cref="Labels"/>; <see cref="FillBatch"/> turns them into one-hot rows.</exception>
    public ReadOnlyMemory<float> Targets => _targets ?? throw new InvalidOperationException(
        $"This dataset has class labels ({ClassCount} classes), not float targets; read Labels (FillBatch turns them into one-hot rows), or check HasLabels first.");

    /// <summary>The number of samples (and of labels or target rows).</summary>
    public int Count { get; }

    /// <summary>The number of values per sample: the product of <see cref="ImageShape"/> (784 for MNIST).</summary>
    public int FeatureCount { get; }

    /// <summary>
    /// The number of classes when the samples have labels (at least 2; every label is below it, and
    /// one-hot targets have this many columns); 0 when they have float targets.
    /// </summary>
    public int ClassCount => _labels is null ? 0 : TargetCount;

    /// <summary>
    /// The number of columns of a target row, which is the model's output width: <see cref="ClassCount"/>
    /// for labels (one-hot), the number of float targets per sample for regression.
    /// </summary>
    public int TargetCount { get; }

    /// <summary>
    /// The shape of one sample: for images, the IDX dimensions after the first, such as <c>[28, 28]</c>
    /// (rows, columns), for drawing; for float features, <c>[<see cref="FeatureCount"/>]</c>.
    /// </summary>
    public IReadOnlyList<int> ImageShape { get; }

    /// <summary>Reads an images file and a labels file (raw or gzip IDX) into a dataset.</summary>
    /// <param name="imagesPath">An unsigned-byte IDX file of rank 2 or more: <c>[count x ...image shape]</c>.</param>
    /// <param name="labelsPath">An unsigned-byte IDX file of rank 1: <c>[count]</c>, one class index per image.</param>
    /// <param name="classCount">The number of classes, at least 2 (10 for MNIST digits).</param>
    /// <returns>The dataset, with its own copy of the pixels.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX, or the two files do not fit together (see <see cref="FromIdx(IdxArray, IdxArray, int)"/>).</exception>
    public static Dataset FromIdx(string imagesPath, string labelsPath, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        return FromIdx(IdxReader.Read(imagesPath), IdxReader.Read(labelsPath), classCount);
    }

    /// <summary>Builds a dataset from IDX arrays already read.</summary>
    /// <param name="images">Rank 2 or more: the first dimension counts the images, the others are the image shape.</param>
    /// <param name="labels">Rank 1: one class index per image.</param>
    /// <param name="classCount">The number of classes, at least 2 (10 for MNIST digits).</param>
    /// <returns>The dataset, with its own copy of the pixels.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2.</exception>
    /// <exception cref="InvalidDataException">
    /// The images are not rank 2 or more or have no pixels, the labels are not rank 1, the counts differ
    /// (the message names both files and both counts), or a label is not below <paramref name="classCount"/>
    /// (the message names the labels file, the item and its byte offset).
    /// </exception>
    public static Dataset FromIdx(IdxArray images, IdxArray labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (images.Rank < 2)
        {
            throw new InvalidDataException($"IDX file '{images.SourceName}' has shape {images.Shape}; images need rank 2 or more: [count x ...image shape].");
        }

        if (labels.Rank != 1)
        {
            throw new InvalidDataException($"IDX file '{labels.SourceName}' has shape {labels.Shape}; labels need rank 1: [count].");
        }

        int count = images.Dimensions[0];
        if (labels.Dimensions[0] != count)
        {
            throw new InvalidDataException($"The images '{images.SourceName}' hold {count} items but the labels '{labels.SourceName}' hold {labels.Dimensions[0]}; they must match one to one.");
        }

        int[] imageShape = images.Dimensions.Skip(1).ToArray();
        long featureCount = IdxArray.ElementCount(imageShape);
        if (featureCount <= 0)
        {
            throw new InvalidDataException($"IDX file '{images.SourceName}' has shape {images.Shape}: an image of {IdxArray.DescribeSizes(imageShape)} has no pixels or too many.");
        }

        // A label file holds its items right after the 8-byte header, so item i is byte 8 + i.
        ReadOnlySpan<byte> labelBytes = labels.Data.Span;
        for (int i = 0; i < labelBytes.Length; i++)
        {
            if (labelBytes[i] >= classCount)
            {
                throw new InvalidDataException($"IDX file '{labels.SourceName}': the label of item {i} (byte offset {labels.DataOffset + i}) is {labelBytes[i]}, not a class index from 0 to {classCount - 1}.");
            }
        }

        // The bytes as they are; x = byte / 255 happens when a batch is copied out (FillBatch) or Images is built.
        return new Dataset(images.Data.ToArray(), null, count, (int)featureCount, imageShape, labelBytes.ToArray(), null, classCount);
    }

    /// <summary>
    /// Builds a classification dataset from float features and one class label per sample, such as the
    /// tutorial's four people labelled 0 (M) or 1 (F): <c>FromFeatures(features, [1, 0, 0, 1], classCount: 2)</c>.
    /// </summary>
    /// <remarks>
    /// The labels are bytes, as <see cref="Labels"/> and the IDX files hold them: one label type through
    /// the whole library, a quarter of the memory of ints, and room for 256 classes, far more than a
    /// one-hot output layer of this library is meant for. A collection expression of small numbers
    /// (<c>[1, 0, 0, 1]</c>) is already bytes; an <c>int[]</c> converts with <c>[.. ints.Select(i => (byte)i)]</c>.
    /// The dataset keeps its own copies of <paramref name="features"/> and <paramref name="labels"/>:
    /// changing them afterwards changes nothing here.
    /// </remarks>
    /// <param name="features">[count x featureCount], one sample per row; every value finite. Used as given (not scaled).</param>
    /// <param name="labels">One class index per sample, from 0 to <paramref name="classCount"/> - 1.</param>
    /// <param name="classCount">The number of classes, from 2 to 256; the one-hot targets, and the model's output, have this many columns.</param>
    /// <returns>The dataset; <see cref="HasLabels"/> is true and <see cref="ImageShape"/> is <c>[featureCount]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2 or above 256.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="features"/> is not rank 2 with at least one column, the counts differ (the message names both
    /// shapes), a feature is NaN or infinite (the message names the sample and the feature), or a label is not below
    /// <paramref name="classCount"/> (the message names the sample and the label).
    /// </exception>
    public static Dataset FromFeatures(Tensor features, ReadOnlySpan<byte> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);
        RequireSamples(features, nameof(features), "feature");
        if (labels.Length != features.Rows)
        {
            throw new ArgumentException($"features {features.Describe()} hold {features.Rows} samples but labels [{labels.Length}] hold {labels.Length}; they must match one to one.", nameof(labels));
        }

        RequireFinite(features, nameof(features), "feature");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new ArgumentException($"labels: sample {i} has label {labels[i]}, not a class index from 0 to {classCount - 1}.", nameof(labels));
            }
        }

        Tensor copy = Tensor.FromValues(features.Rows, features.Columns, features.AsSpan(), "features");
        return new Dataset(null, copy, features.Rows, features.Columns, [features.Columns], labels.ToArray(), null, classCount);
    }

    /// <summary>
    /// Builds a regression dataset from float features and a row of float targets per sample, such as the
    /// tutorial's four people with the target 1 for F and 0 for M: <c>FromFeatures(features [4 x 2], targets [4 x 1])</c>.
    /// </summary>
    /// <remarks>
    /// The dataset keeps its own copies of both tensors: changing them afterwards changes nothing here.
    /// <see cref="ClassCount"/> is 0 and <see cref="HasLabels"/> false; <see cref="Evaluation.Of"/> does not
    /// apply, and <see cref="Trainer.Fit"/> reports the mean loss on such a set instead.
    /// </remarks>
    /// <param name="features">[count x featureCount], one sample per row; every value finite. Used as given (not scaled).</param>
    /// <param name="targets">[count x targetCount], what the model should output for each sample; every value finite.</param>
    /// <returns>The dataset; <see cref="TargetCount"/> is the number of columns of <paramref name="targets"/>, <see cref="ImageShape"/> is <c>[featureCount]</c>.</returns>
    /// <exception cref="ArgumentException">
    /// A tensor is not rank 2 with at least one column, the row counts differ (the message names both shapes), or
    /// a value is NaN or infinite (the message names the sample and the feature or target column).
    /// </exception>
    public static Dataset FromFeatures(Tensor features, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        RequireSamples(features, nameof(features), "feature");
        RequireSamples(targets, nameof(targets), "target");
        if (targets.Rows != features.Rows)
        {
            throw new ArgumentException($"features {features.Describe()} hold {features.Rows} samples but targets {targets.Describe()} hold {targets.Rows}; they need one row per sample each.", nameof(targets));
        }

        RequireFinite(features, nameof(features), "feature");
        RequireFinite(targets, nameof(targets), "target");
        Tensor copy = Tensor.FromValues(features.Rows, features.Columns, features.AsSpan(), "features");
        return new Dataset(null, copy, features.Rows, features.Columns, [features.Columns], null, targets.ToArray(), targets.Columns);
    }

    /// <summary>Throws unless <paramref name="tensor"/> is [count x n] with n of at least 1: one sample per row.</summary>
    private static void RequireSamples(Tensor tensor, string paramName, string column)
    {
        if (tensor.Rank != 2 || tensor.Columns == 0)
        {
            throw new ArgumentException($"{paramName} {tensor.Describe()} should be [count x {column}Count] (one sample per row, at least one {column}).", paramName);
        }
    }

    /// <summary>Throws at the first NaN or infinity in <paramref name="tensor"/>, naming its sample (row) and column.</summary>
    private static void RequireFinite(Tensor tensor, string paramName, string column)
    {
        ReadOnlySpan<float> values = tensor.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                string value = float.IsNaN(values[i]) ? "NaN" : values[i] > 0 ? "+infinity" : "-infinity";
                throw new ArgumentException($"{paramName}: sample {i / tensor.Columns}, {column} {i % tensor.Columns} is {value}; every value must be a finite number.", paramName);
            }
        }
    }

    /// <summary>
    /// A new dataset holding copies of items <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1:
    /// of their bytes, or of their rows of <see cref="GetImages"/> when this dataset's Images has been built (so edits to it carry over),
    /// and of their labels or target rows.
    /// </summary>
    /// <param name="start">The first item to copy.</param>
    /// <param name="count">The number of items to copy; zero or more.</param>
    /// <returns>An independent dataset of the same kind, with the same <see cref="ImageShape"/>, <see cref="ClassCount"/> and <see cref="TargetCount"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the dataset.</exception>
    public Dataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start > Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Items {start} to {(long)start + count - 1} are outside the dataset of {Count} items.");
        }

        byte[]? labels = _labels?.AsSpan(start, count).ToArray();
        float[]? targets = _targets?.AsSpan(start * TargetCount, count * TargetCount).ToArray();
        int[] imageShape = (int[])_imageShape.Clone();
        if (_images is null)
        {
            byte[] pixels = _pixels.AsSpan(start * FeatureCount, count * FeatureCount).ToArray();
            return new Dataset(pixels, null, count, FeatureCount, imageShape, labels, targets, TargetCount);
        }

        var images = new Tensor(count, FeatureCount, _images.Name);
        _images.AsSpan().Slice(start * FeatureCount, count * FeatureCount).CopyTo(images.AsSpan());
        return new Dataset(null, images, count, FeatureCount, imageShape, labels, targets, TargetCount);
    }

    /// <summary>
    /// Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 of
    /// <see cref="GetImages"/> without building it: a slice of Images when it exists, else the bytes
    /// converted into <paramref name="scratch"/>. For evaluating in batches.
    /// </summary>
    internal ReadOnlySpan<float> ImageRows(int start, int count, Span<float> scratch)
    {
        if (_images is not null)
        {
            return _images.AsSpan().Slice(start * FeatureCount, count * FeatureCount);
        }

        Span<float> rows = scratch[..(count * FeatureCount)];
        CopyImages(start, rows);
        return rows;
    }

    /// <summary>Copies images <paramref name="start"/>, <paramref name="start"/> + 1, ... as floats into <paramref name="destination"/>, whole rows.</summary>
    private void CopyImages(int start, Span<float> destination)
    {
        int count = destination.Length / FeatureCount;
        if (_images is not null)
        {
            _images.AsSpan().Slice(start * FeatureCount, count * FeatureCount).CopyTo(destination);
            return;
        }

        ReadOnlySpan<byte> pixels = _pixels.AsSpan(start * FeatureCount, count * FeatureCount);
        Kernels.PixelsToFloats(pixels, destination);
    }

    private Tensor BuildImages()
    {
        var images = new Tensor(Count, FeatureCount, "images");
        CopyImages(0, images.AsSpan());
        // Two threads asking at once both build one; only the first is kept, so everyone shares it.
        return Interlocked.CompareExchange(ref _images, images, null) ?? images;
    }

    /// <summary>
    /// Copies the samples <paramref name="indices"/> name into the rows of <paramref name="inputs"/>, and
    /// their targets into the rows of <paramref name="targets"/>: for labels, one-hot rows (1 in the
    /// label's column, 0 elsewhere); for float targets, the samples' target rows.
    /// Allocates nothing: this runs once per mini-batch.
    /// </summary>
    /// <param name="indices">The items of the batch, in order; row <c>r</c> receives item <c>indices[r]</c>.</param>
    /// <param name="inputs">A [indices.Length x <see cref="FeatureCount"/>] tensor to overwrite.</param>
    /// <param name="targets">A [indices.Length x <see cref="TargetCount"/>] tensor to overwrite.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong shape; the message names the shape given and the one expected.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the dataset; nothing has been written.</exception>
    public void FillBatch(ReadOnlySpan<int> indices, Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        int batchSize = indices.Length;
        if (inputs.Rank != 2 || inputs.Rows != batchSize || inputs.Columns != FeatureCount)
        {
            throw new ArgumentException($"FillBatch: inputs {inputs.Describe()} should be [{batchSize} x {FeatureCount}] ({batchSize} indices x {FeatureCount} features).", nameof(inputs));
        }

        if (targets.Rank != 2 || targets.Rows != batchSize || targets.Columns != TargetCount)
        {
            string columns = _labels is null ? $"{TargetCount} targets" : $"{TargetCount} classes, one-hot";
            throw new ArgumentException($"FillBatch: targets {targets.Describe()} should be [{batchSize} x {TargetCount}] ({batchSize} indices x {columns}).", nameof(targets));
        }

        for (int r = 0; r < batchSize; r++)
        {
            if ((uint)indices[r] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), indices[r], $"FillBatch: indices[{r}] = {indices[r]} is outside the dataset of {Count} items.");
            }
        }

        // The inputs: one row each, from the stored bytes (or from Images once it exists), split across cores when it pays.
        if (_images is null)
        {
            Kernels.GatherPixels(_pixels, FeatureCount, indices, inputs.AsSpan());
        }
        else
        {
            Kernels.GatherRows(_images.AsSpan(), FeatureCount, indices, inputs.AsSpan());
        }

        if (_labels is null)
        {
            // Regression: y is the sample's own row of targets.
            Kernels.GatherRows(_targets, TargetCount, indices, targets.AsSpan());
            return;
        }

        for (int r = 0; r < batchSize; r++)
        {
            // One-hot: y[c] = 1 when c is the label, else 0.
            Span<float> target = targets.Row(r);
            target.Clear();
            target[_labels[indices[r]]] = 1f;
        }
    }

    /// <summary>
    /// Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 of
    /// <see cref="Targets"/>, for measuring the loss in batches; only for a dataset with float targets.
    /// </summary>
    internal ReadOnlySpan<float> TargetRows(int start, int count) =>
        _targets.AsSpan(start * TargetCount, count * TargetCount);

    /// <summary>
    /// Throws unless every target is in <paramref name="range"/>, the range <paramref name="loss"/> takes
    /// (<see cref="Loss.TargetRange"/>, already checked to hold a number): labels give one-hot rows of 0 and 1, float
    /// targets are checked one by one. The message names the data (<paramref name="paramName"/>), the sample, the target and the loss.
    /// </summary>
    internal void RequireTargetsIn((float Minimum, float Maximum) range, Loss loss, string paramName)
    {
        int index;
        float value;
        if (_targets is null)
        {
            // one-hot rows: 1 for the label and, with more than one class, 0 for the others
            bool oneFits = range.Minimum <= 1f && 1f <= range.Maximum, zeroFits = TargetCount == 1 || (range.Minimum <= 0f && 0f <= range.Maximum);
            value = oneFits ? 0f : 1f;
            index = Count == 0 || (oneFits && zeroFits) ? -1 : 0;
        }
        else
        {
            index = Kernels.FirstOutside(_targets, range.Minimum, range.Maximum);
            value = index < 0 ? 0f : _targets[index];
        }

        if (index >= 0)
        {
            string where = _targets is null ? "its one-hot target rows hold" : $"sample {index / TargetCount} has target {index % TargetCount} =";
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{paramName} ({DebuggerText.Of(this)}): {where} {value}, outside [{range.Minimum}, {range.Maximum}], the range of targets {loss} takes. Nothing was trained."), paramName);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="model"/> takes <see cref="FeatureCount"/> inputs per sample and gives
    /// <see cref="TargetCount"/> outputs: checked before training or evaluating, so a mismatch fails before
    /// anything has run. The message names the data (<paramref name="paramName"/>) and the model's sizes.
    /// </summary>
    internal void RequireFits(Sequential model, string paramName)
    {
        int width = FeatureCount;
        foreach (Layer layer in model.Layers)
        {
            try
            {
                width = layer.GetOutputSize(width);
            }
            catch (ArgumentException e)
            {
                // The layer's message without its " (Parameter 'inputSize')": the caller passed no such parameter.
                string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                throw new ArgumentException($"{paramName} ({DebuggerText.Of(this)}) does not fit the model ({DebuggerText.Of(model)}): its samples have {FeatureCount} features; {reason}", paramName, e);
            }
        }

        if (width != TargetCount)
        {
            string outputs = width == 1 ? "1 output" : $"{width} outputs";
            string columns = _labels is not null ? $"{TargetCount} classes (one output per class)" : TargetCount == 1 ? "1 target per sample" : $"{TargetCount} targets per sample";
            throw new ArgumentException($"{paramName} ({DebuggerText.Of(this)}) does not fit the model ({DebuggerText.Of(model)}): the model gives {outputs} per sample but the data has {columns}.", paramName);
        }
    }
}
