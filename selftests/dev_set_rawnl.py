#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Qdisc changes over generic netlink are refused: DEV_SET (and a
CONFIG_REPLACE that carries a device without CHECK) must fail with
EOPNOTSUPP and a message, for the device given as argv[1]. Prints
"<case> errno <n> msg <extack>" per case."""
import sys

from mqos_nl import attr, nest, open_family, request, u64

MQOS_CMD_DEV_SET, MQOS_CMD_CONFIG_REPLACE = 2, 10
MQOS_A_IFNAME, MQOS_A_QDISC, MQOS_A_DEVICE = 3, 4, 9
TCA_MQOS_RATE = 2

dev = sys.argv[1].encode() + b"\0"
qdisc = nest(MQOS_A_QDISC, attr(TCA_MQOS_RATE, u64(125000)))
s, fam = open_family()
cases = {
    "dev_set": (MQOS_CMD_DEV_SET, attr(MQOS_A_IFNAME, dev) + qdisc),
    "replace": (MQOS_CMD_CONFIG_REPLACE,
                nest(MQOS_A_DEVICE, attr(MQOS_A_IFNAME, dev), qdisc)),
}
for i, (name, (cmd, a)) in enumerate(cases.items()):
    err, msg = request(s, fam, cmd, a, 20 + i)
    print(f"{name} errno {-err} msg {msg}")
