#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS build of mqos.ko for both Debian kernels (6.1 and 6.12), on the host:
# no module is loaded, so no VM is needed. It registers a throw-away version
# (VERSION-dkmstest) from the tree `make dkms-src` lays out, runs
# `dkms build -k KVER` for each kernel, checks the result, and removes the
# version again (dkms remove --all).
#
# The source and dkms trees and the module-signing key dkms makes on first
# use are private (a temporary directory: dkms --sourcetree, --dkmstree,
# and mok_signing_key / mok_certificate in its environment): /usr/src and
# /var/lib/dkms stay as they were. That matters beyond tidiness: make
# check runs this while its VMs run, and they see the host's root live,
# where deb_install.sh takes a registered mqos for an operator's install
# and leaves it alone.
#
#   tests/dkms_build.sh           (root: dkms wants it)
#
# Prints KTAP and a last line "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/kernels.sh"

n=0 pass=0 fail=0 skip=0 planned=0
plan() { planned=$1; echo "TAP version 13"; echo "1..$1"; }
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
skip_rest() {
	while [ $n -lt $planned ]; do
		n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - not run # SKIP $*"
	done
}
finish() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail = 0 ]
	exit
}
# check NAME CMD...: ok if CMD succeeds, else its output as diagnostics.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
		not_ok "$name"
		return 1
	fi
}

kvers=()
for s in 6.1 6.12; do
	kvers+=("$(kver_of "$s")")
done

plan $((4 + 2 * ${#kvers[@]} + 1))

if [ "$(id -u)" != 0 ]; then
	skip_rest "needs root (dkms wants it)"
	finish
fi
if ! command -v dkms >/dev/null; then
	skip_rest "dkms is not installed (scripts/setup.sh installs it)"
	finish
fi

version=$(sed -n 's/^#define MQOS_VERSION_STR[[:space:]]*"\(.*\)"/\1/p' \
	"$top/include/uapi/linux/mqos.h")-dkmstest
tmp=$(mktemp -d)
src=$tmp/usr/src/mqos-$version
dkms_tree=$tmp/dkms
# tdkms ARGS...: dkms on the private trees, with a private signing key.
tdkms() {
	mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub \
		dkms "$@" --sourcetree "$tmp/usr/src" --dkmstree "$dkms_tree"
}

cleanup() {
	tdkms remove "mqos/$version" --all >/dev/null 2>&1
	rm -rf "$tmp"
	return 0
}
trap cleanup EXIT
mkdir -p "$dkms_tree"

# 1. the source tree: only what Kbuild reads.
check "make dkms-src DKMS_VERSION=$version DESTDIR=<tmp>" \
	make -s -C "$top" dkms-src DKMS_VERSION="$version" DESTDIR="$tmp"
check "dkms.conf in $src has PACKAGE_VERSION=\"$version\"" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf"
# Self-contained: sources only, and nothing in them points back into the
# repository, so the build reads /usr/src/mqos-VERSION alone.
stray=$(cd "$src" && find . -type f ! -name '*.[ch]' ! -name Kbuild ! -name dkms.conf)
refs=$(grep -rlF "$top" "$src")
if [ -z "$stray$refs" ] && [ -f "$src/Kbuild" ] && [ -d "$src/module/core" ]; then
	ok "$src holds only Kbuild, dkms.conf and sources, none naming $top"
else
	printf '# %s\n' $stray $refs
	not_ok "$src holds only Kbuild, dkms.conf and sources, none naming $top"
fi
if ! check "dkms add mqos/$version" tdkms add "mqos/$version"; then
	skip_rest "dkms add failed"
	finish
fi

# 2. a build per kernel, each checked for what an install relies on.
for kv in "${kvers[@]}"; do
	if [ -z "$kv" ] || [ ! -e "/lib/modules/$kv/build/Makefile" ]; then
		for t in build modinfo; do
			n=$((n + 1)); skip=$((skip + 1))
			echo "ok $n - dkms $t ${kv:-?} # SKIP no headers (scripts/setup.sh)"
		done
		continue
	fi
	out=$(mktemp)
	if tdkms build "mqos/$version" -k "$kv" > "$out" 2>&1; then
		ok "dkms build mqos/$version -k $kv"
	else
		tail -n 30 "$out" | sed 's/^/# /'
		tail -n 30 "$dkms_tree/mqos/$version/build/make.log" 2>/dev/null | sed 's/^/# make.log: /'
		not_ok "dkms build mqos/$version -k $kv"
	fi
	rm -f "$out"
	ko=$(ls "$dkms_tree/mqos/$version/$kv"/*/module/mqos.ko* 2>/dev/null | head -n1)
	info=$(modinfo "$ko" 2>/dev/null)
	if [ -n "$ko" ] && grep -q "^vermagic: *$kv " <<< "$info" &&
		grep -q '^alias: *net-sch-mqos$' <<< "$info" &&
		grep -q '^alias: *sch_mqos$' <<< "$info"; then
		ok "$kv: mqos.ko has vermagic $kv and the sch_mqos/net-sch-mqos aliases"
	else
		printf '%s\n' "${ko:-no mqos.ko}" "$info" | sed 's/^/# /'
		not_ok "$kv: mqos.ko has vermagic $kv and the sch_mqos/net-sch-mqos aliases"
	fi
done

# 3. and it goes away without a trace.
tdkms remove "mqos/$version" --all >/dev/null 2>&1
rm -rf "$src"
left=$(tdkms status "mqos/$version" 2>/dev/null; ls -d "$dkms_tree/mqos/$version" "$src" /usr/src/mqos-"$version" /var/lib/dkms/mqos/"$version" 2>/dev/null)
if [ -z "$left" ]; then
	ok "dkms remove mqos/$version --all leaves nothing"
else
	printf '# %s\n' "$left"
	not_ok "dkms remove mqos/$version --all leaves nothing"
fi
finish
