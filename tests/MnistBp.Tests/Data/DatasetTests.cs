using MnistBp.Data;

namespace MnistBp.Tests;

public class DatasetTests
{
    // Four 2 x 3 "images" and 5 classes: nothing here is 28 x 28 or 10 classes on purpose.
    private static readonly byte[] s_pixels =
    [
        0, 51, 255, 102, 0, 0,
        1, 2, 3, 4, 5, 6,
        10, 20, 30, 40, 50, 60,
        255, 255, 255, 0, 0, 0,
    ];

    private static readonly byte[] s_labels = [3, 0, 4, 1];

    private static Dataset Small() => Dataset.FromIdx(
        new IdxArray([4, 2, 3], s_pixels, "images"),
        new IdxArray([4], s_labels, "labels"),
        classCount: 5);

    [Test]
    public void Images_become_rows_of_pixels_scaled_to_0_1()
    {
        Dataset data = Small();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(data.Count, Is.EqualTo(4));
            Assert.That(data.FeatureCount, Is.EqualTo(6));
            Assert.That(data.ClassCount, Is.EqualTo(5));
            Assert.That(data.ImageShape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(data.GetImages().Shape, Is.EqualTo("[4 x 6]"));
            Assert.That(data.GetImages()[0, 0], Is.Zero);
            Assert.That(data.GetImages()[0, 1], Is.EqualTo(0.2f));
            Assert.That(data.GetImages()[0, 2], Is.EqualTo(1f));
            Assert.That(data.GetImages()[2, 5], Is.EqualTo(60 / 255f));
            Assert.That(data.Labels.ToArray(), Is.EqualTo(s_labels));
        }
    }

    [Test]
    public void FromIdx_reads_both_files()
    {
        using var folder = new TempFolder();
        string imagesPath = folder.File("images.idx.gz"), labelsPath = folder.File("labels.idx");
        IdxWriter.Write(imagesPath, [4, 2, 3], s_pixels, gzip: true);
        IdxWriter.Write(labelsPath, [4], s_labels, gzip: false);

        Dataset data = Dataset.FromIdx(imagesPath, labelsPath, classCount: 5);

        Assert.That(data.GetImages().ToArray(), Is.EqualTo(Small().GetImages().ToArray()));
        Assert.That(data.Labels.ToArray(), Is.EqualTo(s_labels));
    }

    [Test]
    public void Counts_that_differ_are_refused_naming_both_files_and_counts()
    {
        var images = new IdxArray([4, 2, 3], s_pixels, "/data/images-a.idx");
        var labels = new IdxArray([3], new byte[] { 0, 1, 2 }, "/data/labels-b.idx");

        var exception = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels, 5));

        Assert.That(exception!.Message, Does.Contain("'/data/images-a.idx' hold 4 items").And.Contain("'/data/labels-b.idx' hold 3"));
    }

    [Test]
    public void A_label_out_of_range_is_refused_with_its_index_and_byte_offset()
    {
        var images = new IdxArray([4, 2, 3], s_pixels, "images");
        var labels = new IdxArray([4], new byte[] { 0, 1, 7, 2 }, "/data/labels.idx");

        var exception = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels, 5));

        Assert.That(exception!.Message, Does.Contain("'/data/labels.idx'"));
        Assert.That(exception.Message, Does.Contain("item 2 (byte offset 10) is 7"));
        Assert.That(exception.Message, Does.Contain("0 to 4"));
    }

    [Test]
    public void Wrong_ranks_and_class_counts_are_refused()
    {
        var images = new IdxArray([4, 2, 3], s_pixels, "images");
        var labels = new IdxArray([4], s_labels, "labels");

        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromIdx(images, labels, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromIdx("never-read.idx", "never-read.idx", 1));
        Assert.That(
            () => Dataset.FromIdx(new IdxArray([24], s_pixels, "flat"), labels, 5),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("'flat' has shape [24]"));
        Assert.That(
            () => Dataset.FromIdx(images, new IdxArray([2, 2], s_labels, "square"), 5),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("'square' has shape [2 x 2]"));
        Assert.That(
            () => Dataset.FromIdx(new IdxArray([4, 0], ReadOnlyMemory<byte>.Empty, "blank"), labels, 5),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("no pixels"));
    }

    [Test]
    public void An_empty_file_pair_gives_an_empty_dataset()
    {
        Dataset data = Dataset.FromIdx(new IdxArray([0, 28, 28], ReadOnlyMemory<byte>.Empty, "i"), new IdxArray([0], ReadOnlyMemory<byte>.Empty, "l"), 10);

        Assert.That(data.Count, Is.Zero);
        Assert.That(data.FeatureCount, Is.EqualTo(784));
    }

    [Test]
    public void Slice_copies_a_range()
    {
        Dataset data = Small();

        Dataset slice = data.Slice(1, 2);
        slice.GetImages()[0, 0] = 99f;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(slice.Count, Is.EqualTo(2));
            Assert.That(slice.ImageShape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(slice.ClassCount, Is.EqualTo(5));
            Assert.That(slice.Labels.ToArray(), Is.EqualTo(new byte[] { 0, 4 }));
            Assert.That(slice.GetImages()[1, 5], Is.EqualTo(60 / 255f));
            Assert.That(data.GetImages()[1, 0], Is.EqualTo(1 / 255f), "the original is untouched");
            Assert.That(data.Slice(4, 0).Count, Is.Zero);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(0, -1));
    }

    [Test]
    public void FillBatch_copies_rows_and_writes_one_hot_targets()
    {
        Dataset data = Small();
        var inputs = new Tensor(3, 6, "x");
        var targets = new Tensor(3, 5, "y");
        targets.Fill(7f); // stale values from a previous batch must go

        data.FillBatch([2, 0, 2], inputs, targets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inputs.Row(0).ToArray(), Is.EqualTo(data.GetImages().Row(2).ToArray()));
            Assert.That(inputs.Row(1).ToArray(), Is.EqualTo(data.GetImages().Row(0).ToArray()));
            Assert.That(inputs.Row(2).ToArray(), Is.EqualTo(data.GetImages().Row(2).ToArray()));
            Assert.That(targets.Row(0).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 0f, 1f }));
            Assert.That(targets.Row(1).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 1f, 0f }));
            Assert.That(targets.Row(2).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 0f, 1f }));
        }
    }

    [Test]
    public void FillBatch_gives_the_same_bits_from_the_stored_bytes_as_from_Images([Values(1, 2)] int threads)
    {
        // Big enough (300 rows of 784) for the gather to split across threads.
        var random = new DeterministicRandom(5);
        byte[] pixels = [.. Enumerable.Range(0, 300 * 784).Select(_ => (byte)random.NextInt(256))];
        byte[] labels = [.. Enumerable.Range(0, 300).Select(i => (byte)(i % 10))];
        Dataset data = Dataset.FromIdx(new IdxArray([300, 28, 28], pixels, "images"), new IdxArray([300], labels, "labels"), 10);
        int[] indices = [.. Enumerable.Range(0, 128).Select(_ => random.NextInt(300))];
        var fromBytes = new Tensor(128, 784);
        var fromFloats = new Tensor(128, 784);
        var targets = new Tensor(128, 10);
        KernelSettings saved = KernelSettings.Current;
        KernelSettings.Current = saved with { ThreadCount = threads };
        try
        {
            data.FillBatch(indices, fromBytes, targets); // Images not built yet: from the bytes
            Tensor images = data.GetImages();                  // from here on, FillBatch reads Images
            data.FillBatch(indices, fromFloats, targets);

            Assert.That(fromBytes.ToArray().Select(BitConverter.SingleToInt32Bits), Is.EqualTo(fromFloats.ToArray().Select(BitConverter.SingleToInt32Bits)));
            Assert.That(fromBytes.Row(0).ToArray(), Is.EqualTo(images.Row(indices[0]).ToArray()));
            Assert.That(images[indices[5], 7], Is.EqualTo(pixels[indices[5] * 784 + 7] / 255f));
        }
        finally
        {
            KernelSettings.Current = saved;
        }
    }

    [Test]
    public void Writing_to_Images_changes_what_FillBatch_copies_and_what_Slice_keeps()
    {
        Dataset data = Small();
        Tensor images = data.GetImages();
        Assert.That(data.GetImages(), Is.SameAs(images), "built once, then the dataset's own tensor");
        images[2, 1] = 0.5f;
        var inputs = new Tensor(1, 6);
        var targets = new Tensor(1, 5);

        data.FillBatch([2], inputs, targets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inputs[0, 1], Is.EqualTo(0.5f));
            Assert.That(data.Slice(2, 1).GetImages()[0, 1], Is.EqualTo(0.5f));
            Assert.That(Small().Slice(2, 1).GetImages()[0, 1], Is.EqualTo(20 / 255f), "a slice of the bytes");
        }
    }

    [Test]
    public void FillBatch_allocates_nothing()
    {
        Dataset data = Small();
        var inputs = new Tensor(4, 6);
        var targets = new Tensor(4, 5);
        int[] indices = [3, 1, 0, 2];
        data.FillBatch(indices, inputs, targets); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            data.FillBatch(indices, inputs, targets);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void FillBatch_names_both_shapes_when_a_tensor_does_not_fit()
    {
        Dataset data = Small();

        Assert.That(
            () => data.FillBatch([0, 1], new Tensor(3, 6, "x"), new Tensor(2, 5, "y")),
            Throws.ArgumentException.With.Message.Contains("inputs x [3 x 6] should be [2 x 6]"));
        Assert.That(
            () => data.FillBatch([0, 1], new Tensor(2, 6, "x"), new Tensor(2, 10, "y")),
            Throws.ArgumentException.With.Message.Contains("targets y [2 x 10] should be [2 x 5]"));
        Assert.That(
            () => data.FillBatch([0], new Tensor(6, "x"), new Tensor(1, 5, "y")),
            Throws.ArgumentException.With.Message.Contains("inputs x [6] should be [1 x 6]"));
    }

    [Test]
    public void FillBatch_refuses_an_index_outside_the_dataset_before_writing()
    {
        Dataset data = Small();
        var inputs = new Tensor(2, 6);
        var targets = new Tensor(2, 5);

        Assert.That(
            () => data.FillBatch([1, 4], inputs, targets),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("indices[1] = 4 is outside the dataset of 4 items"));
        Assert.That(inputs.ToArray(), Is.All.Zero);
        Assert.That(targets.ToArray(), Is.All.Zero);
    }
}
