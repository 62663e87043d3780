#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of what verdicts say: a first result against a new history, a possible
regression called out in the console, the reports and CTest's output, a required speed-up, and
WILL_FAIL tests counted as expected failures by the session.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import json
import os
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]


def prog(name):
    return os.path.join(BIN, name)


def perfcheck(*args, env=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300,
                          env=None if env is None else {**os.environ, **env})


class VerdictTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-verdict-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_json(self, *args, expect=0, name="result.json"):
        p = perfcheck("run", "--json", self.path(name), *args)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.path(name)) as f:
            return p, json.load(f)

    def baseline_file(self, low_ms, high_ms, n):
        """A reviewed baseline of test 'sleepy': n runs evenly from low_ms to high_ms."""
        _, r = self.run_json("--name", "sleepy", "--runs", "1", "--warmup", "0", "--", prog("pc_sleep"), "1",
                             name="seed.json")
        template = r["runs"][0]
        runs = []
        for i in range(n):
            run = dict(template)
            run["wall_ns"] = int((low_ms + (high_ms - low_ms) * i / (n - 1)) * 1e6)
            runs.append(run)
        path = self.path("baseline.json")
        with open(path, "w") as f:
            json.dump({"schema": "perfcheck/baseline/v1", "tests": {"sleepy": {"runs": runs}}}, f)
        return path

    def failing_spec(self, file_name, name, results, **fields):
        """A spec of 2 runs of a 1 ms sleep that always fails its threshold, results in `results`."""
        spec = self.path(file_name)
        with open(spec, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": name, "command": [prog("pc_sleep"), "1"],
                       "runs": {"min": 2, "max": 2}, "warmup": 0, "thresholds": ["wall.median < 1ns"],
                       "output_dir": results, **fields}, f)
        return spec

    def test_first_result_in_a_new_history_names_the_file_and_does_not_extend(self):
        history = self.path("new.sqlite")
        _, r = self.run_json("--history", history, "--regression", "wall.median +5%", "--runs", "4:40",
                             "--min-time", "200ms", "--warmup", "0", "--", prog("pc_sleep"), "20")
        self.assertEqual(r["baseline"]["source"], history)
        self.assertTrue(any(f"no comparable results yet in {history}" in w for w in r["warnings"]), r["warnings"])
        self.assertFalse(any("give --history" in w for w in r["warnings"]), r["warnings"])
        # 20 ms a run: the 200 ms minimum is met after about 10 runs; the next planned look is at
        # 16, but with nothing to compare with there is nothing to decide.
        self.assertGreaterEqual(sum(x["wall_ns"] for x in r["runs"]), 200_000_000)
        self.assertLessEqual(len(r["runs"]), 11, len(r["runs"]))

    def test_possible_regression_is_called_out_everywhere(self):
        # A baseline spread from 10 to 210 ms (median 110): the interval of a 140 ms candidate with
        # 5 runs spans far more than +10% on either side, but its estimate lies beyond +10%. A
        # loaded machine only lengthens the sleeps, and up to about 175 ms the verdict stays
        # inconclusive, so scheduling delays of 35 ms a run cannot turn it into "regressed".
        baseline = self.baseline_file(10, 210, 200)
        history = self.path("h.sqlite")
        p, r = self.run_json("--name", "sleepy", "--baseline", "file", "--baseline-file", baseline,
                             "--regression", "wall.median +10%", "--runs", "5", "--warmup", "0",
                             "--history", history, "--", prog("pc_sleep"), "140")
        self.assertEqual(r["verdict"], "inconclusive", r["reasons"])
        f = r["regressions"][0]
        self.assertGreater(f["change"], 0.1)
        self.assertEqual(f["tolerance"], 0.1)
        self.assertGreater(f["runs_to_decide"], 5)
        self.assertIn(f"about {f['runs_to_decide']} runs would decide it", p.stdout)
        self.assertIn("verdict: inconclusive — POSSIBLE REGRESSION: wall.median +10% changed +", p.stdout)
        self.assertIn('name="regression.runs_to_decide"', p.stdout)  # CTest's measurements
        self.assertTrue(r["reasons"][0].startswith("possible regression: "), r["reasons"])
        q = perfcheck("run", "--quiet", "--name", "sleepy", "--baseline", "file", "--baseline-file", baseline,
                      "--regression", "wall.median +10%", "--runs", "5", "--warmup", "0", "--",
                      prog("pc_sleep"), "140")
        self.assertIn("sleepy: inconclusive — POSSIBLE REGRESSION", q.stdout)
        out = self.path("report")
        rep = perfcheck("report", "--history", history, "--out", out)
        self.assertEqual(rep.returncode, 0, rep.stdout + rep.stderr)
        with open(os.path.join(out, "summary.md")) as fh:
            self.assertIn("inconclusive: possible regression (about", fh.read())
        with open(os.path.join(out, "index.html")) as fh:
            self.assertIn("inconclusive: possible regression (about", fh.read())
        with open(os.path.join(out, "report.json")) as fh:
            change = json.load(fh)["tests"][0]["change"]
        self.assertTrue(change["possible_regression"])
        self.assertEqual(change["runs_to_decide"], f["runs_to_decide"])
        # The gate's own level, shown: 1 - alpha with one look is 99%.
        self.assertTrue(change["interval_text"].startswith("99% CI "), change["interval_text"])

    def test_required_speedup_fails_when_not_met(self):
        # 200 ms a run: 150 ms (-25%) misses the required -40%, and 1 ms meets it even when a
        # loaded machine makes each run last tens of milliseconds longer.
        baseline = self.baseline_file(199, 201, 30)
        _, r = self.run_json("--name", "sleepy", "--baseline", "file", "--baseline-file", baseline,
                             "--regression", "wall.median -40%", "--runs", "10", "--warmup", "0",
                             "--", prog("pc_sleep"), "150", expect=1)
        self.assertEqual(r["verdict"], "regressed")
        self.assertIn("the required speed-up of +40.0% is not met", r["reasons"][0])
        _, r = self.run_json("--name", "sleepy", "--baseline", "file", "--baseline-file", baseline,
                             "--regression", "wall.median -40%", "--runs", "10", "--warmup", "0",
                             "--", prog("pc_sleep"), "1")
        self.assertEqual(r["verdict"], "pass", r["reasons"])
        self.assertIn("the required speed-up of +40.0% is met", r["regressions"][0]["reason"])

    def test_will_fail_results_are_expected_failures_in_the_session(self):
        results = self.path("results")
        self.assertEqual(perfcheck("session", "start", "--results-dir", results).returncode, 0)
        for name, will_fail in (("marked", True), ("plain", False)):
            spec = self.failing_spec(f"{name}.spec.json", name, results, will_fail=will_fail)
            p = perfcheck("run", "--spec", spec)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        with open(os.path.join(results, "marked.json")) as f:
            self.assertTrue(json.load(f)["expected_failure"])
        p = perfcheck("session", "finish", "--results-dir", results)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("2 result(s): 1 failed, 1 expected failure (WILL_FAIL)", p.stdout)
        self.assertIn("plain", p.stdout)
        self.assertNotIn("failed       marked", p.stdout)

    def test_session_start_compiles_every_spec_before_any_test_runs(self):
        results = self.path("results")
        good = self.failing_spec("good.spec.json", "good", results)
        # Measurable only in a soak; the test has none.
        bad = self.failing_spec("bad.spec.json", "bad", results, thresholds=["rss.growth < 10%"])
        missing = self.path("missing.spec.json")
        p = perfcheck("session", "start", "--results-dir", results, "--spec", good, bad, missing)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        errors = [line for line in p.stderr.splitlines() if line.startswith("error: ")]
        self.assertEqual(len(errors), 2, p.stderr)
        self.assertIn(bad, errors[0])
        self.assertIn("rss.growth", errors[0])
        self.assertIn("DURATION", errors[0])
        self.assertIn(missing, errors[1])
        self.assertIn("2 of 3 perf test spec(s) do not compile, so no perf test of this session runs",
                      p.stderr)
        # The session is recorded all the same: the cleanup counts it (none of its tests ran),
        # not the session before.
        with open(os.path.join(results, "session.json")) as f:
            session_id = json.load(f)["id"]
        self.assertIn(session_id, p.stdout)
        finish = perfcheck("session", "finish", "--results-dir", results)
        self.assertIn(f"perfcheck session {session_id}: 0 result(s)", finish.stdout)
        p = perfcheck("session", "start", "--results-dir", results, "--spec", good)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("1 perf test spec(s) compile", p.stdout)
        # The setup is a CTest test: a name in an error cannot pose as a tag CTest reads.
        forged = self.failing_spec("forged.spec.json", "x<CTestLabel>forged</CTestLabel>", results,
                                   thresholds=["rss.growth < 10%"])
        p = perfcheck("session", "start", "--results-dir", results, "--spec", forged)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("x&lt;CTestLabel>forged&lt;/CTestLabel>", p.stderr)
        self.assertNotIn("<CTestLabel>", p.stderr)

    def test_a_result_kept_out_of_the_baseline_says_how_to_accept_it(self):
        # A quote, a space and a one-byte CSI (U+009B) in the name: shell-quoted, and the control
        # character written out, never sent to the terminal.
        name = "it's slow\u009b[2J"
        results, history = self.path("results"), self.path("h.sqlite")
        self.assertEqual(perfcheck("session", "start", "--results-dir", results).returncode, 0)
        spec = self.failing_spec("slow.spec.json", name, results, history=history)
        # The series' first result starts its level, even failed: nothing waits for acceptance.
        first = perfcheck("run", "--spec", spec)
        self.assertEqual(first.returncode, 1, first.stdout + first.stderr)
        self.assertNotIn("not in the baseline", first.stdout)
        second = perfcheck("run", "--spec", spec)
        self.assertEqual(second.returncode, 1, second.stdout + second.stderr)
        command = f"perfcheck history accept 'it'\\''s slow\\u009b[2J' --history {history}"
        self.assertIn("not in the baseline: the test failed, not accepted (1 result(s))", second.stdout)
        self.assertIn(f"    {command}\n", second.stdout)
        self.assertIn("    PERFCHECK_ACCEPT_TESTS='it'\\''s slow\\u009b[2J' cmake --build <build> "
                      "--target perf_accept", second.stdout)
        self.assertNotIn("\u009b", second.stdout)
        finish = perfcheck("session", "finish", "--results-dir", results, "--history", history)
        self.assertEqual(finish.returncode, 0, finish.stdout + finish.stderr)
        self.assertIn("1 test(s) regressed or failed and are kept out of their baseline", finish.stdout)
        self.assertIn(f"    {command}\n", finish.stdout)
        self.assertNotIn("\u009b", finish.stdout)
        # The command it gives works; then nothing waits, and neither says anything.
        accepted = perfcheck("history", "accept", name, "--history", history)
        self.assertEqual(accepted.returncode, 0, accepted.stdout + accepted.stderr)
        finish = perfcheck("session", "finish", "--results-dir", results, "--history", history)
        self.assertNotIn("kept out of their baseline", finish.stdout)


if __name__ == "__main__":
    unittest.main()
