#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: does a failed gate's profile point at the function that got slower?

pc_profiled spends its time in steady_work<int&> (fixed) and busy_loop (`--busy N` rounds).
Each of --trials trials is a real `perfcheck run` of `pc_profiled --busy 8` that fails a
threshold (wall.median < 1ms) against the baseline command `pc_profiled --busy 1`, with
`--profile` (perf by default): both sides are profiled once, and the trial counts as found
when busy_loop is the top row of the differential table (rows[0] of the result's profile).
Goal: found in at least 95% of the trials (48 of 50). A trial without a profile (the profiler
failed) counts as not found, and its reason is printed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--perfcheck", required=True)
    parser.add_argument("--program", required=True, help="pc_profiled")
    parser.add_argument("--profiler", default="perf")
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--goal", type=float, default=0.95)
    args = parser.parse_args()
    expected = "busy_loop" if args.profiler == "perf" else "busy_loop(long)"
    found = 0
    with tempfile.TemporaryDirectory(prefix="perfcheck-profile-bench-") as tmp:
        for trial in range(args.trials):
            out = os.path.join(tmp, f"trial{trial}")
            p = subprocess.run([args.perfcheck, "run", "-q", "--name", "profiled", "--warmup", "0", "--runs", "3",
                                "--threshold", "wall.median < 1ms", "--regression", "wall.median +5%",
                                "--baseline", "command", "--baseline-command", f"{args.program} --busy 1",
                                "--output-dir", out, "--profile", args.profiler, "--", args.program, "--busy", "8"],
                               capture_output=True, text=True, timeout=900)
            with open(os.path.join(out, "profiled.json")) as f:
                profile = json.load(f).get("profile", {})
            rows = profile.get("rows", [])
            top = rows[0]["function"] if rows else None
            if top == expected and profile.get("baseline_samples", 0) > 0:
                found += 1
            else:
                print(f"trial {trial}: top row {top!r}, not measured: {profile.get('not_measured')!r} "
                      f"(exit {p.returncode})")
    share = found / args.trials
    print(f"{args.profiler}: {expected} topped the differential table in {found} of {args.trials} trials "
          f"({100 * share:.0f}%, goal >= {100 * args.goal:.0f}%)")
    return 0 if share >= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
