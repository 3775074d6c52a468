// Save -> load -> predict is bit-identical; damaged, truncated and foreign files are refused with a
// message naming the file and offset; an interrupted save leaves the old file in place.
namespace MnistBp.Tests;

public class ModelFileTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "mnistbp-model-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static Sequential NewModel(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        return new Sequential(
            new Dense(784, 30, WeightInit.ScaledNormal, random, "hidden"),
            new Sigmoid("hidden activation"),
            new Dense(30, 10, WeightInit.ScaledNormal, random, "output"),
            new Sigmoid("output activation"));
    }

    private static Tensor RandomInputs(int rows, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var inputs = new Tensor(rows, 784);
        Span<float> values = inputs.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return inputs;
    }

    [Test]
    public void Save_then_load_predicts_bit_identically()
    {
        Sequential model = NewModel(7);
        string path = Path.Combine(_folder, "model.mnbp");
        ModelFile.Save(model, path);
        Sequential loaded = ModelFile.Load(path);

        Assert.That(loaded.ToString(), Is.EqualTo(model.ToString()));
        Tensor inputs = RandomInputs(25, 3);
        float[] expected = model.Predict(inputs).ToArray();
        float[] actual = loaded.Predict(inputs).ToArray();
        Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)));
        Assert.That(Directory.GetFiles(_folder), Has.Length.EqualTo(1), "no temporary file left behind");
    }

    [Test]
    public void Every_flipped_byte_is_detected()
    {
        var model = new Sequential(new Dense(3, 2, WeightInit.StandardNormal, new DeterministicRandom(1), "d"), new Sigmoid("s"));
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        byte[] good = stream.ToArray();
        for (int i = 0; i < good.Length; i++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[i] ^= 0x5A;
            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bad), "damaged.mnbp"), $"byte {i}");
            Assert.That(error!.Message, Does.StartWith("damaged.mnbp: ").And.Contain("at byte "));
        }
    }

    [Test]
    public void Truncated_file_is_refused_at_every_length()
    {
        var model = new Sequential(new Dense(3, 2, "d"), new Sigmoid("s"));
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        byte[] good = stream.ToArray();
        for (int length = 0; length < good.Length; length++)
        {
            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(good[..length]), "short.mnbp"), $"length {length}");
            Assert.That(error!.Message, Does.Contain("short.mnbp"));
        }
    }

    [Test]
    public void Foreign_file_is_refused_with_its_name()
    {
        string path = Path.Combine(_folder, "picture.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("not an MnistBp model"));
    }

    [Test]
    public void Oversized_layer_claim_is_refused_before_allocating()
    {
        // A well-formed header and checksum around a Dense layer that claims 100000 x 100000 weights.
        byte[] bytes = Build(writer =>
        {
            writer.Write((byte)1);
            writer.Write(1);
            writer.Write((byte)'d');
            writer.Write(100_000);
            writer.Write(100_000);
        }, layerCount: 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes), "huge.mnbp"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
        Assert.That(error!.Message, Does.Contain("100000 x 100000").And.Contain("at byte 18"));
    }

    [Test]
    public void Unknown_layer_kind_and_mismatched_sizes_are_refused()
    {
        byte[] unknown = Build(writer =>
        {
            writer.Write((byte)99);
            writer.Write(0);
        }, layerCount: 1);
        Assert.That(() => ModelFile.Load(new MemoryStream(unknown), "m"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("unknown kind 99"));

        byte[] mismatched = Build(writer =>
        {
            foreach ((int inputs, int outputs) in new[] { (2, 3), (4, 1) })
            {
                writer.Write((byte)1);
                writer.Write(0);
                writer.Write(inputs);
                writer.Write(outputs);
                for (int i = 0; i < inputs * outputs + outputs; i++)
                {
                    writer.Write(0f);
                }
            }
        }, layerCount: 2);
        Assert.That(() => ModelFile.Load(new MemoryStream(mismatched), "m"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("takes 4 inputs but the Dense layer before it gives 3"));
    }

    [Test]
    public void Interrupted_save_keeps_the_old_file()
    {
        string path = Path.Combine(_folder, "model.mnbp");
        Sequential original = NewModel(1);
        ModelFile.Save(original, path);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => ModelFile.Save(NewModel(2), path, file => new FailingStream(file, failAfterBytes: 1000)));

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), "the old file survives");
        Assert.That(Directory.GetFiles(_folder), Has.Length.EqualTo(1), "the temporary file is removed");
        Assert.That(ModelFile.Load(path).Predict(RandomInputs(1, 5)).ToArray(), Is.EqualTo(original.Predict(RandomInputs(1, 5)).ToArray()));
    }

    [Test]
    public void Unsupported_layer_is_refused_before_touching_the_file()
    {
        string path = Path.Combine(_folder, "model.mnbp");
        File.WriteAllText(path, "keep me");
        var model = new Sequential(new Dense(2, 2), new CustomLayer());
        Assert.Throws<NotSupportedException>(() => ModelFile.Save(model, path));
        Assert.That(File.ReadAllText(path), Is.EqualTo("keep me"));
    }

    [Test]
    public void Saving_into_a_missing_folder_names_the_folder()
    {
        string path = Path.Combine(_folder, "no such folder", "model.mnbp");
        Assert.That(() => ModelFile.Save(new Sequential(new Sigmoid()), path),
            Throws.TypeOf<DirectoryNotFoundException>().With.Message.Contains(Path.Combine(_folder, "no such folder")));
    }

    [Test]
    public void Missing_file_is_a_FileNotFoundException() =>
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_folder, "nothing.mnbp")));

    /// <summary>A model file with the given layers, a valid header and a valid checksum.</summary>
    private static byte[] Build(Action<BinaryWriter> writeLayers, int layerCount)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("MNBP"u8);
            writer.Write((ushort)1);
            writer.Write((ushort)0);
            writer.Write(layerCount);
            writeLayers(writer);
        }

        stream.Write(System.Security.Cryptography.SHA256.HashData(stream.ToArray()));
        return stream.ToArray();
    }

    private sealed class CustomLayer() : Layer("custom")
    {
        public override Tensor Forward(Tensor input) => input;

        public override Tensor Backward(Tensor dOutput) => dOutput;
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, int failAfterBytes) : Stream
    {
        private int _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int allowed = Math.Min(buffer.Length, failAfterBytes - _written);
            inner.Write(buffer[..allowed]);
            _written += allowed;
            if (allowed < buffer.Length)
            {
                throw new IOException("No space left on device (simulated).");
            }
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
