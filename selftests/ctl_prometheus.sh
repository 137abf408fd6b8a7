#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mqosctl stats --prometheus: the node_exporter textfile format, checked
# strictly by prom_check.py (its own line-by-line check, python3-prometheus-
# client's parser, histogram invariants) and compared number by number with
# `mqosctl stats -j` taken right after it, with traffic in several classes,
# policer drops, and device, class and rule names that need escaping.
# Then -o FILE (atomic write+rename, mode 0644, no temporary left), --watch
# with -o, option errors, and an unprivileged reader.
. "$(dirname "$0")/lib.sh"

ktap_plan 9
require_root
require_cmd tc ip ping python3
CTL=$REPO_DIR/userspace/mqosctl
CHECK=$SELFTESTS_DIR/prom_check.py
TMP=$(mktemp -d)
chmod 755 "$TMP"
# A device name with a quote and a backslash (both legal in ifnames).
ODD='q"\d'
cleanup() { topo_cleanup; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$CTL" ] || ktap_skip_rest "userspace/mqosctl not built (make mqosctl)"
python3 -c 'import prometheus_client' 2>/dev/null ||
	ktap_skip_rest "python3-prometheus-client not installed (scripts/setup.sh)"
mqos_load || ktap_skip_rest "cannot load mqos.ko"
topo_create || { ktap_fail "topology"; ktap_finish; }
ctl() { n_gw "$CTL" "$@"; }

# Class names with a quote, a backslash, a newline, UTF-8 and a byte that
# is not UTF-8 (the exposition shows it as U+FFFD); a rule whose topic
# prefix needs quoting; a policer that drops. (With rules, the built-in
# DSCP map is off: EF gets a rule of its own.)
n_gw tc qdisc add dev g1 root handle 1: mqos &&
n_gw ip link add "$ODD" type dummy && n_gw ip link set "$ODD" up &&
n_gw tc qdisc add dev "$ODD" root handle 1: mqos &&
ctl class set g1 6 name $'a"b\\c\n\xc3\xbc' prio 3 &&
ctl class set g1 7 name $'bad\xff' prio 4 &&
ctl class set g1 3 police 8kbit 1600 &&
ctl rule add pref 4 match dscp EF class 2 &&
ctl rule add pref 5 match dscp AF11 class 3 &&
ctl rule add pref 6 match dscp AF21 class 6 &&
ctl rule add pref 7 match mqtt-topic 'x"y\z' class 2
ktap_result "setup: odd device, class and rule names; a policer" $?

ctl stats --reset
for tos in 0x00 0xb8 0xc0 0x48; do
	n_snd ping -q -c 10 -i 0.01 -Q $tos "$RCV_IP" > /dev/null 2>&1
done
n_snd ping -q -c 30 -i 0.002 -s 1000 -Q 0x28 "$RCV_IP" > /dev/null 2>&1

ctl stats --prometheus > "$TMP/a.prom"
rc=$?
ctl stats -j > "$TMP/a.json"
ktap_result "stats --prometheus and stats -j exit 0" "$([ $rc = 0 ] && [ -s "$TMP/a.prom" ]; echo $?)"

out=$(python3 "$CHECK" "$TMP/a.prom" "$TMP/a.json" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ $rc = 0 ] || head -n 40 "$TMP/a.prom" | sed 's/^/# prom: /'
ktap_result "strict format check, prometheus_client parser, histograms, equal to stats -j" $rc

# The numbers are not trivially zero: traffic in realtime, control and the
# renamed class 6, policer drops in class 3, escaped names.
python3 - "$TMP/a.prom" "$ODD" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
odd = sys.argv[2]
s = {}
for f in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
    for x in f.samples:
        s[(x.name, tuple(sorted(x.labels.items())))] = x.value
def v(name, **lab):
    return s.get((name, tuple(sorted(lab.items()))))
ok = True
def need(what, cond):
    global ok
    print("# %s: %s" % (what, "yes" if cond else "NO"))
    ok &= bool(cond)
need("realtime sent >= 10", (v("mqos_class_packets_total", dev="g1", **{"class": "realtime"}, class_id="2") or 0) >= 10)
need("class 6 'a\"b\\c\\nü' sent >= 10", (v("mqos_class_packets_total", dev="g1", **{"class": 'a"b\\c\nü'}, class_id="6") or 0) >= 10)
need("class 7 name with U+FFFD", v("mqos_class_packets_total", dev="g1", **{"class": "bad\ufffd"}, class_id="7") is not None)
need("policer drops in class 3 > 0", (v("mqos_class_drops_total", dev="g1", **{"class": "assured"}, class_id="3", reason="policer") or 0) > 0)
need("device %r listed" % odd, v("mqos_dev_packets_total", dev=odd) is not None)
need("rule pref 7 with its escaped topic", v("mqos_rule_hits_packets_total", pref="7", class_id="2", rule='pref 7 match mqtt-topic "x\\"y\\\\z" class 2') is not None)
need("realtime delay _count >= 10", (v("mqos_class_delay_seconds_count", dev="g1", **{"class": "realtime"}, class_id="2") or 0) >= 10)
sys.exit(0 if ok else 1)
EOF
rc=$?
grep -E '^mqos_class_(packets_total|drops_total|delay_seconds_(bucket|sum|count))\{dev="g1",class="(realtime|assured)"' \
	"$TMP/a.prom" | grep -v 'le="0.0000[0-9][0-9]' | head -n 12 | sed 's/^/# /'
ktap_result "counters non-zero where traffic went; names escaped and read back" $rc

# One device only.
ctl stats "$ODD" --prometheus > "$TMP/b.prom"
rc=$?
python3 "$CHECK" "$TMP/b.prom" > "$TMP/b.out" 2>&1 || { rc=1; sed 's/^/# /' "$TMP/b.out"; }
grep -q '^mqos_class_packets_total{dev="g1"' "$TMP/b.prom" && rc=1
grep -q '^mqos_class_packets_total{dev="q\\"\\\\d",class="control"' "$TMP/b.prom" || rc=1
ktap_result "stats DEV --prometheus: only that device, valid" $rc

# -o FILE: written to FILE.XXXXXX and renamed; 0644; nothing else left.
mkdir "$TMP/tf" && chmod 755 "$TMP/tf"
echo stale > "$TMP/tf/mqos.prom"
ctl stats --prometheus -o "$TMP/tf/mqos.prom"
rc=$?
ls -A "$TMP/tf" > "$TMP/ls"
[ $rc = 0 ] && [ "$(cat "$TMP/ls")" = mqos.prom ] &&
	[ "$(stat -c %a "$TMP/tf/mqos.prom")" = 644 ] &&
	python3 "$CHECK" "$TMP/tf/mqos.prom" > /dev/null 2>&1
rc=$?
[ $rc = 0 ] || diag "rc/ls: $(cat "$TMP/ls" | tr '\n' ' ')"
ktap_result "-o FILE: replaced atomically, mode 644, no temporary file left" $rc

# --watch S with -o: the file is rewritten every S seconds.
rm -f "$TMP/tf/mqos.prom"
bg n_gw "$CTL" stats --prometheus -o "$TMP/tf/mqos.prom" --watch 1
wpid=${_bg_pids[-1]}
wait_for 300 test -s "$TMP/tf/mqos.prom"
i1=$(stat -c %i "$TMP/tf/mqos.prom" 2>/dev/null)
wait_for 300 sh -c "[ \"\$(stat -c %i '$TMP/tf/mqos.prom')\" != '$i1' ]"
rc=$?
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
python3 "$CHECK" "$TMP/tf/mqos.prom" > /dev/null 2>&1 || rc=1
[ "$(ls -A "$TMP/tf")" = mqos.prom ] || rc=1
ktap_result "--watch 1 -o FILE rewrites the file (new inode), valid each time" $rc

# Usage errors (exit 2) and a runtime error (exit 1), with a message.
ok=0
chk() {	# EXPECTED_EXIT PATTERN ARGS...
	local want=$1 pat=$2 out rc
	shift 2
	out=$(ctl "$@" 2>&1); rc=$?
	[ "$rc" = "$want" ] && echo "$out" | grep -q -- "$pat" ||
		{ diag "mqosctl $* -> $rc: $out"; ok=1; }
}
chk 2 "not with -j" stats --prometheus -j
chk 2 "not with --reset" stats --prometheus --reset
chk 2 "only with --prometheus" stats -o "$TMP/x.prom"
chk 2 "needs -o FILE" stats --prometheus --watch 1
chk 2 "needs FILE" stats --prometheus -o
chk 1 "No such file or directory" stats --prometheus -o "$TMP/nodir/x.prom"
chk 1 "no mqos qdisc\|No such device" stats nosuchdev0 --prometheus
ktap_result "option errors exit 2, an unwritable -o exits 1, with messages" $ok

# Reads are open to all: an unprivileged user gets the same format.
n_gw setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$CTL" stats --prometheus > "$TMP/u.prom" &&
	python3 "$CHECK" "$TMP/u.prom" > /dev/null 2>&1
ktap_result "an unprivileged user can run stats --prometheus" $?

n_gw tc qdisc del dev g1 root
ktap_finish
