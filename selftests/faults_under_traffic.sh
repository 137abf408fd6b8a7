#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults while traffic crosses the gateway in both directions: iperf3 TCP
# bulk (--bidir), MQTT (mosquitto in the receiver, mosquitto_pub and
# mosquitto_sub in the sender) and paced UDP; mqos on both gateway ports.
#
#   sender s0 ---- g0 [gateway: mqos on g0 and g1] g1 ---- r0 receiver
#   iperf3 -c, mosquitto_pub/sub, udpgen          iperf3 -s, mosquitto
#
# Scenarios, each short (TCG runs ~50x slower than native; the traffic is
# paced so that the scenarios' own commands get CPU):
#   rmmod refused while the qdiscs exist; qdisc replace/delete/add cycles;
#   atomic configuration replacements (genl_fuzz replace: one process)
#   with concurrent readers (/proc/net/mqos/*, genl dumps, mqosctl stats);
#   rule flushes and counter resets; device down/up; counters consistent
#   once traffic stops; veth deletion with a live qdisc; netns deletion
#   with live qdisc, rules and conntrack entries with marks (act_ct);
#   then rmmod and a leak check. Pass: no splat (vm-run checks the kernel
#   log), traffic resumes after every fault, counters consistent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leak_lib.sh"

REPLACES=${FAULTS_REPLACES:-1000}
# Cycles of qdisc replace/delete/add and of rule add/flush/reset: each
# cycle is the same commands again (under TCG on a loaded host, a qdisc
# graft while traffic runs took ~10 s: RCU grace periods), so one cycle,
# which has every kind, by default; FAULTS_CYCLES=5 for a longer run.
CYCLES=${FAULTS_CYCLES:-1}

ktap_plan 14
require_cmd iperf3 ping
rel_cleanup_hook() { rm -rf "${MQ_DIR:-/nonexistent}"; }
# Modules the scenarios pull in (act_ct and conntrack) keep their caches
# and allocations after the test: load them before the slab snapshot.
modprobe -q -a act_ct cls_matchall sch_ingress 2>/dev/null
rel_setup udpgen
have_genl=1
rel_tool genl_fuzz || have_genl=0
n_gw tc qdisc add dev g1 root handle 1: mqos
n_gw tc qdisc add dev g0 root handle 1: mqos
[ $have_genl = 1 ] && n_gw "$REL_BIN/genl_fuzz" family >/dev/null 2>&1 || have_genl=0
CTL=$(mqosctl_bin)
[ $have_genl = 1 ] || CTL=

# --- traffic -----------------------------------------------------------------
rel_t "traffic"
# bg ip netns exec, not bg n_snd: a shell function in the background is a
# subshell, and killing it would leave the traffic generator running.
MQ_DIR=$(mktemp -d /tmp/mqos-faults.XXXXXX)
traffic_start() {
	bg ip netns exec "$NS_RCV" iperf3 -s -p 5201 >/dev/null 2>&1
	wait_for 50 n_rcv sh -c "ss -ltn | grep -q ':5201'"
	# Paced: an unpaced iperf3 takes every emulated CPU under TCG, and
	# then each tc/ip command of the scenarios takes seconds. 4 Mbit/s
	# each way, plus the UDP and MQTT, still keeps mqos's queues busy.
	bg ip netns exec "$NS_SND" iperf3 -c $RCV_IP -p 5201 -t 300 --bidir -b 4M -J >/dev/null 2>&1
	bg ip netns exec "$NS_SND" "$REL_BIN/udpgen" send $RCV_IP 7000 2000000 300 400 0 >/dev/null
	bg ip netns exec "$NS_RCV" "$REL_BIN/udpgen" send $SND_IP 7001 1000000 300 400 184 >/dev/null
	bg ip netns exec "$NS_SND" ping -q -i 0.05 $RCV_IP6 >/dev/null 2>&1
	if command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null; then
		printf 'listener 1883 0.0.0.0\nallow_anonymous true\n' > "$MQ_DIR/m.conf"
		bg ip netns exec "$NS_RCV" mosquitto -c "$MQ_DIR/m.conf" >/dev/null 2>&1
		wait_for 50 n_rcv sh -c "ss -ltn | grep -q ':1883'"
		bg ip netns exec "$NS_SND" mosquitto_sub -h $RCV_IP -t 'f/#' -q 2 >/dev/null 2>&1
		# One process per publisher (no shell pipeline that a kill
		# would leave behind).
		for q in 0 1 2; do
			bg ip netns exec "$NS_SND" mosquitto_pub -h $RCV_IP -t f/q$q -q $q -m "m$q" \
				--repeat 100000 --repeat-delay 0.1 >/dev/null 2>&1
		done
		MQTT=1
	else
		diag "mosquitto not installed: no MQTT traffic"
		MQTT=0
	fi
}

traffic_stop() { bg_stop; }

# tc -n, not ip netns exec: no exec and sysfs mount per call (slow in TCG).
gtc() { tc -n "$NS_GW" "$@"; }
sent() { gtc -s qdisc show dev "$1" | awk '/Sent/ { print $4; exit }'; }
sent_ge() { [ "$(sent "$1")" -ge "$2" ]; }
# flowing DEV [MIN]: the qdisc on DEV sends at least MIN more packets soon.
flowing() {
	local dev=$1 min=${2:-100} s0
	s0=$(sent "$dev")
	wait_for 200 sent_ge "$dev" $((s0 + min))
}

traffic_start
flowing g1 500 && flowing g0 200
ktap_result "bidirectional TCP + MQTT + UDP through mqos on g0 and g1" $?

# --- rmmod while in use --------------------------------------------------------
rel_t "rmmod while in use"
if rmmod mqos 2>/dev/null; then
	ktap_fail "rmmod refused while qdiscs exist"
	rel_load
else
	ktap_ok "rmmod refused while qdiscs exist"
fi

# --- qdisc replace / delete / add ------------------------------------------------
rel_t "qdisc replace / delete / add"
f=0
for ((i = 0; i < CYCLES; i++)); do
	gtc qdisc replace dev g1 root handle 1: mqos || f=$((f + 1))
	gtc qdisc del dev g0 root || f=$((f + 1))
	gtc qdisc add dev g0 root handle 1: mqos || f=$((f + 1))
	gtc qdisc replace dev g1 root handle 2: pfifo limit 500 || f=$((f + 1))
	gtc qdisc replace dev g1 root handle 1: mqos || f=$((f + 1))
done
flowing g1 100 || f=$((f + 1))
ktap_result "$CYCLES cycles of qdisc replace (same kind and pfifo)/delete/add on both ports, traffic resumes" $f

# --- configuration replacements with concurrent readers ----------------------------
rel_t "configuration replacements with concurrent readers"
if [ -n "$CTL" ]; then
	readers() {
		local end=$(( $(date +%s) + $1 ))
		while [ "$(date +%s)" -lt "$end" ]; do
			cat /proc/net/mqos/classes /proc/net/mqos/rules >/dev/null 2>&1 || return 1
			"$CTL" stats -j >/dev/null 2>&1
		done
	}
	t0=$(date +%s)
	n_gw "$REL_BIN/genl_fuzz" dump 20 > "$MQ_DIR/dump" 2>&1 &
	dpid=$!
	n_gw bash -c "$(declare -f readers); CTL=$CTL; readers 20" &
	rpid=$!
	out=$(n_gw "$REL_BIN/genl_fuzz" replace g1 "$REPLACES" 2>&1)
	rc=$?
	wait $dpid; drc=$?
	wait $rpid; rrc=$?
	printf '%s\n' "$out" | sed 's/^\([^#]\)/# \1/'
	sed 's/^\([^#]\)/# \1/' "$MQ_DIR/dump"
	diag "replacements took $(( $(date +%s) - t0 )) s"
	ktap_result "$REPLACES atomic configuration replacements under traffic" $rc
	[ $drc = 0 ] && [ $rrc = 0 ]
	ktap_result "concurrent genl dumps, mqosctl stats and /proc/net/mqos readers" $?

	f=0
	for ((i = 0; i < CYCLES; i++)); do
		n_gw "$CTL" rule add pref 100 match dscp EF class 2 >/dev/null || f=$((f + 1))
		n_gw "$CTL" rule add pref 110 match mqtt-qos 2 class 2 >/dev/null || f=$((f + 1))
		n_gw "$CTL" rule flush || f=$((f + 1))
		n_gw "$CTL" stats --reset >/dev/null || f=$((f + 1))
	done
	flowing g1 100 || f=$((f + 1))
	ktap_result "$CYCLES rule add/flush and counter reset cycles, traffic resumes" $f
else
	ktap_skip "$REPLACES atomic configuration replacements under traffic" "no mqos genl family or mqosctl"
	ktap_skip "concurrent genl dumps, mqosctl stats and /proc/net/mqos readers" "no mqos genl family"
	ktap_skip "$CYCLES rule add/flush and counter reset cycles, traffic resumes" "no mqosctl"
fi

# --- device down/up ---------------------------------------------------------------
rel_t "device down/up"
for dev in g1 g0; do
	n_gw ip link set $dev down
	n_gw ip link set $dev up
done
n_gw ip link set g1 down; n_gw ip link set g0 down
n_gw ip link set g1 up; n_gw ip link set g0 up
# Static neighbours survive; routes come back with the addresses.
wait_for 100 n_snd ping -q -c 1 -W 1 $RCV_IP
flowing g1 100 && flowing g0 50
ktap_result "device down/up on both ports, traffic resumes" $?

# --- counters once traffic stops ------------------------------------------------
rel_t "counters once traffic stops"
traffic_stop
wait_for 100 sh -c "tc -n $NS_GW -s qdisc show dev g1 | grep -q 'backlog 0b 0p'"
if [ -n "$CTL" ]; then
	n_gw "$CTL" stats --reset >/dev/null
else
	n_gw tc qdisc replace dev g1 root handle 1: mqos	# fresh counters
fi
n_snd ping -q -c 20 -i 0.05 $RCV_IP >/dev/null
n_snd ping -6 -q -c 10 -i 0.05 $RCV_IP6 >/dev/null
q=$(sent g1)
s=$(gtc -s class show dev g1 | awk '/^class/ { c = 1 } c && /Sent/ { s += $4; c = 0 } END { print s + 0 }')
r=0
# IPv4 pings at least: g1 lost its IPv6 addresses when it went down.
[ "$q" = "$s" ] && [ "$q" -ge 20 ] || r=1
if [ -n "$CTL" ]; then
	j=$(n_gw "$CTL" stats g1 -j 2>/dev/null | tr -d ' \n')
	diag "mqosctl stats g1: $(echo "$j" | head -c 300)"
fi
diag "after reset: qdisc sent $q, classes sum $s (20 IPv4 + 10 IPv6 pings sent)"
ktap_result "counters consistent after a reset (classes sum = qdisc >= 20 pings)" $r

# --- destructive faults under traffic --------------------------------------------
rel_t "destructive faults under traffic"
traffic_start
flowing g1 100
ip -n "$NS_GW" link del g1
ktap_check "veth deleted under traffic with a live qdisc" \
	n_gw sh -c "! tc qdisc show dev g1 2>/dev/null | grep -q mqos"
ktap_check "traffic still crosses mqos on g0 (reverse direction)" \
	wait_for 100 n_gw sh -c "tc -s qdisc show dev g0 | grep -q Sent"

# Conntrack entries with marks (act_ct), rules, a live qdisc: delete the
# whole namespace under traffic.
ct=0
if n_gw tc qdisc add dev g0 clsact 2>/dev/null &&
   n_gw tc filter add dev g0 ingress protocol ip matchall action ct commit mark 5 2>/dev/null; then
	ct=1
fi
[ -n "$CTL" ] && n_gw "$CTL" rule add pref 10 match mqtt-qos 2 class 2 >/dev/null
traffic_stop
traffic_start_rev() {	# traffic towards g0 only: receiver side is gone
	bg ip netns exec "$NS_SND" ping -q -i 0.02 $GW_IP_S >/dev/null 2>&1
	bg ip netns exec "$NS_SND" "$REL_BIN/udpgen" send $GW_IP_S 7002 2000000 60 400 0 >/dev/null
}
traffic_start_rev
sleep 1
diag "conntrack marks via act_ct: $([ $ct = 1 ] && echo yes || echo 'not available')"
ip netns del "$NS_GW"
ktap_check "netns deleted with live qdisc, rules and conntrack entries: refcount returns to 0" \
	wait_for 200 mqos_idle
traffic_stop
rel_t "leak checks"
rel_finish
