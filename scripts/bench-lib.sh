# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by scripts/demo, scripts/bench and selftests/demo_short.sh: the
# gateway topology of selftests/lib.sh plus the traffic of an IoT uplink,
# the schedulers compared, and the measurements.
#
#   devices ($NS_SND)          gateway ($NS_GW)              broker ($NS_RCV)
#   alarm/event/telemetry  s0 --- g0   [g1: qdisc under test] --- r0  mosquitto
#   publishers, iperf3 -c,                                         subscriber,
#   EF probe sender                                  (opt. modem:  iperf3 -s,
#                                                     ifb0 tbf)    probe sink
#
# The bottleneck is created on purpose: a veth is as fast as the CPU, so
# either the qdisc on g1 shapes to a rate (every scheduler of the bench),
# or, with bl_modem, the receiver's ingress is redirected to an ifb device
# with a tbf at the uplink rate and a modem-sized buffer (the demo's
# "real uplink"; the gateway shapes just below it or not at all).
#
# Every tool writes one line per measured message with a tag; percentiles
# are computed afterwards per tag (bl_lat_table, bl_lat).

. "$(dirname "${BASH_SOURCE[0]}")/../selftests/lib.sh"

BL_TOOLS=${BL_TOOLS:-$REPO_DIR/build/tools}
BL_OUT=${BL_OUT:-$(mktemp -d /tmp/mqos-bench.XXXXXX)}
BL_MQTT_PORT=1883
BL_PROBE_PORT=7000
BL_CTL_PORT=7001
BL_IPERF_PORT=5201
BL_BLAST_PORT=7009

# --- tools -------------------------------------------------------------------
# Build mqttlat, udpprobe and mqos_tc (the rtnetlink fallback for mqosctl)
# unless they are newer than their sources. Works on the host and in the VM.
bl_tools() {
	make -s -C "$REPO_DIR/selftests/tools" OUT="$BL_TOOLS" >&2
}

BL_MQOSCTL=$REPO_DIR/userspace/mqosctl

# True if mqosctl has a working control plane (not the foundation stub).
bl_have_mqosctl() {
	[ -x "$BL_MQOSCTL" ] || return 1
	n_gw "$BL_MQOSCTL" stats g1 >/dev/null 2>&1
}

# bl_wire_frames: the devices hand the gateway wire-sized frames, as over a
# real LAN. A 64 KB TSO super-packet from a veth passes pfifo_fast, prio and
# HTB whole but is split by mqos and CAKE (as it must be at these rates: it
# holds an 18 Mbit/s link for 29 ms), and under emulation 45 times the
# packets cost those runs CPU the others do not pay.
bl_wire_frames() {
	ip netns exec "$NS_SND" ethtool -K s0 tso off gso off >/dev/null 2>&1 ||
		echo "== NOTE: could not turn TSO/GSO off on the devices' side (ethtool)"
}

# --- services ------------------------------------------------------------------
bl_broker() {
	local conf=$BL_OUT/mosquitto.conf
	printf 'listener %s %s\nallow_anonymous true\nmax_queued_messages 10000\n' \
		$BL_MQTT_PORT "$RCV_IP" > "$conf"
	# The bypass address too, when bl_bypass made it.
	n_rcv ip -4 addr show dev r1 2>/dev/null | grep -q "$BL_BYPASS_IP/" &&
		printf 'listener %s %s\n' $BL_MQTT_PORT "$BL_BYPASS_IP" >> "$conf"
	bg n_rcv mosquitto -c "$conf" >"$BL_OUT/mosquitto.log" 2>&1
	wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':$BL_MQTT_PORT '"
}

# bl_subscriber FILTER FILE: a QoS 2 subscriber in the broker's namespace.
bl_subscriber() {
	bg n_rcv "$BL_TOOLS/mqttlat" sub -h "$RCV_IP" -p $BL_MQTT_PORT -q 2 \
		-t "$1" -d 0 > "$2" 2>"$2.err"
	wait_for 100 grep -q ready "$2.err"
}

# bl_probe_sink PORT FILE: the UDP probe receiver.
bl_probe_sink() {
	bg n_rcv "$BL_TOOLS/udpprobe" recv "$1" 0 > "$2" 2>"$2.err"
	wait_for 50 grep -q ready "$2.err"
}

bl_iperf_server() {
	bg n_rcv iperf3 -s -p $BL_IPERF_PORT >/dev/null 2>&1
	wait_for 50 n_rcv sh -c "ss -ltn | grep -q ':$BL_IPERF_PORT '"
}

# bl_services FILTER: broker, subscriber to FILTER, probe sinks, iperf3 -s.
bl_services() {
	bl_broker || { echo "mosquitto did not start" >&2; return 1; }
	bl_subscriber "$1" "$BL_OUT/mqtt.lat" || { echo "subscriber not ready" >&2; return 1; }
	bl_probe_sink $BL_PROBE_PORT "$BL_OUT/probe.lat" || return 1
	bl_probe_sink $BL_CTL_PORT "$BL_OUT/ctl.lat" || return 1
	bl_iperf_server || { echo "iperf3 -s did not start" >&2; return 1; }
}

# --- extra paths -----------------------------------------------------------------
# A second device (the noisy neighbour) on the devices' side: its own
# address on s0, and a permanent neighbour entry for it on the gateway.
BL_NOISY_IP=192.0.2.3
# The broker's second address, reached over a second veth pair g2 <-> r1
# that has no shaper: the "loaded floor" path that bypasses the bottleneck.
BL_BYPASS_IP=203.0.113.2
BL_BYPASS_GW=203.0.113.1
MAC_G2=02:00:00:00:03:01 MAC_R1=02:00:00:00:03:02

bl_noisy_device() {
	n_snd ip addr add $BL_NOISY_IP/24 dev s0 &&
	n_gw ip neigh replace $BL_NOISY_IP lladdr $MAC_S0 dev g0 nud permanent
}

# bl_bypass: g2 (gateway) <-> r1 (broker), 203.0.113.0/24. The broker
# answers from that address over r1 (policy route), so that the bypass is
# a path of its own in both directions.
bl_bypass() {
	ip -n "$NS_RCV" link add r1 address $MAC_R1 type veth peer name g2 \
		address $MAC_G2 netns "$NS_GW" || return 1
	ip -n "$NS_RCV" -b - <<-EOF || return 1
	addr add $BL_BYPASS_IP/24 dev r1
	link set r1 up
	neigh replace $BL_BYPASS_GW lladdr $MAC_G2 dev r1 nud permanent
	rule add from $BL_BYPASS_IP lookup 100
	route add default via $BL_BYPASS_GW dev r1 table 100
	EOF
	ip -n "$NS_GW" -b - <<-EOF || return 1
	addr add $BL_BYPASS_GW/24 dev g2
	link set g2 up
	neigh replace $BL_BYPASS_IP lladdr $MAC_R1 dev g2 nud permanent
	EOF
}

# bl_mqtt_mark on|off [PORT]: the one rule a router admin adds for MQTT on
# the gateway: every packet to port 1883 (or PORT: 8883 for MQTT over TLS)
# gets DSCP EF, in postrouting (before the egress qdisc sees it). Its
# counter: bl_mqtt_mark_count.
bl_mqtt_mark() {
	n_gw nft delete table ip mqos_bench 2>/dev/null
	[ "$1" = on ] || return 0
	n_gw nft -f - <<-EOF
	table ip mqos_bench {
		chain post {
			type filter hook postrouting priority mangle; policy accept;
			tcp dport ${2:-$BL_MQTT_PORT} counter ip dscp set ef
		}
	}
	EOF
}

bl_mqtt_mark_count() {
	n_gw nft list table ip mqos_bench 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# --- the uplink ------------------------------------------------------------------
# bl_modem RATE LIMIT: the receiver's ingress goes through ifb0 with a tbf
# of RATE and a LIMIT-byte buffer: a rate-limited uplink with a modem's
# queue, behind the gateway.
bl_modem() {
	ip -n "$NS_RCV" link add ifb0 type ifb || return 1
	ip -n "$NS_RCV" link set ifb0 up
	n_rcv tc qdisc add dev ifb0 root tbf rate "$1" burst 10k limit "$2" || return 1
	n_rcv tc qdisc add dev r0 handle ffff: ingress || return 1
	n_rcv tc filter add dev r0 parent ffff: matchall \
		action mirred egress redirect dev ifb0
}

# --- schedulers ------------------------------------------------------------------
# The comparison set, in the order of the report.
BL_SCHEDS="fifo pfifo_fast prio htb cake cake_mqtt mqos mqos_hook floor"
# Packets/s (udp blasters, pktgen): the qdiscs themselves, no rows of load.
BL_PPS_SCHEDS="fifo pfifo_fast prio htb cake mqos mqos_hook"

bl_sched_label() {
	case "$1" in
	idle) echo "idle link (no load)" ;;
	fifo) echo "bloated FIFO (tbf, 2 MB)" ;;
	pfifo_fast) echo "pfifo_fast (behind tbf)" ;;
	prio) echo "prio + priomap (behind tbf)" ;;
	htb) echo "HTB, prio classes" ;;
	cake) echo "CAKE diffserv4" ;;
	cake_mqtt) echo "CAKE diffserv4 + MQTT mark" ;;
	mqos) echo "mqos" ;;
	mqos_hook) echo "mqos + hook (sticky)" ;;
	floor) echo "loaded floor (bypass)" ;;
	*) echo "$1" ;;
	esac
}

# Forwarded packets get skb->priority = rt_tos2priority(TOS): EF -> 4
# (interactive-bulk), TOS 0x10 -> 6, CS1 and 0 -> 0, TOS 0x08 -> 2.
# This priomap sends 4 and 6 to band 0, 2 (bulk) to band 2, the rest to 1.
BL_PRIOMAP="1 1 2 1 0 1 0 0 1 1 1 1 1 1 1 1"

# bl_sched NAME RATE: put scheduler NAME on g1, shaping to RATE (tc units),
# or unshaped if RATE is "none". The bottleneck is always g1's qdisc.
bl_sched() {
	local name=$1 rate=$2 tbf
	n_gw tc qdisc del dev g1 root 2>/dev/null
	# Only the mqos_hook row runs with the netfilter hook on, only the
	# cake_mqtt row with the nft mark.
	bl_have_mqosctl && n_gw "$BL_MQOSCTL" hook set off > /dev/null 2>&1
	bl_mqtt_mark off
	if [ "$rate" = none ]; then
		tbf="tbf rate 10gbit burst 1mb limit 2mb"
	else
		tbf="tbf rate $rate burst 10k limit 2mb"
	fi
	case "$name" in
	idle|fifo)
		n_gw tc qdisc add dev g1 root handle 1: $tbf ;;
	pfifo_fast|prio)
		local child=pfifo_fast
		[ "$name" = prio ] && child="prio bands 3 priomap $BL_PRIOMAP"
		if [ "$rate" = none ]; then
			n_gw tc qdisc add dev g1 root handle 1: $child
		else
			# The shaper makes the bottleneck; the child holds the queue
			# and decides the order (tbf dequeues from it).
			n_gw tc qdisc add dev g1 root handle 1: $tbf &&
			n_gw tc qdisc add dev g1 parent 1:1 handle 10: $child
		fi ;;
	htb)
		local r=$rate
		[ "$r" = none ] && r=10gbit
		n_gw tc qdisc add dev g1 root handle 1: htb default 20 &&
		n_gw tc class add dev g1 parent 1: classid 1:1 htb rate "$r" ceil "$r" quantum 1514 &&
		n_gw tc class add dev g1 parent 1:1 classid 1:10 htb prio 0 quantum 1514 \
			rate "$(bl_frac "$r" 20)" ceil "$r" &&
		n_gw tc class add dev g1 parent 1:1 classid 1:20 htb prio 1 quantum 1514 \
			rate "$(bl_frac "$r" 70)" ceil "$r" &&
		n_gw tc class add dev g1 parent 1:1 classid 1:30 htb prio 2 quantum 1514 \
			rate "$(bl_frac "$r" 10)" ceil "$r" &&
		# DSCP: EF, CS5, CS6, CS7 -> 1:10; CS1 -> 1:30; the rest 1:20.
		for ds in 0xb8 0xa0 0xc0 0xe0; do
			n_gw tc filter add dev g1 parent 1: protocol ip prio 1 u32 \
				match ip dsfield $ds 0xfc flowid 1:10 || return 1
		done &&
		n_gw tc filter add dev g1 parent 1: protocol ip prio 2 u32 \
			match ip dsfield 0x20 0xfc flowid 1:30 ;;
	cake|cake_mqtt)
		[ "$name" = cake ] || bl_mqtt_mark on || return 1
		if [ "$rate" = none ]; then
			n_gw tc qdisc add dev g1 root handle 1: cake unlimited diffserv4
		else
			n_gw tc qdisc add dev g1 root handle 1: cake bandwidth "$rate" diffserv4
		fi ;;
	mqos|mqos_hook|floor)
		# floor: the load on mqos; the measured messages take g2.
		n_gw tc qdisc add dev g1 root handle 1: mqos || return 1
		[ "$rate" = none ] || bl_mqos_rate "$rate" || return 1
		# Sticky flow classes: a connection rides the class its highest
		# PUBLISH earned, both directions (docs/design.md section 3).
		[ "$name" = mqos_hook ] && n_gw "$BL_MQOSCTL" hook set on mode sticky
		return 0 ;;
	*)
		echo "bl_sched: unknown scheduler $name" >&2; return 1 ;;
	esac
}

# bl_frac RATE PCT: PCT % of a tc rate ("20mbit" -> "4000kbit").
bl_frac() {
	awk -v r="$1" -v p="$2" 'BEGIN {
		n = r + 0; u = r; sub(/^[0-9.]+/, "", u)
		m = (u == "gbit") ? 1e9 : (u == "mbit") ? 1e6 : (u == "kbit") ? 1e3 : 1
		printf "%dkbit\n", n * m * p / 100 / 1000 }'
}

# bl_mqos_rate RATE: the mqos device rate, through mqosctl when it works,
# else through the rtnetlink test client.
bl_mqos_rate() {
	if bl_have_mqosctl; then
		n_gw "$BL_MQOSCTL" dev set g1 rate "$1"
	else
		n_gw "$BL_TOOLS/mqos_tc" g1 change rate "$1"
	fi
}

# bl_mqos_p99 CLASS KIND: p99 (ms) of mqos's class CLASS (its id) on g1,
# from the class's histogram in `mqosctl stats -j`: KIND "delay" (every
# packet) or "sparse_delay" (its sparse flows'); "nan" when there is none.
bl_mqos_p99() {
	n_gw "$BL_MQOSCTL" stats -j g1 2>/dev/null | python3 -c 'import json, sys
try:
    c = [c for c in json.load(sys.stdin)["devices"][0]["classes"]
         if c["class"] == int(sys.argv[1])][0]
    if not c[sys.argv[2]]["count"]:
        raise ValueError
    print("%.3f" % (c[sys.argv[2]]["p99_ns"] / 1e6))
except Exception:
    print("nan")' "$1" "$2"
}

# Nothing queued anywhere on the path (g1, and the modem if any).
bl_drained() {
	! n_gw tc -s qdisc show dev g1 | grep -qE 'backlog [1-9]' &&
	! n_rcv tc -s qdisc show dev ifb0 2>/dev/null | grep -qE 'backlog [1-9]'
}

bl_drain() { wait_for 100 bl_drained; }

# --- pktgen ----------------------------------------------------------------------
# The kernel's packet generator on a dummy device in the current namespace,
# xmit_mode queue_xmit: every packet goes through dev_queue_xmit() and the
# root qdisc, and the dummy driver frees it. What is measured is the
# qdisc's enqueue + dequeue (and the stack around it), nothing downstream.
BL_PG=/proc/net/pktgen
BL_PG_DEV=mqbdum0
bl_pg() { echo "$2" > "$BL_PG/$1"; }

# bl_pktgen_setup DST: the dummy device and pktgen's flows to DST; false
# (and a note) if pktgen cannot be loaded or refuses a setting.
bl_pktgen_setup() {
	local c
	modprobe pktgen 2>/dev/null && [ -e $BL_PG/pgctrl ] || return 1
	ip link add $BL_PG_DEV type dummy 2>/dev/null || return 1
	ip link set $BL_PG_DEV txqueuelen 1000 up
	bl_pg kpktgend_0 rem_device_all
	bl_pg kpktgend_0 "add_device $BL_PG_DEV"
	# 60-byte frames (64 on a wire), 1000 UDP flows (random source
	# ports), one new skb per packet (queue_xmit allows no clones).
	for c in "xmit_mode queue_xmit" "count 0" "delay 0" "pkt_size 60" \
		"dst $1" "dst_mac 02:00:00:00:02:02" "udp_src_min 10000" \
		"udp_src_max 10999" "udp_dst_min 9" "udp_dst_max 9" "flag UDPSRC_RND"; do
		bl_pg $BL_PG_DEV "$c" || { echo "# pktgen: '$c' refused" >&2; return 1; }
	done
}

# bl_pktgen_run SECS: send through the device's root qdisc for SECS;
# prints "PPS ERRORS" (packets/s, and the packets the qdisc refused).
bl_pktgen_run() {
	local pid r
	echo start > $BL_PG/pgctrl &
	pid=$!
	sleep "$1"
	echo stop > $BL_PG/pgctrl
	wait "$pid" 2>/dev/null
	r=$(cat $BL_PG/$BL_PG_DEV)
	echo "$(echo "$r" | sed -n 's/.* \([0-9][0-9]*\)pps.*/\1/p' | head -1)" \
		"$(echo "$r" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | head -1)"
}

bl_pktgen_cleanup() {
	bl_pg kpktgend_0 rem_device_all
	ip link del $BL_PG_DEV 2>/dev/null
}

# --- load ------------------------------------------------------------------------
BL_LOAD_PIDS=()
# A background load generator: remembered for cleanup and for bl_stop_load.
bl_bg() {
	bg "$@"
	BL_LOAD_PIDS+=($!)
}

# bl_bulk SECONDS TOS FILE: 4 TCP streams (iperf3 -J: the TCG guest's
# iperf3 prints nothing in normal mode); the first 2 s (slow start) are
# omitted from the result.
bl_bulk() {
	bl_bg n_snd iperf3 -c "$RCV_IP" -p $BL_IPERF_PORT -P 4 -t "$1" -O 2 \
		-S "$2" -J > "$3" 2>&1
	BL_BULK_PID=$!
}

# bl_telemetry SECONDS [TAG]: 10 QoS 0 connections, 20 messages/s each.
# The measured messages (telemetry, alarms, probes) go to $BL_DST, the
# broker's address on the bottleneck unless a row says otherwise.
BL_DST=$RCV_IP
bl_telemetry() {
	bl_bg n_snd "$BL_TOOLS/mqttlat" pub -h "$BL_DST" -p $BL_MQTT_PORT -q 0 \
		-n 10 -i 50 -b 1 -s 200 -d "$1" -t site/telemetry -g "${2:-tel}" \
		> "$BL_OUT/telemetry.out" 2>&1
}

# bl_probes SECONDS TAG: EF probes every 10 ms, and CS6 "control" probes
# every 100 ms.
bl_probes() {
	bl_bg n_snd "$BL_TOOLS/udpprobe" send "$BL_DST" $BL_PROBE_PORT 10000 "$1" \
		0xb8 64 "$2" > /dev/null
	bl_bg n_snd "$BL_TOOLS/udpprobe" send "$BL_DST" $BL_CTL_PORT 100000 "$1" \
		0xc0 64 "$2" > /dev/null
}

# bl_alarms TAG SECONDS INTERVAL_MS BURST: QoS 2 alarms (foreground).
bl_alarms() {
	n_snd "$BL_TOOLS/mqttlat" pub -h "$BL_DST" -p $BL_MQTT_PORT -q 2 \
		-t site/alarm -i "$3" -b "$4" -s 64 -d "$2" -g "$1"
}

# bl_noisy SECONDS TAG: the noisy neighbour, a second device
# ($BL_NOISY_IP) publishing 1 kB QoS 2 messages as fast as the broker
# acknowledges (20 unacknowledged at most, mosquitto's default), always
# over the bottleneck (background).
bl_noisy() {
	bl_bg n_snd "$BL_TOOLS/mqttlat" pub -h "$RCV_IP" -p $BL_MQTT_PORT -q 2 \
		-B $BL_NOISY_IP -t site/noisy -s 1000 -w 20 -d "$1" -g "$2" \
		> "$BL_OUT/noisy-$2.out" 2>&1
}

# bl_events TAG SECONDS: QoS 1 events, 10 per second (background).
bl_events() {
	bl_bg n_snd "$BL_TOOLS/mqttlat" pub -h "$RCV_IP" -p $BL_MQTT_PORT -q 1 \
		-t site/event -i 100 -b 1 -s 128 -d "$2" -g "$1" > /dev/null 2>&1
}

# Stop the load generators started since the last call (not the services).
bl_stop_load() {
	local p
	for p in "${BL_LOAD_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${BL_LOAD_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	BL_LOAD_PIDS=()
	return 0
}

# bl_tx_bytes: bytes sent on g1 so far (L2 bytes, as the qdiscs count).
bl_tx_bytes() { n_gw cat /sys/class/net/g1/statistics/tx_bytes; }
bl_tx_packets() { n_gw cat /sys/class/net/g1/statistics/tx_packets; }

# --- numbers ---------------------------------------------------------------------
# bl_lat_table FILE P...: for every tag of FILE (column 1), the P-th
# percentiles (nearest rank) of its latencies (column 3, us), in ms with two
# decimals: "TAG P1 P2 ...". One sort and one awk for the whole file: the
# demo's verdict needs twenty of them, and every process costs under TCG.
bl_lat_table() {
	local f=$1
	shift
	sort -k1,1 -k3,3n "$f" | awk -v ps="$*" '
	function flush(   i, k, r) {
		if (tag == "") return
		r = tag
		for (k = 1; k <= np; k++) {
			i = int(p[k] / 100 * n + 0.999999); if (i < 1) i = 1; if (i > n) i = n
			r = r sprintf(" %.2f", v[i] / 1000)
		}
		print r
	}
	BEGIN { np = split(ps, p, " ") }
	$1 != tag { flush(); tag = $1; n = 0 }
	{ v[++n] = $3 }
	END { flush() }'
}

# bl_lat FILE TAG P: P-th percentile of TAG's latencies in FILE, in ms
# ("nan" if TAG has none).
bl_lat() {
	awk -v t="$2" '$1 == t' "$1" | bl_lat_table - "$3" |
		awk '{ print $2; f = 1 } END { if (!f) print "nan" }'
}

bl_count() { awk -v t="$2" '$1 == t' "$1" | wc -l; }

# bl_goodput FILE: iperf3 -J receiver bits/s.
bl_goodput() {
	python3 -c 'import json,sys
try:
    print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))
except Exception:
    print(0)' "$1"
}

# bl_bits RATE: a tc rate in bit/s.
bl_bits() { bl_frac "$1" 100 | awk '{ print ($1 + 0) * 1000 }'; }
