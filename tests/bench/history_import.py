#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: `perfcheck history import` and `history export` of large exports.

An export file of --results results (keyless entries shaped like the ones `perfcheck run`
writes: a template result is taken from one real run of --program, with distinct names, start
times and walls) is written once per size, then:

  1. imported into a new history (every result checked, its key computed),
  2. that history exported to a file,
  3. the export imported into another new history (every key verified against its content),

at a tenth of the size and at the full size, so that a peak RSS growing with the file shows.
Each step's peak RSS comes from wait4 (ru_maxrss) of the perfcheck process, its rate from
its wall time (and per CPU second, which a loaded machine does not change). Goal: peak RSS <= --max-mib (100 MiB) at every size and step. Exit 1 when a
goal is missed. Prints <CTestMeasurement> tags.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

MIB = 1024 * 1024


def template_result(perfcheck, program, tmp):
    path = os.path.join(tmp, "template.json")
    subprocess.run([perfcheck, "run", "-q", "--warmup", "0", "--runs", "5", "--json", path, "--", program],
                   check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        return json.load(f)


def write_export(path, template, count):
    """An export of `count` distinct results, written entry by entry."""
    with open(path, "w") as out:
        out.write('{\n  "schema": "perfcheck/history/v1",\n  "results": [\n')
        for i in range(count):
            r = template
            r["name"] = f"test{i % 200:03}"
            r["started_at"] = f"2026-01-{1 + i // 86400 % 28:02}T{i // 3600 % 24:02}:{i // 60 % 60:02}:{i % 60:02}.{i // 2419200 % 1000:03}Z"
            r["runs"][0]["wall_ns"] = 1_000_000 + i
            entry = {"recorded_at": "2026-02-01T00:00:00.000Z", "result": r}
            out.write(("    " if i == 0 else ",\n    ") + json.dumps(entry))
        out.write("\n  ]\n}\n")


def run_measured(args):
    """Runs ARGS as a child reaped with wait4; returns (seconds, CPU seconds, peak RSS bytes)."""
    start = time.monotonic()
    pid = os.posix_spawn(args[0], args, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True, help="a trivial program, run once for a template result")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "perfcheck-history-import"),
                    help="folder for the export files (kept between runs) and the histories")
    ap.add_argument("--results", type=int, default=100_000)
    ap.add_argument("--max-mib", type=float, default=100.0, help="goal for every step's peak RSS")
    args = ap.parse_args()

    os.makedirs(args.work, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfcheck-import-bench-") as tmp:
        template = template_result(args.perfcheck, args.program, tmp)
        missed = []
        for count in (max(1, args.results // 10), args.results):
            source = os.path.join(args.work, f"export-{count}.json")
            if not os.path.exists(source):
                write_export(source + ".tmp", template, count)
                os.replace(source + ".tmp", source)
            size_mib = os.path.getsize(source) / MIB
            first, exported, second = (os.path.join(tmp, f"{n}-{count}") for n in ("a.sqlite", "export.json", "b.sqlite"))
            steps = [
                ("import", [args.perfcheck, "history", "import", "--history", first, source]),
                ("export", [args.perfcheck, "history", "export", "--history", first, "-o", exported]),
                ("reimport", [args.perfcheck, "history", "import", "--history", second, exported]),
            ]
            for step, command in steps:
                seconds, cpu, rss = run_measured(command)
                rate = count / seconds
                # On a loaded machine the wall time waits for the CPU: per CPU second is the work.
                print(f"{step:8} {count:7} results ({size_mib:7.1f} MiB file): {seconds:6.1f} s, "
                      f"{rate:8.0f} results/s ({count / max(cpu, 1e-9):8.0f} per CPU second), "
                      f"peak RSS {rss / MIB:6.1f} MiB", flush=True)
                print(f'<CTestMeasurement type="numeric/double" name="{step}_{count}_results_per_s">{rate:.0f}</CTestMeasurement>')
                print(f'<CTestMeasurement type="numeric/double" name="{step}_{count}_peak_rss_mib">{rss / MIB:.1f}</CTestMeasurement>')
                if rss > args.max_mib * MIB:
                    missed.append(f"{step} of {count} results: peak RSS {rss / MIB:.1f} MiB > {args.max_mib} MiB")
            for path in (first, exported, second):
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(path + suffix):
                        os.remove(path + suffix)
    for m in missed:
        print(f"goal missed: {m}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
