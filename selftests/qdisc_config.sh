#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mqos configuration and counters through rtnetlink: the default class set,
# changes applied and rejected (with an extack message naming the
# attribute), classes created and deleted, and counters that agree between
# tc -s class, tc -s qdisc, the nested stats and the receiver.
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 16
require_root
require_cmd tc ip ping gcc tcpdump
trap mq_cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos

names=$(mq_tc g1 stats | awk '$1 == "class" { for (i = 3; i < NF; i++) if ($i == "name") printf "%s:%s ", $2, $(i+1) }')
ktap_result "default classes: $names" \
	$([ "$names" = "1:control 2:realtime 3:assured 4:best-effort 5:bulk " ]; echo $?)
ncls=$(n_gw tc class show dev g1 | grep -c '^class mqos 1:')
ktap_result "tc class show lists the 5 classes ($ncls)" $([ "$ncls" = 5 ]; echo $?)

# Traffic by DSCP: CS0 -> 4, EF -> 2, CS6 -> 1, CS1 -> 5, AF11 -> 3.
# The gateway's own packets out of g1 (a stray ICMPv6 or ARP once made
# best-effort count 21) are captured and accounted for, not ignored: they
# are non-IP or DSCP 0, so they belong in best-effort.
N=20
cap=$(mktemp)
bg n_gw tcpdump -nn -p -U -Q out -i g1 -w "$cap" 'not (icmp and icmp[icmptype] == icmp-echo)' \
	2> /dev/null
tcpd=$!
wait_for 50 test -s "$cap"
for tos in 0x00 0xb8 0xc0 0x20 0x28; do
	n_snd ping -q -c $N -i 0.01 -Q $tos $RCV_IP > /dev/null 2>&1
done
sleep 0.5
kill -INT $tcpd 2>/dev/null
wait $tcpd 2>/dev/null
strays=$(tcpdump -nn -r "$cap" 2>/dev/null)
printf '%s\n' "$strays" | sed '/^$/d; s/^/# stray: /'
extra=$(printf '%s' "$strays" | grep -c .)
rm -f "$cap"
ok=0
for c in 1 2 3 4 5; do
	p=$(mq_class_pkts $c)
	want=$N
	[ $c = 4 ] && want=$((N + extra))
	[ "$p" = $want ] || { ok=1; diag "class 1:$c sent $p, want $want"; }
done
ktap_result "DSCP default map puts $N pings in each class (+$extra strays in 1:4)" $ok

qp=$(tc_stat "$NS_GW" g1 qdisc 1: pkts)
sum=$(mq_sum_classes)
ktap_result "tc -s class sum ($sum) == tc -s qdisc ($qp) == sent ($((5 * N)) + $extra)" \
	$([ "$sum" = "$qp" ] && [ "$qp" = $((5 * N + extra)) ]; echo $?)

xs=$(mq_xstat 2 sent_packets); xe=$(mq_xstat 2 enq_packets); xd=$(mq_xstat 2 delay_count)
xb=$(mq_xstat 2 sent_bytes); tb=$(mq_class_bytes 2)
ktap_result "nested stats agree with tc (sent $xs enq $xe delays $xd bytes $xb/$tb)" \
	$([ "$xs" = $N ] && [ "$xe" = $N ] && [ "$xd" = $N ] && [ "$xb" = "$tb" ]; echo $?)

# skb->priority override: skbedit priority 1:5 (before the qdisc, in
# clsact) puts EF pings in bulk.
if n_gw tc qdisc add dev g1 clsact 2>/dev/null &&
   n_gw tc filter add dev g1 egress protocol ip matchall action skbedit priority 1:5 2>/dev/null; then
	b0=$(mq_class_pkts 5); r0=$(mq_class_pkts 2)
	n_snd ping -q -c 5 -i 0.01 -Q 0xb8 $RCV_IP > /dev/null 2>&1
	b1=$(mq_class_pkts 5); r1=$(mq_class_pkts 2)
	ktap_result "skb->priority 1:5 overrides DSCP EF (bulk +$((b1 - b0)), realtime +$((r1 - r0)))" \
		$([ $((b1 - b0)) = 5 ] && [ "$r1" = "$r0" ]; echo $?)
	n_gw tc qdisc del dev g1 clsact
else
	ktap_skip "skb->priority override" "no clsact/matchall/skbedit"
fi
ktap_check "change: device rate, overhead, class 4 ceil, class 8 created" \
	mq_change rate 100mbit overhead 24 class 4 ceil 50mbit class 8 name video prio 2 rate 1mbit ceil 20mbit
ncls=$(n_gw tc class show dev g1 | grep -c '^class mqos 1:')
ktap_result "class 1:8 exists ($ncls classes)" $([ "$ncls" = 6 ]; echo $?)

bad() {
	local name=$1 want=$2 out
	shift 2
	out=$(mq_change "$@" 2>&1)
	if [ $? != 0 ] && printf '%s' "$out" | grep -q -- "$want"; then
		ktap_ok "rejects $name: $out"
	else
		ktap_fail "rejects $name (got: $out)"
	fi
}
bad "prio 9" "TCA_MQOS_CLASS_PRIO\|out of range\|Numerical result" class 4 prio 9
bad "ceil below rate" "TCA_MQOS_CLASS_CEIL" class 4 rate 2mbit ceil 1mbit
bad "demote to a missing class" "TCA_MQOS_CLASS_POLICE_DEMOTE" class 4 police 1mbit 10000 demote 12
bad "deleting the default class" "TCA_MQOS_DEFAULT_CLASS" class 4 delete
bad "unknown attribute" "nvalid\|nknown\|not supported" class 4 raw_u32 60 1

# A rejected change changed nothing: class 4 still has no policer, and the
# default class still exists.
ktap_result "rejected changes left the configuration alone" \
	$([ "$(n_gw tc class show dev g1 | grep -c '^class mqos 1:')" = 6 ]; echo $?)

ktap_check "class 8 deleted" mq_change class 8 delete
ktap_check "reset counters" sh -c "ip netns exec $NS_GW $MQ_BIN/mqos_tc g1 change reset && \
	[ \"\$(ip netns exec $NS_GW tc -s qdisc show dev g1 | awk '/Sent/ { print \$4; exit }')\" = 0 ]"
ktap_finish
