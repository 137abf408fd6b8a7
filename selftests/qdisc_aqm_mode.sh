#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The AQM's two modes (class option `aqm decay|codel`):
#   1. every class starts in codel mode, shown by mqosctl (text, JSON) and
#      by tc with the q_mqos plugin;
#   2. `aqm decay` is applied and shown, set by mqosctl and by tc; a word
#      that is not a mode is refused by mqosctl, naming it, and by the
#      kernel's policy (a raw value out of range), and neither changes the
#      class;
#   3. what decay is for: two TCP streams saturate best-effort at 20 Mbit/s
#      (no ECN, flow queuing on), in turns of decay and CoDel; decay keeps
#      the class's median sojourn lower than CoDel's (the count it keeps
#      across dips below target; CoDel restarts a whole interval), and both
#      drop. The medians of each are printed.
. "$(dirname "$0")/qdisc_lib.sh"

CTL=$REPO_DIR/userspace/mqosctl

ktap_plan 5
require_root
require_cmd tc ip gcc iperf3 jq
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"

IPERF_C=
cleanup() {
	[ -n "$IPERF_C" ] && kill -9 "$IPERF_C" 2>/dev/null
	mq_cleanup
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
topo_create || { ktap_fail "topology"; ktap_finish; }
ctl() { n_gw "$CTL" "$@"; }
n_gw tc qdisc add dev g1 root handle 1: mqos
ctl dev set g1 rate 20mbit

# mode CLASS: the class's mode as mqosctl's JSON shows it.
mode() { ctl class show g1 -j | jq -r ".[] | select(.class == $1) | .aqm_mode"; }

# 1. Defaults.
modes=$(for c in 1 2 3 4 5; do mode $c; done | sort -u | tr '\n' ' ')
txt=$(ctl class show g1 | grep -c ' aqm codel ')
# With the plugin, tc shows and sets the mode too.
TCP=
[ -e "$REPO_DIR/tc/q_mqos.so" ] && TCP=$REPO_DIR/tc
tcq() { TC_LIB_DIR=$TCP n_gw tc "$@"; }
tcd=5 tcc=0
if [ -n "$TCP" ]; then
	tcd=$(tcq qdisc show dev g1 | grep -o 'aqm codel' | wc -l)
	tcc=$(tcq qdisc show dev g1 | grep -o 'aqm decay' | wc -l)
else
	diag "no tc/q_mqos.so (make -C tc): tc not checked"
fi
diag "JSON modes: $modes; text lines with 'aqm codel': $txt; tc: $tcd codel, $tcc decay"
ktap_result "every class starts in codel mode (mqosctl JSON and text, tc)" \
	$([ "$modes" = "codel " ] && [ "$txt" = 5 ] && [ "$tcd" = 5 ] && [ "$tcc" = 0 ]; echo $?)

# 2. Set, refused, unchanged.
ctl class set g1 4 aqm decay
m3=decay
if [ -n "$TCP" ]; then
	tcq class change dev g1 classid 1:3 mqos aqm decay
	m3=$(mode 3)
fi
m4=$(mode 4) m2=$(mode 2)
ktap_result "aqm decay set by mqosctl (class 4: $m4) and tc (class 3: $m3); class 2 untouched ($m2)" \
	$([ "$m4" = decay ] && [ "$m3" = decay ] && [ "$m2" = codel ]; echo $?)
err=$(ctl class set g1 4 aqm cobalt 2>&1)
rc=$?
kerr=$(mq_change class 4 aqm_mode 2 2>&1)
krc=$?
diag "mqosctl: $err; kernel: $kerr"
ktap_result "a bad mode is refused (mqosctl names the word, the kernel's policy the attribute) and changes nothing" \
	$([ $rc != 0 ] && printf '%s' "$err" | grep -q "'cobalt'" &&
	  [ $krc != 0 ] && printf '%s' "$kerr" | grep -q 'TCA_MQOS_CLASS_AQM_MODE\|out of range\|Numerical result' &&
	  [ "$(mode 4)" = decay ]; echo $?)

# 3. Decay against CoDel under two TCP streams, not ECN-capable (tcp_ecn
# is 2 in a new namespace, and the class does not mark either): drops.
ctl class set g1 4 ecn off
bg n_rcv iperf3 -s -p 5201 > /dev/null 2>&1
wait_for 100 n_rcv sh -c "ss -ltn | grep -q ':5201 '" || diag "iperf3 server not up"
bg n_snd iperf3 -c "$RCV_IP" -p 5201 -t 300 -P 2 > /dev/null 2>&1
IPERF_C=${_bg_pids[-1]}
sleep 3
# turn MODE: 5 s of the load in MODE; prints "p50_us aqm_drops".
turn() {
	ctl class set g1 4 aqm "$1"
	sleep 1
	mq_change reset > /dev/null
	sleep 5
	ctl stats -j g1 | jq -r '.devices[0].classes[] | select(.class == 4) |
		"\(.delay.p50_ns / 1000 | floor) \(.drops.aqm) \(.sent_packets)"'
}
d=() c=()
for i in 1 2 3; do
	d+=("$(turn decay)")
	c+=("$(turn codel)")
done
diag "decay (p50 us, aqm drops, sent): ${d[*]/%/;}"
diag "codel (p50 us, aqm drops, sent): ${c[*]/%/;}"
med() { printf '%s\n' "$@" | awk '{ print $1 }' | sort -n | sed -n 2p; }
dm=$(med "${d[@]}") cm=$(med "${c[@]}")
drops_ok=1
for r in "${d[@]}" "${c[@]}"; do
	set -- $r
	[ "${2:-0}" -gt 0 ] && [ "${3:-0}" -gt 1000 ] || drops_ok=0
done
ktap_result "every turn saturated the class and drew AQM drops" \
	$([ $drops_ok = 1 ]; echo $?)
ktap_result "decay's median sojourn is below CoDel's (medians of 3: $dm us against $cm us)" \
	$([ -n "$dm" ] && [ -n "$cm" ] && [ "$dm" -lt "$cm" ]; echo $?)
ktap_finish
