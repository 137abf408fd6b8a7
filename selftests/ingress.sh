#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The downlink: `mqosctl ingress add/del` (an ifb, the ingress qdisc with
# connmark + mirred redirect, mqos in ingress mode on the ifb), classes of
# broker -> device packets by their own PUBLISH QoS and, with the hook in
# sticky mode, by the connection's class restored from the conntrack mark,
# and live rate changes under traffic (rate_change).
#
#   device (sender)              gateway                      broker (receiver)
#   mosquitto_sub, iperf3 -s     g0   g1 <- ingress: connmark  mosquitto :1883
#   mqtt_flow.py                       mirred -> ifb-g1 (mqos) iperf3 -c, mosquitto_pub
. "$(dirname "$0")/lib.sh"

CTL=$REPO_DIR/userspace/mqosctl
FLOW=$SELFTESTS_DIR/mqtt_flow.py
RATECHG=$SELFTESTS_DIR/rate_change
UDPGEN=$SELFTESTS_DIR/udpgen
PY=$(command -v /usr/bin/python3 || command -v python3)
MARK2=$((2 << 16))	# realtime under the default mask 0x001f0000
IFB=ifb-g1

ktap_plan 16
require_root
require_cmd tc ip python3 mosquitto mosquitto_pub mosquitto_sub iperf3 ping
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"

TMP=$(mktemp -d)
# INGRESS_TRACE=FILE: the commands as they run (set -x), to FILE.
if [ -n "${INGRESS_TRACE:-}" ]; then
	exec 9>"$INGRESS_TRACE"
	BASH_XTRACEFD=9
	set -x
fi
cleanup() {
	topo_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
# What the set-up is made of.
require_modules ifb act_connmark act_mirred cls_matchall sch_ingress
topo_create || { ktap_fail "topology"; ktap_finish; }
export TC_LIB_DIR=$REPO_DIR/tc

ctl() { n_gw "$CTL" "$@"; }
# Packets sent by class ID of the mqos qdisc on the ifb.
cls() { tc_stat "$NS_GW" "$IFB" class "1:$1" pkts; }
# snap VAR: VAR_<id>=<packets sent> for every class of the ifb, one tc call.
snap() {
	eval "$(n_gw tc -s class show dev "$IFB" | awk -v v="$1" '
		/^class / { split($3, a, ":"); id = a[2] }
		/Sent/ { print v "_" id "=" $4 }')"
}
ct_mark_of() {
	n_gw cat /proc/net/nf_conntrack 2>/dev/null |
		awk -v p="sport=$1" '$0 ~ p" dport=1883 " { for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) print substr($i, 6) }'
}
ct_closed() { n_gw grep "sport=$1 dport=1883 " /proc/net/nf_conntrack | grep -q TIME_WAIT; }
# Nothing of an ingress set-up left in the gateway's namespace.
nothing_left() {
	[ -z "$(n_gw ip -o link show type ifb)" ] &&
		! n_gw tc qdisc show dev g1 | grep -q "^qdisc ingress" &&
		[ -z "$(n_gw tc filter show dev g1 ingress)" ]
}

# 1: add.
out=$(ctl ingress add g1 rate 20mbit 2>&1)
rc=$?
q=$(n_gw tc qdisc show dev $IFB)
f=$(n_gw tc filter show dev g1 ingress)
diag "ifb qdisc: $q"
printf '%s\n' "$f" | sed 's/^/# filter: /'
ktap_result "ingress add g1 rate 20mbit: $IFB up with mqos 20Mbit in ingress mode, g1's ingress qdisc redirects with connmark first ($out)" \
	$([ $rc = 0 ] && n_gw ip -o link show $IFB | grep -q "UP" &&
	  echo "$q" | grep -q "^qdisc mqos 1: root .*bandwidth 20Mbit .*ingress" &&
	  echo "$f" | grep -q "matchall" &&
	  echo "$f" | grep -q "connmark" &&
	  echo "$f" | grep -q "Egress Redirect to device $IFB" &&
	  [ "$(echo "$f" | grep -n connmark | cut -d: -f1 | head -1)" -lt \
	    "$(echo "$f" | grep -n mirred | cut -d: -f1 | head -1)" ]; echo $?)

# 2: refusals change nothing.
before=$(n_gw tc qdisc show; n_gw tc filter show dev g1 ingress; n_gw ip -o link show | sed 's/^[0-9]*: //')
o1=$(ctl ingress add g1 rate 20mbit 2>&1); r1=$?
o2=$(ctl ingress add g1 rate fast 2>&1); r2=$?
o3=$(ctl ingress del g0 ifb g1 2>&1); r3=$?
o4=$(ctl ingress add g1 2>&1); r4=$?
o5=$(ctl dev set $IFB ingress maybe 2>&1); r5=$?
after=$(n_gw tc qdisc show; n_gw tc filter show dev g1 ingress; n_gw ip -o link show | sed 's/^[0-9]*: //')
diag "again: $o1 | bad rate: $o2 | not an ifb: $o3 | no rate: $o4 | bad ingress: $o5"
ktap_result "refused with a message, nothing changed: a second add, a bad rate, deleting a non-ifb, no rate, ingress maybe" \
	$([ $r1 != 0 ] && [ $r2 != 0 ] && [ $r3 != 0 ] && [ $r4 != 0 ] && [ $r5 != 0 ] &&
	  echo "$o1" | grep -q "exists" && echo "$o2" | grep -q "fast" &&
	  echo "$o3" | grep -q "not an ifb" && echo "$o5" | grep -q "maybe" &&
	  [ "$before" = "$after" ]; echo $?)

# 3: the ingress option through mqosctl and tc.
ctl dev set $IFB ingress off
a=$(n_gw tc qdisc show dev $IFB)
n_gw tc qdisc change dev $IFB root mqos ingress
b=$(n_gw tc qdisc show dev $IFB)
out=$(n_gw tc qdisc change dev $IFB root mqos ingress egress 2>&1)
ktap_result "dev set ingress off, tc ... mqos ingress: shown; 'ingress egress' refused ($out)" \
	$(! echo "$a" | grep -q " ingress" && echo "$b" | grep -q " ingress" &&
	  echo "$out" | grep -q "given twice" &&
	  [ "$(n_gw tc qdisc show dev $IFB)" = "$b" ]; echo $?)

# 4: load takes it too (the kernel checks the file first). The file
# states the set-up (without the line, load would remove it), and the
# ifb's dev set line after it wins over its "ingress on".
printf 'format 2\ningress add g1 rate 20mbit\ndev set %s ingress off\n' $IFB > "$TMP/off.conf"
printf 'format 2\ningress add g1 rate 20mbit\ndev set %s ingress on\n' $IFB > "$TMP/on.conf"
o1=$(ctl load --check "$TMP/off.conf" 2>&1); r1=$?
ctl load "$TMP/off.conf"; r2=$?
a=$(n_gw tc qdisc show dev $IFB)
ctl load "$TMP/on.conf"; r3=$?
b=$(n_gw tc qdisc show dev $IFB)
# save prints it, dev show -j reports it, and the saved file loads back.
sv=$(ctl save | grep "^dev set $IFB ")
js=$(ctl -j dev show $IFB 2>&1 | jq -c '.[0].ingress' 2>&1)
ctl load "$TMP/off.conf"
ctl save > "$TMP/saved.conf" 2>/dev/null
ctl load "$TMP/on.conf"
ctl load "$TMP/saved.conf"; r4=$?
c=$(n_gw tc qdisc show dev $IFB)
diag "save: $sv; dev show -j ingress: $js"
ktap_result "load --check and load of 'dev set $IFB ingress off|on'; save and dev show -j report it; a saved file loads back ($r1 $r2 $r3 $r4 $o1)" \
	$([ $r1 = 0 ] && [ $r2 = 0 ] && [ $r3 = 0 ] && [ $r4 = 0 ] &&
	  ! echo "$a" | grep -q " ingress" && echo "$b" | grep -q " ingress" &&
	  echo "$sv" | grep -q " ingress on" && [ "$js" = true ] &&
	  ! echo "$c" | grep -q " ingress" && grep -q "^dev set $IFB .* ingress off" "$TMP/saved.conf"; echo $?)
ctl load "$TMP/on.conf"

# 5: traffic crosses; the downlink goes through the ifb.
p0=$(tc_stat "$NS_GW" $IFB qdisc "" pkts)
n_snd ping -c 5 -i 0.2 -W 2 $RCV_IP > "$TMP/ping" 2>&1
prc=$?
p1=$(tc_stat "$NS_GW" $IFB qdisc "" pkts)
ktap_result "ping device -> broker: the replies cross the ifb's mqos ($p0 -> $p1 packets)" \
	$([ $prc = 0 ] && [ $((p1 - p0)) -ge 5 ]; echo $?)

# 5-6: broker -> device QoS 2 PUBLISHes while a bulk download runs.
printf 'listener 1883 0.0.0.0\nallow_anonymous true\nmax_inflight_messages 1\n' > "$TMP/m.conf"
bg n_rcv mosquitto -c "$TMP/m.conf"
wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':1883 '" || diag "broker not up"
bg n_snd iperf3 -s -p 5201
wait_for 100 n_snd sh -c "ss -ltn | grep -q ':5201 '" || diag "iperf3 server not up"
N=10
bg n_snd mosquitto_sub -h $RCV_IP -t dl/alarm -q 2 -C $N -W 60 > "$TMP/sub" 2>&1
SUB=${_bg_pids[-1]}
wait_for 100 n_rcv sh -c "ss -tn state established | grep -q ':1883 '" || diag "subscriber not connected"
bg n_rcv iperf3 -c $SND_IP -p 5201 -t 12 > "$TMP/iperf" 2>&1
IPERF=${_bg_pids[-1]}
sleep 2
snap A
for i in $(seq $N); do
	n_rcv mosquitto_pub -h 127.0.0.1 -t dl/alarm -q 2 -m "alarm $i"
	sleep 0.2
done
wait "$SUB"
src=$?
snap B
wait "$IPERF"
irc=$?
got=$(grep -c '^alarm ' "$TMP/sub")
rt=$((B_2 - A_2)) be=$((B_4 - A_4))
ld=$(tc_stat "$NS_GW" $IFB qdisc "" drops)
diag "subscriber exit $src, got $got of $N; ifb classes during the publishes: realtime +$rt best-effort +$be; qdisc drops $ld"
diag "iperf3 (exit $irc): $(grep -E 'receiver' "$TMP/iperf" | tail -1)"
ktap_result "all $N QoS 2 alarms delivered broker -> device during the download" \
	$([ $src = 0 ] && [ "$got" = $N ]; echo $?)
ktap_result "on the ifb the QoS 2 PUBLISHes went to realtime (+$rt >= $N), the download to best-effort (+$be)" \
	$([ "$rt" -ge $N ] && [ "$be" -gt $((10 * N)) ] && [ $irc = 0 ]; echo $?)
bg_stop

# 7-9: sticky through the hook: the connection's class is restored from
# the conntrack mark (connmark before the redirect) for packets on the ifb
# that carry no PUBLISH of their own (TCP ACKs, PINGRESP, FIN).
bg n_rcv mosquitto -c "$TMP/m.conf"
wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':1883 '" || diag "broker not up"
# run_flow TAG: QoS 2 PUBLISH (phase 1), then five QoS 0 and a PINGREQ
# (phase 2); D_<id> = the ifb's packets per class during phase 2.
run_flow() {
	local d=$TMP/$1 pid
	mkdir -p "$d"
	bg n_snd "$PY" "$FLOW" $RCV_IP 1883 0 "$d" 2 -- 0 0 0 0 0
	pid=${_bg_pids[-1]}
	wait_for 100 test -s "$d/phase1" || diag "$1: no phase 1"
	PORT=$(cat "$d/phase1" 2>/dev/null)
	MARK=$(ct_mark_of "$PORT")
	snap G
	touch "$d/go"
	wait "$pid"
	FLOW_RC=$?
	wait_for 30 ct_closed "$PORT"
	snap H
	for c in 1 2 3 4 5; do
		eval "D_$c=\$((H_$c - G_$c))"
	done
}
ctl hook set on mode sticky
run_flow sticky
diag "sticky: ct mark ${MARK:-none}; ifb phase 2: control +$D_1 realtime +$D_2 best-effort +$D_4 (flow exit $FLOW_RC)"
ktap_result "sticky: the QoS 2 PUBLISH marked the connection realtime in conntrack (${MARK:-none})" \
	$([ "$FLOW_RC" = 0 ] && [ $((${MARK:-0} & 0x1f0000)) = $MARK2 ]; echo $?)
ktap_result "sticky: on the ifb, the connection's ACKs, PINGRESP and FIN rode in realtime from the restored mark (+$D_2, control +$D_1, best-effort +$D_4)" \
	$([ "$D_2" -ge 3 ] && [ "$D_1" = 0 ] && [ "$D_4" = 0 ]; echo $?)
ctl hook set mode packet
run_flow packet
diag "packet mode: ct mark ${MARK:-none}; ifb phase 2: control +$D_1 realtime +$D_2 best-effort +$D_4 (flow exit $FLOW_RC)"
ktap_result "packet mode (no class in the mark): the same packets by themselves: PINGRESP control, ACKs best-effort (+$D_1, +$D_4, realtime +$D_2)" \
	$([ "$FLOW_RC" = 0 ] && [ "$D_2" = 0 ] && [ "$D_1" -ge 1 ] && [ "$D_4" -ge 2 ]; echo $?)
ctl hook set off mode sticky
bg_stop

# 10: ingress mode charges drops to the device rate: the same UDP flood
# (6 Mbit/s against 2 Mbit/s, a short best-effort queue) leaves the ifb
# well below the rate in ingress mode, at the rate in egress mode.
flood() {	# flood MODE: SENT_<MODE>=bytes the ifb sent during the flood
	local b0 b1
	ctl dev set $IFB rate 2mbit ingress "$1"
	ctl class set $IFB 4 limit 8
	bg n_snd "$UDPGEN" recv 7000 3
	sleep 0.5
	b0=$(tc_stat "$NS_GW" $IFB class 1:4 bytes)
	n_rcv "$UDPGEN" send $SND_IP 7000 6000000 3 1000 > "$TMP/flood-$1"
	sleep 0.3
	b1=$(tc_stat "$NS_GW" $IFB class 1:4 bytes)
	eval "SENT_$1=\$((b1 - b0))"
	bg_stop
}
if [ -x "$UDPGEN" ]; then
	flood off
	flood on
	diag "flood 6 Mbit/s for 3 s into 2 Mbit/s: ifb sent $SENT_off bytes in egress mode, $SENT_on in ingress mode ($(cat "$TMP/flood-on"))"
	ktap_timing "ingress mode: drops charged to the rate, the ifb sends less under an unresponsive flood ($SENT_on < 0.8 * $SENT_off, egress >= 0.6 * rate * 3 s)" \
		$([ "${SENT_off:-0}" -ge 450000 ] &&
		  [ $((${SENT_on:-0} * 10)) -lt $((${SENT_off:-0} * 8)) ]; echo $?)
	ctl dev set $IFB rate 20mbit ingress on
	ctl class set $IFB 4 limit 1000
else
	ktap_skip "ingress mode flood" "selftests/udpgen not built (make -C selftests)"
fi

# 11-13: live rate changes under traffic: rate_change changes the ifb's
# rate every 10 ms for 20 s on one rtnetlink socket while a download and
# MQTT flow, and checks the bytes sent per window against the rates.
if [ -x "$RATECHG" ]; then
	bg n_rcv mosquitto -c "$TMP/m.conf"
	bg n_snd iperf3 -s -p 5201
	wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':1883 '" || diag "broker not up"
	wait_for 100 n_snd sh -c "ss -ltn | grep -q ':5201 '" || diag "iperf3 server not up"
	bg n_snd mosquitto_sub -h $RCV_IP -t dl/t -q 1 -W 40
	bg n_rcv iperf3 -c $SND_IP -p 5201 -t 26 -P 2
	bg n_rcv sh -c "i=0; while [ \$i -lt 200 ]; do mosquitto_pub -h 127.0.0.1 -t dl/t -q 1 -m m\$i; i=\$((i + 1)); sleep 0.1; done"
	sleep 2
	n_gw "$RATECHG" "$IFB" 20 10 > "$TMP/rc" 2>&1
	rrc=$?
	sed 's/^/# /' "$TMP/rc"
	ktap_result "rate_change: a rate change every 10 ms (at most) for 20 s on one socket, all acknowledged" \
		$([ $rrc != 2 ] && grep -q "^changes [0-9]* failed 0$" "$TMP/rc" &&
		  [ "$(sed -n 's/^changes \([0-9]*\) .*/\1/p' "$TMP/rc")" -ge 200 ]; echo $?)
	ktap_result "rate_change: only limit and AQM drops moved (policer, memory, other stayed)" \
		$(grep -q "^other-drops 0$" "$TMP/rc"; echo $?)
	ktap_timing "rate_change: in every window bytes sent <= rate*T + burst + MTU" \
		$(grep -q "^windows [0-9]* over 0$" "$TMP/rc" &&
		  [ "$(sed -n 's/^windows \([0-9]*\) .*/\1/p' "$TMP/rc")" -ge 10 ]; echo $?)
	bg_stop
else
	ktap_skip "rate_change" "selftests/rate_change not built (make -C selftests)"
	ktap_skip "rate_change drops" "selftests/rate_change not built"
	ktap_skip "rate_change windows" "selftests/rate_change not built"
fi

# 14-15: del leaves nothing; a second del says there is nothing.
out=$(ctl ingress del g1 2>&1)
rc=$?
wait_for 100 mqos_idle
ktap_result "ingress del g1: no ifb, no ingress qdisc, no filter left; mqos unused ($out)" \
	$([ $rc = 0 ] && nothing_left && mqos_idle; echo $?)
out=$(ctl ingress del g1 2>&1)
rc=$?
ktap_result "a second ingress del fails and says why ($out)" \
	$([ $rc != 0 ] && echo "$out" | grep -q "no ingress set-up" && nothing_left; echo $?)
ktap_finish
