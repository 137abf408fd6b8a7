#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Strict priority under load: with the device rate at 10 Mbit/s and UDP
# saturating best-effort (20 Mbit/s offered), EF pings (realtime class)
# stay near idle latency through mqos, while the same pings behind a FIFO
# shaped to the same rate (tbf) wait behind the whole queue. Asserts a
# generous ratio, not absolute times (the guest is TCG-emulated).
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 5
require_root
require_cmd tc ip ping gcc
trap mq_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
topo_create || { ktap_fail "topology"; ktap_finish; }

LOAD_S=12
# avg rtt (ms) of 40 EF pings sent while best-effort is saturated
ef_ping_under_load() {
	udp_bg 5001 20000000 $LOAD_S 1000 0
	sleep 3		# let the queue build
	n_snd ping -q -c 40 -i 0.1 -Q 0xb8 $RCV_IP 2>/dev/null |
		awk -F/ '/^rtt/ { print $5 }'
	wait	# for the load to end
}

idle=$(n_snd ping -q -c 20 -i 0.05 -Q 0xb8 $RCV_IP 2>/dev/null | awk -F/ '/^rtt/ { print $5 }')
diag "idle EF rtt avg ${idle} ms"

n_gw tc qdisc add dev g1 root handle 1: mqos
ktap_check "mqos device rate 10 Mbit/s" mq_change rate 10mbit
mq=$(ef_ping_under_load)
be=$(mq_class_bytes 4)
diag "mqos: EF rtt avg ${mq} ms under load; best-effort sent $be bytes"
ktap_timing "best-effort saturated the device ($be bytes >= 60% of ${LOAD_S}s x 10 Mbit/s)" \
	$(awk -v b="${be:-0}" -v s=$LOAD_S 'BEGIN { exit !(b >= 0.6 * s * 1250000) }'; echo $?)
drops=$(tc_stat "$NS_GW" g1 qdisc 1: drops)
ktap_timing "the overload was dropped in mqos ($drops drops)" $([ "${drops:-0}" -gt 0 ]; echo $?)
n_gw tc qdisc del dev g1 root

n_gw tc qdisc add dev g1 root handle 1: tbf rate 10mbit burst 5k limit 1000000
fifo=$(ef_ping_under_load)
diag "FIFO (tbf 10 Mbit/s): EF rtt avg ${fifo} ms under load"
n_gw tc qdisc del dev g1 root

ktap_timing "EF latency through mqos (${mq} ms) < 1/5 of the FIFO's (${fifo} ms)" \
	$(awk -v m="${mq:-1e9}" -v f="${fifo:-0}" 'BEGIN { exit !(m > 0 && m * 5 < f) }'; echo $?)
ktap_timing "EF latency through mqos (${mq} ms) within 20 ms of idle (${idle} ms)" \
	$(awk -v m="${mq:-1e9}" -v i="${idle:-0}" 'BEGIN { exit !(m < i + 20) }'; echo $?)
ktap_finish
