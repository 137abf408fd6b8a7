# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the qdisc_*.sh behavioural tests of the mqos qdisc, on top of
# lib.sh (KTAP, module, the sender -> gateway -> receiver topology):
#
#   mq_tools           build mqos_tc (config client) and udpgen (paced UDP
#                      source / counting sink) unless already built
#   mq_change ARGS     mqos_tc g1 change ARGS in the gateway
#   mq_xstat ID KEY    a class's counter from the qdisc's nested stats
#   mq_class_pkts ID   "Sent ... pkt" of class 1:ID from tc -s class show
#   udp_flow ...       run sink in the receiver and source in the sender
#
# The gateway's egress g1 is the bottleneck (mqos device rate or a class
# ceiling), so queues build in mqos and nowhere else.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MQ_BIN=${MQ_BIN:-}

mq_tools() {
	local t
	if [ -z "$MQ_BIN" ]; then
		MQ_BIN=$(mktemp -d /tmp/mqos-tools.XXXXXX)
	fi
	for t in mqos_tc udpgen; do
		if [ -x "$SELFTESTS_DIR/$t" ]; then
			cp "$SELFTESTS_DIR/$t" "$MQ_BIN/$t"
		elif [ ! -x "$MQ_BIN/$t" ]; then
			gcc -O2 -Wall -o "$MQ_BIN/$t" "$SELFTESTS_DIR/$t.c" || return 1
		fi
	done
}

mq_tools_cleanup() {
	case "$MQ_BIN" in /tmp/mqos-tools.*) rm -rf "$MQ_BIN" ;; esac
}

mq_cleanup() {
	topo_cleanup
	mq_tools_cleanup
}

mq_tc() { n_gw "$MQ_BIN/mqos_tc" "$@"; }
mq_change() { n_gw "$MQ_BIN/mqos_tc" g1 change "$@"; }

# mq_xstat ID KEY: print the counter KEY of class ID (0 if absent).
mq_xstat() {
	n_gw "$MQ_BIN/mqos_tc" g1 stats |
		awk -v id="$1" -v k="$2" '
			$1 == "class" && $2 == id {
				for (i = 3; i < NF; i++) if ($i == k) { print $(i+1); found = 1 }
			}
			END { if (!found) print 0 }'
}

mq_class_pkts() { tc_stat "$NS_GW" g1 class "1:$1" pkts; }
mq_class_bytes() { tc_stat "$NS_GW" g1 class "1:$1" bytes; }

# udp_flow PORT RATE_BITS SECONDS SIZE TOS OUTFILE
# Runs the sink in the receiver, waits until it is ready, runs the source
# in the sender; OUTFILE gets "sent P B NS ON_TIME" and "recv P B RATE". The sink
# counts 2 s longer than the source sends (it stops 1 s after the last
# datagram): a source that a busy CPU made late still has every datagram
# counted.
udp_flow() {
	local port=$1 rate=$2 secs=$3 size=$4 tos=$5 out=$6 fifo
	fifo=$(mktemp -u /tmp/mqos-udp.XXXXXX)
	n_rcv "$MQ_BIN/udpgen" recv "$port" "$((secs + 2))" > "$fifo" &
	local rpid=$!
	wait_for 50 grep -q ready "$fifo"
	n_snd "$MQ_BIN/udpgen" send $RCV_IP "$port" "$rate" "$secs" "$size" "$tos" > "$out"
	wait $rpid
	grep recv "$fifo" >> "$out"
	rm -f "$fifo"
}

# udp_bg PORT RATE_BITS SECONDS SIZE TOS: a background source (no sink).
udp_bg() {
	bg n_snd "$MQ_BIN/udpgen" send $RCV_IP "$1" "$2" "$3" "$4" "$5" > /dev/null
}

# within VALUE EXPECTED PERCENT: true if VALUE is within PERCENT % of EXPECTED.
within() {
	awk -v v="$1" -v e="$2" -v p="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(d <= e * p / 100) }'
}

# Sum of all classes' "Sent P pkt" vs. the qdisc's.
mq_sum_classes() {
	n_gw tc -s class show dev g1 | awk '/Sent/ { s += $4 } END { print s + 0 }'
}

# Wait (up to 30 s) until mqos on g1 has nothing queued.
mq_drain() {
	wait_for 300 sh -c "ip netns exec $NS_GW tc -s qdisc show dev g1 | grep -q 'backlog 0b 0p'"
}
