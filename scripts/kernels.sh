# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts: where the VM kernels live and what their versions are.
# Also runnable: `scripts/kernels.sh kver 6.1` prints the cached version,
# `scripts/kernels.sh default` the kernel `make` builds for by default.

MQOS_CACHE=${MQOS_CACHE:-/var/cache/mqos}

# Package "linux-image-amd64" -> "6.1.0-NN-amd64" via its dependency.
resolve_kver() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1
}

# Version of a cached VM kernel series (6.1 or 6.12, or debug: the kernel
# scripts/debug-kernel builds); empty if not fetched.
kver_of() {
	cat "$MQOS_CACHE/$1/kver" 2>/dev/null || true
}

# The running kernel if its headers are installed, else the VM's 6.1 kernel.
default_kver() {
	local r
	r=$(uname -r)
	if [ -e "/lib/modules/$r/build/Makefile" ]; then
		echo "$r"
	else
		kver_of 6.1
	fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-}" in
	kver) kver_of "$2" ;;
	default) default_kver ;;
	*) echo "usage: $0 kver 6.1|6.12|debug | default" >&2; exit 2 ;;
	esac
fi
