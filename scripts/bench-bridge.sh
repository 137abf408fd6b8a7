# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# MQTT bridged over TLS (docs/tls.md, topology 1) under saturating bulk:
# the bench's "bridge" phase (scripts/bench --phases bridge,
# docs/benchmarks.md) and the traffic of `scripts/demo --bridge`.
# Sourced after scripts/bench-lib.sh.
#
#   devices ($NS_SND)     gateway ($NS_GW)                    cloud ($NS_RCV)
#   QoS 2 alarms,  --->  mosquitto 192.0.2.1:1883 --TLS x3--> g1 [qdisc] --> mosquitto
#   telemetry and        (one bridge per class, nft mark        :8883 on 198.51.100.2
#   bulk topics          by alias port)                          and 203.0.113.2;
#                        mosquitto 192.0.2.1:1884: the same,     subscriber
#                        but its alarm bridge takes g2 (no       on 127.0.0.1:1883
#                        shaper; the loaded floor)
#   iperf3 -c, DSCP 0 -----------------------------------------> g1 --> iperf3 -s
#
# The devices publish to the gateway's broker; the alarm bridge carries
# their alarms (QoS 2 on both legs) to the cloud, where a subscriber
# takes the publish -> delivery time from the payload. Only the qdisc on
# g1 changes from row to row; the bridges, their marks and the load are
# the same in every row. The loaded floor row is the mqos row with the
# devices publishing to the second gateway broker, whose alarm bridge
# goes to the cloud broker's second address over the bypass, so that the
# alarms wait in no queue; its telemetry and bulk bridges, iperf3 and the
# broker's work stay as in the mqos row.

. "$(dirname "${BASH_SOURCE[0]}")/../selftests/tls_bridge_lib.sh"

# The rows, in the order of the report.
BB_SCHEDS="pfifo_fast cake cake_tls mqos floor"
BB_GW_PORT=1883		# the gateway broker whose bridges cross g1
BB_FLOOR_PORT=1884	# the one whose bridges take the bypass g2 -- r1
BB_DIR=$BL_OUT/bridge
BB_INTERVAL_MS=100	# one alarm every 100 ms

# bb_setup [floor]: the test certificates, the gateway's marks and
# translation, the cloud broker, the gateway broker (with "floor", a
# second one whose alarm bridge takes the bypass), the alarm subscriber,
# iperf3 -s.
bb_setup() {
	local clouds=$RCV_IP
	mkdir -p "$BB_DIR"
	[ "${1:-}" = floor ] && clouds="$RCV_IP $BL_BYPASS_IP"
	# shellcheck disable=SC2086 # one or two addresses
	tlsb_certs "$BB_DIR" $clouds ||
		{ echo "openssl cannot make the test certificates (needs OpenSSL 3)" >&2; return 1; }
	# shellcheck disable=SC2086
	tlsb_nft $clouds || { echo "nft: the bridges' marks and translation failed" >&2; return 1; }
	# shellcheck disable=SC2086
	tlsb_cloud_conf "$BB_DIR" $clouds > "$BB_DIR/cloud.conf"
	bg n_rcv mosquitto -c "$BB_DIR/cloud.conf" > "$BB_DIR/cloud.log" 2>&1
	wait_for 100 n_rcv sh -c "ss -ltnH | grep -q '$RCV_IP:$TLSB_PORT '" ||
		{ echo "the cloud broker did not start" >&2; return 1; }
	tlsb_gw_conf "$BB_DIR" "$GW_IP_S" $BB_GW_PORT "$RCV_IP" gw > "$BB_DIR/gw.conf"
	bg n_gw mosquitto -c "$BB_DIR/gw.conf" > "$BB_DIR/gw.log" 2>&1
	if [ "${1:-}" = floor ]; then
		tlsb_gw_conf "$BB_DIR" "$GW_IP_S" $BB_FLOOR_PORT "$RCV_IP" floor "$BL_BYPASS_IP" \
			> "$BB_DIR/gw-floor.conf"
		bg n_gw mosquitto -c "$BB_DIR/gw-floor.conf" > "$BB_DIR/gw-floor.log" 2>&1
	fi
	bb_bridges_up || { echo "the TLS bridges are not up: $(tail -3 "$BB_DIR/gw.log")" >&2; return 1; }
	bg n_rcv "$BL_TOOLS/mqttlat" sub -h 127.0.0.1 -p 1883 -q 2 -t 'site/alarm/#' -d 0 \
		> "$BB_DIR/alarm.lat" 2> "$BB_DIR/sub.err"
	wait_for 100 grep -q ready "$BB_DIR/sub.err" || { echo "alarm subscriber not ready" >&2; return 1; }
	if ! n_rcv ss -ltn | grep -q ":$BL_IPERF_PORT "; then
		bl_iperf_server || { echo "iperf3 -s did not start" >&2; return 1; }
	fi
}

# bb_bridges_up: wait (up to 15 s) until every bridge is connected: a
# bridge that lost its connection under load reconnects within a second
# (restart_timeout 1) plus a TLS handshake.
bb_bridges_up() {
	[ -s "$BB_DIR/gw-floor.conf" ] || { wait_for 150 tlsb_bridges_up "$RCV_IP"; return; }
	wait_for 150 _bb_floor_up
}
# Both gateway brokers' bridges: five cross g1, the floor's alarm bridge g2.
_bb_floor_up() {
	[ "$(tlsb_bridges "$RCV_IP")" = "$TLSB_P_ALARM $TLSB_P_TELE $TLSB_P_TELE $TLSB_P_BULK $TLSB_P_BULK " ] &&
	[ "$(tlsb_bridges "$BL_BYPASS_IP")" = "$TLSB_P_ALARM " ]
}

# bb_sched NAME RATE: the row's qdisc on g1 (bl_sched's, plus for CAKE +
# TLS mark the one nft rule for port 8883, for mqos the per-bridge fw
# filters of docs/tls.md). The floor row is mqos's. RATE "none": unshaped
# (the demo's pfifo_fast run, where the queue forms in the modem).
bb_sched() {
	case "$1" in
	pfifo_fast|cake) bl_sched "$1" "$2" ;;
	cake_tls) bl_sched cake "$2" && bl_mqtt_mark on "$TLSB_PORT" ;;
	mqos|floor) bl_sched mqos "$2" && tlsb_fw_filters g1 ;;
	*) echo "bb_sched: unknown row $1" >&2; return 1 ;;
	esac
}

bb_sched_label() {
	case "$1" in
	pfifo_fast) echo "pfifo_fast (behind tbf)" ;;
	cake) echo "CAKE diffserv4" ;;
	cake_tls) echo "CAKE diffserv4 + TLS port mark" ;;
	mqos) echo "mqos, per-bridge classes" ;;
	floor) echo "loaded floor (bridges bypass)" ;;
	*) echo "$1" ;;
	esac
}

# bb_bridge_load PORT SECONDS: what the other two bridges carry, from the
# devices to the gateway broker on PORT (background): telemetry (QoS 0,
# 10 messages/s of 120 B) and a bulk topic (QoS 0, 5000 B every 50 ms,
# 0.8 Mbit/s).
bb_bridge_load() {
	bl_bg n_snd "$BL_TOOLS/mqttlat" pub -h "$GW_IP_S" -p "$1" -q 0 -t site/telemetry/1 \
		-i 100 -b 1 -s 120 -d "$2" -g bb-tele > /dev/null 2>&1
	bl_bg n_snd "$BL_TOOLS/mqttlat" pub -h "$GW_IP_S" -p "$1" -q 0 -t site/bulk/1 \
		-i 50 -b 1 -s 5000 -d "$2" -g bb-bulk > /dev/null 2>&1
}

# bb_alarms PORT TAG SECONDS: QoS 2 alarms to the gateway broker on PORT
# (foreground); prints how many the gateway broker acknowledged.
bb_alarms() {
	n_snd "$BL_TOOLS/mqttlat" pub -h "$GW_IP_S" -p "$1" -q 2 -t site/alarm/1 \
		-i $BB_INTERVAL_MS -b 1 -s 120 -d "$3" -g "$2" 2>&1 | awk '/^published/ { print $4 }'
}

# bb_retrans: TCP segments the gateway's own sockets (the bridges)
# retransmitted so far; forwarded traffic is not counted.
bb_retrans() {
	n_gw awk '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Tcp:" { print $c["RetransSegs"] }' /proc/net/snmp
}

# bb_delivered TAG: alarms of TAG the cloud subscriber has received.
bb_delivered() { awk -v t="$1" '$1 == t' "$BB_DIR/alarm.lat" | wc -l; }

# bb_run RUN SCHED SECONDS RATE: one row: the qdisc (bb_sched SCHED
# RATE), bulk TCP (4 iperf3 streams, DSCP 0) over g1 and the other
# bridges' load, then SECONDS of alarms once the streams are past their
# slow start. Sets BB_PUBLISHED (alarms the gateway broker acknowledged),
# BB_MBIT (g1's rate during the alarms, Mbit/s), BB_SHORT (1 if the bulk
# streams ended before the alarms did), BB_MARKED (packets the port rule
# marked, CAKE + TLS mark). The alarms' tag is br-SCHED-RUN.
bb_run() {
	local s=$2 secs=$3 tag=br-$2-$1 port=$BB_GW_PORT len b0 b1 t0 t1
	BB_PUBLISHED=0 BB_MBIT=nan BB_SHORT=0 BB_MARKED=
	bb_sched "$s" "$4" || { echo "# bridge $s: setup failed" >&2; bl_mqtt_mark off; return 1; }
	[ "$s" = floor ] && port=$BB_FLOOR_PORT
	bb_bridges_up || echo "# bridge $s: a bridge is down" >&2
	# The streams outlast the alarms (their start and last acks take
	# longer than the nominal seconds on a busy guest) and are stopped
	# once the alarms are in.
	len=$((3 + secs + 10))
	bl_bulk "$len" 0 "$BB_DIR/iperf-$tag.json"
	bb_bridge_load "$port" "$len"
	sleep 3
	b0=$(bl_tx_bytes) t0=$(date +%s.%N)
	BB_PUBLISHED=$(bb_alarms "$port" "$tag" "$secs")
	b1=$(bl_tx_bytes) t1=$(date +%s.%N)
	kill -0 "$BL_BULK_PID" 2>/dev/null || BB_SHORT=1
	[ "$s" = cake_tls ] && BB_MARKED=$(bl_mqtt_mark_count)
	bl_stop_load
	bl_drain || echo "# bridge $s: queue did not drain" >&2
	# The last alarms cross the drained link.
	wait_for 100 sh -c "[ \$(awk -v t=$tag '\$1 == t' $BB_DIR/alarm.lat | wc -l) -ge ${BB_PUBLISHED:-1} ]"
	BB_MBIT=$(awk -v a="$b0" -v b="$b1" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.2f", (b - a) * 8 / (t1 - t0) / 1e6 }')
	return 0
}

# bb_phase: the bench's bridge phase, every row REPS times, interleaved.
# Uses scripts/bench's put, RATE, REPS, LONE and out/kver. The latencies
# are taken at the end, from every alarm that arrived by then: on a
# starved guest an alarm can arrive after its row's wait, and it counts,
# late, rather than as lost.
bb_phase() {
	local rep s tag m0 m1 r0 r1 sent=0 all
	bb_setup floor || { echo "bench: bridge phase: set-up failed" >&2; return 1; }
	echo "# bridge phase: alarms every $BB_INTERVAL_MS ms for $((LONE + 2)) s per row, $REPS repetitions" >&2
	for rep in $(seq 1 "$REPS"); do
		for s in $BB_SCHEDS; do
			tag=br-$s-r$rep
			m0=$(tlsb_marked "$TLSB_P_ALARM") r0=$(bb_retrans)
			bb_run "r$rep" "$s" $((LONE + 2)) "$RATE" || continue
			m1=$(tlsb_marked "$TLSB_P_ALARM") r1=$(bb_retrans)
			sent=$((sent + ${BB_PUBLISHED:-0}))
			s=br_$s
			put "$rep" "$s" alarms_sent "${BB_PUBLISHED:-0}"
			put "$rep" "$s" util_pct "$(awk -v m="$BB_MBIT" -v r="$(bl_bits "$RATE")" 'BEGIN { printf "%.1f", m * 1e6 * 100 / r }')"
			put "$rep" "$s" bulk_short_s "$BB_SHORT"
			put "$rep" "$s" alarm_marked $((m1 - m0))
			put "$rep" "$s" bridge_retrans $((r1 - r0))
			[ -n "$BB_MARKED" ] && put "$rep" "$s" marked_pkts "$BB_MARKED"
			if [ "$s" = br_mqos ]; then
				put "$rep" "$s" rt_pkts "$(tc_stat "$NS_GW" g1 class 1:2 pkts)"
				put "$rep" "$s" rt_sojourn_p99 "$(bl_mqos_p99 2 delay)"
			fi
			echo "# rep $rep bridge ${s#br_}: alarm p50 $(bl_lat "$BB_DIR/alarm.lat" "$tag" 50) ms, p99 $(bl_lat "$BB_DIR/alarm.lat" "$tag" 99) ms, $(bb_delivered "$tag")/${BB_PUBLISHED:-0} delivered so far, g1 at $BB_MBIT Mbit/s" >&2
		done
	done
	bl_mqtt_mark off
	# The stragglers: up to 30 s more for every acknowledged alarm.
	wait_for 300 sh -c "[ \$(grep -c '^br-' $BB_DIR/alarm.lat) -ge $sent ]"
	all=$(grep -c '^br-' "$BB_DIR/alarm.lat")
	[ "$all" -ge "$sent" ] || echo "# bridge phase: $all of $sent alarms arrived" >&2
	bl_lat_table "$BB_DIR/alarm.lat" 50 90 99 > "$BB_DIR/alarm.pct"
	for rep in $(seq 1 "$REPS"); do
		for s in $BB_SCHEDS; do
			tag=br-$s-r$rep
			put "$rep" "br_$s" alarms_delivered "$(bb_delivered "$tag")"
			awk -v t="$tag" '$1 == t { print $2, $3, $4 }' "$BB_DIR/alarm.pct" | {
				read -r p50 p90 p99 || exit 0
				put "$rep" "br_$s" alarm_p50 "$p50"
				put "$rep" "br_$s" alarm_p90 "$p90"
				put "$rep" "br_$s" alarm_p99 "$p99"
			}
		done
	done
	# shellcheck disable=SC2154 # scripts/bench's
	mkdir -p "$out/lat-$kver" && cp "$BB_DIR/alarm.lat" "$out/lat-$kver/bridge-alarm.lat"
	# The brokers' logs: a bridge that reconnected shows there.
	for f in "$BB_DIR"/*.log; do cp "$f" "$out/lat-$kver/bridge-$(basename "$f")"; done
}
