// Seeded, deterministic fuzzing of the two loaders, in the suite so that a regression shows in CI: a
// tiny valid IDX file (raw and gzip) and a tiny valid model file are mutated (bit flips, bytes set to
// random or extreme values, truncations, insertions, deletions, int32 length fields set to extremes)
// and read back. Every input must either load or be refused with the documented
// InvalidDataException: any other exception type fails the test with the seed and case that caused
// it. Half the model cases get a fresh SHA-256 trailer after mutation, so the parser behind the
// checksum is reached too. Each test prints its case counts.
using System.Diagnostics;
using System.Security.Cryptography;
using MnistBp.Data;

namespace MnistBp.Tests;

public class FuzzTests
{
    private const int Seed = 20261201;
    private const int CasesPerInput = 10_000;

    private static readonly int[] s_extremeInts = [0, 1, -1, 2, 255, 256, 65_535, 1 << 20, 1 << 30, int.MaxValue, int.MinValue, int.MaxValue / 4 + 1];
    private static readonly byte[] s_extremeBytes = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x1F, 0x8B, 0x08];

    [Test]
    public void The_IDX_reader_loads_or_refuses_every_mutated_input_with_an_InvalidDataException()
    {
        byte[] raw = IdxBytes.Build([2, 3, 2], [.. Enumerable.Range(0, 12).Select(i => (byte)(i * 19))]);
        byte[] gzip = IdxBytes.Gzip(raw);
        var random = new Random(Seed);
        var counts = new Counts();
        var watch = Stopwatch.StartNew();
        foreach (byte[] original in new[] { raw, gzip })
        {
            for (int i = 0; i < CasesPerInput; i++)
            {
                byte[] input = Mutate(original, random);
                bool pipe = (i & 1) == 1; // every other case through a stream that cannot seek
                counts.Run(input, () =>
                {
                    using Stream stream = pipe ? new NonSeekableStream(new MemoryStream(input)) : new MemoryStream(input);
                    _ = IdxReader.Read(stream, "fuzz.idx");
                }, $"IDX seed {Seed}, {(original == raw ? "raw" : "gzip")} case {i}, {(pipe ? "non-seekable" : "seekable")}");
            }
        }

        watch.Stop();
        TestContext.Out.WriteLine($"IDX fuzz: {counts} in {watch.ElapsedMilliseconds} ms");
        Assert.That(counts.Total, Is.GreaterThanOrEqualTo(20_000));
        Assert.That(counts.Loaded, Is.GreaterThan(0), "some mutations (of pixel bytes) still load");
        Assert.That(counts.Refused, Is.GreaterThan(0));
    }

    [Test]
    public void The_model_loader_loads_or_refuses_every_mutated_input_with_an_InvalidDataException()
    {
        ExampleKinds.Register();
        var model = new Sequential(
            new Dense(3, 2, WeightInit.StandardNormal, new DeterministicRandom(1), "d"), new Sigmoid("s"), new Scale(2, factor: 0.5f, "g"));
        using var saved = new MemoryStream();
        ModelFile.Save(model, saved);
        byte[] good = saved.ToArray();
        var random = new Random(Seed);
        var counts = new Counts();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 2 * CasesPerInput; i++)
        {
            byte[] input = Mutate(good, random);
            bool rehash = (i & 1) == 0 && input.Length >= 32; // reach the parser behind the checksum
            if (rehash)
            {
                SHA256.HashData(input.AsSpan(0, input.Length - 32)).CopyTo(input, input.Length - 32);
            }

            bool pipe = (i & 2) == 2;
            counts.Run(input, () =>
            {
                using Stream stream = pipe ? new NonSeekableStream(new MemoryStream(input)) : new MemoryStream(input);
                _ = ModelFile.Load(stream, "fuzz.mnbp");
            }, $"model seed {Seed}, case {i}, {(rehash ? "rehashed" : "as mutated")}, {(pipe ? "non-seekable" : "seekable")}");
        }

        watch.Stop();
        TestContext.Out.WriteLine($"Model fuzz: {counts} in {watch.ElapsedMilliseconds} ms");
        Assert.That(counts.Total, Is.GreaterThanOrEqualTo(20_000));
        Assert.That(counts.Loaded, Is.GreaterThan(0), "some rehashed mutations (of weight bytes) still load");
        Assert.That(counts.Refused, Is.GreaterThan(0));
    }

    /// <summary>One to three mutations of <paramref name="original"/>.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0: // a bit flip
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0: // a random byte
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0: // an extreme byte
                    bytes[at] = s_extremeBytes[random.Next(s_extremeBytes.Length)];
                    break;
                case 3: // a truncation
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4: // an insertion of 1 to 8 bytes
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                    break;
                case 5 when bytes.Count > 0: // a deletion of 1 to 8 bytes
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(8), bytes.Count - at));
                    break;
                case 6 when bytes.Count >= 4: // an int32 field (a length, a count, a size) set to an extreme, either byte order
                    int field = Math.Min(at, bytes.Count - 4);
                    int value = s_extremeInts[random.Next(s_extremeInts.Length)];
                    byte[] encoded = BitConverter.GetBytes(value);
                    if (random.Next(2) == 0)
                    {
                        Array.Reverse(encoded); // IDX sizes are big-endian, model fields little-endian
                    }

                    for (int k = 0; k < 4; k++)
                    {
                        bytes[field + k] = encoded[k];
                    }

                    break;
                default: // random bytes appended
                    bytes.AddRange(Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)));
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>How many inputs loaded and how many were refused; any exception but InvalidDataException fails the test.</summary>
    private sealed class Counts
    {
        public int Total => Loaded + Refused;

        public int Loaded { get; private set; }

        public int Refused { get; private set; }

        public void Run(byte[] input, Action load, string where)
        {
            try
            {
                load();
                Loaded++;
            }
            catch (InvalidDataException)
            {
                Refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{where}: {e.GetType().Name} is not a documented exception: {e.Message}{Environment.NewLine}input: {Convert.ToHexString(input)}{Environment.NewLine}{e}");
            }
        }

        public override string ToString() => $"{Total} inputs, {Loaded} loaded, {Refused} refused with InvalidDataException";
    }
}
