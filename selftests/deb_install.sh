#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages as an operator installs them, into the VM's root (the
# guest's / is a tmpfs overlay over the host's read-only root, so apt and
# dpkg work and everything vanishes at power-off):
#
#   apt install ./mqos-dkms_V_all.deb ./mqosctl_V_ARCH.deb
#       DKMS (the package's postinst) builds mqos.ko for the running kernel
#       and installs it in /lib/modules/KVER/updates/dkms, depmod'ed:
#       `tc qdisc add ... mqos` autoloads it; mqosctl drives it and loads
#       the packaged example; the units pass systemd-analyze verify (they
#       run under systemd in deb_systemd.sh)
#   apt purge mqosctl mqos-dkms
#       leaves nothing: no mqos.ko under /lib/modules/*/updates, no
#       /usr/src/mqos-*, no /var/lib/dkms/mqos, no mqosctl, no units
#
# The packages come from build/deb (tests/deb_build.sh); they must carry
# the version of include/uapi/linux/mqos.h. make check builds them on the
# host while the VMs run, with build/deb/.pending present until it is done:
# this test (last in each VM) waits for that, up to 240 s. Outside the VM it runs only when asked to:
# MQOS_INSTALL_TEST=1.
#
# Which mqos-dkms: DKMS's build of mqos.ko inside the guest is the real
# thing but takes 5-9 minutes per kernel under the emulated CPU (6.1, one
# vCPU: apt install 305 s with the build; `dkms build` alone 527 s under
# load), too long for make check. So by default
# the test installs build/deb/prebuilt/KVER/mqos-dkms_V_all.deb: the same
# package plus /usr/share/mqos-dkms/mqos-V.dkms.tar.gz, the module that
# DKMS built on the host from the packaged sources for this kernel
# (`dkms mktarball --binaries-only`). That path is DKMS's own: the
# postinst (common.postinst) loads the archive with `dkms ldtarball`, sees
# the module built for the running kernel and runs `dkms install`, as for
# any prebuilt DKMS package. MQOS_DEB_DKMS_BUILD=1 installs the plain
# package instead, and DKMS builds in the guest:
#   scripts/vm-run --kernel 6.1 --timeout 1500 -- env MQOS_DEB_DKMS_BUILD=1 \
#       MQOS_TEST_TIMEOUT=1200 selftests/run_tests.sh deb_install.sh
#
# What the VM differs in from a gateway, and what the test does about it:
# - /lib/modules/KVER is the VM kernel's module tree without the `build`
#   link that linux-headers-KVER makes; the headers are installed (the
#   host's /usr/src/linux-headers-KVER), so the test adds the link.
# - /boot is the host's: it names kernels the guest does not run (the
#   host's own), and DKMS's postinst builds or installs for the newest
#   kernel of /boot as well as the running one. A tmpfs over /boot in the
#   guest leaves only the running kernel.
# - depmod -a (run by `dkms install` and `dkms remove`) reads every module
#   of the kernel, minutes over 9p under an emulated CPU; as in install.sh
#   it runs against a small module tree mounted over /lib/modules/KVER: the
#   builtin lists, the modules loaded now and those the test needs.
# - man-db's trigger (the manual page index, rebuilt on every install and
#   removal) is turned off through debconf, as an administrator can: 20-40
#   s each time under the emulated CPU, and nothing here reads the index.
# - apt reads no package lists (an empty Dir::State::Lists): the packages'
#   dependencies are installed already (dpkg's status is read as always),
#   and parsing the host's lists costs 20 s under the emulated CPU.
. "$(dirname "$0")/lib.sh"

ktap_plan 11
require_root
if [ "${MQOS_IN_VM:-0}" != 1 ] && [ "${MQOS_INSTALL_TEST:-0}" != 1 ]; then
	ktap_skip_rest "installs into /: runs in the vm-run overlay, or set MQOS_INSTALL_TEST=1"
fi
require_cmd apt-get dpkg dkms depmod modprobe modinfo tc ip

. "$SELFTESTS_DIR/deb_lib.sh"
DEV=g1		# the device the packaged example configures
EXAMPLE=/usr/share/doc/mqosctl/examples/gateway.conf
verify_pid=

cleanup() {
	[ -n "$verify_pid" ] && kill "$verify_pid" 2>/dev/null
	ip link del "$DEV" 2>/dev/null
	mqos_unload 2>/dev/null
	deb_cleanup
}
trap cleanup EXIT

# --- the packages ------------------------------------------------------------
deb_pick_packages
# No packages (a kernel tests/deb_build.sh did not build for, as the
# debug kernel of check-debug; or not run): skipped, and said so. In make
# check a failed package build fails tests/deb_build.sh on the host.
if [ -z "$dkms_deb" ] || [ -z "$ctl_deb" ]; then
	ktap_skip_rest "no packages of version $version for $kver in $DEBDIR: run tests/deb_build.sh"
fi
ktap_ok "packages of version $version: ${dkms_deb#"$DEBDIR"/} ${ctl_deb#"$DEBDIR"/}"

if [ ! -e "/usr/src/linux-headers-$kver/Makefile" ]; then
	ktap_skip_rest "no headers for $kver (scripts/setup.sh)"
fi
if deb_installed || [ -e "/var/lib/dkms/mqos" ]; then
	ktap_skip_rest "mqosctl / mqos-dkms already installed here: not touching them"
fi

mqos_unload 2>/dev/null
if ! deb_prepare_vm veth; then
	ktap_skip_rest "small module tree for depmod failed"
fi

# --- apt install ---------------------------------------------------------------
if deb_apt_install; then
	ktap_ok "apt install ./mqos-dkms_*.deb ./mqosctl_*.deb (${t_install} s)"
else
	show_log "$log" 40
	ktap_fail "apt install ./mqos-dkms_*.deb ./mqosctl_*.deb"
	ktap_skip_rest "apt install failed"
fi
grep -E '^(Loading|Building|Done|Module build|This package|.*mqos\.ko|.*Installing to)' "$log" |
	sed 's/^/# postinst: /'
built_here=$(grep -c "^Building initial module for $kver" "$log")

# systemd-analyze verify loads the whole unit tree: about a minute under an
# emulated CPU. In the background while the module is checked.
if command -v systemd-analyze > /dev/null; then
	systemd-analyze verify --man=no /lib/systemd/system/mqos@.service \
		/lib/systemd/system/mqos.service > "$work/verify" 2>&1 &
	verify_pid=$!
fi

# --- DKMS built and installed the module for the running kernel --------------
st=$(dkms status -m mqos -v "$version" -k "$kver" 2>&1)
diag "dkms status: $st"
ko=$(modinfo -k "$kver" -F filename mqos 2>/dev/null)
info=$(modinfo "$ko" 2>/dev/null)
if [ "${MQOS_DEB_DKMS_BUILD:-0}" = 1 ]; then want_built=1; else want_built=0; fi
if grep -q ": installed" <<< "$st" && [ "$built_here" = "$want_built" ] &&
	[[ $ko == /lib/modules/$kver/updates/dkms/mqos.ko* ]] &&
	grep -q "^vermagic: *$kver " <<< "$info" &&
	grep -q "^version: *$version$" <<< "$info"; then
	ktap_ok "DKMS installed mqos $version for $kver ($how): $ko, depmod'ed"
else
	diag "modinfo mqos -> ${ko:-nothing}"
	printf '%s\n' "$info" | grep -E '^(filename|version|vermagic)' | sed 's/^/# /'
	ktap_fail "DKMS installed mqos $version for $kver ($how): /lib/modules/$kver/updates/dkms/mqos.ko, depmod'ed"
fi

# --- autoload through the alias; mqosctl drives it -----------------------------
ip link add "$DEV" type veth peer name mqdeb1 && ip link set "$DEV" up
if ! mqos_loaded && tc qdisc add dev "$DEV" root handle 1: mqos 2> "$log" &&
	mqos_loaded && [ "$(cat /sys/module/mqos/version 2>/dev/null)" = "$version" ]; then
	ktap_ok "tc qdisc add dev $DEV root mqos autoloads the DKMS module ($version)"
else
	show_log
	ktap_fail "tc qdisc add dev $DEV root mqos autoloads the DKMS module ($version)"
fi

v=$(/usr/sbin/mqosctl --version 2>&1)
ktap_result "/usr/sbin/mqosctl --version: $v" "$([ "$v" = "mqosctl $version" ]; echo $?)"

# The example the package ships, applied to the device it names.
if /usr/sbin/mqosctl load "$EXAMPLE" > "$log" 2>&1 &&
	/usr/sbin/mqosctl save > "$work/save" 2>&1 &&
	grep -q 'pref 80 ' "$work/save" &&
	/usr/sbin/mqosctl class show "$DEV" 2>&1 | grep -q realtime; then
	ktap_ok "mqosctl load $EXAMPLE; rules and classes in place"
else
	cat "$work/save" >> "$log" 2>/dev/null
	show_log
	ktap_fail "mqosctl load $EXAMPLE; rules and classes in place"
fi

missing=
for f in /usr/share/man/man8/mqosctl.8.gz /usr/share/bash-completion/completions/mqosctl \
	/lib/systemd/system/mqos@.service /lib/systemd/system/mqos.service \
	/usr/src/mqos-"$version"/dkms.conf "$EXAMPLE"; do
	[ -f "$f" ] || missing+=" $f"
done
[ -e /etc/mqos/mqos.conf ] && missing+=" (and /etc/mqos/mqos.conf exists)"
[ -z "$missing" ] || diag "missing:$missing"
ktap_result "man page, completion, units, DKMS sources, example in doc/, no /etc/mqos/mqos.conf" \
	"$([ -z "$missing" ]; echo $?)"

if [ -n "$verify_pid" ]; then
	wait "$verify_pid"
	rc=$?
	verify_pid=
	[ $rc = 0 ] || show_log "$work/verify"
	ktap_result "systemd-analyze verify mqos@.service mqos.service (installed)" $rc
else
	ktap_skip "systemd-analyze verify" "systemd-analyze not installed"
fi

# --- apt purge -------------------------------------------------------------------
tc qdisc del dev "$DEV" root 2>/dev/null
wait_for 50 mqos_idle
mqos_unload
if timed t_purge "${apt[@]}" purge mqosctl mqos-dkms; then
	ktap_ok "apt purge mqosctl mqos-dkms (${t_purge} s)"
else
	show_log "$log" 40
	ktap_fail "apt purge mqosctl mqos-dkms"
fi

left=$(ls -d /lib/modules/*/updates/dkms/mqos.ko* /lib/modules/*/updates/mqos.ko* \
	/usr/src/mqos-* /var/lib/dkms/mqos /usr/sbin/mqosctl \
	/lib/systemd/system/mqos@.service /lib/systemd/system/mqos.service \
	/usr/share/doc/mqosctl /usr/share/doc/mqos-dkms /etc/mqos 2>/dev/null)
pkgs=$(dpkg-query -W -f='${Package} ${Status}\n' mqosctl mqos-dkms 2>/dev/null |
	grep -v 'not-installed$')
[ -z "$left$pkgs" ] || diag "left behind: $left $pkgs"
ktap_result "nothing left: /lib/modules/*/updates, /usr/src/mqos-*, /var/lib/dkms/mqos, units, dpkg" \
	"$([ -z "$left$pkgs" ]; echo $?)"
ktap_result "depmod ran on removal: modprobe no longer finds mqos" \
	"$(! modprobe -n -q mqos; echo $?)"

ktap_finish
