#!/usr/bin/env python3
"""bomb_chunk.py BYTES: writes to stdout the uncompressed body of a dump
chunk (dumpfmt/SPEC.md) of one row of one text column whose value is
BYTES bytes of 'a': pipe it through zstd and it compresses to a few
kilobytes (a decompression bomb, for tests that a loader stops it)."""
import sys


def uvarint(n):
    b = bytearray()
    while True:
        x = n & 0x7f
        n >>= 7
        if n:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)


n = int(sys.argv[1])
out = sys.stdout.buffer
out.write(b"DBMIGCK1" + uvarint(1) + b"\x01\x01" + uvarint(n))
block = b"a" * (1 << 20)
for _ in range(n >> 20):
    out.write(block)
out.write(b"a" * (n & ((1 << 20) - 1)))
out.write(b"\x00" + uvarint(1))
