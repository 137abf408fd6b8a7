#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# leak_lib.sh's count of the kmalloc objects mqos allocated: an object is
# mqos's when its allocating frame (the first frame that is not the
# allocator) is in mqos's text, not when an mqos frame appears anywhere in
# its stack. First on recorded traces of the cases that fooled the count
# (nf_conntrack's init allocations with a stale mqos frame, made while the
# hook loaded conntrack; a boot-time module's allocation whose freed init
# text now resolves to mqos), then live: the count sees mqos's own
# allocations come and go, and loading nf_conntrack through the hook does
# not raise it.
. "$(dirname "$0")/lib.sh"
. "$SELFTESTS_DIR/leak_lib.sh"

ktap_plan 5
require_root
require_cmd tc ip awk

# 1. Recorded alloc_traces entries (6.1's format; addresses shortened).
sample() {
	cat <<'EOF'
cache /sys/kernel/debug/slab/kmalloc-96
      2 mqos_init+0x9a/0x2c0 [mqos] age=120-130/125 pid=128 cpus=0
        __kmem_cache_alloc_node+0x1a/0x1f0
        kmalloc_trace+0x26/0x90
        mqos_init+0x9a/0x2c0 [mqos]
        qdisc_create+0x17f/0x560
        tc_modify_qdisc+0x4a1/0x7b0

      1 kvmalloc_node+0x4c/0xd0 age=100 pid=128 cpus=0
        __kmalloc_node+0x4c/0x150
        kvmalloc_node+0x4c/0xd0
        mqos_kruleset_alloc+0x2f/0xc0 [mqos]
        mqos_nl_rule_add+0x1c1/0x3a0 [mqos]
        genl_family_rcv_msg_doit+0xf1/0x160

cache /sys/kernel/debug/slab/kmalloc-4k
      1 nf_ct_alloc_hashtable+0x41/0x80 [nf_conntrack] age=529 pid=128
        __kmalloc_node+0x4c/0x150
        nf_ct_alloc_hashtable+0x41/0x80 [nf_conntrack]
        nf_conntrack_helper_init+0x1d/0x50 [nf_conntrack]
        nf_conntrack_init_start+0xc7/0x1f0 [nf_conntrack]
        mqos_hook_enable+0x7b/0x1a0 [mqos]
        do_one_initcall+0x59/0x220

      1 register_leaf_sysctl_tables+0x90/0x1c0 waste=1408/1408 age=520 pid=128
        __kmalloc+0x49/0x150
        register_leaf_sysctl_tables+0x90/0x1c0
        __register_sysctl_paths+0x12f/0x200
        nf_conntrack_standalone_init+0x52/0xa0 [nf_conntrack]
        mqos_nl_hook_set+0x120/0x300 [mqos]

cache /sys/kernel/debug/slab/kmalloc-8
      1 __kernfs_new_node+0x40/0x200 waste=6/6 age=1357 pid=94
        __kmalloc_node_track_caller+0x4a/0x150
        kstrdup+0x32/0x60
        __kernfs_new_node+0x40/0x200
        kernfs_new_node+0x52/0x80
        sysfs_slab_add+0x1a2/0x220
        __kmem_cache_create+0x3e5/0x4d0
        kmem_cache_create_usercopy+0x16e/0x2e0
        kmem_cache_create+0x12/0x20
        mqos_net_init+0x1a/0x70 [mqos]
        do_one_initcall+0x59/0x220
EOF
}
got=$(sample | _mqos_slab_count)
owners=$(sample | awk "$_slab_owner_awk" | awk '{ printf "%s:%s ", $2, $1 }')
ktap_result "recorded traces: 3 objects are mqos's, not 6 ($got; by owner: $owners)" \
	$([ "$got" = 3 ]; echo $?)
rep=$(sample > /tmp/leak_owner.$$; _mqos_slab_traces() { cat /tmp/leak_owner.$$; }; mqos_slab_report)
rm -f /tmp/leak_owner.$$
nrep=$(printf '%s\n' "$rep" | grep -c -E '^# kmalloc-[0-9a-z]+: +[0-9]+ ')
ktap_result "the report lists exactly the 2 entries counted ($nrep)" \
	$([ "$nrep" = 2 ] && ! printf '%s' "$rep" | grep -q nf_conntrack; echo $?)

# 2. Live, on this kernel.
[ "$(mqos_slab_objs)" = - ] && ktap_skip_rest "no SLUB user tracking (slub_debug=U)"
NS=mqs-lo-$$
trap 'ip netns del $NS 2>/dev/null' EXIT
# A namespace an earlier test deleted may still hold the module a while.
if mqos_loaded && ! { wait_for 300 mqos_idle; rmmod mqos 2>/dev/null; }; then
	ktap_skip_rest "mqos is loaded and busy"
fi
ct_was=$(lsmod | awk '$1 == "nf_conntrack" { print 1 }')
[ -z "$ct_was" ] || rmmod nf_conntrack_netlink nf_conntrack 2>/dev/null || true
mqos_load || ktap_skip_rest "cannot load mqos.ko"
_leak_settle
n0=$(mqos_slab_objs)
ip netns add $NS
ip -n $NS link add d0 type dummy
ip netns exec $NS tc qdisc add dev d0 root handle 1: mqos
ip netns exec $NS tc qdisc add dev lo root handle 2: mqos
n1=$(mqos_slab_objs)
ktap_result "mqos's own allocations are counted: 2 qdiscs, $n0 -> $n1 objects" \
	$([ "$n1" -ge $((n0 + 2)) ]; echo $?)
ctl=$(mqosctl_bin)
if [ -n "$ctl" ] && ip netns exec $NS "$ctl" hook set on 2>/dev/null; then
	loaded=$(lsmod | awk '$1 == "nf_conntrack" { print "yes" }')
	ip netns exec $NS "$ctl" hook set off
	ip netns del $NS
	for _ in $(seq 20); do
		_leak_settle
		n2=$(mqos_slab_objs)
		[ "$n2" -le "$n0" ] && break
	done
	[ "$n2" -le "$n0" ] || mqos_slab_report
	ktap_result "hook on/off (nf_conntrack loaded: ${loaded:-no}), netns gone: $n2 <= $n0 objects" \
		$([ "$n2" -le "$n0" ]; echo $?)
else
	ip netns del $NS
	ktap_skip "hook loads nf_conntrack" "no mqosctl or no hook"
fi
ktap_check "rmmod mqos" rmmod mqos
ktap_finish
