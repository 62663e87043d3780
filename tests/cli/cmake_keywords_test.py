#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""CMake and the command line say the same things: every option of `perfcheck run --help` is in
the one table of docs/cmake-reference.md, with an add_perf_test keyword that exists or "none: "
and a reason; and the keywords that carry run options reach the spec and act in a real
`ctest -L perf` of a small consumer project (ALLOW_FAILURES lets exit.failures gate).

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*),
PERFCHECK_SOURCE_DIR (the source tree), PERFCHECK_BUILD_DIR (the build tree, a PerfCheck
package), CMAKE_COMMAND and CTEST_COMMAND.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from report_test import CHROMIUM, chromium

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
SOURCE = os.environ["PERFCHECK_SOURCE_DIR"]
BUILD = os.environ["PERFCHECK_BUILD_DIR"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CTEST = os.environ.get("CTEST_COMMAND", "ctest")
TABLE_HEADING = "### `perfcheck run` options and their keywords"


def run_help_options():
    """The option names of `perfcheck run --help`, and its positional COMMAND."""
    p = subprocess.run([PERFCHECK, "run", "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    names = []
    for line in p.stdout.splitlines():
        m = re.match(r"^\s{1,4}(-[-\w]+(?:,\s*-[-\w]+)*)", line)
        if m:
            names.append(tuple(n.strip() for n in m.group(1).split(",")))
    return names


def doc_table():
    """The rows of the options table: ([option names], keyword cell)."""
    with open(os.path.join(SOURCE, "docs", "cmake-reference.md")) as f:
        text = f.read()
    assert TABLE_HEADING in text, f"docs/cmake-reference.md has no section {TABLE_HEADING!r}"
    section = text.split(TABLE_HEADING, 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or set(cells[1]) <= set("-") or cells[0].startswith("`perfcheck run`"):
            continue
        rows.append((re.findall(r"`(--?[A-Za-z][-\w]*)`", cells[0]), cells[1]))
    return rows


def add_perf_test_keywords():
    """The keywords of add_perf_test's cmake_parse_arguments lists in cmake/PerfCheck.cmake."""
    with open(os.path.join(SOURCE, "cmake", "PerfCheck.cmake")) as f:
        text = f.read()
    body = text.split("function(add_perf_test)", 1)[1].split("cmake_parse_arguments", 1)[0]
    words = set()
    for block in re.findall(r"set\((?:options|one_value_keywords|multi_value_keywords)\s+([^)]*)\)", body):
        words.update(block.split())
    return words


class KeywordTableTest(unittest.TestCase):
    def test_every_run_option_has_a_keyword_or_a_reason(self):
        keywords = add_perf_test_keywords()
        self.assertIn("NAME", keywords)
        rows = doc_table()
        self.assertTrue(rows)
        for names in run_help_options():
            with self.subTest(option=names):
                matching = [cell for documented, cell in rows if set(names) & set(documented)]
                self.assertEqual(len(matching), 1,
                                 f"{'/'.join(names)} needs one row in the table of docs/cmake-reference.md")
                cell = matching[0]
                if cell.startswith("none:"):
                    self.assertGreater(len(cell[len("none:"):].strip()), 10, f"{cell!r} gives no reason")
                else:
                    keyword = re.match(r"`([A-Z_]+)`", cell)
                    self.assertIsNotNone(keyword, f"{cell!r}: a keyword in backquotes or 'none: <reason>'")
                    self.assertIn(keyword.group(1), keywords, "add_perf_test has no such keyword")

    def test_the_table_names_no_option_that_run_lacks(self):
        options = {n for names in run_help_options() for n in names}
        for documented, _ in doc_table():
            for name in documented:
                self.assertIn(name, options, f"{name} is in the table but not in 'perfcheck run --help'")


CONSUMER = """cmake_minimum_required(VERSION 3.25)
project(keywords LANGUAGES NONE)
find_package(PerfCheck REQUIRED)
enable_testing()
add_perf_test(NAME allowed COMMAND "{exit}" 1 WARMUP 0 RUNS 3 ALLOW_FAILURES
  THRESHOLDS "exit.failures == 3")
add_perf_test(NAME gated COMMAND "{exit}" 1 WARMUP 0 RUNS 3 ALLOW_FAILURES
  THRESHOLDS "exit.failures == 0")
add_perf_test(NAME strict COMMAND "{exit}" 1 WARMUP 0 RUNS 3)
add_perf_test(NAME shown COMMAND "{print}" 64 WARMUP 0 RUNS 1 SHOW_OUTPUT SUBTRACT_OVERHEAD)
add_perf_test(NAME limited COMMAND "{print}" 10000 WARMUP 0 RUNS 1 OUTPUT_LIMIT 1KiB)
add_perf_test(NAME swept COMMAND "{sleep}" {{ms}} WARMUP 0 RUNS 2 SEED 7
  PARAMETERS ms 1..4*2 PARAMETERS mode a b ENVIRONMENT "MODE={{mode}}"
  THRESHOLDS "wall.median@ms=4,mode=b < 10s" "wall.median < 10s")
add_perf_test(NAME ramp COMMAND "{copy}" "${{CMAKE_CURRENT_BINARY_DIR}}/ramp.log" {{instance}} 1 2 -1
  WARMUP 0 RUNS 2 CONCURRENCY 1 4 ALLOW_FAILURES
  THRESHOLDS "errors.count@4 == 2" "errors.rate@concurrency=4 == 25%" "throughput.median > 1/s")
add_perf_test(NAME matrix COMMAND "{copy}" "${{CMAKE_CURRENT_BINARY_DIR}}/matrix.log" {{instance}} {{ms}} -1 -1
  WARMUP 0 RUNS 2 SEED 5 PARAMETERS ms 1 8 CONCURRENCY 1 3
  THRESHOLDS "errors.rate == 0%" "wall.median@ms=8,concurrency=3 < 10s" "throughput.median > 1/s")
add_perf_test(NAME reported COMMAND "{metrics}" 3 WARMUP 0 RUNS 2 METRICS startup:ms items
  METADATA team=core THRESHOLDS "startup.median < 20ms" "items.rate >= 1/s")
add_perf_test(NAME cached COMMAND "{cache}" fill ${{CMAKE_CURRENT_BINARY_DIR}}/cache 30 WARMUP 1 RUNS 3 SEED 3
  PARAMETERS mode cold warm
  SETUP "{log}" ${{CMAKE_CURRENT_BINARY_DIR}}/hooks.log setup
  PREPARE "{cache}" clear ${{CMAKE_CURRENT_BINARY_DIR}}/cache {{mode}}
  CLEANUP "{log}" ${{CMAKE_CURRENT_BINARY_DIR}}/hooks.log cleanup
  THRESHOLDS "wall.median@mode=warm <= 60% wall.median@mode=cold")
add_perf_test(NAME counted COMMAND "{work}" 100000 1 WARMUP 0 RUNS 2 COUNT instructions
  THRESHOLDS "instructions < 50M")
"""


class KeywordSpecTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-keywords-")
        src, cls.build = os.path.join(cls.tmp.name, "src"), os.path.join(cls.tmp.name, "build")
        os.mkdir(src)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write(CONSUMER.format(exit=os.path.join(BIN, "pc_exit"), print=os.path.join(BIN, "pc_print"),
                                    sleep=os.path.join(BIN, "pc_sleep"), copy=os.path.join(BIN, "pc_copy"),
                                    metrics=os.path.join(BIN, "pc_metrics"), cache=os.path.join(BIN, "pc_cache"),
                                    log=os.path.join(BIN, "pc_log"), work=os.path.join(BIN, "pc_work")))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_")}
        p = subprocess.run([CMAKE, "-S", src, "-B", cls.build, "-G", "Ninja", f"-DPerfCheck_DIR={BUILD}"],
                           capture_output=True, text=True, timeout=300, env=env)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)
        cls.ctest = subprocess.run([CTEST, "--test-dir", cls.build, "-L", "perf", "-V"],
                                   capture_output=True, text=True, timeout=600, env=env)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def spec(self, name):
        (path,) = glob.glob(os.path.join(self.build, "perf-specs", f"{name}*.json"))
        with open(path) as f:
            return json.load(f)

    def result(self, name):
        with open(os.path.join(self.build, "perf-results", f"{name}.json")) as f:
            return json.load(f)

    def timeout_of(self, name):
        p = subprocess.run([CTEST, "--test-dir", self.build, "--show-only=json-v1"], capture_output=True,
                           text=True, timeout=60)
        (test,) = [t for t in json.loads(p.stdout)["tests"] if t["name"] == name]
        (value,) = [prop["value"] for prop in test["properties"] if prop["name"] == "TIMEOUT"]
        return value

    def test_the_ctest_timeout_counts_every_level_and_the_hooks(self):
        # 60 + levels * (sides * (WARMUP + runs) * 10 s + hooks * 600 s), the documented formula.
        self.assertEqual(self.timeout_of("strict"), 60 + 1 * (0 + 3) * 10)
        self.assertEqual(self.timeout_of("swept"), 60 + 3 * 2 * ((0 + 2) * 10))  # ms 1,2,4 x mode a,b
        self.assertEqual(self.timeout_of("ramp"), 60 + 2 * ((0 + 2) * 10))  # concurrency 1, 4
        # PREPARE before every run doubles the runs' budget; SETUP and CLEANUP 600 s each, per level.
        self.assertEqual(self.timeout_of("cached"), 60 + 2 * (2 * (1 + 3) * 10 + 2 * 600))
        # COUNT: valgrind may count, each run gets 50 times its budget.
        self.assertEqual(self.timeout_of("counted"), 60 + (0 + 2) * 10 * 50)

    def test_the_spec_carries_the_keywords(self):
        self.assertIs(self.spec("allowed")["allow_failures"], True)
        self.assertIs(self.spec("strict")["allow_failures"], False)
        self.assertIs(self.spec("shown")["show_output"], True)
        self.assertIs(self.spec("shown")["subtract_overhead"], True)
        self.assertIs(self.spec("limited")["show_output"], False)
        self.assertEqual(self.spec("limited")["output_limit"], "1KiB")

    def test_metrics_and_metadata_reach_the_spec_and_gate_the_reported_figures(self):
        self.assertEqual(self.spec("reported")["metrics"], ["startup:ms", "items"])
        self.assertEqual(self.spec("reported")["metadata"], ["team=core"])
        result = self.result("reported")
        self.assertEqual(result["verdict"], "pass", result["reasons"])
        self.assertEqual(result["metadata"], {"team": "core", "endpoint": "/api/v1/fir"})
        self.assertEqual([t["ok"] for t in result["thresholds"]], [True, True])
        self.assertIn('<CTestMeasurement type="numeric/double" name="startup.median_ms">12.5</CTestMeasurement>',
                      self.ctest.stdout)

    def test_allow_failures_lets_exit_failures_gate(self):
        out = self.ctest.stdout
        self.assertEqual(self.result("allowed")["verdict"], "pass")
        self.assertEqual(self.result("gated")["verdict"], "failed")
        self.assertEqual(self.result("strict")["verdict"], "error")
        for name, status in (("allowed", "Passed"), ("gated", r"\*\*\*Failed"), ("strict", r"\*\*\*Failed")):
            self.assertRegex(out, rf"Test\s+#\d+: {name} \.+\s*{status}")

    def test_parameters_reach_the_spec_and_every_level_runs(self):
        spec = self.spec("swept")
        self.assertEqual(spec["parameters"], [{"name": "ms", "values": ["1..4*2"]},
                                              {"name": "mode", "values": ["a", "b"]}])
        self.assertEqual(spec["seed"], 7)
        result = self.result("swept")
        levels = [",".join(f"{v['name']}={v['value']}" for v in p["level"]) for p in result["points"]]
        self.assertEqual(levels, ["ms=1,mode=a", "ms=1,mode=b", "ms=2,mode=a", "ms=2,mode=b",
                                  "ms=4,mode=a", "ms=4,mode=b"])
        self.assertEqual(result["verdict"], "pass")
        self.assertEqual(len(result["thresholds"]), 7)  # one level, and every level
        self.assertIn("wall.median_ms@ms=4,mode=b", self.ctest.stdout)

    def test_concurrency_reaches_the_spec_and_each_copy_gets_its_instance(self):
        self.assertEqual(self.spec("ramp")["concurrency"], ["1", "4"])
        result = self.result("ramp")
        self.assertEqual([[(v["name"], v["value"]) for v in p["level"]] for p in result["points"]],
                         [[("concurrency", "1")], [("concurrency", "4")]])
        self.assertEqual(result["verdict"], "pass", result["reasons"])
        with open(os.path.join(self.build, "ramp.log")) as f:
            lines = [line.split() for line in f.read().splitlines()]
        self.assertEqual(sorted(a for a, v in lines if a == v), ["0", "0", "0", "0", "1", "1", "2", "2", "3", "3"])
        self.assertIn("throughput.median@concurrency=4", self.ctest.stdout)

    def test_parameters_and_concurrency_together_run_every_pair_and_reach_the_report(self):
        result = self.result("matrix")
        levels = sorted(",".join(f"{v['name']}={v['value']}" for v in p["level"]) for p in result["points"])
        self.assertEqual(levels, ["ms=1,concurrency=1", "ms=1,concurrency=3", "ms=8,concurrency=1",
                                  "ms=8,concurrency=3"])
        self.assertEqual(result["verdict"], "pass", result.get("reasons"))
        by_level = {",".join(f"{v['name']}={v['value']}" for v in p["level"]): p for p in result["points"]}
        self.assertEqual(len(by_level["ms=8,concurrency=3"]["runs"]), 2 * 3)  # 2 rounds of 3 copies
        # Each copy slept its level's ms: the 8 ms levels' walls are above 8 ms, whatever the load.
        self.assertGreaterEqual(min(r["wall_ns"] for r in by_level["ms=8,concurrency=3"]["runs"]), 8e6)
        with open(os.path.join(self.build, "matrix.log")) as f:
            self.assertEqual(len(f.read().splitlines()), 2 * (1 + 3) * 2)  # 2 ms values x (1 + 3) copies x 2 rounds
        # The session's report (ctest -L perf writes it) shows the test per level; a browser renders it.
        page = os.path.join(self.build, "perf-report", "index.html")
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<code>ms=8,concurrency=3</code>", html)
        if CHROMIUM:
            profile = tempfile.mkdtemp(prefix="profile-", dir=self.tmp.name)
            dom = chromium(profile, "--dump-dom", "--virtual-time-budget=5000", "file://" + page).stdout
            self.assertIn("ms=8,concurrency=3", dom)
            self.assertIn("matrix", dom)
            # Its section draws the series chart: the metric against the levels, drawn by gnuplot.
            section = re.search(r'<section[^>]*id="[^"]*matrix[^"]*"[^>]*>(.*?)</section>', dom, re.S)
            self.assertIsNotNone(section, "no section for matrix in the report")
            series = re.findall(r'<figure class="chart chart-series"[^>]*>(.*?)</figure>', section.group(1), re.S)
            self.assertTrue(series and all("<svg" in figure for figure in series), section.group(1)[:2000])
            self.assertIn("concurrency=3", series[0])

    def test_setup_prepare_and_cleanup_reach_the_spec_and_run(self):
        spec = self.spec("cached")
        self.assertEqual(spec["setup"], [os.path.join(BIN, "pc_log"), os.path.join(self.build, "hooks.log"), "setup"])
        self.assertEqual(spec["prepare"], [os.path.join(BIN, "pc_cache"), "clear", os.path.join(self.build, "cache"), "{mode}"])
        self.assertEqual(spec["cleanup"][-1], "cleanup")
        with open(os.path.join(self.build, "hooks.log")) as f:
            self.assertEqual(f.read().split(), ["setup", "cleanup"])  # once per test: no placeholder
        result = self.result("cached")
        self.assertEqual(result["verdict"], "pass", result["reasons"])
        (gate,) = [t for t in result["thresholds"] if t.get("source") == "levels"]
        self.assertTrue(gate["ok"])
        self.assertLess(gate["left_value"], gate["right_value"])

    def test_count_reaches_the_spec_and_a_skipped_test_is_skipped_by_ctest(self):
        self.assertEqual(self.spec("counted")["count"], ["instructions"])
        with open(os.path.join(self.build, "CTestTestfile.cmake")) as f:
            testfile = f.read()
        self.assertRegex(testfile, r'set_tests_properties\(\[=\[counted\]=\][^\n]*SKIP_RETURN_CODE "77"')
        result = self.result("counted")
        counted = shutil.which("valgrind") is not None
        self.assertEqual(result["verdict"], "pass" if counted else "skipped", result["reasons"])
        self.assertEqual(result["metadata"]["instructions.source"], "valgrind" if counted else "none")

    def test_show_output_subtract_overhead_and_output_limit_act(self):
        self.assertTrue(self.result("shown")["overhead_corrected"])
        self.assertFalse(os.path.exists(os.path.join(self.build, "perf-results", "shown.stdout")))
        with open(os.path.join(self.build, "perf-results", "limited.stdout")) as f:
            kept = f.read()
        self.assertIn("[perfcheck: output truncated: kept 1024 of 10000 bytes]", kept)


if __name__ == "__main__":
    unittest.main(verbosity=2)
