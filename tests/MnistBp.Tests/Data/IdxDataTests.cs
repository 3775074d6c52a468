using System.Diagnostics;
using System.IO.Compression;
using MnistBp.Data;

namespace MnistBp.Tests;

// Class names contain "Data" so that `dotnet test --filter FullyQualifiedName~Data` picks them up.
public class IdxDataTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private static int[] ShapeOfRank(int rank) => rank switch
    {
        1 => [7],
        3 => [4, 3, 5],
        4 => [2, 3, 1, 4],
        _ => throw new ArgumentOutOfRangeException(nameof(rank)),
    };

    /// <summary>Reading <paramref name="path"/> fails with an InvalidDataException naming the file; returns its message.</summary>
    private static string ReadFails(string path)
    {
        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.That(exception!.Message, Does.Contain(Path.GetFileName(path)));
        return exception.Message;
    }

    [Test]
    public void Round_trip_keeps_sizes_and_bytes([Values(1, 3, 4)] int rank, [Values] bool gzip)
    {
        int[] dimensions = ShapeOfRank(rank);
        byte[] data = IdxBytes.Pattern(dimensions.Aggregate(1, (product, size) => product * size));
        string path = _folder.File($"rank{rank}.idx");

        IdxWriter.Write(path, dimensions, data, gzip);
        IdxArray array = IdxReader.Read(path);

        using (Assert.EnterMultipleScope())
        {
            byte[] written = File.ReadAllBytes(path);
            Assert.That(written[0] == 0x1F && written[1] == 0x8B, Is.EqualTo(gzip), "gzip magic 1F 8B");
            Assert.That(gzip ? Gunzip(written) : written, Is.EqualTo(IdxBytes.Build(dimensions, data)), "the writer's layout");
            Assert.That(array.Dimensions, Is.EqualTo(dimensions));
            Assert.That(array.Rank, Is.EqualTo(rank));
            Assert.That(array.DataOffset, Is.EqualTo(4 + 4 * rank));
            Assert.That(array.Data.ToArray(), Is.EqualTo(data));
            Assert.That(array.SourceName, Is.EqualTo(Path.GetFullPath(path)));
        }
    }

    [Test]
    public void Gzip_is_recognised_by_content_not_by_file_name()
    {
        byte[] file = IdxBytes.Build([2, 3], [1, 2, 3, 4, 5, 6]);
        string rawNamedGz = _folder.Write("raw.gz", file);
        string gzipNamedIdx = _folder.Write("compressed.idx", IdxBytes.Gzip(file));

        Assert.That(IdxReader.Read(rawNamedGz).Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(IdxReader.Read(gzipNamedIdx).Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void Reads_from_a_stream_that_cannot_seek([Values] bool gzip)
    {
        byte[] file = IdxBytes.Build([3, 2], [9, 8, 7, 6, 5, 4]);
        using var stream = new NonSeekableStream(new MemoryStream(gzip ? IdxBytes.Gzip(file) : file));

        IdxArray array = IdxReader.Read(stream, "pipe");

        Assert.That(array.Dimensions, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(array.Data.ToArray(), Is.EqualTo(new byte[] { 9, 8, 7, 6, 5, 4 }));
        Assert.That(array.SourceName, Is.EqualTo("pipe"));
    }

    [Test]
    public void A_size_of_zero_gives_an_empty_array([Values] bool gzip)
    {
        byte[] file = IdxBytes.Build([0, 28, 28], []);
        string path = _folder.Write("empty.idx", gzip ? IdxBytes.Gzip(file) : file);

        IdxArray array = IdxReader.Read(path);

        Assert.That(array.Dimensions, Is.EqualTo(new[] { 0, 28, 28 }));
        Assert.That(array.Data.Length, Is.Zero);
    }

    [Test]
    public void Truncated_data_is_refused_with_expected_and_found([Values] bool gzip)
    {
        byte[] file = IdxBytes.Build([2, 28, 28], IdxBytes.Pattern(1000)); // needs 1568 bytes of data
        string path = _folder.Write("short.idx", gzip ? IdxBytes.Gzip(file) : file);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain("truncated"));
        Assert.That(message, Does.Contain("expected 1568 bytes of data after the 16-byte header"));
        Assert.That(message, Does.Contain("found 1000"));
        Assert.That(message, Does.Contain("byte offset 1016"));
    }

    [Test]
    public void A_gzip_file_cut_short_is_refused()
    {
        byte[] compressed = IdxBytes.Gzip(IdxBytes.Build([50, 10, 10], IdxBytes.Pattern(5000)));
        string path = _folder.Write("cut.idx.gz", compressed[..(compressed.Length / 2)]);

        ReadFails(path);
    }

    [Test]
    public void A_gzip_file_cut_inside_its_first_block_is_not_called_merely_empty()
    {
        // The first 30 bytes of the slice's training images: the 10-byte gzip header and the start of a deflate block
        // whose code tables alone are longer than that, so it yields no byte yet.
        byte[] compressed = File.ReadAllBytes(Path.Combine(TestPaths.MnistSlice, "train-images-idx3-ubyte.gz"));
        string path = _folder.Write("cut30.idx.gz", compressed[..30]);

        Assert.That(ReadFails(path), Does.Contain("the gzip data decompresses to no bytes: the file was cut short"));
    }

    [Test]
    public void A_header_cut_short_is_refused()
    {
        byte[] file = IdxBytes.Build([2, 28, 28], [])[..10]; // the sizes need bytes 4 to 15
        string path = _folder.Write("header.idx", file);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain("truncated header"));
        Assert.That(message, Does.Contain("byte offset 10"));
    }

    [Test]
    public void An_empty_file_is_refused([Values] bool gzip)
    {
        string path = _folder.Write("nothing.idx", gzip ? IdxBytes.Gzip([]) : []);

        Assert.That(ReadFails(path), Does.Contain("empty"));
    }

    [Test]
    public void Trailing_bytes_are_refused([Values] bool gzip)
    {
        byte[] file = [.. IdxBytes.Build([2, 3], [1, 2, 3, 4, 5, 6]), 7, 8, 9];
        string path = _folder.Write("long.idx", gzip ? IdxBytes.Gzip(file) : file);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain("trailing data"));
        Assert.That(message, Does.Contain("expected 6 bytes of data after the 12-byte header"));
        Assert.That(message, Does.Contain("found 9"));
        Assert.That(message, Does.Contain("3 extra bytes start at byte offset 18"));
    }

    [TestCase(new byte[] { 7, 8, 9 }, TestName = "Bytes_after_the_end_of_the_gzip_data_are_refused(3 bytes)")]
    [TestCase(new byte[] { 0x1F }, TestName = "Bytes_after_the_end_of_the_gzip_data_are_refused(a lone 1F)")]
    [TestCase(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, TestName = "Bytes_after_the_end_of_the_gzip_data_are_refused(12 zeros)")]
    public void Bytes_after_the_end_of_the_gzip_data_are_refused(byte[] trailing)
    {
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Build([2, 3], [1, 2, 3, 4, 5, 6]));
        string path = _folder.Write("tail.idx.gz", [.. gzip, .. trailing]);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain("trailing data").And.Contain($"{trailing.Length} bytes after the end of the gzip data")
            .And.Contain($"at byte offset {gzip.Length} of the file"));
        using var pipe = new NonSeekableStream(new MemoryStream([.. gzip, .. trailing]));
        Assert.That(() => IdxReader.Read(pipe, "pipe"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("trailing data"));
    }

    [Test]
    public void A_large_tail_after_the_gzip_data_is_refused()
    {
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Build([2, 3], [1, 2, 3, 4, 5, 6]));
        string path = _folder.Write("tail.idx.gz", [.. gzip, .. new byte[300_000]]);

        Assert.That(ReadFails(path), Does.Contain("trailing data").And.Contain("after the end of the gzip data"));
    }

    [Test]
    public void Gzip_data_in_several_members_is_read_as_one()
    {
        byte[] file = IdxBytes.Build([2, 3], [1, 2, 3, 4, 5, 6]);
        string path = _folder.Write("members.idx.gz", [.. IdxBytes.Gzip(file[..7]), .. IdxBytes.Gzip(file[7..]), .. IdxBytes.Gzip([])]);

        Assert.That(IdxReader.Read(path).Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void Trailing_bytes_are_refused_from_a_stream_that_cannot_seek()
    {
        byte[] file = [.. IdxBytes.Build([2], [1, 2]), 3];
        using var stream = new NonSeekableStream(new MemoryStream(file));

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(stream, "pipe"));

        Assert.That(exception!.Message, Does.Contain("'pipe'").And.Contain("trailing data").And.Contain("found 3"));
    }

    [Test]
    public void A_wrong_magic_number_is_refused()
    {
        byte[] file = IdxBytes.Build([2], [1, 2]);
        file[0] = 0x12;
        file[1] = 0x34;
        string path = _folder.Write("magic.idx", file);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain("bad magic number 12 34 08 01 at byte offset 0"));
    }

    [TestCase(0x09, "signed byte")]
    [TestCase(0x0B, "16-bit integer")]
    [TestCase(0x0C, "32-bit integer")]
    [TestCase(0x0D, "32-bit float")]
    [TestCase(0x0E, "64-bit float")]
    public void Other_element_types_are_not_supported(int type, string name)
    {
        string path = _folder.Write("typed.idx", IdxBytes.Build((byte)type, [2], new byte[8]));

        string message = ReadFails(path);

        Assert.That(message, Does.Contain($"0x{type:X2} ({name}) at byte offset 2"));
        Assert.That(message, Does.Contain("not supported"));
    }

    [Test]
    public void An_unknown_element_type_is_refused()
    {
        string path = _folder.Write("typed.idx", IdxBytes.Build(0x07, [2], [1, 2]));

        Assert.That(ReadFails(path), Does.Contain("unknown element type code 0x07 at byte offset 2"));
    }

    [TestCase(0)]
    [TestCase(9)]
    [TestCase(255)]
    public void A_dimension_count_outside_1_to_8_is_refused(int rank)
    {
        byte[] file = [0, 0, 0x08, (byte)rank, .. new byte[4 * rank]];
        string path = _folder.Write("rank.idx", file);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain($"byte offset 3 says the array has {rank} dimensions"));
    }

    [Test]
    public void A_negative_size_is_refused()
    {
        string path = _folder.Write("negative.idx", IdxBytes.Build([2, -5, 3], []));

        Assert.That(ReadFails(path), Does.Contain("dimension 1 has a negative size, -5, at byte offset 8"));
    }

    [Test]
    public void An_oversized_header_fails_fast_without_allocating([Values] bool gzip)
    {
        // 2^31 - 1 images of 28 x 28 would be 1.7 TB; the file holds 10 bytes.
        byte[] file = IdxBytes.Build([int.MaxValue, 28, 28], IdxBytes.Pattern(10));
        string path = _folder.Write("huge.idx", gzip ? IdxBytes.Gzip(file) : file);

        string message = ReadFailsCheaply(path);

        Assert.That(message, Does.Contain("1683627179248 bytes of data, more than one array can hold"));
    }

    [Test]
    public void A_header_claiming_far_more_than_the_file_holds_fails_fast_without_allocating([Values] bool gzip)
    {
        // 2 * 10^9 bytes is below Array.MaxLength, so only the bytes that follow can expose the lie.
        byte[] file = IdxBytes.Build([2_000_000_000], IdxBytes.Pattern(10));
        string path = _folder.Write("liar.idx", gzip ? IdxBytes.Gzip(file) : file);

        string message = ReadFailsCheaply(path);

        Assert.That(message, Does.Contain("truncated: expected 2000000000 bytes of data after the 8-byte header [2000000000], found 10"));
    }

    [Test]
    public void A_header_claiming_far_more_than_a_stream_that_cannot_seek_holds_fails_fast_without_allocating()
    {
        byte[] file = IdxBytes.Build([2_000_000_000], IdxBytes.Pattern(10));
        using var stream = new NonSeekableStream(new MemoryStream(file));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.Read(stream, "pipe"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(exception!.Message, Does.Contain("found 10"));
        Assert.That(allocated, Is.LessThan(16L << 20));
    }

    private static string ReadFailsCheaply(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        string message = ReadFails(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stopwatch.Stop();

        Assert.That(allocated, Is.LessThan(16L << 20), "bytes allocated before refusing the header");
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        return message;
    }

    [Test]
    public void Damaged_gzip_data_is_refused_naming_the_file()
    {
        byte[] compressed = IdxBytes.Gzip(IdxBytes.Build([50, 10, 10], IdxBytes.Pattern(5000)));
        compressed[compressed.Length / 2] ^= 0xFF;
        compressed[compressed.Length / 2 + 1] ^= 0x5A;
        string path = _folder.Write("damaged.gz", compressed);

        string message = ReadFails(path);

        Assert.That(message, Does.Contain("gzip data is damaged"));
    }

    [Test]
    public void A_gzip_checksum_mismatch_is_refused()
    {
        byte[] compressed = IdxBytes.Gzip(IdxBytes.Build([4], [1, 2, 3, 4]));
        compressed[^8] ^= 0xFF; // the CRC-32 of the decompressed bytes, in the gzip trailer
        string path = _folder.Write("crc.gz", compressed);

        Assert.That(ReadFails(path), Does.Contain("gzip data is damaged"));
    }

    [Test]
    public void A_missing_file_gives_FileNotFoundException_naming_the_path()
    {
        string path = _folder.File("absent.idx");

        var exception = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));

        Assert.That(exception!.FileName, Is.EqualTo(path));
        Assert.That(exception.Message, Does.Contain(path));
    }

    [Test]
    public void The_writer_refuses_sizes_that_do_not_match_the_data()
    {
        using var stream = new MemoryStream();

        Assert.Throws<ArgumentException>(() => IdxWriter.Write(stream, [2, 3], new byte[5], gzip: false));
        Assert.Throws<ArgumentException>(() => IdxWriter.Write(stream, [], [], gzip: false));
        Assert.Throws<ArgumentException>(() => IdxWriter.Write(stream, [-1], [], gzip: false));
        Assert.That(stream.Length, Is.Zero);
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
