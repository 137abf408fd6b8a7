#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Table-driven tc configuration tests in the form of the kernel's tc-testing
(tdc) JSON cases, run by a small runner of our own.

Each case (a JSON object in a list, one file per topic):
  id, name           a unique id (hex, like tdc's) and what it checks
  category           free-form tags
  setup              commands run first; a string, or [cmd, exit codes...]
                     that it may end with (default: 0)
  skipUnless         optional: a command that must succeed after setup,
                     else the case is a SKIP (for what the kernel may not
                     take yet); its stderr is the reason
  cmdUnderTest       the command under test
  expExitCode        its expected exit status (a string, as in tdc)
  verifyCmd          run after it; its stdout is searched for
  matchPattern       a Python regular expression (multi-line mode), found
  matchCount         this many times (a string)
  teardown           commands run last, whatever happened

The cases share one dummy device ($DEV1, up) in the network namespace the
runner runs in (tc_tdc.sh makes one): a case's teardown must remove what
it made, as in tdc. $TC and $IP are tc and ip. A command without shell
syntax is run directly (a process costs ~0.25 s in the emulated VM).
A skipUnless command is run once: its answer holds for every case that
names it. A case that
expects a failure (expExitCode not 0) must also leave the configuration as
it was: the runner compares `tc qdisc show dev $DEV1` and `tc class show
dev $DEV1` before and after.

Output: TAP, one line per case ("ok N - ID NAME", "# SKIP reason"), then
"# totals: P passed, F failed, S skipped". Exit 1 if any case failed.

  tdc_run.py [-v] FILE.json...      (-e ID: only that case)
"""
import json
import re
import shlex
import subprocess
import sys

PROBES = {}


def sh(ns, cmd, env, stdin=None):
    """Run cmd (a shell command line)."""
    full = cmd.replace("$TC", "tc").replace("$IP", "ip") \
              .replace("$DEV1", env["DEV1"]).replace("$DUMMY", env["DEV1"])
    args = ["sh", "-c", full] if re.search(r"[;&|<>$`'\"\\*?()]", full) \
        else shlex.split(full)
    p = subprocess.run(args, stdin=subprocess.DEVNULL if stdin is None else None,
                       input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def steps(lst):
    for s in lst or []:
        if isinstance(s, list):
            yield s[0], [int(x) for x in s[1:]] or [0]
        else:
            yield s, [0]


def config(ns, env):
    return sh(ns, "$TC -b -", env, stdin="qdisc show dev %s\nclass show dev %s\n" % (
        env["DEV1"], env["DEV1"]))[1]


def probe(ns, cmd, env):
    """None if cmd succeeds (after a case's setup), else why not; once."""
    if cmd not in PROBES:
        rc, _, err = sh(ns, cmd, env)
        PROBES[cmd] = None if rc == 0 else "'%s' refused: %s" % (
            cmd, " ".join(err.split()) or "exit %d" % rc)
    return PROBES[cmd]


def run_case(n, case, verbose):
    ns = None
    env = {"DEV1": "d0"}
    if PROBES.get(case.get("skipUnless")):
        return "skip", PROBES[case["skipUnless"]]
    try:
        for cmd, codes in steps(case.get("setup")):
            rc, out, err = sh(ns, cmd, env)
            if rc not in codes:
                return "fail", "setup '%s' exited %d: %s" % (cmd, rc, err.strip())
        if case.get("skipUnless"):
            why = probe(ns, case["skipUnless"], env)
            if why:
                return "skip", why
        exp = int(case["expExitCode"])
        before = config(ns, env) if exp != 0 else None
        rc, out, err = sh(ns, case["cmdUnderTest"], env)
        if verbose:
            print("# %s: exit %d %s" % (case["id"], rc, " ".join(err.split())))
        if rc != exp:
            return "fail", "cmdUnderTest exited %d, expected %d: %s" % (
                rc, exp, " ".join(err.split()))
        if exp != 0:
            after = config(ns, env)
            if after != before:
                return "fail", "refused, but the configuration changed:\n%s\n->\n%s" % (
                    before, after)
        if case.get("verifyCmd"):
            rc, out, err = sh(ns, case["verifyCmd"], env)
            found = len(re.findall(case["matchPattern"], out, re.M))
            if found != int(case["matchCount"]):
                return "fail", "'%s' matched %d times, expected %s; output:\n%s" % (
                    case["matchPattern"], found, case["matchCount"], out)
        return "pass", None
    finally:
        for cmd, _ in steps(case.get("teardown")):
            sh(ns, cmd, env)


def main(argv):
    verbose = "-v" in argv
    only = None
    if "-e" in argv:
        only = argv[argv.index("-e") + 1]
    files = [a for a in argv if a.endswith(".json")]
    cases = []
    ids = set()
    for f in files:
        for c in json.load(open(f)):
            if c["id"] in ids:
                print("Bail out! duplicate id %s in %s" % (c["id"], f))
                return 1
            ids.add(c["id"])
            if only is None or c["id"] == only:
                cases.append(c)
    print("TAP version 13")
    print("1..%d" % len(cases))
    rc, _, err = sh(None, "$IP -b -", {"DEV1": "d0"},
                    stdin="link add d0 type dummy\nlink set d0 up\n")
    if rc:
        for n, c in enumerate(cases, 1):
            print("ok %d - %s %s # SKIP no dummy device: %s" % (
                n, c["id"], c["name"], " ".join(err.split())))
        return 0
    res = {"pass": 0, "fail": 0, "skip": 0}
    for n, c in enumerate(cases, 1):
        try:
            st, why = run_case(n, c, verbose)
        except subprocess.TimeoutExpired as e:
            st, why = "fail", "timed out: %s" % e
        res[st] += 1
        name = "%s %s" % (c["id"], c["name"])
        if st == "pass":
            print("ok %d - %s" % (n, name))
        elif st == "skip":
            print("ok %d - %s # SKIP %s" % (n, name, why))
        else:
            print("not ok %d - %s" % (n, name))
            for line in why.splitlines():
                print("# " + line)
    print("# totals: %d passed, %d failed, %d skipped" % (
        res["pass"], res["fail"], res["skip"]))
    return 1 if res["fail"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
