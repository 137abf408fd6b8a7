#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The gateway topology of lib.sh with mqos on the gateway's egress: traffic
# crosses it, and `tc -s` counts exactly the packets that were sent.
. "$(dirname "$0")/lib.sh"

ktap_plan 7
require_root
require_cmd tc ip ping
trap topo_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }

ktap_check "tc qdisc add dev g1 root mqos (no options)" \
	n_gw tc qdisc add dev g1 root handle 1: mqos
ktap_check "tc qdisc show lists mqos" \
	sh -c "ip netns exec $NS_GW tc qdisc show dev g1 | grep -q '^qdisc mqos 1: root'"

N=200
n_snd ping -q -c $N -i 0.002 -W 2 $RCV_IP > /tmp/ping4.$$ 2>&1
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/ping4.$$)
ktap_result "IPv4: $N echo requests cross the gateway (received ${rx:-0})" \
	$([ "${rx:-0}" = $N ]; echo $?)

n_snd ping -6 -q -c $N -i 0.002 -W 2 $RCV_IP6 > /tmp/ping6.$$ 2>&1
rx6=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/ping6.$$)
ktap_result "IPv6: $N echo requests cross the gateway (received ${rx6:-0})" \
	$([ "${rx6:-0}" = $N ]; echo $?)
rm -f /tmp/ping4.$$ /tmp/ping6.$$

# Exactly 2N packets left g1: N IPv4 + N IPv6 echo requests (static
# neighbours, no autoconf: nothing else is sent on g1).
pk=$(tc_stat "$NS_GW" g1 qdisc 1: pkts)
by=$(tc_stat "$NS_GW" g1 qdisc 1: bytes)
# ping payload 56: IPv4 14+20+8+56 = 98, IPv6 14+40+8+56 = 118 bytes.
want_by=$((N * 98 + N * 118))
ktap_result "tc -s qdisc: sent $pk pkts $by bytes == $((2 * N)) pkts $want_by bytes" \
	$([ "$pk" = $((2 * N)) ] && [ "$by" = $want_by ]; echo $?)

cls_sum=$(n_gw tc -s class show dev g1 | awk '/Sent/ { s += $4 } END { print s + 0 }')
ktap_result "tc -s class: classes sum to the qdisc total ($cls_sum == $pk)" \
	$([ "$cls_sum" = "$pk" ]; echo $?)

ktap_check "tc qdisc del dev g1 root" n_gw tc qdisc del dev g1 root
ktap_finish
