#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Strict check of `mqosctl stats --prometheus` output.

    prom_check.py PROM_FILE [JSON_FILE]

1. The text format, line by line (our own check, stricter than most
   scrapers): every line is "# HELP", "# TYPE" or a sample; one HELP and
   one TYPE per family, before its samples; a family's samples together;
   metric and label names valid; label values only with the escapes \\\\ \\"
   \\n; no timestamps; no duplicate series; valid UTF-8; final newline.
2. python3-prometheus-client's parser (text_string_to_metric_families)
   accepts it, and every family has the type we expect.
3. Histograms: per series, le strictly increasing ending in +Inf, bucket
   counts non-decreasing, +Inf == _count, _sum >= 0 (and 0 if _count is 0).
4. With JSON_FILE (`mqosctl stats -j` taken without traffic in between):
   every class's counters, drops by reason, backlog, histogram and jitter,
   every device's totals and every rule's hits equal the JSON numbers.

Prints one "ok: ..." / "FAIL: ..." line per finding; exit 0 when all ok.
"""
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

fails = []


def fail(msg):
    fails.append(msg)
    print("FAIL: " + msg)


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
LABEL = LNAME + "=" + LVALUE
SAMPLE = re.compile(r"^(" + NAME + r")(?:\{(" + LABEL + r"(?:," + LABEL + r")*)?\})? (\S+)$")
LABEL_RE = re.compile("(" + LNAME + ")=(" + LVALUE + ")")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count")}


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v[1:-1])


def lines_check(raw):
    """Our own strict pass; returns {(name, labels): value}."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("not valid UTF-8: %s" % e)
        text = raw.decode("utf-8", "replace")
    if not text.endswith("\n"):
        fail("no newline at the end")
    helps, types, done, series = {}, {}, set(), {}
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                fail("line %d: bad HELP: %r" % (n, line))
                continue
            if parts[2] in helps:
                fail("line %d: second HELP for %s" % (n, parts[2]))
            if re.search(r"\\[^\\n]", parts[3]):
                fail("line %d: bad escape in HELP" % n)
            helps[parts[2]] = n
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in (
                    "counter", "gauge", "histogram", "summary", "untyped"):
                fail("line %d: bad TYPE: %r" % (n, line))
                continue
            name = parts[2]
            if name in types:
                fail("line %d: second TYPE for %s" % (n, name))
            if name in done:
                fail("line %d: TYPE for %s after its samples" % (n, name))
            types[name] = parts[3]
            if current:
                done.add(current)
            current = name
            continue
        if line.startswith("#") or not line.strip():
            fail("line %d: unexpected line %r" % (n, line))
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("line %d: not a sample (or has a timestamp): %r" % (n, line))
            continue
        name, labels, value = m.groups()
        fam = name
        if current and name != current:
            for s in SUFFIXES.get(types.get(current), ()):
                if name == current + s:
                    fam = current
        if fam != current:
            fail("line %d: sample %s outside its family's block (%s)" % (n, name, current))
        try:
            float(value)
        except ValueError:
            fail("line %d: value %r" % (n, value))
            continue
        lab = tuple(sorted((k, unescape(v)) for k, v in LABEL_RE.findall(labels or "")))
        if len(set(k for k, _ in lab)) != len(lab):
            fail("line %d: a label twice" % n)
        if (name, lab) in series:
            fail("line %d: duplicate series %s%s" % (n, name, dict(lab)))
        series[(name, lab)] = float(value)
    for name in types:
        if name not in helps:
            fail("no HELP for " + name)
    return series, types


def client_check(text, types):
    fams = {}
    try:
        for f in text_string_to_metric_families(text):
            fams[f.name] = f
    except Exception as e:  # the parser raises ValueError and others
        fail("prometheus_client parser: %r" % e)
        return
    for name, t in types.items():
        fname = name[:-6] if t == "counter" and name.endswith("_total") else name
        f = fams.get(fname) or fams.get(name)
        if not f:
            fail("prometheus_client: no family %s" % name)
        elif f.type != t:
            fail("prometheus_client: %s is %s, not %s" % (name, f.type, t))
    print("ok: prometheus_client parsed %d families, %d samples" %
          (len(fams), sum(len(f.samples) for f in fams.values())))
    return fams


def histogram_check(series, types):
    nhist = 0
    for fam, t in types.items():
        if t != "histogram":
            continue
        groups = {}
        for (name, lab), v in series.items():
            if name == fam + "_bucket":
                key = tuple(x for x in lab if x[0] != "le")
                le = dict(lab)["le"]
                groups.setdefault(key, []).append((float(le), v))
        for key, bs in groups.items():
            nhist += 1
            what = "%s%s" % (fam, dict(key))
            les = [le for le, _ in bs]  # in file order (dict keeps it)
            if les != sorted(les) or len(set(les)) != len(les):
                fail(what + ": le not strictly increasing")
            if not les or not math.isinf(les[-1]):
                fail(what + ": no +Inf bucket last")
                continue
            cnt = [v for _, v in bs]
            if any(b < a for a, b in zip(cnt, cnt[1:])):
                fail(what + ": buckets not cumulative: %s" % cnt)
            c = series.get((fam + "_count", key))
            s = series.get((fam + "_sum", key))
            if c is None or s is None:
                fail(what + ": no _count or _sum")
                continue
            if c != cnt[-1]:
                fail(what + ": +Inf %s != _count %s" % (cnt[-1], c))
            if s < 0 or (c == 0 and s != 0):
                fail(what + ": _sum %s with _count %s" % (s, c))
    print("ok: %d histogram series checked" % nhist)


def json_check(series, js):
    def get(name, **lab):
        key = (name, tuple(sorted(lab.items())))
        if key not in series:
            fail("missing series %s%s" % (name, lab))
            return None
        return series[key]

    def eq(what, a, b):
        if a is not None and a != b:
            fail("%s: prometheus %s != json %s" % (what, a, b))

    ncls = 0
    for d in js["devices"]:
        dev = d["dev"]
        eq(dev + " packets", get("mqos_dev_packets_total", dev=dev), d["sent_packets"])
        eq(dev + " bytes", get("mqos_dev_bytes_total", dev=dev), d["sent_bytes"])
        eq(dev + " drops", get("mqos_dev_drops_total", dev=dev), d["drops"])
        eq(dev + " backlog", get("mqos_dev_backlog_packets", dev=dev), d["backlog_packets"])
        eq(dev + " overlimits", get("mqos_dev_overlimits_total", dev=dev), d["overlimits"])
        eq(dev + " rate", get("mqos_dev_rate_bytes_per_second", dev=dev), d["rate_bps"] // 8)
        for c in d["classes"]:
            ncls += 1
            lab = dict(dev=dev, class_id=str(c["class"]), **{"class": c["name"] or str(c["class"])})
            w = "%s class %s" % (dev, c["class"])
            for m, k in (("packets_total", "sent_packets"), ("bytes_total", "sent_bytes"),
                         ("enqueued_packets_total", "enq_packets"),
                         ("enqueued_bytes_total", "enq_bytes"),
                         ("backlog_packets", "backlog_packets"),
                         ("backlog_bytes", "backlog_bytes"), ("demoted_total", "demoted"),
                         ("ecn_marks_total", "ecn_marks"), ("overlimits_total", "overlimits")):
                eq(w + " " + m, get("mqos_class_" + m, **lab), c[k])
            for r, k in (("policer", "policer"), ("queue", "limit"), ("aqm", "aqm"),
                         ("other", "other")):
                eq(w + " drops " + r, get("mqos_class_drops_total", reason=r, **lab),
                   c["drops"][k])
            dl = c["delay"]
            h = dl["hist"]
            eq(w + " _count", get("mqos_class_delay_seconds_count", **lab), sum(h))
            eq(w + " json count vs histogram", dl["count"], sum(h))
            cum = 0
            for b, n in enumerate(h):
                cum += n
                le = "+Inf" if b == len(h) - 1 else "%d.%09d" % divmod(1000 << b, 10**9)
                eq(w + " le " + le, get("mqos_class_delay_seconds_bucket", le=le, **lab), cum)
            s = get("mqos_class_delay_seconds_sum", **lab)
            if s is not None and dl["count"] and not (
                    dl["min_ns"] * dl["count"] / 1e9 - 1e-9 <= s <= dl["max_ns"] * dl["count"] / 1e9 + 1e-9):
                fail(w + " _sum %s outside count*[min, max]" % s)
            sp = c.get("sparse_delay")
            if sp:
                cum = 0
                for b, n in enumerate(sp["hist"]):
                    cum += n
                    le = "+Inf" if b == len(sp["hist"]) - 1 else "%d.%09d" % divmod(1000 << b, 10**9)
                    eq(w + " sparse le " + le,
                       get("mqos_class_sparse_delay_seconds_bucket", le=le, **lab), cum)
                eq(w + " sparse _count", get("mqos_class_sparse_delay_seconds_count", **lab),
                   sp["count"])
            eq(w + " jitter", get("mqos_class_jitter_seconds", **lab), dl["jitter_ns"] / 1e9)
            eq(w + " max", get("mqos_class_delay_max_seconds", **lab), dl["max_ns"] / 1e9)
    for r in js["rules"]:
        lab = dict(pref=str(r["pref"]), class_id=str(r["class"]), rule=r["rule"])
        eq("rule %s packets" % r["pref"], get("mqos_rule_hits_packets_total", **lab),
           r["hits_packets"])
        eq("rule %s bytes" % r["pref"], get("mqos_rule_hits_bytes_total", **lab),
           r["hits_bytes"])
    eq("malformed", get("mqos_malformed_packets_total"), js["malformed_packets"])
    print("ok: %d devices, %d classes, %d rules compared with stats -j" %
          (len(js["devices"]), ncls, len(js["rules"])))


def main():
    raw = open(sys.argv[1], "rb").read()
    series, types = lines_check(raw)
    print("ok: %d families, %d series read line by line" % (len(types), len(series)))
    client_check(raw.decode("utf-8", "replace"), types)
    histogram_check(series, types)
    if len(sys.argv) > 2:
        js = json.loads(open(sys.argv[2], "rb").read().decode("utf-8", "replace"))
        json_check(series, js)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
