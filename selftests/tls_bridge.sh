#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MQTT over TLS through a gateway broker that bridges to the cloud, one
# bridge connection per class (docs/tls.md, "Topology 1"):
#
#   device (snd ns)        gateway (gw ns)                      cloud (rcv ns)
#   mqttlat pub  --1883--> mosquitto 192.0.2.1:1883              mosquitto
#   iperf3 -c              bridge "alarms"    to :18831 -+        198.51.100.2:8883 (TLS,
#                          bridge "telemetry" to :18834 -+ DNAT     client certificates)
#                          bridge "bulk"      to :18835 -+ :8883  127.0.0.1:1883 <- mqttlat sub
#                          mqos on g1, 9 Mbit/s  -->  r0 -> ifb0 tbf 10 Mbit/s ("modem")
#
# The qdisc cannot read MQTT inside TLS, and one mosquitto process runs
# every bridge, so neither its cgroup nor its UID tells them apart. Each
# bridge connects to its own alias port of the cloud broker; on the
# gateway, nft marks the connection by that port (mark = class) and
# DNATs it to the real :8883, and a tc `fw` filter on the mqos qdisc
# turns the mark into the class. (mosquitto's bridge_bind_address would
# allow `mqosctl rule ... match src`, but Debian's mosquitto 2.0 ignores
# it: its bridges connect through the asynchronous resolver path, which
# never binds.) Under saturating bulk (four iperf3 streams, classed bulk
# by an mqosctl rule, and a flooding bulk-topic publisher whose messages
# ride the bulk bridge), QoS 2 alarms from the device reach the cloud
# subscriber:
#   1. the three bridges are up over TLS, one per alias port;
#   2. every alarm arrives;
#   3. the alarm bridge's packets are realtime: nft counted at least one
#      packet per alarm on it, and class 2 sent at least that many; the
#      telemetry and bulk bridges' packets are counted in best-effort and
#      bulk;
#   4. the bulk load saturated the uplink (so the check below means
#      something);
#   5. alarm delivery (device publish -> cloud subscriber): p50 < 100 ms,
#      p99 < 600 ms. In a 1-vCPU TCG guest on a busy 2-core host the
#      median was 9-37 ms and the p99 26-484 ms (the tail is the guest's
#      CPU: two brokers, the clients, TLS and the load generators share
#      one emulated CPU, while class 2 never held a backlog);
#      pfifo_fast's median was 1.4-1.6 s, its p99 1.6-2.7 s.
# Then the same load with pfifo_fast on g1 (the queue forms in the modem):
# its alarm p99 is printed for comparison, not asserted.
# MQOS_TLS_DEBUG=1 prints the brokers' logs, top, ss and every alarm's
# delivery time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_bridge_lib.sh"

CTL=$REPO_DIR/userspace/mqosctl
TOOLS=${MQOS_TOOLS:-$REPO_DIR/build/tools}
LAT=$TOOLS/mqttlat
SECS=${MQOS_TLS_SECONDS:-12}
RATE_MBIT=9		# mqos on g1
MODEM=10mbit		# the uplink behind it
P50_MAX_MS=100
P99_MAX_MS=600
# The bridges' alias ports of the cloud broker; their mark is their class.
P_ALARM=$TLSB_P_ALARM
P_TELE=$TLSB_P_TELE
P_BULK=$TLSB_P_BULK

ktap_plan 7
require_root
require_cmd tc ip mosquitto openssl iperf3 ss nft
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
[ -x "$LAT" ] || make -s -C "$SELFTESTS_DIR/tools" OUT="$TOOLS" >/dev/null 2>&1 ||
	ktap_skip_rest "cannot build mqttlat (make -C selftests/tools; needs libmosquitto-dev)"

D=$(mktemp -d /tmp/mqos-tls-bridge.XXXXXX)
cleanup() {
	topo_cleanup
	rm -rf "$D"
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
ctl() { n_gw "$CTL" "$@"; }

# --- certificates: a test CA, the cloud broker's (its address in the
# subjectAltName, which the bridge checks) and the gateway's client one.
tlsb_certs "$D" "$RCV_IP" ||
	ktap_skip_rest "openssl cannot make the test certificates (needs OpenSSL 3)"

# --- the modem, mqos, the bridges' marks and the filters.
ip -n "$NS_RCV" -b - <<-EOF
	link add ifb0 type ifb
	link set ifb0 up
	EOF
n_rcv tc qdisc add dev ifb0 root tbf rate $MODEM burst 10k limit 400k &&
	n_rcv tc qdisc add dev r0 handle ffff: ingress &&
	n_rcv tc filter add dev r0 parent ffff: matchall action mirred egress redirect dev ifb0 ||
	ktap_skip_rest "cannot build the modem (ifb + tbf)"

tlsb_nft "$RCV_IP" || { ktap_fail "nft: the bridges' marks and DNAT"; ktap_finish; }

n_gw tc qdisc add dev g1 root handle 1: mqos
tlsb_fw_filters g1 || { ktap_fail "tc filter fw on mqos"; ktap_finish; }
ctl -b - <<-EOF
	dev set g1 rate ${RATE_MBIT}mbit
	rule add pref 10 match proto tcp dport 5201 class 5
	EOF
[ $? = 0 ] || { ktap_fail "mqosctl configuration"; ktap_finish; }

# --- the brokers.
tlsb_cloud_conf "$D" "$RCV_IP" > "$D/cloud.conf"
tlsb_gw_conf "$D" "$GW_IP_S" 1883 "$RCV_IP" gw > "$D/gw.conf"

bg n_rcv mosquitto -c "$D/cloud.conf" > "$D/cloud.log" 2>&1
bg n_rcv nice -n 19 iperf3 -s -p 5201 > /dev/null 2>&1
wait_for 100 n_rcv sh -c "ss -ltnH | grep -q '$RCV_IP:8883 '" || diag "cloud broker not up"
bg n_gw mosquitto -c "$D/gw.conf" > "$D/gw.log" 2>&1

want="$P_ALARM $P_TELE $P_BULK "
wait_for 150 tlsb_bridges_up "$RCV_IP"
b=$(tlsb_bridges "$RCV_IP")
ktap_result "three TLS bridge connections, one per alias port ($b)" \
	$([ "$b" = "$want" ]; echo $?)
if [ "$b" != "$want" ]; then
	sed 's/^/# gw: /' "$D/gw.log" | tail -20
	sed 's/^/# cloud: /' "$D/cloud.log" | tail -20
	ktap_skip_rest "the bridges are not up"
fi

bg n_rcv "$LAT" sub -h 127.0.0.1 -p 1883 -t 'site/alarm/#' -q 2 -d 0 > "$D/lat" 2> "$D/sub.err"
wait_for 100 grep -q ready "$D/sub.err" || diag "subscriber not ready: $(cat "$D/sub.err")"

# rule_hits PREF: packets the rule matched.
rule_hits() {
	ctl rule show | awk -v p="pref $1 " 'index($0, p) { for (i = 1; i < NF; i++) if ($i == "hits") print $(i+1) }'
}
marked() { tlsb_marked "$@"; }
# lat_pct TAG P: nearest-rank P-th percentile of TAG's delivery times, in ms.
lat_pct() {
	awk -v t="$1" '$1 == t { print $3 }' "$D/lat" | sort -n |
		awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) { print -1; exit } i = int(NR * p / 100 + 0.999); printf "%.1f", v[i] / 1000 }'
}
lat_p99() { lat_pct "$1" 99; }
lat_n() { awk -v t="$1" '$1 == t' "$D/lat" | wc -l; }

# run TAG WAIT: the load for SECS + 4 seconds, alarms for SECS seconds from
# its fourth second on, then up to WAIT tenths of a second for the last.
# Sets PUBLISHED (alarms acknowledged by the gateway broker).
run() {
	local tag=$1 ipid bpid
	bg n_snd nice -n 19 iperf3 -c $RCV_IP -p 5201 -P 4 -t $((SECS + 4)) > "$D/iperf.$tag" 2>&1
	ipid=${_bg_pids[-1]}
	bg n_snd nice -n 19 "$LAT" pub -h $GW_IP_S -t site/bulk/1 -q 0 -i 25 -s 5000 -d $((SECS + 4)) -g bulk > /dev/null 2>&1
	bpid=${_bg_pids[-1]}
	bg n_snd "$LAT" pub -h $GW_IP_S -t site/telemetry/1 -q 0 -i 100 -s 120 -d $((SECS + 4)) -g tele > /dev/null 2>&1
	# The alarms start once the bulk streams are past their slow start.
	sleep 3
	[ -n "${MQOS_TLS_DEBUG:-}" ] && (sleep 5; top -b -n 1 | head -20 > "$D/top.$tag") &
	B0=$(n_gw tc -s qdisc show dev g1 | awk '/Sent/ { print $2; exit }') T0=$(date +%s.%N)
	PUBLISHED=$(n_snd "$LAT" pub -h $GW_IP_S -t site/alarm/1 -q 2 -i 100 -s 120 -d "$SECS" -g "$tag" 2>&1 |
		awk '/^published/ { print $4 }')
	B1=$(n_gw tc -s qdisc show dev g1 | awk '/Sent/ { print $2; exit }') T1=$(date +%s.%N)
	wait "$ipid" "$bpid" 2>/dev/null
	diag "$tag: the modem (tbf on ifb0): $(n_rcv tc -s qdisc show dev ifb0 | awk '/Sent/ { sub(",", "", $7); print $2, "bytes sent,", $7, "dropped" }')"
	# The last alarms cross the drained link (with mqos up to 30 s: a
	# starved guest delivers late, and a late alarm is a timing result, not
	# a lost one; 10 s for the comparison run, which is not asserted).
	wait_for "$2" sh -c "[ \$(awk -v t=$tag '\$1 == t' $D/lat | wc -l) -ge ${PUBLISHED:-1} ]"
}

# --- with mqos.
run mqos 300
got=$(lat_n mqos)
p99=$(lat_p99 mqos)
[ "${PUBLISHED:-0}" -gt 0 ] && [ "$got" = "$PUBLISHED" ]
rc=$?
[ $rc = 0 ] || tail -5 "$D/gw.log" | sed 's/^/# gw: /'
ktap_result "mqos: every alarm reached the cloud subscriber ($got of ${PUBLISHED:-0})" $rc

h2=$(marked $P_ALARM) h4=$(marked $P_TELE) h5=$(marked $P_BULK) hi=$(rule_hits 10)
c2=$(tc_stat "$NS_GW" g1 class 1:2 pkts) c4=$(tc_stat "$NS_GW" g1 class 1:4 pkts)
c5=$(tc_stat "$NS_GW" g1 class 1:5 pkts)
diag "marked (pkts): alarm bridge $h2, telemetry bridge $h4, bulk bridge $h5; iperf3 rule hits $hi; class sent pkts: realtime $c2, best-effort $c4, bulk $c5"
ktap_result "the alarm bridge's packets are realtime: marked $h2 >= alarms ${PUBLISHED:-0}, class 2 sent $c2 >= $h2" \
	$([ "${PUBLISHED:-0}" -gt 0 ] && [ "${h2:-0}" -ge "$PUBLISHED" ] && [ "${c2:-0}" -ge "${h2:-0}" ]; echo $?)
ktap_result "telemetry bridge in best-effort ($h4 marked, class 4 sent $c4), bulk bridge in bulk ($h5 marked + $hi iperf3, class 5 sent $c5)" \
	$([ "${h4:-0}" -gt 0 ] && [ "${c4:-0}" -ge "$h4" ] && [ "${h5:-0}" -gt 0 ] &&
	  [ "${hi:-0}" -gt 0 ] && [ "${c5:-0}" -ge $((h5 + hi)) ]; echo $?)

util=$(awk -v a="$B0" -v b="$B1" -v t0="$T0" -v t1="$T1" -v r=$RATE_MBIT \
	'BEGIN { printf "%d", (b - a) * 8 / (t1 - t0) / (r * 1e6) * 100 }')
diag "g1 carried ${util}% of ${RATE_MBIT} Mbit/s while the alarms were sent; iperf3: $(grep -E 'SUM.*receiver' "$D/iperf.mqos" | awk '{ print $6, $7 }')"
ktap_timing "the bulk load saturated the uplink (${util}% of ${RATE_MBIT} Mbit/s)" \
	$([ "$util" -ge 70 ]; echo $?)
n_gw tc -s class show dev g1 | grep -A3 '^class mqos 1:[245] ' | sed 's/^/# /'
p50=$(lat_pct mqos 50)
ktap_timing "mqos: alarm delivery p50 $p50 ms < $P50_MAX_MS ms, p99 $p99 ms < $P99_MAX_MS ms under saturating bulk" \
	$(awk -v a="$p50" -v p="$p99" -v m=$P99_MAX_MS -v n=$P50_MAX_MS \
		'BEGIN { exit !(a >= 0 && a < n && p >= 0 && p < m) }'; echo $?)

# --- the comparison: pfifo_fast on g1, the queue in the modem.
n_gw tc qdisc replace dev g1 root pfifo_fast
run pfifo 100
diag "pfifo_fast (queue in the modem): $(lat_n pfifo) of ${PUBLISHED:-0} alarms, p50 $(lat_pct pfifo 50) ms, p90 $(lat_pct pfifo 90) ms, p99 $(lat_p99 pfifo) ms; mqos: p50 $p50 ms, p90 $(lat_pct mqos 90) ms, p99 $p99 ms"
if [ -n "${MQOS_TLS_DEBUG:-}" ]; then
	for f in gw.log cloud.log sub.err top.mqos top.pfifo; do tail -25 "$D/$f" | sed "s/^/# $f: /"; done
	n_gw ss -tni dst $RCV_IP | sed 's/^/# ss: /'
	awk '{print $1, $2, $3}' "$D/lat" | sed 's/^/# lat: /'
fi
ktap_result "pfifo_fast comparison run: alarms arrived ($(lat_n pfifo) of ${PUBLISHED:-0})" \
	$([ "$(lat_n pfifo)" -gt 0 ]; echo $?)
ktap_finish
