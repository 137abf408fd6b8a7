#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload mqos.ko many times, each time creating a namespace with an
# mqos qdisc, and check that nothing is left behind: the module's refcount
# returns to zero, rmmod succeeds, and slab usage does not grow. Each cycle
# takes ~2.4 s under TCG; MQOS_LOAD_CYCLES=200 for a longer soak.
. "$(dirname "$0")/lib.sh"

CYCLES=${MQOS_LOAD_CYCLES:-12}
ktap_plan 5
require_root
require_cmd insmod rmmod tc ip

mqos_unload 2>/dev/null
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# A namespace that lives across all cycles: loading and unloading the
# module runs the pernet init/exit for it as well as for init_net.
ns=mqs-load-$$
trap 'ip netns del $ns 2>/dev/null' EXIT
mkns() {
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" &&
	ip -n "$ns" link add mq0 type veth peer name mq1 &&
	ip -n "$ns" link set mq0 up && ip -n "$ns" link set mq1 up
}
mkns

# One cycle: load, attach a qdisc, send through it, detach, unload. Every
# fourth cycle instead deletes the namespace with the qdisc still attached.
cycle() {
	mqos_load || return 1
	tc -n "$ns" qdisc add dev mq0 root handle 1: mqos || return 1
	ip netns exec "$ns" ping -q -c 1 -W 0.05 -I mq0 192.0.2.200 >/dev/null 2>&1
	if [ $(($1 % 4)) = 3 ]; then
		ip netns del "$ns" || return 1
		mkns || return 1
	else
		tc -n "$ns" qdisc del dev mq0 root || return 1
	fi
	# netns teardown is asynchronous: wait until the qdisc let go.
	wait_for 100 mqos_idle || { echo "refcnt stuck at $(mqos_refcnt)"; return 1; }
	rmmod mqos
}
# A warm-up cycle so that first-use allocations are not counted as a leak.
cycle 0
sync; echo 3 > /proc/sys/vm/drop_caches
before=$(slab_kb)

fails=0
for ((i = 0; i < CYCLES; i++)); do
	out=$(cycle $i 2>&1) || { fails=$((fails + 1)); diag "cycle $i: $out"; }
done
ktap_result "$CYCLES load/qdisc/netns/unload cycles" $fails

ktap_check "module not loaded after the cycles" test ! -d /sys/module/mqos

sync; echo 3 > /proc/sys/vm/drop_caches
after=$(slab_kb)
diag "slab before ${before} kB, after ${after} kB"
# Coarse: catches a leaked namespace or module-sized leak per cycle; small
# per-object leaks are leak_lib.sh's job (memory_bounds, faults_under_traffic).
ktap_result "slab usage stable (grew $((after - before)) kB, limit 2048 kB)" \
	$(( after - before > 2048 ))

# A qdisc in use pins the module.
mqos_load
tc -n "$ns" qdisc add dev mq0 root handle 1: mqos
if rmmod mqos 2>/dev/null; then
	ktap_fail "rmmod refused while a qdisc uses the module"
else
	ktap_ok "rmmod refused while a qdisc uses the module"
fi
tc -n "$ns" qdisc del dev mq0 root
wait_for 100 mqos_idle
ktap_check "rmmod succeeds once the qdisc is gone" rmmod mqos

ktap_finish
