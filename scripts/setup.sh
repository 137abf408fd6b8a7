#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything mqos needs to build, test and demo on Debian bookworm,
# and fetch the two kernels the VM tests boot. Idempotent: a second run
# only checks. Needs root (apt-get).
#
#   scripts/setup.sh          install packages + kernels
#   scripts/setup.sh --check  exit 0 if nothing is missing
#
# Kernel images are unpacked under $MQOS_CACHE (default /var/cache/mqos),
# outside the repository:  $MQOS_CACHE/<series>/{root/,kver}
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernels.sh"

PKGS=(
	build-essential make gcc pkg-config git
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libjson-c-dev
	qemu-system-x86 busybox-static kmod cpio xz-utils
	iproute2 iputils-ping ethtool tcpdump procps util-linux psmisc
	mosquitto mosquitto-clients iperf3 python3 libmosquitto-dev gnuplot-nox
	openssl jq
	sparse clang-14 libclang-rt-14-dev llvm-14 libcmocka-dev valgrind
	linux-source-6.1
	dkms bash-completion systemd
	python3-prometheus-client
	debhelper dh-dkms lintian shellcheck
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user-static
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
	nftables
)

missing_pkgs() {
	local p
	for p in "${PKGS[@]}" "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

have_kernel() {
	local s=$1 v
	v=$(cat "$MQOS_CACHE/$s/kver" 2>/dev/null) || return 1
	[ -e "$MQOS_CACHE/$s/root/boot/vmlinuz-$v" ] &&
		[ -e "$MQOS_CACHE/$s/root/lib/modules/$v/modules.dep" ] &&
		[ -d "/usr/src/linux-headers-$v" ]
}

all_present() {
	[ -z "$(missing_pkgs)" ] && have_kernel 6.1 && have_kernel 6.12 &&
		"$here/arm" --arch arm64 have && "$here/arm" --arch armhf have
}

if [ "${1:-}" = "--check" ]; then
	all_present
	exit
fi

if all_present; then
	echo "setup: everything present (kernels: $(kver_of 6.1), $(kver_of 6.12))"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "setup: missing packages or kernels; run as root: $0" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q

# Resolve the current kernel ABI from the meta-packages; never hard-code it.
v61=$(resolve_kver linux-image-amd64)
v612=$(resolve_kver linux-image-6.12-amd64)
[ -n "$v61" ] && [ -n "$v612" ] || {
	echo "setup: cannot resolve the 6.1 / 6.12 kernel packages" >&2
	exit 1
}

need=$(missing_pkgs "linux-headers-$v61" "linux-headers-$v612")
if [ -n "$need" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $need
fi

fetch_kernel() {
	local series=$1 v=$2 dir tmp
	dir="$MQOS_CACHE/$series"
	if [ "$(cat "$dir/kver" 2>/dev/null)" = "$v" ] && have_kernel "$series"; then
		return 0
	fi
	echo "setup: fetching linux-image-$v"
	rm -rf "$dir"
	mkdir -p "$dir/root"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt-get download drops privileges to _apt
	(cd "$tmp" && apt-get download -q "linux-image-$v")
	dpkg-deb -x "$tmp"/linux-image-"$v"_*.deb "$dir/root"
	rm -rf "$tmp"
	depmod -b "$dir/root" "$v"
	echo "$v" > "$dir/kver"
}

mkdir -p "$MQOS_CACHE"
fetch_kernel 6.1 "$v61"
fetch_kernel 6.12 "$v612"
# The ARM cross builds' headers and libraries: a failure here fails only
# make check's ARM step, not the set-up.
for a in arm64 armhf; do
	"$here/arm" --arch "$a" fetch || echo "setup: the $a headers could not be fetched" >&2
done
echo "setup: done (kernels: $v61, $v612)"
