// Dataset: labelled images ready for training: every image flattened into one row of pixels (as
// the bytes of the IDX file: a quarter of the memory of floats, and a quarter of the traffic when a
// shuffled mini-batch is gathered), the labels as class indices, and FillBatch, which copies a
// mini-batch of rows as floats in [0, 1] and their one-hot targets without allocating. The float
// tensor of all images, Images, is built the first time someone asks for it, and from then on it is
// what FillBatch reads.
// It reads any image shape and class count (MNIST's 28 x 28 and 10 are just arguments); it does
// not shuffle (DeterministicRandom.Shuffle does, on an index array), augment or download.
using System.Collections.ObjectModel;

namespace MnistBp;

/// <summary>
/// Images and their labels, such as the 10000 MNIST test digits: <see cref="Images"/> is a
/// [<see cref="Count"/> x <see cref="FeatureCount"/>] tensor of pixels in [0, 1] and
/// <see cref="Labels"/> holds one class index per image.
/// </summary>
[System.Diagnostics.DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
[System.Diagnostics.DebuggerTypeProxy(typeof(DatasetDebugView))]
public sealed class Dataset
{
    private readonly byte[] _labels;
    private readonly int[] _imageShape;
    private readonly byte[]? _pixels; // [count x features], one byte per pixel; null when built from floats
    private Tensor? _images;           // built from _pixels on first use of Images

    private Dataset(byte[]? pixels, Tensor? images, int count, int featureCount, byte[] labels, int[] imageShape, int classCount)
    {
        _pixels = pixels;
        _images = images;
        Count = count;
        FeatureCount = featureCount;
        _labels = labels;
        _imageShape = imageShape;
        ImageShape = new ReadOnlyCollection<int>(imageShape);
        ClassCount = classCount;
    }

    /// <summary>
    /// The images, one per row, each flattened row-major (for MNIST row <c>i</c> holds pixel
    /// <c>(y, x)</c> at column <c>28 * y + x</c>), every byte scaled as <c>byte / 255f</c>.
    /// </summary>
    /// <remarks>
    /// A dataset keeps its pixels as bytes; this [<see cref="Count"/> x <see cref="FeatureCount"/>]
    /// float tensor (4 bytes per pixel: 188 MB for the 60,000 MNIST training images) is built the first
    /// time it is read (the bytes are kept too). It is the dataset's own tensor, not a copy: writing to
    /// it changes the dataset, and <see cref="FillBatch"/> reads it from then on (with the same results,
    /// a little more slowly).
    /// </remarks>
    public Tensor Images => _images ?? BuildImages();

    /// <summary><see cref="Images"/> when it has been built, else null (for the debugger, which must not build it).</summary>
    internal Tensor? ImagesIfBuilt => _images;

    /// <summary>The label of each image: a class index from 0 to <see cref="ClassCount"/> - 1, one byte per image as stored in the IDX file.</summary>
    public ReadOnlyMemory<byte> Labels => _labels;

    /// <summary>The number of images (and labels).</summary>
    public int Count { get; }

    /// <summary>The number of values per image: the product of <see cref="ImageShape"/> (784 for MNIST).</summary>
    public int FeatureCount { get; }

    /// <summary>The number of classes; every label is below it, and one-hot targets have this many columns.</summary>
    public int ClassCount { get; }

    /// <summary>The shape of one image from the IDX dimensions after the first, such as <c>[28, 28]</c> (rows, columns); for drawing.</summary>
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
        return new Dataset(images.Data.ToArray(), null, count, (int)featureCount, labelBytes.ToArray(), imageShape, classCount);
    }

    /// <summary>
    /// A new dataset holding copies of items <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1:
    /// of their bytes, or of their rows of <see cref="Images"/> when this dataset's Images has been built (so edits to it carry over).
    /// </summary>
    /// <param name="start">The first item to copy.</param>
    /// <param name="count">The number of items to copy; zero or more.</param>
    /// <returns>An independent dataset with the same <see cref="ImageShape"/> and <see cref="ClassCount"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the dataset.</exception>
    public Dataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start > Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Items {start} to {(long)start + count - 1} are outside the dataset of {Count} items.");
        }

        byte[] labels = _labels.AsSpan(start, count).ToArray();
        int[] imageShape = (int[])_imageShape.Clone();
        if (_images is null)
        {
            byte[] pixels = _pixels.AsSpan(start * FeatureCount, count * FeatureCount).ToArray();
            return new Dataset(pixels, null, count, FeatureCount, labels, imageShape, ClassCount);
        }

        var images = new Tensor(count, FeatureCount, _images.Name);
        _images.AsSpan().Slice(start * FeatureCount, count * FeatureCount).CopyTo(images.AsSpan());
        return new Dataset(null, images, count, FeatureCount, labels, imageShape, ClassCount);
    }

    /// <summary>
    /// Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 of
    /// <see cref="Images"/> without building it: a slice of Images when it exists, else the bytes
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
    /// Copies the images <paramref name="indices"/> name into the rows of <paramref name="inputs"/>, and
    /// their labels as one-hot rows (1 in the label's column, 0 elsewhere) into <paramref name="oneHotTargets"/>.
    /// Allocates nothing: this runs once per mini-batch.
    /// </summary>
    /// <param name="indices">The items of the batch, in order; row <c>r</c> receives item <c>indices[r]</c>.</param>
    /// <param name="inputs">A [indices.Length x <see cref="FeatureCount"/>] tensor to overwrite.</param>
    /// <param name="oneHotTargets">A [indices.Length x <see cref="ClassCount"/>] tensor to overwrite.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong shape; the message names the shape given and the one expected.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the dataset; nothing has been written.</exception>
    public void FillBatch(ReadOnlySpan<int> indices, Tensor inputs, Tensor oneHotTargets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(oneHotTargets);
        int batchSize = indices.Length;
        if (inputs.Rank != 2 || inputs.Rows != batchSize || inputs.Columns != FeatureCount)
        {
            throw new ArgumentException($"FillBatch: inputs {inputs.Describe()} should be [{batchSize} x {FeatureCount}] ({batchSize} indices x {FeatureCount} features).", nameof(inputs));
        }

        if (oneHotTargets.Rank != 2 || oneHotTargets.Rows != batchSize || oneHotTargets.Columns != ClassCount)
        {
            throw new ArgumentException($"FillBatch: oneHotTargets {oneHotTargets.Describe()} should be [{batchSize} x {ClassCount}] ({batchSize} indices x {ClassCount} classes).", nameof(oneHotTargets));
        }

        for (int r = 0; r < batchSize; r++)
        {
            if ((uint)indices[r] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), indices[r], $"FillBatch: indices[{r}] = {indices[r]} is outside the dataset of {Count} items.");
            }
        }

        // The images: one row each, from the stored bytes (or from Images once it exists), split across cores when it pays.
        if (_images is null)
        {
            Kernels.GatherPixels(_pixels, FeatureCount, indices, inputs.AsSpan());
        }
        else
        {
            Kernels.GatherRows(_images.AsSpan(), FeatureCount, indices, inputs.AsSpan());
        }

        for (int r = 0; r < batchSize; r++)
        {
            // One-hot: y[c] = 1 when c is the label, else 0.
            Span<float> target = oneHotTargets.Row(r);
            target.Clear();
            target[_labels[indices[r]]] = 1f;
        }
    }
}
