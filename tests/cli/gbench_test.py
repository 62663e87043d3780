#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Google Benchmark suites as perf tests (docs/gbench.md): perfcheck_add_gbench in a consumer
project discovers tests/programs/gbench_suite.cpp after the build (a family BM_sum/<n> becomes one
test with levels, BM_spin a test of its own), a real `ctest -L perf` records a baseline, a second
session with BM_spin slowed (GBENCH_SUITE_SLOW) has it regressed while the family's complexity gate
is checked, and the session's report shows both. A benchmark added to the source is a test after
the next build without CMake running again. Then every bad input: a crash, invalid JSON, no
benchmark matched, a benchmark's error, a counter named like a built-in metric (at run time, and
declared in COUNTERS at build time), a binary that crashes or lists nothing at discovery.

Environment: PERFCHECK, PERFCHECK_BIN_DIR (gbench_suite), PERFCHECK_SOURCE_DIR, PERFCHECK_BUILD_DIR
(a PerfCheck package), CMAKE_COMMAND and CTEST_COMMAND.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
SOURCE = os.environ["PERFCHECK_SOURCE_DIR"]
BUILD = os.environ["PERFCHECK_BUILD_DIR"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CTEST = os.environ.get("CTEST_COMMAND", "ctest")
SUITE_SOURCE = os.path.join(SOURCE, "tests", "programs", "gbench_suite.cpp")
SUITE = os.path.join(BIN, "gbench_suite")

CONSUMER = """cmake_minimum_required(VERSION 3.25)
project(gbench_consumer LANGUAGES CXX)
find_package(PerfCheck REQUIRED)
find_package(benchmark REQUIRED)
enable_testing()
add_executable(suite "{suite}" extra.cpp)
target_link_libraries(suite PRIVATE benchmark::benchmark)
perfcheck_add_gbench(TARGET suite REPETITIONS 6 WARMUP 1 MIN_TIME 10ms
  COUNTERS items_per_second values
  THRESHOLDS "BM_sum: cpu_time.median ~ O(n)" "BM_sum: values.median@n=512 == 512"
    "iterations.median >= 1" "BM_s*: wall.median < 1h" "BM_sp*: cpu.median < 1h" "BM_gone*: wall.median < 1s"
  REGRESSION "BM_spin: cpu_time.median +50%")
"""

BAD_CONSUMER = """cmake_minimum_required(VERSION 3.25)
project(gbench_bad LANGUAGES CXX)
find_package(PerfCheck REQUIRED)
find_package(benchmark REQUIRED)
enable_testing()
add_library(suite_code OBJECT "{suite}")
target_link_libraries(suite_code PUBLIC benchmark::benchmark)
foreach(name IN ITEMS nothing crashing declared)
  add_executable(${{name}} $<TARGET_OBJECTS:suite_code>)
  target_link_libraries(${{name}} PRIVATE benchmark::benchmark)
endforeach()
perfcheck_add_gbench(TARGET nothing FILTER "^BM_none$")
perfcheck_add_gbench(TARGET crashing)
perfcheck_add_gbench(TARGET declared COUNTERS wall)
"""

EXTRA_NEW = """#include <benchmark/benchmark.h>
static void extra(benchmark::State& state) { for (auto _ : state) benchmark::DoNotOptimize(state.iterations()); }
BENCHMARK(extra)->Name("BM_extra");
"""


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERFCHECK_", "GBENCH_SUITE_"))}
    env.update(extra)
    return env


def words(text):
    """`text` with every run of white space one space: CMake wraps its messages."""
    return " ".join(text.split())


def run(args, timeout=900, **env):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=clean_env(**env))


def configure(src, build):
    p = run([CMAKE, "-S", src, "-B", build, "-G", "Ninja", f"-DPerfCheck_DIR={BUILD}"], timeout=300)
    if p.returncode != 0:
        raise AssertionError(p.stdout + p.stderr)


class DiscoveredSuiteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-gbench-")
        cls.src, cls.build = os.path.join(cls.tmp.name, "src"), os.path.join(cls.tmp.name, "build")
        os.mkdir(cls.src)
        with open(os.path.join(cls.src, "CMakeLists.txt"), "w") as f:
            f.write(CONSUMER.format(suite=SUITE_SOURCE))
        with open(os.path.join(cls.src, "extra.cpp"), "w") as f:
            f.write("// BM_extra comes later\n")
        configure(cls.src, cls.build)
        p = run([CMAKE, "--build", cls.build])
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)
        cls.built = p.stdout + p.stderr
        listing = run([CTEST, "--test-dir", cls.build, "-N", "-L", "perf"])
        cls.listed = listing.stdout
        cls.built += listing.stderr  # discovery's warnings, where CTest reads the benchmarks in
        cls.first = run([CTEST, "--test-dir", cls.build, "-L", "perf", "--output-on-failure"])
        if not os.path.exists(os.path.join(cls.build, "perf-results", "suite.BM_sum.json")):
            raise AssertionError(cls.first.stdout + cls.first.stderr)
        cls.first_results = {n: cls.result(n) for n in ("suite.BM_sum", "suite.BM_spin")}
        cls.second = run([CTEST, "--test-dir", cls.build, "-L", "perf", "--output-on-failure"],
                         GBENCH_SUITE_SLOW="10")
        cls.second_results = {n: cls.result(n) for n in ("suite.BM_sum", "suite.BM_spin")}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def result(cls, name):
        with open(os.path.join(cls.build, "perf-results", f"{name}.json")) as f:
            return json.load(f)

    def test_discovery_makes_a_family_one_test_and_the_rest_one_test_each(self):
        self.assertIn("suite.BM_sum", self.listed)
        self.assertIn("suite.BM_spin", self.listed)
        self.assertNotIn("suite.BM_sum/512", self.listed)
        self.assertEqual([line.split(": ", 1)[1] for line in self.listed.splitlines() if ": suite." in line],
                         ["suite.BM_sum", "suite.BM_spin"])
        levels = [[(v["name"], v["value"]) for v in p["level"]] for p in self.first_results["suite.BM_sum"]["points"]]
        # The levels are the family's instances, as the binary itself lists them.
        listed = run([SUITE, "--benchmark_list_tests"]).stdout.split()
        instances = [[("n", name.split("/")[1])] for name in listed if name.startswith("BM_sum/")]
        self.assertGreaterEqual(len(instances), 3)
        self.assertEqual(sorted(levels, key=lambda l: int(l[0][1])), instances)

    def test_the_first_session_records_the_metrics_of_every_benchmark(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        spin = self.first_results["suite.BM_spin"]
        self.assertEqual(spin["verdict"], "pass", spin.get("reasons"))
        self.assertEqual(len(spin["runs"]), 6)
        for metric in ("real_time", "cpu_time", "iterations"):
            self.assertGreater(spin["summary"][metric]["median"], 0, metric)
        (point,) = [p for p in self.first_results["suite.BM_sum"]["points"] if p["level"][0]["value"] == "512"]
        self.assertEqual(point["summary"]["values"]["median"], 512)
        self.assertGreater(point["summary"]["items_per_second"]["median"], 0)

    def test_the_family_is_checked_against_its_complexity_gate(self):
        for results in (self.first_results, self.second_results):
            # The benchmark's own time per iteration, a reported metric: a linear sum fits O(n)
            # with a log-log slope near 1. (The process's cpu.median is not gated: it is MIN_TIME's
            # search plus start-up, about constant, and its noise once fitted n^2 at p 0.001.)
            (own,) = [t for t in results["suite.BM_sum"]["thresholds"] if t["expr"] == "cpu_time.median ~ O(n)"]
            self.assertIn("complexity", own)
            self.assertTrue(own["ok"], own)
            self.assertEqual(own["complexity"]["levels"], len(results["suite.BM_sum"]["points"]))
            self.assertGreater(own["complexity"]["slope"], 0.5, own["complexity"])

    def test_patterns_gate_the_benchmarks_they_match_and_one_that_matches_none_is_said(self):
        exprs = {n: {t["expr"] for t in r["thresholds"]} for n, r in self.first_results.items()}
        self.assertIn("wall.median < 1h", exprs["suite.BM_sum"])  # BM_s* matches both
        self.assertIn("wall.median < 1h", exprs["suite.BM_spin"])
        self.assertIn("cpu.median < 1h", exprs["suite.BM_spin"])  # BM_sp* matches BM_spin alone
        self.assertNotIn("cpu.median < 1h", exprs["suite.BM_sum"])
        self.assertNotIn("wall.median < 1s", exprs["suite.BM_sum"] | exprs["suite.BM_spin"])
        self.assertIn("THRESHOLDS 'BM_gone*: wall.median < 1s': 'BM_gone*' matches no benchmark of", words(self.built))
        self.assertIn("so it gates nothing", words(self.built))

    def test_the_slowed_benchmark_is_regressed_in_the_second_session(self):
        self.assertNotEqual(self.second.returncode, 0)
        self.assertEqual(self.second_results["suite.BM_spin"]["verdict"], "regressed",
                         self.second_results["suite.BM_spin"].get("reasons"))
        self.assertEqual(self.second_results["suite.BM_sum"]["verdict"], "pass",
                         self.second_results["suite.BM_sum"].get("reasons"))

    def test_the_report_shows_the_regression_and_the_complexity_gate(self):
        with open(os.path.join(self.build, "perf-report", "summary.md"), encoding="utf-8") as f:
            summary = f.read()
        # Markdown escapes the underscores.
        self.assertIn("| 🔺 regressed | suite.BM\\_spin | cpu\\_time median", summary)
        # A pass with no warning is folded into "unchanged tests" (docs/reports.md); either way a pass.
        folded = re.search(r"<summary>\d+ unchanged tests?</summary>\n\n(- .*\n)*- suite\.BM\\_sum: ", summary)
        self.assertTrue("| ✅ pass | suite.BM\\_sum |" in summary or folded, summary)
        with open(os.path.join(self.build, "perf-report", "report.json"), encoding="utf-8") as f:
            reported = json.load(f)
        gates = {(test["name"], t["expr"]): t for test in reported["tests"] for t in test["thresholds"]
                 if "complexity" in t}
        self.assertIn(("suite.BM_sum", "cpu_time.median ~ O(n)"), gates, list(gates))
        self.assertTrue(gates[("suite.BM_sum", "cpu_time.median ~ O(n)")]["ok"], gates)

    def test_zz_a_new_benchmark_is_a_test_after_the_build_without_cmake(self):
        with open(os.path.join(self.src, "extra.cpp"), "w") as f:
            f.write(EXTRA_NEW)
        p = run([CMAKE, "--build", self.build])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("Re-running CMake", p.stdout)
        listed = run([CTEST, "--test-dir", self.build, "-N", "-L", "perf"]).stdout
        self.assertIn("suite.BM_extra", listed)


def fake_benchmark(folder, text):
    """An executable that writes `text` to its --benchmark_out file, as a broken binary would."""
    path = os.path.join(folder, "fake_bench")
    with open(path, "w") as f:
        f.write("#!/usr/bin/env python3\nimport sys\n"
                "out = [a.split('=', 1)[1] for a in sys.argv if a.startswith('--benchmark_out=')][0]\n"
                f"open(out, 'w').write({text!r})\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-gbench-bad-")

    def tearDown(self):
        self.tmp.cleanup()

    def gbench(self, benchmark, binary=SUITE, **env):
        out = os.path.join(self.tmp.name, "r.json")
        p = run([PERFCHECK, "run", "--runs", "2", "--warmup", "0", "--json", out, "--gbench", benchmark, "--",
                 binary, "--benchmark_min_time=0.001"], **env)
        with open(out) as f:
            return p, json.load(f)

    def assert_error(self, p, result, *words):
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertEqual(result["verdict"], "error")
        for w in words:
            self.assertIn(w, p.stderr)
            self.assertIn(w, " ".join(result["reasons"]))

    def test_a_crash_names_the_binary_and_the_benchmark(self):
        p, r = self.gbench("BM_sum/512", GBENCH_SUITE_CRASH="run")
        self.assert_error(p, r, f"the Google Benchmark binary '{SUITE}' was killed by SIGABRT",
                          "while running the benchmark 'BM_sum/512'")

    def test_invalid_json_is_an_error_naming_the_binary(self):
        fake = fake_benchmark(self.tmp.name, "{not json")
        p, r = self.gbench("BM_x", binary=fake)
        self.assert_error(p, r, f"the Google Benchmark binary '{fake}' wrote results perfcheck cannot read",
                          "for the benchmark 'BM_x'")

    def test_no_benchmark_matched_is_an_error(self):
        p, r = self.gbench("BM_gone")
        self.assert_error(p, r, "ran no benchmark and wrote no results", "for the benchmark 'BM_gone'",
                          "--benchmark_list_tests")

    def test_a_benchmark_error_is_an_error_result_with_its_message(self):
        p, r = self.gbench("BM_spin", GBENCH_SUITE_ERROR="1")
        self.assert_error(p, r, "the benchmark 'BM_spin' reported an error: the suite was asked to fail")

    def test_a_counter_named_like_a_built_in_metric_is_refused(self):
        p, r = self.gbench("BM_spin", GBENCH_SUITE_COUNTER="wall")
        self.assert_error(p, r, "the counter 'wall' of the benchmark 'BM_spin' cannot be a perfcheck metric")

    def test_discovery_and_declared_counters_fail_the_build_with_the_reason(self):
        src, build = os.path.join(self.tmp.name, "src"), os.path.join(self.tmp.name, "build")
        os.mkdir(src)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write(BAD_CONSUMER.format(suite=SUITE_SOURCE))
        configure(src, build)
        p = run([CMAKE, "--build", build, "--target", "nothing"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--benchmark_list_tests' lists no benchmark that FILTER '^BM_none$' finds", words(p.stdout))
        p = run([CMAKE, "--build", build, "--target", "crashing"], GBENCH_SUITE_CRASH="list")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--benchmark_list_tests' failed", words(p.stdout))
        self.assertIn("so its benchmarks were not discovered", words(p.stdout))
        p = run([CMAKE, "--build", build, "--target", "perfcheck_validate_specs"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("'wall' is a metric perfcheck measures itself; choose another name (e.g. app.wall)",
                      words(p.stdout + p.stderr))


if __name__ == "__main__":
    if shutil.which(CMAKE) is None:
        raise SystemExit("cmake not found")
    unittest.main(verbosity=2)
