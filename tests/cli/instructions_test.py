#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""COUNT instructions end to end with a real program of known work: pc_work ITERATIONS SCALE does
ITERATIONS x SCALE steps of a fixed chain, so its instruction count is a fixed start-up cost plus
a fixed cost per step. This machine has no hardware counters, so valgrind counts (the tests are
skipped without valgrind). Kept small: a valgrind run takes ~50x a plain one, and each test makes
at most a dozen runs of 1e5-4e5 steps.

Counts grow with work (linearly: equal steps of work add equal counts, to 1e-3), are steady across
runs (spread below 10 ppm), a 1% extra work against an interleaved baseline command is
`regressed` under a 0.5% rule and the same work passes, a sweep's complexity gate on instructions
passes for linear work, and where nothing counts (PERFCHECK_COUNT_SOURCE=none, or valgrind hidden
from PATH) the gates are `skipped` (exit 77), never passed.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import json
import re
import os
import shutil
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
WORK = os.path.join(BIN, "pc_work")
HAVE_VALGRIND = shutil.which("valgrind") is not None


def perfcheck(*args, env=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300, env=env)


class InstructionsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-instructions-")
        self.result_path = os.path.join(self.tmp.name, "result.json")

    def tearDown(self):
        self.tmp.cleanup()

    def run_counted(self, *args, expect=0, env=None):
        p = perfcheck("run", "--json", self.result_path, "--warmup", "0", "--count", "instructions", *args, env=env)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    def counts(self, steps, runs="3"):
        p, r = self.run_counted("--runs", runs, "--name", f"work{steps}", "--", WORK, str(steps), "1")
        return p, r, [run["instructions"] for run in r["runs"]]

    @unittest.skipUnless(HAVE_VALGRIND, "valgrind is not installed")
    def test_counts_grow_with_work_and_are_steady_to_ppm(self):
        p, r, small = self.counts(100000)
        _, _, middle = self.counts(200000, runs="2")
        _, _, large = self.counts(300000, runs="2")
        self.assertEqual(len(small), 3)
        spread = (max(small) - min(small)) / min(small)
        self.assertLess(spread, 1e-5, small)
        self.assertLess(small[0], middle[0])
        self.assertLess(middle[0], large[0])
        # Equal steps of work add equal counts: the cost per step is fixed.
        step1, step2 = middle[0] - small[0], large[0] - middle[0]
        self.assertAlmostEqual(step1 / step2, 1.0, delta=1e-3)
        self.assertEqual(r["metadata"]["instructions.source"], "valgrind")
        self.assertIn("address randomization off", r["metadata"]["instructions.setup"])
        self.assertIn("instructions", r["summary"])
        self.assertTrue(any("not the command's" in w for w in r["warnings"]), r["warnings"])
        self.assertIn("note: instructions counted by valgrind", p.stderr)
        self.assertIn("instr ", p.stdout)
        self.assertIn("counted runs: not the command's own time", p.stdout)
        # The median count is a CTest measurement with every digit of the summary's (CDash charts it).
        tag = re.search(r'<CTestMeasurement type="numeric/double" name="instructions.median">([0-9]+)<', p.stdout)
        self.assertIsNotNone(tag, p.stdout)
        self.assertEqual(int(tag.group(1)), round(r["summary"]["instructions"]["median"]))

    @unittest.skipUnless(HAVE_VALGRIND, "valgrind is not installed")
    def test_the_reports_headline_of_a_counted_test_is_its_instructions(self):
        history = os.path.join(self.tmp.name, "h.sqlite")
        for steps in ("100000", "200000"):  # the same name and command line shape, twice the work
            self.run_counted("--runs", "3", "--name", "counted", "--history", history, "--", WORK, steps, "1")
        out = os.path.join(self.tmp.name, "report")
        p = perfcheck("report", "--history", history, "--out", out, "--format", "md,json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(out, "report.json")) as f:
            test = json.load(f)["tests"][0]
        with open(self.result_path) as f:
            counted = json.load(f)["summary"]["instructions"]["median"]
        # Not the counted runs' wall time (valgrind's), but the count.
        self.assertEqual(test["headline"]["metric"], "instructions", test)
        self.assertEqual(test["headline"]["value"], counted)
        with open(os.path.join(out, "summary.md")) as f:
            self.assertIn(f"instructions median {round(counted)}", f.read())

    @unittest.skipUnless(HAVE_VALGRIND, "valgrind is not installed")
    def test_a_timeout_limit_holds_the_command_not_valgrind(self):
        # valgrind alone takes longer to start than 0.3 s: the limit is scaled for counted runs.
        p, r = self.run_counted("--runs", "2", "--name", "limited", "--limit", "TIMEOUT=0.3s",
                                "--limit", "CPU_TIME=0.3s", "--", WORK, "20000000", "1")
        self.assertEqual(r["verdict"], "pass", r["reasons"])
        self.assertTrue(all(run["instructions"] > 20000000 for run in r["runs"]), r["runs"])
        self.assertIn("counted under valgrind: the TIMEOUT and CPU_TIME limits of these runs are 50x the test's",
                      r["warnings"])
        self.assertGreater(min(run["wall_ns"] for run in r["runs"]), 300_000_000,
                           "valgrind's runs were quicker than the unscaled limit: this case would not show the scaling")

    @unittest.skipUnless(HAVE_VALGRIND, "valgrind is not installed")
    def test_thresholds_on_instructions(self):
        _, r = self.run_counted("--runs", "2", "--threshold", "instructions < 50M", "--", WORK, "100000", "1")
        self.assertEqual(r["verdict"], "pass")
        self.assertTrue(r["thresholds"][0]["ok"])
        _, r = self.run_counted("--runs", "2", "--threshold", "instructions.median < 10k", "--", WORK, "100000", "1",
                                expect=1)
        self.assertEqual(r["verdict"], "failed")

    def regression(self, candidate_scale, expect):
        return self.run_counted("--runs", "5", "--regression", "instructions.median +0.5%", "--baseline", "command",
                                "--baseline-command", f"{WORK} 200000 1", "--", WORK, "200000", candidate_scale,
                                expect=expect)

    @unittest.skipUnless(HAVE_VALGRIND, "valgrind is not installed")
    def test_one_percent_more_work_is_regressed_and_the_same_work_passes(self):
        _, r = self.regression("1.01", expect=1)
        self.assertEqual(r["verdict"], "regressed", r["reasons"])
        finding = r["regressions"][0]
        self.assertEqual(finding["metric"], "instructions")
        self.assertGreater(finding["ci_low"], 0.005)
        _, r = self.regression("1", expect=0)
        self.assertEqual(r["verdict"], "pass", r["reasons"])
        self.assertLess(abs(r["regressions"][0]["change"]), 1e-4)

    @unittest.skipUnless(HAVE_VALGRIND, "valgrind is not installed")
    def test_a_complexity_gate_on_instructions_passes_for_linear_work(self):
        _, r = self.run_counted("--runs", "4", "--seed", "3", "--parameter", "n=1,2,4",
                                "--threshold", "instructions.median ~ O(n)", "--", WORK, "{n}00000", "1")
        gate = [t for t in r["thresholds"] if t["expr"] == "instructions.median ~ O(n)"][0]
        self.assertTrue(gate["ok"], gate)
        self.assertEqual(r["verdict"], "pass")

    def assert_skipped(self, env, why):
        p, r = self.run_counted("--runs", "2", "--threshold", "instructions < 50M", "--", WORK, "1000", "1",
                                expect=77, env=env)
        self.assertEqual(r["verdict"], "skipped")
        self.assertIn("instructions < 50M: skipped, nothing on this machine counts instructions", r["reasons"])
        self.assertFalse(r["thresholds"][0]["measured"])
        self.assertEqual(r["metadata"]["instructions.source"], "none")
        self.assertTrue(any(why in w for w in r["warnings"]), r["warnings"])
        self.assertIn("skipped", p.stdout)
        return r

    def test_nothing_to_count_with_is_skipped_never_passed(self):
        self.assert_skipped(dict(os.environ, PERFCHECK_COUNT_SOURCE="none"), "PERFCHECK_COUNT_SOURCE=none")

    def test_valgrind_hidden_from_path_is_skipped(self):
        self.assert_skipped(dict(os.environ, PATH=self.tmp.name), "valgrind is not in PATH")

    def test_a_forced_source_that_is_missing_is_a_usage_error(self):
        env = dict(os.environ, PATH=self.tmp.name, PERFCHECK_COUNT_SOURCE="valgrind")
        p = perfcheck("run", "--count", "instructions", "--", WORK, "1000", env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("PERFCHECK_COUNT_SOURCE=valgrind, but valgrind is not in PATH", p.stderr)

    def test_wall_gates_on_counted_runs_are_refused(self):
        p = perfcheck("run", "--count", "instructions", "--threshold", "wall.median < 1s", "--", WORK, "1000")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("'wall.median < 1s': a test with COUNT instructions gates instructions", p.stderr)
        p = perfcheck("run", "--threshold", "instructions < 5M", "--", WORK, "1000")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--count instructions", p.stderr)
        p = perfcheck("run", "--count", "cycles", "--", WORK, "1000")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--count cycles: cannot be counted", p.stderr)


if __name__ == "__main__":
    unittest.main()
