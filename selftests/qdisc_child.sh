#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mqos as a child qdisc, configured with stock tc (and q_mqos.so):
#   1. the leaf of an HTB class (an operator who keeps HTB as the shaper
#      and wants mqos's classes inside one of its classes): EF and a
#      best-effort flood through HTB's 4 Mbit/s; the EF packets arrive,
#      mqos counts them in realtime, HTB's class and mqos agree on what
#      was sent, and realtime waits less in mqos than best-effort does;
#   2. the child of a DRR class with a memory limit below one packet:
#      every packet is queued and dropped again at once. mqos must then
#      answer congestion (NET_XMIT_CN), not success, or DRR puts its
#      class on its active list with an empty child and the kernel logs
#      "drr_dequeue: mqos qdisc 10: is non-work-conserving?" (as fq_codel
#      answers when it drops what just arrived). DRR's queue stays empty
#      and consistent, and with the limit back, traffic crosses DRR again.
. "$(dirname "$0")/qdisc_lib.sh"

ktap_plan 7
require_root
require_cmd tc ip python3
trap 'mq_cleanup; rm -f "${out:-/nonexistent}"' EXIT

[ -e "$REPO_DIR/tc/q_mqos.so" ] || ktap_skip_rest "tc/q_mqos.so not built (make -C tc)"
export TC_LIB_DIR=$REPO_DIR/tc
mqos_load || ktap_skip_rest "cannot load mqos.ko"
mq_tools || ktap_skip_rest "cannot build the test tools"
modprobe -q -a sch_htb sch_drr cls_matchall 2>/dev/null
topo_create || { ktap_fail "topology"; ktap_finish; }
out=$(mktemp /tmp/qdisc_child.XXXXXX)

# p99_ms CLASSID: the sojourn p99 of a class of the child mqos, in ms, from
# tc -s class show ("delay count N mean X p50 Y p99 Z ...").
p99_ms() {
	n_gw tc -s class show dev g1 | python3 -c '
import re, sys
want, hit = sys.argv[1], False
unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
for line in sys.stdin:
    if line.startswith("class "):
        hit = line.split()[2] == want
    m = re.search(r"\bdelay count (\d+) .* p99 ([0-9.]+)(ns|us|ms|s) ", line)
    if hit and m and not line.lstrip().startswith("sparse"):
        print("%.3f" % (float(m.group(2)) * unit[m.group(3)]) if int(m.group(1)) else "-")
        sys.exit(0)
print("-")' "$1"
}

# backlog HANDLE: "Nb Np" of the qdisc HANDLE on g1.
backlog() {
	n_gw tc -s qdisc show dev g1 |
		awk -v h="$1" '/^qdisc / { hit = ($3 == h) } hit && /backlog/ { print $2, $3; exit }'
}

backlog_empty() { [ "$(backlog "$1")" = "0b 0p" ]; }

# 1. HTB 4 Mbit/s, mqos as its class's leaf.
n_gw tc qdisc add dev g1 root handle 1: htb default 1 &&
	n_gw tc class add dev g1 parent 1: classid 1:1 htb rate 4mbit ceil 4mbit &&
	n_gw tc qdisc add dev g1 parent 1:1 handle 10: mqos
ktap_result "mqos created as the leaf of HTB class 1:1" \
	$(n_gw tc qdisc show dev g1 | grep -q 'qdisc mqos 10: parent 1:1'; echo $?)
udp_bg 5051 8000000 4 1000 0
udp_flow 5052 500000 4 1000 0xb8 "$out"
bg_stop
mq_wait=0
wait_for 100 backlog_empty 10: || mq_wait=1
sent=$(awk '/^sent/ { print $2 }' "$out")
got=$(awk '/^recv/ { print $2 }' "$out")
rt=$(tc_stat "$NS_GW" g1 class 10:2 pkts)
htb=$(tc_stat "$NS_GW" g1 class 1:1 pkts)
leaf=$(tc_stat "$NS_GW" g1 qdisc 10: pkts)
diag "EF: $got of $sent arrived; mqos realtime sent ${rt:-?}; HTB 1:1 sent ${htb:-?}, mqos 10: sent ${leaf:-?}"
ktap_result "EF through HTB's mqos leaf: $got of $sent arrived, counted in mqos's realtime class (${rt:-0})" \
	$([ "${sent:-0}" -gt 0 ] && [ $((${got:-0} * 100)) -ge $((sent * 95)) ] &&
	  [ "${rt:-0}" -ge "${got:-0}" ]; echo $?)
ktap_result "HTB's class and its mqos leaf agree on what was sent (${htb:-?} == ${leaf:-?}), nothing left queued" \
	$([ -n "$htb" ] && [ "$htb" = "$leaf" ] && [ "$htb" -gt "${got:-0}" ] && [ $mq_wait = 0 ]; echo $?)
rp=$(p99_ms 10:2) bp=$(p99_ms 10:4)
diag "sojourn p99 in mqos: realtime $rp ms, best-effort $bp ms"
ktap_timing "inside HTB, realtime waits less in mqos than best-effort (p99 $rp against $bp ms)" \
	$(awk -v r="$rp" -v b="$bp" 'BEGIN { exit !(r != "-" && b != "-" && r + 0 < b + 0) }'; echo $?)

# 2. DRR, mqos as its class's child with a memory limit below one packet.
n_gw tc qdisc del dev g1 root
warned() { dmesg | grep -c 'mqos qdisc .* is non-work-conserving'; }
w0=$(warned)
if ! err=$(n_gw tc qdisc add dev g1 root handle 1: drr 2>&1); then
	# A kernel built without DRR (sch_drr), as some embedded ones are.
	for t in "mqos as DRR's child" "every packet dropped, DRR's queue empty" \
		"memory limit back: traffic crosses DRR"; do
		ktap_skip "$t" "no DRR here: $err"
	done
	ktap_finish
fi
n_gw tc class add dev g1 parent 1: classid 1:1 drr &&
	n_gw tc qdisc add dev g1 parent 1:1 handle 10: mqos memlimit 1 &&
	n_gw tc filter add dev g1 parent 1: protocol all prio 1 matchall classid 1:1
ktap_result "mqos created as the child of DRR class 1:1 with memlimit 1" \
	$(n_gw tc qdisc show dev g1 | grep -q 'qdisc mqos 10: parent 1:1 .*memlimit 1b'; echo $?)
udp_flow 5053 400000 2 200 0 "$out"
sent=$(awk '/^sent/ { print $2 }' "$out")
got=$(awk '/^recv/ { print $2 }' "$out")
drops=$(tc_stat "$NS_GW" g1 qdisc 10: drops)
drr=$(backlog 1:)
w1=$(warned)
diag "memlimit 1: sent $sent, arrived ${got:-0}, mqos dropped ${drops:-?}; DRR backlog: $drr; non-work-conserving warnings: $((w1 - w0))"
ktap_result "every packet dropped in mqos (${drops:-?} of $sent), DRR's queue empty ($drr), no non-work-conserving warning ($((w1 - w0)))" \
	$([ "${sent:-0}" -gt 0 ] && [ "${drops:-0}" = "$sent" ] && [ "${got:-0}" = 0 ] &&
	  [ "$drr" = "0b 0p" ] && [ "$w1" = "$w0" ]; echo $?)
n_gw tc qdisc change dev g1 parent 1:1 handle 10: mqos memlimit 4194304
udp_flow 5054 400000 2 200 0 "$out"
sent=$(awk '/^sent/ { print $2 }' "$out")
got=$(awk '/^recv/ { print $2 }' "$out")
ktap_result "memory limit back: traffic crosses DRR and mqos again ($got of $sent)" \
	$([ "${sent:-0}" -gt 0 ] && [ $((${got:-0} * 100)) -ge $((sent * 95)) ]; echo $?)
ktap_finish
