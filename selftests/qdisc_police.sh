#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policing: best-effort policed at 1 Mbit/s, burst 10 kB, offered 3 Mbit/s.
# About 1 Mbit/s passes and the rest is counted as policer drops; with
# "demote 5" the excess goes to bulk instead and nothing is lost.
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 9
require_root
require_cmd tc ip gcc
trap mq_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
topo_create || { ktap_fail "topology"; ktap_finish; }

SIZE=1000
SECS=8
TOL=15		# the policer's burst and the receiver's window
n_gw tc qdisc add dev g1 root handle 1: mqos
ktap_check "class 4 police 1 Mbit/s burst 10000" \
	mq_change class 4 police 1mbit 10000

out=$(mktemp)
udp_flow 5001 3000000 $SECS $SIZE 0 "$out"
sent=$(awk '/^sent/ { print $2 }' "$out")
rcvd=$(awk '/^recv/ { print $2 }' "$out")
rate=$(awk '/^recv/ { print $4 }' "$out")
pol=$(mq_xstat 4 drop_policer)
lim=$(mq_xstat 4 drop_limit)
want=$((1000000 * (SIZE + 28) / (SIZE + 42)))
diag "sent $sent, received $rcvd at $rate bit/s, policer drops $pol, limit drops $lim"
ktap_timing "about 1 Mbit/s passes ($rate bit/s, want $want +-$TOL%)" \
	$(within "${rate:-0}" "$want" $TOL; echo $?)
qs=$(tc_stat "$NS_GW" g1 qdisc 1: pkts)
ktap_result "the rest is policer drops: mqos sent + policer ($qs + $pol) == sent ($sent), no limit drops" \
	$([ $((qs + pol)) = "$sent" ] && [ "$lim" = 0 ]; echo $?)
# Beyond mqos, a starved TCG guest may lose a few in the veth backlog.
ktap_timing "the receiver got what mqos sent ($rcvd of $qs, >= 99%)" \
	$([ $((rcvd * 100)) -ge $((qs * 99)) ]; echo $?)
qd=$(tc_stat "$NS_GW" g1 qdisc 1: drops)
cd=$(tc_stat "$NS_GW" g1 class 1:4 drops)
ktap_result "tc -s drops agree (qdisc $qd, class 1:4 $cd, policer $pol)" \
	$([ "$qd" = "$pol" ] && [ "$cd" = "$pol" ]; echo $?)

mq_drain
ktap_check "class 4 police 1 Mbit/s burst 10000 demote 5" \
	mq_change reset class 4 police 1mbit 10000 demote 5
udp_flow 5002 3000000 $SECS $SIZE 0 "$out"
sent=$(awk '/^sent/ { print $2 }' "$out")
rcvd=$(awk '/^recv/ { print $2 }' "$out")
dem=$(mq_xstat 4 demoted)
pol=$(mq_xstat 4 drop_policer)
b=$(mq_xstat 5 enq_packets)
be=$(mq_xstat 4 enq_packets)
diag "sent $sent, received $rcvd, demoted $dem, best-effort enq $be, bulk enq $b, policer drops $pol"
ktap_result "demote: excess moved to bulk (demoted $dem == bulk enq $b > 0, be + bulk == sent)" \
	$([ "$dem" = "$b" ] && [ "$b" -gt 0 ] && [ $((be + b)) = "$sent" ] && [ "$pol" = 0 ]; echo $?)
qs=$(tc_stat "$NS_GW" g1 qdisc 1: pkts)
qd=$(tc_stat "$NS_GW" g1 qdisc 1: drops)
ktap_result "demote: mqos lost nothing (sent $qs of $sent, $qd drops)" \
	$([ "$qs" = "$sent" ] && [ "$qd" = 0 ]; echo $?)
# Beyond mqos, a starved TCG guest may lose a few in the veth backlog.
ktap_timing "demote: the receiver got what mqos sent ($rcvd of $qs, >= 99%)" \
	$([ $((rcvd * 100)) -ge $((qs * 99)) ]; echo $?)
rm -f "$out"
ktap_finish
