#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Write the seed corpus of fuzz_shaper into the directory given.

Each seed is a set-up byte then operations (see fuzz_shaper.c): shapers
under a backlog (one woken late), a policer's burst then its rate, the
AQM overloaded then idle in each mode, a histogram filled across its
buckets, and the edges: rates changed on live buckets, a maximal packet
at the minimum rate, counts near 2^32.
"""
import os
import struct
import sys

DECAY, CODEL = 0, 1
# fuzz_shaper.c's bytes: rates, depths, lengths, AQM times.
R_1K, R_1M, R_5M, R_100M, R_100G = 0xf2, 0xf5, 0xf6, 0xf8, 0xfc
D_2MS, D_10MS, D_1S, D_2H = 0x62, 0x71, 0x91, 0xc7
L_1000, L_1514, L_64K, L_MAX, L_HUGE = 0x7d, 0xe7, 0xed, 0xf6, 0xfe
T_5MS, I_100MS, I_10MS = 0x65, 0xa1, 0x81
NS, US, US50, MS, MS20, SEC, MIN, HOUR = range(8)
SOJ_US, SOJ_100US, SOJ_MS, SOJ_40MS = range(4)

def setup(start=2, mode=DECAY, shaper=1, policer=1):
    return bytes([start | mode << 3 | shaper << 4 | policer << 6])

def op(kind, arg=0, *rest):
    return bytes([arg << 4 | kind]) + bytes(rest)

def time(n, unit, odd=0):
    return op(0, unit | odd << 3, n)

def init(bucket, rate, depth, burst_bytes=False):
    return op(1, bucket | burst_bytes << 2, rate, depth)

def update(bucket, rate, depth):
    return op(2, bucket, rate, depth)

def send(shaper, length, late=None):
    arg = shaper if late is None else shaper | 2 | late << 2
    return op(3, arg, length)

def backlog(shaper, length, delay=0, count=3, late=False):
    return op(4, shaper | late << 1 | count << 2, length, delay)

def police(n, length, gap=0):
    return op(5, n - 1, length, gap)

def ingress(n, length):
    return op(6, n - 1, length)

def probe(bucket, length):
    return op(7, bucket) + struct.pack("<I", length)

def aqm(soj, unit, bl, near_mtu=False, again=False):
    return op(8, unit | near_mtu << 2 | again << 3, soj, bl)

def empty():
    return op(9)

def params(target, interval, mtu=4):
    return op(10, mtu, target, interval)

def mode(m):
    return op(11, m)

def law(count, interval):
    return op(12) + struct.pack("<I", count) + bytes([interval])

def hadd(v, shift=0):
    return op(13, shift) + struct.pack("<H", v)

def hreset():
    return op(14)

def pct(permille, nb=24):
    return op(15) + struct.pack("<H", permille) + bytes([nb])

def overload(n, soj=20, step=10):
    """n packets step ms apart, soj ms at the head, 64 KiB queued."""
    return (time(step, MS) + aqm(soj, SOJ_MS, 64)) * n

def seeds():
    s = {}
    # Shapers under a backlog: the class shaper at 5 Mbit/s, the device
    # shaper woken 5 ms late by its timer, a rate change while
    # backlogged, an hour idle, a maximal packet at 1 kbit/s rescaled.
    b = setup(start=2, shaper=1)
    b += init(0, R_5M, D_2MS) + backlog(0, L_1514, 0, 3)
    b += send(0, L_1514) + send(0, L_1000, late=3)
    b += backlog(1, L_1514, 50, 3, late=True)
    b += update(0, R_100M, D_2MS) + backlog(0, L_1514, 7, 2)
    b += update(1, R_1M, D_10MS) + backlog(1, L_64K, 2, 2, late=True)
    b += time(1, HOUR) + backlog(0, L_1514, 0, 2) + ingress(16, L_1514)
    b += update(1, R_1K, D_2H) + send(1, L_MAX) + probe(1, 0xffffffff)
    b += update(1, 0xf3, D_2H) + time(2, HOUR) + send(1, L_HUGE)
    b += update(1, 0, 0) + send(1, L_1514) + update(1, R_100G, D_1S)
    b += backlog(1, L_64K, 255, 3, late=True)
    s["shaper_backlog"] = b
    # Policer: a 10 kB burst at once, then 1000-byte packets at three
    # times the rate, the rate raised on the live bucket, huge packets.
    b = setup(start=3, policer=1)
    b += police(16, L_1000) + police(16, L_1000, 0xc0 | 10)
    b += police(16, L_1000, 0xc0 | 10) + police(16, L_1514, 0x80 | 63)
    b += update(2, R_100M, D_1S) + police(16, L_64K) + police(8, L_1514, 5)
    b += time(1, HOUR) + police(4, L_HUGE) + police(4, L_MAX)
    b += init(2, R_100G, 0x99, burst_bytes=True) + police(16, L_64K)
    b += update(2, 0, 0) + police(4, L_1514) + update(2, R_1K, D_2MS)
    b += police(4, 0x01) + time(30, SEC) + police(16, 0x01, 0xc0 | 63)
    s["policer_burst"] = b
    # AQM in each mode: 1.5 s above target, drops asked for again, the
    # queue empty, 2 s idle, below target, back above, an hour idle.
    for name, m in (("aqm_decay", DECAY), ("aqm_codel", CODEL)):
        b = setup(start=4, mode=m)
        b += overload(150)
        b += time(1, MS) + aqm(60, SOJ_MS, 200, again=True)
        b += aqm(20, SOJ_MS, 0, near_mtu=True) + empty() + time(2, SEC)
        b += (time(5, MS) + aqm(2, SOJ_MS, 64)) * 20
        b += overload(40, soj=30, step=5) + empty() + time(1, HOUR)
        b += overload(30)
        b += params(T_5MS, I_10MS, 6) + overload(20, step=1)
        b += law(0xffffffff, 0xe1) + law(2, 0x01)
        s[name] = b
    # Mode switches (each with a reset) in an overload, AQM off and on.
    b = setup(start=7, mode=CODEL)
    b += overload(30) + mode(DECAY) + overload(30) + mode(CODEL)
    b += params(0, I_100MS) + overload(5) + params(T_5MS, I_100MS)
    b += overload(20) + empty() + overload(20)
    s["aqm_modes"] = b
    # Histogram: samples from 0 to hours over every bucket, percentiles
    # of the whole and of fewer buckets, a reset, zeros only.
    b = setup(start=0)
    for sh in range(16):
        for v in (0, 1, 999, 1000, 1500, 40000):
            b += hadd(v, sh)
    b += pct(500) + pct(990) + pct(1000) + pct(2000) + pct(500, 7)
    b += pct(990, 0) + pct(1, 200)
    b += hreset() + hadd(0) * 5 + pct(990) + hadd(0xffff, 15) + pct(1000)
    s["hist_fill"] = b
    return s

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

if __name__ == "__main__":
    main()
