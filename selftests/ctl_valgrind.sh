#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every mqosctl command form under valgrind (memcheck) against the live
# module: dev set/show, class set/show/del, rule add/del/flush/show,
# ports set/show, load FILE and load -, save, stats (text, -j, --reset,
# --prometheus, -o),
# errors found by mqosctl (bad words: exit 2) and by the kernel (exit 1,
# extack), --help, --version. A command fails the test if valgrind reports
# any error or a definite, indirect or possible leak, or if its exit status
# is not the expected one.
#
# valgrind starts slowly under an emulated CPU (about half a minute per
# command), so commands that do not depend on each other run side by side,
# one batch at a time, as many at once as the VM has CPUs.
. "$(dirname "$0")/lib.sh"

ktap_plan 8
require_root
require_cmd tc ip valgrind
CTL=$REPO_DIR/userspace/mqosctl
TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() { topo_cleanup; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos || { ktap_fail "qdisc"; ktap_finish; }

VG=(valgrind -q --leak-check=full --read-inline-info=no --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99)
JOBS=$(nproc 2>/dev/null || echo 1)
n=0

# vg_one ID EXPECTED_EXIT STDIN ARGS...: one command in the gateway netns;
# writes $TMP/ID.{out,err,rc}.
vg_one() {
	local id=$1 want=$2 in=$3
	shift 3
	n_gw "${VG[@]}" "$CTL" "$@" < "$in" > "$TMP/$id.out" 2> "$TMP/$id.err"
	echo "$? $want $*" > "$TMP/$id.rc"
}

# batch NAME "EXPECTED_EXIT|STDIN|ARGS" ...: run them, $JOBS at a time;
# one KTAP result for the batch.
batch() {
	local name=$1 spec want in args ids=() id rc w cmd ok=0 running=0
	shift
	for spec in "$@"; do
		IFS='|' read -r want in args <<< "$spec"
		n=$((n + 1))
		id=c$n
		ids+=("$id")
		# shellcheck disable=SC2086 # ARGS are words; quoting is not needed
		vg_one "$id" "$want" "${in:-/dev/null}" $args &
		running=$((running + 1))
		if [ $running -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	for id in "${ids[@]}"; do
		read -r rc w cmd < "$TMP/$id.rc"
		if [ "$rc" = 99 ]; then
			ok=1
			diag "valgrind errors: mqosctl $cmd"
			sed 's/^/#   /' "$TMP/$id.err" | head -n 30
		elif [ "$rc" != "$w" ]; then
			ok=1
			diag "mqosctl $cmd: exit $rc, expected $w"
			sed 's/^/#   /' "$TMP/$id.err" | head -n 10
		elif grep -q '^==[0-9]*==' "$TMP/$id.err"; then
			ok=1
			diag "valgrind said something: mqosctl $cmd"
			sed 's/^/#   /' "$TMP/$id.err" | head -n 30
		fi
	done
	ktap_result "valgrind: $name ($#, no errors, no leaks, expected exit)" $ok
}

printf 'dev set g1 rate 1mbit\n' > "$TMP/bad17.conf"
for i in $(seq 2 16); do echo "# line $i" >> "$TMP/bad17.conf"; done
echo "class set g1 3 police 1mbit 10" >> "$TMP/bad17.conf"

batch "help, version, usage errors" \
	"0||--help" \
	"0||--version" \
	"2||frob" \
	"2||class set g1 3 bogus 1" \
	"2||dev set g1 rate fast" \
	"2||rule add match dscp 64 class 2" \
	"2||stats --prometheus -j"

batch "dev set, class set, rule add" \
	"0||dev set g1 rate 50mbit overhead 18 default 4" \
	"0||class set g1 6 name video prio 2 rate 2mbit ceil 50% police 1mbit 15k demote 5 dscp AF41" \
	"0||rule add pref 10 match dscp CS6,CS7 class 1" \
	"0||rule add pref 20 match mqtt-qos 2 mqtt-topic alarm/ proto tcp dport 1883 class 2" \
	"0||rule add pref 30 match src 192.0.2.0/24 mqttsn-qos -1,2 iif g0 class 3"

# Reads, and writes that the kernel rejects (nothing changes).
n_gw "$CTL" save > "$TMP/a.conf"
batch "show, save, stats, kernel errors" \
	"0||dev show -j" \
	"0||class show" \
	"0||class show g1 -j" \
	"0||rule show" \
	"0||rule show -j" \
	"0||save" \
	"0||stats" \
	"0||stats g1 -j" \
	"0||stats --prometheus" \
	"0||stats g1 --prometheus -o $TMP/m.prom" \
	"1||rule add pref 10 match dscp EF class 2" \
	"1||class set g0 1 prio 1" \
	"1||load $TMP/bad17.conf"
n_gw "$CTL" save > "$TMP/b.conf"
cmp -s "$TMP/a.conf" "$TMP/b.conf" && [ -s "$TMP/m.prom" ]
ktap_result "configuration unchanged by the rejected commands; -o wrote its file" $?

batch "class del, rule del" \
	"0||class del g1 6" \
	"0||rule del pref 10"
batch "rule flush, stats --reset" \
	"0||rule flush" \
	"0||stats --reset"
batch "ports set, ports show" \
	"0||ports set mqtt 1883,1885 mqttsn none" \
	"0||ports show -j" \
	"2||ports set mqtt 0"
batch "load FILE, load -" \
	"0||load $TMP/a.conf" \
	"0|$TMP/a.conf|load -"

ktap_finish
