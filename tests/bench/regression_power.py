#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: can the regression verdicts be trusted on this machine? False alarms and power.

The workload is pc_work, a CPU-bound program doing a FIXED number of steps (not "spin for N
ms", so machine noise shows up in its run time as it would in a real program's), sized to
about --target-ms of CPU time per run. A slowdown is injected exactly by scaling the steps.
A run also has a fixed cost that does not grow with the work (exec, loading, exit: 2-4 ms of
CPU on a busy VM), so "+10%" scales the steps by 1 + 0.10 * (1 + fixed / work), making the
whole run 10% slower; the fixed cost and the cost per step are measured first (a line
through two step counts), and the slowdown the command arms then measured is printed.

Every gate is the real `perfcheck run` with the default settings of a perf test (warm-up 1,
10 runs extended up to 40 while the verdict is inconclusive, alpha 0.01: nothing is given
but the rule, the baseline and the history), and the
verdict is read from its result JSON (`verdict`, `regressions[0]`). The rule is
`wall.median +5%` (--rule), the README's and `perfcheck compare`'s. So at +10% a gate must
show the whole 99% interval above +5%; at +5% the change equals the tolerance and the rule
should flag it rarely (at most alpha/2 of the time if the interval covers as it claims): the
+5% arms show the rule at its boundary, not its power. --perfcheck-arg adds an argument to
every gate, for experiments (e.g. --perfcheck-arg=--runs=10:40); the goals are about the
defaults.

Arms (a gate alarms when its verdict is `regressed`, the one that fails CI):
  (a) A/A, history baseline. The history is built as CI builds it: --seed-sessions gates of
      the unchanged program on branch `main` first, then every A/A gate of the benchmark is
      one more CI session on `main`: it is compared with the history as it stands (the newest
      comparable results, pooled up to perfcheck's cap of 200 runs = 20 sessions, so a
      sliding window) and then recorded into it, alarms included. Each gate therefore sees
      only earlier results, as in CI; consecutive gates share most of their baseline, so the
      gates are not independent (the Wilson interval assumes they are; read it as a guide).
  (b) +5% and +10% (and A/A), command baseline: candidate `pc_work N SCALE`, baseline
      command `pc_work N 1`, interleaved in random ABAB order by perfcheck itself.
  (c) +5% and +10%, history baseline: a pull-request gate. The candidate has the same
      command line as the `main` gates (the slowdown comes in through PC_WORK_SCALE, which
      is not part of the spec hash, as a new build of the same program is not), runs on its
      own branch `pr-<i>` with nothing recorded yet, so perfcheck falls back to the `main`
      history of (a). The A/A counterpart of (c) is (a) itself.
All arms run interleaved, round by round, in a random order within each round, so that the
load of a shared machine falls on all of them alike. The sessions of (a) are a second or
two apart; sessions hours apart in a real CI may drift more between them.

Figures: per arm the share of gates that alarmed (false-alarm rate for A/A arms, detection
rate for slowdowns) with its Wilson 95% interval, the other verdicts, and the median change
and interval perfcheck reported. Goals (the issue's): (a) false-alarm rate <= 1% and (b)
detection at +10% >= 90%, both judged on the observed rate; the interval shows what the
number of gates can tell (0 of 100 still allows up to 3.7%). Exit 1 when a goal is missed.
Every A/A alarm is printed with perfcheck's reason, to look into. Prints <CTestMeasurement>
tags; progress goes to stderr.
"""
import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

Z95 = 1.959963984540054  # Phi^-1(0.975)


def wilson(successes, n, z=Z95):
    """Wilson (1927) score interval of a proportion, (low, high)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0 or n successes one end is exactly 0 or 1 (centre - half cancels to rounding noise).
    return (0.0 if successes == 0 else centre - half), (1.0 if successes == n else centre + half)


def check_wilson():
    # Published values: Newcombe (1998), "Two-sided confidence intervals for the single
    # proportion", Stat. Med. 17:857-872, Table II, method 3 (score without continuity
    # correction): 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0-0.1611,
    # 1/29 -> 0.0061-0.1718. And 0/100 -> [0, 0.0370]: with no successes the upper end is
    # z^2 / (n + z^2) = 3.8415 / 103.8415.
    for s, n, lo, hi in ((81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
                         (1, 29, 0.0061, 0.1718), (0, 100, 0.0, 0.0370)):
        got = wilson(s, n)
        assert abs(got[0] - lo) < 5e-5 and abs(got[1] - hi) < 5e-5, (s, n, got)


class Bench:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.history = os.path.join(work, "history.sqlite")
        self.results = os.path.join(work, "results")
        os.makedirs(self.results)
        # A clean environment for perfcheck: nothing from the caller's perf setup (a calibration
        # file, a default history, a session id) may change the defaults under test.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("PERFCHECK_") and k != "PC_WORK_SCALE"}
        self.count = 0
        self.log = open(os.path.join(work, "gates.jsonl"), "w")

    def gate(self, arm, command, baseline, branch, scale_env=None, baseline_command=None, record=True):
        """One `perfcheck run` with default settings; returns the parsed record."""
        self.count += 1
        path = os.path.join(self.results, f"{self.count:04d}-{arm}.json")
        name = "regression_power" if baseline == "history" else "regression_power.command"
        argv = [self.args.perfcheck, "run", "-q", "--name", name, "--json", path,
                "--regression", self.args.rule, "--baseline", baseline] + self.args.perfcheck_arg
        for word in baseline_command or []:  # one --baseline-arg per word: paths with spaces survive
            argv += ["--baseline-arg", word]
        if record:
            argv += ["--history", self.history]
        argv += ["--"] + command
        env = dict(self.env)
        env["PERFCHECK_GIT_BRANCH"] = branch
        env["PERFCHECK_SESSION_ID"] = f"bench-{self.count:04d}"
        if scale_env is not None:
            env["PC_WORK_SCALE"] = repr(scale_env)
        done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"perfcheck exited {done.returncode}: {' '.join(argv)}\n{done.stdout}{done.stderr}")
        with open(path) as f:
            result = json.load(f)
        finding = result["regressions"][0] if result["regressions"] else None
        base_samples = (result.get("baseline") or {}).get("samples") or []  # the command baseline's runs
        rec = {"gate": self.count, "arm": arm, "verdict": result["verdict"], "exit": done.returncode,
               "decision": finding["decision"] if finding else "unchecked",
               "change": finding["change"] if finding else None,
               "ci_low": finding["ci_low"] if finding else None,
               "ci_high": finding["ci_high"] if finding else None,
               "p_adjusted": finding["p_adjusted"] if finding else None,
               "baseline_runs": (result.get("baseline") or {}).get("runs"),
               "baseline_sessions": (result.get("baseline") or {}).get("sessions"),
               "candidate_median": result["summary"]["wall"]["median"],
               "candidate_cpu_median": result["summary"]["cpu"]["median"],
               "baseline_median": finding["baseline_median"] if finding else None,
               "baseline_cpu_median": median_of(base_samples, lambda r: r["user_ns"] + r["sys_ns"]),
               "baseline_wall_median": median_of(base_samples, lambda r: r["wall_ns"]),
               "reason": finding["reason"] if finding else None,
               "load": result["environment"].get("load_average_1m"),
               "warnings": result["warnings"]}
        self.log.write(json.dumps(rec) + "\n")
        self.log.flush()
        return rec


def median_of(samples, value):
    return statistics.median(value(r) for r in samples) if samples else None


def calibrate(args, work):
    """(steps, fixed_ns): pc_work's steps for about --target-ms of CPU time per run, and the
    fixed CPU cost of a run (exec, loading, exit), from a line through two step counts. CPU
    time, not wall: it is what the program itself costs, whatever the load."""
    def cpu_median(steps):
        path = os.path.join(work, "pilot.json")
        subprocess.run([args.perfcheck, "run", "-q", "--runs", "10", "--json", path, "--", args.program, str(steps)],
                       check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            return json.load(f)["summary"]["cpu"]["median"]
    small, big = 2_000_000, 12_000_000
    lows, highs = [], []
    for _ in range(2):  # alternate, so a change of load hits both ends alike
        lows.append(cpu_median(small))
        highs.append(cpu_median(big))
    low, high = statistics.median(lows), statistics.median(highs)
    per_step = max(high - low, 1.0) / (big - small)
    target = args.target_ms * 1e6
    fixed = min(max(low - per_step * small, 0.0), target / 2)
    return max(1000, int((target - fixed) / per_step)), fixed


def summarize(records):
    n = len(records)
    alarms = sum(r["verdict"] == "regressed" for r in records)
    low, high = wilson(alarms, n)
    decided = [r for r in records if r["change"] is not None]
    med = lambda key: statistics.median(r[key] for r in decided) if decided else float("nan")
    return {"n": n, "regressed": alarms, "rate": alarms / n if n else float("nan"), "low": low, "high": high,
            "inconclusive": sum(r["verdict"] == "inconclusive" for r in records),
            "improved": sum(r["verdict"] == "improved" for r in records),
            "pass": sum(r["verdict"] == "pass" for r in records),
            "unchecked": sum(r["decision"] == "unchecked" for r in records),
            "change": med("change"), "ci_low": med("ci_low"), "ci_high": med("ci_high")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True, help="pc_work: ITERATIONS [SCALE] steps of CPU-bound work")
    ap.add_argument("--rule", default="wall.median +5%", help="the regression rule of every gate [default: %(default)s]")
    ap.add_argument("--perfcheck-arg", action="append", default=[], metavar="ARG",
                    help="one more argument for every gate, e.g. --perfcheck-arg=--runs=10:40 (experiments only: "
                         "the goals are about the defaults)")
    ap.add_argument("--target-ms", type=float, default=20, help="CPU time of one unscaled run [default: %(default)s]")
    ap.add_argument("--iterations", type=int, default=0, help="pc_work steps (default: calibrated to --target-ms)")
    ap.add_argument("--fixed-ms", type=float, default=0, help="with --iterations: the fixed CPU cost of a run")
    ap.add_argument("--aa-gates", type=int, default=100, help="(a): A/A gates with the history baseline")
    ap.add_argument("--trials", type=int, default=50, help="(b), (c): gates per slowdown and baseline kind")
    ap.add_argument("--command-aa", type=int, default=None, help="A/A gates with the command baseline [default: --trials]")
    ap.add_argument("--seed-sessions", type=int, default=10, help="sessions recorded on main before the first gate")
    ap.add_argument("--slowdowns", default="0.05,0.10", help="injected slowdowns (fractions) [default: %(default)s]")
    ap.add_argument("--goal-false-alarms", type=float, default=0.01)
    ap.add_argument("--goal-detection", type=float, default=0.90, help="at the largest slowdown, command baseline")
    ap.add_argument("--seed", type=int, default=None, help="order of the arms within rounds")
    ap.add_argument("--keep", metavar="DIR", help="work here and keep the history, results and gates.jsonl")
    args = ap.parse_args()
    check_wilson()
    if args.command_aa is None:
        args.command_aa = args.trials
    slowdowns = [float(s) for s in args.slowdowns.split(",")]
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)

    start = time.monotonic()
    if args.keep:
        work = os.path.abspath(args.keep)
        if os.path.isdir(work) and os.listdir(work):
            if not os.path.exists(os.path.join(work, "gates.jsonl")):  # never wipe a folder that is not ours
                ap.error(f"--keep {work}: the folder exists and is not an earlier run of this benchmark")
            shutil.rmtree(work)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="perfcheck-power-")
    try:
        if args.iterations:
            iterations, fixed_ns = args.iterations, args.fixed_ms * 1e6
        else:
            iterations, fixed_ns = calibrate(args, work)
        # A slowdown of s makes the whole run s slower: the steps grow by s * (steps + the
        # fixed cost in steps), since process start and exit do not grow with the work.
        step_scale = {sd: 1 + sd * (1 + fixed_ns / (args.target_ms * 1e6 - fixed_ns)) for sd in slowdowns}
        bench = Bench(args, work)
        unscaled = [args.program, str(iterations)]
        print(f"pc_work {iterations} steps (~{args.target_ms:g} ms CPU, of which {fixed_ns / 1e6:.2f} ms fixed per run; "
              f"step scales {', '.join(f'{v:.4f}' for v in step_scale.values())}), rule '{args.rule}', "
              f"{' '.join(args.perfcheck_arg) or 'default runs/alpha'}; seed {seed}; work in {work}", file=sys.stderr)

        for i in range(args.seed_sessions):
            bench.gate("seed", unscaled, "history", "main")
            print(f"seed session {i + 1}/{args.seed_sessions}", file=sys.stderr)

        scales = [s for s in slowdowns for _ in range(args.trials)]
        rng.shuffle(scales)
        rounds = max(args.aa_gates, len(scales), args.command_aa)
        records = {}
        for i in range(rounds):
            jobs = []
            if i < args.aa_gates:
                jobs.append(("a.history.aa", lambda: bench.gate("a.history.aa", unscaled, "history", "main")))
            if i < len(scales):
                s = scales[i]
                tag = f"{s * 100:g}"
                k = step_scale[s]
                jobs.append((f"c.history.+{tag}%", lambda k=k, tag=tag: bench.gate(
                    f"c.history.+{tag}%", unscaled, "history", f"pr-{i}", scale_env=k)))
                jobs.append((f"b.command.+{tag}%", lambda k=k, tag=tag: bench.gate(
                    f"b.command.+{tag}%", [args.program, str(iterations), repr(k)], "command", f"pr-{i}",
                    baseline_command=[args.program, str(iterations), "1"])))
            if i < args.command_aa:
                jobs.append(("b.command.aa", lambda: bench.gate(
                    "b.command.aa", [args.program, str(iterations), "1"], "command", f"pr-{i}",
                    baseline_command=[args.program, str(iterations), "1"])))
            rng.shuffle(jobs)
            line = []
            for arm, job in jobs:
                rec = job()
                records.setdefault(arm, []).append(rec)
                line.append(f"{arm}={rec['verdict']}")
            elapsed = time.monotonic() - start
            load = rec["load"] if rec["load"] is not None else float("nan")
            print(f"round {i + 1}/{rounds} ({elapsed:.0f} s, load {load:.1f}): {' '.join(line)}", file=sys.stderr)

        elapsed = time.monotonic() - start
        order = ["a.history.aa"] + [f"b.command.+{s * 100:g}%" for s in slowdowns] + ["b.command.aa"] + \
                [f"c.history.+{s * 100:g}%" for s in slowdowns]
        pct = lambda x: f"{x * 100:+.1f}%" if x == x else "n/a"
        print(f"rule '{args.rule}', {'extra arguments ' + ' '.join(args.perfcheck_arg) if args.perfcheck_arg else 'default runs and alpha'}; pc_work {iterations} steps (~{args.target_ms:g} ms CPU, "
              f"{fixed_ns / 1e6:.2f} ms of it fixed); {bench.count} gates in {elapsed:.0f} s; seed {seed}")
        print(f"{'arm':18}{'gates':>6}{'regressed':>10}{'rate':>7}{'Wilson 95%':>17}{'pass':>6}{'impr':>6}"
              f"{'inconc':>8}{'unchk':>7}{'med change':>12}{'med interval':>20}")
        summary = {}
        for arm in order:
            if arm not in records:
                continue
            s = summary[arm] = summarize(records[arm])
            print(f"{arm:18}{s['n']:>6}{s['regressed']:>10}{s['rate'] * 100:>6.1f}%"
                  f"{'[' + format(s['low'] * 100, '.1f') + '%, ' + format(s['high'] * 100, '.1f') + '%]':>17}"
                  f"{s['pass']:>6}{s['improved']:>6}{s['inconclusive']:>8}{s['unchecked']:>7}{pct(s['change']):>12}"
                  f"{pct(s['ci_low']) + ' … ' + pct(s['ci_high']):>20}")
        # What the injected slowdowns really were: the command arms compare side by side.
        for s in slowdowns:
            arm = f"b.command.+{s * 100:g}%"
            if arm in records:
                ratios = [r["candidate_median"] / r["baseline_wall_median"] - 1 for r in records[arm]
                          if r["baseline_wall_median"]]
                cpu = [r["candidate_cpu_median"] / r["baseline_cpu_median"] - 1 for r in records[arm]
                       if r["baseline_cpu_median"]]
                if ratios and cpu:
                    print(f"injected +{s:.0%} (steps x{step_scale[s]:.4f}): measured, median over the gates of "
                          f"candidate median / baseline median: wall {statistics.median(ratios) * 100:+.2f}%, "
                          f"cpu {statistics.median(cpu) * 100:+.2f}%")
        # Every alarm of an A/A arm, so that a missed goal can be looked into.
        for arm in order:
            for r in records.get(arm, []) if arm.endswith(".aa") else []:
                if r["verdict"] == "regressed":
                    print(f"false alarm: gate {r['gate']} ({arm}, load {r['load']}, baseline {r['baseline_runs']} runs "
                          f"from {r['baseline_sessions']} session(s)): {r['reason']}")

        tags = {"runtime_s": elapsed, "gates": bench.count, "pc_work_iterations": iterations,
                "fixed_cpu_ms": fixed_ns / 1e6}
        for arm, s in summary.items():
            key = arm.replace("+", "").replace("%", "pct")
            tags[f"{key}.rate"] = s["rate"]
            tags[f"{key}.wilson_low"] = s["low"]
            tags[f"{key}.wilson_high"] = s["high"]
            tags[f"{key}.inconclusive"] = s["inconclusive"]
        for name, value in tags.items():
            print(f'<CTestMeasurement type="numeric/double" name="{name}">{value:.6g}</CTestMeasurement>')

        ok = True
        aa = summary.get("a.history.aa")
        if aa and aa["rate"] > args.goal_false_alarms:
            print(f"goal missed: (a) A/A false-alarm rate with the history baseline {aa['rate']:.1%} "
                  f"({aa['regressed']} of {aa['n']}, Wilson [{aa['low']:.1%}, {aa['high']:.1%}]), goal <= "
                  f"{args.goal_false_alarms:.0%}")
            ok = False
        top = summary.get(f"b.command.+{max(slowdowns) * 100:g}%")
        if top and top["rate"] < args.goal_detection:
            print(f"goal missed: (b) detection of +{max(slowdowns):.0%} with the command baseline {top['rate']:.1%} "
                  f"({top['regressed']} of {top['n']}, Wilson [{top['low']:.1%}, {top['high']:.1%}]), goal >= "
                  f"{args.goal_detection:.0%}")
            ok = False
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
