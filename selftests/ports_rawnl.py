#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""MQOS_CMD_PORTS_SET and CONFIG_REPLACE requests with port lists that
mqosctl would never send: each must be refused with the right errno and an
extack message naming the problem, and change nothing (ctl_ports.sh checks
`ports show` afterwards). Prints "ok"/"FAIL" per case; exit 0 if all ok."""
import sys

from mqos_nl import attr, nest, open_family, run_cases, u8, u16, u32

MQOS_CMD_CONFIG_REPLACE, MQOS_CMD_PORTS_SET = 10, 16
MQOS_A_RULE, MQOS_A_RULES, MQOS_A_PORTS = 7, 8, 21
PORTS_MQTT, PORTS_MQTTSN, PORTS_PORT = 1, 2, 3
RULE_CLASS, RULE_MQTT_QOS = 3, 5


def plist(t, *ports):
    return nest(t, *(attr(PORTS_PORT, u16(p)) for p in ports))


s, fam = open_family()
EINVAL, ERANGE, E2BIG = -22, -34, -7
cases = [
    ("no PORTS", b"", EINVAL, "PORTS"),
    ("port 0", nest(MQOS_A_PORTS, plist(PORTS_MQTT, 0)), ERANGE, ""),
    ("port as u32", nest(MQOS_A_PORTS, nest(PORTS_MQTT, attr(PORTS_PORT, u32(1885)))),
     EINVAL, ""),
    ("twice", nest(MQOS_A_PORTS, plist(PORTS_MQTT, 1885, 1885)), EINVAL, "twice"),
    ("five", nest(MQOS_A_PORTS, plist(PORTS_MQTTSN, 1, 2, 3, 4, 5)), E2BIG, "more than 4"),
    ("PORT outside a list", nest(MQOS_A_PORTS, attr(PORTS_PORT, u16(1885))), EINVAL,
     "belongs in"),
    ("a list inside a list", nest(MQOS_A_PORTS, nest(PORTS_MQTT, plist(PORTS_MQTT, 1885))),
     EINVAL, ""),
    ("unknown attribute", nest(MQOS_A_PORTS, attr(9, u16(1))), EINVAL, ""),
    # A good MQTT list with a bad MQTT-SN list: neither is applied.
    ("atomic", nest(MQOS_A_PORTS, plist(PORTS_MQTT, 1885), plist(PORTS_MQTTSN, 7, 7)),
     EINVAL, "twice"),
]
bad = run_cases(s, fam, MQOS_CMD_PORTS_SET, cases)
# CONFIG_REPLACE: good ports with a bad rule (class 0) -> nothing changes.
bad += run_cases(s, fam, MQOS_CMD_CONFIG_REPLACE, [
    ("replace: good ports, bad rule",
     nest(MQOS_A_PORTS, plist(PORTS_MQTT, 1885)) +
     nest(MQOS_A_RULES, nest(MQOS_A_RULE, attr(RULE_MQTT_QOS, u8(4)), attr(RULE_CLASS, u8(0)))),
     ERANGE, ""),
    ("replace: bad ports, good rule",
     nest(MQOS_A_PORTS, plist(PORTS_MQTT, 0)) +
     nest(MQOS_A_RULES, nest(MQOS_A_RULE, attr(RULE_MQTT_QOS, u8(4)), attr(RULE_CLASS, u8(2)))),
     ERANGE, ""),
])
sys.exit(1 if bad else 0)
