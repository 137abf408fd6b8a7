#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""MQOS_CMD_HOOK_SET requests that mqosctl would never send, straight over
generic netlink: each must be refused with the right errno and an extack
message naming the attribute. Prints "ok"/"FAIL" per case; exit 0 if all ok."""
import sys

from mqos_nl import attr, nest, open_family, run_cases, u8, u32, u64

MQOS_CMD_HOOK_SET, MQOS_A_HOOK = 14, 20
HOOK_ENABLED, HOOK_MODE, HOOK_MASK, HOOK_CLASS, HOOK_CONNTRACK = 2, 3, 4, 5, 8
HOOK_DECAY, HOOK_DECAYED = 13, 14
CLASS_ID, CLASS_REMARK, CLASS_RATE, CLASS_BURST = 2, 3, 4, 5

s, fam = open_family()
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
    ("police burst above 1 MiB", nest(MQOS_A_HOOK, nest(HOOK_CLASS, attr(CLASS_ID, u8(2)),
                                                        attr(CLASS_RATE, u64(125000)),
                                                        attr(CLASS_BURST, u32((1 << 20) + 1)))),
     -34, "BURST"),
    ("no HOOK", b"", -22, "HOOK"),
    ("decay above a week", nest(MQOS_A_HOOK, attr(HOOK_DECAY, u32(604801))), -34, ""),
    # The default mask has no bits for the class's age.
    ("decay, 5-bit mask", nest(MQOS_A_HOOK, attr(HOOK_DECAY, u32(60))), -22, "DECAY"),
    ("decay, 7-bit mask", nest(MQOS_A_HOOK, attr(HOOK_MASK, u32(0x7f0000)),
                               attr(HOOK_DECAY, u32(60))), -22, "DECAY"),
    ("GET-only DECAYED", nest(MQOS_A_HOOK, attr(HOOK_DECAYED, u64(1))), -22, ""),
    # A bad class after a good change: nothing of the request is applied.
    ("atomic", nest(MQOS_A_HOOK, attr(HOOK_MASK, u32(0x3e0)),
                    nest(HOOK_CLASS, attr(CLASS_ID, u8(2)), attr(CLASS_REMARK, u8(99)))), -34, "REMARK"),
]
sys.exit(1 if run_cases(s, fam, MQOS_CMD_HOOK_SET, cases) else 0)
