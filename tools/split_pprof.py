#!/usr/bin/env python3
"""Splits one pprof profile into a fleet: COUNT profiles of one program.

Every output keeps the input's tables (strings, functions, locations,
mappings) and every other field as they are, and gets every COUNT-th sample
(sample i goes to output i % COUNT), so the outputs are what instances of
one binary would write: the same functions and locations, different
samples. Merging them gives the input's top back, which is what a fleet
merge benchmark needs and what generating one profile per seed (a different
program each time) cannot give.

It reads the protobuf wire format of the top-level message only (a sample is
field 2 of profile.proto's Profile); nothing inside a field is decoded.

    split_pprof.py INPUT.pb.gz COUNT OUTDIR    writes OUTDIR/001.pb.gz ...
"""
import gzip
import os
import sys


def varint(buf, pos):
    """The varint at pos and the position after it."""
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def fields(buf):
    """(field number, the field's bytes as encoded, key included)."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            pos += n
        elif wire == 5:
            pos += 4
        else:
            raise ValueError("unsupported wire type %d at byte %d" % (wire, start))
        yield number, buf[start:pos]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    src, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(src, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    tables, samples = [], [[] for _ in range(count)]
    seen = 0
    for number, raw in fields(data):
        if number == 2:
            samples[seen % count].append(raw)
            seen += 1
        else:
            tables.append(raw)
    shared = b"".join(tables)
    os.makedirs(out, exist_ok=True)
    for i, own in enumerate(samples):
        name = os.path.join(out, "%03d.pb.gz" % (i + 1))
        with open(name + ".tmp", "wb") as f:
            f.write(gzip.compress(shared + b"".join(own), compresslevel=6, mtime=0))
        os.replace(name + ".tmp", name)
    print("split %d samples of %s into %d profiles in %s" % (seen, src, count, out))


if __name__ == "__main__":
    main()
