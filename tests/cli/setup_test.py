#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end SETUP, PREPARE and CLEANUP with real programs: pc_log appends a word to a log (or
fails, or hangs), so the log is the exact order of hooks and runs; pc_cache fills a cache folder
slowly when it is empty and `pc_cache clear DIR {mode}` empties it for the cold level only, for a
cold-against-warm gate that passes and one that fails.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import json
import os
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
LOG = os.path.join(BIN, "pc_log")
CACHE = os.path.join(BIN, "pc_cache")


def perfcheck(*args):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300)


class SetupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-setup-")
        self.log = os.path.join(self.tmp.name, "order.log")
        self.result_path = os.path.join(self.tmp.name, "result.json")

    def tearDown(self):
        self.tmp.cleanup()

    def run_logged(self, *extra, expect=0, command=None):
        p = perfcheck("run", "--json", self.result_path, "--warmup", "1", "--runs", "3", *extra,
                      "--", *(command or [LOG, self.log, "run"]))
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    def order(self):
        with open(self.log) as f:
            return f.read().split()

    def test_prepare_runs_before_every_run_between_setup_and_cleanup(self):
        self.run_logged("--setup", f"{LOG} {self.log} setup", "--prepare", f"{LOG} {self.log} prepare",
                        "--cleanup", f"{LOG} {self.log} cleanup")
        # One warm-up and three measured runs, each right after its own PREPARE.
        self.assertEqual(self.order(), ["setup"] + ["prepare", "run"] * 4 + ["cleanup"])

    def test_setup_and_cleanup_run_once_even_when_a_run_fails(self):
        p, r = self.run_logged("--setup", f"{LOG} {self.log} setup", "--cleanup", f"{LOG} {self.log} cleanup",
                               expect=3, command=[LOG, self.log, "run", "1"])
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(self.order(), ["setup", "run", "cleanup"])

    def test_cleanup_runs_when_a_limit_stops_the_test(self):
        _, r = self.run_logged("--setup", f"{LOG} {self.log} setup", "--cleanup", f"{LOG} {self.log} cleanup",
                               "--limit", "timeout=300ms", expect=1, command=[LOG, self.log, "run", "hang"])
        self.assertEqual(r["verdict"], "failed")
        self.assertEqual(self.order(), ["setup", "run", "cleanup"])

    def test_a_failing_prepare_is_an_error_naming_it(self):
        p, r = self.run_logged("--prepare", f"{LOG} {self.log} prepare 7", "--cleanup", f"{LOG} {self.log} cleanup",
                               expect=3)
        self.assertEqual(r["verdict"], "error")
        reason = " ".join(r["reasons"])
        self.assertIn("PREPARE command '" + LOG + "' exited with status 7", reason)
        self.assertIn("pc_log: prepare failing with status 7 as asked", reason)  # the end of its output
        self.assertIn("PREPARE command", p.stderr)
        # The command never ran; CLEANUP still did (there was no SETUP to fail).
        self.assertEqual(self.order(), ["prepare", "cleanup"])

    def test_a_hanging_prepare_is_stopped_by_the_tests_timeout(self):
        p, r = self.run_logged("--prepare", f"{LOG} {self.log} prepare hang", "--limit", "timeout=300ms", expect=3)
        self.assertIn("PREPARE command '" + LOG + "' was stopped by its timeout limit", " ".join(r["reasons"]))

    def test_a_missing_setup_program_is_an_error_and_nothing_runs(self):
        _, r = self.run_logged("--setup", "no-such-setup-program-xyz", "--cleanup", f"{LOG} {self.log} cleanup",
                               expect=3)
        self.assertIn("SETUP command 'no-such-setup-program-xyz': command not found", " ".join(r["reasons"]))
        self.assertFalse(os.path.exists(self.log), "a run or the CLEANUP ran after SETUP failed")

    def test_hook_output_is_kept_apart_from_the_commands(self):
        out = os.path.join(self.tmp.name, "out")
        p = perfcheck("run", "--output-dir", out, "--name", "t", "--warmup", "0", "--runs", "2",
                      "--prepare", f"{LOG} {self.log} prepare 0", "--", os.path.join(BIN, "pc_print"), "5")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        names = sorted(os.listdir(out))
        self.assertIn("t.prepare.stdout", names)
        self.assertIn("t.prepare.stderr", names)
        self.assertIn("t.stdout", names)

    def test_setup_with_a_placeholder_runs_once_per_level(self):
        self.run_logged("--parameter", "mode=a,b", "--setup", f"{LOG} {self.log} setup-{{mode}}",
                        "--cleanup", f"{LOG} {self.log} cleanup-{{mode}}", "--prepare", f"{LOG} {self.log} prepare-{{mode}}",
                        command=[LOG, self.log, "run-{mode}"])
        order = self.order()
        for mode in "ab":
            mine = [w for w in order if w.endswith("-" + mode)]
            self.assertEqual(mine, [f"setup-{mode}"] + [f"prepare-{mode}", f"run-{mode}"] * 4 + [f"cleanup-{mode}"])

    def test_setup_without_a_placeholder_runs_once_per_sweep(self):
        self.run_logged("--parameter", "mode=a,b", "--setup", f"{LOG} {self.log} setup",
                        "--cleanup", f"{LOG} {self.log} cleanup", command=[LOG, self.log, "run-{mode}"])
        order = self.order()
        self.assertEqual(order[0], "setup")
        self.assertEqual(order[-1], "cleanup")
        self.assertEqual(order.count("setup") + order.count("cleanup"), 2)
        self.assertEqual(len(order), 2 + 8)

    def cold_warm(self, gate, expect, *extra):
        cache = os.path.join(self.tmp.name, "cache")
        p = perfcheck("run", "--json", self.result_path, *extra, "--warmup", "1", "--runs", "5", "--seed", "3",
                      "--parameter", "mode=cold,warm", "--prepare", f"{CACHE} clear {cache} {{mode}}",
                      "--threshold", gate, "--", CACHE, "fill", cache, "60")
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(self.result_path) as f:
            return p, json.load(f)

    def test_warm_is_at_most_60_percent_of_cold(self):
        p, r = self.cold_warm("wall.median@mode=warm <= 60% wall.median@mode=cold", 0)
        self.assertEqual(r["verdict"], "pass")
        cold, warm = (pt["summary"]["wall"]["median"] for pt in r["points"])
        self.assertGreaterEqual(cold, 60e6)  # every cold run slept: its PREPARE emptied the cache
        gate = [t for t in r["thresholds"] if t.get("source") == "levels"]
        self.assertEqual(len(gate), 1)
        self.assertEqual((gate[0]["at"], gate[0]["versus"]), ("mode=warm", "mode=cold"))
        self.assertEqual((gate[0]["left_value"], gate[0]["right_value"]), (warm, cold))
        self.assertAlmostEqual(gate[0]["value"], warm / cold)
        self.assertTrue(gate[0]["ok"])
        self.assertIn("✓ wall.median@mode=warm <= 60% wall.median@mode=cold at mode=warm", p.stdout)
        self.assertIn("at mode=warm against", p.stdout)

    def test_cold_is_not_at_most_60_percent_of_warm(self):
        p, r = self.cold_warm("wall.median@mode=cold <= 60% wall.median@mode=warm", 1)
        self.assertEqual(r["verdict"], "failed")
        self.assertTrue(any(x.startswith("wall.median@mode=cold <= 60% wall.median@mode=warm: measured")
                            for x in r["reasons"]), r["reasons"])
        self.assertIn("✗ wall.median@mode=cold <= 60% wall.median@mode=warm", p.stdout)

    def test_the_reports_show_the_ratio_and_both_figures(self):
        history = os.path.join(self.tmp.name, "h.db")
        self.cold_warm("wall.median@mode=cold <= 60% wall.median@mode=warm", 1, "--history", history, "--name", "cw")
        out = os.path.join(self.tmp.name, "report")
        p = perfcheck("report", "--history", history, "--out", out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for name in ("summary.md", "junit.xml"):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                text = f.read()
            with self.subTest(report=name):
                self.assertIn("wall.median@mode=cold &lt;= 60%" if name == "junit.xml" else "wall.median@mode=cold", text)
                self.assertRegex(text, r"at mode=cold against [0-9.]+ (us|ms) at mode=warm")

    def test_bad_input_is_a_usage_error_before_anything_runs(self):
        cases = [
            (["--prepare", ""], "--prepare: the command is empty"),
            (["--setup-arg", "x"], "--setup-arg: there is no --setup to add it to"),
            (["--parameter", "mode=a,b", "--prepare", f"{LOG} {self.log} {{size}}"],
             "--prepare '{size}': the placeholder {size} names no parameter (the parameters are mode)"),
            (["--parameter", "mode=a,b", "--threshold", "wall.median@mode=c <= 60% wall.median@mode=a"],
             "the test has no level mode=c (the values of mode are a, b)"),
            (["--parameter", "mode=a,b", "--threshold", "wall.median@mode=a <= 60% wall.median@mode=a"],
             "both sides are the level mode=a"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = perfcheck("run", *args, "--", LOG, self.log, "run")
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(message, p.stderr)
                self.assertFalse(os.path.exists(self.log), "something ran")


if __name__ == "__main__":
    unittest.main()
