#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end parameter sweeps: `perfcheck run --parameter` over a real program whose cost grows
with its argument (pc_level sleeps N ms and logs N and PERFCHECK_PARAM_N), checking that every
level ran, the interleaved order, the variable, per-level gates, the console and the errors.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]


def perfcheck(*args):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300)


class SweepTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-sweep-")
        self.log = os.path.join(self.tmp.name, "levels.log")
        self.result_path = os.path.join(self.tmp.name, "result.json")

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, *extra, expect=0, values="2,12,30", runs="4"):
        p = perfcheck("run", "--json", self.result_path, "--warmup", "1", "--runs", runs, "--seed", "99",
                      "--parameter", f"n={values}", *extra,
                      "--", os.path.join(BIN, "pc_level"), self.log, "{n}")
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    def logged(self):
        with open(self.log) as f:
            return [line.split() for line in f.read().splitlines()]

    def test_every_level_runs_interleaved_with_its_value_and_variable(self):
        p, r = self.sweep()
        levels = [[(v["name"], v["value"]) for v in point["level"]] for point in r["points"]]
        self.assertEqual(levels, [[("n", "2")], [("n", "12")], [("n", "30")]])
        self.assertEqual(r["point_seed"], 99)
        lines = self.logged()
        # One warm-up and four measured runs per level, and the program saw its own level.
        self.assertEqual(len(lines), 15)
        for arg, variable in lines:
            self.assertEqual(arg, variable)
        # Round by round: each group of three runs covers every level once.
        for start in range(0, 15, 3):
            self.assertEqual(sorted(int(a) for a, _ in lines[start:start + 3]), [2, 12, 30])
        # point_order is the measured runs' order (after the warm-up round) as point indexes.
        values = ["2", "12", "30"]
        self.assertEqual([values[i] for i in r["point_order"]], [a for a, _ in lines[3:]])
        rounds = {tuple(a for a, _ in lines[s:s + 3]) for s in range(0, 15, 3)}
        self.assertGreater(len(rounds), 1, "every round ran in the same order")
        for point, ms in zip(r["points"], (2, 12, 30)):
            self.assertEqual(len(point["runs"]), 4)
            self.assertEqual(len(point["warmup_runs"]), 1)
            self.assertGreaterEqual(point["summary"]["wall"]["median"], ms * 1e6)
        self.assertLess(r["points"][0]["summary"]["wall"]["median"], r["points"][2]["summary"]["wall"]["median"])
        self.assertEqual(r["runs"], [])
        # The console shows a block per level and CTest measurements per level.
        self.assertIn("3 levels, interleaved (seed 99)", p.stdout)
        self.assertRegex(p.stdout, r"(?m)^  n=12: 4 runs after 1 warm-up, pass$")
        self.assertIn('name="wall.median_ms@n=30"', p.stdout)

    def test_the_same_seed_repeats_the_order(self):
        _, first = self.sweep()
        _, second = self.sweep()
        self.assertEqual(first["point_order"], second["point_order"])

    def test_thresholds_gate_each_level_or_one(self):
        p, r = self.sweep("--threshold", "wall.median < 25ms", "--threshold", "wall.median@n=2 < 1s", expect=1)
        self.assertEqual(r["verdict"], "failed")
        outcomes = {(t["expr"], t["at"]): t["ok"] for t in r["thresholds"]}
        self.assertEqual(outcomes, {("wall.median < 25ms", "n=2"): True, ("wall.median < 25ms", "n=12"): True,
                                    ("wall.median < 25ms", "n=30"): False, ("wall.median@n=2 < 1s", "n=2"): True})
        self.assertEqual([pt["verdict"] for pt in r["points"]], ["pass", "pass", "failed"])
        self.assertTrue(any(reason.startswith("n=30: wall.median < 25ms: measured") for reason in r["reasons"]),
                        r["reasons"])
        self.assertIn("✗ wall.median < 25ms at n=30", p.stdout)
        _, ok = self.sweep("--threshold", "wall.median@30 >= 30ms", "--threshold", "wall.median < 1s")
        self.assertEqual(ok["verdict"], "pass")

    def test_regression_rules_compare_each_level_with_its_baseline(self):
        # The candidate sleeps n ms, the baseline command 1 ms at every level: each level regressed.
        _, r = self.sweep("--regression", "wall.median +5%", "--baseline", "command",
                          "--baseline-command", f"{os.path.join(BIN, 'pc_sleep')} 1", expect=1, values="15,25", runs="8")
        self.assertEqual(r["verdict"], "regressed")
        self.assertEqual([(f["at"], f["decision"]) for f in r["regressions"]], [("n=15", "regressed"), ("n=25", "regressed")])
        self.assertEqual(r["baseline"]["kind"], "command")
        self.assertGreaterEqual(r["baseline"]["runs"], 8)

    def test_a_rule_at_a_level_compares_that_level_only(self):
        # Both levels are slower than the 1 ms baseline; the rule names n=25 alone.
        _, r = self.sweep("--regression", "wall.median@n=25 +5%", "--baseline", "command",
                          "--baseline-command", f"{os.path.join(BIN, 'pc_sleep')} 1", expect=1, values="15,25", runs="8")
        self.assertEqual(r["verdict"], "regressed")
        self.assertEqual([(f["at"], f["decision"]) for f in r["regressions"]], [("n=25", "regressed")])
        self.assertEqual([pt["verdict"] for pt in r["points"]], ["pass", "regressed"])

    def test_ranges_expand(self):
        _, r = self.sweep(values="1..4*2,10..20+10")
        self.assertEqual([pt["level"][0]["value"] for pt in r["points"]], ["1", "2", "4", "10", "20"])

    def test_a_soak_runs_each_parameter_level_for_the_duration_and_gates_its_own_growth(self):
        # Each run counts itself in a file per level and, at leak=1 only, allocates 64 KiB more per
        # step the more runs came before it: memory grows across the runs of that level alone.
        counts = os.path.join(self.tmp.name, "count")
        script = ('f=%s.{leak}; n=$(cat "$f" 2>/dev/null || echo 0); echo $((n + 1)) > "$f"; '
                  'exec %s 4 $((n * 64 * {leak})) 10 30') % (counts, os.path.join(BIN, "pc_grow"))
        p = perfcheck("run", "--json", self.result_path, "--warmup", "1", "--parameter", "leak=0,1",
                      "--duration", "1.5s", "--seed", "4", "--threshold", "rss.growth < 10%",
                      "--", "/bin/sh", "-c", script)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        with open(self.result_path) as f:
            r = json.load(f)
        self.assertIn("note: a soak of 1.50 s at each of 2 levels", p.stderr)
        steady, leaking = r["points"]
        for point in (steady, leaking):
            self.assertGreaterEqual(len(point["runs"]), 8, point["level"])
            self.assertGreaterEqual(sum(run["wall_ns"] for run in point["runs"]), 1.5e9)
            self.assertEqual(point["trends"]["rss"]["n"], len(point["runs"]))  # a trend point per run
        self.assertTrue(leaking["trends"]["rss"]["significant"])
        self.assertGreater(leaking["trends"]["rss"]["change"], 0.1)
        self.assertLess(steady["trends"]["rss"]["change"], 0.1)
        outcomes = {t["at"]: t["ok"] for t in r["thresholds"] if t["expr"] == "rss.growth < 10%"}
        self.assertEqual(outcomes, {"leak=0": True, "leak=1": False})
        self.assertEqual([pt["verdict"] for pt in r["points"]], ["pass", "failed"])

    def test_bad_sweeps_are_usage_errors_before_anything_runs(self):
        cases = [
            (["--parameter", "m=1"], "command argument 3 '{n}': the placeholder {n} names no parameter"),
            (["--parameter", "n=1,1"], "--parameter: parameter 'n': the value 1 is given twice (duplicate levels)"),
            (["--parameter", "n=1,"], "a value is empty"),
            (["--parameter", "n"], "--parameter 'n': write NAME=VALUES"),
            (["--parameter", "n=1..2000+1"], "more than 1000 values"),
            (["--parameter", "n=1", "--threshold", "wall.p95@n=7 < 1s"],
             "--threshold 'wall.p95@n=7 < 1s': the test has no level n=7 (the values of n are 1)"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = perfcheck("run", *args, "--", os.path.join(BIN, "pc_level"), self.log, "{n}")
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(message, p.stderr)
                self.assertFalse(os.path.exists(self.log), "a run was made")


if __name__ == "__main__":
    unittest.main()
