#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaged systemd units at work, under systemd as PID 1: the guest of
#   scripts/vm-run --systemd --kernel 6.1 -- selftests/run_tests.sh deb_systemd.sh
# (make check runs it so, after the other VMs; see scripts/check).
#
# The packages of build/deb are installed as deb_install.sh installs them
# (deb_lib.sh). Then, as an operator does (docs/debian.md): two devices,
# wan0 and lan-1 (a '-', so its instance is mqos@lan\x2d1), the packaged
# example in /etc/mqos/mqos.conf pointed at wan0 plus a rate for lan-1, and
#   systemctl enable --now mqos@wan0 mqos@lan\x2d1
#       the qdiscs, and mqos.service loads the file after them: the
#       device rates, the classes and the rules are in the kernel
#   edit the file; systemctl reload mqos
#       the change lands, nothing is doubled
#   systemctl restart mqos@lan\x2d1
#       a new qdisc with the default classes; the instance has mqos.service
#       re-apply the file (its ExecStartPost)
#   a typo in the file; systemctl reload mqos
#       fails, changes nothing; systemctl status names the bad word
#   systemctl stop mqos@lan\x2d1, then systemctl stop mqos
#       the instance removes its qdisc only; mqos.service flushes the rules
#       and its instances (PartOf=) remove their qdiscs
#   the typo still there; systemctl start mqos@wan0
#       the qdisc is there, mqos.service failed, status names the bad word
#   ip link del lan-1 under a running mqos@lan\x2d1
#       the instance stops (BindsTo= the device)
#   apt purge mqosctl mqos-dkms, mqos@wan0 enabled and running
#       the units are stopped (the qdisc is gone), their files and the
#       operator's enablement links are gone, systemd knows them no more
. "$(dirname "$0")/lib.sh"

ktap_plan 13
require_root
if [ "${MQOS_IN_VM:-0}" != 1 ] && [ "${MQOS_INSTALL_TEST:-0}" != 1 ]; then
	ktap_skip_rest "installs into /: runs in the vm-run overlay, or set MQOS_INSTALL_TEST=1"
fi
require_cmd apt-get dpkg dkms tc ip systemctl

. "$SELFTESTS_DIR/deb_lib.sh"
WAN=wan0
LAN=lan-1
LAN_UNIT='mqos@lan\x2d1.service'
CONF=/etc/mqos/mqos.conf
EXAMPLE=/usr/share/doc/mqosctl/examples/gateway.conf

cleanup() {
	systemctl stop mqos.service "mqos@$WAN.service" "$LAN_UNIT" > /dev/null 2>&1
	systemctl disable "mqos@$WAN.service" "$LAN_UNIT" > /dev/null 2>&1
	ip link del "$WAN" 2>/dev/null
	ip link del "$LAN" 2>/dev/null
	rm -rf /etc/mqos
	mqos_unload 2>/dev/null
	deb_cleanup
}
trap cleanup EXIT

# state UNIT: its ActiveState (active, inactive, failed, ...).
state() { systemctl show -p ActiveState --value "$1" 2>/dev/null; }
has_mqos() { tc qdisc show dev "$1" root 2>/dev/null | grep -q '^qdisc mqos 1: root'; }
saved() { /usr/sbin/mqosctl save 2>&1; }
# write_conf WAN_RATE [EXTRA_LINE]: the example, for wan0, with lan-1's rate.
write_conf() {
	mkdir -p /etc/mqos
	{
		sed -e "s/\<g1\>/$WAN/g" -e "s/^dev set $WAN rate [^ ]*/dev set $WAN rate $1/" "$EXAMPLE"
		echo "dev set $LAN rate 50mbit overhead 0"
		[ -z "${2:-}" ] || echo "$2"
	} > "$CONF.new" && mv "$CONF.new" "$CONF"
}
# units_log: what systemctl status says of the units, as a diagnostic.
units_log() {
	systemctl status --no-pager -n 8 mqos.service "mqos@$WAN.service" "$LAN_UNIT" 2>&1 |
		sed 's/^/# /'
}

# --- under systemd, the packages ----------------------------------------------
if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ ! -d /run/systemd/system ]; then
	ktap_skip_rest "PID 1 is not systemd: run it under scripts/vm-run --systemd"
fi
deb_pick_packages
if [ -z "$dkms_deb" ] || [ -z "$ctl_deb" ]; then
	ktap_skip_rest "no packages of version $version for $kver in $DEBDIR: run tests/deb_build.sh"
fi
ktap_ok "systemd $(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p') is PID 1; packages ${dkms_deb#"$DEBDIR"/} ${ctl_deb#"$DEBDIR"/}"
if [ ! -e "/usr/src/linux-headers-$kver/Makefile" ]; then
	ktap_skip_rest "no headers for $kver (scripts/setup.sh)"
fi
if deb_installed || [ -e /var/lib/dkms/mqos ] || [ -e /etc/mqos ]; then
	ktap_skip_rest "mqosctl / mqos-dkms or /etc/mqos already here: not touching them"
fi

mqos_unload 2>/dev/null
if ! deb_prepare_vm veth; then
	ktap_skip_rest "small module tree for depmod failed"
fi
if deb_apt_install &&
	[ "$(systemctl show -p LoadState --value mqos.service)" = loaded ] &&
	[ "$(systemctl show -p LoadState --value "mqos@$WAN.service")" = loaded ]; then
	ktap_ok "apt install (${t_install} s); systemd loads mqos.service and mqos@$WAN.service"
else
	show_log "$log" 40
	systemctl status --no-pager mqos.service "mqos@$WAN.service" 2>&1 | sed 's/^/# /'
	ktap_fail "apt install; systemd loads mqos.service and mqos@$WAN.service"
	ktap_skip_rest "not installed"
fi

# --- enable --now: qdiscs, then the file -----------------------------------------
ip link add "$WAN" type veth peer name "${WAN}p" &&
	ip link add "$LAN" type veth peer name "${LAN}p" &&
	ip link set "$WAN" up && ip link set "$LAN" up
write_conf 18mbit
t0=$SECONDS
# mqos.service, ordered after the instances, is not waited for by systemctl.
if systemctl enable --now "mqos@$WAN.service" "$LAN_UNIT" > "$log" 2>&1 &&
	wait_for 300 eval '[ "$(state mqos.service)" = active ]' &&
	[ "$(state "mqos@$WAN.service")" = active ] && [ "$(state "$LAN_UNIT")" = active ] &&
	has_mqos "$WAN" && has_mqos "$LAN"; then
	ktap_ok "systemctl enable --now mqos@$WAN $LAN_UNIT: three units active, qdisc mqos on both ($((SECONDS - t0)) s)"
else
	show_log
	units_log
	ktap_fail "systemctl enable --now mqos@$WAN $LAN_UNIT: three units active, qdisc mqos on both"
fi

s=$(saved)
if grep -q "^dev set $WAN rate 18mbit" <<< "$s" && grep -q "^dev set $LAN rate 50mbit" <<< "$s" &&
	grep -q '^rule default device' <<< "$s" && [ "$(grep -c '^rule add pref 80 ' <<< "$s")" = 1 ] &&
	/usr/sbin/mqosctl class show "$WAN" 2>&1 | grep -q realtime; then
	ktap_ok "$CONF in the kernel: rates of $WAN and $LAN, classes, rule default, rules"
else
	printf '%s\n' "$s" | sed 's/^/# save: /'
	ktap_fail "$CONF in the kernel: rates of $WAN and $LAN, classes, rule default, rules"
fi

# --- reload after an edit ----------------------------------------------------------
write_conf 9mbit "rule add pref 90 match proto udp dport 5683 class 3"
if systemctl reload mqos.service > "$log" 2>&1; then rc=0; else rc=$?; fi
s=$(saved)
if [ $rc = 0 ] && [ "$(state mqos.service)" = active ] &&
	grep -q "^dev set $WAN rate 9mbit" <<< "$s" && grep -q '^rule add pref 90 ' <<< "$s" &&
	[ "$(grep -c '^rule add pref 80 ' <<< "$s")" = 1 ]; then
	ktap_ok "edit, systemctl reload mqos: $WAN at 9mbit, rule pref 90 added, pref 80 once"
else
	show_log
	printf '%s\n' "$s" | sed 's/^/# save: /'
	ktap_fail "edit, systemctl reload mqos (exit $rc): $WAN at 9mbit, rule pref 90 added, pref 80 once"
fi

# A new qdisc on lan-1 starts with the defaults; the instance has the file
# re-applied (--no-block: wait for it).
if systemctl restart "$LAN_UNIT" > "$log" 2>&1 &&
	wait_for 100 eval 'saved | grep -q "^dev set $LAN rate 50mbit"' &&
	[ "$(state mqos.service)" = active ]; then
	ktap_ok "systemctl restart $LAN_UNIT: the new qdisc gets the file's rate again (mqos.service reloaded)"
else
	show_log
	saved | grep "^dev set" | sed 's/^/# save: /'
	units_log
	ktap_fail "systemctl restart $LAN_UNIT: the new qdisc gets the file's rate again (mqos.service reloaded)"
fi

# --- a bad file ------------------------------------------------------------------------
write_conf 9mbit "class set $WAN 3 name assured rate 5mbitt"
before=$(saved)
if systemctl reload mqos.service > "$log" 2>&1; then rc=0; else rc=$?; fi
st=$(systemctl status --no-pager -n 20 mqos.service 2>&1)
if [ $rc != 0 ] && [ "$(saved)" = "$before" ] && [ "$(state mqos.service)" = active ] &&
	grep -q "5mbitt" <<< "$st"; then
	ktap_ok "a typo, systemctl reload mqos: fails (exit $rc), nothing changed, status names '5mbitt'"
	grep -m1 "5mbitt" <<< "$st" | sed 's/^/# status: /'
else
	show_log
	printf '%s\n' "$st" | sed 's/^/# status: /'
	ktap_fail "a typo, systemctl reload mqos: fails (exit $rc), nothing changed, status names '5mbitt'"
fi

# --- stop ------------------------------------------------------------------------------
if systemctl stop "$LAN_UNIT" > "$log" 2>&1 && [ "$(state "$LAN_UNIT")" = inactive ] &&
	! has_mqos "$LAN" && has_mqos "$WAN" && [ "$(state mqos.service)" = active ] &&
	saved | grep -q '^rule add pref 80 '; then
	ktap_ok "systemctl stop $LAN_UNIT: its qdisc gone; $WAN's qdisc and the rules stay"
else
	show_log
	units_log
	ktap_fail "systemctl stop $LAN_UNIT: its qdisc gone; $WAN's qdisc and the rules stay"
fi

if systemctl stop mqos.service > "$log" 2>&1 && [ "$(state mqos.service)" = inactive ] &&
	[ "$(state "mqos@$WAN.service")" = inactive ] && ! has_mqos "$WAN" &&
	! saved | grep -q '^rule add'; then
	ktap_ok "systemctl stop mqos: rules flushed, mqos@$WAN stopped with it, its qdisc gone"
else
	show_log
	saved | sed 's/^/# save: /'
	units_log
	ktap_fail "systemctl stop mqos: rules flushed, mqos@$WAN stopped with it, its qdisc gone"
fi

# --- start with the bad file -----------------------------------------------------------
systemctl start "mqos@$WAN.service" > "$log" 2>&1
wait_for 300 eval '[ "$(state mqos.service)" = failed ]'
st=$(systemctl status --no-pager -n 20 mqos.service 2>&1)
st_rc=$(systemctl status mqos.service > /dev/null 2>&1; echo $?)
if [ "$(state "mqos@$WAN.service")" = active ] && has_mqos "$WAN" &&
	[ "$(state mqos.service)" = failed ] && [ "$st_rc" = 3 ] &&
	grep -q "Failed with result 'exit-code'" <<< "$st" && grep -q "5mbitt" <<< "$st"; then
	ktap_ok "the typo, systemctl start mqos@$WAN: qdisc on, mqos.service failed, status names '5mbitt'"
	grep -m1 "5mbitt" <<< "$st" | sed 's/^/# status: /'
else
	show_log
	printf '%s\n' "$st" | sed 's/^/# status: /'
	ktap_fail "the typo, systemctl start mqos@$WAN: qdisc on, mqos.service failed, status names '5mbitt' (status exit $st_rc)"
fi

# --- the device goes away --------------------------------------------------------------
write_conf 9mbit
systemctl reset-failed mqos.service
systemctl start "$LAN_UNIT" > "$log" 2>&1
if [ "$(state "$LAN_UNIT")" = active ] && has_mqos "$LAN" && ip link del "$LAN" &&
	wait_for 100 eval '[ "$(state "$LAN_UNIT")" = inactive ]'; then
	ktap_ok "ip link del $LAN: $LAN_UNIT stops (BindsTo= the device)"
else
	show_log
	units_log
	ktap_fail "ip link del $LAN: $LAN_UNIT stops (BindsTo= the device)"
fi

# --- purge, mqos@wan0 enabled and running ----------------------------------------------
systemctl start mqos.service > "$log" 2>&1
diag "before purge: mqos.service $(state mqos.service), mqos@$WAN $(state "mqos@$WAN.service")"
if timed t_purge "${apt[@]}" purge mqosctl mqos-dkms; then
	ktap_ok "apt purge mqosctl mqos-dkms (${t_purge} s)"
else
	show_log "$log" 40
	ktap_fail "apt purge mqosctl mqos-dkms"
fi
left=$(ls -d /lib/systemd/system/mqos@.service /lib/systemd/system/mqos.service \
	/etc/systemd/system/*.wants/mqos* 2>/dev/null)
has_mqos "$WAN" && left+=" (qdisc mqos on $WAN)"
for u in mqos.service "mqos@$WAN.service"; do
	ls=$(systemctl show -p LoadState,ActiveState --value "$u" | tr '\n' ' ')
	[ "$ls" = "not-found inactive " ] || left+=" $u: $ls"
done
[ -z "$left" ] || diag "left: $left"
ktap_result "units stopped (no qdisc on $WAN), unit files and enablement links gone, systemd: not-found, inactive" \
	"$([ -z "$left" ]; echo $?)"

ktap_finish
