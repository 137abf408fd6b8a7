#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where MQTT is read: `mqosctl ports set|show` (MQOS_CMD_PORTS_*). A broker
# listens on 1883 and 1885; a rule matches MQTT QoS 2. With the default
# ports a QoS 2 publish to 1885 is not read as MQTT (no rule hit); after
# `ports set mqtt 1883,1885` it is; with `mqtt none` not even 1883 is.
# Rule hit counters survive a port change, rule flush keeps the ports,
# save/load carries them, and bad input - from mqosctl, from a raw netlink
# client, from an unprivileged user - is refused and changes nothing.
. "$(dirname "$0")/lib.sh"

ktap_plan 10
require_root
require_cmd tc ip python3 mosquitto mosquitto_pub setpriv
CTL=$REPO_DIR/userspace/mqosctl
PY=$(command -v /usr/bin/python3 || command -v python3)
TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() { topo_cleanup; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos
ctl() { n_gw "$CTL" "$@"; }
DEFAULT="ports set mqtt 1883 mqttsn 1883,1884"

printf 'listener 1883 0.0.0.0\nlistener 1885 0.0.0.0\nallow_anonymous true\n' > "$TMP/m.conf"
bg n_rcv mosquitto -c "$TMP/m.conf" > /dev/null 2>&1
wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':1885 '" || diag "broker not up"

# hits PREF: the rule's packet hits, from /proc/net/mqos/rules.
hits() { n_gw awk -v p="$1" 'NR > 1 && $1 == p { print $3 }' /proc/net/mqos/rules; }
pub() { n_snd mosquitto_pub -h "$RCV_IP" -p "$1" -t ports/a -q 2 -m alarm; }

# 1. Defaults.
out=$(ctl ports show)
ktap_result "ports show: the defaults ('$out')" \
	"$([ "$out" = "$DEFAULT" ] && ctl ports show -j |
	   "$PY" -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d != {"mqtt": [1883], "mqttsn": [1883, 1884]})'
	   echo $?)"

# 2. The default ports: 1883 is read, 1885 is not.
ctl rule add pref 10 match mqtt-qos 2 class 2
pub 1883
h1=$(hits 10)
pub 1885
h2=$(hits 10)
ktap_result "default ports: QoS 2 to 1883 hits the rule ($h1), to 1885 does not ($h2)" \
	"$([ "${h1:-0}" -gt 0 ] && [ "$h2" = "$h1" ]; echo $?)"

# 3. Add 1885: counters kept, then 1885 is read.
ctl ports set mqtt 1883,1885
out=$(ctl ports show)
h3=$(hits 10)
pub 1885
h4=$(hits 10)
ktap_result "ports set mqtt 1883,1885: hits kept ($h3), QoS 2 to 1885 now hits ($h4)" \
	"$([ "$out" = "ports set mqtt 1883,1885 mqttsn 1883,1884" ] &&
	   [ "$h3" = "$h2" ] && [ "$h4" -gt "$h3" ]; echo $?)"

# 4. mqtt none: MQTT is read nowhere; the MQTT-SN list stays.
ctl ports set mqtt none
rc=$?
h5=$(hits 10)
pub 1883
h6=$(hits 10)
out=$(ctl ports show)
ktap_result "ports set mqtt none: QoS 2 to 1883 no longer hits ($h5 -> $h6); '$out'" \
	"$([ $rc = 0 ] && [ "$h6" = "$h5" ] && [ "$out" = "ports set mqtt none mqttsn 1883,1884" ]; echo $?)"

# 5. Rule flush keeps the ports; save/load carries them; a file without a
# ports line means the defaults.
ctl ports set mqtt 1885,1883 mqttsn 10000
ctl rule flush
out=$(ctl ports show)
ctl rule add pref 10 match mqtt-qos 2 class 2
ctl save > "$TMP/a.conf"
ctl ports set mqtt 1883
ctl load "$TMP/a.conf"
ctl save > "$TMP/b.conf"
grep -v '^ports ' "$TMP/a.conf" > "$TMP/c.conf"
ctl load "$TMP/c.conf"
out2=$(ctl ports show)
ktap_result "rule flush keeps ports; save -> load round trip; no ports line = defaults" \
	"$([ "$out" = "ports set mqtt 1885,1883 mqttsn 10000" ] &&
	   grep -qx "ports set mqtt 1885,1883 mqttsn 10000" "$TMP/a.conf" &&
	   cmp -s "$TMP/a.conf" "$TMP/b.conf" && [ "$out2" = "$DEFAULT" ]; echo $?)"

# 6. mqosctl refuses bad words, naming them (exit 2), and sends nothing.
ctl ports set mqtt 1883,1885
bad() {	# PATTERN ARGS...
	local pat=$1 out rc
	shift
	out=$(ctl "$@" 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q -- "$pat" ||
		{ diag "mqosctl $* -> $rc: $out"; return 1; }
}
ok=0
bad "'0' is not a port" ports set mqtt 0 || ok=1
bad "'65536' is not a port" ports set mqttsn 65536 || ok=1
bad "port 1883 listed twice" ports set mqtt 1883,1883 || ok=1
bad "at most 4 ports" ports set mqtt 1,2,3,4,5 || ok=1
bad "'coap': unknown keyword" ports set coap 5683 || ok=1
bad "mqtt: needs a value" ports set mqtt || ok=1
printf 'rule add match dscp EF class 2\nports set mqtt 1883,x\n' > "$TMP/bad.conf"
bad "line 2: mqtt: 'x' is not a port" load "$TMP/bad.conf" || ok=1
[ "$(ctl ports show)" = "ports set mqtt 1883,1885 mqttsn 1883,1884" ] || ok=1
ktap_result "bad ports words refused with a message naming them, nothing changed" $ok

# 7. The kernel's own checks, past mqosctl.
out=$(n_gw "$PY" "$SELFTESTS_DIR/ports_rawnl.py" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
ktap_result "kernel: strict PORTS policy, extack messages, refused requests change nothing" \
	"$([ $rc = 0 ] && [ "$(ctl ports show)" = "ports set mqtt 1883,1885 mqttsn 1883,1884" ] &&
	   [ "$(ctl rule show | grep -c '^pref ')" = 1 ]; echo $?)"

# 8. Unprivileged: reading works, setting is EPERM.
unpriv() { n_gw setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
r=$(unpriv "$CTL" ports show)
out=$(unpriv "$CTL" ports set mqtt 1 2>&1); rc=$?
ktap_result "unprivileged: ports show works, ports set fails with EPERM" \
	"$([ "$r" = "ports set mqtt 1883,1885 mqttsn 1883,1884" ] && [ $rc = 1 ] &&
	   echo "$out" | grep -q "Operation not permitted" &&
	   [ "$(ctl ports show)" = "$r" ]; echo $?)"

# 9. Another namespace has its own ports.
out=$(n_snd "$CTL" ports show)
ktap_result "a second namespace keeps the default ports ('$out')" \
	"$([ "$out" = "$DEFAULT" ]; echo $?)"

# 10. Back to the defaults: no table is left (rule flush + default ports).
ctl rule flush && ctl ports set mqtt 1883 mqttsn 1883,1884
ktap_result "back to the defaults: ports show and an empty rule table" \
	"$([ "$(ctl ports show)" = "$DEFAULT" ] && [ "$(ctl rule show)" = "default map" ]; echo $?)"

ktap_finish
