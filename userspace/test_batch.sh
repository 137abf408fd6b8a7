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

echo "test_batch: $pass passed, $fail failed${VG:+ (under valgrind)}"
[ $fail = 0 ]
