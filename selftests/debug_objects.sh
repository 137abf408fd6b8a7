#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# With the debug build (make DEBUG=1: module/debug.c), every object the
# module creates is counted when created and when destroyed. Exercise each
# kind -- netns state, qdiscs, rule tables, the control plane's tables --
# including a namespace deleted with everything still live, then unload
# and check the module's own report: the counts balance.
. "$(dirname "$0")/lib.sh"

ktap_plan 4
require_root
require_cmd tc ip
ko=$REPO_DIR/build/$(uname -r)-debug/mqos.ko
[ -e "$ko" ] || ktap_skip_rest "no debug build at $ko (make modules-vm DEBUG=1)"
ctl=$REPO_DIR/userspace/mqosctl
[ -x "$ctl" ] || ktap_skip_rest "userspace/mqosctl not built"

mqos_unload 2>/dev/null
dmesg -C
ktap_check "load the debug build" insmod "$ko"

ns=mqs-dbg-$$
trap 'ip netns del $ns 2>/dev/null' EXIT
work() {
	local i
	for i in 1 2 3; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link add mq0 type veth peer name mq1 || return 1
		ip -n "$ns" link set mq0 up && ip -n "$ns" link set mq1 up
		tc -n "$ns" qdisc add dev mq0 root handle 1: mqos || return 1
		tc -n "$ns" qdisc add dev mq1 root handle 1: mqos || return 1
		ip netns exec "$ns" "$ctl" rule add pref 10 match dscp ef class 2 || return 1
		ip netns exec "$ns" "$ctl" rule add pref 20 match proto tcp dport 1883 mqtt-qos 2 class 2 || return 1
		ip netns exec "$ns" "$ctl" rule del pref 10 || return 1
		printf 'dev set mq0 rate 10mbit\nrule add pref 5 match dscp cs1 class 5\n' |
			ip netns exec "$ns" "$ctl" load - || return 1
		tc -n "$ns" qdisc del dev mq1 root || return 1
		# Deleted with a live qdisc and rule table.
		ip netns del "$ns" || return 1
	done
	"$ctl" rule add pref 1 match dscp ef class 2 && "$ctl" rule flush
}
ktap_check "netns, qdiscs, rules and loads created and torn down" work

wait_for 100 mqos_idle
ktap_check "rmmod" rmmod mqos
report=$(dmesg | grep 'mqos: objects:')
printf '%s\n' "$report" | sed 's/^/# /'
# Every kind was really exercised, and the counts balance.
bal() {
	printf '%s\n' "$report" | grep -q 'objects: balanced' || return 1
	for k in netns qdisc ruleset ctl_rules; do
		printf '%s\n' "$report" | grep -q "objects: $k created [1-9]" || { echo "$k not exercised"; return 1; }
	done
}
ktap_check "created == destroyed for every object kind" bal
ktap_finish
