#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every allocation of a configuration request fails in turn, and every
# failure unwinds. The kernel's fault injection (/proc/thread-self/fail-nth:
# the Nth slab or page allocation of the task fails) is armed by the client
# right before it sends the request, for N = 1, 2, ... until the request
# no longer reaches the Nth allocation. After each one:
#   - a request the kernel refused changed nothing (mqosctl save, the
#     device's root qdisc and whether the hook has conntrack as before);
#   - a request it accepted was applied whole (as when nothing fails: an
#     allocation with a fallback, kvmalloc's, or one whose failure costs
#     only a notification to listeners);
#   - a request whose answer was lost (no memory for the ack) left one of
#     the two.
# The requests:
#   1. tc qdisc add with options: device rate, isolation, three classes
#      with flow tables (mqos_init and the configuration it applies);
#   2. qdisc change: the rate, a bigger flow table, a new class;
#   3. tc class add (RTM_NEWTCLASS) of a new class with its flow table;
#   4. a rule table replacement (generic netlink, six rules);
#   5. the netfilter hook switched on (conntrack in the namespace, the
#      MQTT framing table, the netfilter hooks).
# At the end nothing leaks (module refcount, slab, kmemleak; rel_finish).
# Needs a kernel with CONFIG_FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC
# (make check-debug's); skipped where /proc/thread-self/fail-nth is missing,
# as on Debian's kernels.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/leak_lib.sh"

MAX=${MQOS_FAULT_MAX:-600}	# a walk longer than this is a failure
ONLY=${MQOS_FAULT_ONLY:-}	# a regex: only the walks it matches (others SKIP)

# One skip, not eight, on a kernel without fault injection.
[ -e /proc/thread-self/fail-nth ] || { ktap_plan 1; ktap_skip_rest \
	"no fault injection in this kernel (CONFIG_FAULT_INJECTION, FAILSLAB)"; }
ktap_plan 8
require_root
require_cmd jq
CTL=$(mqosctl_bin)
[ -n "$CTL" ] || ktap_skip_rest "mqosctl not built (make mqosctl)"

DBG=/sys/kernel/debug
[ -d $DBG/failslab ] || mount -t debugfs debugfs $DBG 2>/dev/null
# The defaults skip allocations that may sleep (GFP_KERNEL: all of the
# configuration's) and order-0 pages.
knob() { [ -w "$DBG/$1" ] && echo "$2" > "$DBG/$1"; }
rel_cleanup_hook() {
	knob failslab/ignore-gfp-wait Y
	knob fail_page_alloc/ignore-gfp-wait Y
	knob fail_page_alloc/min-order 1
	knob failslab/verbose 2
	knob fail_page_alloc/verbose 2
}
rel_setup mqos_tc genl_fuzz
knob failslab/ignore-gfp-wait N && knob fail_page_alloc/ignore-gfp-wait N &&
	knob fail_page_alloc/min-order 0 ||
	{ ktap_fail "fault injection knobs in $DBG"; rel_finish; }
knob failslab/verbose 0
knob fail_page_alloc/verbose 0
# The hook's walk is about mqos, not about loading conntrack.
modprobe nf_conntrack 2>/dev/null

DEV=fa0
n_gw ip link add $DEV type dummy && n_gw ip link set $DEV up ||
	{ ktap_fail "dummy device"; rel_finish; }
TC=$REL_BIN/mqos_tc

# The state a request may change: the running configuration as mqosctl
# saves it, the device's root qdisc (kind and handle), and in the hook's
# walk whether the hook follows connections (a hook on without conntrack
# is a different hook).
HOOK_STATE=0
state() {
	n_gw "$CTL" save 2>&1
	n_gw tc qdisc show dev $DEV root | awk '{ print "root:", $2, $3 }'
	[ $HOOK_STATE = 0 ] || n_gw "$CTL" hook show -j | jq -c '{ conntrack }'
}

# The requests, with the Nth allocation failed (N=0: none). Each prints
# "injected 0|1 err E lost 0|1".
# tc_req ARGS...: mqos_tc DEV ARGS (E: its exit status; 3 is a lost answer)
tc_req() {
	local out rc inj=0
	if [ "$N" = 0 ]; then
		out=$(n_gw "$TC" $DEV "$@" 2>&1)
	else
		out=$(n_gw env MQOS_FAIL_NTH="$N" "$TC" $DEV "$@" 2>&1)
	fi
	rc=$?
	case $out in *"fail-nth: injected"*) inj=1 ;; esac
	[ "$N" = 0 ] && [ $rc != 0 ] && diag "mqos_tc: $out" >&2
	echo "injected $inj err $rc lost $([ $rc = 3 ] && echo 1 || echo 0)"
}
# genl_req rules|hook (E: the kernel's answer, -errno)
genl_req() { n_gw "$REL_BIN/genl_fuzz" failnth "$N" "$1"; }

# walk NAME PREP REQ...: PREP puts the state before the request (from
# any state the request can leave); REQ... makes it, failing allocation N.
walk() {
	local name=$1 prep=$2 s0 snew s1 inj err lost
	local refused=0 applied=0 lostn=0 bad=0 first= done=0 seq= shown=
	shift 2
	if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then
		ktap_skip "$name" "not in MQOS_FAULT_ONLY"
		return
	fi
	$prep
	s0=$(state)
	N=0
	read -r _ inj _ err _ lost <<< "$("$@")"
	snew=$(state)
	if [ "$err" != 0 ] || [ "$snew" = "$s0" ]; then
		ktap_fail "$name: without a failure the request is applied (err $err)"
		return
	fi
	s1=$snew
	for ((N = 1; N <= MAX; N++)); do
		# PREP only when the last request changed something.
		[ "$s1" = "$s0" ] || $prep
		read -r _ inj _ err _ lost <<< "$("$@")"
		s1=$(state)
		if [ "$inj" != 1 ]; then
			done=1
			[ "$err" = 0 ] && [ "$s1" = "$snew" ] ||
				{ bad=$((bad + 1)); first=${first:-"$N (no failure, err $err)"}; }
			break
		fi
		# One letter per allocation: Refused, Applied, answer Lost.
		if [ "$lost" = 1 ]; then
			lostn=$((lostn + 1)) seq=${seq}L
			[ "$s1" = "$s0" ] || [ "$s1" = "$snew" ] ||
				{ bad=$((bad + 1)); first=${first:-"$N (answer lost, state neither)"}; }
		elif [ "$err" = 0 ]; then
			applied=$((applied + 1)) seq=${seq}A
			[ "$s1" = "$snew" ] ||
				{ bad=$((bad + 1)); first=${first:-"$N (accepted, not applied whole)"}; }
		else
			refused=$((refused + 1)) seq=${seq}R
			[ "$s1" = "$s0" ] ||
				{ bad=$((bad + 1)); first=${first:-"$N (refused, err $err, state changed)"}; }
		fi
		if [ $bad = 1 ] && [ -z "$shown" ]; then
			shown=1
			diag "$name: allocation $first; state before, then after:"
			printf '%s\n' "$s0" "--" "$s1" | sed 's/^/#   /'
		fi
	done
	diag "$name: $seq"
	ktap_result "$name: $((N - 1)) allocations failed in turn: $refused refused, $applied applied whole, $lostn answers lost; $bad inconsistent${first:+ (first at $first)}" \
		$([ $done = 1 ] && [ $bad = 0 ] && [ $((refused + applied + lostn)) -gt 0 ]; echo $?)
}

prep_none() { n_gw tc qdisc del dev $DEV root 2>/dev/null; }
prep_base() {
	prep_none
	n_gw "$TC" $DEV add rate 10mbit > /dev/null
}
walk "qdisc add with options" prep_none \
	tc_req add rate 10mbit isolation 3 \
	class 2 flows 2048 class 4 flows 4096 limit 500 \
	class 6 name extra prio 5 rate 2mbit flows 512
walk "qdisc change" prep_base \
	tc_req change rate 20mbit class 4 flows 8192 \
	class 7 name seven prio 6 rate 1mbit flows 256
walk "class add (RTM_NEWTCLASS)" prep_base \
	tc_req class 8 name eight prio 6 ceil 3mbit flows 2048

prep_rules() { n_gw "$CTL" rule flush; }
walk "rule table replacement (generic netlink)" prep_rules genl_req rules
prep_hook() { n_gw "$CTL" hook set off; }
HOOK_STATE=1
walk "hook on (generic netlink)" prep_hook genl_req hook
prep_hook
prep_none
rel_finish
