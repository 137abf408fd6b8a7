#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal generic netlink client (no pyroute2) that sends malformed
requests to the "mqos" family. Prints "errno <n> msg <extack>" per case."""
import os, socket, struct, sys

NETLINK_GENERIC, SOL_NETLINK, NETLINK_EXT_ACK = 16, 270, 11
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLA_F_NESTED = 1 << 15
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
MQOS_CMD_RULE_ADD, MQOS_CMD_CLASS_SET = 7, 4
MQOS_A_IFNAME, MQOS_A_CLASS, MQOS_A_RULE = 3, 5, 7
MQOS_RULE_A_PREF, MQOS_RULE_A_CLASS, MQOS_RULE_A_TOPIC = 2, 3, 7

def attr(t, payload):
    a = struct.pack("HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)

def raw_attr(t, declared_len, payload):
    """An attribute whose header lies about its length."""
    return struct.pack("HH", declared_len, t) + payload

def request(s, family, cmd, attrs, seq):
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK,
                       seq, 0) + body)
    while True:
        data = s.recv(65536)
        ln, typ, flags, _, _ = struct.unpack_from("IHHII", data)
        if typ == 2:  # NLMSG_ERROR
            err = struct.unpack_from("i", data, 16)[0]
            msg, off = "", 20
            inner = struct.unpack_from("I", data, off)[0]
            off += 16 if flags & 0x100 else inner
            while off + 4 <= ln:
                alen, atype = struct.unpack_from("HH", data, off)
                if alen < 4:
                    break
                if atype == 1:
                    msg = data[off + 4:off + alen].rstrip(b"\0").decode()
                off += (alen + 3) & ~3
            return err, msg
        if typ != 3:
            continue

def family_id(s):
    body = struct.pack("BBH", CTRL_CMD_GETFAMILY, 1, 0) + attr(CTRL_ATTR_FAMILY_NAME, b"mqos\0")
    s.send(struct.pack("IHHII", 16 + len(body), GENL_ID_CTRL, NLM_F_REQUEST, 1, 0) + body)
    data = s.recv(65536)
    off = 20
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("HH", data, off)
        if atype == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("H", data, off + 4)[0]
        off += (alen + 3) & ~3
    sys.exit("no mqos family")

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
s.bind((0, 0))
fam = family_id(s)
cls = attr(MQOS_RULE_A_CLASS, b"\x02")
cases = {
    # PREF is a u32: 2 bytes is truncated.
    "truncated": attr(MQOS_A_RULE | NLA_F_NESTED, attr(MQOS_RULE_A_PREF, b"\x05\x00") + cls),
    # CLASS is a u8: 8 bytes is oversized.
    "oversized": attr(MQOS_A_RULE | NLA_F_NESTED, attr(MQOS_RULE_A_CLASS, b"\x02" + b"\0" * 7)),
    # A topic prefix of 65 bytes (max 64): out of range (ERANGE).
    "toolong": attr(MQOS_A_RULE | NLA_F_NESTED, attr(MQOS_RULE_A_TOPIC, b"t" * 65) + cls),
    # An attribute header that claims more bytes than the message has.
    "overrun": raw_attr(MQOS_A_RULE | NLA_F_NESTED, 200, cls),
    # An attribute type the command does not take.
    "unknown": attr(MQOS_A_RULE | NLA_F_NESTED, cls) + attr(30, b"\0\0\0\0"),
}
for i, (name, a) in enumerate(cases.items()):
    err, msg = request(s, fam, MQOS_CMD_RULE_ADD, a, 10 + i)
    print(f"{name} errno {-err} msg {msg}")
