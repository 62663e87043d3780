#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: what a round of 100 concurrent copies of a 10 ms program costs perfcheck itself.

`perfcheck run --concurrency 100 --runs R -- pc_sleep 10` runs R rounds (plus one warm-up) of
100 copies through one launcher. Reported:
  - perfcheck's own CPU per copy: the CPU time of perfcheck and its launcher (wait4's rusage of
    the whole tree, less the copies' own CPU time from the result file) over the copies run;
  - perfcheck's peak RSS, measured by an outer `perfcheck run` (its launcher keeps the figure
    honest: a Python parent's memory image would otherwise be counted), goal <= 10 MiB;
  - the round's wall time against one copy's 10 ms.
Exit 1 when the peak RSS goal is missed or a copy was not counted. Prints <CTestMeasurement>
tags.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

MIB = 1024 * 1024


def inner_command(args, result):
    return [args.perfcheck, "run", "-q", "--warmup", "1", "--runs", str(args.rounds), "--concurrency",
            str(args.copies), "--json", result, "--", args.program, "10"]


def own_cpu_per_copy(args, work):
    """(perfcheck + launcher CPU) per copy, in seconds, over --repeat whole runs."""
    figures = []
    for i in range(args.repeat):
        result = os.path.join(work, f"inner-{i}.json")
        process = subprocess.Popen(inner_command(args, result), stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"perfcheck run failed with {status}")
        with open(result) as f:
            point = json.load(f)["points"][0]
        copies = point["runs"] + point["warmup_runs"]
        expected = args.copies * (args.rounds + 1)
        if len(copies) != expected:
            sys.exit(f"{len(copies)} copies were counted, expected {expected}")
        copies_cpu = sum(c["user_ns"] + c["sys_ns"] for c in copies) / 1e9
        total = usage.ru_utime + usage.ru_stime
        figures.append(((total - copies_cpu) / len(copies), point["summary"]["wall"]["median"] / 1e6,
                        point["summary"]["throughput"]["median"]))
    return figures


def peak_rss(args, work):
    outer = os.path.join(work, "outer.json")
    subprocess.run([args.perfcheck, "run", "-q", "--warmup", "0", "--runs", "3", "--json", outer, "--",
                    *inner_command(args, os.path.join(work, "nested.json"))], check=True, stdout=subprocess.DEVNULL)
    with open(outer) as f:
        return json.load(f)["summary"]["rss"]["max"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--perfcheck", required=True)
    parser.add_argument("--program", required=True, help="pc_sleep")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perfcheck-bench-concurrency-") as work:
        figures = own_cpu_per_copy(args, work)
        rss = peak_rss(args, work)
    cpu = statistics.median(f[0] for f in figures)
    wall = statistics.median(f[1] for f in figures)
    throughput = statistics.median(f[2] for f in figures)
    print(f"{args.copies} copies of a 10 ms program, {args.rounds} rounds, on {os.cpu_count()} CPUs:")
    print(f"  perfcheck's own CPU per copy: {cpu * 1e6:.0f} us (perfcheck and its launcher)")
    print(f"  perfcheck's peak RSS: {rss / MIB:.2f} MiB (goal <= 10 MiB)")
    print(f"  a copy's median wall time: {wall:.1f} ms; throughput {throughput:.0f} copies/s")
    for name, value in (("own_cpu_per_copy_us", cpu * 1e6), ("peak_rss_mib", rss / MIB),
                        ("copy_wall_median_ms", wall), ("throughput_per_s", throughput)):
        print(f'<CTestMeasurement type="numeric/double" name="{name}">{value:.3f}</CTestMeasurement>')
    if rss > 10 * MIB:
        print("goal missed: peak RSS above 10 MiB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
