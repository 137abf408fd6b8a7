#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The qdisc through rtnetlink alone, as tc drives it:
#   - options at creation (add, replace), refused as a whole when wrong;
#   - class add / change / delete (RTM_NEWTCLASS / RTM_DELTCLASS);
#   - every change notified: `tc monitor` sees each qdisc change and class
#     add / delete, with all 16 classes present;
#   - tc filters pick the class (over the DSCP map), an action can drop,
#     and a class a filter points at cannot be deleted.
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 9
require_root
require_cmd tc ip gcc
trap 'mq_cleanup; rm -f "$out" "$mon"' EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
topo_create || { ktap_fail "topology"; ktap_finish; }
out=$(mktemp)
mon=$(mktemp)

qdisc_line() { n_gw tc qdisc show dev g1 | head -n1; }
qstat() {
	n_gw "$MQ_BIN/mqos_tc" g1 stats | awk -v k="$1" '$1 == "qdisc" { for (i = 2; i < NF; i++) if ($i == k) print $(i+1) }'
}

# 1. Create with options; a bad option creates nothing.
err=$(n_gw "$MQ_BIN/mqos_tc" g1 add rate 8mbit class 4 flows 12 2>&1)
rc=$?
l1=$(qdisc_line)
n_gw "$MQ_BIN/mqos_tc" g1 add rate 8mbit class 4 flows 256 quantum 3000
rc2=$?
diag "bad create: rc $rc '$err'; then: $(qdisc_line)"
ktap_result "create with options: applied (rate $(qstat dev_rate) B/s, class 4 flows $(mq_xstat 4 flows)); a bad one is refused naming FLOWS and creates nothing" \
	$([ $rc != 0 ] && [[ $err == *TCA_MQOS_CLASS_FLOWS* ]] && [[ $l1 != *mqos* ]] &&
	  [ $rc2 = 0 ] && [ "$(qstat dev_rate)" = 1000000 ] && [ "$(mq_xstat 4 flows)" = 256 ]; echo $?)

# 2. replace: replaces the configuration with the options given.
n_gw "$MQ_BIN/mqos_tc" g1 replace rate 4mbit
ktap_result "replace with options (rate now $(qstat dev_rate) B/s)" \
	$([ "$(qstat dev_rate)" = 500000 ]; echo $?)

# 3. Class change and add through RTM_NEWTCLASS.
n_gw "$MQ_BIN/mqos_tc" g1 class 4 flows 0
a=$?
n_gw "$MQ_BIN/mqos_tc" g1 class 7 name extra prio 2
b=$?
err=$(n_gw "$MQ_BIN/mqos_tc" g1 class 4 flows 12 2>&1)
c=$?
ktap_result "tc class change (class 4 flows $(mq_xstat 4 flows)) and add (1:7 shown: $(n_gw tc class show dev g1 classid 1:7 | wc -l)); a bad change is refused ($err)" \
	$([ $a = 0 ] && [ $b = 0 ] && [ $c != 0 ] && [ "$(mq_xstat 4 flows)" = 0 ] &&
	  [ "$(n_gw tc class show dev g1 classid 1:7 | wc -l)" = 1 ]; echo $?)

# 4. Class delete; the default class cannot go.
n_gw tc class del dev g1 classid 1:7
a=$?
err=$(n_gw tc class del dev g1 classid 1:4 2>&1)
b=$?
ktap_result "tc class del removes 1:7; the default class 1:4 is refused ($err)" \
	$([ $a = 0 ] && [ $b != 0 ] && [ "$(n_gw tc class show dev g1 classid 1:7 | wc -l)" = 0 ] &&
	  [ "$(n_gw tc class show dev g1 classid 1:4 | wc -l)" = 1 ]; echo $?)

# 5. Notifications with every class there.
bg n_gw tc monitor > "$mon"
sleep 0.5
for id in 6 7 8 9 10 11 12 13 14 15 16; do
	n_gw "$MQ_BIN/mqos_tc" g1 class $id name c$id
done
n_gw "$MQ_BIN/mqos_tc" g1 change rate 6mbit
n_gw "$MQ_BIN/mqos_tc" g1 change class 16 prio 5
n_gw tc class del dev g1 classid 1:10	# hex: class 16
sleep 0.5
bg_stop
# tc prints minor numbers in hex: 1:6 .. 1:f, 1:10.
adds=$(grep -c '^class mqos 1:\([6-9a-f]\|10\) ' "$mon")
qch=$(grep -c '^qdisc mqos 1:' "$mon")
dels=$(grep -c '^deleted class mqos 1:10 ' "$mon")
diag "tc monitor: $adds class adds, $qch qdisc changes, $dels class deletes"
ktap_result "tc monitor sees 11 class adds, 2 qdisc changes and the delete with 16 classes" \
	$([ "$adds" -ge 11 ] && [ "$qch" -ge 2 ] && [ "$dels" = 1 ]; echo $?)
for id in 6 7 8 9 10 11 12 13 14 15; do n_gw tc class del dev g1 classid "$(printf 1:%x $id)"; done

# 6. A filter picks the class, over the DSCP map (EF would be class 2).
n_gw "$MQ_BIN/mqos_tc" g1 change rate 0
n_gw tc filter add dev g1 parent 1: protocol ip prio 1 u32 \
	match ip protocol 17 0xff match ip dport 5100 0xffff classid 1:5
p5=$(mq_class_pkts 5) p2=$(mq_class_pkts 2)
udp_flow 5100 400000 2 200 0xb8 "$out"
d5=$(( $(mq_class_pkts 5) - p5 )) d2=$(( $(mq_class_pkts 2) - p2 ))
sent=$(awk '/^sent/ { print $2 }' "$out")
ktap_result "u32 filter classid 1:5 wins over the EF map: class 5 +$d5, class 2 +$d2 of $sent" \
	$([ "$sent" -gt 0 ] && [ "$d5" = "$sent" ] && [ "$d2" = 0 ]; echo $?)

# 7. Unmatched EF still goes by the map.
p2=$(mq_class_pkts 2)
udp_flow 5102 400000 2 200 0xb8 "$out"
d2=$(( $(mq_class_pkts 2) - p2 ))
sent=$(awk '/^sent/ { print $2 }' "$out")
ktap_result "packets no filter matches keep the default map: class 2 +$d2 of $sent" \
	$([ "$sent" -gt 0 ] && [ "$d2" = "$sent" ]; echo $?)

# 8. A drop action drops, counted by the qdisc.
n_gw tc filter add dev g1 parent 1: protocol ip prio 2 u32 \
	match ip protocol 17 0xff match ip dport 5101 0xffff action drop
d0=$(tc_stat "$NS_GW" g1 qdisc "" drops)
udp_flow 5101 400000 2 200 0 "$out"
d1=$(tc_stat "$NS_GW" g1 qdisc "" drops)
got=$(awk '/^recv/ { print $2 }' "$out")
ktap_result "filter action drop: nothing arrives (${got:-0}), qdisc drops +$((d1 - d0))" \
	$([ "${got:-0}" = 0 ] && [ $((d1 - d0)) -gt 0 ]; echo $?)

# 9. A class a filter points at cannot be deleted.
err=$(n_gw tc class del dev g1 classid 1:5 2>&1)
a=$?
n_gw tc filter del dev g1 parent 1: prio 1
n_gw tc class del dev g1 classid 1:5
b=$?
ktap_result "class 1:5 with a filter bound: delete refused ($err); after the filter is gone, deleted" \
	$([ $a != 0 ] && [ $b = 0 ]; echo $?)
ktap_finish
