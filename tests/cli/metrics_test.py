#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""The metric channel end to end (docs/metrics.md): real programs report figures about themselves
through PERFCHECK_METRICS (a C program through <perfcheck/metrics.h>, a /bin/sh script, a Python
script), and perfcheck gates, records and reports them like wall time; per-operation latencies
give the quantiles an independent computation gives; bad lines are counted and named; pipelined
runs each get their own channel; metadata reaches the result, the history and the reports; a
sweep's reports show each level's reported metrics (in headless Chromium too, when installed).

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (pc_metrics), PERFCHECK_PROGRAMS_DIR
(tests/programs: the scripts), CHROMIUM (optional: the browser).
"""
import json
import math
import os
import sys
import re
import subprocess
import tempfile
import unittest

from report_test import CHROMIUM, rendered_dom

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
PROGRAMS = os.environ["PERFCHECK_PROGRAMS_DIR"]
C_PROGRAM = os.path.join(BIN, "pc_metrics")
SH_SCRIPT = os.path.join(PROGRAMS, "pc_metrics.sh")
PY_SCRIPT = os.path.join(PROGRAMS, "pc_metrics.py")
LINES = os.path.join(PROGRAMS, "pc_metrics_lines.sh")


def quantile(sorted_values, p):
    """Hyndman & Fan definition 7 (docs/statistics.md), written out independently."""
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-metrics-test-")
        self.history = self.path("history.sqlite")
        self.env = dict(os.environ, PERFCHECK_SESSION_ID="metrics-session", PERFCHECK_CACHE_DIR="")

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def run_perfcheck(self, *args, expect=0):
        p = subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300, env=self.env)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        return p

    def measure(self, name, command, *flags, expect=0, runs="3", warmup="1", history=True):
        result = self.path(f"{name}.json")
        extra = ["--history", self.history] if history else []
        p = self.run_perfcheck("run", "--name", name, "--json", result, "--warmup", warmup, "--runs", runs,
                               *extra, *flags, "--", *command, expect=expect)
        with open(result) as f:
            return p, json.load(f)

    def report(self):
        out = self.path("report")
        self.run_perfcheck("report", "--history", self.history, "--out", out)
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            md = f.read()
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        with open(os.path.join(out, "junit.xml"), encoding="utf-8") as f:
            junit = f.read()
        return md, html, junit

    def threshold(self, result, expr):
        return next(t for t in result["thresholds"] if t["expr"] == expr)

    def test_export_then_import_keeps_reported_gates_and_level_comparisons(self):
        # A backup of a history is its export: every result must import again, whatever it gates.
        self.measure("gated", [C_PROGRAM, "{n}"], "--parameter", "n=5,10", "--metric", "startup:ms",
                     "--threshold", "startup.median < 20ms",
                     "--threshold", "wall.median@n=5 <= 1000% wall.median@n=10", runs="2", warmup="0")
        exported = self.path("export.json")
        self.run_perfcheck("history", "export", "--history", self.history, "--output", exported)
        copy = self.path("copy.sqlite")
        out = self.run_perfcheck("history", "import", "--history", copy, exported).stdout
        self.assertIn(f"{exported}: 1 new, 0 already present", out)
        again = self.path("again.json")
        self.run_perfcheck("history", "export", "--history", copy, "--output", again)
        with open(exported) as f, open(again) as g:
            self.assertEqual(json.load(f)["results"], json.load(g)["results"])
        # An edited comparison is still refused, naming the field.
        with open(exported) as f:
            edited = json.load(f)
        for t in edited["results"][0]["result"]["thresholds"]:
            if "%" in t["expr"]:
                t["expr"] = "cpu.median@n=5 <= 1000% wall.median@n=10"
        bad = self.path("edited.json")
        with open(bad, "w") as f:
            json.dump(edited, f)
        p = self.run_perfcheck("history", "import", "--history", self.path("third.sqlite"), bad, expect=2)
        self.assertIn("is not the level comparison its parts name", p.stderr)

    def test_a_complexity_gate_fits_a_reported_metric(self):
        # pc_metrics N reports op = 1, 2, ..., N us in a run: the run's median is (N + 1) / 2 us,
        # exactly 500 ns + 500 ns * N, so the fit of O(n) is that line and O(1) fails.
        p, r = self.measure("grows", [C_PROGRAM, "{n}"], "--parameter", "n=10,100,1000,10000", "--metric", "op:us",
                            "--threshold", "op.median ~ O(n)", "--threshold", "op.median ~ O(1)",
                            runs="3", warmup="0", expect=1)
        linear, constant = self.threshold(r, "op.median ~ O(n)"), self.threshold(r, "op.median ~ O(1)")
        self.assertTrue(linear["ok"], linear)
        self.assertFalse(constant["ok"], constant)
        fit = linear["complexity"]
        self.assertEqual((fit["fitted"], fit["levels"], fit["points"]), ("n", 4, 12))
        self.assertAlmostEqual(fit["coefficient"], 500.0, delta=1e-6)
        self.assertAlmostEqual(fit["intercept"], 500.0, delta=1e-6)
        self.assertIn("✗ op.median ~ O(1)", p.stdout)
        # A backup of the history keeps the gate: the export imports again.
        exported = self.path("grows.json")
        self.run_perfcheck("history", "export", "--history", self.history, "--output", exported)
        out = self.run_perfcheck("history", "import", "--history", self.path("copy.sqlite"), exported).stdout
        self.assertIn(f"{exported}: 1 new, 0 already present", out)

    def test_c_program_through_the_header_is_gated_recorded_and_reported(self):
        gates = ["--metric", "startup:ms", "--metric", "hit_rate:%", "--metric", "items", "--metric", "op",
                 "--threshold", "startup.median < 20ms", "--threshold", "hit_rate.median >= 75%",
                 "--threshold", "items.rate >= 1/s", "--threshold", "op.p99 < 1s"]
        p, r = self.measure("c_metrics", [C_PROGRAM, "50"], *gates)
        self.assertEqual(r["verdict"], "pass", p.stdout)
        self.assertEqual(r["summary"]["startup"]["median"], 12.5e6)
        self.assertAlmostEqual(r["summary"]["hit_rate"]["median"], 0.785)
        self.assertEqual(r["summary"]["items"]["median"], 100)  # 50 increments of 2, summed per run
        self.assertEqual(r["summary"]["op"]["n"], 150)  # a distribution: 50 values x 3 runs, pooled
        walls = [run["wall_ns"] for run in r["runs"]]
        rates = sorted(100 / (w / 1e9) for w in walls)
        self.assertAlmostEqual(r["summary"]["items.rate"]["median"], rates[1], delta=rates[1] * 1e-9)
        self.assertEqual(r["metadata"], {"endpoint": "/api/v1/fir"})
        self.assertEqual(r["runs"][0]["reported"]["startup"], {"kind": "duration", "values": [12.5e6]})
        self.assertIn("startup  median 12.5 ms", p.stdout)
        self.assertIn("metadata: endpoint=/api/v1/fir", p.stdout)
        self.assertIn('<CTestMeasurement type="numeric/double" name="startup.median_ms">12.5</CTestMeasurement>',
                      p.stdout)
        self.assertIn('name="hit_rate.median_pct">78.5<', p.stdout)
        # A failing gate on the same metric: failed, with the reported figure in its unit.
        p, r = self.measure("c_metrics_slow", [C_PROGRAM, "5"], "--metric", "startup:ms",
                            "--threshold", "startup.median < 10ms", expect=1)
        self.assertEqual(r["verdict"], "failed")
        self.assertIn("startup.median < 10ms: measured 12.5 ms", r["reasons"])
        md, html, junit = self.report()
        self.assertIn("**c\\_metrics** · endpoint=/api/v1/fir · hit\\_rate median 78.5%", md)
        self.assertIn("startup median 12.5 ms", md)
        self.assertIn('<tr><td><code>startup</code></td><td>12.5 ms</td>', html)
        self.assertIn('<dt>endpoint</dt><dd>/api/v1/fir</dd>', html)
        self.assertIn('<property name="startup.median" value="12500000"/>', junit)
        self.assertIn('<property name="meta.endpoint" value="/api/v1/fir"/>', junit)
        with open(self.path("report/report.json"), encoding="utf-8") as f:
            tests = {t["name"]: t for t in json.load(f)["tests"]}
        startup = next(m for m in tests["c_metrics"]["reported"] if m["metric"] == "startup")
        self.assertEqual(startup["median"], 12.5e6)  # ns, as the result file has it
        self.assertEqual(startup["median_text"], "12.5 ms")
        hit = next(m for m in tests["c_metrics"]["reported"] if m["metric"] == "hit_rate")
        self.assertAlmostEqual(hit["median"], 0.785)

    def test_a_sweeps_reports_show_the_reported_metrics_at_each_level(self):
        # pc_metrics N reports op = 1..N us and "items +2" N times per run: at each level op's
        # median and p95 are those of 1..N pooled over the 3 runs, items is 2N in every run.
        p, r = self.measure("per_level", [C_PROGRAM, "{n}"], "--parameter", "n=10,20", "--metric", "op:us",
                            "--metric", "items", warmup="0")
        self.assertEqual(r["verdict"], "pass", p.stdout)
        md, html, junit = self.report()
        with open(self.path("report/report.json"), encoding="utf-8") as f:
            levels = {lv["level"]: lv for lv in json.load(f)["tests"][0]["levels"]}
        self.assertIn("| Level | Runs | wall median (95% CI) | hit\\_rate median (p95) | items median (p95) | "
                      "items.rate median (p95) | op median (p95) | plain median (p95) | startup median (p95) | "
                      "Thresholds |", md)
        for n in (10, 20):
            pooled = sorted(v for v in range(1, n + 1) for _ in range(3))
            op = {m["metric"]: m for m in levels[f"n={n}"]["reported"]}["op"]
            self.assertEqual((op["median"], op["n"]), (quantile(pooled, 0.5) * 1e3, 3 * n))
            self.assertAlmostEqual(op["p95"], quantile(pooled, 0.95) * 1e3, delta=1e-6)
            op_cell = f"{op['median_text']} (p95 {op['p95_text']})"
            self.assertRegex(md, rf"\| n={n} \| 3 \| [^|]+ \| 78\.5% \(p95 78\.5%\) \| {2 * n} \(p95 {2 * n}\) \| "
                                 rf"[^|]+/s \(p95 [^|]+/s\) \| {re.escape(op_cell)} \| 42 \(p95 42\) \| "
                                 rf"12\.5 ms \(p95 12\.5 ms\) \|  \|")
            self.assertIn(f"<td>{op_cell}</td>", html)
            self.assertIn(f'<property name="level.n={n}.op.median" value="{quantile(pooled, 0.5) * 1e3:g}"/>', junit)
            self.assertIn(f'<property name="level.n={n}.items.median" value="{2 * n}"/>', junit)
        self.assertEqual(levels["n=10"]["reported"][0]["median_text"], "78.5%")
        self.assertEqual(levels["n=10"]["reported"][3]["median_text"], "5.50 us")
        self.assertIn("<th><code>op</code> median (p95)</th>", html)
        if CHROMIUM:
            dom = rendered_dom(self, self.tmp.name, self.path("report/index.html"))
            table = re.search(r'<table class="thresholds levels">.*?</table>', dom, re.S)
            self.assertIsNotNone(table, "no per-level table in the rendered page")
            self.assertIn("<th><code>items.rate</code> median (p95)</th>", table.group(0))
            self.assertIn("<td>5.50 us (p95 10.0 us)</td>", table.group(0))

    def test_shell_script_is_gated_recorded_and_reported(self):
        p, r = self.measure("sh_metrics", [SH_SCRIPT], "--metric", "startup", "--metric", "pairs",
                            "--threshold", "startup.p95 < 13ms", "--threshold", "pairs.rate >= 1/s")
        self.assertEqual(r["summary"]["pairs"]["median"], 1000)
        self.assertEqual(r["metadata"], {"lang": "sh"})
        p, r = self.measure("sh_metrics_fail", [SH_SCRIPT], "--metric", "pairs",
                            "--threshold", "pairs.rate >= 1000000000/s", expect=1)
        self.assertFalse(self.threshold(r, "pairs.rate >= 1000000000/s")["ok"])
        md, html, _ = self.report()
        self.assertIn("**sh\\_metrics** · lang=sh · pairs median 1000, p95 1000", md)
        self.assertIn('<tr><td><code>pairs.rate</code></td>', html)

    def test_python_script_is_gated_recorded_and_reported(self):
        p, r = self.measure("py_metrics", [PY_SCRIPT], "--metric", "request:ms", "--metric", "cache_hit_rate:%",
                            "--metric", "startup", "--threshold", "request.p99 < 100ms",
                            "--threshold", "startup.median == 12.5ms")
        self.assertEqual(r["verdict"], "pass", p.stdout)
        self.assertEqual(r["summary"]["request"]["n"], 600)
        self.assertEqual(r["metadata"], {"lang": "python"})
        p, r = self.measure("py_metrics_fail", [PY_SCRIPT], "--metric", "cache_hit_rate:%",
                            "--threshold", "cache_hit_rate.median >= 90%", expect=1)
        self.assertIn("cache_hit_rate.median >= 90%: measured 78.5%", r["reasons"])
        md, html, _ = self.report()
        self.assertIn("request median 10.1 ms", md)  # the median of 0.1 .. 20.0 ms
        self.assertIn("<code>request</code></td><td>10.1 ms</td>", html)

    def test_a_process_the_command_starts_reports_through_the_same_channel(self):
        # The measured command only starts a child; the child appends the line (it inherits
        # PERFCHECK_METRICS), and the run has its figure.
        child = "import os; open(os.environ['PERFCHECK_METRICS'], 'a').write('child 7 ms\\n')"
        parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
        p, r = self.measure("child_metrics", [sys.executable, "-c", parent], "--metric", "child:ms",
                            "--threshold", "child.median == 7ms", history=False)
        self.assertEqual(r["verdict"], "pass", p.stdout + p.stderr)
        self.assertEqual(r["summary"]["child"]["n"], 3)  # one value from each of the 3 runs
        self.assertEqual(r["summary"]["child"]["median"], 7e6)

    def test_a_rule_on_a_reported_metric_compares_with_the_baseline_commands_reports(self):
        _, r = self.measure("rule", [PY_SCRIPT], "--metric", "startup", "--regression", "startup.median +10%",
                            "--baseline", "command", "--baseline-command", SH_SCRIPT, runs="6", warmup="1",
                            history=False)
        (finding,) = r["regressions"]
        self.assertEqual(finding["metric"], "startup")
        self.assertEqual(finding["baseline_median"], 12.5e6)  # the shell script's 12.5 ms
        self.assertEqual(finding["candidate_median"], 12.5e6)  # Python's 0.0125 s
        self.assertEqual(finding["decision"], "pass")

    def test_ten_thousand_latencies_give_the_independent_quantiles(self):
        p, r = self.measure("latencies", [C_PROGRAM, "10000"], "--metric", "op",
                            "--threshold", "op.p99 < 10ms", runs="2", warmup="0", history=False)
        values = sorted([i * 1000.0 for i in range(1, 10001)] * 2)  # i us in ns, two runs pooled
        s = r["summary"]["op"]
        self.assertEqual(s["n"], 20000)
        for stat, p_ in (("median", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)):
            self.assertAlmostEqual(s[stat], quantile(values, p_), delta=1e-6, msg=stat)
        self.assertEqual(s["min"], 1000.0)
        self.assertEqual(s["max"], 1e7)
        self.assertAlmostEqual(s["mean"], sum(values) / len(values), delta=1e-6)
        self.assertTrue(self.threshold(r, "op.p99 < 10ms")["ok"])

    def test_pipelined_runs_each_get_their_own_channel(self):
        counter = self.path("counter")
        # No output kept, no OUTPUT limit: the runs are pipelined (docs/architecture.md).
        _, r = self.measure("pipelined", [SH_SCRIPT, counter], "--metric", "run_index", runs="6", warmup="2",
                            history=False)
        seen = [run["reported"]["run_index"]["values"] for run in r["warmup_runs"] + r["runs"]]
        self.assertEqual(seen, [[float(i)] for i in range(1, 9)])

    def bad_lines(self, *lines, runs="1"):
        _, r = self.measure("bad", [LINES, *lines], runs=runs, warmup="0", history=False)
        self.assertEqual(r["verdict"], "pass")
        return [w for w in r["warnings"] if "metric channel" in w]

    def test_every_bad_line_is_counted_and_the_first_named(self):
        cases = [
            (["startup"], "1 malformed line, skipped; the first: run 1: line 1: 'startup': no value after the name"),
            (["ok 1", "startup fast ms"], "the first: run 1: line 2: 'startup fast ms': 'fast' is not a number"),
            (["startup 5 parsecs"], "line 1: 'startup 5 parsecs': unknown unit 'parsecs'"),
            (["x 1 ms", "x 2 MiB"], "line 2: 'x 2 MiB': 'x' changed its kind of unit (it was a duration before)"),
            (["y nan"], "line 1: 'y nan': 'nan' is not a finite number"),
            (["y inf ms"], "'inf' is not a finite number"),
            (["wall 5"], "'wall' is a metric perfcheck measures itself"),
            (["a 1", "b", "c x"], "2 malformed lines, skipped; the first: run 1: line 2: 'b'"),
        ]
        for lines, message in cases:
            with self.subTest(lines=lines):
                warnings = self.bad_lines(*lines)
                self.assertEqual(len(warnings), 1, warnings)
                self.assertIn(message, warnings[0])

    def test_a_unit_that_changes_between_runs_is_not_measured(self):
        # The same name as a duration in one run and a size in the next (a counter file switches it).
        script = self.path("switch.sh")
        with open(script, "w") as f:
            f.write('#!/bin/sh\nif [ -e "$1" ]; then echo "x 2 MiB" >> "$PERFCHECK_METRICS"; '
                    'else : > "$1"; echo "x 1 ms" >> "$PERFCHECK_METRICS"; fi\n')
        os.chmod(script, 0o755)
        _, r = self.measure("switch", [script, self.path("flag")], "--metric", "x",
                            "--threshold", "x.median < 1s", runs="2", warmup="0", history=False, expect=1)
        self.assertTrue(any("'x' was reported as a duration in an earlier run but as a size in run 2" in w
                            for w in r["warnings"]), r["warnings"])
        self.assertFalse(self.threshold(r, "x.median < 1s")["measured"])

    def test_a_flood_is_bounded_and_said(self):
        flood = self.path("flood.py")
        with open(flood, "w") as f:
            f.write("import os\nwith open(os.environ['PERFCHECK_METRICS'], 'a') as c:\n"
                    "    c.write('v 1\\n' * 1000001)\n")
        _, r = self.measure("flood", ["python3", flood], "--metric", "v", runs="1", warmup="0", history=False)
        self.assertTrue(any("the metric channel was cut off (run 1: more than 1000000 values)" in w
                            for w in r["warnings"]), r["warnings"])
        self.assertEqual(r["summary"]["v"]["n"], 1000000)

    def test_names_and_units_are_checked_before_anything_runs(self):
        p = self.run_perfcheck("run", "--threshold", "startup.median < 1s", "--", SH_SCRIPT, expect=2)
        self.assertIn("unknown metric 'startup' (a metric the command reports itself is declared first: "
                      "METRICS startup in add_perf_test, --metric startup on the command line)", p.stderr)
        p = self.run_perfcheck("run", "--metric", "wall", "--", SH_SCRIPT, expect=2)
        self.assertIn("--metric 'wall': 'wall' is a metric perfcheck measures itself", p.stderr)
        p = self.run_perfcheck("run", "--metric", "startup:parsec", "--", SH_SCRIPT, expect=2)
        self.assertIn("--metric 'startup:parsec': unknown unit 'parsec'", p.stderr)
        p = self.run_perfcheck("run", "--metric", "startup:ms", "--threshold", "startup.median < 5MiB",
                               "--", SH_SCRIPT, expect=2)
        self.assertIn("'startup' is declared as a duration but the limit 5.00 MiB is a size", p.stderr)
        p = self.run_perfcheck("run", "--metric", "pairs", "--threshold", "pairs.rate >= 3",
                               "--", SH_SCRIPT, expect=2)
        self.assertIn("'3' is not a rate, but pairs.rate counts per time", p.stderr)
        p = self.run_perfcheck("run", "--meta", "=x", "--", SH_SCRIPT, expect=2)
        self.assertIn("--meta '=x': metadata reads key=value", p.stderr)

    def test_gates_on_what_was_not_reported_or_in_another_unit_fail_with_the_name(self):
        _, r = self.measure("ghost", [SH_SCRIPT], "--metric", "ghost", "--threshold", "ghost.median < 1s",
                            history=False, expect=1)
        self.assertIn("ghost.median < 1s: ghost.median was not measured: the command did not report 'ghost' "
                      "in every measured run", "\n".join(r["reasons"]))
        _, r = self.measure("unit", [SH_SCRIPT], "--metric", "startup", "--threshold", "startup.median < 5MiB",
                            history=False, expect=1)
        self.assertIn("startup.median < 5MiB: 'startup' is reported as a duration but the limit 5.00 MiB is a size",
                      r["reasons"][0])
        _, r = self.measure("not_counter", [SH_SCRIPT], "--metric", "startup", "--threshold",
                            "startup.rate >= 1/s", history=False, expect=1)
        self.assertIn("a rate is derived only from a counter", r["reasons"][0])

    def test_a_program_that_reports_nothing_has_the_result_it_had(self):
        _, r = self.measure("quiet", [os.path.join(BIN, "pc_noop")], history=False)
        self.assertNotIn("metadata", r)
        for run in r["runs"] + r["warmup_runs"]:
            self.assertNotIn("reported", run)
        self.assertFalse(any("metric" in w for w in r["warnings"]), r["warnings"])
        self.assertEqual([k for k in r["summary"] if k not in ("wall", "user", "sys", "cpu", "rss", "rss_tree",
                          "cpu.util", "threads") and "." not in k], [])

    def test_metadata_from_flags_and_channel_round_trips_export_import_and_is_escaped(self):
        _, r = self.measure("meta", [C_PROGRAM, "1"], "--meta", "team=core", "--meta", "endpoint=/override",
                            "--meta", "note=<script>alert(1)</script>")
        self.assertEqual(r["metadata"], {"team": "core", "endpoint": "/override",
                                         "note": "<script>alert(1)</script>"})
        exported = self.path("export.json")
        self.run_perfcheck("history", "export", "--history", self.history, "--output", exported)
        copy = self.path("copy.sqlite")
        self.run_perfcheck("history", "import", "--history", copy, exported)
        again = self.path("again.json")
        self.run_perfcheck("history", "export", "--history", copy, "--output", again)
        with open(again) as f:
            exported_again = json.load(f)
        self.assertEqual(exported_again["results"][0]["result"]["metadata"], r["metadata"])
        md, html, _ = self.report()
        self.assertIn("<dt>note</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>", html)
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<script>alert", md)


if __name__ == "__main__":
    unittest.main()
