#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The selectors for what is visible over TLS (docs/tls.md): tc filters on
# the mqos qdisc pick the class of the gateway's own packets by
#   1. the packet mark, set by an nft rule (fw filter);
#   2. the sending process's UID: nft meta skuid sets the mark, fw;
#   3. the process's net_cls cgroup (cgroup v1): cls_cgroup filter;
#   4. the process's cgroup v2: nft socket cgroupv2 sets the mark, fw;
#   5. a filter beats a rule: with a rule sending the same packets to
#      bulk, the fw filter's class wins.
# Each sender is a short python loop of 20 UDP datagrams from the gateway
# to the receiver; a check passes when exactly those 20 packets were sent
# by the filter's class (and no other class moved).
. "$(dirname "$0")/lib.sh"

CTL=$REPO_DIR/userspace/mqosctl
PY=$(command -v /usr/bin/python3 || command -v python3)
N=20

ktap_plan 5
require_root
require_cmd tc ip nft python3 setpriv
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"

CG1= CG2=
cleanup() {
	topo_cleanup
	[ -n "$CG1" ] && { rmdir "$CG1/sel" 2>/dev/null; umount "$CG1" 2>/dev/null; rmdir "$CG1"; }
	[ -n "$CG2" ] && { rmdir "$CG2/mqos-sel-$$" 2>/dev/null; umount "$CG2" 2>/dev/null; rmdir "$CG2"; }
	return 0
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos

# send PORT [WRAPPER...]: N datagrams from the gateway to the receiver's
# PORT, the sender started through WRAPPER (setpriv, a cgroup join).
send() {
	local port=$1
	shift
	ip netns exec "$NS_GW" "$@" "$PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($N):
    s.sendto(b'x' * 64, ('$RCV_IP', $port))"
}
# snap: "c1 c2 c3 c4 c5" sent packets of the five classes.
snap() {
	n_gw tc -s class show dev g1 | awk '/^class / { split($3, a, ":"); id = a[2] }
		/Sent/ && id <= 5 { c[id] = $4 } END { print c[1] + 0, c[2] + 0, c[3] + 0, c[4] + 0, c[5] + 0 }'
}
# moved BEFORE AFTER CLASS: true if CLASS moved by N and no other class moved.
moved() {
	awk -v b="$1" -v a="$2" -v k="$3" -v n=$N 'BEGIN {
		split(b, x, " "); split(a, y, " ")
		for (i = 1; i <= 5; i++) { d = y[i] - x[i]; if ((i == k && d != n) || (i != k && d != 0)) exit 1 }
	}'
}
check() {	# check NAME CLASS PORT [WRAPPER...]
	local name=$1 cls=$2 b a
	shift 2
	b=$(snap)
	send "$@"
	a=$(snap)
	ktap_result "$name: $N packets in class $cls (classes before: $b, after: $a)" \
		$(moved "$b" "$a" "$cls"; echo $?)
}

n_gw nft -f - <<-EOF || { ktap_fail "nft: the marking rules"; ktap_finish; }
	table ip mqos_sel {
		chain out {
			type filter hook output priority mangle; policy accept;
			udp dport 7001 meta mark set 2
			udp dport 7002 meta skuid 4242 meta mark set 3
		}
	}
	EOF
for c in 2 3 5; do
	n_gw tc filter add dev g1 parent 1: protocol ip prio 1 handle $c fw classid 1:$c
done

# 1. The mark.
check "fw filter, mark set by nft" 2 7001

# 2. The UID: the same port from another UID stays best-effort.
b=$(snap)
send 7002 setpriv --reuid 4242 --regid 4242 --clear-groups
a=$(snap)
send 7002
a2=$(snap)
ktap_result "UID: nft meta skuid 4242 marks, fw: class 3 ($b -> $a); root's packets stay best-effort (-> $a2)" \
	$(moved "$b" "$a" 3 && moved "$a" "$a2" 4; echo $?)

# 3. net_cls (cgroup v1): the cgroup's classid is the class.
CG1=$(mktemp -d /tmp/mqos-netcls.XXXXXX)
if mount -t cgroup -o net_cls mqos-netcls "$CG1" 2>/dev/null && mkdir "$CG1/sel" &&
   echo 0x10002 > "$CG1/sel/net_cls.classid" &&
   n_gw tc filter add dev g1 parent 1: protocol all prio 2 handle 1: cgroup 2>/dev/null; then
	check "net_cls cgroup (classid 1:2), cgroup filter" 2 7003 \
		sh -c "echo \$\$ > $CG1/sel/cgroup.procs && exec \"\$@\"" sh
else
	rmdir "$CG1" 2>/dev/null
	CG1=
	ktap_skip "net_cls cgroup, cgroup filter" "this kernel cannot mount the cgroup v1 net_cls controller or lacks cls_cgroup"
fi

# 4. cgroup v2. nft resolves the path under /sys/fs/cgroup, and ip netns
# exec mounts a fresh /sys: the rule is added where cgroup2 is mounted
# there (in ip netns exec's own mount namespace); the test's cgroup is
# made through a mount of its own (the same hierarchy).
CG2=$(mktemp -d /tmp/mqos-cg2.XXXXXX)
if mount -t cgroup2 mqos-cg2 "$CG2" 2>/dev/null && mkdir "$CG2/mqos-sel-$$"; then
	if n_gw sh -c "mount -t cgroup2 none /sys/fs/cgroup && nft add rule ip mqos_sel out udp dport 7004 socket cgroupv2 level 1 '\"mqos-sel-$$\"' meta mark set 5" 2>"$CG2.err"; then
		check "cgroup v2: nft socket cgroupv2 marks, fw" 5 7004 \
			sh -c "echo \$\$ > $CG2/mqos-sel-$$/cgroup.procs && exec \"\$@\"" sh
	else
		ktap_skip "cgroup v2: nft socket cgroupv2" "nft refused it: $(head -1 "$CG2.err")"
	fi
	rm -f "$CG2.err"
else
	rmdir "$CG2" 2>/dev/null
	CG2=
	ktap_skip "cgroup v2: nft socket cgroupv2" "cannot mount cgroup2"
fi

# 5. A filter beats a rule.
n_gw "$CTL" rule add pref 10 match proto udp dport 7001 class 5
check "fw filter (class 2) beats an mqosctl rule (class 5) for the same packets" 2 7001
ktap_finish
