#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Convert recorded sensor data into aiot-sim's replay firmware format
(docs/sensor-uapi.md): a 40-byte little-endian header (magic "AISR",
version 1, header size, format, channels, width, height, rate, data size,
zlib crc32 of the data, reserved 0) followed by the samples.

  aiot-sensor-rec.py wav  IN.wav OUT.bin    16-bit PCM -> S16_LE mic
  aiot-sensor-rec.py bmp  IN.bmp OUT.bin    8-bit grayscale BMP -> U8 frame
  aiot-sensor-rec.py accel OUT.bin          a synthetic 3-axis "tap" at 100 Hz
"""
import math
import struct
import sys
import wave
import zlib

FMT_S16_LE, FMT_U8 = 1, 2


def write(out, fmt, channels, width, height, rate, data):
    hdr = struct.pack("<IHHIIIIIIII", 0x52534941, 1, 40, fmt, channels, width,
                      height, rate, len(data), zlib.crc32(data), 0)
    with open(out, "wb") as f:
        f.write(hdr + data)


def from_wav(src, out):
    with wave.open(src) as w:
        if w.getsampwidth() != 2:
            sys.exit(f"{src}: not 16-bit PCM")
        data = w.readframes(w.getnframes())
        write(out, FMT_S16_LE, w.getnchannels(), 1, 1, w.getframerate(), data)


def from_bmp(src, out):
    b = open(src, "rb").read()
    off, = struct.unpack_from("<I", b, 10)
    hsize, w, h, _, bpp, comp = struct.unpack_from("<IiiHHI", b, 14)
    if bpp != 8 or comp != 0:
        sys.exit(f"{src}: not an uncompressed 8-bit BMP")
    pal = b[14 + hsize:off]
    stride = (w + 3) & ~3
    rows = [b[off + r * stride:off + r * stride + w] for r in range(abs(h))]
    if h > 0:
        rows.reverse()  # bottom-up
    data = bytes(pal[4 * i] if 4 * i < len(pal) else i for row in rows for i in row)
    write(out, FMT_U8, 1, w, abs(h), 1, data)


def accel(out):
    rate, n = 100, 200
    data = bytearray()
    for i in range(n):
        tap = 12000 * math.exp(-(i % 100) / 5.0) if i % 100 < 30 else 0.0
        for v in (tap, 0.3 * tap, 4096 + 0.1 * tap):  # x, y, z (1 g on z)
            data += struct.pack("<h", int(round(v)))
    write(out, FMT_S16_LE, 3, 1, 1, rate, bytes(data))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "wav":
        from_wav(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "bmp":
        from_bmp(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "accel":
        accel(sys.argv[2])
    else:
        sys.exit(__doc__)
