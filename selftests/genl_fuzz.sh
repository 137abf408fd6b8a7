#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile control plane: selftests/genl_fuzz.c sends thousands of random
# messages to the "mqos" generic netlink family (random commands, header
# fields, attribute types, lengths and nesting; seeded, so a failure can be
# replayed with the printed seed):
#
#   1. as uid 65534 without capabilities: every mutating command refused
#      with EPERM, and the running configuration (mqosctl save, tc qdisc
#      and class dumps, /proc/net/mqos/rules) unchanged;
#   2. as root of a user namespace that does not own the network
#      namespace: the same (GENL_UNS_ADMIN_PERM checks the netns's owner);
#   3. as root: whatever the messages do, no rejected one changes the
#      configuration generation, every message is answered;
#   4. an unprivileged mqosctl reads stats but cannot flush the rules.
# Pass also needs no splat (vm-run checks the kernel log) and no leak.
#
#   netns $NS_GW: g1 (veth, mqos root qdisc) -- g1p
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leak_lib.sh"

COUNT=${GENL_FUZZ_COUNT:-1500}
SEED=${GENL_FUZZ_SEED:-$(date +%s)}

ktap_plan 9
require_root
require_cmd tc ip setpriv unshare
cleanup() { topo_cleanup; rel_tools_cleanup; }
trap cleanup EXIT

rel_tool genl_fuzz || { ktap_fail "build genl_fuzz"; ktap_finish; }
chmod 755 "$REL_BIN"
F=$REL_BIN/genl_fuzz
leak_snapshot
rel_load || ktap_skip_rest "cannot load mqos.ko"
ip netns add "$NS_GW" || { ktap_fail "netns"; ktap_finish; }
n_gw ip link set lo up
n_gw ip link add g1 type veth peer name g1p
n_gw ip link set g1 up
n_gw ip link set g1p up
n_gw tc qdisc add dev g1 root handle 1: mqos || { ktap_fail "qdisc add"; ktap_finish; }

if ! n_gw "$F" family > /dev/null; then
	n_gw tc qdisc del dev g1 root
	ip netns del "$NS_GW"
	wait_for 100 mqos_idle
	rmmod mqos 2>/dev/null
	ktap_skip_rest "the generic netlink family \"mqos\" is not registered"
fi

CTL=$(mqosctl_bin)
# A configuration worth protecting: rules and an extra class.
if [ -n "$CTL" ]; then
	n_gw "$CTL" rule add pref 10 match dscp EF class 2 >/dev/null
	n_gw "$CTL" rule add pref 20 match mqtt-qos 2 class 2 >/dev/null
	n_gw "$CTL" rule add pref 30 match proto udp dport 1884 class 3 >/dev/null
	n_gw "$CTL" class set g1 6 name extra prio 5 >/dev/null
fi

snapshot() {
	[ -n "$CTL" ] && n_gw "$CTL" save 2>&1
	n_gw tc qdisc show dev g1
	n_gw tc class show dev g1
	n_gw awk '{ $3 = $4 = ""; print }' /proc/net/mqos/rules 2>/dev/null
}
conf0=$(snapshot)
diag "seed $SEED, $COUNT messages per run; configuration:"
printf '%s\n' "$conf0" | head -n 20 | sed 's/^/#   /'

# same_config NAME: the configuration is what it was before the fuzzing.
same_config() {
	local now
	now=$(snapshot)
	if [ "$now" = "$conf0" ]; then
		return 0
	fi
	printf '%s\n' "$conf0" > /tmp/mqos-conf0.$$
	printf '%s\n' "$now" | diff /tmp/mqos-conf0.$$ - | sed 's/^/# /'
	rm -f /tmp/mqos-conf0.$$
	return 1
}

run() {	# run NAME CMD...: KTAP result of CMD, its output as diagnostics
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^#   ' | sed 's/^\([^#]\)/# \1/'
	ktap_result "$name" $rc
}

t0=$(date +%s)
run "uid 65534: $COUNT random messages, every mutating one refused with EPERM" \
	n_gw "$F" fuzz "$SEED" "$COUNT" -u
same_config
ktap_result "configuration unchanged by the unprivileged messages" $?

run "user-namespace root: $((COUNT / 2)) random messages, every mutating one refused with EPERM" \
	n_gw unshare --user --map-root-user "$F" fuzz "$((SEED + 1))" "$((COUNT / 2))" -e
same_config
ktap_result "configuration unchanged by the user-namespace messages" $?

# An unprivileged mqosctl: reads work, writes are refused.
if [ -n "$CTL" ]; then
	cp "$CTL" "$REL_BIN/mqosctl" && chmod 755 "$REL_BIN/mqosctl"
	asnobody() { n_gw setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
	r=0
	asnobody "$REL_BIN/mqosctl" stats -j > /dev/null || { diag "unprivileged stats failed"; r=1; }
	if asnobody "$REL_BIN/mqosctl" rule flush 2>/tmp/mqos-flush.$$; then
		diag "unprivileged rule flush succeeded"; r=1
	else
		diag "unprivileged rule flush: $(head -n1 /tmp/mqos-flush.$$)"
	fi
	rm -f /tmp/mqos-flush.$$
	same_config || r=1
	ktap_result "unprivileged mqosctl: stats readable, rule flush refused" $r
else
	ktap_skip "unprivileged mqosctl: stats readable, rule flush refused" "mqosctl not built"
fi

run "root: $COUNT random messages, all answered, no rejected one changed the configuration" \
	n_gw "$F" fuzz "$((SEED + 2))" "$COUNT"
diag "fuzzing took $(( $(date +%s) - t0 )) s"

ktap_check "mqos qdisc still dumps after the fuzzing" n_gw tc -s qdisc show dev g1

n_gw tc qdisc del dev g1 root
ip netns del "$NS_GW"
leak_check_module
leak_check_slab
ktap_finish
