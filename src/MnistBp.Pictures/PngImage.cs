// PngImage: an image in memory, 8-bit grey or 8-bit RGBA, and its PNG encoding. A PNG file is the
// 8-byte signature, then chunks (length, type, data, CRC-32): IHDR with the size and pixel format,
// IDAT with the pixel rows zlib-compressed (each row led by filter byte 0, "none"), IEND. zlib comes
// from System.IO.Compression; the CRC is src/MnistBp/Crc32.cs. No palette, no interlacing, no other filters.
using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistBp.Pictures;

/// <summary>The pixel formats <see cref="PngImage"/> writes.</summary>
public enum PngFormat
{
    /// <summary>One byte per pixel: 0 black to 255 white (PNG colour type 0).</summary>
    Grey,

    /// <summary>Four bytes per pixel: red, green, blue, alpha (PNG colour type 6).</summary>
    Rgba,
}

/// <summary>A width x height image of 8-bit grey or RGBA pixels that saves itself as PNG.</summary>
public sealed class PngImage
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The largest width or height accepted: keeps one image well below 2 GB.</summary>
    public const int MaxSize = 16384;

    private readonly byte[] _pixels;

    /// <summary>Creates an image with every byte 0 (black; transparent black for RGBA).</summary>
    /// <param name="width">Pixels per row, 1 to <see cref="MaxSize"/>.</param>
    /// <param name="height">Rows, 1 to <see cref="MaxSize"/>.</param>
    /// <param name="format">Grey or RGBA.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside 1..<see cref="MaxSize"/>, or the format is unknown.</exception>
    public PngImage(int width, int height, PngFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxSize);
        if (format is not (PngFormat.Grey or PngFormat.Rgba))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown PngFormat.");
        }

        Width = width;
        Height = height;
        Format = format;
        _pixels = new byte[(long)width * height * BytesPerPixel];
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Grey or RGBA.</summary>
    public PngFormat Format { get; }

    /// <summary>1 for grey, 4 for RGBA.</summary>
    public int BytesPerPixel => Format == PngFormat.Grey ? 1 : 4;

    /// <summary>The pixel bytes, row by row from the top, left to right; writes change the image.</summary>
    public Span<byte> Pixels => _pixels;

    /// <summary>Sets the grey value of pixel (x, y), counted from the top left.</summary>
    /// <param name="x">Column, 0 to <see cref="Width"/> - 1.</param>
    /// <param name="y">Row, 0 to <see cref="Height"/> - 1.</param>
    /// <param name="grey">0 black to 255 white.</param>
    /// <exception cref="InvalidOperationException">The image is RGBA.</exception>
    public void SetGrey(int x, int y, byte grey)
    {
        if (Format != PngFormat.Grey)
        {
            throw new InvalidOperationException("SetGrey on an RGBA image; use SetRgba.");
        }

        _pixels[Offset(x, y)] = grey;
    }

    /// <summary>Sets the colour of pixel (x, y), counted from the top left.</summary>
    /// <param name="x">Column, 0 to <see cref="Width"/> - 1.</param>
    /// <param name="y">Row, 0 to <see cref="Height"/> - 1.</param>
    /// <param name="red">Red, 0 to 255.</param>
    /// <param name="green">Green, 0 to 255.</param>
    /// <param name="blue">Blue, 0 to 255.</param>
    /// <param name="alpha">Opacity, 0 transparent to 255 opaque.</param>
    /// <exception cref="InvalidOperationException">The image is grey.</exception>
    public void SetRgba(int x, int y, byte red, byte green, byte blue, byte alpha = 255)
    {
        if (Format != PngFormat.Rgba)
        {
            throw new InvalidOperationException("SetRgba on a grey image; use SetGrey.");
        }

        int offset = Offset(x, y);
        _pixels[offset] = red;
        _pixels[offset + 1] = green;
        _pixels[offset + 2] = blue;
        _pixels[offset + 3] = alpha;
    }

    /// <summary>The image as the bytes of a PNG file.</summary>
    /// <returns>A complete PNG file.</returns>
    public byte[] ToPng()
    {
        using var file = new MemoryStream();
        file.Write(Signature);

        // IHDR: width, height, bit depth 8, colour type (0 grey, 6 RGBA), compression 0, filter 0, interlace 0.
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], Height);
        header[8] = 8;
        header[9] = Format == PngFormat.Grey ? (byte)0 : (byte)6;
        header[10] = header[11] = header[12] = 0;
        WriteChunk(file, "IHDR"u8, header);

        // IDAT: every row led by its filter type, 0 ("none"), the whole zlib-compressed.
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            int rowBytes = Width * BytesPerPixel;
            for (int y = 0; y < Height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(_pixels, y * rowBytes, rowBytes);
            }
        }

        WriteChunk(file, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    /// <summary>Writes the image to <paramref name="path"/> as PNG, replacing any file there.</summary>
    /// <param name="path">The file to write, such as <c>digits.png</c>.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToPng());
    }

    private int Offset(int x, int y)
    {
        if ((uint)x >= (uint)Width)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, $"x must be from 0 to {Width - 1}.");
        }

        if ((uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(y), y, $"y must be from 0 to {Height - 1}.");
        }

        return ((y * Width) + x) * BytesPerPixel;
    }

    /// <summary>One chunk: data length (big-endian), the 4-letter type, the data, CRC-32 of type and data.</summary>
    private static void WriteChunk(Stream file, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        file.Write(type);
        file.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(data, Crc32.Compute(type)));
        file.Write(word);
    }
}
