#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the raw-*.csv of a scripts/bench run: one table per kernel
(median [min-max] over the repetitions), and summary.csv / summary.json
next to the raw files, plus the host core bench if it is there.

    scripts/bench-report.py RESULTS_DIR
"""
import csv
import glob
import json
import os
import statistics
import sys

import bench_bridge_report as bridge  # the bridge phase (scripts/bench-bridge.sh)
import bench_table

SCHEDS = ["idle", "fifo", "pfifo_fast", "prio", "htb", "cake", "cake_mqtt",
          "mqos", "mqos_hook", "floor"]
LABELS = {
    "idle": "idle link (no load)",
    "fifo": "bloated FIFO (tbf 2MB)",
    "pfifo_fast": "pfifo_fast (behind tbf)",
    "prio": "prio+priomap (behind tbf)",
    "htb": "HTB prio classes",
    "cake": "CAKE diffserv4",
    "cake_mqtt": "CAKE diffserv4 + MQTT mark",
    "mqos": "mqos",
    "mqos_hook": "mqos + hook (sticky)",
    "floor": "loaded floor (bypass)",
}
COLS = [
    ("ef_p50", "EF p50 ms"),
    ("ef_p99", "EF p99 ms"),
    ("lone_p50", "QoS2 lone p50"),
    ("lone_p99", "QoS2 lone p99"),
    ("burst_p50", "QoS2 burst p50"),
    ("burst_p99", "QoS2 burst p99"),
    ("tel_p99", "telemetry p99"),
    ("nn_p99", "noisy-nbr alarm p99"),
    ("noisy_rate", "noisy msg/s"),
    ("goodput_pct", "goodput %"),
    ("shaping_err_pct", "shaping err %"),
    ("pps_rel", "pps vs pfifo_fast"),
    ("pktgen_kpps", "pktgen kpps"),
    ("pktgen_rel", "pktgen vs pfifo_fast"),
]


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    return "%.2f" % v


def main():
    out = sys.argv[1]
    rows = []
    env = {}
    for f in sorted(glob.glob(os.path.join(out, "raw-*.csv"))):
        with open(f) as fh:
            for r in csv.DictReader(fh):
                if r["metric"] == "env":
                    env[r["kernel"]] = r["value"]
                    continue
                try:
                    r["value"] = float(r["value"])
                except ValueError:
                    continue
                if r["value"] != r["value"]:  # nan
                    continue
                rows.append(r)

    # pps relative to pfifo_fast of the same kernel and repetition
    pff = {(r["kernel"], r["rep"]): r["value"] for r in rows
           if r["metric"] == "pps" and r["sched"] == "pfifo_fast"}
    for r in list(rows):
        if r["metric"] == "pps" and (r["kernel"], r["rep"]) in pff and pff[(r["kernel"], r["rep"])]:
            rows.append(dict(r, metric="pps_rel",
                             value=r["value"] / pff[(r["kernel"], r["rep"])]))

    # pktgen: kpps, and relative to pfifo_fast of the same repetition
    pg = {(r["kernel"], r["rep"]): r["value"] for r in rows
          if r["metric"] == "pktgen_pps" and r["sched"] == "pfifo_fast"}
    for r in list(rows):
        if r["metric"] == "pktgen_pps":
            rows.append(dict(r, metric="pktgen_kpps", value=r["value"] / 1000))
            if pg.get((r["kernel"], r["rep"])):
                rows.append(dict(r, metric="pktgen_rel",
                                 value=r["value"] / pg[(r["kernel"], r["rep"])]))

    downlink_derive(rows)  # phase: downlink
    cost_derive(rows)  # phase: cost

    summary = []
    for k in sorted({r["kernel"] for r in rows}):
        for s in SCHEDS + bridge.SCHEDS + DL_ROWS + COST_ROWS:
            for m in {r["metric"] for r in rows}:
                v = [r["value"] for r in rows
                     if r["kernel"] == k and r["sched"] == s and r["metric"] == m]
                if v:
                    summary.append({"kernel": k, "sched": s, "metric": m,
                                    "n": len(v), "median": statistics.median(v),
                                    "min": min(v), "max": max(v)})

    with open(os.path.join(out, "summary.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["kernel", "sched", "metric", "n",
                                           "median", "min", "max"])
        w.writeheader()
        w.writerows(summary)
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump({"environment": env, "results": summary}, fh, indent=1)

    host = os.path.join(out, "host-core.txt")
    if os.path.exists(host):
        print("Host core bench (classifier, ns/packet):")
        with open(host) as fh:
            for line in fh:
                print("  " + line.rstrip())
        print()

    get = {(x["kernel"], x["sched"], x["metric"]): x for x in summary}
    for k in sorted({x["kernel"] for x in summary}):
        # The main phase's table and goals, if it ran (--phases).
        if not any(x["kernel"] == k and x["sched"] in SCHEDS for x in summary):
            bridge.report(k, get, env, fmt)
            downlink_report(k, get, env)
            cost_report(k, get)
            continue
        n = max(x["n"] for x in summary if x["kernel"] == k and x["sched"] in SCHEDS)
        print("Kernel %s, %s; 20 Mbit/s bottleneck; median [min-max] of %d run(s);"
              " latencies in ms" % (k, env.get(k, "?"), n))
        bench_table.show(bench_table.rows(
            k, get, fmt, ["scheduler"] + [c[1] for c in COLS] + ["alarms rx"],
            SCHEDS, LABELS, COLS, "alarms_delivered", "alarms_sent"))
        notes(k, get)
        print()
        goals(k, get, n)
        print()
        bridge.report(k, get, env, fmt)
        downlink_report(k, get, env)
        cost_report(k, get)


def notes(k, get):
    x = get.get((k, "mqos", "fq_flows"))
    if x:
        print("mqos ran with flow queuing: %d flow queues per class (0 would be"
              " one FIFO)." % x["median"])
    x = get.get((k, "cake_mqtt", "marked_pkts"))
    if x:
        print("CAKE + MQTT mark: the nft rule marked %d packets EF (median"
              " per repetition)." % x["median"])
    for s in ("mqos", "mqos_hook"):
        x = get.get((k, s, "nn_rt_sparse_p99"))
        if x:
            print("%s: the realtime class's sparse flows (the other devices' alarms"
                  " beside the noisy neighbour) waited p99 %s ms [%s-%s] in the"
                  " qdisc (its own histogram, ramp + noisy phase); the rest of the"
                  " noisy-nbr alarm p99 is spent outside it." % (
                      LABELS[s], fmt(x["median"]), fmt(x["min"]), fmt(x["max"])))
    short = [s for s in SCHEDS if get.get((k, s, "bulk_short_s"), {}).get("max")]
    if short:
        print("WARNING: in %s the bulk streams ended before the last alarm phase"
              " (a busy host): those rows' later phases ran partly unloaded."
              % ", ".join(LABELS[s] for s in short))
    for m, what in (("pktgen_errors", "pktgen drops"),):
        errs = [(s, get[(k, s, m)]["median"]) for s in SCHEDS if (k, s, m) in get]
        if any(e for _, e in errs):
            print("%s: %s" % (what, ", ".join("%s %d" % (s, e) for s, e in errs)))


def goals(k, get, n):
    """The goals, mqos's medians against the other rows' medians."""
    def med(s, m):
        x = get.get((k, s, m))
        return x["median"] if x else None

    checks = []  # (goal, mqos value, reference text, met or None)

    def cmp(goal, m, ref_text, ok, unit="ms"):
        v = med("mqos", m)
        if v is None or ok is None:
            checks.append((goal, fmt(v) if v is not None else "-", ref_text, None))
        else:
            checks.append((goal, fmt(v) + (" " + unit if unit else ""), ref_text, ok))

    def le(a, b, slack=0.0, factor=1.0):
        if a is None or b is None:
            return None
        return a <= b * factor + slack

    idle, cake, cmq, floor = "idle", "cake", "cake_mqtt", "floor"
    v = lambda m: med("mqos", m)  # noqa: E731
    # Flow queuing goals
    t, tc, tm, tf = v("tel_p99"), med(cake, "tel_p99"), med(cmq, "tel_p99"), med(floor, "tel_p99")
    cmp("telemetry p99 <= CAKE's (both CAKE rows)", "tel_p99",
        "CAKE %s, CAKE+mark %s" % (fmt(tc), fmt(tm)),
        None if tc is None else (le(t, tc) and (tm is None or le(t, tm))))
    cmp("telemetry p99 <= loaded floor + 2 ms", "tel_p99", "floor %s + 2" % fmt(tf),
        le(t, tf, slack=2.0))
    a, lone = v("nn_p99"), v("lone_p99")
    cmp("noisy-neighbour alarm p99 <= 1.25 x own lone p99", "nn_p99",
        "1.25 x %s = %s" % (fmt(lone), fmt(lone * 1.25) if lone is not None else "-"),
        le(a, lone, factor=1.25))
    ac, am = med(cake, "nn_p99"), med(cmq, "nn_p99")
    cmp("noisy-neighbour alarm p99 <= CAKE's (both CAKE rows)", "nn_p99",
        "CAKE %s, CAKE+mark %s" % (fmt(ac), fmt(am)),
        None if ac is None else (le(a, ac) and (am is None or le(a, am))))
    # Earlier goals
    e, ei, ec = v("ef_p99"), med(idle, "ef_p99"), med(cake, "ef_p99")
    cmp("EF p99 <= CAKE's", "ef_p99", "CAKE %s" % fmt(ec), le(e, ec))
    cmp("EF p99 within 1 ms of idle", "ef_p99", "idle %s + 1" % fmt(ei), le(e, ei, slack=1.0))
    b, bi, bc = v("burst_p99"), med(idle, "burst_p99"), med(cake, "burst_p99")
    cmp("QoS 2 burst p99 within 15 % of idle", "burst_p99", "idle %s x 1.15" % fmt(bi),
        le(b, bi, factor=1.15))
    cmp("QoS 2 burst p99 below CAKE's", "burst_p99", "CAKE %s" % fmt(bc), le(b, bc))
    li, lc = med(idle, "lone_p99"), med(cake, "lone_p99")
    cmp("QoS 2 lone p99 within 5 ms of idle", "lone_p99", "idle %s + 5" % fmt(li),
        le(lone, li, slack=5.0))
    cmp("QoS 2 lone p99 below CAKE's", "lone_p99", "CAKE %s" % fmt(lc), le(lone, lc))
    g, gc = v("goodput_pct"), med(cake, "goodput_pct")
    cmp("goodput >= CAKE's", "goodput_pct", "CAKE %s" % fmt(gc),
        None if g is None or gc is None else g >= gc, unit="%")
    se = v("shaping_err_pct")
    cmp("shaping error within +-3 %", "shaping_err_pct", "+-3",
        None if se is None else abs(se) <= 3.0, unit="%")
    p, ph, pc = v("pps_rel"), med("htb", "pps_rel"), med(cake, "pps_rel")
    cmp("packets/s >= 0.9 x pfifo_fast, >= HTB and CAKE", "pps_rel",
        "0.9; HTB %s, CAKE %s" % (fmt(ph), fmt(pc)),
        None if None in (p, ph, pc) else (p >= 0.9 and p >= ph and p >= pc), unit="")

    print("Goals on %s (mqos row; medians of %d run(s)%s):" %
          (k, n, "" if n >= 3 else "; fewer than 3 repetitions: indicative only"))
    table = [["goal", "mqos", "against", "met?"]]
    for goal, val, ref, ok in checks:
        table.append([goal, val, ref, "-" if ok is None else ("met" if ok else "MISSED")])
    bench_table.show(table)
    met = sum(1 for c in checks if c[3])
    missed = sum(1 for c in checks if c[3] is False)
    print("%d goal(s) met, %d missed, %d not measured." %
          (met, missed, len(checks) - met - missed))


# --------------------------------------------------- phase: downlink --
# scripts/bench-downlink.sh: the cloud's download and QoS 2 commands through
# a 20 Mbit/s modem upstream of the gateway, the gateway's ingress shaper
# at 19 Mbit/s on an ifb in front of it.
DL_ROWS = ["dl_none", "dl_cake", "dl_mqos", "dl_floor"]
DL_LABELS = {
    "dl_none": "no shaping (queue in the modem)",
    "dl_cake": "CAKE ingress 19 Mbit/s",
    "dl_mqos": "mqos ingress 19 Mbit/s",
    "dl_floor": "loaded floor (bypass)",
}
DL_COLS = [
    ("cmd_p50", "command p50 ms"),
    ("cmd_p99", "command p99 ms"),
    ("dl_rate_pct", "download % of modem"),
    ("modem_ms", "modem queue ms"),
    ("rt_per_cmd", "mqos realtime pkts/command"),
]


def downlink_derive(rows):
    """Realtime packets on the ifb per command sent, per repetition."""
    sent = {(r["kernel"], r["rep"], r["sched"]): r["value"] for r in rows
            if r["metric"] == "cmd_sent"}
    for r in list(rows):
        if r["metric"] == "rt_pkts" and sent.get((r["kernel"], r["rep"], r["sched"])):
            rows.append(dict(r, metric="rt_per_cmd",
                             value=r["value"] / sent[(r["kernel"], r["rep"], r["sched"])]))


def downlink_report(k, get, env):
    if not any((k, s, "cmd_p99") in get or (k, s, "cmd_sent") in get for s in DL_ROWS):
        return
    n = max(get[(k, s, m)]["n"] for s in DL_ROWS for m in ("cmd_p99", "cmd_sent")
            if (k, s, m) in get)
    print("Downlink, kernel %s, %s; 20 Mbit/s modem upstream of the gateway"
          " (netem rate, 400 ms buffer), ingress shapers at 19 Mbit/s; median [min-max]"
          " of %d run(s); latencies in ms" % (k, env.get(k, "?"), n))
    bench_table.show(bench_table.rows(
        k, get, fmt, ["row"] + [c[1] for c in DL_COLS] + ["commands rx"],
        DL_ROWS, DL_LABELS, DL_COLS, "cmd_delivered", "cmd_sent"))
    rt, be = get.get((k, "dl_mqos", "rt_per_cmd")), get.get((k, "dl_mqos", "be_pkts"))
    if rt:
        print("mqos ingress, hook off: on the ifb the realtime class sent %.2f packets"
              " per QoS 2 command (its PUBLISH and PUBREL; min %.2f), best-effort %d"
              " packets (the download) while the commands ran." %
              (rt["median"], rt["min"], be["median"] if be else 0))
        if rt["min"] < 1:
            print("WARNING: fewer realtime packets than commands on the ifb in some"
                  " repetition: not every command was classed realtime.")
    short = [s for s in DL_ROWS if get.get((k, s, "dl_short"), {}).get("max")]
    if short:
        print("WARNING: in %s the download had ended before the commands did:"
              " those rows' last commands ran partly unloaded."
              % ", ".join(DL_LABELS[s] for s in short))
    print()

    def med(s, m):
        x = get.get((k, s, m))
        return x["median"] if x else None

    v, c, f = med("dl_mqos", "cmd_p99"), med("dl_cake", "cmd_p99"), med("dl_floor", "cmd_p99")
    checks = [
        ("command p99 <= CAKE ingress's", "CAKE %s" % fmt(c),
         None if v is None or c is None else v <= c),
        ("command p99 <= loaded floor + 5 ms", "floor %s + 5" % fmt(f),
         None if v is None or f is None else v <= f + 5.0),
    ]
    print("Downlink goals on %s (mqos ingress row; medians of %d run(s)%s):" %
          (k, n, "" if n >= 3 else "; fewer than 3 repetitions: indicative only"))
    table = [["goal", "mqos", "against", "met?"]]
    for goal, ref, ok in checks:
        table.append([goal, "-" if v is None else fmt(v) + " ms", ref,
                      "-" if ok is None else ("met" if ok else "MISSED")])
    bench_table.show(table)
    met = sum(1 for c in checks if c[2])
    missed = sum(1 for c in checks if c[2] is False)
    print("%d goal(s) met, %d missed, %d not measured." %
          (met, missed, len(checks) - met - missed))
    print()
# ------------------------------------------------------- phase: cost --
# scripts/bench-cost.sh: pktgen through each qdisc in a VM whose clock
# counts emulated instructions (vm-run --icount): 10^9 / packets/s is the
# instructions per packet.
COST_ROWS = ["cost_pfifo_fast", "cost_fq_codel", "cost_htb", "cost_cake",
             "cost_mqos", "cost_mqos_fifo"]
COST_LABELS = {
    "cost_pfifo_fast": "pfifo_fast",
    "cost_fq_codel": "fq_codel",
    "cost_htb": "HTB, one class, fq_codel leaf",
    "cost_cake": "CAKE unlimited diffserv4",
    "cost_mqos": "mqos (flow queues in every class)",
    "cost_mqos_fifo": "mqos, flows 0 (a FIFO per class)",
}
COST_COLS = [
    ("cost_kpps", "pktgen kpps (counted)"),
    ("cost_ipp", "instructions/packet"),
    ("cost_own", "above pfifo_fast"),
    ("cost_vs_cake", "that / CAKE's"),
    ("pktgen_errors", "refused"),
]


def cost_derive(rows):
    """Instructions per packet, and above pfifo_fast's of the same run."""
    ipp = {}
    for r in list(rows):
        if r["sched"] in COST_ROWS and r["metric"] == "pktgen_pps" and r["value"] > 0:
            v = 1e9 / r["value"]
            ipp[(r["kernel"], r["rep"], r["sched"])] = v
            rows.append(dict(r, metric="cost_ipp", value=v))
            rows.append(dict(r, metric="cost_kpps", value=r["value"] / 1000))
    for (k, rep, s), v in ipp.items():
        base, cake = ipp.get((k, rep, "cost_pfifo_fast")), ipp.get((k, rep, "cost_cake"))
        if base is None:
            continue
        rows.append({"kernel": k, "rep": rep, "sched": s, "metric": "cost_own",
                     "value": v - base})
        if cake is not None and cake > base:
            rows.append({"kernel": k, "rep": rep, "sched": s, "metric": "cost_vs_cake",
                         "value": (v - base) / (cake - base)})


def cost_report(k, get):
    if not any((k, s, "cost_ipp") in get for s in COST_ROWS):
        return
    n = max(get[(k, s, "cost_ipp")]["n"] for s in COST_ROWS if (k, s, "cost_ipp") in get)
    print("Cost, kernel %s: pktgen (queue_xmit, dummy device, 60-byte UDP frames,"
          " 1000 flows) through each qdisc, unshaped, in a VM that counts instructions"
          " as time (qemu -icount); median [min-max] of %d run(s)" % (k, n))
    table = bench_table.rows(k, get, fmt, ["qdisc"] + [c[1] for c in COST_COLS] + [""],
                             COST_ROWS, COST_LABELS, COST_COLS, None, None)
    bench_table.show([r[:-1] for r in table])  # no delivered/sent column
    v, c = get.get((k, "cost_mqos", "cost_kpps")), get.get((k, "cost_cake", "cost_kpps"))
    ok = None if not v or not c else v["median"] >= c["median"]
    print("Goal: pktgen through mqos >= through CAKE, counted: %s (mqos %s kpps, CAKE %s)" %
          ("-" if ok is None else ("met" if ok else "MISSED"),
           fmt(v["median"]) if v else "-", fmt(c["median"]) if c else "-"))
    print()
# --


if __name__ == "__main__":
    main()
