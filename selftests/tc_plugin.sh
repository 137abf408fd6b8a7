#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tc/q_mqos.so with the distribution's own tc (Debian: iproute2 6.1),
# pointed at the built plugin with TC_LIB_DIR: qdisc options parsed and
# printed (text and -j), -s -j class statistics read back by python3, bad
# words refused before anything is sent (the word named, nothing changed),
# changes seen by `tc monitor`. Create with options, replace that creates,
# `tc class change` and `tc class del` need the kernel to accept them: the
# test SKIPs each with the kernel's reason while the kernel refuses it.
. "$(dirname "$0")/lib.sh"

ktap_plan 20
require_root
require_cmd tc ip nm python3 ping

PLUGIN_DIR=${MQOS_TC_LIB_DIR:-$REPO_DIR/tc}
[ -e "$PLUGIN_DIR/q_mqos.so" ] || ktap_skip_rest "tc/q_mqos.so not built (make -C tc)"
export TC_LIB_DIR=$PLUGIN_DIR
NS=mqs-tcp-$$
cleanup() {
	[ -n "${monpid:-}" ] && kill "$monpid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "${tmp:-/nonexistent}".*
}
trap cleanup EXIT
tmp=$(mktemp -u /tmp/tc_plugin.XXXXXX)
n() { ip netns exec "$NS" "$@"; }

mqos_load || ktap_skip_rest "cannot load mqos.ko"
ip netns add "$NS" || ktap_skip_rest "cannot create a network namespace"
n ip link set lo up
n ip link add d0 type dummy && n ip link set d0 up &&
	n ip addr add 192.0.2.1/24 dev d0 || ktap_skip_rest "no dummy device"

# 1. Every symbol the plugin takes from tc is one that this tc exports.
tcbin=$(command -v tc)
missing=$(comm -23 <(nm -D --undefined-only "$PLUGIN_DIR/q_mqos.so" |
		awk '{print $2}' | grep -v '@' | grep -v -E '^(_ITM_|__gmon_start__|__cxa_finalize)' | sort -u) \
	<(nm -D --defined-only "$tcbin" | awk '{print $3}' | sort -u))
diag "tc: $($tcbin -V 2>&1 | head -n1)"
ktap_result "every symbol q_mqos.so needs is exported by $tcbin${missing:+ (missing: $missing)}" \
	$([ -z "$missing" ]; echo $?)

# 2. Create without options, change with options, show prints them.
n tc qdisc add dev d0 root handle 1: mqos
ktap_check "tc qdisc change: bandwidth 20mbit overhead 18 default-class 4" \
	n tc qdisc change dev d0 root mqos bandwidth 20mbit overhead 18 default-class 4
show=$(n tc qdisc show dev d0)
diag "$(printf '%s' "$show" | head -n 2)"
ktap_result "tc qdisc show prints the options, not [Unknown qdisc]" \
	$(printf '%s' "$show" | head -n1 | grep -q 'qdisc mqos 1: root .*bandwidth 20Mbit overhead 18 default-class 4' &&
	  ! printf '%s' "$show" | grep -q 'Unknown qdisc'; echo $?)

# 3. -j: the options as numbers, every class's configuration.
n tc -j qdisc show dev d0 > "$tmp.qj"
out=$(python3 - "$tmp.qj" <<'EOF' 2>&1
import json, sys
q = [x for x in json.load(open(sys.argv[1])) if x.get("kind") == "mqos"][0]
o = q["options"]
assert o["bandwidth"] == 2500000, o
assert o["overhead"] == 18 and o["default_class"] == 4, o
ids = [c["class"] for c in o["classes"]]
assert ids == [1, 2, 3, 4, 5], ids
names = [c["name"] for c in o["classes"]]
assert names == ["control", "realtime", "assured", "best-effort", "bulk"], names
assert all("prio" in c and "quantum" in c for c in o["classes"]), o["classes"]
print("bandwidth", o["bandwidth"], "classes", ids)
EOF
)
ktap_result "tc -j qdisc show: bandwidth in bytes/s, 5 classes ($out)" $?

# 4. Bad input: the word named, exit non-zero, nothing changed.
before=$(n tc -j qdisc show dev d0)
bad_case() {	# bad_case WORD-IN-ERROR ARGS...: tc qdisc change refused
	local want=$1 err rc
	shift
	err=$(n tc qdisc change dev d0 root mqos "$@" 2>&1 >/dev/null)
	rc=$?
	after=$(n tc -j qdisc show dev d0)
	if [ $rc = 0 ] || ! printf '%s' "$err" | grep -q -- "$want" || [ "$after" != "$before" ]; then
		diag "args: $* rc $rc err: $err"
		return 1
	fi
}
ok=0
bad_case '"20mbitx"' bandwidth 20mbitx || ok=1
bad_case '"300"' overhead 300 || ok=1
bad_case '"17"' default-class 17 || ok=1
bad_case '"bogus"' overhead 20 bogus 1 || ok=1
bad_case '"sometimes"' isolation sometimes || ok=1
bad_case 'twice' overhead 20 overhead 21 || ok=1
bad_case 'needs a value' overhead || ok=1
ktap_result "bad words refused by the plugin, named, config unchanged" $ok
# The kernel's own check (class 9 does not exist): its extack is shown.
ok=0
bad_case 'TCA_MQOS_DEFAULT_CLASS' default-class 9 || ok=1
ktap_result "a change the kernel refuses: extack names the attribute, config unchanged" $ok

# 5. tc monitor prints a notified change with the plugin.
# Not through n() (see ctl_rtnl.sh): $! must be tc monitor itself.
ip netns exec "$NS" tc monitor > "$tmp.mon" 2>&1 &
monpid=$!
sleep 0.5
n tc qdisc change dev d0 root mqos bandwidth 30mbit
wait_for 50 grep -q 'bandwidth 30Mbit' "$tmp.mon"
ok=$?
kill $monpid 2>/dev/null; wait $monpid 2>/dev/null; monpid=
[ $ok = 0 ] || diag "monitor: $(head -c 400 "$tmp.mon")"
ktap_result "tc monitor prints the change (bandwidth 30Mbit)" $ok
n tc qdisc change dev d0 root mqos bandwidth 20mbit

# 6. -s -j: the statistics as JSON, read back by python3. tc prints
# classes as JSON from iproute2 6.2 on (6.1's tc class show is text only,
# whatever -j says); qdiscs have had JSON for long. Traffic: EF pings to a
# dummy address (class 1:2).
n ping -q -c 20 -i 0.01 -W 1 -Q 0xb8 192.0.2.9 > /dev/null 2>&1
cat > "$tmp.py" <<'EOF'
import json, sys
def check(x, packets, name):
    assert x["class"] == 2 and x["name"] == name, x
    assert x["sent_packets"] >= 20 and x["sent_packets"] == packets, (x, packets)
    d = x["delay"]
    assert d["count"] == x["sent_packets"], d
    assert 0 < d["p50_ns"] <= d["p99_ns"] <= d["max_ns"], d
    assert d["min_ns"] <= d["mean_ns"] <= d["max_ns"], d
    assert "jitter_ns" in d, d
    assert set(x["drops"]) >= {"policer", "limit", "aqm", "other"}, x["drops"]
    assert sum(x["drops"].values()) == 0 and x["ecn_marks"] == 0, x
    return "sent %d p50 %d p99 %d max %d ns" % (
        x["sent_packets"], d["p50_ns"], d["p99_ns"], d["max_ns"])
doc = json.load(open(sys.argv[2]))
if sys.argv[1] == "qdisc":
    q = [x for x in doc if x.get("kind") == "mqos"][0]
    x = q["xstats"]
    assert "dev_overlimits" in x and x["bandwidth"] == 2500000, x
    if "classes" in x:	# per-class detail, when the qdisc dump has it
        c = [c for c in x["classes"] if c["class"] == 2][0]
        print("1:2 " + check(c, c["sent_packets"], "realtime"))
    else:	# compact: the classes' totals
        assert set(x["drops"]) >= {"policer", "limit", "aqm"}, x
        print("totals: drops %s" % x["drops"])
else:
    cls = {c["handle"]: c for c in doc if c.get("class") == "mqos"}
    assert sorted(cls) == ["1:1", "1:2", "1:3", "1:4", "1:5"], sorted(cls)
    for h, c in cls.items():
        assert c["xstats"]["sent_packets"] == c["packets"], c
    print("1:2 " + check(cls["1:2"]["xstats"], cls["1:2"]["packets"], "realtime"))
EOF
n tc -s -j qdisc show dev d0 > "$tmp.qs"
out=$(python3 "$tmp.py" qdisc "$tmp.qs" 2>&1)
ktap_result "tc -s -j qdisc show: xstats parsed ($out)" $?
n tc -s -j class show dev d0 > "$tmp.cj"
if [ "$(head -c1 "$tmp.cj")" != "[" ]; then
	ktap_skip "tc -s -j class show" "this tc prints classes as text only (JSON for classes: iproute2 6.2)"
else
	out=$(python3 "$tmp.py" class "$tmp.cj" 2>&1)
	ktap_result "tc -s -j class show: per-class xstats agree with tc's counters ($out)" $?
fi

txt=$(n tc -s class show dev d0 classid 1:2)
ktap_result "tc -s class show prints delay percentiles, jitter and drops by reason" \
	$(printf '%s' "$txt" | grep -q 'delay count [0-9]* mean .* p50 .* p99 .* max .* jitter ' &&
	  printf '%s' "$txt" | grep -q 'drops policer 0 limit 0 aqm 0 .*ecn-marks 0' &&
	  printf '%s' "$txt" | grep -q 'sparse-flow delay count [1-9]'; echo $?)
qs=$(n tc -s qdisc show dev d0)
ktap_result "tc -s qdisc show prints the qdisc's xstats" \
	$(printf '%s' "$qs" | grep -q 'bandwidth 20Mbit overlimits [0-9]'; echo $?)

# 7. What needs the kernel's side. A refusal whose message says the kernel
# does not take it yet is a SKIP with that message.
refused() {	# refused ERR: the kernel does not support this yet
	printf '%s' "$1" | grep -q -E 'takes no options when created|Operation not supported|not supported'
}
n ip link add d1 type dummy && n ip link set d1 up
err=$(n tc qdisc add dev d1 root handle 2: mqos bandwidth 10mbit default-class 3 2>&1)
if [ $? = 0 ]; then
	ktap_result "tc qdisc add ... mqos bandwidth 10mbit default-class 3" \
		$(n tc qdisc show dev d1 | grep -q 'mqos 2: root .*bandwidth 10Mbit .*default-class 3'; echo $?)
elif refused "$err"; then
	ktap_skip "create with options" "kernel refuses: $err"
else
	ktap_fail "create with options: $err"
fi
n tc qdisc del dev d1 root 2>/dev/null
err=$(n tc qdisc replace dev d1 root handle 3: mqos bandwidth 5mbit 2>&1)
if [ $? = 0 ]; then
	ktap_result "tc qdisc replace creates mqos with options" \
		$(n tc qdisc show dev d1 | grep -q 'mqos 3: root .*bandwidth 5Mbit'; echo $?)
elif refused "$err"; then
	ktap_skip "replace that creates" "kernel refuses: $err"
else
	ktap_fail "replace that creates: $err"
fi

cls_json() {	# cls_json ID: class ID's configuration from tc -j qdisc show
	n tc -j qdisc show dev d0 | python3 -c '
import json, sys
q = [x for x in json.load(sys.stdin) if x.get("kind") == "mqos"][0]
c = [c for c in q["options"]["classes"] if c["class"] == int(sys.argv[1])]
print(json.dumps(c[0] if c else None, sort_keys=True))' "$1"
}
err=$(n tc class change dev d0 classid 1:3 mqos rate 1mbit ceil 2mbit prio 2 target 10ms interval 200ms ecn name bulk2 2>&1)
if [ $? = 0 ]; then
	out=$(cls_json 3 | python3 -c '
import json, sys
c = json.load(sys.stdin)
want = {"rate": 125000, "ceil": 250000, "prio": 2, "target_us": 10000, "interval_us": 200000, "ecn": 1, "name": "bulk2"}
bad = {k: (c.get(k), v) for k, v in want.items() if c.get(k) != v}
assert not bad, bad
print("ok")' 2>&1)
	ktap_result "tc class change 1:3: rate ceil prio target interval ecn name ($out)" $?
	before=$(cls_json 3)
	err=$(n tc class change dev d0 classid 1:3 mqos rate 3mbit 2>&1)
	rc=$?
	ktap_result "tc class change refused by the kernel (ceil below rate) changes nothing: $err" \
		$([ $rc != 0 ] && [ "$(cls_json 3)" = "$before" ]; echo $?)
	err=$(n tc class add dev d0 classid 1:9 mqos prio 3 name new9 2>&1)
	ktap_result "tc class add creates class 1:9 ($err)" \
		$(cls_json 9 | grep -q '"name": "new9"'; echo $?)
	# The kernel's NLM_F_CREATE/EXCL rules, as docs/tc.md states them:
	# add refuses a class that exists, change one that does not, and
	# replace does either. (tc reads a minor as hex: 1:10 is class 16.)
	err=$(n tc class add dev d0 classid 1:9 mqos prio 4 2>&1)
	rc=$?
	ktap_result "tc class add of the existing 1:9 is refused ($err), prio stays 3" \
		$([ $rc != 0 ] && cls_json 9 | grep -q '"prio": 3'; echo $?)
	err=$(n tc class change dev d0 classid 1:8 mqos prio 4 2>&1)
	rc=$?
	ktap_result "tc class change of the missing 1:8 is refused ($err), nothing created" \
		$([ $rc != 0 ] && [ "$(cls_json 8)" = null ]; echo $?)
	err=$(n tc class replace dev d0 classid 1:8 mqos prio 4 name new8 2>&1)
	ktap_result "tc class replace creates the missing 1:8 ($err)" \
		$(cls_json 8 | grep -q '"name": "new8"'; echo $?)
else
	if refused "$err"; then
		for t in "class change" "class change refused" "class add" \
			"class add existing" "class change missing" "class replace"; do
			ktap_skip "tc $t" "kernel refuses tc class change: $err"
		done
	else
		ktap_fail "tc class change: $err"
		ktap_skip "class change refused" "class change failed"
		for t in "class add" "class add existing" "class change missing" \
			"class replace"; do
			ktap_skip "$t" "class change failed"
		done
	fi
fi
err=$(n tc class del dev d0 classid 1:5 2>&1)
if [ $? = 0 ]; then
	ktap_result "tc class del 1:5 removes the class" \
		$([ "$(cls_json 5)" = null ]; echo $?)
elif refused "$err"; then
	ktap_skip "tc class del" "kernel refuses: $err"
else
	ktap_fail "tc class del: $err"
fi
ktap_finish
