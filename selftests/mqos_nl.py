# SPDX-License-Identifier: GPL-2.0
"""Generic netlink plumbing for the raw "mqos" clients (ctl_rawnl.py,
hook_rawnl.py, ports_rawnl.py): requests mqosctl would never send, built
byte by byte, no pyroute2. Numbers are those of include/uapi/linux/mqos.h."""
import socket
import struct
import sys

NETLINK_GENERIC, SOL_NETLINK, NETLINK_EXT_ACK = 16, 270, 11
NLM_F_REQUEST, NLM_F_ACK, NLA_F_NESTED = 1, 4, 1 << 15
NLMSG_ERROR, NLM_F_CAPPED, NLMSGERR_ATTR_MSG = 2, 0x100, 1


def attr(t, payload):
    a = struct.pack("HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def raw_attr(t, declared_len, payload):
    """An attribute whose header lies about its length."""
    return struct.pack("HH", declared_len, t) + payload


def nest(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def u8(v):
    return struct.pack("B", v)


def u16(v):
    return struct.pack("H", v)


def u32(v):
    return struct.pack("I", v)


def u64(v):
    return struct.pack("Q", v)


def request(s, fam, cmd, attrs, seq):
    """Send one request with an ACK; return (errno <= 0, extack message)."""
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), fam, NLM_F_REQUEST | NLM_F_ACK,
                       seq, 0) + body)
    while True:
        data = s.recv(65536)
        ln, typ, flags, _, _ = struct.unpack_from("IHHII", data)
        if typ != NLMSG_ERROR:
            continue
        err = struct.unpack_from("i", data, 16)[0]
        msg, off = "", 20
        off += 16 if flags & NLM_F_CAPPED else struct.unpack_from("I", data, off)[0]
        while off + 4 <= ln:
            alen, atype = struct.unpack_from("HH", data, off)
            if alen < 4:
                break
            if atype == NLMSGERR_ATTR_MSG:
                msg = data[off + 4:off + alen].rstrip(b"\0").decode()
            off += (alen + 3) & ~3
        return err, msg


def family_id(s, name=b"mqos"):
    # CTRL_CMD_GETFAMILY (3) to GENL_ID_CTRL (0x10), CTRL_ATTR_FAMILY_NAME (2)
    body = struct.pack("BBH", 3, 1, 0) + attr(2, name + b"\0")
    s.send(struct.pack("IHHII", 16 + len(body), 0x10, NLM_F_REQUEST, 1, 0) + body)
    data = s.recv(65536)
    off = 20
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("HH", data, off)
        if atype == 1:  # CTRL_ATTR_FAMILY_ID
            return struct.unpack_from("H", data, off + 4)[0]
        off += (alen + 3) & ~3
    sys.exit("no mqos family")


def open_family():
    """A generic netlink socket with extended ACKs, and the family id."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.bind((0, 0))
    return s, family_id(s)


def run_cases(s, fam, cmd, cases):
    """cases: (name, attrs, errno wanted, word the extack must hold).
    Prints ok/FAIL per case; returns the number of failures."""
    bad = 0
    for i, (name, attrs, want, word) in enumerate(cases):
        err, msg = request(s, fam, cmd, attrs, 10 + i)
        ok = err == want and word in msg
        bad += not ok
        print("%s %s: errno %d msg '%s'" % ("ok" if ok else "FAIL", name, err, msg))
    return bad
