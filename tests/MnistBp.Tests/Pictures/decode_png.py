#!/usr/bin/python3
"""An independent PNG decoder for the tests: Python's zlib and struct, nothing from MnistBp.

usage: decode_png.py FILE.png  ->  prints one JSON object: width, height, colour_type, bit_depth,
chunks (their types in order) and pixels (the unfiltered pixel bytes, hex). Exits 1 with a message
on anything it does not accept: a bad signature, a chunk CRC that does not match, an unknown
filter type, a size that does not fit the decompressed data. Handles all five PNG filter types,
so it does not depend on the writer using filter 0 only.
"""
import json
import struct
import sys
import zlib


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("bad signature")
    pos, chunks, idat, header = 8, [], b"", None
    while pos < len(data):
        if pos + 8 > len(data):
            fail("truncated chunk header at %d" % pos)
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            fail("CRC mismatch in chunk %r at %d" % (kind, pos))
        chunks.append(kind.decode("ascii"))
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
        if kind == b"IEND":
            break
    if pos != len(data):
        fail("%d bytes after IEND" % (len(data) - pos))
    if header is None:
        fail("no IHDR")
    width, height, depth, colour, compression, filtering, interlace = header
    if depth != 8 or colour not in (0, 6) or compression or filtering or interlace:
        fail("unsupported IHDR %r" % (header,))
    bpp = 1 if colour == 0 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        fail("decompressed %d bytes, expected %d" % (len(raw), height * (stride + 1)))
    pixels, previous = bytearray(), bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            if kind == 0:
                pass
            elif kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                row[i] = (row[i] + paeth(left, up, up_left)) & 0xFF
            else:
                fail("unknown filter type %d in row %d" % (kind, y))
        pixels += row
        previous = row
    print(json.dumps({"width": width, "height": height, "colour_type": colour, "bit_depth": depth,
                      "chunks": chunks, "pixels": pixels.hex()}))


if __name__ == "__main__":
    main(sys.argv[1])
