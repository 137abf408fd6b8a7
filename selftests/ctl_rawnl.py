#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal generic netlink client (no pyroute2) that sends malformed
requests to the "mqos" family. Prints "errno <n> msg <extack>" per case."""
from mqos_nl import NLA_F_NESTED, attr, open_family, raw_attr, request

MQOS_CMD_RULE_ADD = 7
MQOS_A_RULE = 7
MQOS_RULE_A_PREF, MQOS_RULE_A_CLASS, MQOS_RULE_A_TOPIC = 2, 3, 7

s, fam = open_family()
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
