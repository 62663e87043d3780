#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck run` and `perfcheck validate` with real programs.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
MIB = 1024 * 1024


def prog(name):
    return os.path.join(BIN, name)


def perfcheck(*args, cwd=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


class RunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-cli-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def run_json(self, *args, expect=0):
        """Runs perfcheck with --json into a file; returns (process, result)."""
        path = os.path.join(self.dir, "result.json")
        p = perfcheck("run", "--json", path, *args)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(path) as f:
            return p, json.load(f)

    def test_sleeper_result_has_every_field(self):
        p, r = self.run_json("--runs", "3", "--warmup", "1", "--name", "nap", "--", prog("pc_sleep"), "20")
        self.assertEqual(r["schema"], "perfcheck/result/v1")
        self.assertEqual(r["name"], "nap")
        self.assertEqual(r["verdict"], "pass")
        self.assertEqual(r["reasons"], [])
        self.assertEqual(r["command"], [prog("pc_sleep"), "20"])
        self.assertEqual(len(r["runs"]), 3)
        self.assertEqual(len(r["warmup_runs"]), 1)
        for run in r["runs"] + r["warmup_runs"]:
            self.assertEqual(set(run), {"wall_ns", "user_ns", "sys_ns", "max_rss_bytes", "exit_code", "signal",
                                        "rss_tree_bytes", "io_read_bytes", "io_write_bytes", "io_read_chars",
                                        "io_write_chars", "ctx_voluntary", "ctx_involuntary", "faults_major",
                                        "faults_minor", "leaked_processes", "threads_max", "limit", "limit_observed",
                                        "memory_timeline"})
            self.assertGreaterEqual(run["wall_ns"], 20_000_000)
            self.assertLess(run["wall_ns"], 2_000_000_000)
            self.assertEqual(run["exit_code"], 0)
            self.assertIsNone(run["signal"])
        stats = {"min", "max", "mean", "median", "stddev", "mad", "p90", "p95", "p99", "ci_low", "ci_high"}
        for metric in ("wall", "user", "sys", "cpu", "rss"):
            self.assertTrue(stats <= set(r["summary"][metric]), metric)
        w = r["summary"]["wall"]
        self.assertLessEqual(w["min"], w["median"])
        self.assertLessEqual(w["median"], w["max"])
        self.assertLessEqual(w["ci_low"], w["median"])
        self.assertGreater(r["overhead_ns"], 0)
        self.assertIn("overhead_corrected", r)
        env = r["environment"]
        for key in ("cpu_model", "cpu_count", "kernel", "load_average_1m", "governor", "perfcheck_version", "build_type"):
            self.assertIn(key, env)
        self.assertGreaterEqual(env["cpu_count"], 1)
        self.assertRegex(r["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertLessEqual(r["started_at"], r["finished_at"])

    def test_cpu_burner_is_measured_as_cpu_time(self):
        _, r = self.run_json("--runs", "3", "--", prog("pc_burn"), "60")
        for run in r["runs"]:
            self.assertGreaterEqual(run["user_ns"] + run["sys_ns"], 55_000_000)
            self.assertGreaterEqual(run["wall_ns"], 55_000_000)
        self.assertGreaterEqual(r["summary"]["cpu"]["median"], 55e6)

    def test_allocator_peak_rss_is_its_own(self):
        _, r = self.run_json("--runs", "3", "--", prog("pc_alloc"), "100")
        for run in r["runs"]:
            # 100 MiB touched plus the program's own few hundred KiB: within 4% of N.
            self.assertGreaterEqual(run["max_rss_bytes"], 100 * MIB)
            self.assertLess(run["max_rss_bytes"], 104 * MIB)
        # A small program is not inflated by perfcheck's own memory.
        _, small = self.run_json("--runs", "3", "--", prog("pc_noop"))
        self.assertLess(small["summary"]["rss"]["max"], 4 * MIB)

    def test_thresholds_fail_with_exit_1_and_reasons(self):
        p, r = self.run_json("--runs", "3", "--threshold", "wall.median < 1ms", "--threshold", "rss.max < 1GiB",
                             "--", prog("pc_sleep"), "20", expect=1)
        self.assertEqual(r["verdict"], "failed")
        self.assertEqual(len(r["reasons"]), 1)
        self.assertTrue(r["reasons"][0].startswith("wall.median < 1ms: measured "), r["reasons"])
        self.assertEqual([t["ok"] for t in r["thresholds"]], [False, True])
        self.assertEqual(r["thresholds"][0]["expr"], "wall.median < 1ms")
        self.assertGreaterEqual(r["thresholds"][0]["value"], 20e6)
        self.assertIn("✗ wall.median < 1ms", p.stdout)
        self.assertIn("✓ rss.max < 1GiB", p.stdout)

    def test_console_block_and_ctest_measurements(self):
        p = perfcheck("run", "--runs", "3", "--", prog("pc_sleep"), "5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("pc_sleep: 3 runs after 1 warm-up", p.stdout)
        self.assertIn("verdict: pass", p.stdout)
        self.assertRegex(p.stdout, r'<CTestMeasurement type="numeric/double" name="wall.median_ms">[0-9.]+</CTestMeasurement>')
        self.assertRegex(p.stdout, r'<CTestMeasurement type="numeric/double" name="rss.max_mib">[0-9.]+</CTestMeasurement>')
        # Not a terminal: no progress line escape codes.
        self.assertNotIn("\r", p.stderr)

    def test_names_and_messages_cannot_pose_as_ctest_tags(self):
        forged = '<CTestMeasurement type="numeric/double" name="wall.median_ms">0</CTestMeasurement>'
        p = perfcheck("run", "--runs", "2", "--name", "x" + forged, "--threshold", "wall.max<1h",
                      "--", prog("pc_sleep"), "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        tags = re.findall(r'<CTestMeasurement[^>]*name="wall.median_ms">', p.stdout)
        self.assertEqual(len(tags), 1, p.stdout)  # perfcheck's own, not the name's
        self.assertIn("x&lt;CTestMeasurement", p.stdout)
        self.assertIn("wall.max<1h", p.stdout)  # a comparison is not a tag
        p = perfcheck("run", "-q", "--name", forged, "--", prog("pc_noop"))
        self.assertNotIn("<CTestMeasurement", p.stdout)
        p = perfcheck("run", "--", "<CTestLabel>forged</CTestLabel>")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("command not found: &lt;CTestLabel>forged&lt;/CTestLabel>", p.stderr)
        p = perfcheck("run", "--threshold", "wall.p95 < 1s" + forged, "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertNotIn("<CTestMeasurement", p.stderr)
        # Any case, and a closing tag, of either family; other '<' text reads as written.
        p = perfcheck("run", "--", "<ctestlabel>a</CTESTLABEL><DartMeasurement>")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("&lt;ctestlabel>a&lt;/CTESTLABEL>&lt;DartMeasurement>", p.stderr)
        p = perfcheck("run", "--threshold", "wall.p95 <", "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("'<metric>.<statistic> <op> <value><unit>'", p.stderr)
        p = perfcheck("run", "--json", "-", "--runs", "1", "--name", forged, "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("<CTestMeasurement", p.stdout)
        self.assertEqual(len(re.findall(r'<CTestMeasurement[^>]*name="wall.median_ms">', p.stderr)), 1, p.stderr)
        self.assertEqual(json.loads(p.stdout)["name"], forged)

    def test_json_to_stdout_keeps_stdout_parseable(self):
        p = perfcheck("run", "--runs", "2", "--json", "-", "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["verdict"], "pass")
        self.assertIn("verdict: pass", p.stderr)

    def test_crash_exits_3_names_the_signal_and_writes_the_result(self):
        p, r = self.run_json("--runs", "3", "--warmup", "0", "--", prog("pc_crash"), "SEGV", expect=3)
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(r["runs"][0]["signal"], "SIGSEGV")
        self.assertIsNone(r["runs"][0]["exit_code"])
        self.assertIn("run 1 was killed by SIGSEGV", r["reasons"])
        self.assertIn("SIGSEGV", p.stdout)

    def test_nonzero_exit_is_exit_3_unless_allowed(self):
        p, r = self.run_json("--runs", "2", "--", prog("pc_exit"), "4", expect=3)
        self.assertIn("warm-up run 1 exited with code 4", r["reasons"])
        p, r = self.run_json("--runs", "2", "--allow-failures", "--threshold", "exit.failures == 0",
                             "--", prog("pc_exit"), "4", expect=1)
        self.assertEqual(len(r["runs"]), 2)
        self.assertEqual(r["thresholds"][0]["value"], 2)

    def test_missing_program(self):
        p = perfcheck("run", "--", "no-such-program-xyz")
        self.assertEqual(p.returncode, 3)
        self.assertIn("command not found: no-such-program-xyz", p.stderr)
        p = perfcheck("run", "--", os.path.join(self.dir, "nothing-here"))
        self.assertEqual(p.returncode, 3)
        self.assertIn("command not found", p.stderr)

    def test_missing_program_still_writes_a_result(self):
        p, r = self.run_json("--", "no-such-program-xyz", expect=3)
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(r["reasons"], ["command not found: no-such-program-xyz"])

    def test_not_executable(self):
        path = os.path.join(self.dir, "script.sh")
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        p = perfcheck("run", "--", path)
        self.assertEqual(p.returncode, 3)
        self.assertIn(path, p.stderr)
        self.assertIn("ermission denied", p.stderr)

    def test_bad_flags_exit_2_with_a_clear_message(self):
        cases = [
            (["--runs", "0"], "--runs 0: at least one measured run"),
            (["--runs", "5:2"], "the maximum (2) is below the minimum (5)"),
            (["--runs", "-1"], "--runs"),
            (["--runs", "ten"], "'ten' is not a whole number"),
            (["--runs", "99999999"], "out of range"),
            (["--warmup", "-3"], "--warmup"),
            (["--min-time", "5 fortnights"], "--min-time: unknown unit 'fortnights'"),
            (["--min-time", "5MiB"], "--min-time: '5MiB' is not a duration"),
            (["--threshold", "wall.p95 < 10 parsecs"], "bad threshold 'wall.p95 < 10 parsecs'"),
            (["--output-limit", "1 ms"], "--output-limit"),
            (["--bogus-flag"], "--bogus-flag"),
        ]
        for flags, text in cases:
            with self.subTest(flags=flags):
                p = perfcheck("run", *flags, "--", prog("pc_noop"))
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(text, p.stderr)
                self.assertTrue(p.stderr.startswith("error: "), p.stderr)
        p = perfcheck("run")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no command to measure", p.stderr)

    def test_malformed_spec_exits_2_naming_file_and_place(self):
        path = os.path.join(self.dir, "bad.json")
        with open(path, "w") as f:
            f.write('{\n  "schema": "perfcheck/spec/v1",\n  "name": "x"\n  "command": ["true"]\n}\n')
        p = perfcheck("run", "--spec", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(path + ":4:", p.stderr)
        with open(path, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "x", "command": ["true"], "runs": {"min": "many"}}, f)
        p = perfcheck("run", "--spec", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{path}: field 'runs.min': expected a whole number", p.stderr)
        p = perfcheck("run", "--spec", os.path.join(self.dir, "absent.json"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("absent.json: cannot read", p.stderr)

    def write_spec(self, text):
        path = os.path.join(self.dir, "spec.json")
        with open(path, "w") as f:
            f.write(text if isinstance(text, str) else json.dumps(text))
        return path

    def test_duplicate_keys_are_rejected_naming_file_and_key(self):
        path = self.write_spec('{"schema": "perfcheck/spec/v1", "name": "a",\n "command": ["true"],\n'
                               ' "runs": {"min": 2, "min": 3}, "name": "b"}')
        p = perfcheck("validate", path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(path + ":3:", p.stderr)
        self.assertIn('the key "min" appears twice in one object', p.stderr)
        # The same key in different objects is fine.
        self.write_spec({"schema": "perfcheck/spec/v1", "name": "min", "command": ["true"], "runs": {"min": 2}})
        self.assertEqual(perfcheck("validate", path).returncode, 0)

    def test_nul_in_argument_folder_or_environment_is_rejected(self):
        base = {"schema": "perfcheck/spec/v1", "name": "nul", "command": [prog("pc_noop")]}
        cases = [({"command": [prog("pc_noop"), "a\u0000b"]}, "command: argument 2 contains a NUL character"),
                 ({"working_directory": "/var\u0000/does-not-exist"}, "working_directory: contains a NUL"),
                 ({"environment": ["A=1", "B=x\u0000y"]}, "environment: entry 2 contains a NUL character")]
        for change, message in cases:
            with self.subTest(message=message):
                path = self.write_spec({**base, **change})
                p = perfcheck("run", "--spec", path)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(f"{path}: {message}", p.stderr)
                self.assertIn("remove it", p.stderr)

    def test_argument_list_too_long_is_an_error_result(self):
        path = self.write_spec({"schema": "perfcheck/spec/v1", "name": "long", "warmup": 0,
                                "command": [prog("pc_noop"), "x" * (256 * 1024)]})
        p, r = self.run_json("--spec", path, expect=3)
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(len(r["reasons"]), 1, r["reasons"])
        self.assertIn("the argument list is too long for exec", r["reasons"][0])
        self.assertIn("error: cannot execute " + prog("pc_noop"), p.stderr)
        self.assertNotIn("internal", p.stderr)

    def test_spec_file_runs_and_flags_override(self):
        path = os.path.join(self.dir, "spec.json")
        out = os.path.join(self.dir, "out")
        with open(path, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "from spec", "command": [prog("pc_sleep"), "2"],
                       "warmup": 0, "runs": {"min": 2, "max": 2}, "thresholds": ["wall.max < 10s"],
                       "output_dir": out}, f)
        p = perfcheck("run", "--spec", path, "--runs", "4")
        self.assertEqual(p.returncode, 0, p.stderr)
        files = os.listdir(out)
        result_file = [f for f in files if f.endswith(".json")]
        self.assertEqual(len(result_file), 1, files)
        with open(os.path.join(out, result_file[0])) as f:
            r = json.load(f)
        self.assertEqual(r["name"], "from spec")
        self.assertEqual(len(r["runs"]), 4)
        self.assertEqual(len(r["warmup_runs"]), 0)

    def test_min_time_extends_the_runs(self):
        _, r = self.run_json("--runs", "2:50", "--warmup", "0", "--min-time", "100ms", "--", prog("pc_sleep"), "20")
        n = len(r["runs"])
        self.assertGreaterEqual(n, 3)
        self.assertLessEqual(n, 6)
        self.assertGreaterEqual(sum(x["wall_ns"] for x in r["runs"]), 100_000_000)

    def test_output_is_captured_bounded_and_no_shell_is_involved(self):
        out = os.path.join(self.dir, "out")
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", out, "--name", "echo",
                      "--", "/bin/echo", "$HOME;", "`id`", "$(ls)")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "echo.stdout")) as f:
            self.assertEqual(f.read(), "$HOME; `id` $(ls)\n")
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", out, "--output-limit", "1MiB",
                      "--name", "flood", "--json", os.path.join(out, "flood.json"), "--", prog("pc_print"), str(3 * MIB))
        self.assertEqual(p.returncode, 0, p.stderr)
        size = os.path.getsize(os.path.join(out, "flood.stdout"))
        self.assertGreaterEqual(size, MIB)
        self.assertLess(size, MIB + 200)
        with open(os.path.join(out, "flood.stdout"), "rb") as f:
            f.seek(MIB)
            self.assertIn(b"truncated", f.read())
        with open(os.path.join(out, "flood.json")) as f:
            self.assertTrue(any("truncated" in w for w in json.load(f)["warnings"]))

    def test_show_output_passes_through(self):
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--show-output", "--", "/bin/echo", "visible-marker")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("visible-marker", p.stdout)
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--", "/bin/echo", "hidden-marker")
        self.assertNotIn("hidden-marker", p.stdout)

    def test_quiet_prints_only_the_verdict(self):
        p = perfcheck("run", "-q", "--runs", "2", "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.strip(), "pc_noop: pass")

    def test_environment_and_working_directory(self):
        out = os.path.join(self.dir, "out")
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", out, "--name", "env",
                      "--env", "PERFCHECK_TEST_MARKER=42", "--working-directory", self.dir, "--", "/usr/bin/env")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "env.stdout")) as f:
            text = f.read()
        self.assertIn("PERFCHECK_TEST_MARKER=42", text)
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", out, "--name", "pwd",
                      "--working-directory", self.dir, "--", "/bin/pwd")
        with open(os.path.join(out, "pwd.stdout")) as f:
            self.assertEqual(os.path.realpath(f.read().strip()), os.path.realpath(self.dir))

    def test_help_documents_exit_codes(self):
        p = perfcheck("run", "--help")
        self.assertEqual(p.returncode, 0)
        for text in ("--runs", "MIN[:MAX]", "--threshold", "--min-time", "0 pass, 1 a threshold failed, 2 usage"):
            self.assertIn(text, p.stdout)
        p = perfcheck("--help")
        self.assertIn("Exit codes: 0 pass", p.stdout)

    def test_validate(self):
        good = os.path.join(self.dir, "good.json")
        bad = os.path.join(self.dir, "bad.json")
        with open(good, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "g", "command": ["x"], "thresholds": ["wall.p95 < 1s"]}, f)
        with open(bad, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "typo", "command": ["x"], "thresholds": ["wal.p95 < 1s"]}, f)
        p = perfcheck("validate", good)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = perfcheck("validate", good, bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{bad}: test 'typo': bad threshold 'wal.p95 < 1s': unknown metric 'wal'", p.stderr)

    def test_validate_compiles_the_plan(self):
        # What run would reject before starting anything, validate rejects at build time.
        cases = [
            ({"regressions": ["wall.median 5%"]}, "test 'c': bad regression rule 'wall.median 5%': the tolerance must start with '+'"),
            ({"regressions": ["wal.median +5%"]}, "test 'c': regression rule 'wal.median +5%': no run measures 'wal'"),
            ({"thresholds": ["rss.growth < 10%"]}, "test 'c': threshold 'rss.growth < 10%': rss.growth is measured only "
                                                    "across a soak; add DURATION ONCE (one long run) or DURATION 10min"),
            ({"thresholds": ["wall.drift < 5%"], "duration": "once"}, "test 'c': threshold 'wall.drift < 5%': wall.drift compares repeated runs"),
            ({"thresholds": ["wall.p95@16 < 1s"]}, "test 'c': threshold 'wall.p95@16 < 1s': the test has no level '16'"),
        ]
        for i, (fields, message) in enumerate(cases):
            spec = os.path.join(self.dir, f"c{i}.json")
            with open(spec, "w") as f:
                json.dump({"schema": "perfcheck/spec/v1", "name": "c", "command": ["x"], **fields}, f)
            p = perfcheck("validate", spec)
            self.assertEqual(p.returncode, 2, (fields, p.stderr))
            self.assertIn(f"{spec}: {message}", p.stderr)
        good = os.path.join(self.dir, "soak.json")
        with open(good, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "s", "command": ["x"], "duration": "once",
                       "thresholds": ["rss.growth < 10%"], "regressions": ["rss.median +5%"]}, f)
        p = perfcheck("validate", good)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_run_starts_nothing_when_the_plan_is_bad(self):
        marker = os.path.join(self.dir, "started")
        for flags, message in ((["--threshold", "rss.growth < 10%"], "--threshold 'rss.growth < 10%': rss.growth is "
                                                                    "measured only across a soak; add --duration once"),
                               (["--regression", "wall.median 5%"], "--regression: bad regression rule 'wall.median 5%'")):
            p = perfcheck("run", "--runs", "2", *flags, "--", "touch", marker)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(message, p.stderr)
            self.assertFalse(os.path.exists(marker), "the command ran although the plan was bad")

    def test_launch_overhead_is_cached_per_machine(self):
        cache = os.path.join(self.dir, "cache")
        env = dict(os.environ, PERFCHECK_CACHE_DIR=cache)
        path = os.path.join(self.dir, "r.json")

        def overhead(*flags):
            p = subprocess.run([PERFCHECK, "run", "-q", "--runs", "2", "--json", path, *flags, "--", prog("pc_noop")],
                               capture_output=True, text=True, env=env, timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(path) as f:
                return json.load(f)["overhead_ns"]

        first = overhead()
        cache_file = os.path.join(cache, "launch-overhead.json")
        with open(cache_file) as f:
            doc = json.load(f)
        self.assertEqual(doc["overhead_ns"], first)
        doc["overhead_ns"] = 123_456_789  # no launch takes 123 ms: seen only if the cache was read
        with open(cache_file, "w") as f:
            json.dump(doc, f)
        self.assertEqual(overhead(), 123_456_789)
        # --subtract-overhead changes every wall time by the figure: it is always measured afresh.
        self.assertNotEqual(overhead("--subtract-overhead"), 123_456_789)
        doc["overhead_ns"] = 123_456_789
        doc["measured_at"] -= 2 * 24 * 3600  # two days old: measured again
        with open(cache_file, "w") as f:
            json.dump(doc, f)
        self.assertNotEqual(overhead(), 123_456_789)


if __name__ == "__main__":
    unittest.main(verbosity=2)
