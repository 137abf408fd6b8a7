#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory bounds under overload: the gateway's egress g1 is shaped by mqos
# to 1 Mbit/s and flooded at 12x that (UDP best-effort at 8 Mbit/s and EF
# at 4 Mbit/s from the sender) for MEMORY_BOUNDS_SECS (default 30) seconds.
# AQM is off in the flooded classes, so only the queue limits hold them:
# best-effort 100 packets / 60000 bytes (the byte limit binds), realtime
# 50 packets / 200000 bytes (the packet limit binds).
#
#   sender s0 --(12 Mbit/s UDP)--> g0 [gateway] g1 --mqos 1 Mbit/s--> r0
#
# Sampled during the flood (tc -s class show, /proc/meminfo): every class
# backlog stays within its limits, the qdisc backlog within their sum, and
# the slab stops growing once the queues are full (no per-packet leak).
# Afterwards the queues drain and nothing leaks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leak_lib.sh"

SECS=${MEMORY_BOUNDS_SECS:-30}
RATE=1000000			# device rate, bit/s
BE_LIMIT=100 BE_BYTES=60000
RT_LIMIT=50 RT_BYTES=200000
SIZE=1000			# UDP payload bytes

ktap_plan 11
rel_setup udpgen
n_gw tc qdisc add dev g1 root handle 1: mqos || { ktap_fail "qdisc add"; ktap_finish; }

# Configure with mqosctl, or with the qdisc's own rtnetlink client.
CTL=$(mqosctl_bin)
configure() {
	if [ -n "$CTL" ] && n_gw "$CTL" dev set g1 rate 1mbit 2>/dev/null; then
		n_gw "$CTL" class set g1 4 limit $BE_LIMIT limit-bytes $BE_BYTES target 0 &&
		n_gw "$CTL" class set g1 2 limit $RT_LIMIT limit-bytes $RT_BYTES target 0
		return
	fi
	rel_tool mqos_tc || return 1
	n_gw "$REL_BIN/mqos_tc" g1 change rate 1mbit \
		class 4 limit $BE_LIMIT limit_bytes $BE_BYTES aqm 0 100000 \
		class 2 limit $RT_LIMIT limit_bytes $RT_BYTES aqm 0 100000
}
configure
ktap_result "device rate 1 Mbit/s, class limits set (AQM off)" $?

slab() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
# One sample: "q BYTES PKTS" for the qdisc, "ID BYTES PKTS" per class.
# tc prints a backlog within 16 bytes of a KiB multiple as "58Kb" (and
# "tc class show" has no JSON): convert. tc -n, because an ip netns exec
# per sample is slow under TCG while the flood runs.
backlogs() {
	{ tc -n "$NS_GW" -s qdisc show dev g1; tc -n "$NS_GW" -s class show dev g1; } | awk '
		function bytes(v) {
			if (v ~ /Mb$/) return int((v + 0) * 1048576)
			if (v ~ /Kb$/) return int((v + 0) * 1024)
			return int(v)
		}
		/^qdisc/ { id = "q" }
		/^class/ { split($3, a, ":"); id = a[2] }
		/backlog/ { for (i = 1; i <= NF; i++) if ($i == "backlog") {
			p = $(i + 2); sub("p", "", p)
			print id, bytes($(i + 1)), p + 0 } }'
}

slab0=$(slab)
n_snd "$REL_BIN/udpgen" send $RCV_IP 7000 8000000 "$SECS" $SIZE 0 > "$REL_BIN/be.out" &
be=$!
n_snd "$REL_BIN/udpgen" send $RCV_IP 7001 4000000 "$SECS" $SIZE 184 > "$REL_BIN/rt.out" &
rt=$!

max_be_b=0 max_be_p=0 max_rt_b=0 max_rt_p=0 max_q_b=0 max_q_p=0
samples=0 slab_mid= slab_max=0 t0=$(date +%s)
while kill -0 $be 2>/dev/null || kill -0 $rt 2>/dev/null; do
	# (a here-string, not process substitution: the VM has no /dev/fd)
	while read -r id b p; do
		case $id in
		q) [ "$b" -gt $max_q_b ] && max_q_b=$b; [ "$p" -gt $max_q_p ] && max_q_p=$p ;;
		4) [ "$b" -gt $max_be_b ] && max_be_b=$b; [ "$p" -gt $max_be_p ] && max_be_p=$p ;;
		2) [ "$b" -gt $max_rt_b ] && max_rt_b=$b; [ "$p" -gt $max_rt_p ] && max_rt_p=$p ;;
		esac
	done <<< "$(backlogs)"
	s=$(slab)
	[ "$s" -gt $slab_max ] && slab_max=$s
	el=$(( $(date +%s) - t0 ))
	[ -z "$slab_mid" ] && [ $el -ge $((SECS / 3)) ] && slab_mid=$s
	samples=$((samples + 1))
	sleep 0.2
done
wait $be $rt
slab_end=$(slab)
read -r _ be_pkts be_bytes _ < "$REL_BIN/be.out"
read -r _ rt_pkts rt_bytes _ < "$REL_BIN/rt.out"
rm -f "$REL_BIN/be.out" "$REL_BIN/rt.out"
offered=$(( (${be_bytes:-0} + ${rt_bytes:-0}) * 8 / SECS ))
diag "flood: $SECS s, offered $((offered / 1000)) kbit/s ($((offered / RATE))x the device rate): best-effort ${be_pkts:-0} pkts, EF ${rt_pkts:-0} pkts"
diag "max backlog: best-effort ${max_be_b} B / ${max_be_p} p, realtime ${max_rt_b} B / ${max_rt_p} p, qdisc ${max_q_b} B / ${max_q_p} p ($samples samples)"
diag "slab: before ${slab0} kB, at $((SECS / 3)) s ${slab_mid:-?} kB, max ${slab_max} kB, at the end ${slab_end} kB"

[ $((offered / RATE)) -ge 10 ]
ktap_result "flood offered at >= 10x the device rate" $?
[ $max_be_p -gt 0 ] && [ $max_rt_p -gt 0 ]
ktap_result "queues built up in both flooded classes" $?
[ $max_be_b -le $BE_BYTES ] && [ $max_be_p -le $BE_LIMIT ]
ktap_result "best-effort backlog within $BE_BYTES bytes / $BE_LIMIT packets" $?
[ $max_rt_b -le $RT_BYTES ] && [ $max_rt_p -le $RT_LIMIT ]
ktap_result "realtime backlog within $RT_BYTES bytes / $RT_LIMIT packets" $?
[ $max_q_b -le $((BE_BYTES + RT_BYTES)) ] && [ $max_q_p -le $((BE_LIMIT + RT_LIMIT)) ]
ktap_result "qdisc backlog within the sum of the flooded classes' limits" $?
# Once the queues are full, the slab must not keep growing: allow 4 MiB
# of noise after the first third of the flood.
[ -n "$slab_mid" ] && [ $((slab_max - slab_mid)) -le 4096 ] &&
	[ $((slab_max - slab0)) -le 16384 ]
ktap_result "slab bounded during the flood (+$((slab_max - ${slab_mid:-0})) kB after $((SECS / 3)) s, +$((slab_max - slab0)) kB in all)" $?

ktap_check "queues drain after the flood" wait_for 200 sh -c \
	"ip netns exec $NS_GW tc -s qdisc show dev g1 | grep -q 'backlog 0b 0p'"

n_gw tc qdisc del dev g1 root
rel_finish
