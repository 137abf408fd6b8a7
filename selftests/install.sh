#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` as an operator runs it, into the VM's root: the guest's /
# is a tmpfs overlay over the host's read-only root, so everything installed
# here vanishes at power-off. Then what the install promises:
#
#   depmod'ed module in /lib/modules/KVER/updates   modprobe mqos; and plain
#   `tc qdisc add ... mqos` autoloads it (aliases)  with the module unloaded
#   mqos@DEV.service + mqos.service                 their Exec* lines, read
#                                                   from the installed files
#                                                   and run as systemd would
#   bash completion                                 bash -n, a completion call
#   /etc/mqos/mqos.conf never overwritten; `make uninstall` removes the rest
#
# It installs into /, so outside the VM it runs only when asked to:
# MQOS_INSTALL_TEST=1.
#
# depmod -a reads every module of the kernel; in the VM that is thousands of
# files over 9p under an emulated CPU, minutes. So in the VM the install runs
# unchanged (the Makefile's own `depmod -a KVER`, as on a gateway) against
# a small module tree bind-mounted over /lib/modules/KVER: the kernel's
# builtin lists, the modules loaded now, the modules this test makes the
# kernel load (veth, sch_prio) and mqos.ko's dependencies. Every depmod of
# the test (install, reinstall, uninstall) then takes a second or two.
. "$(dirname "$0")/lib.sh"

ktap_plan 19
require_root
if [ "${MQOS_IN_VM:-0}" != 1 ] && [ "${MQOS_INSTALL_TEST:-0}" != 1 ]; then
	ktap_skip_rest "installs into /: runs in the vm-run overlay, or set MQOS_INSTALL_TEST=1"
fi
require_cmd make depmod modprobe modinfo tc ip bash

kver=$(uname -r)
PREFIX=/usr/local
UNITDIR=$PREFIX/lib/systemd/system
COMPLETION=$PREFIX/share/bash-completion/completions/mqosctl
CONF=/etc/mqos/mqos.conf
DEV=mqinst0
log=$(mktemp)

small_tree=

cleanup() {
	ip link del "$DEV" 2>/dev/null
	rm -f "$log" "$log.verify"
	if [ -n "$small_tree" ]; then
		mqos_unload 2>/dev/null
		umount "/lib/modules/$kver" && rm -rf "$small_tree"
	fi
	return 0
}
trap cleanup EXIT

# make_in_repo TARGET...: make in the repository, output in $log. The module
# and mqosctl built on the host are installed as they are (MQOS_KO=, and
# -o mqosctl: no recursive make into userspace/): kbuild under an emulated
# CPU takes minutes even when there is nothing to do.
ko=$(mqos_ko)
make_in_repo() {
	make -C "$REPO_DIR" --no-print-directory -o mqosctl KVER="$kver" \
		${ko:+MQOS_KO="$ko"} "$@" > "$log" 2>&1
}

show_log() { tail -n 25 "$log" | sed 's/^/# /'; }

root_qdisc() { tc qdisc show dev "$DEV" | awk '$0 ~ / root / { print $2, $3; exit }'; }

# --- make install ------------------------------------------------------------
mqos_unload 2>/dev/null
# The tree described at the top (small_module_tree in lib.sh).
deps=()
[ -n "$ko" ] && IFS=, read -ra deps <<< "$(modinfo -F depends "$ko")"
if [ "${MQOS_IN_VM:-0}" = 1 ] && ! small_module_tree veth sch_prio "${deps[@]}"; then
	ktap_fail "small module tree for depmod"
	ktap_skip_rest "no module tree"
fi
if make_in_repo install; then
	ktap_ok "make install KVER=$kver"
else
	show_log
	ktap_fail "make install KVER=$kver"
	ktap_skip_rest "make install failed"
fi

missing=
for f in "/lib/modules/$kver/updates/mqos.ko" "$PREFIX/sbin/mqosctl" \
	"$COMPLETION" "$UNITDIR/mqos@.service" "$UNITDIR/mqos.service" "$CONF"; do
	[ -f "$f" ] || missing+=" $f"
done
[ -e "$REPO_DIR/userspace/mqosctl.8" ] && [ ! -f "$PREFIX/share/man/man8/mqosctl.8" ] &&
	missing+=" $PREFIX/share/man/man8/mqosctl.8"
[ -z "$missing" ] || diag "missing:$missing"
ktap_result "module, mqosctl, man page, completion, units and $CONF installed" \
	"$([ -z "$missing" ]; echo $?)"

# systemd-analyze verify loads the whole unit tree: about a minute under an
# emulated CPU. It runs in the background while the other steps go on; its
# result is reported before the reinstall rewrites the units.
verify_pid=
if command -v systemd-analyze >/dev/null; then
	env SYSTEMD_UNIT_PATH="$UNITDIR:" systemd-analyze verify --man=no \
		"$UNITDIR/mqos@.service" "$UNITDIR/mqos.service" > "$log.verify" 2>&1 &
	verify_pid=$!
fi

# --- the module: depmod, modprobe, autoload through the alias -----------------
f=$(modinfo -k "$kver" -F filename mqos 2>&1)
ktap_result "depmod ran: modinfo mqos -> $f" \
	"$([ "$f" = "/lib/modules/$kver/updates/mqos.ko" ]; echo $?)"

ktap_check "modprobe mqos loads the installed module" \
	sh -c 'modprobe mqos && test -d /sys/module/mqos && modprobe -r mqos'

ip link add "$DEV" type veth peer name mqinst1 && ip link set "$DEV" up
mqos_unload
if tc qdisc add dev "$DEV" root handle 1: mqos 2> "$log" && mqos_loaded; then
	ktap_ok "module unloaded: tc qdisc add ... mqos autoloads it (alias)"
else
	show_log
	ktap_fail "module unloaded: tc qdisc add ... mqos autoloads it (alias)"
fi
tc qdisc del dev "$DEV" root 2>/dev/null

# --- the systemd units -------------------------------------------------------

# unit_exec UNIT INSTANCE KEY...: run the UNIT's KEY= command lines (from the
# installed file) in order, as systemd would: %i/%I = INSTANCE, a leading
# '-' ignores a failure, the first other failure stops. Bare command names
# are found in PATH (systemd's fixed search path is the same here). No
# process substitution: the VM's /dev has no /dev/fd.
unit_exec() {
	local unit=$1 inst=$2 key line ign argv
	shift 2
	for key in "$@"; do
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			line=${line//%i/$inst}; line=${line//%I/$inst}; line=${line//%%/%}
			ign=0
			while [[ $line == [-@:+!]* ]]; do
				[[ $line == -* ]] && ign=1
				line=${line:1}
			done
			read -ra argv <<< "$line"
			echo "$key: ${argv[*]}"
			if ! "${argv[@]}" && [ $ign = 0 ]; then
				echo "$key failed: ${argv[*]}"
				return 1
			fi
		done <<< "$(sed -n "s/^$key=//p" "$UNITDIR/$unit")"
	done
}

if unit_exec mqos@.service "$DEV" ExecStartPre ExecStart ExecStartPost > "$log" 2>&1 &&
	[ "$(root_qdisc)" = "mqos 1:" ]; then
	ktap_ok "mqos@$DEV.service ExecStart*: module loaded, root qdisc mqos 1:"
else
	show_log
	ktap_fail "mqos@$DEV.service ExecStart*: module loaded, root qdisc mqos 1:"
fi

# mqos.service applies $CONF with `mqosctl load`: needs the control plane.
cp "$CONF" "$CONF.orig"
mqosctl() { "$PREFIX/sbin/mqosctl" "$@"; }
if mqosctl save > /dev/null 2>&1; then
	printf '%s\n' "dev set $DEV rate 10mbit" \
		"rule add pref 10 match dscp ef class 2" > "$CONF"
	if unit_exec mqos.service "" ExecStartPre ExecStart > "$log" 2>&1 &&
		mqosctl save 2>&1 | grep -q 'pref 10 '; then
		ktap_ok "mqos.service ExecStart: $CONF applied"
	else
		mqosctl save >> "$log" 2>&1; show_log
		ktap_fail "mqos.service ExecStart: $CONF applied"
	fi
	printf '%s\n' "dev set $DEV rate 20mbit" \
		"rule add pref 20 match dscp cs1 class 5" > "$CONF"
	if unit_exec mqos.service "" ExecReload > "$log" 2>&1 &&
		mqosctl save > "$log.save" 2>&1 && grep -q 'pref 20 ' "$log.save" &&
		! grep -q 'pref 10 ' "$log.save"; then
		ktap_ok "mqos.service ExecReload: the changed file replaces the rules"
	else
		cat "$log.save" >> "$log"; show_log
		ktap_fail "mqos.service ExecReload: the changed file replaces the rules"
	fi
	printf '%s\n' "rule add pref 30 match dscp cs1 class 5" \
		"rule add pref 40 match no-such-selector 1 class 5" > "$CONF"
	if ! unit_exec mqos.service "" ExecReload > "$log" 2>&1 &&
		mqosctl save 2>&1 | diff -q - "$log.save" > /dev/null; then
		ktap_ok "mqos.service ExecReload of a broken file fails and changes nothing"
	else
		show_log
		ktap_fail "mqos.service ExecReload of a broken file fails and changes nothing"
	fi
	rm -f "$log.save"
	if unit_exec mqos.service "" ExecStop > "$log" 2>&1 &&
		! mqosctl save 2>&1 | grep -q '^rule add'; then
		ktap_ok "mqos.service ExecStop flushes the rules"
	else
		show_log
		ktap_fail "mqos.service ExecStop flushes the rules"
	fi
else
	for t in ExecStart ExecReload "ExecReload (broken file)" ExecStop; do
		ktap_skip "mqos.service $t" "mqosctl has no control plane yet (mqosctl save fails)"
	done
fi
cp "$CONF.orig" "$CONF" && rm -f "$CONF.orig"

if unit_exec mqos@.service "$DEV" ExecStop > "$log" 2>&1 &&
	[ "$(root_qdisc)" != "mqos 1:" ] && wait_for 50 mqos_idle; then
	ktap_ok "mqos@$DEV.service ExecStop removes the qdisc"
else
	show_log
	ktap_fail "mqos@$DEV.service ExecStop removes the qdisc"
fi

# ExecStop names the kind and handle: another root qdisc is left alone.
tc qdisc add dev "$DEV" root handle 1: prio
unit_exec mqos@.service "$DEV" ExecStop > "$log" 2>&1
ktap_result "mqos@$DEV.service ExecStop leaves a foreign root qdisc (prio 1:) alone" \
	"$([ "$(root_qdisc)" = "prio 1:" ]; echo $?)"
tc qdisc del dev "$DEV" root 2>/dev/null

# --- bash completion ---------------------------------------------------------
ktap_check "bash -n $COMPLETION" bash -n "$COMPLETION"

# complete WORD...: COMPREPLY for the command line WORD... (cursor on the last).
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_mqosctl; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@"
}
c1=$(complete_words mqosctl cl)
c2=$(complete_words mqosctl class set mqin)
c3=$(complete_words mqosctl class set "$DEV" "")
c4=$(complete_words mqosctl rule add pref 10 match dscp "")
c5=$(complete_words mqosctl stats --pro)
c6=$(complete_words mqosctl hook set mode "")
diag "completions: [$c1] [$(echo $c2)] [$(echo $c3)] [$(echo $c4 | cut -c1-40)...] [$c5] [$(echo $c6)]"
ktap_result "completion: commands, devices, class numbers, DSCP keywords, stats options, hook modes" "$(
	[ "$c1" = class ] && grep -qx "$DEV" <<< "$c2" &&
		grep -qx 2 <<< "$c3" && grep -qx 5 <<< "$c3" &&
		! grep -qx realtime <<< "$c3" &&
		grep -qx af41 <<< "$c4" && grep -qx ef <<< "$c4" &&
		[ "$c5" = --prometheus ] && [ "$(echo $c6)" = "sticky packet" ]
	echo $?)"

if [ -n "$verify_pid" ]; then
	wait "$verify_pid"
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$log.verify"
	ktap_result "systemd-analyze verify mqos@.service mqos.service" $rc
else
	ktap_skip "systemd-analyze verify" "systemd-analyze not installed"
fi
rm -f "$log.verify"

# --- reinstall keeps the operator's configuration; uninstall -----------------
echo "# edited by the operator" >> "$CONF"
if make_in_repo install && tail -n1 "$CONF" | grep -q 'edited by the operator'; then
	ktap_ok "make install again keeps the edited $CONF"
else
	show_log
	ktap_fail "make install again keeps the edited $CONF"
fi

mqos_unload
make_in_repo uninstall
rc=$?
left=$(ls "/lib/modules/$kver/updates/mqos.ko" "$PREFIX/sbin/mqosctl" \
	"$PREFIX/share/man/man8/mqosctl.8" "$COMPLETION" "$UNITDIR/mqos@.service" \
	"$UNITDIR/mqos.service" 2>/dev/null)
[ -z "$left" ] || diag "left behind: $left"
[ $rc = 0 ] || show_log
ktap_result "make uninstall removes module, mqosctl, man page, completion, units" \
	"$([ $rc = 0 ] && [ -z "$left" ]; echo $?)"
ktap_result "make uninstall ran depmod: modprobe no longer finds mqos" \
	"$(! modprobe -n -q mqos; echo $?)"
ktap_result "make uninstall keeps the edited $CONF (and says so)" \
	"$([ -f "$CONF" ] && grep -q "kept $CONF" "$log"; echo $?)"
rm -rf /etc/mqos

ktap_finish
