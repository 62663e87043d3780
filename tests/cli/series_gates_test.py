#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Gates across a sweep's levels end to end, with real programs of known cost: pc_work does a
fixed number of CPU-bound steps, n x 3e6 of them (`pc_work {n}000000 3`, linear in n) or n^2 x
1e6 (`pc_work {n}000000 {n}`, quadratic). The gate is on cpu.median, which a loaded machine
inflates far less than wall time, over n = 1 2 3 4 6 8 (a 64-fold range for the quadratic
program, so its curvature is far beyond the noise). The linear program passes `~ O(n)`, the
quadratic one fails it; its outcome carries the fit into the result, the console, summary.md and
JUnit. A breaking point: pc_level sleeps n ms, and `wall.median < 200ms` holds up to n = 40 and
fails at n = 400. Plus the configure-time errors of `perfcheck validate`.

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
LEVELS = "n=1,2,3,4,6,8"


def perfcheck(*args):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300)


class SeriesGatesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-series-")
        self.result_path = os.path.join(self.tmp.name, "result.json")

    def tearDown(self):
        self.tmp.cleanup()

    def run_sweep(self, threshold, command, expect, levels=LEVELS, runs="5", history=None):
        extra = ["--history", history] if history else []
        p = perfcheck("run", "--json", self.result_path, "--warmup", "0", "--runs", runs, "--seed", "5",
                      "--name", "work", "--parameter", levels, "--threshold", threshold, *extra, "--", *command)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    @staticmethod
    def outcome(result, text):
        found = [t for t in result["thresholds"] if t["expr"] == text]
        assert len(found) == 1, result["thresholds"]
        return found[0]

    def test_linear_work_passes_O_n(self):
        p, r = self.run_sweep("cpu.median ~ O(n)", [os.path.join(BIN, "pc_work"), "{n}000000", "3"], expect=0)
        t = self.outcome(r, "cpu.median ~ O(n)")
        self.assertTrue(t["ok"], t)
        c = t["complexity"]
        self.assertEqual((c["parameter"], c["bound"], c["levels"], c["points"]), ("n", "n", 6, 30))
        self.assertLessEqual(c["slope_low"], c["slope"])
        self.assertLessEqual(c["slope"], c["slope_high"])
        self.assertEqual(r["verdict"], "pass")
        self.assertIn("✓ cpu.median ~ O(n)", p.stdout)
        self.assertIn("log-log slope", p.stdout)
        # CTest measurements of the fit: the slope and its interval, as the result has them.
        tags = dict(re.findall(r'<CTestMeasurement type="numeric/double" name="(complexity[^"]*)">([^<]*)<',
                               p.stdout))
        self.assertEqual(sorted(tags), ["complexity.cpu.median.slope", "complexity.cpu.median.slope_high",
                                        "complexity.cpu.median.slope_low"])
        for name, field in (("slope", "slope"), ("slope_low", "slope_low"), ("slope_high", "slope_high")):
            self.assertAlmostEqual(float(tags[f"complexity.cpu.median.{name}"]), c[field],
                                   delta=abs(c[field]) * 1e-5 + 1e-9)

    def test_quadratic_work_fails_O_n_and_every_output_says_so(self):
        history = os.path.join(self.tmp.name, "history.sqlite")
        command = [os.path.join(BIN, "pc_work"), "{n}000000", "{n}"]
        p, r = self.run_sweep("cpu.median ~ O(n)", command, expect=1, history=history)
        t = self.outcome(r, "cpu.median ~ O(n)")
        c = t["complexity"]
        self.assertFalse(t["ok"], t)
        self.assertIn(c["fitted"], ("n^2", "n^3"))
        self.assertLess(c["p_adjusted"], c["alpha"])
        self.assertGreater(c["coefficient"], 0)
        self.assertEqual(r["verdict"], "failed")
        self.assertTrue(any("grows faster than O(n)" in reason for reason in r["reasons"]), r["reasons"])
        self.assertIn("✗ cpu.median ~ O(n)", p.stdout)
        self.assertIn("fitted O(n^", p.stdout)
        out = os.path.join(self.tmp.name, "report")
        rep = perfcheck("report", "--history", history, "--out", out)
        self.assertEqual(rep.returncode, 0, rep.stdout + rep.stderr)
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            # Markdown escapes the ~ (strikethrough in GFM) and the brackets.
            self.assertIn("1 of 1 failed: cpu.median \\~ O(n) (measured fitted O(n^", f.read())
        with open(os.path.join(out, "junit.xml"), encoding="utf-8") as f:
            self.assertIn("cpu.median ~ O(n): fitted O(n^", f.read())
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            reported = json.load(f)
        entries = [t for test in reported["tests"] for t in test["thresholds"] if "complexity" in t]
        self.assertEqual([e["complexity"]["fitted"] for e in entries], [c["fitted"]])

    def test_breaking_point_is_the_last_level_below_the_bound(self):
        command = [os.path.join(BIN, "pc_level"), os.path.join(self.tmp.name, "log"), "{n}"]
        gate = "breaking_point(wall.median < 200ms) >= 40"
        p, r = self.run_sweep(gate, command, expect=0, levels="n=10,20,40,400", runs="3")
        t = self.outcome(r, gate)
        self.assertEqual(t["breaking_point"]["level"], "40")
        self.assertEqual(t["breaking_point"]["first_failed"], "400")
        self.assertTrue(t["ok"])
        self.assertIn("breaking point n=40 (fails at n=400)", p.stdout)
        self.assertIn('<CTestMeasurement type="numeric/double" name="breaking_point.n.wall.median">40</CTestMeasurement>',
                      p.stdout)
        # The same sweep gated higher fails, naming the level found.
        gate = "breaking_point(wall.median < 200ms) >= 400"
        p, r = self.run_sweep(gate, command, expect=1, levels="n=10,20,40,400", runs="3")
        self.assertFalse(self.outcome(r, gate)["ok"])
        self.assertIn("breaking point n=40 (fails at n=400), not >= 400", "\n".join(r["reasons"]))

    def test_gates_the_sweep_cannot_evaluate_are_refused_before_anything_runs(self):
        cases = [
            ([], "wall.median ~ O(n)", "a complexity gate reads the levels of a sweep"),
            (["--parameter", "n=1,2"], "wall.median ~ O(n)", "needs at least 3"),
            (["--parameter", "n=1,2,3"], "wall.median ~ O(m)", "no parameter 'm'"),
            (["--parameter", "n=1,2,3"], "breaking_point(wall.p99 < 1s, m) >= 2", "no parameter 'm'"),
        ]
        for extra, gate, message in cases:
            p = perfcheck("run", *extra, "--threshold", gate, "--", os.path.join(BIN, "pc_noop"))
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertIn(f"--threshold '{gate}'", p.stderr)
            self.assertIn(message, p.stderr)

    def test_validate_names_the_spec_file_and_the_test(self):
        spec = os.path.join(self.tmp.name, "sorter.json")
        with open(spec, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "sorter", "command": ["true"],
                       "thresholds": ["wall.median ~ O(n)"]}, f)
        p = perfcheck("validate", spec)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(f"{spec}: test 'sorter': threshold 'wall.median ~ O(n)': a complexity gate reads the levels",
                      p.stderr)
        self.assertIn("add PARAMETERS n 10 50 100 200 500 to add_perf_test", p.stderr)
        with open(spec, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "sorter", "command": ["true"],
                       "parameters": [{"name": "n", "values": ["10", "100", "1000"]}],
                       "thresholds": ["wall.median ~ O(n log n)", "breaking_point(wall.p99 < 1s) >= 100"]}, f)
        p = perfcheck("validate", spec)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
