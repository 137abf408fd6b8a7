#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, shortened (6 s per run): an IoT gateway on a congested 20
# Mbit/s uplink, first with pfifo_fast on its egress (the queue forms in
# the modem), then with CAKE and a one-rule MQTT mark (if nft is there),
# then with mqos and userspace/examples/gateway.conf. Asserts
# the direction of the result, not absolute times (the TCG guest is slow
# and noisy): the MQTT QoS 2 alarms' p99 delivery delay is lower with mqos
# than with pfifo_fast, every alarm arrived, every mqos class saw traffic.
dir=$(mktemp -d /tmp/mqos-demo-short.XXXXXX)
trap 'rm -rf "$dir"' EXIT
# bench-lib.sh brings lib.sh (KTAP) and the percentile helpers; source it
# once, before the plan, since lib.sh starts the KTAP counters.
BL_OUT=$dir
. "$(dirname "$0")/../scripts/bench-lib.sh"

ktap_plan 5
require_root
require_cmd tc ip mosquitto iperf3 gcc

out=$dir/out
mkdir -p "$out"
"$REPO_DIR/scripts/demo" --in-vm "$out" "${MQOS_DEMO_SHORT_SECONDS:-6}" > "$dir/log" 2>&1
rc=$?
sed 's/^/# /' "$dir/log"
ktap_result "the shortened demo ran (exit $rc)" $rc

a=$(bl_lat "$out/mqtt.lat" pfifo_fast-alarm 99 2>/dev/null)
b=$(bl_lat "$out/mqtt.lat" mqos-alarm 99 2>/dev/null)
ktap_timing "alarm p99 with mqos ($b ms) < with pfifo_fast ($a ms)" \
	"$(awk -v a="${a:-nan}" -v b="${b:-nan}" 'BEGIN { exit !(a != "nan" && b != "nan" && b + 0 < a + 0) }'; echo $?)"

na=$(bl_count "$out/mqtt.lat" pfifo_fast-alarm 2>/dev/null)
nb=$(bl_count "$out/mqtt.lat" mqos-alarm 2>/dev/null)
ktap_result "alarms delivered in both runs (pfifo_fast ${na:-0}, mqos ${nb:-0})" \
	"$([ "${na:-0}" -gt 0 ] && [ "${nb:-0}" -gt 0 ] && [ "$na" -ge $((nb - 2)) ] && [ "$nb" -ge $((na - 2)) ]; echo $?)"

# Every configured class carried packets (control: CS6 probes, realtime:
# EF probes and QoS 2 alarms, assured: QoS 1 events, best-effort: QoS 0
# telemetry, bulk: CS1 TCP).
idle=$(awk '$1 == "class" { for (i = 3; i < NF; i++) if ($i == "sent_packets" && $(i+1) == 0) print $2 }' \
	"$out/mqos-stats.raw" 2>/dev/null | tr '\n' ' ')
ncls=$(grep -c '^class ' "$out/mqos-stats.raw" 2>/dev/null)
ktap_result "every mqos class saw traffic (${ncls:-0} classes; idle: ${idle:-none})" \
	"$([ "${ncls:-0}" -ge 5 ] && [ -z "$idle" ]; echo $?)"

ktap_result "the demo wrote its verdict" "$([ -s "$out/verdict.txt" ]; echo $?)"
ktap_finish
