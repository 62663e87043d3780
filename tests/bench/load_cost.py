#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: what the built-in load generator (`perfcheck load`) can drive on one core, and its lag.

Against pc_http (one thread, keep-alive) on loopback, the generator pinned to one CPU and the
server to another when the machine has two:
  - closed model, 8 connections for --seconds: requests per second, and perfcheck's CPU time per
    request (wait4's rusage of the perfcheck process);
  - the same with wrk (-t1 -c8), when installed: its requests per second, for the ratio
    (goal: perfcheck >= 1.0x wrk; the single-threaded server may be what limits both);
  - open model at --rate (default 5000/s): the throughput held, the dropped starts and the
    generator's own lag p99 (goal: the rate held, under 1% dropped).
Exit 1 when a goal is missed. Prints <CTestMeasurement> tags.
"""
import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu, command):
    return ["taskset", "-c", str(cpu), *command] if shutil.which("taskset") and os.cpu_count() >= 2 else command


def run_load(args, url, extra, result):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(pinned(0, [args.perfcheck, "load", "-q", "--url", url, "--json", result, *extra]),
                   check=False, stdin=subprocess.DEVNULL, timeout=args.seconds * 4 + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(result) as f:
        summary = json.load(f)["summary"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return summary, cpu


def wrk_rate(args, url):
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    out = subprocess.run(pinned(0, [wrk, "-t1", "-c8", f"-d{args.seconds}s", url]), capture_output=True,
                         text=True, timeout=args.seconds * 4 + 60).stdout
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    return float(match.group(1)) if match else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--perfcheck", required=True)
    parser.add_argument("--server", required=True, help="pc_http")
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating perfcheck and wrk runs")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(pinned(1, [args.server, "--port", str(port)]), stdout=subprocess.PIPE, text=True)
    server.stdout.readline()
    url = f"http://127.0.0.1:{port}/bench"
    failed = []
    rates, wrks, cpus = [], [], []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # perfcheck and wrk alternate round by round, so a machine that gets busier or quieter
            # during the bench moves both sides; the goal is judged on the median of the ratios.
            for r in range(args.rounds):
                closed, cpu = run_load(args, url, ["--connections", "8", "--duration", f"{args.seconds}s"],
                                       os.path.join(tmp, f"closed{r}.json"))
                rates.append(closed["throughput"]["median"])
                cpus.append(cpu / closed["requests"]["median"])
                wrk = wrk_rate(args, url)
                if wrk:
                    wrks.append(wrk)
                print(f"round {r + 1}: perfcheck {rates[-1]:.0f}/s ({cpus[-1] * 1e6:.1f} us CPU per request)"
                      + (f", wrk {wrk:.0f}/s" if wrk else ""), flush=True)
            opened, _ = run_load(args, url, ["--rate", f"{args.rate}/s", "--duration", f"{args.seconds}s",
                                             "--connections", "16"], os.path.join(tmp, "open.json"))
    finally:
        server.kill()
        server.wait()
    rate = statistics.median(rates)
    cpu_per_request = statistics.median(cpus)
    print(f"closed model: {rate:.0f} requests/s (median of {len(rates)} rounds), {cpu_per_request * 1e6:.1f} us "
          f"of perfcheck CPU per request, latency p99 of the last round {closed['latency']['p99'] / 1e3:.0f} us")
    if len(wrks) == len(rates):
        ratio = statistics.median(p / w for p, w in zip(rates, wrks))
        print(f"wrk -t1 -c8: {statistics.median(wrks):.0f} requests/s; perfcheck / wrk = {ratio:.2f} "
              f"(median of the rounds' ratios)")
        if ratio < 1.0:
            failed.append(f"closed-model throughput {ratio:.2f}x wrk's, below 1.0x")
    held = opened["throughput"]["median"]
    dropped = opened["dropped"]["median"]
    lag = opened["lag"]["p99"]
    print(f"open model at {args.rate}/s: {held:.0f} responses/s, {dropped:.0f} dropped, lag p99 {lag / 1e3:.0f} us, "
          f"latency p99 {opened['latency']['p99'] / 1e3:.0f} us")
    if held < 0.95 * args.rate or dropped > 0.01 * args.rate * args.seconds:
        failed.append(f"the open model did not hold {args.rate}/s ({held:.0f}/s, {dropped:.0f} dropped)")
    print(f'<CTestMeasurement type="numeric/double" name="closed_rps">{rate:.0f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="cpu_us_per_request">{cpu_per_request * 1e6:.2f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="open_lag_p99_us">{lag / 1e3:.1f}</CTestMeasurement>')
    for f in failed:
        print(f"goal missed: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
