#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of hyperfine's JSON (--export-json) in `perfcheck compare` and
`perfcheck history import`, with files written by the real hyperfine (a Debian package that
tools/setup.sh installs), and Google Benchmark JSON in `history import`.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs), HYPERFINE
(the hyperfine executable; required when CI is set).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
HYPERFINE = os.environ.get("HYPERFINE") or shutil.which("hyperfine")
GBENCH = os.path.join(BIN, "gbench_sample")


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_")}


def perfcheck(*args):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300, env=clean_env())


def hyperfine(path, *commands, extra=()):
    """hyperfine -N (no shell) with 12 runs after a warm-up; `commands` alternate name, command."""
    argv = [HYPERFINE, "-N", "--runs", "12", "--warmup", "1", "--style", "none", "--export-json", path, *extra]
    for name, command in zip(commands[::2], commands[1::2]):
        argv += ["--command-name", name, command]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return path


def nap(ms):
    return f"{os.path.join(BIN, 'pc_sleep')} {ms}"


@unittest.skipIf(HYPERFINE is None and not os.environ.get("CI"), "hyperfine is not installed")
class HyperfineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if HYPERFINE is None:
            raise AssertionError("hyperfine is required in CI (tools/setup.sh installs it)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-hyperfine-")
        d = cls.tmp.name
        # Six times slower on the new side, so a loaded machine still shows the regression.
        cls.old = hyperfine(os.path.join(d, "old.json"), "nap", nap(20), "steady", nap(20))
        cls.new = hyperfine(os.path.join(d, "new.json"), "nap", nap(120), "steady", nap(20))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_compare_decides_per_command(self):
        p = perfcheck("compare", "--json", "-", self.old, self.new)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        rows = {c["name"]: c for c in json.loads(p.stdout)["comparisons"]}
        self.assertEqual(set(rows), {"nap", "steady"})
        self.assertEqual(rows["nap"]["verdict"], "regressed")
        self.assertEqual(rows["nap"]["baseline_n"], 12)
        self.assertGreater(rows["nap"]["change"], 2.0)
        # "steady" is the same program on both sides; measured minutes apart on a loaded machine it
        # may still differ by more than 5%, so only its presence is checked.
        self.assertEqual(rows["steady"]["baseline_n"], 12)
        p = perfcheck("compare", self.old, self.old)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # hyperfine keeps no per-run CPU time: a rule on it is named as not measured.
        p = perfcheck("compare", "--rule", "cpu.median +5%", self.old, self.old)
        self.assertIn("metric 'cpu' is not measured in", p.stdout)

    def test_a_folder_may_hold_hyperfine_files(self):
        folder = os.path.join(self.tmp.name, "folder")
        os.makedirs(folder, exist_ok=True)
        shutil.copy(self.new, os.path.join(folder, "hf.json"))
        p = perfcheck("compare", "--json", "-", self.old, folder)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual({c["name"] for c in json.loads(p.stdout)["comparisons"]}, {"nap", "steady"})

    def test_a_failed_run_is_an_error_with_its_exit_code(self):
        path = os.path.join(self.tmp.name, "failing.json")
        hyperfine(path, "broken", f"{os.path.join(BIN, 'pc_exit')} 3", extra=["--ignore-failure"])
        p = perfcheck("compare", "--json", "-", path, path)
        rows = {c["name"]: c for c in json.loads(p.stdout)["comparisons"]}
        self.assertEqual(rows["broken"]["verdict"], "error")
        self.assertIn("run 1 exited with code 3", rows["broken"]["reason"])

    def test_a_cut_file_names_the_place(self):
        with open(self.old) as f:
            doc = json.load(f)
        doc["results"][1]["exit_codes"].pop()
        path = os.path.join(self.tmp.name, "cut.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        p = perfcheck("compare", path, self.old)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(f"{path}: field 'results[1].exit_codes': has 11 elements for 12 times", p.stderr)

    def test_history_import_records_each_command_once(self):
        history = os.path.join(self.tmp.name, "history.sqlite")
        p = perfcheck("history", "import", "--history", history, "--machine", "this", "--branch", "main",
                      "--commit", "abc123", self.old)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("old.json: 2 new, 0 already present (hyperfine JSON; machine ", p.stdout)
        self.assertIn("branch main)", p.stdout)
        p = perfcheck("history", "import", "--history", history, "--machine", "this", "--branch", "main",
                      "--commit", "abc123", self.old)
        self.assertIn("old.json: 0 new, 2 already present", p.stdout)
        p = perfcheck("history", "show", "--test", "nap", "--json", "--history", history)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        points = json.loads(p.stdout)["points"]
        self.assertEqual(len(points), 1)
        shown = json.dumps(points[0])
        self.assertIn("abc123", shown)
        # The series is this machine's: a perfcheck run on it records the same fingerprint.
        run = perfcheck("run", "-q", "--runs", "2", "--warmup", "0", "--name", "probe", "--history", history,
                        "--", os.path.join(BIN, "pc_noop"))
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        probe = json.loads(perfcheck("history", "show", "--test", "probe", "--json", "--history", history).stdout)
        self.assertEqual(probe["points"][0]["machine"], points[0]["machine"])
        report = perfcheck("report", "-q", "--history", history, "--out", os.path.join(self.tmp.name, "report"))
        self.assertEqual(report.returncode, 0, report.stdout + report.stderr)
        with open(os.path.join(self.tmp.name, "report", "summary.md")) as f:
            self.assertIn("nap", f.read())

    def test_history_import_refuses_a_broken_file_and_keeps_the_rest(self):
        history = os.path.join(self.tmp.name, "refuse.sqlite")
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            json.dump({"results": [{"command": "x", "times": [0.1, -2]}]}, f)
        p = perfcheck("history", "import", "--history", history, bad, self.new)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(f"{bad}: field 'results[0].times[1]': -2 is not a run's time", p.stderr)
        self.assertIn("new.json: 2 new", p.stdout)


@unittest.skipUnless(os.path.exists(GBENCH) or os.environ.get("CI"), "gbench_sample was not built (no libbenchmark)")
class GoogleBenchmarkImportTest(unittest.TestCase):
    def test_import_records_each_benchmark(self):
        self.assertTrue(os.path.exists(GBENCH), "CI builds gbench_sample (tools/setup.sh installs libbenchmark-dev)")
        with tempfile.TemporaryDirectory(prefix="perfcheck-gbimport-") as d:
            path = os.path.join(d, "gb.json")
            with open(path, "w") as f:
                subprocess.run([GBENCH, "--benchmark_format=json", "--benchmark_repetitions=3",
                                "--benchmark_min_time=0.01"], stdout=f, stderr=subprocess.DEVNULL,
                               check=True, timeout=120)
            history = os.path.join(d, "history.sqlite")
            p = perfcheck("history", "import", "--history", history, path)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertRegex(p.stdout, r"gb\.json: [1-9][0-9]* new, 0 already present \(Google Benchmark JSON; "
                                       r"machine unknown, branch unknown\)")
            listing = perfcheck("history", "show", "(none)", "--history", history)
            self.assertIn("sum_array", listing.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
