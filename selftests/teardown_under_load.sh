#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replace and delete the mqos qdisc and unload the module while traffic is
# flowing through the gateway; the run fails on any kernel splat (vm-run
# checks the log), and traffic must keep flowing afterwards.
. "$(dirname "$0")/lib.sh"

ktap_plan 6
require_root
require_cmd tc ip ping iperf3
trap topo_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos

bg n_rcv iperf3 -s -1 -p 5201 >/dev/null 2>&1
wait_for 50 n_rcv sh -c "ss -ltn | grep -q ':5201'"
bg n_snd iperf3 -c $RCV_IP -p 5201 -t 30 -J >/dev/null 2>&1
bg n_snd ping -q -i 0.01 -s 1000 $RCV_IP >/dev/null 2>&1
bg n_snd ping -6 -q -i 0.01 $RCV_IP6 >/dev/null 2>&1

# Wait until the qdisc really sees traffic.
busy() { [ "$(tc_stat "$NS_GW" g1 qdisc 1: pkts)" -gt 500 ]; }
ktap_check "traffic flows through mqos" wait_for 200 busy

fails=0
for ((i = 0; i < 10; i++)); do
	n_gw tc qdisc replace dev g1 root handle 1: mqos || fails=$((fails + 1))
	n_gw tc qdisc del dev g1 root || fails=$((fails + 1))
	n_gw tc qdisc add dev g1 root handle 1: mqos || fails=$((fails + 1))
done
ktap_result "10 replace/del/add cycles under load" $fails

if rmmod mqos 2>/dev/null; then
	ktap_fail "rmmod refused while in use"
else
	ktap_ok "rmmod refused while in use"
fi

n_gw ip link set g1 down; n_gw ip link set g1 up
n_gw tc qdisc del dev g1 root
wait_for 100 mqos_idle
ktap_check "rmmod under load after tc qdisc del" rmmod mqos

ktap_check "traffic still flows after unload" n_snd ping -q -c 3 -i 0.2 -W 2 $RCV_IP

mqos_load
n_gw tc qdisc add dev g1 root handle 1: mqos
# Deleting the namespace with a live qdisc under traffic frees it all.
ip netns del "$NS_GW"
ktap_check "netns deleted with a live qdisc: module refcount returns to 0" \
	wait_for 100 mqos_idle
rmmod mqos 2>/dev/null
ktap_finish
