#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mqosctl's dev set, class set and class del go through rtnetlink, as
# `tc qdisc change` does: every change is notified, and `tc monitor` (with
# tc/q_mqos.so) prints it; a change the kernel refuses is not notified and
# changes nothing; a device without mqos is refused, and no qdisc is
# created on it. `mqosctl load` replaces each device's configuration with
# one notified RTM_NEWQDISC, after the kernel judged the whole file: an
# error in the last device's lines changes no device. Generic netlink's
# old device commands are refused.
. "$(dirname "$0")/lib.sh"
. "$SELFTESTS_DIR/leak_lib.sh"

ktap_plan 10
require_root
require_cmd tc ip

CTL=$(mqosctl_bin)
[ -n "$CTL" ] || ktap_skip_rest "no mqosctl (make mqosctl)"
[ -e "$REPO_DIR/tc/q_mqos.so" ] && export TC_LIB_DIR=$REPO_DIR/tc
NS=mqs-rtnl-$$
cleanup() {
	[ -n "${monpid:-}" ] && kill "$monpid" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -f "${mon:-/nonexistent}"
}
trap cleanup EXIT
mon=$(mktemp /tmp/ctl_rtnl.XXXXXX)
n() { ip netns exec $NS "$@"; }
ctl() { n "$CTL" "$@"; }

mqos_load || ktap_skip_rest "cannot load mqos.ko"
ip netns add $NS
n ip link add d0 type dummy && n ip link add d1 type dummy &&
	n ip link add d2 type dummy && n ip link set d0 up &&
	n ip link set d1 up && n ip link set d2 up || ktap_skip_rest "no dummy devices"
n tc qdisc add dev d0 root handle 1: mqos
n tc qdisc add dev d2 root handle 1: mqos

# Not through n(): a backgrounded function is a subshell, and killing it
# would leave tc monitor running in the namespace, which then outlives
# `ip netns del` with its mqos qdisc (and the module stays in use).
ip netns exec $NS tc monitor > "$mon" 2>&1 &
monpid=$!
sleep 0.5
# mon_has N PATTERN: the monitor printed at least N lines matching.
mon_has() { [ "$(grep -c -- "$2" "$mon")" -ge "$1" ]; }

ktap_check "mqosctl dev set d0 rate 30mbit overhead 18" ctl dev set d0 rate 30mbit overhead 18
wait_for 50 mon_has 1 'qdisc mqos 1: dev d0 root'
ktap_result "tc monitor sees dev set (RTM_NEWQDISC)" \
	$(mon_has 1 'qdisc mqos 1: dev d0 root.*bandwidth 30Mbit overhead 18'; echo $?)

cnt() { grep -c 'qdisc mqos 1: dev d0 root' "$mon"; }
before=$(cnt)
ctl class set d0 3 name assured2 prio 5 rate 2mbit ceil 10mbit &&
	wait_for 50 mon_has $((before + 1)) 'qdisc mqos 1: dev d0 root'
ok=$?
[ $ok = 0 ] && [ -n "${TC_LIB_DIR:-}" ] && { mon_has 1 'class 3 name assured2 prio 5 rate 2Mbit ceil 10Mbit' || ok=1; }
[ $ok = 0 ] || sed 's/^/# monitor: /' "$mon" | tail -n 12
ktap_result "class set is notified (class 3 changed in the notification)" $ok

# A sixth class. The notification carries the qdisc's stats, which hold
# every class's histogram: with six classes it can outgrow a notification
# (NLMSG_GOODSIZE) and the kernel drops it; compact qdisc stats fix that.
before=$(cnt)
ctl class set d0 6 name video prio 2 rate 2mbit ceil 10mbit
rc=$?
wait_for 50 mon_has $((before + 1)) 'qdisc mqos 1: dev d0 root'
seen=$?
if [ $rc != 0 ]; then
	ktap_fail "class set d0 6 (exit $rc)"
elif [ $seen = 0 ]; then
	ok=0
	[ -n "${TC_LIB_DIR:-}" ] && { mon_has 1 'class 6 name video prio 2 rate 2Mbit' || ok=1; }
	ktap_result "a sixth class is created and notified" $ok
elif n tc class show dev d0 | grep -q 'class mqos 1:6 '; then
	ktap_skip "a sixth class is notified" \
		"class 6 created, notification lost: RTM_NEWQDISC with 6 classes' stats exceeds NLMSG_GOODSIZE (kernel)"
else
	ktap_fail "class set d0 6: no class 1:6"
fi

before=$(grep -c 'qdisc mqos 1: dev d0 root' "$mon")
ctl class del d0 6 && wait_for 50 mon_has $((before + 1)) 'qdisc mqos 1: dev d0 root'
ok=$?
[ $ok = 0 ] && { n tc -s class show dev d0 | grep -q 'class mqos 1:6 ' && ok=1; }
ktap_result "class del is notified and the class is gone" $ok

# Refused by the kernel (ceil below rate): message, no change, no event.
cfg0=$(n tc qdisc show dev d0)
before=$(grep -c 'qdisc mqos 1: dev d0 root' "$mon")
err=$(ctl class set d0 3 rate 5mbit ceil 1mbit 2>&1)
rc=$?
sleep 1
after=$(grep -c 'qdisc mqos 1: dev d0 root' "$mon")
diag "refused: $err"
ktap_result "a refused class set: exit $rc, the kernel's message, no change, no notification" \
	$([ $rc = 1 ] && printf '%s' "$err" | grep -q 'TCA_MQOS_CLASS_CEIL' &&
	  [ "$(n tc qdisc show dev d0)" = "$cfg0" ] && [ "$after" = "$before" ]; echo $?)

# A device without mqos: refused, and nothing created there.
q0=$(n tc qdisc show dev d1)
err1=$(ctl class set d1 1 prio 1 2>&1); rc1=$?
err2=$(ctl dev set d1 rate 1mbit 2>&1); rc2=$?
err3=$(ctl dev set nosuch0 rate 1mbit 2>&1); rc3=$?
diag "d1: $err1 / $err2; nosuch0: $err3"
ktap_result "no mqos on d1: refused (exit $rc1 $rc2), its qdisc untouched; unknown device named" \
	$([ $rc1 = 1 ] && [ $rc2 = 1 ] && [ $rc3 = 1 ] &&
	  printf '%s' "$err1" | grep -q 'd1: no mqos qdisc' &&
	  printf '%s' "$err2" | grep -q 'd1: no mqos qdisc' &&
	  printf '%s' "$err3" | grep -q 'nosuch0: no such device' &&
	  [ "$(n tc qdisc show dev d1)" = "$q0" ]; echo $?)
# load: a file for two devices. Each is one notification, each device's
# classes become the file's (d0's classes 2, 3 and 5 go, class 4 starts from
# the defaults plus the file's words), and the rule table is the file's.
conf=$(mktemp /tmp/ctl_rtnl_conf.XXXXXX)
cat > "$conf" <<'CONF'
format 2
dev set d0 rate 40mbit
class set d0 1 name rt prio 0 rate 5mbit
class set d0 4 name bulk prio 6
dev set d2 rate 8mbit
class set d2 1 name rt prio 0
class set d2 4 name be prio 4 ceil 6mbit
rule add pref 10 match mqtt-qos 2 class 1
CONF
c0=$(grep -c 'qdisc mqos 1: dev d0 root' "$mon")
c2=$(grep -c 'qdisc mqos 1: dev d2 root' "$mon")
out=$(ctl load "$conf" 2>&1)
rc=$?
sleep 1
n0=$(($(grep -c 'qdisc mqos 1: dev d0 root' "$mon") - c0))
n2=$(($(grep -c 'qdisc mqos 1: dev d2 root' "$mon") - c2))
cls0=$(n tc class show dev d0 | awk '{ print $3 }' | sort | tr '\n' ' ')
cls2=$(n tc class show dev d2 | awk '{ print $3 }' | sort | tr '\n' ' ')
rules=$(ctl rule show 2>&1)
diag "load: exit $rc $out; notifications d0 $n0, d2 $n2; classes d0: $cls0, d2: $cls2"
ktap_result "load: one RTM_NEWQDISC per device, classes exactly the file's, rules replaced" \
	$([ $rc = 0 ] && [ $n0 = 1 ] && [ $n2 = 1 ] &&
	  [ "$cls0" = "1:1 1:4 " ] && [ "$cls2" = "1:1 1:4 " ] &&
	  n tc qdisc show dev d0 | grep -q 'bandwidth 40Mbit' &&
	  printf '%s\n' "$rules" | grep -q 'pref 10 match mqtt-qos 2 class 1'; echo $?)

# The same file with a bad class on d2, its last device (ceil below rate):
# the kernel refuses it before anything is applied, naming the line; no
# notification, d0 unchanged although its lines come first and are good.
sed -i 's/^class set d2 4 .*/class set d2 4 name be prio 4 rate 5mbit ceil 1mbit/; s/^dev set d0 rate 40mbit/dev set d0 rate 10mbit/' "$conf"
q0=$(n tc qdisc show dev d0)
r0=$(ctl rule show 2>&1)
c0=$(grep -c 'qdisc mqos' "$mon")
err=$(ctl load "$conf" 2>&1)
rc=$?
sleep 1
diag "refused load: exit $rc: $err"
ktap_result "load with an error in the last device: refused (line named), no device or rule changed, nothing notified" \
	$([ $rc = 1 ] && printf '%s' "$err" | grep -q 'line 7:.*CEIL' &&
	  [ "$(n tc qdisc show dev d0)" = "$q0" ] && [ "$(ctl rule show 2>&1)" = "$r0" ] &&
	  [ "$(grep -c 'qdisc mqos' "$mon")" = "$c0" ]; echo $?)
rm -f "$conf"

# Generic netlink does not change qdiscs (it would do so unnotified): a
# raw DEV_SET and a CONFIG_REPLACE with a device and no CHECK are refused
# with EOPNOTSUPP and a message; nothing changes, nothing is notified.
q0=$(n tc qdisc show dev d0)
c0=$(grep -c 'qdisc mqos' "$mon")
out=$(n python3 "$SELFTESTS_DIR/dev_set_rawnl.py" d0 2>&1)
sleep 0.5
diag "$out"
ktap_result "generic netlink DEV_SET / CONFIG_REPLACE with a device: EOPNOTSUPP + message, no change, no notification" \
	$([ "$(printf '%s\n' "$out" | grep -cE '^(dev_set|replace) errno 95 msg .*rtnetlink')" = 2 ] &&
	  [ "$(n tc qdisc show dev d0)" = "$q0" ] && [ "$(grep -c 'qdisc mqos' "$mon")" = "$c0" ]; echo $?)
kill $monpid 2>/dev/null
wait $monpid 2>/dev/null
monpid=
ktap_finish
