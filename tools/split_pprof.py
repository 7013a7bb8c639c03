#!/usr/bin/env python3
"""Splits one pprof profile into a fleet: COUNT profiles of one program.

Output i gets every COUNT-th sample (sample j goes to output j % COUNT),
so the outputs are what instances of one binary would write: the same
program, different samples. Merging them gives the input's top back, which
is what a fleet merge benchmark needs and what generating one profile per
seed (a different program each time) cannot give.

Each output holds what a Go instance's own profile would hold
(runtime/pprof's profileBuilder): only the locations and functions its
samples use, numbered from 1 in the order its samples first reach them,
and a string table of only the strings it uses, in the order of first use.
Every mapping and header field is kept (an instance lists all of its
mappings). So every instance has its own ids and order, as in a real
fleet, and no two files share their tables byte for byte.

It reads the protobuf wire format of profile.proto directly (no protobuf
library: the tool must run with a bare python3).

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


def enc(v):
    """v as a varint (negative int64s as ten bytes, as protobuf does)."""
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def fields(buf):
    """(field number, wire type, value): an int for varints, else bytes."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d at byte %d" % (wire, start))
        yield number, wire, value


def ints(wire, value):
    """The integers of a repeated varint field, packed or not."""
    if wire == 0:
        return [value]
    out, pos = [], 0
    while pos < len(value):
        v, pos = varint(value, pos)
        out.append(v)
    return out


def rewrite(buf, remap):
    """buf with the varint fields named in remap (number -> function of the
    value, packed or not) passed through it; other fields as they are."""
    out = bytearray()
    for number, wire, value in fields(buf):
        f = remap.get(number)
        if f is None:
            out += enc(number << 3 | wire)
            if wire == 0:
                out += enc(value)
            elif wire == 2:
                out += enc(len(value)) + value
            else:
                out += value
        elif wire == 0:
            out += enc(number << 3) + enc(f(value))
        elif wire == 2 and isinstance(f, tuple):
            # A submessage rewritten by its own table.
            body = rewrite(value, f[0])
            out += enc(number << 3 | 2) + enc(len(body)) + body
        else:
            body = b"".join(enc(f(v)) for v in ints(wire, value))
            out += enc(number << 3 | 2) + enc(len(body)) + body
    return bytes(out)


def field(number, body):
    return enc(number << 3 | 2) + enc(len(body)) + body


# profile.proto field numbers.
P_SAMPLE_TYPE, P_SAMPLE, P_MAPPING, P_LOCATION, P_FUNCTION, P_STRING = 1, 2, 3, 4, 5, 6
P_DROP, P_KEEP, P_PERIOD_TYPE, P_COMMENT, P_DEFAULT_TYPE, P_DOC_URL = 7, 8, 11, 13, 14, 15


def split(data, count):
    """The COUNT profiles' uncompressed bytes and a line of figures."""
    strings, samples, mappings, header = [], [], [], []
    locations, functions = {}, {}
    for number, wire, value in fields(data):
        if number == P_STRING:
            strings.append(value)
        elif number == P_SAMPLE:
            samples.append(value)
        elif number == P_LOCATION:
            locations[dict((n, v) for n, _, v in fields(value) if n == 1).get(1, 0)] = value
        elif number == P_FUNCTION:
            functions[dict((n, v) for n, _, v in fields(value) if n == 1).get(1, 0)] = value
        elif number == P_MAPPING:
            mappings.append(value)
        else:
            header.append((number, wire, value))

    outs, used_locs, used_funcs = [], [], []
    for i in range(count):
        own_strings, string_id = [b""], {0: 0}
        loc_id, func_id = {}, {}
        loc_msgs, func_msgs = [], []

        def s(x):
            if x not in string_id:
                string_id[x] = len(own_strings)
                own_strings.append(strings[x])
            return string_id[x]

        def func(x):
            if x not in func_id:
                func_id[x] = len(func_id) + 1
                func_msgs.append(rewrite(functions[x], {1: lambda _: func_id[x], 2: s, 3: s, 4: s}))
            return func_id[x]

        def loc(x):
            if x not in loc_id:
                loc_id[x] = len(loc_id) + 1
                loc_msgs.append(rewrite(locations[x], {1: lambda _: loc_id[x], 4: ({1: func},)}))
            return loc_id[x]

        out = bytearray()
        for number, wire, value in header:
            if number == P_SAMPLE_TYPE:
                out += field(number, rewrite(value, {1: s, 2: s}))
        label = ({1: s, 2: s, 4: s},)
        for raw in samples[i::count]:
            out += field(P_SAMPLE, rewrite(raw, {1: loc, 3: label}))
        for m in loc_msgs:
            out += field(P_LOCATION, m)
        for m in func_msgs:
            out += field(P_FUNCTION, m)
        for m in mappings:
            out += field(P_MAPPING, rewrite(m, {5: s, 6: s}))
        tail = bytearray()
        for number, wire, value in header:
            if number == P_SAMPLE_TYPE:
                continue
            if number == P_PERIOD_TYPE:
                tail += field(number, rewrite(value, {1: s, 2: s}))
            elif number in (P_DROP, P_KEEP, P_DEFAULT_TYPE, P_DOC_URL):
                tail += enc(number << 3) + enc(s(value))
            elif number == P_COMMENT:
                tail += field(number, b"".join(enc(s(v)) for v in ints(wire, value)))
            else:
                tail += enc(number << 3 | wire) + (
                    enc(value) if wire == 0 else enc(len(value)) + value if wire == 2 else value)
        for x in own_strings:
            out += field(P_STRING, x)
        out += tail
        outs.append(bytes(out))
        used_locs.append(len(loc_id))
        used_funcs.append(len(func_id))
    figures = "%d samples; locations per file %d-%d (mean %d) of %d, functions %d-%d (mean %d) of %d" % (
        len(samples), min(used_locs), max(used_locs), sum(used_locs) // count, len(locations),
        min(used_funcs), max(used_funcs), sum(used_funcs) // count, len(functions))
    return outs, figures


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    src, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(src, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    profiles, figures = split(data, count)
    os.makedirs(out, exist_ok=True)
    for i, raw in enumerate(profiles):
        name = os.path.join(out, "%03d.pb.gz" % (i + 1))
        with open(name + ".tmp", "wb") as f:
            f.write(gzip.compress(raw, compresslevel=6, mtime=0))
        os.replace(name + ".tmp", name)
    print("split %s into %d profiles in %s: %s" % (src, count, out, figures))


if __name__ == "__main__":
    main()
