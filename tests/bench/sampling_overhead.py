#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: what the process-tree sampler costs a CPU-bound program.

perfcheck measures a CPU-bound program of about 100 ms (`pc_burn 100`) with the sampler off
(`--sample-interval 0`) and on (`--sample-interval 10ms`, the default), alternating in a random
order within each round, so that drift on a shared machine hits both alike. Each side of a
round is the median wall time perfcheck reports over --runs runs; the round's overhead is
on / off - 1, and the figure is the median over the rounds (with the quartiles).

It also measures the sampler's own CPU cost, which does not depend on how busy the machine
is: the launcher's CPU time (/proc/<launcher>/schedstat, read by the command itself) across a
3 s sleep with the sampler on; per second, that is what the sampler takes from the machine. On a machine with a spare CPU it runs there, and the wall-time
overhead tends to zero; on a machine with every CPU busy it competes with the command.

Exit 1 when the median overhead is above --goal (default 1%). Prints <CTestMeasurement> tags.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile


def measure(perfcheck, program, runs, interval, path):
    subprocess.run([perfcheck, "run", "-q", "--warmup", "2", "--runs", str(runs), "--sample-interval", interval,
                    "--json", path, "--", program, "100"], check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        result = json.load(f)
    samples = sum(len(r["memory_timeline"]) for r in result["runs"])
    return result["summary"]["wall"]["median"], samples


# Prints the launcher's CPU time (ns, from schedstat) before and after SECONDS of sleep: the
# shell's parent is the launcher.
LAUNCHER_CPU = """read -r run rest < /proc/$PPID/schedstat; echo $run
{sleeper} {ms}
read -r run rest < /proc/$PPID/schedstat; echo $run"""


def sampler_cpu_ns_per_s(perfcheck, sleeper, interval, directory, seconds=3):
    """CPU time the launcher spends per second of a sleeping run: the sampler's own cost."""
    subprocess.run([perfcheck, "run", "-q", "--warmup", "0", "--runs", "1", "--sample-interval", interval,
                    "--output-dir", directory, "--name", "cost", "--", "/bin/sh", "-c",
                    LAUNCHER_CPU.format(sleeper=sleeper, ms=seconds * 1000)], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(directory, "cost.stdout")) as f:
        before, after = (int(x) for x in f.read().split())
    return (after - before) / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True, help="pc_burn: spins for the given CPU milliseconds")
    ap.add_argument("--sleeper", help="pc_sleep, for the sampler's CPU cost [default: beside --program]")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--interval", default="10ms", help="the sampling interval under test")
    ap.add_argument("--goal", type=float, default=0.01, help="allowed overhead (fraction)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    path = os.path.join(tempfile.mkdtemp(prefix="perfcheck-bench-"), "r.json")
    off, on, ratios, points = [], [], [], []
    for _ in range(args.rounds):
        sides = [("off", "0"), ("on", args.interval)]
        rng.shuffle(sides)
        got = {}
        for name, interval in sides:
            got[name] = measure(args.perfcheck, args.program, args.runs, interval, path)
        off.append(got["off"][0])
        on.append(got["on"][0])
        points.append(got["on"][1])
        ratios.append(got["on"][0] / got["off"][0] - 1)

    q1, median, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratios[0],) * 3
    sleeper = args.sleeper or os.path.join(os.path.dirname(args.program), "pc_sleep")
    cost = statistics.median(sampler_cpu_ns_per_s(args.perfcheck, sleeper, args.interval, os.path.dirname(path))
                             for _ in range(3))
    sampler_share = cost / 1e9
    print(f"{args.rounds} interleaved rounds of {args.runs} runs of {args.program} 100 (about 100 ms of CPU)")
    print(f"  sampler off: median wall {statistics.median(off) / 1e6:.2f} ms")
    print(f"  sampler on ({args.interval}): median wall {statistics.median(on) / 1e6:.2f} ms, "
          f"{statistics.median(points) / args.runs:.1f} timeline points per run")
    print(f"  overhead: median {median:+.2%} (quartiles {q1:+.2%} .. {q3:+.2%}); goal <= {args.goal:.0%}")
    print(f"  the sampler's own CPU: {sampler_share:.2%} of one CPU while a run lasts "
          f"({cost / 1e6:.2f} ms per second)")
    tags = {"sampler_off.wall_ms": statistics.median(off) / 1e6, "sampler_on.wall_ms": statistics.median(on) / 1e6,
            "sampling_overhead_percent": median * 100, "sampler_cpu_percent": sampler_share * 100}
    for name, value in tags.items():
        print(f'<CTestMeasurement type="numeric/double" name="{name}">{value:.6g}</CTestMeasurement>')
    if median > args.goal:
        print(f"goal missed: the sampler costs {median:.2%} of a CPU-bound run")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
