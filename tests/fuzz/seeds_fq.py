#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Write the seed corpus of fuzz_fq into the directory given.

Each seed is a set-up byte then operations (see fuzz_fq.c): bulk and
sparse flows, a full set of queues, host isolation changed while queues
are busy, drops from the fattest queue, a reset.
"""
import os
import sys

FLOWS, SRC, DST, BOTH = range(4)

def setup(nflows_log, iso, quantum_n):
    return bytes([nflows_log | iso << 2 | quantum_n << 4])

def enq(flow, src, dst, length, scale=0, odd=None):
    arg = scale if odd is None else 0x10 | odd
    return bytes([arg << 3 | 0, flow, src | dst << 4, length])

def deq(aqm=0):
    return bytes([aqm << 3 | 3])

def drop_fat():
    return bytes([5])

def isolate(iso):
    return bytes([iso << 3 | 6])

def reset():
    return bytes([1 << 3 | 7])

def quantum(n):
    return bytes([(n & 0x1e) << 3 | 7])

def seeds():
    s = {}
    # Bulk flows and a sparse one, plain flow fairness, 64 queues.
    b = setup(3, FLOWS, 12)
    for r in range(6):
        for f in range(4):
            b += enq(f, 0, 0, 187, scale=1)
        b += enq(200, 0, 0, 10)
        b += deq() * 5
    s["bulk_sparse"] = b
    # Eight queues (one set): collisions, triple isolation, drops.
    b = setup(0, BOTH, 0)
    for f in range(12):
        b += enq(f * 21, f % 3, 5 + f % 2, 100 + f)
    b += drop_fat() + deq(1) + deq() + drop_fat()
    for f in range(12):
        b += enq(f * 21, f % 3, 5 + f % 2, 250, scale=2)
    b += deq() * 20
    s["one_set_triple"] = b
    # Host isolation changed while queues are busy, then drained.
    b = setup(2, SRC, 5)
    for f in range(16):
        b += enq(f, f % 2, 9, 200)
    b += deq() * 3 + isolate(BOTH) + deq() * 3
    for f in range(16):
        b += enq(f + 40, f % 4, f % 3, 90)
    b += isolate(DST) + deq(2) * 4 + isolate(FLOWS) + deq() * 4 + isolate(SRC)
    b += enq(1, 1, 1, 1) + deq() * 40
    s["isolation_busy"] = b
    # Odd hashes, huge packets, fattest drops, quantum change, reset.
    b = setup(1, DST, 15)
    for o in range(8):
        b += enq(0, o, o, 255, scale=3, odd=o)
    b += drop_fat() * 3 + quantum(2) + deq() * 3 + reset()
    b += enq(7, 0, 1, 20) + deq() + deq()
    s["odd_reset"] = b
    return s

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

if __name__ == "__main__":
    main()
