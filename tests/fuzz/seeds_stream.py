#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Write the seed corpus of fuzz_stream into the directory given.

The soundness mode's input (see fuzz_stream.c): mode 0, packet count - 1,
the ISN (4 bytes), the packets, then (op, length) pairs for the segments.
"""
import os
import sys

def pub(qos, tl, plen, seed):
    sel = {0: 3, 1: 9, 2: 16}[qos]
    b = bytes([sel, tl, plen >> 4, plen & 0xf]) + b"\x01" * tl
    if qos:
        b += b"\x05"
    return b + bytes([seed])

PINGREQ, PUBREL = b"\x00", b"\x02"
PUBACK = b"\x01\x07"

def seg(size, kind=0, arg=0):
    """kind 0: in order, 1: back, 2: ahead, 3: in order, pointer kept."""
    v = size - 1
    return bytes([kind << 6 | (v & 0xf) if kind in (0, 3) else kind << 6 | arg, v >> 4])

def stream(isn):
    pk = [pub(0, 5, 2000, 1), PINGREQ, pub(2, 3, 10, 2), PUBACK, pub(1, 4, 500, 3),
          pub(2, 2, 0, 4), PUBREL, pub(0, 6, 3000, 5), pub(2, 1, 20, 6)]
    return bytes([0, len(pk) - 1]) + isn + b"".join(pk)

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "in_order": stream(b"\x00\x00\x10\x00") + seg(700) * 10,
        "wrap": stream(b"\xff\xff\xfc\x00") + seg(1448) * 6,
        "small_segs": stream(b"\x12\x34\x56\x78") + seg(3) * 40 + seg(100) * 60,
        "reorder": stream(b"\x00\x00\x00\x01") + seg(700) + seg(700, 2, 1) + seg(700) + seg(700, 1, 9) +
                   seg(700) * 8,
        "retransmit": stream(b"\x00\x00\x00\x01") + (seg(900, 3) + seg(1200)) * 6,
        "robust": bytes([1, 3, 10, 0, 0, 0, 0x30, 0x05, 0, 1, 0x74, 0, 1, 0, 4, 0xc0, 0, 0xc0, 0]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

if __name__ == "__main__":
    main()
