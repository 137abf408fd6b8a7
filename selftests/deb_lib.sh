# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages of build/deb installed into the VM's throw-away root,
# for deb_install.sh (which says why each step is needed) and
# deb_systemd.sh. Sourced after lib.sh; sets
#   kver version DEBDIR log work apt[]   and, from deb_pick_packages,
#   dkms_deb ctl_deb how
# and deb_cleanup undoes what deb_prepare_vm did.

kver=$(uname -r)
DEBDIR=${MQOS_DEB_DIR:-$REPO_DIR/build/deb}
version=$(sed -n 's/^#define MQOS_VERSION_STR[[:space:]]*"\(.*\)"/\1/p' \
	"$REPO_DIR/include/uapi/linux/mqos.h")
log=$(mktemp)
work=$(mktemp -d)
small_tree=
boot_masked=
# apt reads no package lists: an empty Dir::State::Lists.
mkdir -p "$work/lists/partial"
apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dir::State::Lists="$work/lists")

show_log() { tail -n "${2:-25}" "${1:-$log}" | sed 's/^/# /'; }

# timed VAR CMD...: run CMD, its output in $log, its wall time in seconds
# in VAR.
timed() {
	local var=$1 t0 rc
	shift
	t0=$EPOCHREALTIME
	"$@" > "$log" 2>&1
	rc=$?
	printf -v "$var" '%s' "$(awk -v a="$EPOCHREALTIME" -v b="$t0" \
		'BEGIN { printf "%.1f", a - b }')"
	return $rc
}

# deb_pick_packages: wait for tests/deb_build.sh on the host (make check),
# then set dkms_deb and ctl_deb (empty if missing) and how.
deb_pick_packages() {
	local end
	if [ -e "$DEBDIR/.pending" ]; then
		diag "waiting for tests/deb_build.sh on the host ($DEBDIR/.pending)"
		end=$((SECONDS + 240))
		while [ -e "$DEBDIR/.pending" ] && [ $SECONDS -lt $end ]; do sleep 2; done
	fi
	if [ "${MQOS_DEB_DKMS_BUILD:-0}" = 1 ]; then
		dkms_deb=$DEBDIR/mqos-dkms_${version}_all.deb
		how="built by DKMS in the guest"
	else
		dkms_deb=$DEBDIR/prebuilt/$kver/mqos-dkms_${version}_all.deb
		how="prebuilt by DKMS on the host, loaded by the postinst's dkms ldtarball"
	fi
	[ -f "$dkms_deb" ] || dkms_deb=
	ctl_deb=$(ls "$DEBDIR"/mqosctl_"$version"_*.deb 2>/dev/null | head -n1)
}

# deb_prepare_vm MODULE...: in the VM, the small module tree, a /boot with
# the running kernel only, no man-db trigger.
deb_prepare_vm() {
	[ "${MQOS_IN_VM:-0}" = 1 ] || return 0
	# The tree deb_install.sh describes (small_module_tree in lib.sh),
	# with the `build` link to the installed headers that DKMS needs.
	small_module_tree "$@" || return 1
	ln -s "/usr/src/linux-headers-$kver" "$small_tree/build" &&
		depmod -a "$kver" || return 1
	mount -t tmpfs -o mode=0755 tmpfs /boot && boot_masked=1
	echo "man-db man-db/auto-update boolean false" | debconf-set-selections
}

# deb_apt_install: apt install of the two packages, copied where apt's
# sandbox user may read them; output in $log, seconds in t_install.
deb_apt_install() {
	cp "$dkms_deb" "$ctl_deb" "$work/" && chmod 0755 "$work" && chmod 0644 "$work"/*.deb &&
		timed t_install "${apt[@]}" install --no-install-recommends \
			"$work/$(basename "$dkms_deb")" "$work/$(basename "$ctl_deb")"
}

deb_installed() { dpkg-query -W mqosctl mqos-dkms > /dev/null 2>&1; }

deb_cleanup() {
	if deb_installed; then
		dpkg --purge mqosctl mqos-dkms > /dev/null 2>&1
	fi
	# Under systemd, udevd holds the module indexes open: detach lazily.
	[ -n "$small_tree" ] && { umount "/lib/modules/$kver" 2>/dev/null ||
		umount -l "/lib/modules/$kver"; } && rm -rf "$small_tree"
	[ -n "$boot_masked" ] && umount /boot
	rm -rf "$log" "$work"
	return 0
}
