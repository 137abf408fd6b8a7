#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile packets through mqos: crafted frames (selftests/hostile.c) cross
# the gateway's forwarding path from the sender, and are also written
# straight into mqos on the gateway's egress g1 (AF_PACKET transmits
# through the qdisc), which reaches mqos with frames no router forwards:
# truncated and bogus IPv4/IPv6 headers, IPv6 extension-header chains up to
# and past the parser's bound, fragments, VLAN/QinQ, every malformed MQTT
# and MQTT-SN form, random mutations; plus a 60 KiB-PUBLISH TCP stream
# (GSO super-packets). Pass: no splat (vm-run checks the kernel log), the
# malformed counter moves by at least what was sent, good traffic is still
# classified by the default map, counters add up, nothing leaks.
#
#   sender s0 --(forwarding path)--> g0 [gateway] g1 --mqos--> r0 receiver
#                                                  ^ direct AF_PACKET on g1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leak_lib.sh"

REPEAT=${HOSTILE_REPEAT:-3}	# seeds of the random set, each way
GOOD=${HOSTILE_GOOD:-10}	# repeats of every good set

ktap_plan 12
rel_setup hostile
H=$REL_BIN/hostile
n_gw tc qdisc add dev g1 root handle 1: mqos || { ktap_fail "qdisc add"; ktap_finish; }
# MAC_G0, MAC_R0: the fixed veth addresses of lib.sh's topology.

total=0

# fwd SET N / direct SET N: run the generator, print its summary line.
fwd() { n_snd "$H" send s0 "$MAC_G0" "$1" -n "$2" -s "${3:-1}"; }
direct() { n_gw "$H" send g1 "$MAC_R0" "$1" -n "$2" -s "${3:-1}"; }
frames() { sed -n 's/^sent \([0-9]*\) frames.*/\1/p'; }
malformed_of() { sed -n 's/.* \([0-9]*\) malformed-mqtt.*/\1/p'; }

# Packets sent by class 1:ID (tc -n: no exec per call, which TCG makes slow).
cls() {
	tc -n "$NS_GW" -s class show dev g1 |
		awk -v id="1:$1" '/^class/ { hit = $3 == id } hit && /Sent/ { print $4; f = 1; exit }
				   END { if (!f) print 0 }'
}
cls_ge() { [ "$(cls "$1")" -ge "$2" ]; }

# expect_class HOW SET N CLASS FRAMES_PER_REPEAT: send and check that class
# 1:CLASS took exactly N * FRAMES_PER_REPEAT more packets (g1 carries only
# what the test sends: static neighbours, no autoconf).
# The class's count once it stopped moving (0.2 s apart), so that
# stragglers of an earlier set still crossing g1 are not counted here.
cls_settled() {
	local a b i
	b=$(cls "$1")
	for i in $(seq 25); do
		sleep 0.2
		a=$(cls "$1")
		[ "$a" = "$b" ] && break
		b=$a
	done
	echo "$b"
}
expect_class() {
	local how=$1 set=$2 n=$3 c=$4 per=$5 before after out
	before=$(cls_settled "$c")
	out=$($how "$set" "$n")
	total=$((total + $(echo "$out" | frames)))
	wait_for 50 cls_ge "$c" $((before + n * per))
	after=$(cls "$c")
	if [ $((after - before)) != $((n * per)) ]; then
		diag "$set ($how): class 1:$c +$((after - before)), expected +$((n * per)); $out"
		return 1
	fi
	return 0
}

good_traffic() {
	local f=0
	expect_class fwd good-q0 "$GOOD" 4 2 || f=1
	expect_class fwd good-q1 "$GOOD" 3 2 || f=1
	expect_class fwd good-q2 "$GOOD" 2 2 || f=1
	expect_class fwd good-ef "$GOOD" 2 2 || f=1
	expect_class fwd good-cs1 "$GOOD" 5 2 || f=1
	expect_class fwd good-sn "$GOOD" 2 2 || f=1
	return $f
}

good_traffic
ktap_result "good traffic classified: MQTT QoS 0/1/2 -> 1:4/1:3/1:2, EF -> 1:2, CS1 -> 1:5, MQTT-SN QoS 2 -> 1:2" $?

expect_class fwd ext6-in 5 2 9
ktap_result "PUBLISH QoS 2 behind 1..8 IPv6 extension headers (and a mixed chain) -> 1:2" $?

expect_class direct vlan 10 2 4
ktap_result "PUBLISH QoS 2 in 802.1Q and QinQ frames -> 1:2" $?

# The hostile sets, both ways, with the malformed counter around them.
# The sets other than "random" are fixed frames: each is sent once each
# way (set "all": l3 l4 mqtt sn frag vlanbad ext6-over random, in one
# process -- under TCG a process start costs more than the frames).
# "random" is sent with REPEAT seeds.
m0=$(mqos_malformed)
sent_fwd=0 sent_dir=0 want_malformed=0 refused=0
hostile_both() {	# SET SEED
	local out
	out=$(fwd "$1" 1 "$2") || { diag "fwd $1: $out"; return 1; }
	sent_fwd=$((sent_fwd + $(echo "$out" | frames)))
	want_malformed=$((want_malformed + $(echo "$out" | malformed_of)))
	out=$(direct "$1" 1 "$2") || { diag "direct $1: $out"; return 1; }
	sent_dir=$((sent_dir + $(echo "$out" | frames)))
	want_malformed=$((want_malformed + $(echo "$out" | malformed_of)))
	refused=$((refused + $(echo "$out" | sed -n 's/.* \([0-9]*\) refused.*/\1/p')))
}
hf=0
hostile_both all 1 || hf=1
for seed in $(seq 2 "$REPEAT"); do
	hostile_both random "$seed" || hf=1
done
total=$((total + sent_fwd + sent_dir))
diag "hostile frames: $sent_fwd through the gateway, $sent_dir straight into mqos ($refused refused at enqueue)"
ktap_result "hostile frames sent: $sent_fwd forwarded, $sent_dir direct (sets l3 l4 mqtt sn frag vlanbad ext6-over, random x$REPEAT seeds)" $hf

# The malformed MQTT/MQTT-SN counter of the gateway's netns.
m1=$(mqos_malformed)
if [ -z "$m0" ] || [ -z "$m1" ]; then
	ktap_skip "malformed counter moves" "no control plane answers (mqosctl stats -j)"
elif [ $((m1 - m0)) -ge "$want_malformed" ] && [ "$want_malformed" -gt 0 ]; then
	ktap_ok "malformed counter moved by $((m1 - m0)) (>= $want_malformed malformed MQTT/MQTT-SN frames sent)"
else
	ktap_fail "malformed counter moved by $((m1 - m0)), expected >= $want_malformed"
fi

# The qdisc drains and its counters add up.
ktap_check "mqos backlog drains" wait_for 100 sh -c \
	"ip netns exec $NS_GW tc -s qdisc show dev g1 | grep -q 'backlog 0b 0p'"
# The qdisc and its classes are two dumps: a packet that leaves between
# them (a neighbour probe, a late hostile frame) counts in one only.
# Compare a class sum taken between two equal qdisc readings.
class_sum() {
	n_gw tc -s class show dev g1 |
		awk '/^class/ { c = 1 } c && /Sent/ { s += $4; c = 0 } END { print s + 0 }'
}
for _ in 1 2 3 4 5; do
	q=$(tc_stat "$NS_GW" g1 qdisc 1: pkts)
	s=$(class_sum)
	[ "$(tc_stat "$NS_GW" g1 qdisc 1: pkts)" = "$q" ] && break
	sleep 0.5
done
d=$(tc_stat "$NS_GW" g1 qdisc 1: drops)
if [ "$s" = "$q" ]; then
	ktap_ok "class counters add up to the qdisc's ($q packets sent, ${d:-0} dropped)"
else
	n_gw tc -s class show dev g1 | sed 's/^/# /'
	ktap_fail "class counters add up to the qdisc's (classes $s, qdisc $q)"
fi

good_traffic
ktap_result "good traffic still classified after the hostile sets" $?

# A TCP stream of 60 KiB PUBLISHes: GSO super-packets through mqos, with
# the MQTT header in the first segment only. The sink reads until the
# connection ends (60 s at most): on the debug kernel the 4 s of writes
# took longer than 8 s to drain.
out=$(mktemp)
n_rcv "$H" sink 1883 60 > "$out" &
sink=$!
wait_for 50 grep -q ready "$out"
st=$(n_snd "$H" stream $RCV_IP 1883 4 | sed -n 's/^stream //p')
wait $sink
rx=$(sed -n 's/^sink \([0-9]*\) .*/\1/p' "$out")
rm -f "$out"
diag "stream: sent ${st:-0} bytes, received ${rx:-0}"
if [ "${st:-0}" -gt 1000000 ] && [ "${rx:-0}" = "$st" ]; then
	ktap_ok "60 KiB MQTT PUBLISH stream (GSO) crosses mqos intact ($st bytes)"
else
	ktap_fail "60 KiB MQTT PUBLISH stream (GSO) crosses mqos intact (sent ${st:-0}, received ${rx:-0})"
fi
diag "frames crafted in total: $total"

n_gw tc qdisc del dev g1 root
rel_finish
