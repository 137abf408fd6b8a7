# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the mqos selftests: KTAP output, module loading and the
# gateway topology. Sourced by every selftests/*.sh.
#
#   sender ($NS_SND)          gateway ($NS_GW)                 receiver ($NS_RCV)
#  +---------------+      +------------------------------+      +----------------+
#  | s0 192.0.2.2  |------| g0 192.0.2.1  198.51.100.1 g1 |------| r0 198.51.100.2 |
#  | 2001:db8:1::2 | veth | 2001:db8:1::1  2001:db8:2::1 | veth | 2001:db8:2::2   |
#  +---------------+      +------------------------------+      +----------------+
#                            mqos sits on g1 (egress to the receiver)
#
# Addresses are documentation ranges and exist only inside these namespaces.

set -u

SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SELFTESTS_DIR/.." && pwd)
KSFT_SKIP=4

# --- KTAP ------------------------------------------------------------------
_ktap_n=0
_ktap_fail=0
_ktap_pass=0
_ktap_skip=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
	_ktap_planned=$1
}

ktap_ok() {
	_ktap_n=$((_ktap_n + 1)); _ktap_pass=$((_ktap_pass + 1))
	echo "ok $_ktap_n - $*"
}

ktap_fail() {
	_ktap_n=$((_ktap_n + 1)); _ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n - $*"
}

ktap_skip() {
	local name=$1; shift
	_ktap_n=$((_ktap_n + 1)); _ktap_skip=$((_ktap_skip + 1))
	echo "ok $_ktap_n - $name # SKIP $*"
}

# ktap_result NAME STATUS: ok if STATUS is 0.
ktap_result() {
	if [ "$2" = 0 ]; then ktap_ok "$1"; else ktap_fail "$1"; fi
}

# ktap_check NAME CMD...: run CMD, ok if it succeeds; its output is shown
# as diagnostics on failure.
ktap_check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		ktap_ok "$name"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		ktap_fail "$name"
	fi
	return $rc
}

# ktap_timing NAME STATUS: like ktap_result, for a check on timing (a
# latency, a rate, a queue that must or must not build). With
# MQOS_TIMING=report (scripts/check-debug: the KASAN kernel runs the guest
# several times slower, so the load generators cannot reach the rates the
# checks are sized for) a failure is reported as SKIP with the check's
# measurements in its name, and does not fail the test. make check
# enforces it.
ktap_timing() {
	if [ "$2" != 0 ] && [ "${MQOS_TIMING:-}" = report ]; then
		ktap_skip "$1" "timing not enforced on this kernel (MQOS_TIMING=report)"
	else
		ktap_result "$1" "$2"
	fi
}

diag() { echo "# $*"; }

# Skip everything that is left in the plan and exit.
ktap_skip_rest() {
	local reason=$1
	while [ "$_ktap_n" -lt "${_ktap_planned:-0}" ]; do
		ktap_skip "not run" "$reason"
	done
	ktap_finish
}

ktap_finish() {
	while [ "$_ktap_n" -lt "${_ktap_planned:-0}" ]; do
		ktap_fail "test did not report (plan $_ktap_planned, ran $_ktap_n)"
	done
	echo "# totals: $_ktap_pass passed, $_ktap_fail failed, $_ktap_skip skipped"
	if [ $_ktap_fail -gt 0 ]; then exit 1; fi
	if [ $_ktap_pass = 0 ] && [ $_ktap_skip -gt 0 ]; then exit $KSFT_SKIP; fi
	exit 0
}

# --- environment -------------------------------------------------------------
require_root() {
	if [ "$(id -u)" != 0 ]; then
		ktap_skip_rest "needs root"
	fi
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || ktap_skip_rest "missing command: $c"
	done
}

# kernel_has NAME: the running kernel has NAME (a module, e.g. act_connmark):
# loaded, built in, or among its modules (modprobe can load it).
kernel_has() {
	local d=/lib/modules/$(uname -r)
	[ -d "/sys/module/$1" ] ||
		grep -qE "/$1\.ko(\.[gx]z|\.zst)?\$" "$d/modules.builtin" 2>/dev/null ||
		grep -qE "/$1\.ko(\.[gx]z|\.zst)?:" "$d/modules.dep" 2>/dev/null
}

# require_modules MODULE...: load each (or find it built in); the rest of
# the test is skipped if the kernel has one of them neither way (a
# trimmed or debug build).
require_modules() {
	local m
	for m in "$@"; do
		modprobe -q "$m" 2>/dev/null
		kernel_has "$m" || ktap_skip_rest "kernel without $m"
	done
}

# Wait until CMD succeeds, polling; never a fixed sleep.
wait_for() {
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# --- module --------------------------------------------------------------------
mqos_ko() {
	if [ -n "${MQOS_KO:-}" ]; then
		echo "$MQOS_KO"
	elif [ -e "$REPO_DIR/build/$(uname -r)/mqos.ko" ]; then
		echo "$REPO_DIR/build/$(uname -r)/mqos.ko"
	fi
}

mqos_loaded() { [ -d /sys/module/mqos ]; }

# Load the module built for the running kernel, or the installed one.
mqos_load() {
	local ko
	mqos_loaded && return 0
	ko=$(mqos_ko)
	if [ -n "$ko" ]; then
		insmod "$ko" "$@"
	else
		modprobe mqos "$@"
	fi
}

mqos_unload() {
	mqos_loaded || return 0
	rmmod mqos
}

mqos_refcnt() { cat /sys/module/mqos/refcnt 2>/dev/null || echo none; }

# small_module_tree MODULE...: bind-mount over /lib/modules/$(uname -r) a
# copy that holds the kernel's builtin lists, the modules loaded now and
# MODULE... with their dependencies; sets small_tree (the copy's
# directory, for the caller's cleanup: umount, then rm -rf). depmod -a
# over a kernel package's whole tree reads thousands of files, over 9p
# under an emulated CPU: minutes; over this tree, a second or two.
small_module_tree() {
	local kv dir m f n
	kv=$(uname -r)
	dir=/lib/modules/$kv
	small_tree=$(mktemp -d /tmp/mqos-modules.XXXXXX) || return 1
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -e "$dir/$f" ] && cp "$dir/$f" "$small_tree/"
	done
	{
		cut -d' ' -f1 /proc/modules
		printf '%s\n' "$@"
	} | sort -u | while read -r m; do
		[ -n "$m" ] || continue
		modprobe -S "$kv" --show-depends "$m" 2>/dev/null |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | sort -u | while read -r f; do
		n=${f#*/modules/"$kv"/}
		[ "$n" != "$f" ] || continue
		mkdir -p "$small_tree/$(dirname "$n")" && cp "$f" "$small_tree/$n"
	done
	mount --bind "$small_tree" "$dir" || { rm -rf "$small_tree"; small_tree=; return 1; }
	diag "module tree for depmod: $(find "$dir" -name '*.ko*' | wc -l) modules"
}

# --- topology --------------------------------------------------------------------
NS_SND=mqs-snd-$$
NS_GW=mqs-gw-$$
NS_RCV=mqs-rcv-$$
SND_IP=192.0.2.2
GW_IP_S=192.0.2.1
GW_IP_R=198.51.100.1
RCV_IP=198.51.100.2
SND_IP6=2001:db8:1::2
RCV_IP6=2001:db8:2::2

n_snd() { ip netns exec "$NS_SND" "$@"; }
n_gw() { ip netns exec "$NS_GW" "$@"; }
n_rcv() { ip netns exec "$NS_RCV" "$@"; }

_bg_pids=()
# Start a background command and remember it for cleanup. The namespace
# helpers are expanded here, so that the remembered pid is the command's
# own (ip netns exec execs it), not a subshell's: killing a subshell would
# leave the command running.
bg() {
	case "$1" in
	n_snd) shift; set -- ip netns exec "$NS_SND" "$@" ;;
	n_gw) shift; set -- ip netns exec "$NS_GW" "$@" ;;
	n_rcv) shift; set -- ip netns exec "$NS_RCV" "$@" ;;
	esac
	"$@" &
	_bg_pids+=($!)
}

# Stop the bg processes and reap every background job: SIGTERM, up to 2 s
# to exit, then SIGKILL for what still runs. A bare `wait` hung tests
# until their 600 s limit on 6.12: nf_reorder (an iperf3 client whose
# server was gone) and faults_under_traffic (traffic_stop:
# mosquitto_sub, after the device down/up, outlived SIGTERM); the
# diagnostic names what needed SIGKILL.
bg_stop() {
	local i left
	[ ${#_bg_pids[@]} -gt 0 ] && kill "${_bg_pids[@]}" 2>/dev/null
	for i in $(seq 20); do
		left=$(jobs -rp)
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		diag "bg_stop: still running after SIGTERM, SIGKILL: $(ps -o pid=,args= -p "${left//$'\n'/,}" 2>/dev/null | tr '\n' ';')"
		# shellcheck disable=SC2086 # a list of pids
		kill -9 $left 2>/dev/null
	fi
	wait 2>/dev/null
	_bg_pids=()
}

topo_cleanup() {
	bg_stop
	ip netns del "$NS_SND" 2>/dev/null
	ip netns del "$NS_GW" 2>/dev/null
	ip netns del "$NS_RCV" 2>/dev/null
	return 0
}

# Build the three namespaces. With "static" neighbours (no ARP/ND on the
# wire) and IPv6 autoconf off, the gateway's egress g1 carries only the
# test's own packets, so counters can be compared exactly. The veths get
# fixed MAC addresses so that each namespace is set up by one `ip -b`
# (every process start costs ~0.1 s in a TCG guest; 45 of them were 4 s).
MAC_S0=02:00:00:00:01:01 MAC_G0=02:00:00:00:01:02
MAC_G1=02:00:00:00:02:01 MAC_R0=02:00:00:00:02:02
# An end host: _topo_end NS DEV MAC GW_DEV GW_MAC IP IP6 GW_IP GW_IP6
# creates the veth pair (the peer in the gateway), addresses, routes and
# permanent neighbour entries for the gateway.
_topo_end() {
	ip -n "$1" -b - <<-EOF
	link set lo up
	link add $2 address $3 type veth peer name $4 address $5 netns $NS_GW
	addr add $6/24 dev $2
	addr add $7/64 dev $2 nodad
	link set $2 up
	route add default via $8
	route add ::/0 via $9
	neigh replace $8 lladdr $5 dev $2 nud permanent
	neigh replace $9 lladdr $5 dev $2 nud permanent
	EOF
}
topo_create() {
	ip netns add "$NS_SND" && ip netns add "$NS_GW" && ip netns add "$NS_RCV" || return 1
	# The IPv6 sysctls go first: a device copies the "default" values
	# when it is created ("all" forwarding sets the default too).
	local ns fwd
	for ns in "$NS_SND" "$NS_GW" "$NS_RCV"; do
		fwd=
		[ "$ns" = "$NS_GW" ] && fwd="net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1"
		# shellcheck disable=SC2086 # $fwd is zero or two words
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
			net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 \
			net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.mldv1_unsolicited_report_interval=0 \
			net.ipv6.conf.all.mldv2_unsolicited_report_interval=0 \
			net.ipv6.conf.default.mldv2_unsolicited_report_interval=0 \
			net.ipv6.conf.default.mldv1_unsolicited_report_interval=0 $fwd >/dev/null || return 1
	done
	_topo_end "$NS_SND" s0 $MAC_S0 g0 $MAC_G0 $SND_IP $SND_IP6 $GW_IP_S 2001:db8:1::1 ||
		return 1
	_topo_end "$NS_RCV" r0 $MAC_R0 g1 $MAC_G1 $RCV_IP $RCV_IP6 $GW_IP_R 2001:db8:2::1 ||
		return 1
	ip -n "$NS_GW" -b - <<-EOF || return 1
	link set lo up
	addr add $GW_IP_S/24 dev g0
	addr add 2001:db8:1::1/64 dev g0 nodad
	addr add $GW_IP_R/24 dev g1
	addr add 2001:db8:2::1/64 dev g1 nodad
	link set g0 up
	link set g1 up
	neigh replace $SND_IP lladdr $MAC_S0 dev g0 nud permanent
	neigh replace $SND_IP6 lladdr $MAC_S0 dev g0 nud permanent
	neigh replace $RCV_IP lladdr $MAC_R0 dev g1 nud permanent
	neigh replace $RCV_IP6 lladdr $MAC_R0 dev g1 nud permanent
	EOF
}

_mac() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# tc -s counter of a qdisc/class line: tc_sent_pkts NS DEV [qdisc|class] [ID]
# Prints the "Sent B bytes P pkt" packet count of the first matching entry.
tc_stat() {
	local ns=$1 dev=$2 what=$3 id=${4:-} field=$5
	ip netns exec "$ns" tc -s "$what" show dev "$dev" |
		awk -v id="$id" -v f="$field" '
			/^(qdisc|class) / { hit = (id == "" || $3 == id) }
			hit && /Sent/ {
				for (i = 1; i <= NF; i++) {
					if (f == "bytes" && $(i+1) == "bytes") { print $i; exit }
					if (f == "pkts" && $(i+1) == "pkt") { print $i; exit }
				}
			}
			hit && /dropped/ && f == "drops" {
				for (i = 1; i <= NF; i++) if ($i == "(dropped") { sub(",", "", $(i+1)); print $(i+1); exit }
			}'
}

# True once nothing holds the module (qdiscs gone, netns cleanup done).
mqos_idle() { [ "$(mqos_refcnt)" = 0 ]; }
