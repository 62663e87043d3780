#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: `perfcheck report` on a large history, 200 tests x 1,000 results by default.

The history is a real SQLite history file, filled through `perfcheck history import` with
results shaped like the ones `perfcheck run` writes (a template result is taken from one real
run of --program): per test a random walk with a few level shifts, 5 runs per result. It is
built once per shape in --work and reused (building it takes minutes; reporting on it is what
is measured); a kept history is brought to the current schema before it is measured.

The report (every format, charts included) is then measured by an outer `perfcheck run`, so the
wall time, the CPU time (user + sys of the process tree, printed beside the wall time because
the machine may be busy) and the peak RSS come from perfcheck's own launcher. Goals: median wall time <= 2 s,
peak RSS <= 300 MiB and index.html <= 5 MiB (each trend is thinned to what it can show). Exit 1
when a goal is missed. Prints <CTestMeasurement> tags.
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

MIB = 1024 * 1024
RUNS_PER_RESULT = 5


def quantile(sorted_values, p):
    """Hyndman-Fan 7, as perfcheck computes it."""
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def summary_of(values):
    v = sorted(values)
    n = len(v)
    mean = sum(v) / n
    med = quantile(v, 0.5)
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1)) if n > 1 else 0.0
    mad = quantile(sorted(abs(x - med) for x in v), 0.5)
    return {"n": n, "min": v[0], "max": v[-1], "mean": mean, "median": med, "stddev": sd, "mad": mad,
            "p90": quantile(v, 0.9), "p95": quantile(v, 0.95), "p99": quantile(v, 0.99),
            "ci_low": v[0], "ci_high": v[-1]}


def template_result(perfcheck, program, tmp):
    path = os.path.join(tmp, "template.json")
    subprocess.run([perfcheck, "run", "-q", "--warmup", "0", "--runs", str(RUNS_PER_RESULT),
                    "--json", path, "--", program], check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        result = json.load(f)
    for run in result["runs"]:
        run["memory_timeline"] = []
    result["warmup_runs"] = []
    result["warnings"] = []
    return result


def build_history(perfcheck, program, history, tests, results, seed):
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="perfcheck-report-scale-")
    try:
        template = template_result(perfcheck, program, tmp)
        start = 1_760_000_000  # seconds; one session every 6 hours
        levels = [rng.uniform(1e6, 50e6) for _ in range(tests)]
        chunk, files = [], 0

        def flush():
            nonlocal chunk, files
            if not chunk:
                return
            path = os.path.join(tmp, f"chunk{files}.json")
            with open(path, "w") as f:
                json.dump({"schema": "perfcheck/history/v1", "results": chunk}, f)
            subprocess.run([perfcheck, "history", "import", "--history", history, path], check=True,
                           stdout=subprocess.DEVNULL)
            os.remove(path)
            chunk, files = [], files + 1

        for s in range(results):
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + s * 21600))
            commit = f"{rng.getrandbits(160):040x}"
            for t in range(tests):
                if rng.random() < 0.004:
                    levels[t] *= 1 + rng.choice((-1, 1)) * rng.uniform(0.05, 0.3)
                r = json.loads(json.dumps(template))
                r["name"] = f"suite{t % 10}/case_{t:03}"
                r["command"] = ["/opt/bench/case", str(t)]
                r["context"].update(session_id=f"bench-{s:05}", git_commit=commit, git_branch="main",
                                    machine="benchmachine00001", spec_hash=f"{t:016x}")
                r["started_at"] = f"{when}.{t % 1000:03}Z"
                r["finished_at"] = f"{when}.{t % 1000:03}Z"
                walls = [levels[t] * math.exp(rng.gauss(0, 0.03)) for _ in range(RUNS_PER_RESULT)]
                for run, wall in zip(r["runs"], walls):
                    run["wall_ns"] = int(wall)
                    run["user_ns"] = int(wall * 0.9)
                    run["sys_ns"] = int(wall * 0.05)
                    run["max_rss_bytes"] = run["rss_tree_bytes"] = int(20 * MIB * (1 + 0.01 * rng.random()))
                columns = {"wall": [x["wall_ns"] for x in r["runs"]], "user": [x["user_ns"] for x in r["runs"]],
                           "sys": [x["sys_ns"] for x in r["runs"]],
                           "cpu": [x["user_ns"] + x["sys_ns"] for x in r["runs"]],
                           "rss": [x["max_rss_bytes"] for x in r["runs"]]}
                r["summary"] = {m: summary_of(v) for m, v in columns.items()}
                r["thresholds"] = [{"expr": "wall.p95 < 100ms", "value": r["summary"]["wall"]["p95"],
                                    "ok": r["summary"]["wall"]["p95"] < 100e6}]
                r["verdict"] = "pass" if r["thresholds"][0]["ok"] else "failed"
                chunk.append({"recorded_at": r["started_at"],
                              "result": r})
            if len(chunk) >= 20000:
                flush()
        flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def migrate(perfcheck, history):
    """A kept history may have an older schema; the report reads it as it is (read-only), so
    bring it to this perfcheck's schema first with a write that adds nothing (an empty import)."""
    with tempfile.TemporaryDirectory(prefix="perfcheck-report-scale-") as tmp:
        empty = os.path.join(tmp, "empty.json")
        with open(empty, "w") as f:
            json.dump({"schema": "perfcheck/history/v1", "results": []}, f)
        subprocess.run([perfcheck, "history", "import", "--history", history, empty], check=True,
                       stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True, help="a trivial program, run once for a template result")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "perfcheck-report-scale"),
                    help="where the history is built and kept between runs")
    ap.add_argument("--tests", type=int, default=200)
    ap.add_argument("--results", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3, help="measured report runs")
    ap.add_argument("--max-seconds", type=float, default=2.0, help="goal for the median wall time")
    ap.add_argument("--max-mib", type=float, default=300.0, help="goal for the peak RSS")
    ap.add_argument("--max-index-mib", type=float, default=5.0, help="goal for the size of index.html")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    os.makedirs(args.work, exist_ok=True)
    history = os.path.join(args.work, f"history-{args.tests}x{args.results}-s{args.seed}.sqlite")
    if not os.path.exists(history):
        partial = history + ".partial"
        if os.path.exists(partial):
            os.remove(partial)
        t0 = time.monotonic()
        print(f"building {history} ({args.tests} tests x {args.results} results) ...", flush=True)
        build_history(args.perfcheck, args.program, partial, args.tests, args.results, args.seed)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(partial + suffix):
                os.remove(partial + suffix)
        os.replace(partial, history)
        print(f"built in {time.monotonic() - t0:.0f} s, {os.path.getsize(history) / MIB:.0f} MiB", flush=True)

    migrate(args.perfcheck, history)
    out = os.path.join(args.work, "report")
    measured = os.path.join(args.work, "measured.json")
    subprocess.run([args.perfcheck, "run", "-q", "--warmup", "0", "--runs", str(args.runs), "--json", measured,
                    "--name", "report_scale", "--", args.perfcheck, "report", "-q", "--history", history,
                    "--out", out], check=False, stdout=subprocess.DEVNULL)
    with open(measured) as f:
        result = json.load(f)
    if result["verdict"] == "error":
        print("error: the report failed: " + "; ".join(result["reasons"]), file=sys.stderr)
        return 1
    wall = result["summary"]["wall"]
    cpu = result["summary"]["cpu"]  # user + sys of the whole process tree (gnuplot included)
    rss = result["summary"]["rss"]
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))}

    print(f"report of {len(report['tests'])} tests x {args.results} results, {args.runs} runs:")
    print(f"  wall  median {wall['median'] / 1e9:.2f} s (min {wall['min'] / 1e9:.2f}, max {wall['max'] / 1e9:.2f})"
          f"  goal <= {args.max_seconds:g} s")
    print(f"  cpu   median {cpu['median'] / 1e9:.2f} s (min {cpu['min'] / 1e9:.2f}, max {cpu['max'] / 1e9:.2f})"
          "  user + sys of perfcheck and its gnuplot processes; the wall time also waits for a busy machine")
    print(f"  peak RSS max {rss['max'] / MIB:.1f} MiB  goal <= {args.max_mib:g} MiB")
    index_mib = sizes["index.html"] / MIB
    print(f"  index.html {index_mib:.2f} MiB  goal <= {args.max_index_mib:g} MiB")
    print("  files: " + ", ".join(f"{n} {s / MIB:.1f} MiB" for n, s in sizes.items()))
    print(f'<CTestMeasurement type="numeric/double" name="report_wall_median_s">{wall["median"] / 1e9:.3f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="report_cpu_median_s">{cpu["median"] / 1e9:.3f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="report_peak_rss_mib">{rss["max"] / MIB:.1f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="report_index_html_mib">{index_mib:.2f}</CTestMeasurement>')
    ok = (wall["median"] / 1e9 <= args.max_seconds and rss["max"] / MIB <= args.max_mib
          and index_mib <= args.max_index_mib)
    print("goals met" if ok else "goal missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
