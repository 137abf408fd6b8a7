# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The downlink phase of scripts/bench, and the scenario of
# `scripts/demo --downlink`. Sourced after scripts/bench-lib.sh, in the
# topology it builds (with bl_bypass and the broker already up).
#
#   devices ($NS_SND)       gateway ($NS_GW)                  cloud ($NS_RCV)
#   command subscriber  s0 - g0 <- ifb-g1 [shaper] <- g1 <- r0 [modem]      mosquitto,
#   iperf3 -c -R                   (ingress redirect)        20 Mbit/s       command publisher,
#   floor subscriber  ...... g2 ------------------------------ r1 (no shaper)  iperf3 -s
#
# The downlink's real bottleneck is upstream of the gateway: r0's egress
# (cloud -> gateway) is a netem rate at the downlink rate with a
# modem-sized buffer. The gateway can only keep that buffer empty by
# shaping what it receives a little below the rate, on an ifb in front of
# g1: CAKE in its ingress mode, or mqos through `mqosctl ingress add`. The
# cloud sends a saturating download (iperf3 -R, 4 streams) and, meanwhile,
# MQTT QoS 2 "commands" to a device: publish (cloud) -> delivery (device
# subscriber), the publisher's clock in the payload as in the main phase.
#
# Rows (DL_ROWS): no shaping (the queue forms in the modem's buffer), CAKE
# ingress, mqos ingress, and the loaded floor (mqos ingress and the same
# download, the commands to a second subscriber connected over the bypass
# g2 - r1, which has neither the modem nor the shaper).

DL_MODEM_RATE=20mbit
DL_MODEM_LIMIT=660	# packets: 400 ms of 1514-byte frames at 20 Mbit/s
DL_SHAPE_RATE=19mbit	# 95 % of the modem's rate
DL_IFB=ifb-g1
DL_RAMP=${DL_RAMP:-3}	# the download fills the queue first
DL_SECS=${DL_SECS:-12}	# commands for this long, one every DL_INTERVAL ms
# 240 commands per row: a p99 of 60 (one every 200 ms, as before) was
# the second-largest delay, so one slow command (often a row's first:
# the publisher's start) decided it.
DL_INTERVAL=50
DL_TOPIC=dl/cmd
DL_FLOOR_TOPIC=dl/cmd-floor
DL_ROWS="dl_none dl_cake dl_mqos dl_floor"

dl_label() {
	case "$1" in
	dl_none) echo "no shaping (queue in the modem)" ;;
	dl_cake) echo "CAKE ingress 19 Mbit/s" ;;
	dl_mqos) echo "mqos ingress 19 Mbit/s" ;;
	dl_floor) echo "loaded floor (bypass)" ;;
	*) echo "$1" ;;
	esac
}

# dl_modem on|off: the cloud side's modem, r0's root qdisc, 660 packets
# of buffer. It must see wire-sized frames, as a real modem does: TCP
# hands the qdisc GSO packets of up to 64 kB whatever the device's
# features (they are split after the qdisc), and netem counts each as
# one packet: with TSO and GSO off alone, its buffer held 2 MB (0.9 s) in
# a trial run. gso_max_segs 1 makes TCP build one-segment packets.
# netem's rate rather than a tbf: netem computes a packet's departure from
# the previous one's, so a late timer (milliseconds under TCG when the
# host is busy) is caught up, as a real modem's line does not wait for a
# timer; a tbf with a 10 kB bucket loses whatever is late beyond 4 ms,
# runs below its rate and can fall below the gateway's 19 Mbit/s, which
# would make the modem the bottleneck again whatever the gateway does.
dl_modem() {
	n_rcv tc qdisc del dev r0 root 2>/dev/null
	if [ "$1" != on ]; then
		n_rcv ethtool -K r0 tso on gso on >/dev/null 2>&1
		n_rcv ip link set r0 gso_max_segs 65535 2>/dev/null
		return 0
	fi
	n_rcv ethtool -K r0 tso off gso off >/dev/null 2>&1 &&
	n_rcv ip link set r0 gso_max_segs 1 ||
		echo "# downlink: could not make r0 send wire-sized frames (ethtool, gso_max_segs)" >&2
	n_rcv tc qdisc add dev r0 root netem rate $DL_MODEM_RATE limit $DL_MODEM_LIMIT
}

# dl_sub HOST TOPIC FILE: a QoS 2 command subscriber on the device side.
dl_sub() {
	bg n_snd "$BL_TOOLS/mqttlat" sub -h "$1" -p $BL_MQTT_PORT -q 2 -t "$2" -d 0 \
		> "$3" 2>"$3.err"
	wait_for 100 grep -q ready "$3.err"
}

# dl_setup: the modules, the modem, the command subscribers (the
# bottleneck's, and the floor's if DL_ROWS has the floor), no qdisc of
# ours on the gateway's uplink.
dl_setup() {
	local m
	for m in ifb act_connmark act_mirred cls_matchall sch_ingress sch_cake sch_netem; do
		modprobe -q "$m" 2>/dev/null
		kernel_has "$m" || { echo "# downlink: kernel without $m" >&2; return 1; }
	done
	[ -x "$BL_MQOSCTL" ] || { echo "# downlink: userspace/mqosctl not built" >&2; return 1; }
	n_gw tc qdisc del dev g1 root 2>/dev/null
	n_gw "$BL_MQOSCTL" hook set off > /dev/null 2>&1
	dl_modem on || return 1
	dl_sub "$RCV_IP" $DL_TOPIC "$BL_OUT/dl.lat" || return 1
	case " $DL_ROWS " in *" dl_floor "*)
		dl_sub "$BL_BYPASS_IP" $DL_FLOOR_TOPIC "$BL_OUT/dl-floor.lat" ;;
	esac
}

dl_teardown() {
	dl_shaper_off
	dl_modem off
}

# dl_shaper_off: no ingress shaper on g1 (whichever row put it there).
dl_shaper_off() {
	n_gw "$BL_MQOSCTL" ingress del g1 > /dev/null 2>&1
	n_gw tc qdisc del dev g1 ingress 2>/dev/null
	n_gw ip link del $DL_IFB 2>/dev/null
	return 0
}

# dl_sched ROW: the gateway's ingress shaper of ROW. CAKE gets the same
# ifb, filter and actions that `mqosctl ingress add` makes (docs/tc.md).
dl_sched() {
	dl_shaper_off
	case "$1" in
	dl_none) ;;
	dl_cake)
		n_gw ip link add $DL_IFB type ifb &&
		n_gw ip link set $DL_IFB up &&
		n_gw tc qdisc add dev $DL_IFB root handle 1: cake bandwidth $DL_SHAPE_RATE ingress diffserv4 &&
		n_gw tc qdisc add dev g1 handle ffff: ingress &&
		n_gw tc filter add dev g1 parent ffff: protocol all prio 1 matchall \
			action connmark pipe action mirred egress redirect dev $DL_IFB ;;
	dl_mqos|dl_floor)
		# The hook stays off: on the ifb a QoS 2 PUBLISH (and the
		# PUBREL that completes its delivery) is realtime by itself;
		# dl_run counts the realtime class's packets to show it.
		n_gw "$BL_MQOSCTL" ingress add g1 rate $DL_SHAPE_RATE ifb $DL_IFB > /dev/null ;;
	*)
		echo "dl_sched: unknown row $1" >&2; return 1 ;;
	esac
}

# dl_modem_sampler SECONDS FILE: the modem's backlog, "bytes packets", once
# a second (tc prints an exact multiple of 1 KiB or 1 MiB as Kb, Mb).
dl_modem_sampler() {
	local i
	for ((i = 0; i < $1; i++)); do
		sleep 1
		n_rcv tc -s qdisc show dev r0 | awk '$1 == "backlog" {
			b = $2 + 0
			if ($2 ~ /Kb$/) b *= 1024
			if ($2 ~ /Mb$/) b *= 1048576
			print b, $3 + 0; exit }'
	done > "$2"
}

# Nothing queued in the modem or on the ifb.
dl_drained() {
	! n_rcv tc -s qdisc show dev r0 | grep -qE 'backlog [1-9]' &&
	! n_gw tc -s qdisc show dev $DL_IFB 2>/dev/null | grep -qE 'backlog [1-9]'
}

# dl_ifb_pkts CLASS: packets the mqos class CLASS sent on the ifb (0 if none).
dl_ifb_pkts() {
	local n
	n=$(tc_stat "$NS_GW" $DL_IFB class "1:$1" pkts 2>/dev/null)
	echo "${n:-0}"
}

# dl_rx_bytes: bytes the device has received (L2, as the qdiscs count).
dl_rx_bytes() { n_snd cat /sys/class/net/s0/statistics/rx_bytes; }

# dl_run REP ROW: one row under the load; its numbers through put REP ROW
# METRIC VALUE (defined by the caller). The download runs until the
# commands are done (however long the publisher overruns on a busy host)
# and is measured at the device while they run.
dl_run() {
	local rep=$1 s=$2 tag=dl-$2-r$1 topic lat pid rt0=0 rt1=0 be0=0 be1=0 sent b0 b1 t0 t1 rate
	dl_sched "$s" || { echo "# $s: setup failed" >&2; dl_shaper_off; return 0; }
	topic=$DL_TOPIC lat=$BL_OUT/dl.lat
	[ "$s" = dl_floor ] && topic=$DL_FLOOR_TOPIC lat=$BL_OUT/dl-floor.lat
	bl_bg n_snd iperf3 -c "$RCV_IP" -p $BL_IPERF_PORT -R -P 4 -t 600 > /dev/null 2>&1
	pid=$!
	sleep "$DL_RAMP"
	bl_bg dl_modem_sampler "$DL_SECS" "$BL_OUT/modem-$tag.txt"
	case "$s" in dl_mqos|dl_floor) rt0=$(dl_ifb_pkts 2) be0=$(dl_ifb_pkts 4) ;; esac
	b0=$(dl_rx_bytes); t0=$(date +%s.%N)
	n_rcv "$BL_TOOLS/mqttlat" pub -h "$RCV_IP" -p $BL_MQTT_PORT -q 2 -t "$topic" \
		-i $DL_INTERVAL -b 1 -s 64 -d "$DL_SECS" -g "$tag" > "$BL_OUT/pub-$tag.out" 2>&1
	b1=$(dl_rx_bytes); t1=$(date +%s.%N)
	case "$s" in dl_mqos|dl_floor) rt1=$(dl_ifb_pkts 2) be1=$(dl_ifb_pkts 4) ;; esac
	# Say so if the download died early: the commands then ran unloaded.
	kill -0 "$pid" 2>/dev/null
	put "$rep" "$s" dl_short $?
	bl_stop_load
	wait_for 100 dl_drained || echo "# $s: queue did not drain" >&2
	sleep 0.5	# stragglers reach the subscriber
	sent=$(awk '/^published/ { print $2 }' "$BL_OUT/pub-$tag.out")
	rate=$(awk -v b0="$b0" -v b1="$b1" -v t0="$t0" -v t1="$t1" -v r="$(bl_bits $DL_MODEM_RATE)" \
		'BEGIN { printf "%.1f", (b1 - b0) * 8 / (t1 - t0) * 100 / r }')
	put "$rep" "$s" cmd_p50 "$(bl_lat "$lat" "$tag" 50)"
	put "$rep" "$s" cmd_p99 "$(bl_lat "$lat" "$tag" 99)"
	put "$rep" "$s" cmd_delivered "$(bl_count "$lat" "$tag")"
	put "$rep" "$s" cmd_sent "${sent:-nan}"
	put "$rep" "$s" dl_rate_pct "$rate"
	# The modem's queue while the commands ran (median of the samples),
	# in ms at its rate.
	put "$rep" "$s" modem_ms "$(sort -n "$BL_OUT/modem-$tag.txt" | awk -v r="$(bl_bits $DL_MODEM_RATE)" \
		'{ v[++n] = $1 } END { if (!n) print "nan"; else printf "%.0f", v[int((n + 1) / 2)] * 8000 / r }')"
	case "$s" in dl_mqos|dl_floor)
		put "$rep" "$s" rt_pkts $((rt1 - rt0))
		put "$rep" "$s" be_pkts $((be1 - be0)) ;;
	esac
	# The queues' own counters, for the record (dl_phase keeps them).
	{
		n_rcv tc -s qdisc show dev r0
		n_gw tc -s qdisc show dev $DL_IFB 2>/dev/null
		n_gw tc -s class show dev $DL_IFB 2>/dev/null
	} > "$BL_OUT/qdisc-$tag.txt"
	[ "$s" = dl_mqos ] && n_gw "$BL_MQOSCTL" stats $DL_IFB > "$BL_OUT/stats-$tag.txt" 2>&1
	dl_shaper_off
	echo "# rep $rep $s: commands p50 $(bl_lat "$lat" "$tag" 50) p99 $(bl_lat "$lat" "$tag" 99) ms ($(bl_count "$lat" "$tag")/${sent:-?} in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s), download $rate % of the modem, realtime +$((rt1 - rt0)) best-effort +$((be1 - be0)) packets on the ifb" >&2
}

# dl_phase REPS [DIR]: the rows interleaved over REPS repetitions; the
# latencies, the publishers' output and the qdiscs' counters of every row
# into DIR if given.
dl_phase() {
	local rep s
	dl_setup || { echo "# downlink: set-up failed, phase skipped" >&2; dl_teardown; return 1; }
	echo "# downlink: modem netem rate $DL_MODEM_RATE limit $DL_MODEM_LIMIT packets on the cloud side, ingress shapers at $DL_SHAPE_RATE; $1 repetitions" >&2
	for rep in $(seq 1 "$1"); do
		for s in $DL_ROWS; do
			dl_run "$rep" "$s"
		done
	done
	dl_teardown
	[ -n "${2:-}" ] && mkdir -p "$2" &&
		cp "$BL_OUT"/dl*.lat "$BL_OUT"/pub-dl-*.out "$BL_OUT"/qdisc-dl-*.txt \
			"$BL_OUT"/stats-dl-*.txt "$BL_OUT"/modem-dl-*.txt "$2/" 2>/dev/null
	return 0
}
