#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The OpenWrt package's shell parts, on the host (packaging/openwrt/mqos; the
# package itself needs the OpenWrt SDK, which this set-up does not have):
# shellcheck of the procd init script and of mqos-uci2conf; mqos-uci2conf on
# the shipped UCI file (device enabled) gives a file that mqosctl load
# parses whole (without the module it then stops at the missing netlink
# family, exit 1; a bad line would be exit 2); a disabled device drops its
# classes; an unknown option is an error naming it; the Makefile's
# PKG_VERSION is MQOS_VERSION_STR of include/uapi/linux/mqos.h.
#
#   tests/openwrt_uci.sh     (needs userspace/mqosctl: make mqosctl)
#
# Prints KTAP and a last line "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/packaging/openwrt/mqos/files
u2c=$dir/mqos-uci2conf
ctl=$top/userspace/mqosctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 pass=0 fail=0 skip=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
result() { if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
echo "TAP version 13"
echo "1..6"

if command -v shellcheck > /dev/null; then
	# SC3043: 'local' is in OpenWrt's ash (busybox) though not in POSIX sh.
	out=$(shellcheck -s sh -e SC3043 "$dir/mqos.init" "$u2c" 2>&1)
	rc=$?
	[ $rc = 0 ] || diag "$out"
	result "shellcheck mqos.init mqos-uci2conf" $rc
else
	n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - shellcheck # SKIP not installed"
fi

sed "s/option enabled '0'/option enabled '1'/" "$dir/mqos.config" > "$tmp/on"
"$u2c" "$tmp/on" > "$tmp/on.conf" 2> "$tmp/err"
rc=$?
diag "$(cat "$tmp/on.conf" "$tmp/err")"
result "mqos-uci2conf on mqos.config (device enabled): dev set, 3 classes, 4 rules" "$(
	[ $rc = 0 ] && [ "$(grep -c '^dev set wan rate 18mbit' "$tmp/on.conf")" = 1 ] &&
	[ "$(grep -c '^class set wan ' "$tmp/on.conf")" = 3 ] &&
	[ "$(grep -c '^rule add pref ' "$tmp/on.conf")" = 4 ] &&
	[ "$("$u2c" --devices "$tmp/on")" = wan ]; echo $?)"

if [ -x "$ctl" ]; then
	"$ctl" load "$tmp/on.conf" > /dev/null 2> "$tmp/err"
	rc=$?
	diag "$(cat "$tmp/err")"
	result "mqosctl load parses it whole (exit 1: no module here; 2 would be a bad line)" "$(
		[ $rc = 1 ] && grep -q 'module is not loaded' "$tmp/err"; echo $?)"
else
	n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - mqosctl load # SKIP make mqosctl"
fi

"$u2c" "$dir/mqos.config" > "$tmp/off.conf" 2>&1
result "device enabled 0: no dev set, no class lines, no devices" "$(
	! grep -qE '^(dev|class) ' "$tmp/off.conf" &&
	[ -z "$("$u2c" --devices "$dir/mqos.config")" ]; echo $?)"

printf "config rule\n\toption match 'dscp ef'\n\toption klass '2'\n" > "$tmp/bad"
"$u2c" "$tmp/bad" > "$tmp/bad.out" 2> "$tmp/err"
rc=$?
diag "$(cat "$tmp/err")"
result "unknown option: error naming it and the line, nothing printed" "$(
	[ $rc != 0 ] && [ ! -s "$tmp/bad.out" ] && grep -q ':3: unknown option "klass"' "$tmp/err"; echo $?)"

version=$(sed -n 's/^#define MQOS_VERSION_STR[[:space:]]*"\(.*\)"/\1/p' \
	"$top/include/uapi/linux/mqos.h")
pkgv=$(sed -n 's/^PKG_VERSION:=//p' "$top/packaging/openwrt/mqos/Makefile")
result "packaging/openwrt/mqos/Makefile PKG_VERSION $pkgv = mqos.h's $version" \
	"$([ -n "$version" ] && [ "$pkgv" = "$version" ]; echo $?)"

echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
