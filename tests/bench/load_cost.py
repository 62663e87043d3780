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
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rate", type=int, default=5000)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(pinned(1, [args.server, "--port", str(port)]), stdout=subprocess.PIPE, text=True)
    server.stdout.readline()
    url = f"http://127.0.0.1:{port}/bench"
    failed = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            closed, cpu = run_load(args, url, ["--connections", "8", "--duration", f"{args.seconds}s"],
                                   os.path.join(tmp, "closed.json"))
            wrk = wrk_rate(args, url)
            opened, _ = run_load(args, url, ["--rate", f"{args.rate}/s", "--duration", f"{args.seconds}s",
                                             "--connections", "16"], os.path.join(tmp, "open.json"))
    finally:
        server.kill()
        server.wait()
    rate = closed["throughput"]["median"]
    requests = closed["requests"]["median"]
    print(f"closed model: {rate:.0f} requests/s, {cpu / requests * 1e6:.1f} us of perfcheck CPU per request, "
          f"latency p99 {closed['latency']['p99'] / 1e3:.0f} us")
    if wrk:
        print(f"wrk -t1 -c8: {wrk:.0f} requests/s; perfcheck / wrk = {rate / wrk:.2f}")
        if rate < wrk:
            failed.append(f"closed-model throughput {rate:.0f}/s below wrk's {wrk:.0f}/s")
    held = opened["throughput"]["median"]
    dropped = opened["dropped"]["median"]
    lag = opened["lag"]["p99"]
    print(f"open model at {args.rate}/s: {held:.0f} responses/s, {dropped:.0f} dropped, lag p99 {lag / 1e3:.0f} us, "
          f"latency p99 {opened['latency']['p99'] / 1e3:.0f} us")
    if held < 0.95 * args.rate or dropped > 0.01 * args.rate * args.seconds:
        failed.append(f"the open model did not hold {args.rate}/s ({held:.0f}/s, {dropped:.0f} dropped)")
    print(f'<CTestMeasurement type="numeric/double" name="closed_rps">{rate:.0f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="cpu_us_per_request">{cpu / requests * 1e6:.2f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="open_lag_p99_us">{lag / 1e3:.1f}</CTestMeasurement>')
    for f in failed:
        print(f"goal missed: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
