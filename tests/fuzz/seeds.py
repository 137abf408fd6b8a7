#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Write the seed corpus of fuzz_classify into the directory given.

Each seed is one selector byte (see fuzz_classify.c) then an Ethernet
frame: IPv4/IPv6, VLAN, TCP to 1883 with MQTT, UDP to 1884 with MQTT-SN.
"""
import os
import struct
import sys

def eth(ethertype, vlans=0):
    h = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02"
    for i in range(vlans):
        h += struct.pack(">HH", 0x88A8 if vlans == 2 and i == 0 else 0x8100, 100 + i)
    return h + struct.pack(">H", ethertype)

def ipv4(proto, l4, dscp=0, opts=b""):
    hl = 20 + len(opts)
    return struct.pack(">BBHHHBBH4s4s", 0x40 | hl // 4, dscp << 2, hl + len(l4), 1, 0, 64,
                       proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + opts + l4

def ipv6(proto, l4, dscp=0, ext=b"", first=None):
    nh = first if first is not None else proto
    return struct.pack(">IHBB16s16s", (6 << 28) | (dscp << 22), len(ext) + len(l4), nh, 64,
                       b"\x20" + b"\0" * 15, b"\x20" + b"\0" * 14 + b"\x02") + ext + l4

def tcp(payload, dport=1883):
    return struct.pack(">HHIIBBHHH", 40000, dport, 1, 1, 5 << 4, 0x18, 65535, 0, 0) + payload

def udp(payload, dport=1884):
    return struct.pack(">HHHH", 40000, dport, 8 + len(payload), 0) + payload

MQTT = {
    "connect": b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00",
    "pub0": b"\x30\x0d\x00\x0bsensors/t/1",
    "pub1": b"\x32\x09\x00\x05alarm\x00\x01",
    "pub2": b"\x34\x09\x00\x05alarm\x00\x02",
    "coalesced": b"\x30\x03\x00\x01a\x34\x05\x00\x01b\x00\x02\xc0\x00",
    "puback5": b"\x40\x04\x00\x01\x10\x00",
    "pubrel": b"\x62\x02\x00\x01",
    "sub": b"\x82\x06\x00\x01\x00\x01a\x01",
    "auth": b"\xf0\x02\x18\x00",
    "rlmax": b"\x34\xff\xff\xff\x7f\x00\x01t\x00\x01",
    "rl5": b"\xc0\x00\x30\xff\xff\xff\xff\x7f",
    "qos3": b"\x36\x05\x00\x01t\x00\x01",
}
SN = {
    "snpub2": b"\x07\x0c\x40\x00\x01\x00\x02",
    "snpubm1": b"\x07\x0c\x60\x00\x01\x00\x02",
    "snlong": b"\x01\x00\x09\x0c\x20\x00\x01\x00\x02hi",
    "snencap": b"\x05\xfe\x01\xaa\xbb\x07\x0c\x40\x00\x01\x00\x02",
}

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for name, p in MQTT.items():
        seeds["v4_" + name] = bytes([0]) + eth(0x0800) + ipv4(6, tcp(p), dscp=46)
        seeds["v6_" + name] = bytes([2]) + eth(0x86DD, 1) + ipv6(6, tcp(p), dscp=10)
    ext = bytes([60, 1, 1, 12]) + b"\0" * 12 + bytes([44, 0, 0, 1]) + b"\0" * 4 + bytes([6, 0, 0, 1]) + b"\0" * 4
    seeds["v6_ext_frag"] = bytes([1]) + eth(0x86DD) + ipv6(6, tcp(MQTT["pub2"]), ext=ext, first=0)
    seeds["v4_opts_qinq"] = bytes([4]) + eth(0x0800, 2) + ipv4(6, tcp(MQTT["pub1"]), opts=b"\x01" * 8)
    for name, p in SN.items():
        seeds["v4_" + name] = bytes([1]) + eth(0x0800) + ipv4(17, udp(p))
    rule = bytes([0x0f, 0x00]) + b"\xff" * 8 + bytes([7, 0x1f, 0xf, 6, 0, 255, 200, 0, 8, 8, 10, 1, 1, 3])
    seeds["rules_from_input"] = bytes([3, 2]) + rule + rule + eth(0x0800) + ipv4(6, tcp(MQTT["pub1"]))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {out}")

if __name__ == "__main__":
    main()
