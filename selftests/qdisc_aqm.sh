#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Queue limit and AQM drop counters move when expected, and only then:
#   - no overload: no drops of any kind;
#   - small packet limit, AQM off: limit drops only;
#   - AQM on, ECN off: AQM drops only (the queue stays below the limit);
#   - AQM on, ECN on, ECT(0) traffic: ECN marks instead of AQM drops.
# The device is at 2 Mbit/s; UDP is offered at 0.5 Mbit/s (no overload),
# then at 4 Mbit/s.
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 5
require_root
require_cmd tc ip gcc
trap mq_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
topo_create || { ktap_fail "topology"; ktap_finish; }

out=$(mktemp)
n_gw tc qdisc add dev g1 root handle 1: mqos

counters() {
	echo "limit $(mq_xstat 4 drop_limit) aqm $(mq_xstat 4 drop_aqm) ecn $(mq_xstat 4 ecn_marks) policer $(mq_xstat 4 drop_policer)"
}

mq_change rate 2mbit
udp_flow 5001 500000 3 1000 0 "$out"
c=$(counters)
ktap_timing "under the rate: no drops, no marks ($c)" \
	$([ "$c" = "limit 0 aqm 0 ecn 0 policer 0" ]; echo $?)

mq_drain
mq_change reset class 4 limit 20 aqm 0 100000
udp_flow 5002 4000000 4 1000 0 "$out"
c=$(counters)
ktap_result "limit 20, AQM off: limit drops only ($c)" \
	$(set -- $c; [ "$2" -gt 0 ] && [ "$4" = 0 ] && [ "$6" = 0 ]; echo $?)

mq_drain
mq_change reset class 4 limit 1000 aqm 5000 100000 ecn 0
udp_flow 5003 4000000 4 1000 0 "$out"
c=$(counters)
ktap_result "AQM 5 ms / 100 ms, ECN off: AQM drops only ($c)" \
	$(set -- $c; [ "$2" = 0 ] && [ "$4" -gt 0 ] && [ "$6" = 0 ]; echo $?)

mq_drain
mq_change reset class 4 ecn 1
udp_flow 5004 4000000 4 1000 0x02 "$out"
c=$(counters)
ktap_result "AQM with ECN, ECT(0) traffic: marks, not AQM drops ($c)" \
	$(set -- $c; [ "$4" = 0 ] && [ "$6" -gt 0 ]; echo $?)

mq_drain
mq_change reset
udp_flow 5005 4000000 4 1000 0 "$out"
c=$(counters)
ktap_result "AQM with ECN, not-ECT traffic: AQM drops, no marks ($c)" \
	$(set -- $c; [ "$4" -gt 0 ] && [ "$6" = 0 ]; echo $?)
rm -f "$out"
ktap_finish
