#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the mqos selftests (all, or those named) as one KTAP document: each
# test's own KTAP output is nested as a subtest, and the last line is
#   N passed, N failed, N skipped
# counted over every leaf result. Exit status: 0 if nothing failed.
#
#   selftests/run_tests.sh [TEST.sh ...]     (MQOS_TEST_FILTER=regex also works;
#                                            MQOS_TEST_TIMEOUT=S per test)
dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$dir/tests.list"
timeout_s=$(sed -n 's/^timeout=//p' "$dir/settings")
# MQOS_TEST_TIMEOUT=S: a longer limit per test, for those run by name.
timeout_s=${MQOS_TEST_TIMEOUT:-$timeout_s}

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("${TEST_PROGS[@]}")
# MQOS_ALONE_LATER=1: leave ALONE_PROGS and ALONE_EACH_PROGS out (make
# check runs them alone).
if [ "${MQOS_ALONE_LATER:-0}" = 1 ]; then
	sel=()
	for t in "${tests[@]}"; do
		[[ " ${ALONE_PROGS[*]} ${ALONE_EACH_PROGS[*]} " == *" $t "* ]] ||
			sel+=("$t")
	done
	tests=("${sel[@]}")
fi
if [ -n "${MQOS_TEST_FILTER:-}" ]; then
	sel=()
	for t in "${tests[@]}"; do
		[[ $t =~ $MQOS_TEST_FILTER ]] && sel+=("$t")
	done
	tests=("${sel[@]}")
fi

# once_kernel TEST: the kernel a test of ONCE_PROGS runs on (fails for
# other tests).
once_kernel() {
	local ks=(${MQOS_ONCE_KERNELS:-}) i
	for i in "${!ONCE_PROGS[@]}"; do
		if [ "${ONCE_PROGS[$i]}" = "$1" ] && [ ${#ks[@]} -gt 0 ]; then
			echo "${ks[$((i % ${#ks[@]}))]}"
			return 0
		fi
	done
	return 1
}

echo "TAP version 13"
echo "# kernel $(uname -r)"
echo "1..${#tests[@]}"
pass=0 fail=0 skip=0 n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	# A test of ONCE_PROGS runs on one of the kernels that make check runs
	# (MQOS_ONCE_KERNELS, this one being MQOS_ONCE_ME): the i-th on the
	# (i mod N)-th, so that they spread over the VMs.
	if [ -n "${MQOS_ONCE_ME:-}" ] && on=$(once_kernel "$t") && [ "$on" != "$MQOS_ONCE_ME" ]; then
		echo "ok $n - $t # SKIP run once, on $on"
		skip=$((skip + 1))
		continue
	fi
	out=$(mktemp)
	start=$(date +%s)
	timeout -k 10 "${timeout_s:-600}" "$dir/$t" > "$out" 2>&1
	rc=$?
	sed 's/^/    /' "$out"
	p=$(grep -c -E '^ok [0-9]+ - ' "$out" | tr -d ' ')
	s=$(grep -c -E '^ok [0-9]+ - .*# SKIP' "$out" | tr -d ' ')
	f=$(grep -c -E '^not ok [0-9]+ ' "$out" | tr -d ' ')
	p=$((p - s))
	# A test that died without reporting counts as one failure.
	if [ $rc != 0 ] && [ $rc != 4 ] && [ "$f" = 0 ]; then
		f=1
		echo "    # exited with status $rc without a failed result"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	el=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		echo "ok $n - $t # ${el}s"
	elif [ $rc = 4 ]; then
		echo "ok $n - $t # SKIP"
	else
		echo "not ok $n - $t # ${el}s, exit $rc"
	fi
	rm -f "$out"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
