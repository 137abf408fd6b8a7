#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, on the host: scripts/deb-build runs
# `dpkg-buildpackage -us -uc -b` in a copy of the tree under a temporary
# directory and leaves mqos-dkms_V_all.deb and mqosctl_V_ARCH.deb in
# build/deb, where selftests/deb_install.sh (in the VM) installs them from.
# Then what the packages must hold, lintian, and the version in one place:
# MQOS_VERSION_STR of include/uapi/linux/mqos.h, which debian/changelog
# and the man page must repeat (dkms.conf only has a placeholder).
#
# Last, DKMS (on the host, in a private tree) builds the packaged sources
# for each VM kernel (MQOS_KERNELS, default 6.1 and 6.12) and packs the
# module with `dkms mktarball --binaries-only`; OUTDIR/prebuilt/KVER gets a
# copy of mqos-dkms_V_all.deb that also ships that archive as
# /usr/share/mqos-dkms/mqos-V.dkms.tar.gz, the place DKMS's common.postinst
# loads prebuilt modules from (`dkms ldtarball`; it then installs them
# instead of building). The VM selftest installs this copy: a DKMS build
# under the emulated CPU takes 5-9 minutes per kernel (see deb_install.sh).
#
#   tests/deb_build.sh [OUTDIR]      (default build/deb; root for the last step)
#
# Prints KTAP and a last line "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/kernels.sh"
out=${1:-$top/build/deb}

n=0 pass=0 fail=0 skip=0 planned=0
plan() { planned=$1; echo "TAP version 13"; echo "1..$1"; }
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
result() { if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
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

plan 10

tmp=$(mktemp -d /tmp/mqos-debtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# 1. one version: mqos.h is the source.
version=$(sed -n 's/^#define MQOS_VERSION_STR[[:space:]]*"\(.*\)"/\1/p' \
	"$top/include/uapi/linux/mqos.h")
deb_version=$(cd "$top" && dpkg-parsechangelog -S Version 2>/dev/null)
man_version=$(sed -n '1s/^\.TH .*"mqos \([^"]*\)".*/\1/p' "$top/userspace/mqosctl.8")
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
diag "mqos.h $version, debian/changelog $deb_version, mqosctl.8 $man_version, dkms.conf $conf_version"
result "version $version in mqos.h = debian/changelog (upstream part) = mqosctl.8; dkms.conf a placeholder" \
	"$([ -n "$version" ] && [ "${deb_version%-*}" = "$version" ] &&
		[ "$man_version" = "$version" ] && [ "$conf_version" = "#MODULE_VERSION#" ]; echo $?)"

for c in dpkg-buildpackage dh dh_dkms pkg-config; do
	if ! command -v "$c" > /dev/null; then
		skip_rest "$c is not installed (scripts/setup.sh installs the Build-Depends)"
		finish
	fi
done

# 2. the build, in a copy; the work tree stays as it was.
# Not --ignored: make check builds other things (tests/out, userspace
# objects) beside this one at the same time; what must not appear are
# files git would see, and debian/'s build products (checked below).
status_before=$(cd "$top" && git status --porcelain 2>/dev/null)
t0=$(date +%s)
if "$top/scripts/deb-build" "$out" > "$tmp/log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b in a copy of the tree ($(( $(date +%s) - t0 )) s)"
else
	diag "$(tail -n 30 "$tmp/log")"
	not_ok "dpkg-buildpackage -us -uc -b in a copy of the tree"
	skip_rest "no packages"
	finish
fi
status_after=$(cd "$top" && git status --porcelain 2>/dev/null)
if [ "$status_before" = "$status_after" ] && [ ! -e "$top/debian/mqosctl" ] &&
	[ ! -e "$top/debian/files" ]; then
	ok "the work tree is untouched (git status, no debian/mqosctl, debian/files)"
else
	diag "before:" "$status_before" "after:" "$status_after"
	not_ok "the work tree is untouched (git status, no debian/mqosctl, debian/files)"
fi

dkms_deb=$out/mqos-dkms_${version}_all.deb
ctl_deb=$(ls "$out"/mqosctl_"${version}"_*.deb 2>/dev/null | head -n1)
if [ ! -f "$dkms_deb" ] || [ -z "$ctl_deb" ]; then
	diag "$(ls "$out")"
	not_ok "mqos-dkms_${version}_all.deb and mqosctl_${version}_*.deb in $out"
	skip_rest "packages missing"
	finish
fi

# 3. mqos-dkms: the DKMS tree, dkms.conf with the version, the maintainer
# scripts that register, build and remove it.
src=usr/src/mqos-$version
dpkg-deb -x "$dkms_deb" "$tmp/dkms"
dpkg-deb -e "$dkms_deb" "$tmp/dkms.ctl"
stray=$(cd "$tmp/dkms" && find usr/src -type f ! -name '*.[ch]' ! -name Kbuild ! -name dkms.conf)
want_src=$(cd "$top" && { echo Kbuild; find include module -type f \
	\( -name '*.[ch]' -o -name Kbuild \); } | LC_ALL=C sort)
have_src=$(cd "$tmp/dkms/$src" 2>/dev/null && find . -type f ! -name dkms.conf |
	sed 's|^\./||' | LC_ALL=C sort)
if grep -qx "PACKAGE_VERSION=\"$version\"" "$tmp/dkms/$src/dkms.conf" 2>/dev/null &&
	[ -z "$stray" ] && [ "$want_src" = "$have_src" ] &&
	dpkg-deb -f "$dkms_deb" Depends | grep -q '\bdkms\b' &&
	grep -q "common.postinst" "$tmp/dkms.ctl/postinst" &&
	grep -q "^DKMS_VERSION=$version$" "$tmp/dkms.ctl/postinst" &&
	grep -q "dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all" "$tmp/dkms.ctl/prerm"; then
	ok "mqos-dkms: /$src = Kbuild + include/ + module/ + dkms.conf ($version), depends on dkms, postinst/prerm register and remove it"
else
	diag "stray: $stray" "$(diff <(echo "$want_src") <(echo "$have_src") | head)" \
		"Depends: $(dpkg-deb -f "$dkms_deb" Depends)"
	not_ok "mqos-dkms: /$src = Kbuild + include/ + module/ + dkms.conf ($version), depends on dkms, postinst/prerm register and remove it"
fi

# 4. mqosctl: what `make install` installs, with the example under doc/.
dpkg-deb -x "$ctl_deb" "$tmp/ctl"
dpkg-deb -e "$ctl_deb" "$tmp/ctl.ctl"
missing=
for f in usr/sbin/mqosctl usr/share/man/man8/mqosctl.8.gz \
	usr/share/bash-completion/completions/mqosctl \
	lib/systemd/system/mqos@.service lib/systemd/system/mqos.service \
	usr/share/doc/mqosctl/examples/gateway.conf usr/share/doc/mqosctl/copyright \
	"usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/tc/q_mqos.so"; do
	[ -f "$tmp/ctl/$f" ] || missing+=" $f"
done
extra=$(cd "$tmp/ctl" && find etc -type f 2>/dev/null)
[ -e "$tmp/ctl.ctl/conffiles" ] && extra+=" conffiles: $(cat "$tmp/ctl.ctl/conffiles")"
[ -z "$missing$extra" ] || diag "missing:$missing" "extra: $extra"
result "mqosctl: binary, man page, completion, units, tc plugin, examples in doc/; nothing in /etc" \
	"$([ -z "$missing$extra" ]; echo $?)"

units_ok=0
grep -qx "ExecStart=/usr/sbin/mqosctl load /etc/mqos/mqos.conf" \
	"$tmp/ctl/lib/systemd/system/mqos.service" 2>/dev/null || units_ok=1
grep -q '@[A-Z]*@' "$tmp/ctl/lib/systemd/system/"*.service 2>/dev/null && units_ok=1
result "units name /usr/sbin/mqosctl and /etc/mqos/mqos.conf, no @PLACEHOLDER@ left" $units_ok

v=$("$tmp/ctl/usr/sbin/mqosctl" --version 2>&1)
deps=$(dpkg-deb -f "$ctl_deb" Depends)
diag "Depends: $deps"
result "the packaged mqosctl runs: '$v'; depends on libnl-genl, json-c, iproute2, kmod" \
	"$([ "$v" = "mqosctl $version" ] && grep -q libnl-genl-3 <<< "$deps" &&
		grep -q libjson-c <<< "$deps" && grep -q iproute2 <<< "$deps" &&
		grep -q kmod <<< "$deps"; echo $?)"

# 5. lintian: no error, no warning (the remaining informational tags are
# listed in the output).
if command -v lintian > /dev/null; then
	lintian --pedantic -I "$dkms_deb" "$ctl_deb" > "$tmp/lintian" 2>&1
	diag "$(grep -E '^[A-Z]: ' "$tmp/lintian")"
	result "lintian: no error or warning" "$(! grep -qE '^[EW]: ' "$tmp/lintian"; echo $?)"
else
	n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - lintian # SKIP not installed"
fi

# 6. the version guard: a changelog that disagrees with mqos.h stops the
# build, naming both.
mkdir "$tmp/bad"
(cd "$top" && tar --exclude=./.git --exclude=./build -cf - debian include/uapi) |
	tar -C "$tmp/bad" -xf -
sed -i "1s/(\([^)]*\))/(9.9.9)/" "$tmp/bad/debian/changelog"
(cd "$tmp/bad" && debian/rules override_dh_auto_configure) > "$tmp/guard" 2>&1
rc=$?
diag "$(cat "$tmp/guard")"
result "debian/rules refuses a changelog version (9.9.9) other than mqos.h's ($version)" \
	"$([ $rc != 0 ] && grep -q "9.9.9" "$tmp/guard" && grep -q "\"$version\"" "$tmp/guard"; echo $?)"

# 7. the prebuilt variants for the VM selftest, one per kernel: dkms
# 3.0.10's mktarball and ldtarball handle only the first kernel of an
# archive.
prebuilt() {
	local pkg k kvs=()
	local -a dk=(--dkmstree "$tmp/dkmstree" --sourcetree "$tmp/pb/usr/src")
	for k in ${MQOS_KERNELS:-6.1 6.12}; do
		k=$(kver_of "$k")
		[ -n "$k" ] && [ -e "/lib/modules/$k/build/Makefile" ] && kvs+=("$k")
	done
	[ ${#kvs[@]} -gt 0 ] || { echo "no VM kernel with headers (scripts/setup.sh)"; return 1; }
	mkdir -p "$tmp/dkmstree" && dpkg-deb -R "$dkms_deb" "$tmp/pb" || return 1
	# A throw-away signing key: the host's /var/lib/dkms stays as it was.
	export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub
	dkms add "mqos/$version" "${dk[@]}" || return 1
	rm -rf "$out/prebuilt"
	for k in "${kvs[@]}"; do
		echo "dkms build mqos/$version -k $k"
		dkms build "mqos/$version" -k "$k" "${dk[@]}" || return 1
		pkg=$tmp/pb-$k
		cp -a "$tmp/pb" "$pkg" && mkdir -p "$pkg/usr/share/mqos-dkms" "$out/prebuilt/$k" || return 1
		dkms mktarball "mqos/$version" -k "$k" --binaries-only "${dk[@]}" \
			--archive="$pkg/usr/share/mqos-dkms/mqos-$version.dkms.tar.gz" || return 1
		(cd "$pkg" && find usr -type f -print0 | LC_ALL=C sort -z |
			xargs -0 md5sum > DEBIAN/md5sums)
		dpkg-deb --root-owner-group -b "$pkg" \
			"$out/prebuilt/$k/mqos-dkms_${version}_all.deb" || return 1
		echo "$k: $(tar -tzf "$pkg/usr/share/mqos-dkms/mqos-$version.dkms.tar.gz" | grep 'mqos\.ko')"
	done
}
if [ "$(id -u)" != 0 ] || ! command -v dkms > /dev/null; then
	n=$((n + 1)); skip=$((skip + 1))
	echo "ok $n - prebuilt variant # SKIP needs root and dkms"
else
	t0=$(date +%s)
	if prebuilt > "$tmp/pb.log" 2>&1; then
		diag "$(grep '^[^ ]*: .*mqos\.ko' "$tmp/pb.log")"
		ok "DKMS builds the packaged sources for the VM kernels; prebuilt/KVER/mqos-dkms_${version}_all.deb ships each ($(( $(date +%s) - t0 )) s)"
	else
		diag "$(tail -n 30 "$tmp/pb.log")"
		not_ok "DKMS builds the packaged sources for the VM kernels; prebuilt/KVER/mqos-dkms_${version}_all.deb ships each"
	fi
fi

finish
