#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MQTT stream framing in the netfilter hook (sticky mode): a connection is
# raised only by a PUBLISH whose header starts at a known stream position,
# never by the middle of a large binary PUBLISH that happens to look like
# one (docs/mqtt-framing.md).
#
#   sender                      gateway                       receiver
#   mosquitto_pub -f, mqtt_frame.py   hook on, sticky         mosquitto :1883
#   s0: TSO/GSO off (wire-sized segments); netem in the last part
#
#  1. an alarm connection publishes QoS 2 and is raised to realtime;
#  2. 20 connections each publish a 1 MiB random file at QoS 0 (real
#     mosquitto_pub -f, a new file each): none is raised, the alarm still is;
#  3. a QoS 2 PUBLISH whose header starts in the middle of a segment, right
#     after the tail of a large QoS 0 one, raises its connection;
#  4. a connection the hook met in the middle (hook switched on while it
#     runs): not raised by a large random PUBLISH, its position found again
#     by the resync rule, then raised by its QoS 2 PUBLISH;
#  5. netem reordering, duplication and loss on the sender: large QoS 0
#     transfers are still never raised; segments are skipped as out of
#     order / retransmitted, not misread; a position lost to reordering is
#     found again by resync (the small PUBLISHes at the end);
#  6. the counters in mqosctl hook show (text, -j), /proc and Prometheus;
#     the state is freed when the hook goes off.
. "$(dirname "$0")/lib.sh"

CTL=$REPO_DIR/userspace/mqosctl
FRAME=$SELFTESTS_DIR/mqtt_frame.py
# The system python: a pyenv shim costs seconds per start in the TCG guest.
PY=$(command -v /usr/bin/python3 || command -v python3)
MASK=0x001f0000
NBULK=${NF_FRAMING_BULK:-20}

ktap_plan 11
require_root
require_cmd tc ip python3 mosquitto mosquitto_pub ethtool
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"

TMP=$(mktemp -d)
cleanup() {
	topo_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }

ctl() { n_gw "$CTL" "$@"; }
hook_val() { n_gw awk -v k="$1" '$1 == k { print $2 }' /proc/net/mqos/hook; }
# The class (mark under the mask) of the connection from local port $1.
cls_of() {
	n_gw cat /proc/net/nf_conntrack 2>/dev/null |
		awk -v p="sport=$1" '$0 ~ p" dport=1883 " {
			for (i = 1; i <= NF; i++) if ($i ~ /^mark=/) {
				print int(substr($i, 6) / 65536) % 32; exit } }'
}
# Classes of every connection to :1883 but the ports given: "port:class".
classes_except() {
	n_gw cat /proc/net/nf_conntrack 2>/dev/null |
		awk -v skip=" $* " '/dport=1883 / {
			sp = ""; m = 0
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^sport=/ && sp == "") sp = substr($i, 7)
				if ($i ~ /^mark=/) m = int(substr($i, 6) / 65536) % 32
			}
			if (index(skip, " " sp " ") == 0) print sp ":" m }'
}
# flow TAG STEP...: run mqtt_frame.py in the background.
flow() {
	local tag=$1
	shift
	mkdir -p "$TMP/$tag"
	bg n_snd "$PY" "$FRAME" $RCV_IP 1883 "$TMP/$tag" "$@" > "$TMP/$tag/out" 2>&1
}
# port_of TAG NAME: the local port a flow wrote at its wait:NAME step.
port_of() {
	wait_for 200 test -s "$TMP/$1/$2.port" || { diag "$1: no $2"; sed "s/^/# /" "$TMP/$1/out"; }
	cat "$TMP/$1/$2.port" 2>/dev/null
}

n_gw tc qdisc add dev g1 root handle 1: mqos
printf 'listener 1883 0.0.0.0\nallow_anonymous true\n' > "$TMP/m.conf"
bg n_rcv mosquitto -c "$TMP/m.conf"
wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':1883 '" || diag "broker not up"
# Wire-sized segments at the gateway, as from a real device.
n_snd ethtool -K s0 tso off gso off > /dev/null 2>&1 ||
	diag "ethtool: cannot turn TSO/GSO off on s0"
ctl hook set on mode sticky mask $MASK
t0=$(date +%s)

# 1: the alarm connection: raised by its first QoS 2 PUBLISH.
flow alarm q2 wait:bulk q2
APORT=$(port_of alarm bulk)
c=$(cls_of "$APORT")
ktap_result "alarm connection (port $APORT) raised to realtime by its QoS 2 PUBLISH (class $c)" \
	$([ "$c" = 2 ]; echo $?)

# 2: NBULK x 1 MiB of random bytes at QoS 0, one mosquitto_pub -f each.
cont0=$(hook_val frame_cont)
bad=0
for i in $(seq 1 "$NBULK"); do
	head -c 1048576 /dev/urandom > "$TMP/blob"
	n_snd mosquitto_pub -h $RCV_IP -t "fw/$i" -q 0 -f "$TMP/blob" || bad=$((bad + 1))
done
touch "$TMP/alarm/bulk"
sleep 1
list=$(classes_except "$APORT")
n=$(printf '%s\n' "$list" | grep -c .)
# Every entry is checked; a connection that reused the port of an earlier
# one (the broker closes first, so the client's port is free at once) has
# replaced its entry, hence NBULK - 5.
up=$(printf '%s\n' "$list" | grep -c ':[123]$')
cont=$(( $(hook_val frame_cont) - cont0 ))
diag "bulk: $NBULK transfers in $(( $(date +%s) - t0 )) s ($bad failed); $n connections (port:class): $(printf '%s ' $list | head -c 300)"
diag "bulk: $cont continuation segments skipped"
ktap_result "$NBULK x 1 MiB random QoS 0 (mosquitto_pub -f): no connection above best-effort ($up of $n)" \
	$([ "$bad" = 0 ] && [ "$n" -ge $((NBULK - 5)) ] && [ "$up" = 0 ]; echo $?)
ktap_result "bulk: the continuation segments were skipped, not read ($cont >= $((NBULK * 600)))" \
	$([ "$cont" -ge $((NBULK * 600)) ]; echo $?)
wait "${_bg_pids[-1]}" 2>/dev/null
c=$(cls_of "$APORT")
ktap_result "the alarm connection, same run, is still realtime (class $c; client exit ok)" \
	$([ "$c" = 2 ] && ! grep -q Error "$TMP/alarm/out"; echo $?)

# 3: a QoS 2 PUBLISH that starts mid-segment after a 3000-byte tail.
flow tail tail2:3000:7 wait:done
TPORT=$(port_of tail done)
c=$(cls_of "$TPORT")
touch "$TMP/tail/done"
ktap_result "QoS 2 PUBLISH starting mid-segment after the tail of a QoS 0 one: raised to realtime (class $c)" \
	$([ "$c" = 2 ]; echo $?)

# 4: met in the middle: the hook goes on while the connection runs.
ctl hook set off
# drain: the small PUBLISHes after the big one go in segments of their own
# (on a slow machine they were written while its tail was still queued and
# rode in its segments, so nothing resynced).
flow mid q0 q0 wait:on big:300000:3 drain q0 q0 q0 wait:check q2 wait:done
port_of mid on > /dev/null
ctl hook set on
resync0=$(hook_val frame_resync)
untr0=$(hook_val frame_untrusted)
touch "$TMP/mid/on"
MPORT=$(port_of mid check)
c1=$(cls_of "$MPORT")
resync=$(( $(hook_val frame_resync) - resync0 ))
untr=$(( $(hook_val frame_untrusted) - untr0 ))
touch "$TMP/mid/check"
port_of mid done > /dev/null
c2=$(cls_of "$MPORT")
touch "$TMP/mid/done"
diag "met mid-stream: $untr untrusted segments, $resync resyncs; class $c1 before the QoS 2, $c2 after"
ktap_result "met mid-stream: 300 kB random QoS 0 not trusted (class $c1), position found by resync ($resync)" \
	$({ [ "$c1" = 0 ] || [ "$c1" = 4 ]; } && [ "$resync" -ge 1 ] && [ "$untr" -ge 100 ]; echo $?)
ktap_result "met mid-stream: raised to realtime by the QoS 2 PUBLISH after the resync (class $c2)" \
	$([ "$c2" = 2 ]; echo $?)

# 5: netem on the sender: reordering, duplicates, loss.
t5=$(date +%s)
netem=0
n_snd tc qdisc add dev s0 root netem delay 10ms reorder 25% 50% duplicate 2% loss 1% || netem=1
old0=$(hook_val frame_old)
ahead0=$(hook_val frame_ahead)
lost0=$(hook_val frame_lost)
resync1=$(hook_val frame_resync)
skip=$(classes_except | cut -d: -f1)
bad=0
for i in 1 2; do
	head -c 1048576 /dev/urandom > "$TMP/blob"
	n_snd mosquitto_pub -h $RCV_IP -t "net/$i" -q 0 -f "$TMP/blob" || bad=$((bad + 1))
done
flow netem $(for i in $(seq 1 40); do printf 'big:3000:%d ' "$i"; done) q0 q0 q0 q0 wait:done
NPORT=$(port_of netem done)
c=$(cls_of "$NPORT")
touch "$TMP/netem/done"
[ $netem = 0 ] && n_snd tc qdisc del dev s0 root
old=$(( $(hook_val frame_old) - old0 ))
ahead=$(( $(hook_val frame_ahead) - ahead0 ))
lost=$(( $(hook_val frame_lost) - lost0 ))
resync=$(( $(hook_val frame_resync) - resync1 ))
# shellcheck disable=SC2086 # $skip: a list of ports
list=$(classes_except $skip)
n=$(printf '%s\n' "$list" | grep -c .)
up=$(printf '%s\n' "$list" | grep -c ':[123]$')
diag "netem ($(( $(date +%s) - t5 )) s): $old retransmitted/duplicate and $ahead out-of-order segments skipped, $lost positions lost, $resync resyncs; $n connections (port:class): $(printf '%s ' $list)"
# (A new connection may reuse the port of an old entry: not listed then.)
if [ $netem != 0 ]; then
	ktap_skip "netem reorder/dup/loss: QoS 0 transfers never above best-effort" "kernel without sch_netem"
	ktap_skip "netem: duplicates skipped, a lost position found again" "kernel without sch_netem"
else
	ktap_result "netem reorder/dup/loss: QoS 0 transfers never above best-effort ($up of $n; port $NPORT class $c; $bad failed)" \
		$([ "$up" = 0 ] && [ "$n" -ge 1 ] && [ "$bad" = 0 ] &&
		  { [ "$c" = 0 ] || [ "$c" = 4 ]; }; echo $?)
	# Reordering inside a message's body counts as continuation; out of
	# order is a segment beyond the next header, which only some runs have.
	ktap_result "netem: duplicates skipped ($old), $ahead out of order; a lost position found again ($lost lost, $resync resyncs)" \
		$([ "$old" -ge 1 ] && { [ "$lost" = 0 ] || [ "$resync" -ge 1 ]; }; echo $?)
fi

# 6: counters everywhere, and the state freed with the hook.
txt=$(ctl hook show)
js=$(ctl -j hook show)
prom=$(ctl stats --prometheus)
ent=$(hook_val frame_entries)
diag "$(printf '%s\n' "$txt" | grep -m1 'mqtt framing')"
ktap_result "counters: hook text, -j, /proc and Prometheus agree on resyncs ($(hook_val frame_resync))" \
	$(r=$(hook_val frame_resync)
	  printf '%s\n' "$txt" | grep -q " $r resyncs" &&
	  printf '%s\n' "$js" | grep -q "\"resyncs\":$r" &&
	  printf '%s\n' "$prom" | grep -qx "mqos_hook_framing_positions_total{source=\"resync\"} $r" &&
	  [ "$(hook_val frame_max)" = 4096 ] && [ "$ent" -ge 1 ]; echo $?)
ctl hook set off
ktap_result "hook off: the framing state is freed ($ent entries before, $(hook_val frame_entries) after)" \
	$([ "$(hook_val frame_entries)" = 0 ]; echo $?)
diag "run time $(( $(date +%s) - t0 )) s"
ktap_finish
