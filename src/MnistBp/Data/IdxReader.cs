// IdxReader: reads unsigned-byte IDX files of any rank (the format of the MNIST files), raw or
// gzip-compressed; it tells the two apart by the first two bytes (1F 8B), never by the file name.
// Every header field is checked against the bytes that actually follow before it is trusted, so a
// damaged or hostile file fails fast with an InvalidDataException naming the file, the problem and
// the byte offset, never with a huge allocation. It does not read the other IDX element types
// (signed byte, short, int, float, double) and does not download anything.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;

namespace MnistBp.Data;

/// <summary>Reads unsigned-byte IDX files, such as <c>t10k-images-idx3-ubyte.gz</c>, into an <see cref="IdxArray"/>.</summary>
/// <remarks>
/// <para>
/// Layout (all integers big-endian): bytes 0-1 are zero; byte 2 is the element type (0x08 =
/// unsigned byte, the only one read here); byte 3 is the number of dimensions <c>n</c>; bytes 4 to
/// 4 + 4n - 1 hold one int32 size per dimension; then come exactly the product of the sizes in
/// bytes, row-major, and nothing else.
/// </para>
/// <para>
/// A gzip-compressed file is recognised by its content (it starts with 1F 8B) and decompressed on
/// the fly; byte offsets in its error messages count decompressed bytes, except for bytes after the
/// end of the gzip data, which are refused at their offset in the file. Several gzip members in a row
/// are read as one stream, as gzip allows. Because the decompressed
/// length is unknown until the end, the data buffer grows geometrically as bytes arrive and never
/// beyond the size the header claims, so a header claiming gigabytes over a few bytes fails after
/// reading those few bytes.
/// </para>
/// </remarks>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;
    private const int InitialBufferSize = 1 << 20;       // first data buffer when the length is unknown
    private const int MaxTrailingBytesCounted = 1 << 20; // how far past the end extra bytes are counted

    /// <summary>Reads the IDX file at <paramref name="path"/>, raw or gzip-compressed.</summary>
    /// <param name="path">The file path; error messages show it as a full path.</param>
    /// <returns>The sizes and bytes of the file; <see cref="IdxArray.SourceName"/> is the full path.</returns>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid unsigned-byte IDX file (raw or gzip); the message says why and where.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The IDX file '{fullPath}' does not exist.", fullPath);
        }

        using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(file, fullPath);
    }

    /// <summary>Reads an IDX file, raw or gzip-compressed, from the current position of <paramref name="stream"/>.</summary>
    /// <param name="stream">A readable stream, seekable or not; it is read to the end of the IDX data (and a little past, to detect trailing bytes) and left open.</param>
    /// <param name="sourceName">A name for the stream (usually a file path), used in error messages and kept in <see cref="IdxArray.SourceName"/>.</param>
    /// <returns>The sizes and bytes read.</returns>
    /// <exception cref="InvalidDataException">The content is not a valid unsigned-byte IDX file (raw or gzip); the message names <paramref name="sourceName"/> and says what is wrong and where.</exception>
    public static IdxArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        if (!stream.CanRead)
        {
            throw new ArgumentException($"The stream for '{sourceName}' cannot be read.", nameof(stream));
        }

        // What is left of a seekable stream is known up front; the decompressed size of gzip data is not.
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;

        // Tell gzip from raw by content: gzip starts with 1F 8B, IDX with 00 00. The two bytes peeked
        // are handed back in front of the rest, so the stream need not be seekable.
        byte[] start = new byte[2];
        int peeked = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        var source = new PrefixedStream(start.AsSpan(0, peeked).ToArray(), stream);
        if (peeked == 2 && start[0] == 0x1F && start[1] == 0x8B)
        {
            var compressed = new RecordingStream(source);
            IdxArray array;
            using (var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true))
            {
                array = Parse(new Source(gzip, sourceName, compressed: true), available: null);
            }

            CheckNothingFollowsTheGzipData(compressed, array);
            return array;
        }

        return Parse(new Source(source, sourceName, compressed: false), available);
    }

    private static IdxArray Parse(Source source, long? available)
    {
        // Bytes 0-3, the magic number: 00 00, the element type, the number of dimensions.
        Span<byte> magic = stackalloc byte[4];
        int read = source.Fill(magic);
        if (read == 0)
        {
            throw source.Error(source.Compressed
                ? "the gzip data decompresses to no bytes: the file was cut short (an interrupted download?), or the IDX file it holds is empty; an IDX file starts with a 4-byte magic number"
                : "the file is empty; an IDX file starts with a 4-byte magic number");
        }

        if (read < magic.Length)
        {
            throw source.Error($"truncated: the file ends at byte offset {read}, inside the 4-byte magic number");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw source.Error($"bad magic number {magic[0]:X2} {magic[1]:X2} {magic[2]:X2} {magic[3]:X2} at byte offset 0; an IDX file starts with two zero bytes (00 00 08 03 for unsigned-byte images)");
        }

        if (magic[2] != UnsignedByteType)
        {
            throw source.Error(DescribeUnreadableType(magic[2]));
        }

        int rank = magic[3];
        if (rank is 0 or > IdxArray.MaxRank)
        {
            throw source.Error($"byte offset 3 says the array has {rank} dimensions; expected 1 to {IdxArray.MaxRank}");
        }

        // Bytes 4 to 4 + 4 * rank - 1: one big-endian int32 size per dimension.
        int headerLength = IdxArray.HeaderLength(rank);
        Span<byte> sizeBytes = stackalloc byte[4 * IdxArray.MaxRank];
        sizeBytes = sizeBytes[..(4 * rank)];
        read = source.Fill(sizeBytes);
        if (read < sizeBytes.Length)
        {
            throw source.Error($"truncated header: {rank} dimension sizes need bytes 4 to {headerLength - 1}, but the file ends at byte offset {4 + read}");
        }

        int[] dimensions = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(sizeBytes.Slice(4 * i, 4));
            if (dimensions[i] < 0)
            {
                throw source.Error($"dimension {i} has a negative size, {dimensions[i]}, at byte offset {4 + 4 * i}");
            }
        }

        long count = IdxArray.ElementCount(dimensions);
        if (count < 0)
        {
            var product = BigInteger.One;
            foreach (int size in dimensions)
            {
                product *= size;
            }

            throw source.Error($"the sizes {IdxArray.DescribeSizes(dimensions)} at byte offsets 4 to {headerLength - 1} claim {product} bytes of data, more than one array can hold ({Array.MaxLength}); refused before reading the data");
        }

        // A raw seekable stream says how many bytes follow: compare before allocating anything.
        if (available is long total && total - headerLength != count)
        {
            throw source.Error(DescribeLengthMismatch(dimensions, headerLength, count, total - headerLength, atLeast: false));
        }

        // Otherwise grow the buffer as bytes arrive, doubling, but never past the claimed size.
        byte[] data = new byte[available is null ? Math.Min(count, InitialBufferSize) : count];
        int filled = 0;
        while (true)
        {
            filled += source.Fill(data.AsSpan(filled));
            if (filled < data.Length || filled == count)
            {
                break; // the stream ended, or all the claimed bytes are in
            }

            Array.Resize(ref data, (int)Math.Min(2L * data.Length, count));
        }

        if (filled < count)
        {
            throw source.Error(DescribeLengthMismatch(dimensions, headerLength, count, filled, atLeast: false));
        }

        long extra = source.CountRemaining(MaxTrailingBytesCounted);
        if (extra > 0)
        {
            throw source.Error(DescribeLengthMismatch(dimensions, headerLength, count, count + extra, atLeast: extra >= MaxTrailingBytesCounted));
        }

        return new IdxArray(dimensions, data, source.Name);
    }

    /// <summary>
    /// Refuses bytes after the last gzip member. The decompressor stops silently at bytes that do not
    /// start another member, and it reads ahead, so the end of the last member is found from its
    /// 8-byte trailer: the CRC-32 and the length of the data it held, which must end the bytes read.
    /// </summary>
    private static void CheckNothingFollowsTheGzipData(RecordingStream compressed, IdxArray array)
    {
        long after = compressed.CountUnread(MaxTrailingBytesCounted);
        long total = compressed.Pulled + after;
        // The members hold the whole IDX file: its header, rebuilt here, then the data.
        ReadOnlySpan<byte> data = array.Data.Span;
        byte[] header = new byte[array.DataOffset];
        header[2] = UnsignedByteType;
        header[3] = (byte)array.Rank;
        for (int i = 0; i < array.Rank; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), array.Dimensions[i]);
        }

        long decompressed = header.Length + (long)data.Length;
        ReadOnlySpan<byte> tail = compressed.Tail;
        long tailStart = compressed.Pulled - tail.Length;

        // Scan back from the end for the trailer of the last member that held data: its ISIZE (the last
        // 4 bytes) says how many of the last data bytes it held, and its CRC-32 must be theirs. The
        // work is bounded: past the budget the bytes are refused as trailing data all the same.
        int end = -1;
        long budget = Math.Max(4L * decompressed, 1 << 20);
        var crcs = new Dictionary<uint, uint>(); // CRC-32 of the last ISIZE data bytes, by ISIZE
        for (int candidate = tail.Length; candidate >= 8 && budget > 0; candidate--)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(candidate - 4, 4));
            if (size == 0 || size > decompressed)
            {
                continue;
            }

            if (!crcs.TryGetValue(size, out uint crc))
            {
                // The CRC-32 of the last `size` bytes of header + data.
                long inHeader = size - (long)data.Length;
                crc = inHeader > 0
                    ? Crc32.Compute(data, Crc32.Compute(header.AsSpan(header.Length - (int)inHeader)))
                    : Crc32.Compute(data[(data.Length - (int)size)..]);
                crcs[size] = crc;
                budget -= size;
            }

            if (crc == BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(candidate - 8, 4)))
            {
                end = candidate;
                break;
            }
        }

        // Only empty members may follow it.
        int garbage = end;
        while (end >= 0 && after == 0 && garbage < tail.Length && EmptyMemberLength(tail[garbage..]) is int length)
        {
            garbage += length;
        }

        if (end >= 0 && after == 0 && garbage == tail.Length)
        {
            return;
        }

        long start = end >= 0 ? tailStart + garbage : -1;
        string count = after >= MaxTrailingBytesCounted ? "at least " : "";
        string what = start >= 0
            ? $"{count}{total - start} bytes after the end of the gzip data, at byte offset {start} of the file"
            : $"{count}bytes after the end of the gzip data, which ends before byte offset {total} of the file";
        throw new InvalidDataException(
            $"IDX file '{array.SourceName}' (gzip-compressed): trailing data: {what}; a gzip-compressed IDX file holds gzip members and nothing after them.");
    }

    /// <summary>The length of the gzip member holding no data that <paramref name="bytes"/> starts with, or null if it does not start with one.</summary>
    private static int? EmptyMemberLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || bytes[0] != 0x1F || bytes[1] != 0x8B || bytes[2] != 8 || (bytes[3] & 0xE0) != 0)
        {
            return null;
        }

        int flags = bytes[3], at = 10;
        if ((flags & 4) != 0)
        {
            if (bytes.Length < at + 2)
            {
                return null;
            }

            at += 2 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(at, 2)); // FEXTRA
        }

        for (int flag = 8; flag <= 16; flag *= 2)
        {
            if ((flags & flag) != 0)
            {
                int zero = at < bytes.Length ? bytes[at..].IndexOf((byte)0) : -1; // FNAME, FCOMMENT
                if (zero < 0)
                {
                    return null;
                }

                at += zero + 1;
            }
        }

        at += (flags & 2) != 0 ? 2 : 0; // FHCRC
        ReadOnlySpan<byte> zeros = [0, 0, 0, 0, 0, 0, 0, 0]; // CRC-32 and ISIZE of no data
        foreach (byte[] body in s_emptyDeflate)
        {
            if (at + body.Length + 8 <= bytes.Length && bytes.Slice(at, body.Length).SequenceEqual(body) && bytes.Slice(at + body.Length, 8).SequenceEqual(zeros))
            {
                return at + body.Length + 8;
            }
        }

        return null;
    }

    // The deflate data of no bytes: one final fixed-Huffman block with only its end code, or one final empty stored block.
    private static readonly byte[][] s_emptyDeflate = [[0x03, 0x00], [0x01, 0x00, 0x00, 0xFF, 0xFF]];

    private static string DescribeUnreadableType(byte type)
    {
        string? name = type switch
        {
            0x09 => "signed byte",
            0x0B => "16-bit integer",
            0x0C => "32-bit integer",
            0x0D => "32-bit float",
            0x0E => "64-bit float",
            _ => null,
        };
        return name is null
            ? $"unknown element type code 0x{type:X2} at byte offset 2; IDX defines 0x08, 0x09, 0x0B, 0x0C, 0x0D and 0x0E"
            : $"element type code 0x{type:X2} ({name}) at byte offset 2 is valid IDX but not supported; only 0x08 (unsigned byte) is";
    }

    private static string DescribeLengthMismatch(int[] dimensions, int headerLength, long expected, long found, bool atLeast)
    {
        string sizes = IdxArray.DescribeSizes(dimensions);
        return found < expected
            ? $"truncated: expected {expected} bytes of data after the {headerLength}-byte header {sizes}, found {found}; the data ends at byte offset {headerLength + found}"
            : $"trailing data: expected {expected} bytes of data after the {headerLength}-byte header {sizes}, found {(atLeast ? "at least " : "")}{found}; the {(atLeast ? "at least " : "")}{found - expected} extra bytes start at byte offset {headerLength + expected}";
    }

    /// <summary>The stream being parsed, its name and how many (decompressed) bytes were consumed.</summary>
    private sealed class Source(Stream stream, string name, bool compressed)
    {
        private long _position;

        public string Name => name;

        /// <summary>Whether the bytes come out of a gzip decompressor.</summary>
        public bool Compressed => compressed;

        /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
        public int Fill(Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int read;
                try
                {
                    read = stream.Read(buffer[total..]);
                }
                catch (InvalidDataException exception) when (compressed)
                {
                    // The decompressor's own message ("unsupported compression method") names no file.
                    throw Error($"the gzip data is damaged: decompression failed after {_position + total} decompressed bytes ({exception.Message})", exception);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            _position += total;
            return total;
        }

        /// <summary>Reads and counts what is left, stopping after <paramref name="limit"/> bytes.</summary>
        public long CountRemaining(int limit)
        {
            Span<byte> scratch = stackalloc byte[4096];
            long count = 0;
            while (count < limit)
            {
                int read = Fill(scratch[..(int)Math.Min(scratch.Length, limit - count)]);
                count += read;
                if (read == 0)
                {
                    break;
                }
            }

            return count;
        }

        public InvalidDataException Error(string what, Exception? inner = null)
        {
            string kind = compressed ? " (gzip-compressed; byte offsets count decompressed bytes)" : string.Empty;
            return new InvalidDataException($"IDX file '{name}'{kind}: {what}.", inner);
        }
    }

    /// <summary>A read-only pass-through that counts the bytes read from <c>inner</c> and keeps the last of them.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private const int TailSize = 1 << 17; // more than the decompressor reads ahead
        private byte[] _tail = new byte[256]; // grows with the bytes read, up to 2 * TailSize
        private int _tailLength;

        /// <summary>The bytes read through this stream.</summary>
        public long Pulled { get; private set; }

        /// <summary>The last bytes read through this stream, up to <see cref="TailSize"/> of them (or a little more).</summary>
        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, _tailLength);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        /// <summary>Reads and counts what <c>inner</c> still holds, without keeping it, stopping after <paramref name="limit"/> bytes.</summary>
        public long CountUnread(int limit)
        {
            byte[] scratch = new byte[4096];
            long count = 0;
            int read;
            while (count < limit && (read = inner.Read(scratch, 0, (int)Math.Min(scratch.Length, limit - count))) > 0)
            {
                count += read;
            }

            return count;
        }

        public override int Read(Span<byte> buffer)
        {
            int read = inner.Read(buffer);
            Pulled += read;
            ReadOnlySpan<byte> bytes = buffer[..read];
            if (_tailLength + bytes.Length > _tail.Length && _tail.Length < 2 * TailSize)
            {
                Array.Resize(ref _tail, (int)Math.Min(2L * TailSize, Math.Max(2L * _tail.Length, _tailLength + (long)bytes.Length)));
            }

            if (bytes.Length >= TailSize)
            {
                bytes[^TailSize..].CopyTo(_tail);
                _tailLength = TailSize;
            }
            else
            {
                if (_tailLength + bytes.Length > _tail.Length)
                {
                    int keep = TailSize - bytes.Length;
                    _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
                    _tailLength = keep;
                }

                bytes.CopyTo(_tail.AsSpan(_tailLength));
                _tailLength += bytes.Length;
            }

            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A read-only stream that returns a few bytes already taken from <c>inner</c>, then the rest of <c>inner</c>.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _prefixUsed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            if (_prefixUsed < prefix.Length)
            {
                int count = Math.Min(buffer.Length, prefix.Length - _prefixUsed);
                prefix.AsSpan(_prefixUsed, count).CopyTo(buffer);
                _prefixUsed += count;
                return count;
            }

            return inner.Read(buffer);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
