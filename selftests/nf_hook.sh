#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netfilter hook: conntrack-sticky MQTT flow classes read back
# by the qdisc in both directions, DSCP remarking seen on the wire at the
# receiver, the ingress policer, save/load, per-packet mode, decay, and module
# unload / netns deletion with live conntrack entries marked by mqos.
#
#   sender                      gateway                         receiver
#   mqtt_flow.py, mosquitto_pub  hook on (PRE_ROUTING/LOCAL_OUT)   mosquitto :1883
#   udpgen send                  mqos on g1 (to rcv), g0 (to snd)  tcpdump on r0
#                                                                  udpgen recv
. "$(dirname "$0")/lib.sh"

CTL=$REPO_DIR/userspace/mqosctl
FLOW=$SELFTESTS_DIR/mqtt_flow.py
UDPGEN=$SELFTESTS_DIR/udpgen
# The system python: a pyenv shim costs seconds per start in the TCG guest.
PY=$(command -v /usr/bin/python3 || command -v python3)
MARK2=$((2 << 16))	# realtime under the default mask 0x001f0000
MARK4=$((4 << 16))	# best-effort

ktap_plan 31
require_root
require_cmd tc ip python3 mosquitto mosquitto_pub tcpdump
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
[ -x "$UDPGEN" ] || ktap_skip_rest "selftests/udpgen not built (make -C selftests)"

TMP=$(mktemp -d)
if [ -n "${NF_TRACE:-}" ]; then
	exec 9>"$NF_TRACE"
	BASH_XTRACEFD=9
	set -x
fi
cleanup() {
	topo_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }

ctl() { n_gw "$CTL" "$@"; }
# Packets sent by class ID of the mqos qdisc on DEV (gateway).
cls() { tc_stat "$NS_GW" "$1" class "1:$2" pkts; }
# snap VAR DEV: VAR_<id>=<packets sent> for every class, one tc call.
snap() {
	eval "$(n_gw tc -s class show dev "$2" | awk -v v="$1" '
		/^class / { split($3, a, ":"); id = a[2] }
		/Sent/ { print v "_" id "=" $4 }')"
}
# Marks of the gateway's conntrack entries of TCP connections to :1883.
ct_marks() {
	n_gw cat /proc/net/nf_conntrack 2>/dev/null |
		awk '/dport=1883 / { for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) print substr($i, 6) }'
}
# The mark of the connection from local port $1 to :1883.
ct_mark_of() {
	n_gw cat /proc/net/nf_conntrack 2>/dev/null |
		awk -v p="sport=$1" '$0 ~ p" dport=1883 " { for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) print substr($i, 6) }'
}
# hook_cls ID FIELD: a column of /proc/net/mqos/hook's class table
# (packets, remarked, police_drop); 0 for a class not listed.
hook_cls() {
	n_gw awk -v id="$1" -v f="$2" '
		$1 == "class" { for (i = 1; i <= NF; i++) col[$i] = i; next }
		col[f] && $1 == id { v = $col[f] } END { print v + 0 }' /proc/net/mqos/hook
}
hook_val() { n_gw awk -v k="$1" '$1 == k { print $2 }' /proc/net/mqos/hook; }
ct_closed() { n_gw grep "sport=$1 dport=1883 " /proc/net/nf_conntrack | grep -q TIME_WAIT; }
run_flow() {	# run_flow TAG TOS QOS... -- QOS...: phase 1, [FLOW_PAUSE s,] counters, phase 2
	local tag=$1 d=$TMP/$1
	shift
	mkdir -p "$d"
	bg n_snd "$PY" "$FLOW" $RCV_IP 1883 "$1" "$d" "${@:2}" > "$d/out" 2>&1
	FLOW_PID=${_bg_pids[-1]}
	wait_for 100 test -s "$d/phase1" ||
		{ diag "$tag: no phase 1"; sed "s/^/# /" "$d/out"; }
	PORT=$(cat "$d/phase1" 2>/dev/null)
	[ -n "${FLOW_PAUSE:-}" ] && sleep "$FLOW_PAUSE"
	snap G1 g1
	snap G0 g0
	touch "$d/go"
	wait "$FLOW_PID"
	FLOW_RC=$?
	[ "$FLOW_RC" = 0 ] || sed "s/^/# $tag: /" "$d/out"
	# The last ACK of the close crosses the gateway after the client exits
	# (with the hook off there is no conntrack entry to watch).
	if [ "$(hook_val enabled)" = 1 ]; then
		wait_for 20 ct_closed "$PORT"
	else
		sleep 1
	fi
	snap H1 g1
	snap H0 g0
	for c in 1 2 3 4 5; do
		eval "D1_$c=\$((H1_$c - G1_$c)) D0_$c=\$((H0_$c - G0_$c))"
	done
}

# ECN on the MQTT connections, so data segments carry ECT(0) to keep.
n_snd sysctl -qw net.ipv4.tcp_ecn=1
n_rcv sysctl -qw net.ipv4.tcp_ecn=1
n_gw tc qdisc add dev g1 root handle 1: mqos
n_gw tc qdisc add dev g0 root handle 1: mqos
printf 'listener 1883 0.0.0.0\nlistener 1883 ::\nallow_anonymous true\n' > "$TMP/m.conf"
bg n_rcv mosquitto -c "$TMP/m.conf"
wait_for 100 n_rcv sh -c "ss -ltn | grep -q '\\[::\\]:1883 '" || diag "broker not up"

# 1-3: off by default; a refused configuration changes nothing.
first=$(ctl hook show | head -1)
ktap_result "hook off by default: '$first'" \
	$([ "$first" = "hook set off mode sticky mask 0x001f0000" ] &&
	  n_gw grep -qx "enabled 0" /proc/net/mqos/hook; echo $?)
out=$(ctl hook set mask 0x2f 2>&1)
rc=$?
ktap_result "a mask that cannot hold 16 classes is refused: $out" \
	$([ $rc != 0 ] && ctl hook show | grep -q "mask 0x001f0000"; echo $?)
out=$(n_gw "$PY" "$SELFTESTS_DIR/hook_rawnl.py" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
ktap_result "kernel: strict HOOK_SET policy, extack names the attribute, a refused request changes nothing" \
	$([ $rc = 0 ] && ctl hook show | grep -q "mask 0x001f0000"; echo $?)

# 4: the hook off (no flow state anywhere): the default map classifies
# each MQTT packet by itself, so the QoS 2 handshake is realtime both ways
# (PUBLISH, PUBREL; PUBREC, PUBCOMP) and PINGREQ/DISCONNECT/PINGRESP are
# control. Were acks left to DSCP as in sticky mode, the PUBREL would wait
# behind bulk best-effort traffic and hold the message at the broker.
run_flow off 0 0 -- 2
diag "hook off, to receiver: realtime +$D1_2 control +$D1_1 best-effort +$D1_4; to sender: realtime +$D0_2 control +$D0_1"
ktap_result "hook off: the QoS 2 handshake is realtime both ways, PINGREQ/DISCONNECT/PINGRESP control (exit $FLOW_RC)" \
	$([ "$FLOW_RC" = 0 ] && [ "$D1_2" -ge 2 ] && [ "$D1_1" -ge 2 ] &&
	  [ "$D0_2" -ge 2 ] && [ "$D0_1" -ge 1 ]; echo $?)
# 5: on, with conntrack.
ctl hook set on
ctl hook class 2 remark EF
ctl hook class 4 remark CS0
ktap_result "hook set on: conntrack turned on in the netns" \
	$([ "$(hook_val enabled)" = 1 ] && [ "$(hook_val conntrack)" = 1 ]; echo $?)

# 6-8: mosquitto_pub connections: QoS 2 -> realtime, QoS 0 -> best-effort.
bg n_rcv tcpdump -i r0 -n -U -s 128 -w "$TMP/r0.pcap" tcp port 1883
TCPDUMP_PID=${_bg_pids[-1]}
wait_for 50 test -s "$TMP/r0.pcap"
n_snd mosquitto_pub -h $RCV_IP -t nf/a -q 2 -m alarm
ktap_result "mosquitto_pub -q 2: its conntrack entry is marked realtime ($(ct_marks | tr '\n' ' '))" \
	$(ct_marks | grep -qx $MARK2; echo $?)
n_snd mosquitto_pub -h $RCV_IP -t nf/t -q 0 -m telemetry
ktap_result "mosquitto_pub -q 0: its conntrack entry is marked best-effort" \
	$(ct_marks | grep -qx $MARK4; echo $?)
# The same over IPv6: ipv6 conntrack entry marked, remarked EF on the wire
# ("IP6 (class 0xba" with ECT(0), as tcpdump -vv prints the traffic class).
n_snd mosquitto_pub -h $RCV_IP6 -t nf/a6 -q 2 -m alarm6
m6=$(n_gw awk '/^ipv6 .*dport=1883 / { for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) print substr($i, 6) }' \
	/proc/net/nf_conntrack | tr '\n' ' ')
ktap_result "IPv6: mosquitto_pub -q 2: its ipv6 conntrack entry is marked realtime ($m6)" \
	$(echo "$m6" | grep -qw $MARK2; echo $?)

# 9-12: one connection, QoS 0 then QoS 2: everything after, both ways, realtime.
run_flow mixed 0 0 2 -- 0 0 0 0 0 0 0 0 0 0
ktap_result "QoS 0 then QoS 2 connection: client completed (exit $FLOW_RC)" $FLOW_RC
ktap_result "its conntrack mark is realtime after the first QoS 2 PUBLISH" \
	$([ "$(ct_mark_of "$PORT")" = $MARK2 ]; echo $?)
diag "to receiver: realtime +$D1_2 best-effort +$D1_4 control +$D1_1; to sender: realtime +$D0_2 best-effort +$D0_4 control +$D0_1"
ktap_result "sender->receiver after it: 10 QoS 0 PUBLISH, PINGREQ, DISCONNECT, FIN, ACKs all realtime" \
	$([ "$D1_2" -ge 13 ] && [ "$D1_4" = 0 ] && [ "$D1_1" = 0 ] && [ "$D1_3" = 0 ]; echo $?)
ktap_result "receiver->sender after it: ACKs, PINGRESP, FIN all realtime" \
	$([ "$D0_2" -ge 3 ] && [ "$D0_4" = 0 ] && [ "$D0_1" = 0 ] && [ "$D0_3" = 0 ]; echo $?)
MIXED_PORT=$PORT

# 13-14: a QoS 0 only connection (sent as AF11) stays best-effort.
run_flow qos0 0x28 0 -- 0 0 0 0 0
ktap_result "QoS 0 only connection: marked best-effort (exit $FLOW_RC)" \
	$([ "$FLOW_RC" = 0 ] && [ "$(ct_mark_of "$PORT")" = $MARK4 ]; echo $?)
diag "to receiver: realtime +$D1_2 best-effort +$D1_4 assured +$D1_3; to sender: realtime +$D0_2 best-effort +$D0_4"
ktap_result "QoS 0 only connection: best-effort both ways, never realtime" \
	$([ "$D1_4" -ge 8 ] && [ "$D1_2" = 0 ] && [ "$D1_3" = 0 ] &&
	  [ "$D0_4" -ge 3 ] && [ "$D0_2" = 0 ]; echo $?)
QOS0_PORT=$PORT

# 15-19: remarking as the receiver sees it.
sleep 0.5
kill "$TCPDUMP_PID" 2>/dev/null
wait "$TCPDUMP_PID" 2>/dev/null
tcpdump -r "$TMP/r0.pcap" -n -t -vv 2>/dev/null > "$TMP/r0.txt"
# "IP (tos 0xba,ECT(0), ...)\n    192.0.2.2.PORT > 198.51.100.2.1883: ..."
tos_seq() {	# the TOS of each packet of the connection from port $1, in order
	awk -v s="$SND_IP.$1 >" '/^IP \(tos/ { t = $3; sub(",.*", "", t) } index($0, s) { print t }' \
		"$TMP/r0.txt"
}
tos_of() { tos_seq "$1" | sort | uniq -c | tr '\n' ' '; }
diag "mixed connection tos: $(tos_of "$MIXED_PORT")"
diag "QoS 0 connection tos (sent 0x28/0x2a): $(tos_of "$QOS0_PORT")"
ktap_result "remark: the QoS 2 connection leaves as EF with ECT(0) kept (tos 0xba)" \
	$(tos_of "$MIXED_PORT" | grep -q " 0xba "; echo $?)
# Before its first PUBLISH it is assured by its DSCP (AF11, not remarked).
ktap_result "remark: the QoS 0 connection (sent as AF11) leaves as CS0 once it published, ECT(0) kept (tos 0x2), never EF" \
	$(t=$(tos_of "$QOS0_PORT"); echo "$t" | grep -q " 0x2 " &&
	  ! echo "$t" | grep -qE " 0x(ba|b8) " &&
	  tos_seq "$QOS0_PORT" | tail -1 | grep -qx "0x0"; echo $?)
c6=$(grep -c '^IP6 (class 0xba' "$TMP/r0.txt")
diag "IPv6 QoS 2 connection: $c6 packets left as EF with ECT(0)"
ktap_result "remark: the IPv6 QoS 2 connection leaves as EF, ECN kept ($c6 packets class 0xba)" \
	$([ "${c6:-0}" -gt 0 ]; echo $?)
ktap_result "remark: IPv4 header checksums valid at the receiver" \
	$([ -s "$TMP/r0.txt" ] && ! grep -q "bad cksum" "$TMP/r0.txt"; echo $?)
remarked=$(($(hook_cls 2 remarked) + $(hook_cls 4 remarked)))
ktap_result "remarks counted ($remarked)" $([ "${remarked:-0}" -gt 0 ]; echo $?)

# 20-23: ingress policer on bulk (CS1): a 4 Mbit/s flood against 1 Mbit/s.
ctl hook class 5 police 1mbit 8k
bg n_rcv "$UDPGEN" recv 7000 3
n_snd "$UDPGEN" send $RCV_IP 7000 4000000 2 400 0x20 > "$TMP/sent"
p5=$(hook_cls 5 packets)
d5=$(hook_cls 5 police_drop)
s5=$(cls g1 5)
diag "udpgen: $(cat "$TMP/sent"); hook class 5: $p5 pkts, $d5 policed; qdisc class 5 sent $s5"
ktap_result "ingress policer drops the excess of the flood" \
	$([ "${d5:-0}" -gt $((${p5:-0} / 2)) ]; echo $?)
ktap_result "what the policer passed is what the qdisc sent ($((p5 - d5)) == $s5)" \
	$([ $((p5 - d5)) = "$s5" ]; echo $?)
ktap_result "/proc/net/mqos/hook and mqosctl stats show the policer drops" \
	$(ctl stats | grep -q "hook class 5: .*ingress policer drops $d5" &&
	  ctl -j stats | grep -q "\"police_drops\":$d5"; echo $?)
ktap_result "hook show -j: the policer with units in its keys (police_rate_bps, police_burst_bytes)" \
	$(ctl -j hook show | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin)["classes"] if c["class"] == 5][0]
assert c["police_rate_bps"] == 1000000 and c["police_burst_bytes"] == 8192, c
assert c["police_rate"] == 125000 and c["police_burst"] == 8192, c'; echo $?)

# 24: save | load round trip.
ctl save > "$TMP/saved"
ctl hook show | grep -E '^hook (set|class)' > "$TMP/before"
ctl hook set off mode packet
ctl hook class 2 remark keep
ctl load "$TMP/saved"
ctl hook show | grep -E '^hook (set|class)' > "$TMP/after"
ktap_result "save prints the hook, load restores it exactly" \
	$(grep -q '^hook set on mode sticky mask 0x001f0000$' "$TMP/saved" &&
	  grep -q '^hook class 5 police 1mbit 8k$' "$TMP/saved" &&
	  cmp -s "$TMP/before" "$TMP/after"; echo $?)

# 25: per-packet mode: no marks, MQTT control packets go to control.
ctl hook set mode packet
run_flow packet 0 0 -- 0
ktap_result "mode packet: no mark, CONNECT/PINGREQ/DISCONNECT in control (+$D1_1)" \
	$([ "$FLOW_RC" = 0 ] && [ "$(ct_mark_of "$PORT")" = 0 ] && [ "$D1_1" -ge 2 ]; echo $?)
ctl hook set mode sticky

# 26-29: decay. Its age needs mask bits above the class's 5.
out=$(ctl hook set decay 5s 2>&1)
rc=$?
ktap_result "decay with the 5-bit default mask is refused, naming DECAY: $out" \
	$([ $rc != 0 ] && echo "$out" | grep -q DECAY &&
	  ctl hook show | head -1 | grep -q "mask 0x001f0000$"; echo $?)
ctl hook set mask 0x00ff0000 decay 5s
dec0=$(hook_val decayed)
# Decay 5 s: a class falls 5 to 7.5 s after it was last earned.
run_flow nodecay 0 2 -- 0 0 0 0 0
diag "decay 5s, no pause, to receiver: realtime +$D1_2 best-effort +$D1_4; to sender: realtime +$D0_2 best-effort +$D0_4"
ktap_result "decay 5s: right after its QoS 2 PUBLISH the connection stays realtime both ways" \
	$([ "$FLOW_RC" = 0 ] && [ "$D1_2" -ge 7 ] && [ "$D1_4" = 0 ] &&
	  [ "$D0_2" -ge 2 ] && [ "$D0_4" = 0 ] &&
	  [ "$(hook_val decayed)" = "$dec0" ]; echo $?)
FLOW_PAUSE=9 run_flow decay 0 2 -- 0 0 0 0 0
m=$(ct_mark_of "$PORT")
dec1=$(hook_val decayed)
diag "decay 5s, 9 s pause, to receiver: realtime +$D1_2 best-effort +$D1_4; to sender: realtime +$D0_2 best-effort +$D0_4; mark $m; decayed $dec0 -> $dec1"
ktap_result "decay 5s: silent for 9 s, then QoS 0: the connection falls to best-effort both ways" \
	$([ "$FLOW_RC" = 0 ] && [ "$D1_4" -ge 7 ] && [ "$D1_2" = 0 ] &&
	  [ "$D0_4" -ge 2 ] && [ "$D0_2" = 0 ] &&
	  [ $((${m:-0} & 0x1f0000)) = $MARK4 ]; echo $?)
ktap_result "decays counted in /proc/net/mqos/hook and mqosctl stats ($dec1)" \
	$([ "${dec1:-0}" -gt "${dec0:-0}" ] &&
	  ctl stats | grep -q ", $dec1 decays (after 5s)" &&
	  ctl -j stats | grep -q "\"decayed\":$dec1"; echo $?)
ctl hook set decay off mask 0x001f0000

# 30: rmmod with the hook on and marked conntrack entries alive.
n_snd mosquitto_pub -h $RCV_IP -t nf/a -q 2 -m before-rmmod
n=$(ct_marks | grep -cx "$MARK2")
n_gw tc qdisc del dev g1 root
n_gw tc qdisc del dev g0 root
wait_for 100 mqos_idle
mqos_unload
rc=$?
n2=$(ct_marks | grep -cx "$MARK2")
diag "rmmod: exit $rc; marked entries before $n, after $n2"
ktap_result "rmmod with the hook on and $n marked conntrack entries alive" \
	$([ "$n" -gt 0 ] && [ $rc = 0 ] && ! mqos_loaded && [ "$n2" -ge 1 ]; echo $?)

# 31: netns deletion with the hook on and a fresh marked entry; then
# nothing of mqos holds nf_conntrack any more.
mqos_load
ctl hook set on
n_snd mosquitto_pub -h $RCV_IP -t nf/a -q 2 -m again
n=$(ct_marks | grep -cx "$MARK2")
topo_cleanup
mqos_unload
rc=$?
# Other modules that use nf_conntrack (act_connmark, once an ingress
# set-up loaded it) hold one reference each: those are its holders.
ref=$(cat /sys/module/nf_conntrack/refcnt 2>/dev/null)
holders=$(ls /sys/module/nf_conntrack/holders 2>/dev/null | tr '\n' ' ')
nh=$(echo $holders | wc -w)
ktap_result "netns deleted with marked entries ($n), rmmod ok, nf_conntrack refcnt back to ${ref:-?} (its other users: ${holders:-none})" \
	$([ "$rc" = 0 ] && [ "$n" -gt 0 ] && [ "${ref:-1}" = "$nh" ] &&
	  ! echo "$holders" | grep -qw mqos; echo $?)
ktap_finish
