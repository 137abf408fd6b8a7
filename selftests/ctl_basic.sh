#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control plane: mqosctl over the "mqos" generic netlink family and
# /proc/net/mqos. Round trip set -> show -> save -> flush -> load; bad
# input rejected with a message and nothing changed; a raw netlink client
# with malformed attributes; unprivileged reads allowed, writes EPERM; two
# namespaces with independent rules; counters that agree between
# `mqosctl stats -j`, /proc/net/mqos/classes and `tc -s class show`;
# rules that refine the default map (rule default map|class|device, and
# a format-1 file keeping its meaning); load --confirm rolling back unless
# confirmed; the JSON schema. (Every command under valgrind:
# ctl_valgrind.sh; the command line without the module: userspace/
# test_batch.sh.)
. "$(dirname "$0")/lib.sh"

ktap_plan 23
require_root
require_cmd tc ip ping python3
CTL=$REPO_DIR/userspace/mqosctl
TMP=$(mktemp -d)
chmod 755 "$TMP"	# the unprivileged user reads a.conf
cleanup() { topo_cleanup; ip netns del mqos_ctl_b 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
n_gw tc qdisc add dev g1 root handle 1: mqos
ctl() { n_gw "$CTL" "$@"; }

# 1. Round trip.
ctl dev set g1 rate 50mbit overhead 18 default 4 &&
ctl class set g1 6 name video prio 3 rate 2mbit ceil 50% police 1mbit 15k demote 5 dscp AF41 &&
ctl class set g1 video prio 2 &&	# by the class's name
ctl rule add pref 10 match dscp CS6,CS7 class 1 &&
ctl rule add match mqtt-qos 2 mqtt-topic "alarm/" proto tcp dport 1883 class 2 &&
ctl rule add match src 192.0.2.0/24 mqttsn-qos -1,2 class 3
ktap_result "dev set, class set (by id and by name), rule add" $?
ctl save > "$TMP/a.conf"; chmod 644 "$TMP/a.conf"; ctl class show > "$TMP/a.cls"; ctl rule show > "$TMP/a.rules"
ctl rule flush && [ "$(ctl rule show)" = "default map" ]
ktap_result "rule flush empties the table" $?
ctl load "$TMP/a.conf"
ctl save > "$TMP/b.conf"; ctl class show > "$TMP/b.cls"; ctl rule show > "$TMP/b.rules"
cmp -s "$TMP/a.conf" "$TMP/b.conf" && cmp -s "$TMP/a.cls" "$TMP/b.cls" &&
	cmp -s "$TMP/a.rules" "$TMP/b.rules"
ktap_result "save -> flush -> load -> save/show identical" $?
# A file without rule lines means no rules (an empty MQOS_A_RULES, which
# libnl would drop if mqosctl built it as a nest).
grep -v '^rule ' "$TMP/a.conf" > "$TMP/norules.conf"
ctl load "$TMP/norules.conf" && [ "$(ctl rule show)" = "default map" ] && ctl load "$TMP/a.conf" &&
	ctl rule show | cmp -s - "$TMP/a.rules"
ktap_result "load of a file without rule lines empties the rule table" $?

# 2. Bad input: a message naming the word, exit 2 (usage) or 1 (kernel),
# and the configuration unchanged.
bad() {	# EXPECTED_EXIT PATTERN ARGS...
	local want=$1 pat=$2 out rc
	shift 2
	out=$(ctl "$@" 2>&1); rc=$?
	[ "$rc" = "$want" ] && echo "$out" | grep -q -- "$pat" ||
		{ diag "mqosctl $* -> $rc: $out"; return 1; }
}
printf 'dev set g1 rate 1mbit\n' > "$TMP/bad17.conf"
for i in $(seq 2 16); do echo "# line $i" >> "$TMP/bad17.conf"; done
echo "class set g1 3 police 1mbit 10" >> "$TMP/bad17.conf"
printf 'rule add pref 7 match dscp EF class 2\nrule add pref 7 match dscp CS5 class 2\n' > "$TMP/dup.conf"
ok=0
bad 2 "'bogus': unknown keyword" class set g1 3 bogus 1 || ok=1
bad 2 "rate: 'fast' is not a rate" dev set g1 rate fast || ok=1
bad 2 "dscp: '64' is not a DSCP" class set g1 3 dscp 64 || ok=1
bad 2 "'0': not a class" class set g1 0 prio 1 || ok=1
bad 2 "'17': not a class" rule add match dscp EF class 17 || ok=1
bad 1 "pref exists" rule add pref 10 match dscp EF class 2 || ok=1
bad 2 "longer than 64" rule add match mqtt-topic "$(printf 't%.0s' $(seq 65))" class 2 || ok=1
bad 1 "line 17" load "$TMP/bad17.conf" || ok=1
bad 2 "duplicate pref" load "$TMP/dup.conf" || ok=1
bad 1 "no mqos qdisc" class set g0 1 prio 1 || ok=1
bad 2 "'nosuch': g1 has no class of that name" class set g1 nosuch prio 1 || ok=1
ktap_result "bad input rejected with a message naming the word" $ok
ctl save > "$TMP/c.conf"
cmp -s "$TMP/a.conf" "$TMP/c.conf"
ktap_result "configuration unchanged after the rejected commands" $?

# 3. A raw netlink client: malformed attributes -> EINVAL with extack.
out=$(n_gw python3 "$SELFTESTS_DIR/ctl_rawnl.py" 2>&1)
diag "$out"
n=$(echo "$out" | grep -cE '^[a-z]+ errno 22 msg .+|^toolong errno 34 msg .+')
ktap_result "truncated/oversized/overrun/unknown attributes: EINVAL + extack ($n/5)" \
	$([ "$n" = 5 ]; echo $?)

# 4. Unprivileged: reads work, writes fail with EPERM and change nothing.
unpriv() { n_gw setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
unpriv "$CTL" stats -j > /dev/null && unpriv cat /proc/net/mqos/classes /proc/net/mqos/rules > /dev/null &&
	unpriv "$CTL" rule show > /dev/null
ktap_result "unprivileged user reads stats, rules and /proc" $?
ok=0
for cmd in "rule flush" "rule add match dscp EF class 2" "class set g1 3 prio 5" \
	   "dev set g1 rate 1mbit" "stats --reset" "load $TMP/a.conf"; do
	out=$(unpriv "$CTL" $cmd 2>&1) && { ok=1; diag "$cmd succeeded"; }
	echo "$out" | grep -q "Operation not permitted" || { ok=1; diag "$cmd: $out"; }
done
ctl save > "$TMP/d.conf"
cmp -s "$TMP/a.conf" "$TMP/d.conf" || ok=1
ktap_result "unprivileged writes fail with EPERM, nothing changed" $ok

# 5. Two namespaces: independent rules.
ip netns add mqos_ctl_b
ip netns exec mqos_ctl_b "$CTL" rule add pref 99 match dscp LE class 5 &&
[ "$(ip netns exec mqos_ctl_b "$CTL" rule show | grep -c '^pref ')" = 1 ] &&
[ "$(ctl rule show | grep -c '^pref ')" = 3 ] && ! ctl rule show | grep -q "pref 99"
ktap_result "two namespaces have independent rule tables" $?
ip netns del mqos_ctl_b

# 6. Counters agree after traffic: mqosctl stats -j, /proc, tc -s class.
ctl rule flush
ctl stats --reset
for tos in 0x00 0xb8 0xc0; do
	n_snd ping -q -c 10 -i 0.01 -Q $tos "$RCV_IP" > /dev/null 2>&1
done
json=$(ctl stats -j g1)
ok=0
for c in 1 2 3 4 5 6; do
	j=$(echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print([k['sent_packets'] for k in d['devices'][0]['classes'] if k['class']==$c][0])")
	p=$(n_gw awk -v c=$c '$1 == "g1" && $2 == c { print $5 }' /proc/net/mqos/classes)
	t=$(n_gw tc -s class show dev g1 classid 1:$c | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p')
	[ -n "$j" ] && [ "$j" = "$p" ] && [ "$p" = "$t" ] || { ok=1; diag "class $c: json $j proc $p tc $t"; }
done
ktap_result "per-class packets agree: stats -j, /proc/net/mqos/classes, tc -s class" $ok
echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); c=[k for k in d['devices'][0]['classes'] if k['class']==2][0]; sys.exit(0 if c['sent_packets'] >= 10 and c['delay']['p99_ns'] >= c['delay']['p50_ns'] else 1)"
ktap_result "EF pings counted in realtime, with delay percentiles" $?

# 7. Rules refine the default map. Class packets after 5 pings per TOS.
sent() {	# CLASS -> sent_packets of g1's class
	ctl stats -j g1 | python3 -c "import json,sys; d=json.load(sys.stdin); print([k['sent_packets'] for k in d['devices'][0]['classes'] if k['class']==$1][0])"
}
pings() { n_snd ping -q -c 5 -i 0.01 -Q "$1" "$RCV_IP" > /dev/null 2>&1; }
# TOS -> CLASS the 5 pings must add to (and no other class counted them)
expect() {
	local tos=$1 cls=$2 before after
	before=$(sent "$cls"); pings "$tos"; after=$(sent "$cls")
	[ $((after - before)) -ge 5 ] || { diag "tos $tos: class $cls $before -> $after"; return 1; }
}
ctl rule flush && ctl dev set g1 default 4 &&
	ctl rule add pref 10 match dscp EF class 5 && ctl stats --reset
ok=0
expect 0xb8 5 || ok=1		# the rule
expect 0x00 4 || ok=1		# no rule: the map (CS0 -> best-effort)
expect 0xc0 1 || ok=1		# no rule: the map (CS6 -> control)
[ "$(ctl rule show | tail -n 1)" = "default map" ] || ok=1
ktap_result "rule default map: a packet no rule matches is classified by the default map" $ok
ok=0
ctl rule default class 3 || ok=1
expect 0x00 3 || ok=1
expect 0xc0 3 || ok=1
expect 0xb8 5 || ok=1
[ "$(ctl rule show | tail -n 1)" = "default class 3" ] || ok=1
ctl save | grep -qx "rule default class 3" || ok=1
ctl rule show -j | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(not (d['default'] == 'class' and d['default_class'] == 3 and d['rules'][0]['match'] == {'dscp': [46]}))" || ok=1
ktap_result "rule default class 3: shown, saved, in rule show -j" $ok
ok=0
ctl rule def dev && ctl dev set g1 default 2 || ok=1
expect 0x00 2 || ok=1
[ "$(ctl rule show | tail -n 1)" = "default device" ] || ok=1
ctl dev set g1 default 4
ctl rule flush
[ "$(ctl rule show)" = "default device" ] || ok=1	# flush keeps it
ctl rule default map
ktap_result "rule default device: the qdisc's default class; rule flush keeps the setting" $ok
# A file of format 1 (before rule default) keeps its meaning: with rules,
# what no rule matched went to the device's default class.
printf 'rule add pref 10 match dscp EF class 5\n' > "$TMP/f1.conf"
printf 'format 2\nrule add pref 10 match dscp EF class 5\n' > "$TMP/f2.conf"
printf 'format 1\n' > "$TMP/f1empty.conf"
ctl load "$TMP/f1.conf" && [ "$(ctl rule show | tail -n 1)" = "default device" ] &&
	ctl load "$TMP/f2.conf" && [ "$(ctl rule show | tail -n 1)" = "default map" ] &&
	ctl load "$TMP/f1.conf" && ctl load "$TMP/f1empty.conf" &&
	[ "$(ctl rule show)" = "default map" ] &&
	ctl load --check "$TMP/f2.conf" && [ "$(ctl rule show)" = "default map" ]
ktap_result "format 1 file with rules: default device; format 2: map; load --check changes nothing" $?

# 8. load --confirm: back to the previous configuration unless confirmed.
export MQOS_RUN_DIR=$TMP/run
printf 'format 2\nrule add pref 50 match dscp EF class 5\n' > "$TMP/new.conf"
ok=0
ctl rule add pref 7 match dscp CS1 class 5 || ok=1
before=$(ctl save)
# 8 s: long enough that the second load below still finds the timer
# pending on the debug kernel (the first load alone took over 2 s there).
ctl load --confirm 8 "$TMP/new.conf" 2> "$TMP/confirm.err" || ok=1
grep -q "mqosctl confirm" "$TMP/confirm.err" || ok=1
ctl rule show | grep -q "^pref 50 " || ok=1
out=$(ctl load --confirm 5 "$TMP/new.conf" 2>&1) && ok=1
echo "$out" | grep -q "pending" || { ok=1; diag "second load --confirm: $out"; }
for i in $(seq 80); do
	ctl rule show | grep -q "^pref 50 " || break
	sleep 0.5
done
[ "$(ctl save)" = "$before" ] || { ok=1; diag "not rolled back: $(ctl rule show)"; }
[ ! -e "$MQOS_RUN_DIR/confirm.pid" ] || ok=1
ktap_result "load --confirm 8 without confirm: a second load is refused while pending; the previous configuration is back" $ok
ok=0
ctl load --confirm 60 "$TMP/new.conf" 2> /dev/null || ok=1
pid=$(cat "$MQOS_RUN_DIR/confirm.pid")
ctl confirm || ok=1
sleep 0.5
kill -0 "$pid" 2> /dev/null && { ok=1; diag "rollback process $pid still there"; }
ctl rule show | grep -q "^pref 50 " || ok=1
out=$(ctl confirm 2>&1) && ok=1
echo "$out" | grep -q "nothing to confirm" || ok=1
ktap_result "load --confirm then confirm: kept, the timer gone, a second confirm has nothing to do" $ok
unset MQOS_RUN_DIR
ctl rule flush

# 9. The JSON schema: units in key names, structured selectors, -p, and
# nothing on stdout when a command fails.
ctl class set g1 3 police rate 1mbit burst 15k demote 5 &&
ctl rule add pref 20 match dscp AF41,EF mqtt-qos 1,2 sport 1000-2000 src 192.0.2.0/24 class 2 &&
ctl stats -j > "$TMP/s.json" && ctl class show g1 -j > "$TMP/c.json" &&
ctl dev show g1 -p > "$TMP/d.json" && ctl rule show -j > "$TMP/r.json" &&
python3 - "$TMP" <<'EOF_PY'
import json, sys
t = sys.argv[1]
s = json.load(open(t + "/s.json")); c = json.load(open(t + "/c.json"))
d = json.load(open(t + "/d.json")); r = json.load(open(t + "/r.json"))
dev = s["devices"][0]
assert dev["rate_bps"] == 50000000, dev["rate_bps"]
assert "backlog_packets" in dev and "malformed_packets" in s
k = dev["classes"][0]
assert set(k["delay"]) >= {"count", "min_ns", "p50_ns", "p99_ns", "max_ns", "jitter_ns", "hist"}
assert isinstance(k["rate_bps"], int)
c3 = [x for x in c if x["class"] == 3][0]
assert c3["police"] == {"rate_bps": 1000000, "burst_bytes": 15360, "demote_class": 5}, c3["police"]
assert c3["aqm_target_ns"] % 1000 == 0 and "remark_dscp" in c3 and "dscp" not in c3
c4 = [x for x in c if x["class"] == 4][0]
assert c4["police"] is None and c4["remark_dscp"] is None
assert d[0]["rate_bps"] == 50000000 and d[0]["default_class"] == 4
assert c3["flows"] == 1024 and d[0]["isolation"] == "dual-srchost", (c3, d[0])
assert d[0]["memory_limit_bytes"] == 4 << 20, d[0]
assert k["flows"]["queues"] == 1024, k["flows"]
m = r["rules"][0]["match"]
assert m == {"dscp": [34, 46], "mqtt_qos": [1, 2], "sport": {"min": 1000, "max": 2000},
             "src": "192.0.2.0/24"}, m
assert r["rules"][0]["rule"].startswith("pref 20 match dscp")
assert s["rules"][0]["match"] == m
EOF_PY
ktap_result "JSON: units in key names, police and selectors as objects" $?
ok=0
[ "$(wc -l < "$TMP/d.json")" -gt 3 ] || ok=1		# -p: indented
out=$(ctl class show nosuch0 -j 2> "$TMP/e.err"); rc=$?
[ $rc = 1 ] && [ -z "$out" ] && [ "$(wc -l < "$TMP/e.err")" = 1 ] || { ok=1; diag "class show nosuch0 -j: $rc '$out'"; }
out=$(ctl stats -j nosuch0 2> /dev/null); [ -z "$out" ] || ok=1
ktap_result "-p indents; a failing -j command prints nothing on stdout, one line on stderr" $ok
ctl rule flush
# --watch into a file: samples, no terminal escapes.
n_gw timeout 5 "$CTL" stats g1 --watch 1 > "$TMP/watch.txt"
n=$(grep -c '^dev g1 ' "$TMP/watch.txt")
! grep -q $'\033' "$TMP/watch.txt" && [ "$n" -ge 1 ]
ktap_result "stats --watch into a file: $n samples, no screen escapes" $?
out=$(unpriv "$CTL" rule flush 2>&1)
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "CAP_NET_ADMIN"
ktap_result "permission denied: one line naming CAP_NET_ADMIN ('$out')" $?

n_gw tc qdisc del dev g1 root
ktap_check "usage: --help and exit codes" bash -c \
	"'$CTL' --help | grep -q 'rule add' && '$CTL' help rule | grep -q 'rule default' && '$CTL' --version | grep -q mqosctl && { '$CTL' frob; [ \$? = 2 ]; }"
ktap_finish
