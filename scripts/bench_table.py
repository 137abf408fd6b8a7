# SPDX-License-Identifier: GPL-2.0
"""The tables of scripts/bench-report.py, one way for every phase: a row
per scheduler, a cell per metric ("median [min-max]", or "-"), and a last
"delivered/sent" cell."""


def rows(k, get, fmt, head, scheds, labels, cols, delivered, sent):
    """The table for kernel k: head, then one row per scheduler of scheds.
    get maps (kernel, sched, metric) to a summary entry."""
    table = [head]
    for s in scheds:
        line = [labels[s]]
        for m, _ in cols:
            x = get.get((k, s, m))
            if not x:
                line.append("-")
            elif x["n"] > 1:
                line.append("%s [%s-%s]" % (fmt(x["median"]), fmt(x["min"]), fmt(x["max"])))
            else:
                line.append(fmt(x["median"]))
        d, t = get.get((k, s, delivered)), get.get((k, s, sent))
        line.append("%d/%d" % (d["median"], t["median"]) if d and t else "-")
        table.append(line)
    return table


def show(table):
    """Print a table as Markdown, its columns padded to one width."""
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(widths[j]) for j, c in enumerate(r)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
