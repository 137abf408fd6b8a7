# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# `scripts/demo --bridge`, in the VM: sourced by scripts/demo once the
# topology and the modem (tbf $UPLINK on the cloud side) are up. The
# devices publish to a broker on the gateway, which bridges to the cloud
# broker over TLS, one bridge per class (docs/tls.md, topology 1;
# scripts/bench-bridge.sh): QoS 2 alarms every 100 ms, telemetry and a
# bulk topic over the other two bridges, while 4 bulk TCP streams (DSCP 0)
# saturate the uplink. Three runs of $secs seconds of alarms:
#   pfifo_fast on g1 (the queue forms in the modem);
#   CAKE diffserv4 at 18 Mbit/s + the one nft rule an admin adds for MQTT
#     over TLS (tcp dport 8883 -> DSCP EF, every bridge);
#   mqos at 18 Mbit/s, each bridge in its class by its nft mark and a tc
#     fw filter (alarms realtime, telemetry best-effort, bulk bulk).
# Prints the table and the verdict (also $out/verdict.txt).

. scripts/bench-bridge.sh

bb_setup || { echo "demo: the TLS bridges could not be set up" >&2; exit 1; }
echo "== gateway broker $GW_IP_S:$BB_GW_PORT, three TLS bridges (alarms, telemetry, bulk) to the cloud broker $RCV_IP:$TLSB_PORT, up"

RUNS="pfifo_fast cake_tls mqos"
if ! bb_sched cake_tls 18mbit > /dev/null 2>&1; then
	RUNS="pfifo_fast mqos"
	echo "== NOTE: this kernel cannot run CAKE with the nft mark (sch_cake missing): no CAKE run"
fi
bl_mqtt_mark off

# demo_bridge_run V RATE: one run, with the guest's CPU use and timer
# lateness beside it (scripts/demo's cpu_ticks and timer_lateness).
declare -A PUB MBIT
demo_bridge_run() {
	local c0
	c0=$(cpu_ticks)
	timer_lateness $((secs + 3)) "$out/late-$1"
	bb_run demo "$1" "$secs" "$2" || { echo "demo: configuring $1 failed" >&2; exit 1; }
	echo "$c0 $(cpu_ticks)" | awk '{ b = $3 - $1; i = $4 - $2
		printf "%.0f\n", (b + i > 0 ? 100 * b / (b + i) : 0) }' > "$out/cpu-$1"
	PUB[$1]=$BB_PUBLISHED MBIT[$1]=$BB_MBIT
}

i=0
n=$(echo "$RUNS" | wc -w)
for v in $RUNS; do
	i=$((i + 1))
	echo
	case $v in
	pfifo_fast)
		echo "== run $i/$n: without mqos (pfifo_fast on g1; the modem's buffer holds the queue), ${secs}s of alarms"
		demo_bridge_run pfifo_fast none ;;
	cake_tls)
		echo "== run $i/$n: CAKE diffserv4 18 Mbit/s + nft 'tcp dport $TLSB_PORT ip dscp set ef' on g1, ${secs}s of alarms"
		demo_bridge_run cake_tls 18mbit ;;
	mqos)
		echo "== run $i/$n: mqos on g1 (18 Mbit/s; marks 2/4/5 by bridge -> classes realtime/best-effort/bulk by tc fw), ${secs}s of alarms"
		demo_bridge_run mqos 18mbit
		echo
		echo "== mqos classes on g1 after the run"
		if bl_have_mqosctl; then
			n_gw "$BL_MQOSCTL" stats g1 | tee "$out/stats-mqos.txt"
		else
			n_gw tc -s class show dev g1 | tee "$out/stats-mqos.txt"
		fi
		echo "== nft: packets marked per bridge: alarms $(tlsb_marked "$TLSB_P_ALARM"), telemetry $(tlsb_marked "$TLSB_P_TELE"), bulk $(tlsb_marked "$TLSB_P_BULK")" ;;
	esac
done
cp "$BB_DIR/alarm.lat" "$out/bridge-alarm.lat"

# ---------------------------------------------------------------- verdict ----
declare -A P
while read -r tag p50 p90 p99; do
	P[$tag]="$p50 $p90 $p99"
done < <(bl_lat_table "$BB_DIR/alarm.lat" 50 90 99)
pct() { local q; read -r -a q <<< "${P[br-$1-demo]:-nan nan nan}"; echo "${q[$2]}"; }
row() {
	local name=$1 c
	shift
	printf '   %-40s' "$name"
	for c in "$@"; do printf ' %20s' "$c"; done
	echo
}
{
	echo "== verdict, MQTT bridged over TLS (kernel $(uname -r)$( [ "${MQOS_IN_VM:-0}" = 1 ] && echo ', qemu TCG'))"
	heads=()
	for v in $RUNS; do
		case $v in cake_tls) heads+=("CAKE + TLS mark") ;; *) heads+=("$v") ;; esac
	done
	row "QoS 2 alarms, device -> cloud (ms)" "${heads[@]}"
	for k in "p50:0" "p90:1" "p99:2"; do
		cells=(); for v in $RUNS; do cells+=("$(pct "$v" "${k#*:}")"); done
		row "  ${k%:*}" "${cells[@]}"
	done
	cells=(); for v in $RUNS; do cells+=("$(awk -v t="br-$v-demo" '$1 == t' "$BB_DIR/alarm.lat" | wc -l)/${PUB[$v]}"); done
	row "alarms delivered / published" "${cells[@]}"
	cells=(); for v in $RUNS; do cells+=("${MBIT[$v]}"); done
	row "g1 sent during the alarms (Mbit/s)" "${cells[@]}"
	cells=(); for v in $RUNS; do cells+=("$(cat "$out/cpu-$v")"); done
	row "guest CPU busy during the run (%)" "${cells[@]}"
	cells=(); for v in $RUNS; do cells+=("$(sed 's| | / |' "$out/late-$v")"); done
	row "10 ms timer late by, p50 / p99 (ms)" "${cells[@]}"
	echo
	a=$(pct pfifo_fast 2) b=$(pct mqos 2) c=$(pct cake_tls 2)
	awk -v a="$a" -v b="$b" -v s="$secs" 'BEGIN {
		if (a == "nan" || b == "nan") { print "   No verdict: alarms were not delivered in one of the runs."; exit }
		if (b < a)
			printf "   With mqos, 99%% of the QoS 2 alarms crossed the TLS bridge to the cloud\n   subscriber within %.0f ms; without it (pfifo_fast, queue in the modem)\n   within %.0f ms: %.1fx faster, under the same %d s of saturating bulk TCP.\n", b, a, a / b, s
		else
			printf "   mqos did NOT help this time: alarm p99 %.0f ms with mqos vs %.0f ms without.\n", b, a
	}'
	case " $RUNS " in *" cake_tls "*)
		awk -v c="$c" -v b="$b" 'BEGIN {
			if (c == "nan" || b == "nan") { print "   CAKE + TLS mark: no comparison (alarms missing in one of the runs)."; exit }
			if (b < c)
				printf "   Against CAKE with the port-8883 mark (every bridge EF, bulk included),\n   mqos'"'"'s alarm p99 was %.0f ms vs %.0f ms: %.1fx lower.\n", b, c, c / b
			else
				printf "   CAKE with the port-8883 mark did as well or better on the alarms:\n   p99 %.0f ms vs %.0f ms with mqos.\n", c, b
		}' ;;
	esac
	for v in $RUNS; do
		read -r _ l99 < "$out/late-$v" 2>/dev/null
		[ "$(cat "$out/cpu-$v")" -lt 90 ] && awk -v l="${l99:-0}" 'BEGIN { exit !(l < 20) }' && continue
		echo "   WARNING: in the $v run the guest's CPUs were $(cat "$out/cpu-$v")% busy and a"
		echo "   10 ms timer woke up to ${l99:-?} ms late: packets waited for the (emulated)"
		echo "   CPUs, not only in queues, so these delays say little about any"
		echo "   scheduler. Run the demo on a quiet machine (nothing else using the cores)."
	done
} | tee "$out/verdict.txt"
