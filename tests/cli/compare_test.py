#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck compare`, `perfcheck baseline` and `perfcheck calibrate`.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_* and, when
libbenchmark is installed, gbench_sample).
"""
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
GBENCH = os.path.join(BIN, "gbench_sample")

# Enough runs that a 50% slowdown is decided even on a busy machine (noise of several ms).
RUNS = "15"


def prog(name):
    return os.path.join(BIN, name)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_")}
    env.update(extra)
    return env


def perfcheck(*args, cwd=None, env=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env=env if env is not None else clean_env())


def measure(out_dir, name, ms, runs=RUNS, env=None, extra=()):
    p = perfcheck("run", "-q", "--warmup", "0", "--runs", runs, "--name", name, "--output-dir", out_dir,
                  *extra, "--", prog("pc_sleep"), str(ms), env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    return os.path.join(out_dir, name + ".json")


class Fixture:
    """Results measured once for every test: nap at 20 ms (twice) and 120 ms, plus a test per side.

    The slow side is six times the fast one, so that a loaded CI machine (where a 20 ms sleep can
    take 35 ms) still shows an unmistakable regression."""
    dir = None

    @classmethod
    def build(cls):
        if cls.dir is not None:
            return
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-compare-")
        cls.dir = cls.tmp.name
        cls.fast = os.path.join(cls.dir, "fast")
        cls.fast2 = os.path.join(cls.dir, "fast2")
        cls.slow = os.path.join(cls.dir, "slow")
        measure(cls.fast, "nap", 20)
        measure(cls.fast, "only_fast", 1, runs="5")
        measure(cls.fast2, "nap", 20)
        measure(cls.slow, "nap", 120)
        measure(cls.slow, "only_slow", 1, runs="5")


def setUpModule():
    Fixture.build()


def tearDownModule():
    Fixture.tmp.cleanup()


class CompareResultsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-compare-case-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_slower_candidate_regresses_and_exits_1(self):
        p = perfcheck("compare", os.path.join(Fixture.fast, "nap.json"), os.path.join(Fixture.slow, "nap.json"))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        header = next(line for line in p.stdout.splitlines() if line.startswith("test "))
        for column in ("metric", "baseline", "candidate", "change", "p", "interval (99%)", "verdict"):
            self.assertIn(column, header)
        row = next(line for line in p.stdout.splitlines() if line.startswith("nap "))
        self.assertIn("wall", row)
        self.assertTrue(row.rstrip().endswith("regressed"), row)
        self.assertIn("regressed nap: wall.median +5%: slower by", p.stdout)
        self.assertIn("1 comparison(s): 1 regressed", p.stdout)

    def test_no_fail_reports_but_exits_0(self):
        p = perfcheck("compare", "--no-fail", Fixture.fast, Fixture.slow)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("regressed", p.stdout)

    def test_same_program_on_both_sides_does_not_regress(self):
        # Two separate measurements of one program on a shared machine drift by a few percent
        # (calibrate shows how much); the tolerance leaves room for that, not for a real change.
        p = perfcheck("compare", "--json", "-", "--rule", "wall.median +20%", Fixture.fast, Fixture.fast2)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        nap = [c for c in doc["comparisons"] if c["name"] == "nap"]
        self.assertEqual(len(nap), 1)
        self.assertIn(nap[0]["verdict"], ("pass", "inconclusive", "improved"))
        # The same file on both sides: no change at all.
        same = os.path.join(Fixture.fast, "nap.json")
        p = perfcheck("compare", "--json", "-", same, same)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        row = json.loads(p.stdout)["comparisons"][0]
        self.assertEqual(row["change"], 0)
        self.assertNotEqual(row["verdict"], "regressed")

    def test_json_to_stdout_follows_the_schema_and_the_table_goes_to_stderr(self):
        p = perfcheck("compare", "--json", "-", Fixture.fast, Fixture.slow)
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["schema"], "perfcheck/compare/v1")
        self.assertEqual(doc["rules"], ["wall.median +5%"])
        self.assertEqual(doc["alpha"], 0.01)
        self.assertEqual(doc["only_baseline"], ["only_fast"])
        self.assertEqual(doc["only_candidate"], ["only_slow"])
        self.assertEqual(len(doc["comparisons"]), 1)
        c = doc["comparisons"][0]
        for key in ("name", "metric", "baseline_median", "candidate_median", "change", "p_value",
                    "ci_low", "ci_high", "verdict"):
            self.assertIn(key, c)
        self.assertEqual(c["name"], "nap")
        self.assertEqual(c["metric"], "wall")
        self.assertEqual(c["verdict"], "regressed")
        # A fraction: 120 ms vs 20 ms is about +5 (+500%), less with launch overhead or load.
        self.assertGreater(c["change"], 1)
        self.assertLess(c["change"], 6)
        self.assertGreater(c["ci_low"], 0.05)
        self.assertLessEqual(c["ci_low"], c["change"])
        self.assertLessEqual(c["change"], c["ci_high"])
        self.assertLess(c["p_value"], 0.01)
        self.assertGreater(c["candidate_median"], c["baseline_median"])
        self.assertIn("test ", p.stderr)

    def test_json_file_and_folders_list_tests_missing_on_one_side(self):
        out = os.path.join(self.dir, "cmp.json")
        p = perfcheck("compare", "--json", out, Fixture.fast, Fixture.slow)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("only in the baseline (not compared): only_fast", p.stdout)
        self.assertIn("only in the candidate (not compared): only_slow", p.stdout)
        with open(out) as f:
            self.assertEqual(json.load(f)["schema"], "perfcheck/compare/v1")

    def test_several_rules(self):
        p = perfcheck("compare", "--json", "-", "--rule", "wall.median +5%", "--rule", "cpu.median +50%",
                      Fixture.fast, Fixture.slow)
        doc = json.loads(p.stdout)
        self.assertEqual([c["rule"] for c in doc["comparisons"]], ["wall.median +5%", "cpu.median +50%"])

    def test_history_sessions_as_sides(self):
        history = os.path.join(self.dir, "history.db")
        for session, ms in (("s1", 20), ("s2", 120)):
            measure(os.path.join(self.dir, session), "nap", ms, extra=("--history", history),
                    env=clean_env(PERFCHECK_SESSION_ID=session))
        p = perfcheck("compare", "--history", history, "--session", "s1", "--session", "s2")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("session s1", p.stdout)
        self.assertIn("regressed", p.stdout)
        # One session and one folder: the session is the baseline.
        p = perfcheck("compare", "--history", history, "--session", "s1", Fixture.fast2)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("1 comparison(s)", p.stdout)
        p = perfcheck("compare", "--history", history, "--session", "nope", "--session", "s2")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--session nope", p.stderr)
        self.assertIn("'s1', 's2'", p.stderr)
        # PERFCHECK_HISTORY stands in for --history.
        p = perfcheck("compare", "--session", "s1", "--session", "s2", env=clean_env(PERFCHECK_HISTORY=history))
        self.assertEqual(p.returncode, 1, p.stderr)


# A sweep of pc_work: level n does n x 5e6 steps (about 10 ms per n on this kind of machine). The
# candidate's program does three times the work at n=2 only, with the same level texts; n=4 is
# measured in the baseline only, n=8 in the candidate only.
SWEEP_BASELINE = 'exec "$0" $(($1 * 5000000))'
SWEEP_CANDIDATE = 'case $1 in 2) exec "$0" $(($1 * 5000000)) 3;; *) exec "$0" $(($1 * 5000000));; esac'
# CPU time of a fixed amount of work barely moves under load; +50% is far from both 0 and +200%.
SWEEP_RULE = "cpu.median +50%"


def sweep(out_dir, values, script):
    p = perfcheck("run", "-q", "--warmup", "1", "--runs", "10", "--name", "work_sweep", "--output-dir", out_dir,
                  "--parameter", f"n={values}", "--", "sh", "-c", script, prog("pc_work"), "{n}")
    assert p.returncode == 0, p.stdout + p.stderr
    return os.path.join(out_dir, "work_sweep.json")


class SweepCompareTest(unittest.TestCase):
    """compare and baseline diff take a sweep level by level: each level against the same level."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-compare-sweep-")
        cls.base_dir = os.path.join(cls.tmp.name, "a")
        cls.cand_dir = os.path.join(cls.tmp.name, "b")
        cls.base = sweep(cls.base_dir, "1,2,4", SWEEP_BASELINE)
        cls.cand = sweep(cls.cand_dir, "1,2,8", SWEEP_CANDIDATE)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_level_by_level(self, p):
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        rows = {line.split("  ")[0].rstrip(): line for line in p.stdout.splitlines() if line.startswith("work_sweep")}
        self.assertEqual(set(rows), {"work_sweep @ n=1", "work_sweep @ n=2"}, p.stdout)
        self.assertTrue(rows["work_sweep @ n=2"].rstrip().endswith("regressed"), rows)
        self.assertFalse(rows["work_sweep @ n=1"].rstrip().endswith("regressed"), rows)
        self.assertIn(f"regressed work_sweep @ n=2: {SWEEP_RULE}: slower by", p.stdout)
        self.assertIn("only in the baseline (not compared): work_sweep @ n=4", p.stdout)
        self.assertIn("only in the candidate (not compared): work_sweep @ n=8", p.stdout)
        self.assertIn("2 comparison(s)", p.stdout)
        self.assertIn("1 regressed", p.stdout)

    def test_each_level_is_compared_with_the_same_level(self):
        p = perfcheck("compare", "--rule", SWEEP_RULE, self.base, self.cand)
        self.check_level_by_level(p)
        self.assertIn("(1 test(s))", p.stdout)
        # The JSON rows carry the level; the medians are the levels' own (from the result files).
        p = perfcheck("compare", "--rule", SWEEP_RULE, "--json", "-", self.base_dir, self.cand_dir)
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = json.loads(p.stdout)
        by_level = {c["at"]: c for c in doc["comparisons"]}
        self.assertEqual(set(by_level), {"n=1", "n=2"})
        with open(self.base) as f:
            base_points = {pt["level"][0]["value"]: pt for pt in json.load(f)["points"]}
        for value in ("1", "2"):
            runs = [r["user_ns"] + r["sys_ns"] for r in base_points[value]["runs"]]
            self.assertEqual(by_level["n=" + value]["baseline_n"], len(runs))
            self.assertAlmostEqual(by_level["n=" + value]["baseline_median"], statistics.median(runs), delta=1)
        self.assertEqual(by_level["n=2"]["verdict"], "regressed")
        self.assertGreater(by_level["n=2"]["change"], 1)  # three times the work: about +200%
        self.assertNotEqual(by_level["n=1"]["verdict"], "regressed")
        self.assertEqual(doc["only_baseline"], [])
        self.assertEqual(doc["only_baseline_levels"], [{"name": "work_sweep", "at": "n=4"}])
        self.assertEqual(doc["only_candidate_levels"], [{"name": "work_sweep", "at": "n=8"}])
        # Each side against itself: nothing regressed, every level compared.
        p = perfcheck("compare", "--rule", SWEEP_RULE, self.cand, self.cand)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("3 comparison(s)", p.stdout)
        self.assertNotIn("only in", p.stdout)
        # compare takes every level alike: a rule at one level is refused with the fix.
        p = perfcheck("compare", "--rule", "wall.median@n=2 +5%", self.cand, self.cand)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("--rule 'wall.median@n=2 +5%': compare takes rules without '@'", p.stderr)

    def test_baseline_diff_compares_the_accepted_levels(self):
        file = os.path.join(self.tmp.name, "baseline.json")
        p = perfcheck("baseline", "accept", "--results", self.base_dir, "--file", file)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("accepted work_sweep: 3 level(s), 30 run(s)", p.stdout)
        p = perfcheck("baseline", "diff", file, "--results", self.cand_dir, "--rule", SWEEP_RULE)
        self.check_level_by_level(p)
        # The file as a side of compare is read the same way.
        self.check_level_by_level(perfcheck("compare", "--rule", SWEEP_RULE, file, self.cand))


@unittest.skipUnless(os.path.exists(GBENCH), "libbenchmark is not installed")
class GoogleBenchmarkTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-gbench-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def bench(self, name, scale):
        path = os.path.join(self.dir, name)
        with open(path, "w") as out:
            subprocess.run([GBENCH, "--benchmark_repetitions=12", "--benchmark_format=json"], stdout=out,
                           stderr=subprocess.DEVNULL, check=True, timeout=120,
                           env=dict(os.environ, GBENCH_SAMPLE_SCALE=str(scale)))
        return path

    def test_google_benchmark_files_are_compared_per_benchmark(self):
        small = self.bench("small.json", 1)
        big = self.bench("big.json", 4)
        p = perfcheck("compare", "--json", "-", small, big)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        rows = {c["name"].split("/")[0]: c for c in doc["comparisons"]}
        self.assertEqual(set(rows), {"sum_array", "increment"})
        self.assertEqual(rows["sum_array"]["verdict"], "regressed")
        self.assertEqual(rows["sum_array"]["baseline_n"], 12)
        self.assertGreater(rows["sum_array"]["change"], 0.5)
        p = perfcheck("compare", small, small)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # The metrics Google Benchmark does not measure are named, not guessed.
        p = perfcheck("compare", "--rule", "rss.median +5%", small, small)
        self.assertEqual(p.returncode, 0)
        self.assertIn("metric 'rss' is not measured in", p.stdout)

    def test_a_folder_may_hold_google_benchmark_files(self):
        folder = os.path.join(self.dir, "mixed")
        os.mkdir(folder)
        self.bench(os.path.join("mixed", "gb.json"), 1)
        shutil.copy(os.path.join(Fixture.fast, "nap.json"), folder)
        p = perfcheck("compare", "--json", "-", folder, folder)
        names = {c["name"].split("/")[0] for c in json.loads(p.stdout)["comparisons"]}
        self.assertEqual(names, {"nap", "sum_array", "increment"})


class BaselineFileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-baseline-")
        self.dir = self.tmp.name
        self.file = os.path.join(self.dir, "perf", "baseline.json")

    def tearDown(self):
        self.tmp.cleanup()

    def test_accept_show_and_diff(self):
        p = perfcheck("baseline", "accept", "--results", Fixture.fast, "--file", self.file)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("accepted nap: 15 run(s)", p.stdout)
        self.assertIn("(new)", p.stdout)
        with open(self.file) as f:
            doc = json.load(f)
        self.assertEqual(doc["schema"], "perfcheck/baseline/v1")
        self.assertEqual(sorted(doc["tests"]), ["nap", "only_fast"])
        nap = doc["tests"]["nap"]
        self.assertEqual(set(nap), {"spec_hash", "machine", "commit", "recorded_at", "runs"})
        self.assertEqual(len(nap["runs"]), 15)
        self.assertRegex(nap["recorded_at"], r"^\d{4}-\d\d-\d\dT")

        p = perfcheck("baseline", "show", self.file)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        for column in ("test", "runs", "median wall", "commit", "recorded"):
            self.assertIn(column, lines[0])
        nap_line = next(line for line in lines if line.startswith("nap "))
        self.assertIn(" 15 ", nap_line)
        self.assertIn("ms", nap_line)
        self.assertIn("2 test(s)", p.stdout)

        p = perfcheck("baseline", "diff", self.file, "--results", Fixture.slow)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("regressed", p.stdout)
        self.assertIn("only in the baseline (not compared): only_fast", p.stdout)
        p = perfcheck("baseline", "diff", self.file, "--results", Fixture.slow, "--no-fail", "--json", "-")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(json.loads(p.stdout)["schema"], "perfcheck/compare/v1")

        # Accepting only nap from the slow results updates it and keeps only_fast.
        p = perfcheck("baseline", "accept", "--results", Fixture.slow, "--file", self.file, "--test", "nap")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("was ", p.stdout)
        self.assertIn("updated", p.stdout)
        with open(self.file) as f:
            self.assertEqual(sorted(json.load(f)["tests"]), ["nap", "only_fast"])
        p = perfcheck("baseline", "diff", self.file, "--results", Fixture.slow)
        self.assertNotIn("regressed", p.stdout)

    def test_unknown_test_names_are_listed(self):
        p = perfcheck("baseline", "accept", "--results", Fixture.fast, "--file", self.file, "--test", "napp")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--test napp", p.stderr)
        self.assertIn("known tests: nap, only_fast", p.stderr)
        self.assertFalse(os.path.exists(self.file))

    def test_a_broken_baseline_file_is_refused_and_kept(self):
        os.makedirs(os.path.dirname(self.file))
        with open(self.file, "w") as f:
            f.write('{"schema": "perfcheck/baseline/v1", "tests": {"nap": {"runs": []}}}')
        for args in (("show", self.file), ("diff", self.file, "--results", Fixture.fast),
                     ("accept", "--results", Fixture.fast, "--file", self.file)):
            p = perfcheck("baseline", *args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("field 'tests.nap.runs'", p.stderr)
        with open(self.file) as f:
            self.assertIn('"runs": []', f.read())

    def test_a_results_folder_without_results(self):
        p = perfcheck("baseline", "accept", "--results", self.dir, "--file", self.file)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no result files", p.stderr)


class CalibrateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-calibrate-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_calibrate_prints_the_figures_and_saves_them_per_machine(self):
        p = perfcheck("calibrate", "--runs", "5", "--trials", "4", "--", prog("pc_sleep"), "5", cwd=self.dir)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("4 A/A comparisons of 2 blocks x 5 runs = 40 measured runs (+1 warm-up)", p.stdout)
        for field in ("machine:", "robust CV:", "false alarms:", "of 4 A/A comparisons", "95% interval",
                      "interval half-width:", "min detectable effect:", "noise floor:", "recommended for 5.0%:",
                      "saved to perf-calibration.json"):
            self.assertIn(field, p.stdout)
        with open(os.path.join(self.dir, "perf-calibration.json")) as f:
            doc = json.load(f)
        self.assertEqual(doc["schema"], "perfcheck/calibration/v1")
        self.assertEqual(len(doc["machines"]), 1)
        machine, entry = next(iter(doc["machines"].items()))
        self.assertIn(machine, p.stdout)
        self.assertEqual(entry["runs"], 5)
        self.assertEqual(entry["trials"], 4)
        self.assertEqual(entry["command"], [prog("pc_sleep"), "5"])
        self.assertLessEqual(entry["false_alarm_low"], entry["false_alarm_rate"])
        self.assertLessEqual(entry["false_alarm_rate"], entry["false_alarm_high"])
        self.assertGreaterEqual(entry["noise_floor"], 0)
        self.assertGreater(entry["half_width"], 0)
        self.assertAlmostEqual(entry["min_detectable_effect"], 0.05 + entry["half_width"])

        # A second machine's entry in the same file is kept.
        doc["machines"]["other-machine"] = dict(entry)
        with open(os.path.join(self.dir, "perf-calibration.json"), "w") as f:
            json.dump(doc, f)
        saved = os.path.join(self.dir, "perf-calibration.json")
        p = perfcheck("calibrate", "-q", "--runs", "5", "--trials", "1", "--save", saved, "--",
                      prog("pc_sleep"), "1")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(saved) as f:
            machines = json.load(f)["machines"]
        self.assertEqual(set(machines), {machine, "other-machine"})
        self.assertEqual(machines[machine]["trials"], 1)

    def test_bad_calibrate_options(self):
        p = perfcheck("calibrate", "--runs", "3", "--", prog("pc_sleep"), "1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--runs 3", p.stderr)
        self.assertIn("at least 5 runs", p.stderr)
        p = perfcheck("calibrate", "--tolerance", "5", "--", prog("pc_sleep"), "1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--tolerance 5: expected a percentage", p.stderr)
        p = perfcheck("calibrate", "--runs", "5")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no command to calibrate", p.stderr)
        p = perfcheck("calibrate", "--runs", "5", "--trials", "1", "--no-save", "--", prog("pc_exit"), "1")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("failed (exit code 1)", p.stderr)


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-bad-")
        self.dir = self.tmp.name
        self.good = os.path.join(Fixture.fast, "nap.json")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def expect_usage_error(self, args, *needles):
        p = perfcheck(*args)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for needle in needles:
            self.assertIn(needle, p.stderr)

    def test_messages_name_the_file_and_the_place(self):
        gb = self.write("gb.json", '{"benchmarks": [{"name": "a", "run_type": "iteration", '
                                   '"real_time": 1, "cpu_time": 1, "time_unit": "min"}]}')
        self.expect_usage_error(("compare", gb, self.good), gb, "field 'benchmarks[0].time_unit'",
                                "ns, us, ms, s")
        bad_result = self.write("r.json", '{"schema": "perfcheck/result/v1", "name": 5}')
        self.expect_usage_error(("compare", self.good, bad_result), bad_result, "field 'name'")
        syntax = self.write("s.json", '{"schema": ')
        self.expect_usage_error(("compare", syntax, self.good), "s.json:1:", "invalid JSON")
        session = self.write("session.json", '{"schema": "perfcheck/session/v1"}')
        self.expect_usage_error(("compare", session, self.good), "field 'schema'", "cannot be compared")
        other = self.write("other.json", '{"hello": 1}')
        self.expect_usage_error(("compare", other, self.good), other, "not a file perfcheck can compare")
        self.expect_usage_error(("compare", os.path.join(self.dir, "missing.json"), self.good),
                                "missing.json: no such file or folder")
        empty = os.path.join(self.dir, "empty")
        os.mkdir(empty)
        self.expect_usage_error(("compare", empty, self.good), "the folder holds no result files")

    def test_bad_flags(self):
        self.expect_usage_error(("compare", "--rule", "wall.p50 +5%", self.good, self.good), "--rule",
                                "wall.median")
        self.expect_usage_error(("compare", "--alpha", "0", self.good, self.good), "--alpha 0")
        self.expect_usage_error(("compare", self.good), "exactly two sides, got 1")
        self.expect_usage_error(("compare", self.good, self.good, self.good), "exactly two sides, got 3")
        self.expect_usage_error(("compare", "--session", "x", self.good), "--session needs a history")
        self.expect_usage_error(("compare", "--history", "h.db", self.good, self.good), "--history is only used")


if __name__ == "__main__":
    unittest.main(verbosity=2)
