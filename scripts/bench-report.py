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

SCHEDS = ["idle", "fifo", "pfifo_fast", "prio", "htb", "cake", "mqos", "mqos_hook"]
LABELS = {
    "idle": "idle link (no load)",
    "fifo": "bloated FIFO (tbf 2MB)",
    "pfifo_fast": "pfifo_fast (behind tbf)",
    "prio": "prio+priomap (behind tbf)",
    "htb": "HTB prio classes",
    "cake": "CAKE diffserv4",
    "mqos": "mqos",
    "mqos_hook": "mqos + hook (sticky)",
}
COLS = [
    ("ef_p50", "EF p50 ms"),
    ("ef_p99", "EF p99 ms"),
    ("lone_p50", "QoS2 lone p50"),
    ("lone_p99", "QoS2 lone p99"),
    ("burst_p50", "QoS2 burst p50"),
    ("burst_p99", "QoS2 burst p99"),
    ("goodput_pct", "goodput %"),
    ("shaping_err_pct", "shaping err %"),
    ("pps_rel", "pps vs pfifo_fast"),
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

    summary = []
    for k in sorted({r["kernel"] for r in rows}):
        for s in SCHEDS:
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
        n = max(x["n"] for x in summary if x["kernel"] == k)
        print("Kernel %s, %s; 20 Mbit/s bottleneck; median [min-max] of %d run(s);"
              " latencies in ms" % (k, env.get(k, "?"), n))
        head = ["scheduler"] + [c[1] for c in COLS] + ["alarms rx"]
        table = [head]
        for s in SCHEDS:
            line = [LABELS[s]]
            for m, _ in COLS:
                x = get.get((k, s, m))
                if not x:
                    line.append("-")
                elif x["n"] > 1:
                    line.append("%s [%s-%s]" % (fmt(x["median"]), fmt(x["min"]), fmt(x["max"])))
                else:
                    line.append(fmt(x["median"]))
            d, t = get.get((k, s, "alarms_delivered")), get.get((k, s, "alarms_sent"))
            line.append("%d/%d" % (d["median"], t["median"]) if d and t else "-")
            table.append(line)
        widths = [max(len(r[i]) for r in table) for i in range(len(head))]
        for i, r in enumerate(table):
            print("| " + " | ".join(c.ljust(widths[j]) for j, c in enumerate(r)) + " |")
            if i == 0:
                print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        print()


if __name__ == "__main__":
    main()
