# SPDX-License-Identifier: GPL-2.0
"""The bridge phase's table and goals in scripts/bench-report.py: device
QoS 2 alarms through the gateway broker's TLS bridge to the cloud broker
(scripts/bench-bridge.sh, docs/benchmarks.md)."""

import bench_table

# Raw-file scheduler names of the phase's rows, in the order of the table.
SCHEDS = ["br_pfifo_fast", "br_cake", "br_cake_tls", "br_mqos", "br_floor"]
LABELS = {
    "br_pfifo_fast": "pfifo_fast (behind tbf)",
    "br_cake": "CAKE diffserv4",
    "br_cake_tls": "CAKE diffserv4 + TLS port mark",
    "br_mqos": "mqos, per-bridge classes",
    "br_floor": "loaded floor (bridges bypass)",
}
COLS = [
    ("alarm_p50", "alarm p50 ms"),
    ("alarm_p90", "alarm p90 ms"),
    ("alarm_p99", "alarm p99 ms"),
    ("util_pct", "g1 load %"),
    ("bridge_retrans", "bridge retrans"),
]
FLOOR_SLACK_MS = 5.0


def report(k, get, env, fmt):
    """Print the phase's table, notes and goals for kernel k, if it ran.
    get maps (kernel, sched, metric) to the summary entry; fmt formats a
    number like the main table."""
    if not any((k, s, "alarms_sent") in get for s in SCHEDS):
        return
    n = max(get[(k, s, "alarms_sent")]["n"] for s in SCHEDS if (k, s, "alarms_sent") in get)
    print("Bridge phase, kernel %s, %s: device QoS 2 alarms -> gateway broker"
          " -> TLS bridge -> cloud broker; 20 Mbit/s bottleneck under bulk TCP;"
          " median [min-max] of %d run(s); latencies in ms" % (k, env.get(k, "?"), n))
    bench_table.show(bench_table.rows(
        k, get, fmt, ["row"] + [c[1] for c in COLS] + ["alarms rx"],
        SCHEDS, LABELS, COLS, "alarms_delivered", "alarms_sent"))

    x, r = get.get((k, "br_mqos", "alarm_marked")), get.get((k, "br_mqos", "rt_pkts"))
    if x and r:
        print("mqos: nft marked %d packets of the alarm bridge (mark 2), the"
              " realtime class sent %d (medians per repetition)." % (x["median"], r["median"]))
    x = get.get((k, "br_mqos", "rt_sojourn_p99"))
    if x:
        print("mqos: the realtime class's own sojourn p99 (enqueue to dequeue,"
              " from its histogram) was %s ms [%s-%s]." % (fmt(x["median"]), fmt(x["min"]), fmt(x["max"])))
    x = get.get((k, "br_cake_tls", "marked_pkts"))
    if x:
        print("CAKE + TLS port mark: the rule (tcp dport 8883 -> EF) marked %d"
              " packets of all three bridges (median per repetition)." % x["median"])
    short = [s for s in SCHEDS if get.get((k, s, "bulk_short_s"), {}).get("max")]
    if short:
        print("WARNING: in %s the bulk streams ended before the alarms did (a"
              " busy host): those rows ran partly unloaded."
              % ", ".join(LABELS[s] for s in short))
    print()

    def med(s):
        x = get.get((k, s, "alarm_p99"))
        return x["median"] if x else None

    v, c, cm, fl = med("br_mqos"), med("br_cake"), med("br_cake_tls"), med("br_floor")
    checks = []
    ok = None
    if v is not None and c is not None:
        ok = v <= c and (cm is None or v <= cm)
    checks.append(("alarm p99 <= CAKE's (both CAKE rows)",
                   "CAKE %s, CAKE+mark %s" % (fmt(c), fmt(cm) if cm is not None else "-"), ok))
    checks.append(("alarm p99 <= loaded floor + %g ms" % FLOOR_SLACK_MS,
                   "floor %s + %g" % (fmt(fl), FLOOR_SLACK_MS),
                   None if v is None or fl is None else v <= fl + FLOOR_SLACK_MS))
    print("Bridge goals on %s (mqos row; medians of %d run(s)%s):" %
          (k, n, "" if n >= 3 else "; fewer than 3 repetitions: indicative only"))
    val = "-" if v is None else fmt(v) + " ms"
    rows = [["goal", "mqos", "against", "met?"]]
    for goal, ref, ok in checks:
        rows.append([goal, val, ref, "-" if ok is None else ("met" if ok else "MISSED")])
    bench_table.show(rows)
    met = sum(1 for c in checks if c[2])
    missed = sum(1 for c in checks if c[2] is False)
    print("%d goal(s) met, %d missed, %d not measured." %
          (met, missed, len(checks) - met - missed))
    print()
