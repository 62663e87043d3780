#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: what one run of a trivial program costs under perfcheck vs `hyperfine -N`.

The two tools alternate (ABAB...) for --rounds rounds of --runs runs each, so drift on a
shared machine hits both alike. Per tool it reports:
  - measured: the median wall time the tool itself reports for the program, and
  - cost per run: the tool's marginal elapsed time per run, (T(3N) - T(N)) / 2N, i.e. what
    one more run costs the user, and
  - start-up: T(N) minus N runs at that cost (perfcheck's overhead probe lands here), and
  - whole process: the elapsed time of the same whole command a user types,
    `perfcheck run --runs 300 --warmup 3 -- /bin/true` against
    `hyperfine -N --runs 300 --warmup 3 /bin/true`, interleaved (goal: perfcheck <= 0.9x).
  - the floor: with --spawn-loop, a bare C loop that starts the program 303 times with
    posix_spawn and waitpid and measures nothing, in the same interleaved rounds. No tool
    can take less; a goal below the floor's ratio cannot be met on this machine, and the
    bench says so.
perfcheck measures its launch overhead at most once a day per machine (a cache file); the
whole-process rounds run with a warm cache, as every run after a machine's first does, and
one extra round with PERFCHECK_CACHE_DIR="" shows the cost without the cache.
perfcheck's own peak RSS is measured by an outer `perfcheck run` (its launcher keeps the
figure honest; a Python parent would inflate it with its own RSS).

Exit 1 when a goal is missed: perfcheck's cost per run above hyperfine's by more than
--tolerance, its whole-process time above --whole-goal times hyperfine's, or its peak RSS
over 10 MiB. Prints <CTestMeasurement> tags.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1024 * 1024


def timed(argv):
    start = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def whole_process(args):
    """Medians over interleaved rounds of perfcheck's whole time / hyperfine's: with a warm
    overhead cache, without the cache, and (with --spawn-loop) the bare loop's / hyperfine's."""
    pc = ["run", "--runs", "300", "--warmup", "3", "--", args.whole_program]
    hf = [args.hyperfine, "-N", "--runs", "300", "--warmup", "3", args.whole_program]
    cache = tempfile.mkdtemp(prefix="perfcheck-bench-cache-")
    warm = dict(os.environ, PERFCHECK_CACHE_DIR=cache)
    cold = dict(os.environ, PERFCHECK_CACHE_DIR="")

    def elapsed(argv, env=None):
        start = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        return time.monotonic() - start

    elapsed([args.perfcheck] + pc, warm)  # fills the cache
    sides = {"warm": lambda: elapsed([args.perfcheck] + pc, warm),
             "uncached": lambda: elapsed([args.perfcheck] + pc, cold)}
    if args.spawn_loop:
        sides["floor"] = lambda: elapsed([args.spawn_loop, "303", args.whole_program])
    ratios = {name: [] for name in sides}
    for i in range(args.whole_rounds):
        for j, name in enumerate(sides):
            # Alternate which tool goes first.
            if (i + j) % 2 == 0:
                t_side, t_hf = sides[name](), elapsed(hf)
            else:
                t_hf = elapsed(hf)
                t_side = sides[name]()
            ratios[name].append(t_side / t_hf)
    return {name: statistics.median(r) for name, r in ratios.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True, help="the trivial program to run")
    ap.add_argument("--hyperfine", default="hyperfine")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--tolerance", type=float, default=0.05, help="allowed excess over hyperfine (fraction)")
    ap.add_argument("--whole-program", default="/bin/true", help="the program of the whole-process rounds")
    ap.add_argument("--whole-rounds", type=int, default=15)
    ap.add_argument("--whole-goal", type=float, default=0.9, help="goal for perfcheck / hyperfine whole time")
    ap.add_argument("--spawn-loop", help="pc_spawn_loop: the floor, a bare posix_spawn + waitpid loop")
    args = ap.parse_args()

    warmup = 5
    tmp = tempfile.mkdtemp(prefix="perfcheck-bench-")
    pc_json, hf_json = os.path.join(tmp, "p.json"), os.path.join(tmp, "h.json")

    def hyperfine(runs):
        t = timed([args.hyperfine, "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                   "--export-json", hf_json, args.program])
        with open(hf_json) as f:
            return t, json.load(f)["results"][0]["median"]

    def perfcheck(runs):
        t = timed([args.perfcheck, "run", "-q", "--warmup", str(warmup), "--runs", str(runs),
                   "--json", pc_json, "--", args.program])
        with open(pc_json) as f:
            return t, json.load(f)["summary"]["wall"]["median"] / 1e9

    n = args.runs
    results = {"hyperfine": ([], [], []), "perfcheck": ([], [], [])}  # measured, cost, start-up
    for _ in range(args.rounds):
        for name, tool in (("hyperfine", hyperfine), ("perfcheck", perfcheck)):
            t_small, measured = tool(n)
            t_big, _ = tool(3 * n)
            cost = (t_big - t_small) / (2 * n)
            results[name][0].append(measured)
            results[name][1].append(cost)
            results[name][2].append(t_small - (n + warmup) * cost)

    whole_ratios = whole_process(args)
    whole, uncached = whole_ratios["warm"], whole_ratios["uncached"]
    floor = whole_ratios.get("floor")

    # perfcheck's own peak RSS while it runs the same workload.
    rss_json = os.path.join(tmp, "rss.json")
    subprocess.run([args.perfcheck, "run", "-q", "--warmup", "0", "--runs", "3", "--json", rss_json, "--",
                    args.perfcheck, "run", "-q", "--warmup", "0", "--runs", str(args.runs), "--", args.program],
                   check=True, stdout=subprocess.DEVNULL)
    with open(rss_json) as f:
        rss_max = json.load(f)["summary"]["rss"]["max"]

    med = statistics.median
    ms = lambda s: s * 1e3
    hf = [med(x) for x in results["hyperfine"]]
    pc = [med(x) for x in results["perfcheck"]]
    ratio = pc[1] / hf[1]
    print(f"{args.rounds} interleaved rounds of {n} and {3 * n} runs of {args.program}")
    print(f"{'':14}{'measured median':>17}{'cost per run':>15}{'start-up':>12}")
    for name, v in (("hyperfine -N", hf), ("perfcheck", pc)):
        print(f"{name:14}{ms(v[0]):>14.3f} ms{ms(v[1]):>12.3f} ms{ms(v[2]):>9.1f} ms")
    print(f"perfcheck / hyperfine cost per run: {ratio:.3f}")
    print(f"whole process, {args.whole_rounds} interleaved rounds of 300 runs of {args.whole_program}: "
          f"perfcheck / hyperfine {whole:.3f} (median of paired ratios; without the overhead cache {uncached:.3f})")
    if floor is not None:
        print(f"floor: a bare posix_spawn + waitpid loop of 303 runs, measuring nothing, takes {floor:.3f}x "
              f"hyperfine's time; perfcheck takes {whole / floor:.3f}x the floor's")
    print(f"perfcheck peak RSS: {rss_max / MIB:.2f} MiB")
    tags = {"perfcheck.measured_ms": ms(pc[0]), "hyperfine.measured_ms": ms(hf[0]),
            "perfcheck.per_run_ms": ms(pc[1]), "hyperfine.per_run_ms": ms(hf[1]),
            "perfcheck.startup_ms": ms(pc[2]), "hyperfine.startup_ms": ms(hf[2]),
            "per_run_ratio": ratio, "whole_ratio": whole, "whole_ratio_uncached": uncached,
            **({"floor_ratio": floor, "whole_over_floor": whole / floor} if floor is not None else {}),
            "perfcheck.rss_mib": rss_max / MIB}
    for name, value in tags.items():
        print(f'<CTestMeasurement type="numeric/double" name="{name}">{value:.6g}</CTestMeasurement>')
    ok = True
    if ratio > 1 + args.tolerance:
        print(f"goal missed: perfcheck costs {ratio:.3f}x hyperfine per run (goal <= 1, {args.tolerance:.0%} noise allowed)")
        ok = False
    if whole > args.whole_goal:
        print(f"goal missed: perfcheck's whole run takes {whole:.3f}x hyperfine's (goal <= {args.whole_goal})")
        if floor is not None and floor > args.whole_goal:
            print(f"  the goal is below this machine's floor: a loop that only starts and waits for the "
                  f"program takes {floor:.3f}x hyperfine's time")
        ok = False
    if rss_max > 10 * MIB:
        print("goal missed: perfcheck's peak RSS is over 10 MiB")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
