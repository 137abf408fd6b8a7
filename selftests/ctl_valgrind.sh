#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every mqosctl command form under valgrind (memcheck) against the live
# module: dev set/show, class set/show/del, rule add/del/flush/show,
# hook set/class/show, ports set/show, load FILE and load -, save, stats
# (text, -j, --reset, --prometheus, -o), ingress add/del/flush and load's
# ingress lines, errors found by mqosctl (bad words: exit 2) and by the
# kernel (exit 1, extack), --help, --version.
# A run fails the test if valgrind reports any error or a definite,
# indirect or possible leak, or if the commands did not end as expected.
#
# valgrind takes 8-10 s to start under an emulated CPU, so the commands
# run in a few batches (mqosctl -b: one process, one netlink socket, many
# commands), not one process each. A leak in any command of a batch still
# shows at its exit, and a batch also checks that commands leave nothing
# behind for the next one (socket state after a kernel error, parser
# state after a usage error).
. "$(dirname "$0")/lib.sh"

ktap_plan 10
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

# vg NAME WANT_EXIT STDIN ARGS...: mqosctl ARGS under valgrind in the
# gateway netns; output in $TMP/NAME.{out,err}; 0 if valgrind was silent
# and the exit status is WANT_EXIT.
vg() {
	local name=$1 want=$2 in=$3 rc
	shift 3
	n_gw "${VG[@]}" "$CTL" "$@" < "$in" > "$TMP/$name.out" 2> "$TMP/$name.err"
	rc=$?
	if [ $rc = 99 ] || grep -q '^==[0-9]*==' "$TMP/$name.err"; then
		diag "valgrind: mqosctl $*"
		sed 's/^/#   /' "$TMP/$name.err" | head -n 40
		return 1
	fi
	if [ $rc != "$want" ]; then
		diag "mqosctl $*: exit $rc, expected $want"
		sed 's/^/#   /' "$TMP/$name.err" | head -n 20
		return 1
	fi
	return 0
}

# failed_lines BATCH: the line numbers mqosctl's messages name for it.
failed_lines() {
	sed -n "s|^mqosctl: $TMP/$1: line \([0-9]*\): .*|\1|p" "$TMP/$1.err" | sort -un | tr '\n' ' '
}

# Three small runs side by side where there are CPUs for it.
vg help 0 /dev/null --help & p1=$!
vg version 0 /dev/null --version & p2=$!
vg stats1 0 /dev/null stats g1 -j & p3=$!
ok=0
for p in $p1 $p2 $p3; do wait $p || ok=1; done
grep -q '^Usage: mqosctl' "$TMP/help.out" && grep -q '^mqosctl [0-9]' "$TMP/version.out" &&
	grep -q '"devices"' "$TMP/stats1.out" || ok=1
ktap_result "valgrind: --help, --version, one command line" $ok

cat > "$TMP/set" <<'EOF'
dev set g1 rate 50mbit overhead 18 default 4
class set g1 6 name video prio 2 rate 2mbit ceil 50% police 1mbit 15k demote 5 dscp AF41
class set g1 4 limit 500 limit-bytes 600k target 4ms interval 80ms ecn on
rule add pref 10 match dscp CS6,CS7 class 1
rule add pref 20 match mqtt-qos 2 mqtt-topic "alarm/" proto tcp dport 1883 class 2
rule add pref 30 match src 192.0.2.0/24 mqttsn-qos -1,2 iif g0 class 3
rule add pref 40 match mqtt-kind ack1,ack2 dst 2001:db8:2::/64 sport 1024-65535 class 3
rule add match dscp 46 class 2
ports set mqtt 1883,8884 mqttsn 1884
hook set on mode sticky mask 0x01f00000
hook class 2 remark EF police 2mbit 16k
class set g1 5 police rate 1mbit burst 10k demote 4
rule default class 4
EOF
vg set 0 /dev/null -b "$TMP/set"
ktap_result "valgrind: -b of dev/class set, rule add, ports set, hook set/class, rule default (13 lines)" $?

# Reads, and writes that mqosctl (exit 2) or the kernel (exit 1) rejects;
# -f runs them all. Lines 2.. of the bad file are comments; 17 is wrong.
printf 'dev set g1 rate 1mbit\n' > "$TMP/bad17.conf"
for i in $(seq 2 16); do echo "# line $i" >> "$TMP/bad17.conf"; done
echo "class set g1 3 police 1mbit 10" >> "$TMP/bad17.conf"
printf 'dev set g1 rate 1mbit\nclass set g1 3 rate 2mbit ceil 1mbit\n' > "$TMP/kbad.conf"
cat > "$TMP/read" <<EOF
dev show
dev show -j
class show
class show g1 -j
rule show
rule show -j
save
stats
stats g1 -j
stats --prometheus
stats g1 --prometheus -o $TMP/m.prom
ports show
ports show -j
hook show
hook show -j
frob
class set g1 3 bogus 1
dev set g1 rate fast
rule add match dscp 64 class 2
stats --prometheus -j
ports set mqtt 0
rule add pref 10 match dscp EF class 2
class set g0 1 prio 1
load $TMP/bad17.conf
load $TMP/kbad.conf
class set g1 17 prio 1
rule add match mqtt-topic "$(head -c 300 /dev/zero | tr '\0' a)" class 2
help
class help
cl sh g1 -p
load --check $TMP/a.conf
rule default class 17
class show -s
EOF
n_gw "$CTL" save > "$TMP/a.conf"
ok=0
vg read 2 /dev/null -f -b "$TMP/read" || ok=1
got=$(failed_lines read)
# Line 24 and 25 are loads: their messages name the loaded file instead.
want="16 17 18 19 20 21 22 23 26 27 32 33 "
[ "$got" = "$want" ] || { ok=1; diag "lines that failed: '$got', expected '$want'"; }
grep -q "^mqosctl: $TMP/bad17.conf: line 17: " "$TMP/read.err" &&
	grep -q "^mqosctl: $TMP/kbad.conf: " "$TMP/read.err" ||
	{ ok=1; diag "no message for bad17.conf line 17 or kbad.conf"; }
ktap_result "valgrind: -f -b of 19 reads and 14 bad commands (exit 2; lines $got)" $ok

n_gw "$CTL" save > "$TMP/b.conf"
cmp -s "$TMP/a.conf" "$TMP/b.conf" && [ -s "$TMP/m.prom" ] &&
	grep -q '^rule add pref 20 match .*mqtt-topic "alarm/"' "$TMP/b.conf"
ktap_result "configuration unchanged by the rejected commands; -o wrote its file" $?

cat > "$TMP/change" <<EOF
class del g1 6
rule del pref 10
stats --reset
rule flush
hook class 2 remark keep police off
hook set off
ports set mqtt 1883 mqttsn none
rule default map
load $TMP/a.conf
load -
save
EOF
vg change 0 "$TMP/a.conf" -b "$TMP/change"
ktap_result "valgrind: -b of class del, rule del/flush, stats --reset, hook, ports, load FILE, load -" $?
# load - (stdin) came last: the configuration is the saved one again.
n_gw "$CTL" save | cmp -s - "$TMP/a.conf"
ktap_result "load FILE and load - in a batch restored the saved configuration" $?

# load --confirm forks the rollback timer; confirm ends it (both clean).
export MQOS_RUN_DIR=$TMP/run
ok=0
vg confirm1 0 /dev/null load --confirm 120 "$TMP/a.conf" || ok=1
vg confirm2 0 /dev/null confirm || ok=1
vg confirm3 1 /dev/null confirm || ok=1
unset MQOS_RUN_DIR
n_gw "$CTL" save | cmp -s - "$TMP/a.conf" || ok=1
ktap_result "valgrind: load --confirm, confirm, a confirm with nothing pending" $ok

# A batch stops at its first failing line without -f.
printf 'rule show\nrule del pref 999\nrule flush\n' > "$TMP/stop"
vg stop 1 /dev/null -b "$TMP/stop"
ok=$?
[ "$(failed_lines stop)" = "2 " ] && n_gw "$CTL" rule show | grep -q 'pref 20' || ok=1
ktap_result "valgrind: -b stops at the first failure (line 2, exit 1; flush not run)" $ok

# ingress add/del: links, qdiscs and a filter with actions over rtnetlink,
# a refusal that unwinds nothing, a non-ifb left alone, a del of nothing.
ok=0
vg ing1 0 /dev/null ingress add g0 rate 10mbit || ok=1
vg ing2 1 /dev/null ingress add g0 rate 10mbit || ok=1
vg ing3 1 /dev/null ingress del g0 ifb g1 || ok=1
vg ing4 2 /dev/null ingress add g0 rate 10mbit ifb || ok=1
vg ing5 0 /dev/null ingress del g0 || ok=1
vg ing6 1 /dev/null ingress del g0 || ok=1
[ -z "$(n_gw ip -o link show type ifb)" ] || ok=1
ktap_result "valgrind: ingress add, del and their refusals" $ok

# ingress add lines in load: made, saved, kept by a load of the saved
# file, a new ifb the kernel refuses (made and removed), dropped; flush.
ok=0
printf 'ingress add g0 rate 10mbit\nclass set ifb-g0 4 rate 1mbit ceil 10mbit\n' > "$TMP/in.conf"
printf 'ingress add g0 rate 10mbit\ningress add g1 rate 5mbit ifb down1\nclass set down1 4 rate 9mbit ceil 1mbit\n' > "$TMP/inbad.conf"
printf 'format 2\n' > "$TMP/none.conf"
vg inl1 0 /dev/null load "$TMP/in.conf" || ok=1
vg inl2 0 /dev/null save || ok=1
grep -q "^ingress add g0 rate 10mbit ifb ifb-g0$" "$TMP/inl2.out" || ok=1
vg inl3 0 "$TMP/inl2.out" load - || ok=1
vg inl4 1 /dev/null load "$TMP/inbad.conf" || ok=1
vg inl5 0 /dev/null load --check "$TMP/in.conf" || ok=1
vg inl6 0 /dev/null load "$TMP/none.conf" || ok=1
[ -z "$(n_gw ip -o link show type ifb)" ] || ok=1
n_gw "$CTL" ingress add g1 rate 1mbit
vg inl7 0 /dev/null ingress flush || ok=1
[ -z "$(n_gw ip -o link show type ifb)" ] || ok=1
ktap_result "valgrind: load and save with ingress add lines, a refused new ifb, a dropped set-up, ingress flush" $ok

ktap_finish
