#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A rule table replaced while it is read. The classifier's table and the
# control plane's table (prefs; what /proc/net/mqos/rules and the rule
# dump read) are published one after the other; a reader can find the old
# control table, and through it the old classifier table, after the
# classifier switched. The old tables must stay alive until both pointers
# are gone and a grace period has passed.
#
# The DEBUG=1 build widens the window between the two switches
# (debug_publish_delay_ms); the readers come in the middle of it, when the
# old classifier table's grace period is long over. vm-run boots with
# slub_debug=FZPU (freed objects poisoned) and oops=panic: a reader that
# reached freed memory faults or prints poisoned rules.
. "$(dirname "$0")/lib.sh"
. "$SELFTESTS_DIR/leak_lib.sh"

ktap_plan 5
require_root
require_cmd ip

dko=$REPO_DIR/build/$(uname -r)-debug/mqos.ko
[ -e "$dko" ] || ktap_skip_rest "no DEBUG=1 build for $(uname -r) (make modules-vm DEBUG=1)"
ctl=$(mqosctl_bin)
[ -n "$ctl" ] || ktap_skip_rest "no mqosctl"
# A namespace an earlier test deleted may still hold the module a while.
if mqos_loaded && ! { wait_for 300 mqos_idle; rmmod mqos 2>/dev/null; }; then
	ktap_skip_rest "mqos is loaded and busy"
fi
insmod "$dko" || ktap_skip_rest "cannot load the DEBUG=1 mqos.ko"
param=/sys/module/mqos/parameters/debug_publish_delay_ms
NS=mqs-rcu-$$
cleanup() {
	[ -w $param ] && echo 0 > $param
	[ -n "${wpid:-}" ] && wait "$wpid" 2>/dev/null
	ip netns del $NS 2>/dev/null
	# The next test loads the module it wants.
	wait_for 100 mqos_idle && rmmod mqos 2>/dev/null
}
trap cleanup EXIT
ip netns add $NS
c() { ip netns exec $NS "$ctl" "$@"; }

c rule add pref 10 match dscp EF class 2 &&
	c rule add pref 20 match dscp CS6 class 1 &&
	c rule add pref 30 match dscp AF41 class 3
ktap_result "three rules" $?
before=$(ip netns exec $NS cat /proc/net/mqos/rules)

# One replacement (a fourth rule) held 4 s between its two switches; the
# reader at 1 s, when the grace period of the classifier switch is long
# over. It sees the old table if it came inside the window (the new one
# has four rules).
echo 4000 > $param
t0=$(date +%s%N)
c rule add pref 40 match dscp CS1 class 5 &
wpid=$!
sleep 1
mid=$(ip netns exec $NS cat /proc/net/mqos/rules)
inwin=$(( ($(date +%s%N) - t0) / 1000000 ))
wait $wpid
wrc=$?
wms=$(( ($(date +%s%N) - t0) / 1000000 ))
wpid=
echo 0 > $param
diag "readers done ${inwin} ms into the window; /proc during it:"
printf '%s\n' "$mid" | sed 's/^/#   /'
ktap_result "the replacement held the window (rule add exit $wrc after $wms ms >= 4000; reader done at $inwin ms)" \
	$([ $wrc = 0 ] && [ "$wms" -ge 4000 ]; echo $?)
ktap_result "/proc/net/mqos/rules in the window: the old table, whole" \
	$([ "$mid" = "$before" ]; echo $?)
# The rule dump is no reader in the window: genl_mutex serialises it with
# the writer. After the window, /proc and the dump show the new table.
after=$(ip netns exec $NS cat /proc/net/mqos/rules | awk '$1 ~ /^[0-9]+$/ { printf "%s ", $1 }')
ktap_result "after it, /proc/net/mqos/rules: prefs $after" \
	$([ "$after" = "10 20 30 40 " ]; echo $?)
dump=$(c rule show 2>&1)
ktap_result "after it, the rule dump: four rules" \
	$(printf '%s\n' "$dump" | grep -q 'CS1' && [ "$(printf '%s\n' "$dump" | grep -c -E 'EF|CS6|AF41|CS1')" = 4 ]; echo $?)
ktap_finish
