#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end concurrency levels: `perfcheck run --concurrency` over pc_copy, a program that logs
its argument and PERFCHECK_INSTANCE, sleeps, and fails or hangs when its instance is the one
named. Checks that every copy of every round ran with its own number, that errors are counted
exactly, that a hanging copy is stopped by its timeout and counted, 100 copies at once, the
concurrency metrics and their gates, a soak at every level (DURATION) with its trends, and the
mistakes refused before anything runs.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import collections
import json
import os
import subprocess
import tempfile
import time
import unittest

from marked_processes import marked_processes

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]


def perfcheck(*args):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300)


class ConcurrencyTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-concurrency-")
        self.log = os.path.join(self.tmp.name, "copies.log")
        self.result_path = os.path.join(self.tmp.name, "result.json")

    def tearDown(self):
        self.tmp.cleanup()

    def run_copies(self, levels, *extra, expect=0, arg="{instance}", ms="5", fail="-1", hang="-1"):
        p = perfcheck("run", "--json", self.result_path, "--warmup", "0", "--concurrency", levels, *extra,
                      "--", os.path.join(BIN, "pc_copy"), self.log, arg, ms, fail, hang)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    def logged(self):
        with open(self.log) as f:
            return [line.split() for line in f.read().splitlines()]

    def test_each_copy_reports_through_its_own_metric_channel(self):
        p = perfcheck("run", "--json", self.result_path, "--warmup", "1", "--runs", "2", "--concurrency", "1,3",
                      "--metric", "startup:ms", "--metric", "op", "--metric", "items",
                      "--threshold", "startup.median@concurrency=3 < 20ms", "--threshold", "op.max < 1s",
                      "--", os.path.join(BIN, "pc_metrics"), "4")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(self.result_path) as f:
            r = json.load(f)
        one, three = r["points"]
        # Every copy of every measured round read its own file: 2 rounds x 3 copies, each with
        # its startup and its 4 op values (pooled: 24), nothing lost to a shared file.
        self.assertEqual(len(three["runs"]), 6)
        for run in one["runs"] + three["runs"]:
            self.assertEqual(run["reported"]["startup"]["values"], [12.5e6])
            self.assertEqual(len(run["reported"]["op"]["values"]), 4)
        self.assertEqual(three["summary"]["op"]["n"], 24)
        self.assertTrue(all(t["ok"] for t in r["thresholds"]), r["thresholds"])
        self.assertNotIn("did not report", p.stdout + p.stderr)

    def test_each_copy_of_each_round_gets_its_instance(self):
        p, r = self.run_copies("1,3", "--runs", "2")
        levels = [[(v["name"], v["value"]) for v in point["level"]] for point in r["points"]]
        self.assertEqual(levels, [[("concurrency", "1")], [("concurrency", "3")]])
        lines = self.logged()
        # Two rounds of one copy and two rounds of three: {instance} in the argument and
        # PERFCHECK_INSTANCE agree, and each round numbers its copies from 0.
        self.assertEqual(len(lines), 2 + 6)
        for arg, variable in lines:
            self.assertEqual(arg, variable)
        self.assertEqual(collections.Counter(a for a, _ in lines), {"0": 4, "1": 2, "2": 2})
        one, three = r["points"]
        self.assertEqual(len(one["runs"]), 2)
        self.assertEqual(len(three["runs"]), 6)
        for point in (one, three):
            summary = point["summary"]
            self.assertEqual(summary["errors.count"]["median"], 0)
            self.assertEqual(summary["errors.rate"]["median"], 0)
            self.assertEqual(summary["throughput"]["n"], 2)  # one figure per round
            self.assertGreater(summary["throughput"]["median"], 0)
            self.assertGreater(summary["rss.total"]["median"], 0)
            self.assertIn("efficiency", summary)
        # A round of three 5 ms copies completes three copies in a bit more than 5 ms.
        self.assertLess(three["summary"]["throughput"]["median"], 3 / 0.005)
        self.assertIn("2 levels, interleaved", p.stdout)

    def test_a_failing_copy_makes_the_error_rate_exact(self):
        p, r = self.run_copies("10", "--runs", "1", "--allow-failures", "--threshold", "errors.rate@10 < 5%",
                               "--threshold", "errors.count == 1", fail="3", expect=1)
        point = r["points"][0]
        self.assertEqual(point["summary"]["errors.rate"]["median"], 0.1)
        self.assertEqual(point["summary"]["errors.count"]["median"], 1)
        exits = [run.get("exit_code") for run in point["runs"]]
        self.assertEqual(exits, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        outcomes = {t["expr"]: (t["ok"], t["value"]) for t in r["thresholds"]}
        self.assertEqual(outcomes["errors.rate@10 < 5%"], (False, 0.1))
        self.assertEqual(outcomes["errors.count == 1"], (True, 1))
        self.assertIn("concurrency=10: errors.rate@10 < 5%: measured 10%", p.stdout)

    def test_a_failing_copy_fails_the_test_unless_failures_are_allowed(self):
        p, r = self.run_copies("4", "--runs", "3", fail="1", expect=3)
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(len(r["points"][0]["runs"]), 4, "the test goes on after a failed round")

    def test_a_hanging_copy_is_stopped_by_its_timeout_and_counted(self):
        started = time.monotonic()
        _, r = self.run_copies("4", "--runs", "1", "--allow-failures", "--limit", "timeout=300ms",
                               "--threshold", "errors.count == 1", hang="2")
        self.assertLess(time.monotonic() - started, 60)
        runs = r["points"][0]["runs"]
        self.assertEqual([run.get("limit") for run in runs], [None, None, "TIMEOUT", None])
        self.assertEqual(r["points"][0]["summary"]["errors.count"]["median"], 1)
        self.assertEqual(r["verdict"], "pass")
        self.assertTrue(any("counted as errors" in w for w in r["warnings"]), r["warnings"])

    def test_a_hanging_copy_fails_the_test_without_allowed_failures(self):
        _, r = self.run_copies("3", "--runs", "2", "--limit", "timeout=300ms", hang="0", expect=1)
        self.assertEqual(r["verdict"], "failed")
        self.assertEqual([run.get("limit") for run in r["points"][0]["runs"]], ["TIMEOUT", None, None])

    def run_round(self, levels, *args, expect=0):
        p = perfcheck("run", "--json", self.result_path, "--warmup", "0", "--runs", "1", "--concurrency", levels,
                      *args)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    def test_memory_is_limited_per_copy_in_a_round(self):
        # Copy i holds i x 100 MiB for half a second: only copy 2 passes MEMORY 150 MiB, and it
        # alone is stopped and counted (the round's 300 MiB together is no copy's).
        _, r = self.run_round("3", "--allow-failures", "--limit", "MEMORY=150MiB", "--threshold", "errors.count == 1",
                              "--", os.path.join(BIN, "pc_grow"), "{instance}00", "0", "10", "500")
        runs = r["points"][0]["runs"]
        self.assertEqual([run.get("limit") for run in runs], [None, None, "MEMORY"], runs)
        self.assertEqual(r["points"][0]["summary"]["errors.count"]["median"], 1)
        self.assertEqual(r["verdict"], "pass")
        # CPU time likewise: copy i spins for i s of CPU; CPU_TIME 1500ms stops copy 2 only.
        _, r = self.run_round("3", "--allow-failures", "--limit", "CPU_TIME=1500ms", "--threshold", "errors.count == 1",
                              "--", os.path.join(BIN, "pc_burn"), "{instance}000")
        self.assertEqual([run.get("limit") for run in r["points"][0]["runs"]], [None, None, "CPU_TIME"])

    def test_processes_and_open_files_are_limited_per_copy_in_a_round(self):
        # Copy i starts i x 100 processes (or opens i x 100 files): copies 1 and 2 pass the limit
        # of 50 and are stopped; copy 0 starts none and ends after its 300 ms.
        marker = f"pc-concurrency-storm-{os.getpid()}"
        _, r = self.run_round("3", "--allow-failures", "--limit", "PROCESSES=50", "--threshold", "errors.count == 2",
                              "--", os.path.join(BIN, "pc_forkstorm"), "{instance}00", "300", marker)
        self.assertEqual([run.get("limit") for run in r["points"][0]["runs"]], [None, "PROCESSES", "PROCESSES"])
        self.assertEqual(marked_processes(marker), [])
        _, r = self.run_round("3", "--allow-failures", "--limit", "OPEN_FILES=50", "--threshold", "errors.count == 2",
                              "--", os.path.join(BIN, "pc_fdhog"), "{instance}00", "300")
        self.assertEqual([run.get("limit") for run in r["points"][0]["runs"]], [None, "OPEN_FILES", "OPEN_FILES"])

    def test_a_crashing_copy_is_counted_and_processes_left_by_a_copy_are_stopped(self):
        marker = f"pc-concurrency-leak-{os.getpid()}"
        # Every copy starts 2 processes that outlive it (setsid, SIGTERM ignored).
        _, r = self.run_round("2", "--threshold", "leaked.processes == 0", "--",
                              os.path.join(BIN, "pc_escape"), marker, "2", "50", expect=1)
        self.assertEqual(marked_processes(marker), [])
        self.assertEqual(r["points"][0]["summary"]["leaked.processes"]["max"], 4)
        self.assertIn("concurrency=2: leaked.processes == 0: measured 4", r["reasons"])
        self.assertTrue(any("rounds left 4 processes" in w for w in r["warnings"]), r["warnings"])
        _, r = self.run_round("3", "--allow-failures", "--threshold", "errors.count == 3", "--",
                              os.path.join(BIN, "pc_crash"), "SIGSEGV")
        runs = r["points"][0]["runs"]
        self.assertEqual([run.get("signal") for run in runs], ["SIGSEGV"] * 3, runs)
        self.assertEqual(r["points"][0]["summary"]["errors.rate"]["median"], 1.0)

    def test_a_hundred_copies_all_run_and_are_counted(self):
        _, r = self.run_copies("100", "--runs", "1", ms="10")
        instances = sorted(int(a) for a, v in self.logged() if a == v)
        self.assertEqual(instances, list(range(100)))
        point = r["points"][0]
        self.assertEqual(len(point["runs"]), 100)
        self.assertTrue(all(run.get("exit_code") == 0 for run in point["runs"]))
        self.assertEqual(point["summary"]["errors.count"]["median"], 0)
        # The round's wall time is at least one copy's, and all its copies completed in it.
        wall = point["summary"]["wall"]["max"]
        self.assertGreaterEqual(100 / point["summary"]["throughput"]["median"], 0.010)
        self.assertGreaterEqual(wall, 10e6)

    def test_levels_are_addressed_by_value_or_by_name_and_combine_with_parameters(self):
        p, r = self.run_copies("1,2", "--runs", "1", "--threshold", "wall.max@2 < 1min",
                               "--threshold", "wall.max@concurrency=1 < 1min")
        self.assertEqual([t["at"] for t in r["thresholds"]], ["concurrency=1", "concurrency=2"])
        _, r = self.run_copies("1,2", "--runs", "1", "--parameter", "n=7,8",
                               "--threshold", "throughput.median@n=8,concurrency=2 > 1/s", arg="{n}")
        self.assertEqual([[v["value"] for v in pt["level"]] for pt in r["points"]],
                         [["7", "1"], ["7", "2"], ["8", "1"], ["8", "2"]])
        self.assertEqual(len(self.logged()), 1 + 2 + 1 + 2 + 3)  # with the first call's three
        self.assertEqual([t["at"] for t in r["thresholds"]], ["n=8,concurrency=2"])

    def test_a_soak_runs_every_level_for_the_duration_and_gates_each_levels_growth(self):
        # Each copy counts its own runs in a file and allocates more on each run at concurrency=3
        # only (32 KiB x 2 more per step, about 3 steps a run): memory grows there and nowhere else.
        counts = os.path.join(self.tmp.name, "count")
        script = ('f=%s.{concurrency}.{instance}; n=$(cat "$f" 2>/dev/null || echo 0); echo $((n + 1)) > "$f"; '
                  'exec %s 4 $((n * 32 * ({concurrency} - 1))) 10 30') % (counts, os.path.join(BIN, "pc_grow"))
        started = time.monotonic()
        p = perfcheck("run", "--json", self.result_path, "--warmup", "1", "--concurrency", "1,3", "--duration", "2s",
                      "--seed", "3", "--threshold", "rss.growth < 10%", "--threshold", "threads.growth@1 < 50%",
                      "--", "/bin/sh", "-c", script)
        elapsed = time.monotonic() - started
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        with open(self.result_path) as f:
            r = json.load(f)
        self.assertGreaterEqual(elapsed, 4.0)  # two seconds of measured rounds at each level
        self.assertIn("note: a soak of 2.00 s at each of 2 levels, interleaved: about 4.00 s of measured rounds in all",
                      p.stderr)
        one, three = r["points"]
        self.assertEqual(len(three["runs"]) % 3, 0)
        rounds = {"1": len(one["runs"]), "3": len(three["runs"]) // 3}
        for point, level in ((one, "1"), (three, "3")):
            self.assertGreaterEqual(rounds[level], 8, point["level"])
            self.assertEqual(point["trends"]["rss"]["n"], rounds[level])  # a trend point per round
            self.assertIn("wall", point["trends"])
        self.assertGreaterEqual(sum(run["wall_ns"] for run in one["runs"]), 2e9)
        self.assertEqual(r["trends"], {})
        self.assertTrue(three["trends"]["rss"]["significant"])
        self.assertGreater(three["trends"]["rss"]["change"], 0.1)
        # Interleaved round by round: each level's first measured round comes before any second.
        self.assertEqual(sorted(r["point_order"][:2]), [0, 1])
        outcomes = {(t["expr"], t["at"]): t["ok"] for t in r["thresholds"]}
        self.assertEqual(outcomes, {("rss.growth < 10%", "concurrency=1"): True,
                                    ("rss.growth < 10%", "concurrency=3"): False,
                                    ("threads.growth@1 < 50%", "concurrency=1"): True})
        self.assertEqual([pt["verdict"] for pt in r["points"]], ["pass", "failed"])
        self.assertEqual(len(r["reasons"]), 1)
        self.assertTrue(r["reasons"][0].startswith("concurrency=3: rss.growth < 10%: measured "), r["reasons"])
        # The console shows each level's trends in its block.
        block = p.stdout[p.stdout.index("  concurrency=3:"):]
        self.assertIn("    trend rss  +", block)

    def test_mistakes_are_usage_errors_before_anything_runs(self):
        pc_copy = [os.path.join(BIN, "pc_copy"), self.log, "x", "1", "-1", "-1"]
        cases = [
            (["--concurrency", "0"], "--concurrency: 0 is not a number of copies: each level starts at least 1"),
            (["--concurrency", "-2"], "--concurrency: -2 is not a number of copies"),
            (["--concurrency", "2.5"], "--concurrency: '2.5' is not a whole number of copies"),
            (["--concurrency", "5,5"], "--concurrency: the level 5 is given twice (duplicate levels)"),
            (["--concurrency", "1001"], "--concurrency: 1001 copies are more than one level may start (1000)"),
            (["--concurrency", "1,2", "--parameter", "concurrency=3"], "the parameter name 'concurrency' is taken"),
            (["--threshold", "throughput.median > 10/s"],
             "throughput.median is measured only by a concurrency test; add CONCURRENCY (--concurrency)"),
            (["--threshold", "errors.rate < 1%"], "errors.rate is measured only by a concurrency test"),
            (["--concurrency", "2,4", "--threshold", "efficiency > 50%"],
             "efficiency compares each level with the throughput of one copy, but the test has no "
             "concurrency level 1"),
            (["--concurrency", "2", "--threshold", "wall.p95@3 < 1s"], "the test has no level concurrency=3"),
            (["--concurrency", "1,2", "--duration", "once"],
             "--concurrency: --duration once is one long run, but a concurrency level runs rounds of copies"),
            (["--concurrency", "1,2", "--threshold", "rss.growth@2 < 10%"],
             "--threshold 'rss.growth@2 < 10%': rss.growth@2 is measured only across a soak; add --duration"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = perfcheck("run", *args, "--", *pc_copy)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(message, p.stderr)
                self.assertFalse(os.path.exists(self.log), "a run was made")
        p = perfcheck("run", "--", os.path.join(BIN, "pc_copy"), self.log, "{instance}", "1", "-1", "-1")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("command argument 3: {instance} is the copy number of a concurrency test, but the test has "
                      "no --concurrency", p.stderr)
        self.assertFalse(os.path.exists(self.log))


if __name__ == "__main__":
    unittest.main()
