#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DSCP rewriting of IPv6 packets whose skb->csum covers the header
# (CHECKSUM_COMPLETE). Such packets come out of a tunnel whose outer UDP
# checksum the stack verified in software: here IPv6 over VXLAN over IPv6,
# the sender's checksum offload and the receiver's GRO off, so that every
# inner packet reaches the receiver's stack as CHECKSUM_COMPLETE. On the
# receiver, the tunnel's ingress is redirected to an ifb whose mqos
# remarks best-effort to CS1 at dequeue, and the hook remarks it again at
# PRE_ROUTING (CS2), both then delivered locally.
#
# A stale csum is no visible error in software (the stack recomputes the
# sum and delivers), so the DEBUG=1 module checks every such rewrite: it
# sums the bytes skb->csum covers before and after, and reports at rmmod
# how many rewrites it checked and how many it left stale. Pass: pings
# answered, the remarks happened, checked > 0 and stale == 0.
. "$(dirname "$0")/lib.sh"
. "$SELFTESTS_DIR/leak_lib.sh"

ktap_plan 4
require_root
require_cmd tc ip ethtool ping

CTL=$(mqosctl_bin)
[ -n "$CTL" ] || ktap_skip_rest "no mqosctl (make mqosctl)"
NA=mqs-csa-$$ NB=mqs-csb-$$
cleanup() {
	ip netns del $NA 2>/dev/null
	ip netns del $NB 2>/dev/null
}
trap cleanup EXIT
a() { ip netns exec $NA "$@"; }
b() { ip netns exec $NB "$@"; }

# The check lives in the DEBUG=1 module: a release module an earlier test
# left loaded goes first.
if mqos_loaded && [ -e "$REPO_DIR/build/$(uname -r)-debug/mqos.ko" ] &&
	! grep -q '[[:space:]]mqos_debug_csum_after[[:space:]]\[mqos\]' /proc/kallsyms; then
	wait_for 100 mqos_idle
	mqos_unload
fi
rel_load || ktap_skip_rest "cannot load mqos.ko"
[ -n "$REL_DEBUG" ] || ktap_skip_rest "needs the DEBUG=1 module (make modules-vm DEBUG=1)"
modprobe vxlan 2>/dev/null
modprobe ifb numifbs=0 2>/dev/null

ip netns add $NA && ip netns add $NB || ktap_skip_rest "netns"
ip link add u0 netns $NA type veth peer name u1 netns $NB || ktap_skip_rest "veth"
a ip addr add fd00:c5::1/64 dev u0 nodad
b ip addr add fd00:c5::2/64 dev u1 nodad
a ip link set u0 up; b ip link set u1 up
a ip link set lo up; b ip link set lo up
# The outer UDP checksum computed by the sender's stack, verified by the
# receiver's (no offload, no GRO that would mark it unnecessary).
a ethtool -K u0 tx off >/dev/null 2>&1
b ethtool -K u1 gro off rx off >/dev/null 2>&1
vxlan() {	# NS LOCAL REMOTE INNER
	ip netns exec "$1" ip link add vx0 type vxlan id 42 local "$2" remote "$3" \
		dstport 4789 noudp6zerocsumtx noudp6zerocsumrx &&
		ip netns exec "$1" ip addr add "$4/64" dev vx0 nodad &&
		ip netns exec "$1" ip link set vx0 up
}
vxlan $NA fd00:c5::1 fd00:c5::2 fd00:c6::1 &&
	vxlan $NB fd00:c5::2 fd00:c5::1 fd00:c6::2 || ktap_skip_rest "no vxlan"
b ethtool -K vx0 gro off rx off >/dev/null 2>&1
b ip link add ifb0 type ifb || ktap_skip_rest "no ifb"
b ip link set ifb0 up
b tc qdisc add dev ifb0 root handle 1: mqos || ktap_skip_rest "mqos qdisc"
b "$CTL" class set ifb0 4 dscp CS1 || ktap_fail "class set ifb0 4 dscp CS1"
b tc qdisc add dev vx0 handle ffff: ingress
b tc filter add dev vx0 parent ffff: matchall action mirred egress redirect dev ifb0
b "$CTL" hook set on
b "$CTL" hook class 4 remark CS2

# Echo requests A -> B: each crosses the ifb's mqos, then the hook.
out=$(a ping -6 -c 60 -i 0.02 -s 300 -W 2 fd00:c6::2 2>&1)
rcv=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
ktap_result "60 pings over IPv6-in-VXLAN with the ifb and the hook remarking: ${rcv:-0} answered" \
	$([ "${rcv:-0}" -ge 55 ]; echo $?)
sent=$(tc_stat $NB ifb0 class 1:4 pkts)
hook=$(b "$CTL" hook show 2>/dev/null | grep -i remark | head -n 3 | tr '\n' ' ')
diag "ifb0 class 1:4 sent ${sent:-?}; hook: $hook"
ktap_result "the echo requests went through mqos class 1:4 on ifb0 (${sent:-0} packets)" \
	$([ "${sent:-0}" -ge 55 ]; echo $?)
cleanup

leak_check_module
rep=$(dmesg | awk -v m="$REL_MARK" 'index($0, m) { buf = ""; next }
	/mqos: csum:/ { buf = $0 } END { print buf }')
checked=$(printf '%s' "$rep" | sed -n 's/.*checked \([0-9]*\).*/\1/p')
stale=$(printf '%s' "$rep" | sed -n 's/.*stale \([0-9]*\).*/\1/p')
diag "${rep#*mqos: }"
ktap_result "CHECKSUM_COMPLETE kept true by every DSCP rewrite: ${checked:-?} checked, ${stale:-?} stale" \
	$([ "${checked:-0}" -ge 55 ] && [ "${stale:-1}" = 0 ]; echo $?)
ktap_finish
