#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: gates on instruction counts (COUNT instructions, docs/instructions.md).

Two questions, each answered with real `perfcheck run --count instructions` gates:

1. False alarms and detection. The workload is pc_work, a fixed number of CPU-bound steps.
   Every gate compares a candidate with the baseline command `pc_work N 1` (interleaved by
   perfcheck itself, --runs R each side) under the rule `instructions.median +T%` (--tolerance,
   default 0.1%: a count steady to parts per million leaves room for a tight rule).
     - A/A arm: the candidate is the baseline's command line; a `regressed` verdict is a false
       alarm.
     - +0.5% arm: the candidate does enough more steps that the whole run, start-up included,
       executes 0.5% more instructions (--change). Both sides write the scale with six decimals,
       so that parsing it costs them the same instructions. The steps are sized from two calibration
       counts (a line through N and 2N steps: the fixed instructions of exec, loading and exit,
       and those of one step); the change the gates then measure is printed. A verdict other
       than `regressed` is a miss.
   The arms alternate gate by gate, so that a machine that drifts touches both alike. Rates
   come with a 95% Wilson interval: 0 alarms in 100 gates bounds the false-alarm rate below
   3.7%, not below alpha; more gates (--gates) narrow it.
2. Slowdown of a counted run. The same program, sized to about --slow-ms of wall time, is run
   with and without COUNT; the ratio of the median wall times of its runs is the price of
   counting with the source perfcheck picked (valgrind where there are no hardware counters,
   goal <= 20x; perf stat where there are).

Exit 1 when a goal is missed: a false alarm, a miss, or a valgrind slowdown above 20x. Exit 77
(skipped) when nothing can count instructions here. Prints <CTestMeasurement> tags.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def wilson(k, n, z=1.959964):
    """95% Wilson score interval of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="perfcheck-bench-instr-")
        self.json = os.path.join(self.tmp, "result.json")

    def run(self, *argv, expect=(0, 1)):
        p = subprocess.run([self.args.perfcheck, "run", "-q", "--json", self.json, "--warmup", "0", *argv],
                           capture_output=True, text=True, timeout=600)
        if p.returncode not in expect:
            sys.exit(f"perfcheck run {' '.join(argv)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
        with open(self.json) as f:
            return json.load(f)

    def count(self, steps):
        r = self.run("--count", "instructions", "--runs", "1", "--", self.args.program, str(steps), "1")
        return r["runs"][0]["instructions"], r["metadata"].get("instructions.source", "?")

    def gate(self, scale):
        rule = f"instructions.median +{self.args.tolerance}%"
        r = self.run("--count", "instructions", "--runs", str(self.args.runs), "--regression", rule,
                     "--baseline", "command", "--baseline-command", f"{self.args.program} {self.args.steps} 1.000000",
                     "--", self.args.program, str(self.args.steps), f"{scale:.6f}")
        change = r["regressions"][0]["change"] if r["regressions"] else float("nan")
        return r["verdict"], change

    def walls(self, counted, steps):
        extra = ["--count", "instructions"] if counted else []
        r = self.run(*extra, "--runs", "3", "--", self.args.program, str(steps), "1")
        return statistics.median(run["wall_ns"] for run in r["runs"]) / 1e9


def calibrate(bench):
    """The scale of the steps that makes the whole run's count rise by --change percent."""
    n = bench.args.steps
    one, source = bench.count(n)
    two, _ = bench.count(2 * n)
    per_step = (two - one) / n
    fixed = one - per_step * n
    scale = 1 + bench.args.change / 100 * one / (per_step * n)
    print(f"source: {source}; pc_work {n}: {one:.0f} instructions ({fixed:.0f} fixed, {per_step:.2f} per step); "
          f"+{bench.args.change}% of the whole run = steps x {scale:.6f}")
    return scale, source


def gates(bench, scale):
    arms = {"A/A": 1.0, f"+{bench.args.change}%": scale}
    verdicts = {name: [] for name in arms}
    changes = {name: [] for name in arms}
    start = time.monotonic()
    for i in range(bench.args.gates):
        for name, s in (arms.items() if i % 2 == 0 else reversed(list(arms.items()))):
            verdict, change = bench.gate(s)
            verdicts[name].append(verdict)
            changes[name].append(change)
        if (i + 1) % 10 == 0:
            print(f"  {i + 1}/{bench.args.gates} gates per arm, {time.monotonic() - start:.0f} s", flush=True)
    return verdicts, changes


def report_gates(bench, verdicts, changes):
    missed = []
    tags = {}
    for name, got in verdicts.items():
        n = len(got)
        regressed = sum(v == "regressed" for v in got)
        others = sorted({v for v in got if v != "regressed"})
        if n == 0:
            continue
        low, high = wilson(regressed, n)
        finite = [c for c in changes[name] if not math.isnan(c)]
        median_change = statistics.median(finite) * 100 if finite else float("nan")
        print(f"{name:>7}: regressed in {regressed} of {n} gates ({100 * regressed / n:.1f}%, 95% interval "
              f"{100 * low:.1f}%..{100 * high:.1f}%); median change measured {median_change:+.4f}%"
              + (f"; other verdicts: {', '.join(others)}" if others else ""))
        key = "aa" if name == "A/A" else "change"
        tags[f"{key}.regressed"] = regressed
        tags[f"{key}.gates"] = n
        if name == "A/A" and regressed > 0:
            missed.append(f"{regressed} false alarms in {n} A/A gates (goal: none)")
        if name != "A/A" and regressed < n:
            missed.append(f"the +{bench.args.change}% change was caught in {regressed} of {n} gates (goal: all)")
    return missed, tags


def slowdown(bench, source):
    # Size the program to about --slow-ms uncounted (twice: the first guess is start-up bound).
    steps = bench.args.steps
    for _ in range(2):
        wall = bench.walls(False, steps)
        steps = max(steps, int(steps * bench.args.slow_ms / 1e3 / max(wall, 1e-6)))
    plain = bench.walls(False, steps)
    counted = bench.walls(True, steps)
    ratio = counted / plain
    print(f"slowdown of a counted run ({source}): pc_work {steps} takes {plain * 1e3:.1f} ms, "
          f"{counted * 1e3:.1f} ms counted: {ratio:.1f}x")
    missed = [f"counting with valgrind slows a run {ratio:.1f}x (goal <= 20x)"] if source == "valgrind" and ratio > 20 else []
    return missed, ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True, help="pc_work")
    ap.add_argument("--gates", type=int, default=100, help="gates per arm (at least 1)")
    ap.add_argument("--runs", type=int, default=5, help="runs of each side of a gate")
    ap.add_argument("--steps", type=int, default=200000, help="pc_work's steps in a gate")
    ap.add_argument("--tolerance", type=float, default=0.1, help="the rule's tolerance, percent")
    ap.add_argument("--change", type=float, default=0.5, help="the injected change, percent of the whole run")
    ap.add_argument("--slow-ms", type=float, default=200, help="uncounted wall time of the slowdown program")
    args = ap.parse_args()
    if args.gates < 1 or args.runs < 1:
        ap.error("--gates and --runs take at least 1")
    bench = Bench(args)

    probe = bench.run("--count", "instructions", "--runs", "1", "--", args.program, "1000", "1", expect=(0, 1, 77))
    if probe["verdict"] == "skipped" or probe["runs"][0].get("instructions") is None:
        print("nothing counts instructions on this machine (no hardware counter, no valgrind): skipped")
        return 77
    scale, source = calibrate(bench)
    print(f"{args.gates} gates per arm, {args.runs} runs a side, rule instructions.median +{args.tolerance}%")
    verdicts, changes = gates(bench, scale)
    missed, tags = report_gates(bench, verdicts, changes)
    slow_missed, ratio = slowdown(bench, source)
    missed += slow_missed
    shutil.rmtree(bench.tmp, ignore_errors=True)
    tags["slowdown"] = ratio
    for name, value in tags.items():
        print(f'<CTestMeasurement type="numeric/double" name="{name}">{value:g}</CTestMeasurement>')
    for line in missed:
        print("goal missed:", line)
    if not missed:
        print("goals met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
