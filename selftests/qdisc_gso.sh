#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GSO: TCP through the gateway arrives at mqos as GRO/GSO super-packets
# (veth offloads on); mqos splits them at enqueue, so every packet it
# queues and counts is at most one MTU frame, and the qdisc's parents see
# consistent counters.
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 3
require_root
require_cmd tc ip iperf3
trap mq_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos

bg n_rcv iperf3 -s -1 -p 5201
wait_for 50 n_rcv sh -c "ss -ltn | grep -q 5201"
out=$(n_snd iperf3 -J -c $RCV_IP -p 5201 -t 3 2>&1)
bps=$(printf '%s' "$out" | awk -F: '/"bits_per_second"/ { v = $2 } END { gsub(/[ ,]/, "", v); print v + 0 }')
diag "TCP goodput $bps bit/s"
ktap_result "TCP crosses mqos ($bps bit/s)" \
	$(awk -v b="$bps" 'BEGIN { exit !(b > 1000000) }'; echo $?)

pk=$(tc_stat "$NS_GW" g1 qdisc 1: pkts)
by=$(tc_stat "$NS_GW" g1 qdisc 1: bytes)
gso=$(n_gw ethtool -k g1 2>/dev/null | awk '/generic-segmentation-offload:/ { print $2 }')
diag "qdisc sent $by bytes in $pk packets (g1 GSO ${gso:-unknown})"
ktap_result "every packet mqos sent is at most one 1514-byte frame (mean $((by / (pk ? pk : 1))))" \
	$(n_gw tc -s class show dev g1 | awk '/Sent/ && $4 > 0 && $2 / $4 > 1514 { bad = 1 } END { exit bad }' &&
	  [ "$pk" -gt 0 ] && [ $((by / pk)) -le 1514 ]; echo $?)
ktap_result "classes sum to the qdisc after splitting ($(mq_sum_classes) == $pk)" \
	$([ "$(mq_sum_classes)" = "$pk" ]; echo $?)
ktap_finish
