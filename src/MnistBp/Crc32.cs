// Crc32: the one CRC-32 of the project (ISO 3309 / ITU-T V.42, the reflected polynomial 0xEDB88320),
// the checksum gzip ends each member with and PNG ends each chunk with. The IDX reader uses it to find
// where gzip data ends; MnistBp.Pictures (through InternalsVisibleTo) to write PNG chunks. Eight tables
// of 256 entries: table k gives the CRC of a byte followed by k zero bytes, so the main loop takes 8
// bytes per step ("slicing by 8"); the first table alone is the classic byte-at-a-time one.
using System.Buffers.Binary;

namespace MnistBp;

/// <summary>CRC-32 as gzip, zlib and PNG define it.</summary>
internal static class Crc32
{
    private static readonly uint[] s_tables = CreateTables();

    /// <summary>The CRC-32 of <paramref name="bytes"/>, continuing from <paramref name="previous"/>.</summary>
    /// <param name="bytes">The bytes to add.</param>
    /// <param name="previous">The CRC-32 of the bytes before them; 0 for none.</param>
    /// <returns>The CRC-32 of everything so far.</returns>
    public static uint Compute(ReadOnlySpan<byte> bytes, uint previous = 0)
    {
        // The register starts at all ones and is inverted at the end, so a finished CRC is inverted back to continue.
        ReadOnlySpan<uint> t = s_tables;
        uint crc = ~previous;
        int i = 0;
        for (; i <= bytes.Length - 8; i += 8)
        {
            uint low = crc ^ BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(i, 4));
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(i + 4, 4));
            crc = t[(7 * 256) + (int)(low & 0xFF)] ^ t[(6 * 256) + (int)((low >> 8) & 0xFF)] ^ t[(5 * 256) + (int)((low >> 16) & 0xFF)] ^ t[(4 * 256) + (int)(low >> 24)]
                ^ t[(3 * 256) + (int)(high & 0xFF)] ^ t[(2 * 256) + (int)((high >> 8) & 0xFF)] ^ t[256 + (int)((high >> 16) & 0xFF)] ^ t[(int)(high >> 24)];
        }

        for (; i < bytes.Length; i++)
        {
            crc = t[(int)((crc ^ bytes[i]) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                // Divide by the reflected polynomial one bit at a time.
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            tables[n] = c;
        }

        for (int t = 1; t < 8; t++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[((t - 1) * 256) + n];
                tables[(t * 256) + n] = tables[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return tables;
    }
}
