#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mqosctl -b on the host, without the module: what a batch does with lines
# that fail before netlink (usage errors, exit 2) and with lines that need
# the kernel (here: no mqos family, exit 1). Under valgrind when it is
# installed. The same forms against the live module: selftests/ctl_valgrind.sh.
set -u
cd "$(dirname "$0")"
CTL=./mqosctl
VG=()
command -v valgrind > /dev/null &&
	VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
	    --error-exitcode=99)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# t NAME WANT_EXIT WANT_STDERR_REGEX [STDIN] -- ARGS...  ("" = no stderr)
t() {
	local name=$1 want=$2 re=$3 in=/dev/null rc
	shift 3
	if [ "$1" != -- ]; then in=$1; shift; fi
	shift
	"${VG[@]}" "$CTL" "$@" < "$in" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ -z "$re" ]; then
		[ ! -s "$tmp/err" ]
	else
		grep -Eq -- "$re" "$tmp/err" && ! grep -q '^==[0-9]*==' "$tmp/err"
	fi
	if [ $? = 0 ] && [ $rc = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: exit $rc (want $want), stderr:"
		sed 's/^/  /' "$tmp/err"
	fi
}

printf '# a comment\n\nclass set g1 3 bogus 1\nrule show\n' > "$tmp/b1"
printf 'dev set g1 rate fast\nrule show\nclass set g1 17 prio 1\n' > "$tmp/b2"
printf 'rule show\nclass set g1 3 bogus 1\n' > "$tmp/b3"
printf 'rule add match mqtt-topic "unterminated class 2\n' > "$tmp/b4"

t "stops at the first failing line" 2 "^mqosctl: $tmp/b1: line 3: 'bogus': unknown keyword" -- -b "$tmp/b1"
t "line 4 not run without -f" 2 "^mqosctl: $tmp/b1: line 3:" -- -b "$tmp/b1"
grep -q "line 4" "$tmp/err" && { fail=$((fail + 1)); echo "FAIL: line 4 ran after line 3 failed"; }
t "-f runs every line" 2 "^mqosctl: $tmp/b2: line 3: '17': not a class" -- -f -b "$tmp/b2"
grep -q "$tmp/b2: line 2: .*not loaded" "$tmp/err" ||
	{ fail=$((fail + 1)); echo "FAIL: -f: line 2's kernel error has no line"; cat "$tmp/err"; }
t "runtime error (no module) is exit 1, usage 2 wins with -f" 2 "line 1: rule show|line 1: .*not loaded" -- -f -b "$tmp/b3"
t "without -f the first failure's exit status" 1 "line 1: .*not loaded" -- -b "$tmp/b3"
t "the tokenizer's errors name the line" 2 "$tmp/b4: line 1: .*quote" -- -b "$tmp/b4"
t "batch from stdin" 2 "<stdin>: line 1: 'frob'" <(echo frob) -- -b -
t "load - refused when the batch is stdin" 2 "<stdin>: line 1: load -: stdin is the batch" <(echo "load -") -- -b -
t "--watch refused in a batch" 2 "line 1: --watch: not in a batch" <(echo "stats --watch 1") -- -b -
t "-f needs -b" 2 "^mqosctl: -f: only with -b FILE" -- -f rule show
t "-b takes no command words" 2 "'rule': -b takes its commands from FILE" -- -b "$tmp/b1" rule show
t "a missing batch file" 1 "/nonexistent/b: No such file" -- -b /nonexistent/b
t "an empty batch is fine" 0 "" /dev/null -- -b -

# The command line without the module: help, one-line errors that name
# the word and where to look, empty stdout on failure.
# e NAME WANT_EXIT WANT_STDERR_REGEX -- ARGS...: t, and exactly one line on
# stderr, nothing on stdout.
e() {
	local name=$1
	t "$@"
	if [ "$(wc -l < "$tmp/err")" != 1 ] || [ -s "$tmp/out" ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: not one line on stderr and nothing on stdout:"
		sed 's/^/  err: /' "$tmp/err"; sed 's/^/  out: /' "$tmp/out"
	fi
}
# o NAME REGEX: the last command's stdout matches
o() {
	grep -Eq -- "$2" "$tmp/out" || { fail=$((fail + 1)); echo "FAIL: $1: stdout:"; sed 's/^/  /' "$tmp/out"; }
}
NOMOD="the mqos module is not loaded"

t "help" 0 "" -- help
o "help lists every object" "^Usage: mqosctl.*" && o "help: rule default" "rule default map\|device\|class"
t "-h" 0 "" -- -h
t "class help" 0 "" -- class help
o "class help: class lines" "mqosctl class set"
grep -q "mqosctl rule" "$tmp/out" && { fail=$((fail + 1)); echo "FAIL: class help shows rule"; }
t "help rule" 0 "" -- help rule
o "help rule: SELECTOR" "SELECTOR :="
t "rule add help" 0 "" -- rule add help
o "rule add help" "mqosctl rule add"
t "help prefix" 0 "" -- he cl
o "he cl" "mqosctl class del"
e "no command" 2 "^mqosctl: no command; see 'mqosctl help'$" --
e "unknown global option" 2 "^mqosctl: '-x': unknown option; see 'mqosctl help'$" -- -x
e "unknown object" 2 "'frob': unknown object \(expected dev, class.*; see 'mqosctl help'$" -- frob
e "unknown command" 2 "'frob': unknown command \(expected set, del or show\); see 'mqosctl class help'$" -- class frob
e "unknown option of show" 2 "^mqosctl: '-s': unknown option; see 'mqosctl class help'$" -- class show -s
e "unknown long option" 2 "'--frob': unknown option" -- stats --frob
e "trailing word: dev show" 2 "'extra': unexpected argument; see 'mqosctl dev help'$" -- dev show eth0 extra
e "trailing word: rule show" 2 "'x': unexpected argument" -- rule show x
e "trailing word: rule del" 2 "'x': unexpected argument" -- rule del pref 10 x
e "trailing word: class del" 2 "'x': unexpected argument" -- class del g1 3 x
e "trailing word: save" 2 "'x': unexpected argument" -- save x
e "trailing word: confirm" 2 "'x': unexpected argument" -- confirm x
e "ambiguous prefix" 2 "'s': ambiguous \(save, stats\)" -- s
e "ambiguous keyword" 2 "'d': ambiguous \(dscp, dport, dst\)" -- rule add match d 1 class 2
e "bad keyword names the word and the help" 2 "^mqosctl: 'bogus': unknown keyword \(expected name, .*\); see 'mqosctl class help'$" -- class set g1 3 bogus 1
e "bad value names the word" 2 "^mqosctl: rate: 'fast' is not a rate" -- dev set g1 rate fast
# Accepted forms reach the kernel: here the error is the missing module
# (generic netlink), or for dev/class set, which go through rtnetlink,
# the missing device.
REACHED="($NOMOD|g1: no such device)"
e "prefixes: cl sh" 1 "^mqosctl: $NOMOD" -- cl sh
e "prefixes: keywords" 1 "$REACHED" -- class set g1 3 pri 2 ra 1mbit ce 2mbit
e "prefixes: rule selectors" 1 "$NOMOD" -- ru a ma mqtt-q 2 dp 1883 cl 2
e "police keyword form" 1 "$REACHED" -- class set g1 3 police rate 1mbit burst 10k demote 4 prio 2
e "police positional form" 1 "$REACHED" -- class set g1 3 police 1mbit 10k demote 4
e "police off" 1 "$REACHED" -- class set g1 3 police off prio 2
e "police without burst" 2 "police: needs burst BURST" -- class set g1 3 police rate 1mbit
e "police bad burst" 2 "police burst: 'x' is not a size" -- class set g1 3 police rate 1mbit burst x
e "flows 1024" 1 "$REACHED" -- class set g1 3 flows 1024
e "flows not a power of two" 2 "flows: '100': 0 \(one FIFO\) or a power of two" -- class set g1 3 flows 100
e "isolation, memlimit" 1 "$REACHED" -- dev set g1 isolation triple memlimit 4m
e "isolation prefix" 1 "$REACHED" -- dev set g1 iso dual-s
e "isolation bad" 2 "'quad': unknown isolation \(expected flows, dual-srchost, dual-dsthost or triple\)" -- dev set g1 isolation quad
e "memlimit bad" 2 "memlimit: 'lots' is not a size" -- dev set g1 memlimit lots
e "rule default map" 1 "$NOMOD" -- rule default map
e "rule default class" 1 "$NOMOD" -- rule default class 3
e "rule default device" 1 "$NOMOD" -- rule def dev
e "rule default class 17" 2 "'17': not a class" -- rule default class 17
e "rule default trailing" 2 "'x': unexpected argument" -- rule default map x
e "rule default bad" 2 "'maps': unknown default \(expected map, device or class\)" -- rule default maps
e "-j show without the module: nothing on stdout" 1 "$NOMOD" -- -j class show
e "-p rule show without the module" 1 "$NOMOD" -- rule show -p
e "stats -j without the module" 1 "$NOMOD" -- stats -j
printf 'rule add match all class 2\n' > "$tmp/r1.conf"
e "load without the module: one error" 1 "$NOMOD" -- load "$tmp/r1.conf"
e "load --confirm without the module" 1 "$NOMOD" -- load --confirm 30 /dev/null
e "load: two files" 2 "'b': unexpected argument" -- load a b
e "load --confirm needs seconds" 2 "^mqosctl: --confirm: needs SECONDS" -- load --confirm x /dev/null
e "load --check with --confirm" 2 "--check: not with --confirm" -- load --check --confirm 5 /dev/null
MQOS_RUN_DIR=$tmp/run e "confirm with nothing pending" 1 "^mqosctl: nothing to confirm" -- confirm

# load --check: the whole file is read and judged, nothing sent (no module
# needed), nothing printed when it is good.
cat > "$tmp/good.conf" <<'EOC'
# a configuration
format 2
dev set lo rate 10mbit isolation triple memlimit 4m
class set lo 1 name control prio 0 police rate 1mbit burst 10k
class set lo 2 name realtime prio 1 flows 0
rule default class 4
rule add match mqtt-qos 2 class 2
ports set mqtt 1883
EOC
t "load --check of a good file" 0 "" -- load --check "$tmp/good.conf"
[ -s "$tmp/out" ] && { fail=$((fail + 1)); echo "FAIL: load --check printed something"; }
t "load -c from stdin" 0 "" "$tmp/good.conf" -- load -c -
printf 'format 1\nrule add match dscp 46 class 2\n' > "$tmp/f1.conf"
t "load --check: format 1" 0 "" -- load --check "$tmp/f1.conf"
printf 'format 3\n' > "$tmp/f3.conf"
e "load --check: a newer format" 2 "$tmp/f3.conf: line 1: format 3: newer than this mqosctl reads \(1..2\)" -- load --check "$tmp/f3.conf"
printf 'rule add match all class 2\nformat 2\n' > "$tmp/f4.conf"
e "load --check: format after a command" 2 "line 2: format: only once, before any command" -- load --check "$tmp/f4.conf"
printf 'rule default map\nrule default class 2\n' > "$tmp/d2.conf"
e "load --check: rule default twice" 2 "line 2: rule default: given twice \(also on line 1\)" -- load --check "$tmp/d2.conf"
printf 'dev set nosuchdev0 rate 1mbit\n' > "$tmp/nd.conf"
e "load --check: a missing device" 2 "$tmp/nd.conf: line 1: 'nosuchdev0': no such device" -- load --check "$tmp/nd.conf"
printf 'class set lo 3 bogus 1\n' > "$tmp/bad.conf"
e "load --check: a bad line" 2 "$tmp/bad.conf: line 1: 'bogus': unknown keyword" -- load --check "$tmp/bad.conf"
printf 'rule add pref 5 match all class 2\nrule add pref 5 match dscp 1 class 3\n' > "$tmp/dup.conf"
e "load --check: duplicate pref" 2 "line 2: pref 5: duplicate pref" -- load --check "$tmp/dup.conf"

# ingress add lines: the same words as the command; the ifb a line makes
# may be configured by dev set / class set lines before it exists.
printf 'format 2\ningress add lo rate 20mbit ifb ifb-test0\ndev set ifb-test0 overhead 0\nclass set ifb-test0 2 rate 5mbit\n' > "$tmp/in.conf"
t "load --check: ingress add with the ifb's dev and class lines" 0 "" -- load --check "$tmp/in.conf"
printf '\ningress add lo rate fast\n' > "$tmp/in1.conf"
e "load --check: ingress add, a bad rate" 2 "$tmp/in1.conf: line 2: rate: 'fast' is not a rate" -- load --check "$tmp/in1.conf"
printf 'ingress add nosuchdev0 rate 1mbit\n' > "$tmp/in2.conf"
e "load --check: ingress add, a missing device" 2 "$tmp/in2.conf: line 1: 'nosuchdev0': no such device" -- load --check "$tmp/in2.conf"
printf 'ingress add lo rate 1mbit bogus x\n' > "$tmp/in3.conf"
e "load --check: ingress add, a bad word" 2 "$tmp/in3.conf: line 1: 'bogus': unknown keyword \(expected rate or ifb\)" -- load --check "$tmp/in3.conf"
printf 'ingress add lo rate 1mbit\ningress add lo rate 2mbit ifb ifb-x\n' > "$tmp/in4.conf"
e "load --check: two set-ups for one device" 2 "line 2: ingress add lo: lo is in another set-up too \(line 1: lo -> ifb-lo\)" -- load --check "$tmp/in4.conf"
printf 'ingress add lo ifb ifb-x\n' > "$tmp/in5.conf"
e "load --check: ingress add without a rate" 2 "line 1: ingress add: needs rate R" -- load --check "$tmp/in5.conf"
printf 'ingress add lo rate 1mbit ifb lo\n' > "$tmp/in6.conf"
e "load --check: the ifb is DEV itself" 2 "line 1: ifb: 'lo' is DEV itself" -- load --check "$tmp/in6.conf"
printf 'ingress del lo\n' > "$tmp/in7.conf"
e "load --check: ingress del is not a file's line" 2 "line 1: 'ingress del': unknown command" -- load --check "$tmp/in7.conf"
e "ingress flush takes no argument" 2 "'lo': unexpected argument" -- ingress flush lo

echo "test_batch: $pass passed, $fail failed${VG:+ (under valgrind)}"
[ $fail = 0 ]
