#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""MQOS_CMD_HOOK_SET requests that mqosctl would never send, straight over
generic netlink: each must be refused with the right errno and an extack
message naming the attribute. Prints "ok"/"FAIL" per case; exit 0 if all ok."""
import socket, struct, sys

NETLINK_GENERIC, SOL_NETLINK, NETLINK_EXT_ACK = 16, 270, 11
NLM_F_REQUEST, NLM_F_ACK, NLA_F_NESTED = 1, 4, 1 << 15
MQOS_CMD_HOOK_SET, MQOS_A_HOOK = 14, 20
HOOK_ENABLED, HOOK_MODE, HOOK_MASK, HOOK_CLASS, HOOK_CONNTRACK = 2, 3, 4, 5, 8
CLASS_ID, CLASS_REMARK, CLASS_RATE = 2, 3, 4


def attr(t, payload):
    a = struct.pack("HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def nest(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def request(s, fam, cmd, attrs, seq):
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), fam, NLM_F_REQUEST | NLM_F_ACK,
                       seq, 0) + body)
    while True:
        data = s.recv(65536)
        ln, typ, flags, _, _ = struct.unpack_from("IHHII", data)
        if typ != 2:
            continue
        err = struct.unpack_from("i", data, 16)[0]
        msg, off = "", 20
        off += 16 if flags & 0x100 else struct.unpack_from("I", data, off)[0]
        while off + 4 <= ln:
            alen, atype = struct.unpack_from("HH", data, off)
            if alen < 4:
                break
            if atype == 1:
                msg = data[off + 4:off + alen].rstrip(b"\0").decode()
            off += (alen + 3) & ~3
        return err, msg


def family_id(s):
    body = struct.pack("BBH", 3, 1, 0) + attr(2, b"mqos\0")
    s.send(struct.pack("IHHII", 16 + len(body), 0x10, NLM_F_REQUEST, 1, 0) + body)
    data = s.recv(65536)
    off = 20
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("HH", data, off)
        if atype == 1:
            return struct.unpack_from("H", data, off + 4)[0]
        off += (alen + 3) & ~3
    sys.exit("no mqos family")


s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
fam = family_id(s)
u8 = lambda v: struct.pack("B", v)
u32 = lambda v: struct.pack("I", v)
u64 = lambda v: struct.pack("Q", v)
cases = [
    ("mask not contiguous", nest(MQOS_A_HOOK, attr(HOOK_MASK, u32(0x2f))), -22, "MASK"),
    ("mask too narrow", nest(MQOS_A_HOOK, attr(HOOK_MASK, u32(0xf0))), -22, "MASK"),
    ("mode 2", nest(MQOS_A_HOOK, attr(HOOK_MODE, u8(2))), -34, ""),
    ("enabled 7", nest(MQOS_A_HOOK, attr(HOOK_ENABLED, u8(7))), -34, ""),
    ("GET-only CONNTRACK", nest(MQOS_A_HOOK, attr(HOOK_CONNTRACK, u8(1))), -22, ""),
    ("class without ID", nest(MQOS_A_HOOK, nest(HOOK_CLASS, attr(CLASS_REMARK, u8(46)))), -22, "ID"),
    ("class 17", nest(MQOS_A_HOOK, nest(HOOK_CLASS, attr(CLASS_ID, u8(17)))), -34, ""),
    ("remark 64", nest(MQOS_A_HOOK, nest(HOOK_CLASS, attr(CLASS_ID, u8(2)),
                                         attr(CLASS_REMARK, u8(64)))), -34, "REMARK"),
    ("police without burst", nest(MQOS_A_HOOK, nest(HOOK_CLASS, attr(CLASS_ID, u8(2)),
                                                    attr(CLASS_RATE, u64(125000)))), -22, "BURST"),
    ("no HOOK", b"", -22, "HOOK"),
    # A bad class after a good change: nothing of the request is applied.
    ("atomic", nest(MQOS_A_HOOK, attr(HOOK_MASK, u32(0x3e0)),
                    nest(HOOK_CLASS, attr(CLASS_ID, u8(2)), attr(CLASS_REMARK, u8(99)))), -34, "REMARK"),
]
bad = 0
for i, (name, attrs, want, word) in enumerate(cases):
    err, msg = request(s, fam, MQOS_CMD_HOOK_SET, attrs, 10 + i)
    ok = err == want and word in msg
    bad += not ok
    print("%s %s: errno %d msg '%s'" % ("ok" if ok else "FAIL", name, err, msg))
sys.exit(1 if bad else 0)
