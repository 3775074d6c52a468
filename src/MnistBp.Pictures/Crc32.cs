// Crc32: the CRC-32 every PNG chunk ends with (ISO 3309 / ITU-T V.42, the polynomial 0xEDB88320 in
// its reflected form), written out so that a reader sees the whole PNG format in this folder. A
// table of 256 entries, built once; one table lookup per byte.
namespace MnistBp.Pictures;

/// <summary>CRC-32 as PNG, zlib and gzip define it.</summary>
internal static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>, continuing from <paramref name="crc"/> (0 to start).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="crc">A CRC returned by an earlier call over the bytes before, or 0.</param>
    /// <returns>The CRC of everything so far.</returns>
    public static uint Compute(ReadOnlySpan<byte> data, uint crc = 0)
    {
        // The register starts at all ones and is inverted at the end, so the running value is kept inverted between calls.
        uint c = ~crc;
        foreach (byte b in data)
        {
            c = s_table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                // Divide by the reflected polynomial one bit at a time.
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
