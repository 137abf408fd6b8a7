#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The downlink from the configuration file: `ingress add DEV rate R [ifb
# NAME]` lines in what `mqosctl load` reads and `mqosctl save` writes. A
# load makes the set-up (the ifb, its mqos qdisc configured by the file's
# lines for it, DEV's ingress qdisc with connmark + mirred redirect), keeps
# one already in place, and removes one the file no longer states; save ->
# load changes nothing; a bad line is refused with its word and line and
# changes nothing (also when only the kernel can judge the new ifb's
# classes); `ingress flush` (systemctl stop mqos) removes every set-up;
# mqos.service's own commands make the downlink from the file and remove it.
#
#   sender s0 -- g0 [gateway] g1 -- r0 receiver;  g1's downlink -> ifb-g1
. "$(dirname "$0")/lib.sh"

ktap_plan 17
require_root
require_cmd tc ip ping

CTL=$REPO_DIR/userspace/mqosctl
[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
[ -e "$REPO_DIR/tc/q_mqos.so" ] || ktap_skip_rest "tc/q_mqos.so not built (make -C tc)"
export TC_LIB_DIR=$REPO_DIR/tc
IFB=ifb-g1
TMP=$(mktemp -d)
cleanup() {
	topo_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mqos_load || ktap_skip_rest "cannot load mqos.ko"
# What the set-up is made of.
require_modules ifb act_connmark act_mirred cls_matchall sch_ingress
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc replace dev g1 root handle 1: mqos || ktap_skip_rest "no mqos qdisc on g1"

ctl() { n_gw "$CTL" "$@"; }
# Everything a load could change in the gateway: links (with their
# indexes: a remade ifb gets a new one), qdiscs, ingress filters, classes.
state() {
	local d
	n_gw ip -o link show
	n_gw tc qdisc show
	for d in g0 g1; do
		n_gw tc filter show dev $d ingress
	done
	for d in $(n_gw ip -o link show type ifb | awk -F': ' '{print $2}'); do
		n_gw tc class show dev "$d"
	done
	ctl rule show
}
no_setup() {
	[ -z "$(n_gw ip -o link show type ifb)" ] &&
		! n_gw tc qdisc show dev g1 | grep -q "^qdisc ingress" &&
		[ -z "$(n_gw tc filter show dev g1 ingress)" ]
}
ifindex() { n_gw cat "/sys/class/net/$1/ifindex" 2>/dev/null; }

# 1: a gateway's file: the uplink, the downlink and the ifb's classes.
cat > "$TMP/gw.conf" <<EOF
format 2
dev set g1 rate 10mbit
# the downlink of g1, shaped on $IFB
ingress add g1 rate 20mbit
# its classes (those given replace the ifb's: class 2 and the default)
dev set $IFB default 4
class set $IFB 2 name realtime prio 1 rate 5mbit ceil 20mbit
class set $IFB 4 name best-effort prio 3 rate 1mbit ceil 20mbit
rule add match dscp ef class 2
EOF
out=$(ctl load "$TMP/gw.conf" 2>&1)
rc=$?
q=$(n_gw tc qdisc show dev $IFB)
f=$(n_gw tc filter show dev g1 ingress)
c=$(echo "$q" | grep "class 2 ")
printf '%s\n' "$q" | sed 's/^/# ifb qdisc: /'
printf '%s\n' "$f" | sed 's/^/# filter: /'
ktap_result "load of 'ingress add g1 rate 20mbit': $IFB up with mqos 20Mbit in ingress mode, its class 2 from the file, g1's ingress qdisc redirects with connmark first ($rc $out)" \
	$([ $rc = 0 ] && n_gw ip -o link show $IFB | grep -q "UP" &&
	  echo "$q" | grep -q "^qdisc mqos 1: root .*bandwidth 20Mbit .*ingress" &&
	  echo "$c" | grep -q "rate 5Mbit ceil 20Mbit" &&
	  n_gw tc qdisc show dev g1 | grep -q "^qdisc mqos 1: root .*bandwidth 10Mbit" &&
	  echo "$f" | grep -q "matchall" && echo "$f" | grep -q "connmark" &&
	  echo "$f" | grep -q "Egress Redirect to device $IFB" &&
	  [ "$(echo "$f" | grep -n connmark | cut -d: -f1 | head -1)" -lt \
	    "$(echo "$f" | grep -n mirred | cut -d: -f1 | head -1)" ]; echo $?)

# 2: the downlink crosses the ifb.
p0=$(tc_stat "$NS_GW" $IFB qdisc "" pkts)
n_snd ping -c 3 -i 0.2 -W 2 $RCV_IP > /dev/null 2>&1
prc=$?
p1=$(tc_stat "$NS_GW" $IFB qdisc "" pkts)
ktap_result "ping sender -> receiver: the replies cross $IFB's mqos ($p0 -> $p1 packets)" \
	$([ $prc = 0 ] && [ $((p1 - p0)) -ge 3 ]; echo $?)

# 3: save states it before the ifb's dev set line.
ctl save > "$TMP/saved.conf"
src=$?
sed 's/^/# saved: /' "$TMP/saved.conf" | grep -E "ingress|$IFB" | head -4
il=$(grep -n "^ingress add g1 rate 20mbit ifb $IFB\$" "$TMP/saved.conf" | cut -d: -f1)
dl=$(grep -n "^dev set $IFB .*rate 20mbit .*ingress on" "$TMP/saved.conf" | cut -d: -f1)
ktap_result "save: 'ingress add g1 rate 20mbit ifb $IFB' (line ${il:-none}), before 'dev set $IFB ... ingress on' (line ${dl:-none})" \
	$([ $src = 0 ] && [ -n "$il" ] && [ -n "$dl" ] && [ "$il" -lt "$dl" ] &&
	  [ "$(grep -c '^ingress ' "$TMP/saved.conf")" = 1 ]; echo $?)

# 4: save -> load is a no-op: same ifb (same index), same qdiscs, filter,
# classes; and save prints the same file again.
before=$(state)
out=$(ctl load "$TMP/saved.conf" 2>&1)
rc=$?
after=$(state)
ctl save > "$TMP/saved2.conf"
diff <(echo "$before") <(echo "$after") | head -10 | sed 's/^/# diff: /'
ktap_result "load of the saved file changes nothing (ifb $IFB kept, index $(ifindex $IFB)) and saves the same file ($rc $out)" \
	$([ $rc = 0 ] && [ "$before" = "$after" ] &&
	  cmp -s "$TMP/saved.conf" "$TMP/saved2.conf"; echo $?)

# 5: a new rate: the set-up is kept, its qdisc changed.
idx=$(ifindex $IFB)
sed 's/^ingress add g1 rate 20mbit/ingress add g1 rate 8mbit/' "$TMP/gw.conf" > "$TMP/rate.conf"
out=$(ctl load "$TMP/rate.conf" 2>&1)
rc=$?
ktap_result "reload with rate 8mbit: $IFB kept (index $idx -> $(ifindex $IFB)), its qdisc at 8Mbit, class 2 as the file says ($rc $out)" \
	$([ $rc = 0 ] && [ "$(ifindex $IFB)" = "$idx" ] &&
	  n_gw tc qdisc show dev $IFB | grep -q "bandwidth 8Mbit .*ingress" &&
	  n_gw tc qdisc show dev $IFB | grep -q "class 2 .*rate 5Mbit"; echo $?)

# 6: bad lines are refused, each naming its word and line, and nothing
# changes. The set-up of 1 is in place; each file would also change it.
ctl load "$TMP/gw.conf"
n_gw tc qdisc add dev g0 handle ffff: ingress
n_gw ip link add d9 type dummy
before=$(state)
bad() {	# bad NAME LINE: a file of format 2, then LINE; its output in E_NAME
	printf 'format 2\ningress add g1 rate 9mbit\n%s\n' "$2" > "$TMP/bad-$1.conf"
	eval "E_$1=\$(ctl load \"\$TMP/bad-$1.conf\" 2>&1)"
	eval "R_$1=\$?"
}
bad rate "ingress add g0 rate fast"
bad dev "ingress add nosuch0 rate 1mbit"
bad word "ingress add g0 rate 1mbit via ifb0"
bad twice "ingress add g1 rate 1mbit ifb ifb-x"
bad exists "ingress add g0 rate 1mbit ifb d9"
bad foreign "ingress add g0 rate 1mbit"
printf 'format 2\ndev set %s rate 1mbit\n' $IFB > "$TMP/gone.conf"
E_gone=$(ctl load "$TMP/gone.conf" 2>&1)
R_gone=$?
after=$(state)
for w in rate dev word twice exists foreign gone; do
	eval "diag \"$w: exit \$R_$w: \$E_$w\""
done
ktap_result "refused with the line and the word: a bad rate, no such device, a bad word, a device's second set-up" \
	$([ "$R_rate" = 2 ] && echo "$E_rate" | grep -q "line 3: rate: 'fast' is not a rate" &&
	  [ "$R_dev" = 2 ] && echo "$E_dev" | grep -q "line 3: 'nosuch0': no such device" &&
	  [ "$R_word" = 2 ] && echo "$E_word" | grep -q "line 3: 'via': unknown keyword" &&
	  [ "$R_twice" = 2 ] && echo "$E_twice" | grep -q "line 3: ingress add g1: g1 is in another set-up too (line 2"; echo $?)
ktap_result "refused: an ifb name taken by another device, a device with an ingress qdisc of its own, a line for the ifb of a set-up the file drops" \
	$([ "$R_exists" = 2 ] && echo "$E_exists" | grep -q "line 3: 'd9': exists already and is not g0's ifb" &&
	  [ "$R_foreign" = 2 ] && echo "$E_foreign" | grep -q "line 3: 'g0': has an ingress qdisc that is not an mqos ingress set-up" &&
	  [ "$R_gone" = 2 ] && echo "$E_gone" | grep -q "line 2: '$IFB': the ifb of g1's ingress set-up, which this file removes"; echo $?)
diff <(echo "$before") <(echo "$after") | head -10 | sed 's/^/# diff: /'
ktap_result "after the refusals nothing changed (links, qdiscs, filters, classes, rules)" \
	$([ "$before" = "$after" ]; echo $?)
n_gw tc qdisc del dev g0 handle ffff: ingress

# 7: a new ifb's classes the kernel refuses: its ifb was made for the
# check and is gone again; nothing else changed.
printf 'format 2\ningress add g1 rate 20mbit\ningress add g0 rate 5mbit ifb down0\nclass set down0 4 rate 10mbit ceil 1mbit\n' > "$TMP/kbad.conf"
before=$(state)
out=$(ctl load "$TMP/kbad.conf" 2>&1)
rc=$?
after=$(state)
diag "exit $rc: $out"
ktap_result "a class of a new ifb the kernel refuses: exit 1, the line named, no down0 left, nothing changed" \
	$([ $rc = 1 ] && echo "$out" | grep -q "line 4" &&
	  [ -z "$(ifindex down0)" ] && [ "$before" = "$after" ]; echo $?)

# 8: load --check judges the lines and makes nothing.
printf 'format 2\ningress add g0 rate 5mbit ifb down0\nclass set down0 4 rate 1mbit\n' > "$TMP/chk.conf"
before=$(state)
out=$(ctl load --check "$TMP/chk.conf" 2>&1)
rc=$?
out2=$(ctl load --check "$TMP/rate.conf" 2>&1)
rc2=$?
ktap_result "load --check of files with ingress lines: exit 0, nothing made or changed ($rc $out; $rc2 $out2)" \
	$([ $rc = 0 ] && [ $rc2 = 0 ] && [ -z "$out$out2" ] && [ -z "$(ifindex down0)" ] &&
	  [ "$before" = "$(state)" ]; echo $?)

# 9: another ifb name for g1: the old set-up goes, the new one comes.
sed "s/^ingress add g1 rate 20mbit\$/ingress add g1 rate 20mbit ifb down1/; s/$IFB/down1/" "$TMP/gw.conf" > "$TMP/ren.conf"
out=$(ctl load "$TMP/ren.conf" 2>&1)
rc=$?
f=$(n_gw tc filter show dev g1 ingress)
ktap_result "reload naming ifb down1: $IFB removed, down1 made with its class, g1 redirects to it ($rc $out)" \
	$([ $rc = 0 ] && [ -z "$(ifindex $IFB)" ] && [ -n "$(ifindex down1)" ] &&
	  echo "$f" | grep -q "Egress Redirect to device down1" &&
	  [ "$(echo "$f" | grep -c "Redirect")" = 1 ] &&
	  n_gw tc qdisc show dev down1 | grep -q "class 2 .*rate 5Mbit"; echo $?)

# 10: the file without the line: the set-up goes; the uplink stays.
grep -v "^ingress \|down1\|$IFB" "$TMP/ren.conf" > "$TMP/none.conf"
out=$(ctl load "$TMP/none.conf" 2>&1)
rc=$?
ktap_result "reload without the ingress line: no ifb, no ingress qdisc or filter on g1; g1's mqos kept ($rc $out)" \
	$([ $rc = 0 ] && no_setup &&
	  n_gw tc qdisc show dev g1 | grep -q "^qdisc mqos 1: root .*bandwidth 10Mbit"; echo $?)

# 11: a set-up made by the command is stated by save like any.
ctl load "$TMP/gw.conf"
ctl ingress add g0 rate 3mbit ifb up0
ctl save > "$TMP/saved3.conf"
ktap_result "after ingress add g0 rate 3mbit ifb up0 (the command), save states both set-ups" \
	$(grep -q "^ingress add g0 rate 3mbit ifb up0\$" "$TMP/saved3.conf" &&
	  grep -q "^ingress add g1 rate 20mbit ifb $IFB\$" "$TMP/saved3.conf"; echo $?)

# 12: ingress flush removes every set-up, and only those.
n_gw tc qdisc add dev d9 handle ffff: ingress
out=$(ctl ingress flush 2>&1)
rc=$?
ktap_result "ingress flush: both set-ups gone, d9's own ingress qdisc and g1's mqos stay ($rc $out)" \
	$([ $rc = 0 ] && no_setup && [ -z "$(ifindex up0)" ] &&
	  ! n_gw tc qdisc show dev g0 | grep -q "^qdisc ingress" &&
	  n_gw tc qdisc show dev d9 | grep -q "^qdisc ingress" &&
	  n_gw tc qdisc show dev g1 | grep -q "^qdisc mqos 1: root"; echo $?)
n_gw tc qdisc del dev d9 handle ffff: ingress

# 13-14: mqos.service as packaged: its ExecStart makes the downlink from
# the file, its ExecStop removes it (the commands of the unit file, run
# in the gateway's namespace, mqosctl and the file from here).
unit() {	# unit KEY: run the unit's KEY= lines; a leading '-' ignores failure
	local line ign argv
	while IFS= read -r line; do
		ign=0
		[[ $line == -* ]] && { ign=1; line=${line:1}; }
		line=${line//@SBINDIR@\/mqosctl/$CTL}
		line=${line//@SYSCONFDIR@/$TMP/etc}
		read -ra argv <<< "$line"
		n_gw "${argv[@]}" || [ $ign = 1 ] || return 1
	done <<< "$(sed -n "s/^$1=//p" "$REPO_DIR/packaging/mqos.service.in")"
}
mkdir -p "$TMP/etc/mqos"
cp "$TMP/gw.conf" "$TMP/etc/mqos/mqos.conf"
out=$(unit ExecStart 2>&1)
rc=$?
ktap_result "mqos.service ExecStart: the file's ingress line makes $IFB with its classes and g1's redirect ($rc $out)" \
	$([ $rc = 0 ] && n_gw tc qdisc show dev $IFB | grep -q "bandwidth 20Mbit .*ingress" &&
	  n_gw tc qdisc show dev $IFB | grep -q "class 2 .*rate 5Mbit" &&
	  n_gw tc filter show dev g1 ingress | grep -q "Egress Redirect to device $IFB"; echo $?)
out=$(unit ExecStop 2>&1)
rc=$?
ktap_result "mqos.service ExecStop: the rules and the ingress set-up are gone ($rc $out)" \
	$([ $rc = 0 ] && no_setup && [ -z "$(ctl rule show | grep pref)" ]; echo $?)

# 17: an ifb set to the line rate (dev set rate 0) saves as 'rate 0',
# and that file loads again.
ctl load "$TMP/gw.conf" && ctl dev set $IFB rate 0
ctl save > "$TMP/rate0.conf"
ctl ingress flush
out=$(ctl load "$TMP/rate0.conf" 2>&1)
rc=$?
ktap_result "save with the ifb at the line rate writes 'ingress add g1 rate 0 ifb $IFB', and load makes it again ($rc $out)" \
	$([ $rc = 0 ] && grep -q "^ingress add g1 rate 0 ifb $IFB\$" "$TMP/rate0.conf" &&
	  n_gw tc qdisc show dev $IFB | grep -q "bandwidth unlimited .*ingress" &&
	  n_gw tc filter show dev g1 ingress | grep -q "Egress Redirect to device $IFB"; echo $?)
ktap_finish
