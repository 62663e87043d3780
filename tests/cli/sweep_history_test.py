#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""A sweep's points through the history and the reports, end to end: a sweep recorded twice into
a history, the second time with one level made slower (pc_level with PC_LEVEL_SLOW, from the
environment, so the spec and its series stay the same), regresses at that level only; `history
accept` takes it; a baseline file keeps each level; the report has a table per level, JUnit
properties per level and a series chart that headless Chromium draws. A sweep gated with
`cpu.median ~ O(n)` over quadratic work (pc_work, n^2 x 1e6 steps) draws its fitted curve on the
series chart, whose key and caption say the bound is not met.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*),
CHROMIUM (optional: the browser).
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from report_test import CHROMIUM, rendered_dom

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
NAME = "sorted_sweep"
# Level n=30 made 150 ms slower (+500%), far beyond the +25% the rule tolerates even on a busy
# machine; n=10 unchanged.
SLOW = {"PC_LEVEL_SLOW": "30:150"}
# What an unchanged level may come out as on a busy machine: anything but a regression.
NOT_REGRESSED = ("pass", "inconclusive", "improved")


def perfcheck(*args, env=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def trend_level(result):
    """The level a report row follows: the last one whose verdict is the worst of the sweep's."""
    rank = ["pass", "improved", "inconclusive", "regressed", "failed", "error"]
    worst = max(rank.index(pt["verdict"]) for pt in result["points"])
    last = [pt for pt in result["points"] if rank.index(pt["verdict"]) == worst][-1]
    return ",".join(f"{v['name']}={v['value']}" for v in last["level"])


class SweepHistoryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-sweep-history-")
        self.dir = self.tmp.name
        self.history = os.path.join(self.dir, "history.sqlite")
        self.log = os.path.join(self.dir, "levels.log")
        self.session = 0

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, *extra, expect, env=None):
        """One session's run of the sweep (levels n=10 and n=30); returns its result JSON."""
        self.session += 1
        result = os.path.join(self.dir, f"result-{self.session}.json")
        env = {"PERFCHECK_SESSION_ID": f"s{self.session}", "PERFCHECK_GIT_BRANCH": "main",
               "PERFCHECK_GIT_COMMIT": f"{self.session:02}" + "cd" * 19, **(env or {})}
        p = perfcheck("run", "--name", NAME, "--json", result, "--warmup", "1", "--runs", "8", "--seed", "5",
                      "--parameter", "n=10,30", "--threshold", "wall.median < 5s",
                      "--regression", "wall.median +25%", *extra,
                      "--", os.path.join(BIN, "pc_level"), self.log, "{n}", env=env)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        self.stdout = p.stdout
        self.result_path = result
        with open(result) as f:
            return json.load(f)

    def verdicts(self, result):
        return {pt["level"][0]["value"]: pt["verdict"] for pt in result["points"]}

    def findings(self, result):
        return {f["at"]: f["decision"] for f in result["regressions"]}

    def sql(self, query):
        db = sqlite3.connect(self.history)
        try:
            return db.execute(query).fetchall()
        finally:
            db.close()

    def test_a_slower_level_regresses_alone_against_the_history_and_is_accepted(self):
        first = self.sweep("--history", self.history, expect=0)
        self.assertEqual(self.verdicts(first), {"10": "pass", "30": "pass"})  # nothing to compare with
        # Each point is its own series: summaries and samples by level, none with the empty level.
        rows = self.sql(f"SELECT level, COUNT(*) FROM samples WHERE metric = 'wall' GROUP BY level ORDER BY level")
        self.assertEqual(rows, [("n=10", 8), ("n=30", 8)])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM summaries WHERE level = ''"), [(0,)])

        second = self.sweep("--history", self.history, expect=1, env=SLOW)
        self.assertEqual(second["verdict"], "regressed")
        self.assertEqual(self.verdicts(second)["30"], "regressed")
        self.assertIn(self.verdicts(second)["10"], NOT_REGRESSED)
        self.assertEqual(self.findings(second)["n=30"], "regressed")
        self.assertIn(self.findings(second)["n=10"], NOT_REGRESSED)
        self.assertEqual(second["baseline"]["kind"], "history")
        self.assertTrue(any(r.startswith("n=30: ") for r in second["reasons"]), second["reasons"])
        # CTest measurements per level.
        self.assertRegex(self.stdout, r'<CTestMeasurement type="numeric/double" name="wall.median_ms@n=30">')

        # The regression waits for acceptance; accepted, the slower level is the new baseline.
        p = perfcheck("history", "accept", NAME, "--history", self.history)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(f"accepted {NAME}: baseline epoch 1", p.stdout)
        third = self.sweep("--history", self.history, expect=0, env=SLOW)
        self.assertIn(self.verdicts(third)["30"], NOT_REGRESSED)
        self.assertIn(self.verdicts(third)["10"], NOT_REGRESSED)

        self.check_report(trend_level(third))

    def check_report(self, trend):
        out = os.path.join(self.dir, "report")
        p = perfcheck("report", "--history", self.history, "--out", out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("#### sorted\\_sweep per level", md)  # Markdown's '_' escaped
        self.assertIn("| Level | Runs | wall median (95% CI) | Thresholds |", md)
        self.assertRegex(md, r"\| n=10 \| 8 \| [\d.]+ ms \(95% CI [\d.]+ ms to [\d.]+ ms\) \| 1 held \|")
        self.assertRegex(md, r"\| n=30 \| 8 \| [\d.]+ ms \(95% CI .*\) \| 1 held \|")
        case = ET.parse(os.path.join(out, "junit.xml")).getroot().find(".//testcase")
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        self.assertEqual(props["trend_level"], trend)
        self.assertEqual(props["level.n=10.wall.n"], "8")
        # The slower level's median (about 60 ms) is above the other's (about 10 ms).
        self.assertGreater(float(props["level.n=30.wall.median"]), 2 * float(props["level.n=10.wall.median"]))
        self.assertIn("n=30: wall.median < 5s", " ".join(props.values()))
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn('<figure class="chart chart-series"', html)
        self.assertRegex(html, r'<table class="thresholds levels">.*<code>n=10</code></td><td>8</td>')
        self.assertIn("<code>wall.median &lt; 5s at n=10</code>", html)
        self.assertIn("wall median against n at each of the 2 levels", html)
        # The trend follows the trend level through the history: three results.
        self.assertIn(f"wall median at level {trend} (of 2 levels", html)
        if CHROMIUM:
            self.check_browser(os.path.join(out, "index.html"))

    def check_browser(self, page_path):
        dom = rendered_dom(self, self.dir, page_path)
        figures = dict(re.findall(r'<figure class="chart chart-(\w+)"[^>]*>(.*?)</figure>', dom, re.S))
        self.assertIn("series", figures, sorted(figures))
        self.assertIn("<svg", figures["series"])
        self.assertIn('<g class="tips">', figures["series"])
        self.assertIn("level n=30: median", figures["series"])

    def test_the_series_chart_draws_the_complexity_gates_fitted_curve(self):
        # Twice into the history: the second result has a baseline on cpu.median, so the report's
        # row (and its series chart) is on cpu median, the gate's metric and statistic.
        for session in ("s1", "s2"):
            p = perfcheck("run", "--name", "work", "--json", os.path.join(self.dir, f"{session}.json"),
                          "--warmup", "0", "--runs", "5", "--seed", "5", "--parameter", "n=1,2,3,4,6,8",
                          "--threshold", "cpu.median ~ O(n)", "--regression", "cpu.median +50%",
                          "--history", self.history, "--", os.path.join(BIN, "pc_work"), "{n}000000", "{n}",
                          env={"PERFCHECK_SESSION_ID": session})
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)  # grows faster than O(n)
        with open(os.path.join(self.dir, "s2.json")) as f:
            fit = [t for t in json.load(f)["thresholds"] if "complexity" in t][0]["complexity"]
        out = os.path.join(self.dir, "report")
        p = perfcheck("report", "--history", self.history, "--out", out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        caption = re.search(r"<figcaption>(cpu median against n [^<]*)</figcaption>", html)
        self.assertIsNotNone(caption, html)
        self.assertIn(f"dash-dot orange: cpu.median ~ O(n) fitted O({fit['fitted']}), y = ", caption.group(1))
        self.assertIn(f"log-log slope {fit['slope']:.2f} [{fit['slope_low']:.2f}, {fit['slope_high']:.2f}]: "
                      "bound O(n) not met", caption.group(1))
        if CHROMIUM:
            dom = rendered_dom(self, self.dir, os.path.join(out, "index.html"))
            figures = dict(re.findall(r'<figure class="chart chart-(\w+)"[^>]*>(.*?)</figure>', dom, re.S))
            svg = figures["series"]
            # The key entry of the curve, in the SVG that gnuplot drew.
            self.assertRegex(svg, rf"<text[^>]*>(<tspan[^>]*>)?fitted O\({re.escape(fit['fitted'])}\), O\(n\) not met<")

    def test_a_baseline_file_keeps_each_level(self):
        results = os.path.join(self.dir, "results")
        os.makedirs(results)
        self.sweep(expect=0)
        shutil.copy(self.result_path, results)
        baseline = os.path.join(self.dir, "baseline.json")
        p = perfcheck("baseline", "accept", "--results", results, "--file", baseline)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(f"accepted {NAME}: 2 level(s), 16 run(s)", p.stdout)
        with open(baseline) as f:
            entry = json.load(f)["tests"][NAME]
        self.assertEqual(sorted(entry["points"]), ["n=10", "n=30"])
        self.assertNotIn("runs", entry)
        self.assertEqual(len(entry["points"]["n=30"]["runs"]), 8)
        show = perfcheck("baseline", "show", baseline)
        self.assertEqual(show.returncode, 0, show.stdout + show.stderr)
        self.assertIn("(2 levels)", show.stdout)

        slower = self.sweep("--baseline", "file", "--baseline-file", baseline, expect=1, env=SLOW)
        self.assertEqual(self.verdicts(slower)["30"], "regressed")
        self.assertIn(self.verdicts(slower)["10"], NOT_REGRESSED)
        self.assertEqual(slower["baseline"]["kind"], "file")

    def test_concurrency_levels_regress_against_the_same_level_of_the_history(self):
        def verdicts(result):
            return {",".join(f"{v['name']}={v['value']}" for v in pt["level"]): pt["verdict"]
                    for pt in result["points"]}

        first = self.sweep("--concurrency", "1,2", "--history", self.history, expect=0)
        self.assertEqual(sorted(verdicts(first)), ["n=10,concurrency=1", "n=10,concurrency=2",
                                                   "n=30,concurrency=1", "n=30,concurrency=2"])
        rows = self.sql("SELECT level, COUNT(*) FROM samples WHERE metric = 'wall' GROUP BY level ORDER BY level")
        # 8 rounds a level, each copy a run.
        self.assertEqual(rows, [("n=10,concurrency=1", 8), ("n=10,concurrency=2", 16),
                                ("n=30,concurrency=1", 8), ("n=30,concurrency=2", 16)])
        second = self.sweep("--concurrency", "1,2", "--history", self.history, expect=1, env=SLOW)
        found = {f["at"]: f for f in second["regressions"]}
        for at in ("n=30,concurrency=1", "n=30,concurrency=2"):
            self.assertEqual(found[at]["decision"], "regressed", found[at])
            self.assertEqual(verdicts(second)[at], "regressed")
        # Each level against its own: 16 copies of the first session at concurrency 2.
        self.assertEqual(found["n=30,concurrency=2"]["baseline_n"], 16)
        self.assertEqual(found["n=30,concurrency=2"]["candidate_n"], 16)
        for at in ("n=10,concurrency=1", "n=10,concurrency=2"):
            self.assertIn(found[at]["decision"], NOT_REGRESSED, found[at])
        self.assertEqual(second["verdict"], "regressed")

    def test_a_baseline_command_runs_a_round_of_its_copies_beside_each_round(self):
        # pc_copy sleeps, so copies do not compete for the CPU: 30 ms against the baseline's 5 ms
        # is a regression at every level, whatever the machine's load.
        pc_copy = os.path.join(BIN, "pc_copy")
        base_log = os.path.join(self.tmp.name, "baseline.log")
        cand_log = os.path.join(self.tmp.name, "candidate.log")
        out = os.path.join(self.tmp.name, "against-command.json")
        p = perfcheck("run", "--json", out, "--warmup", "1", "--runs", "5", "--concurrency", "1,3",
                      "--regression", "wall.median +25%", "--baseline", "command",
                      "--baseline-command", f"{pc_copy} {base_log} base-{{concurrency}} 5 -1 -1", "--",
                      pc_copy, cand_log, "cand-{concurrency}", "30", "-1", "-1")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        with open(out) as f:
            r = json.load(f)
        self.assertEqual(r["verdict"], "regressed")
        found = {f["at"]: f for f in r["regressions"]}
        self.assertEqual(set(found), {"concurrency=1", "concurrency=3"})
        for at, copies in (("concurrency=1", 1), ("concurrency=3", 3)):
            self.assertEqual(found[at]["decision"], "regressed", found[at])
            # Every copy of the baseline's rounds is a run, as the candidate's: 5 rounds of `copies`.
            self.assertEqual(found[at]["baseline_n"], 5 * copies, found[at])
            self.assertEqual(found[at]["candidate_n"], 5 * copies, found[at])
        with open(base_log) as f:
            base = [line.split() for line in f.read().splitlines()]
        # Warm-up and measured rounds of the baseline, each copy with its own instance and level.
        self.assertEqual(sorted(i for tag, i in base if tag == "base-3"), sorted(["0", "1", "2"] * 6))
        self.assertEqual([i for tag, i in base if tag == "base-1"], ["0"] * 6)
        # The same command on both sides is no regression.
        same = os.path.join(self.tmp.name, "same.json")
        p = perfcheck("run", "--json", same, "--warmup", "1", "--runs", "5", "--concurrency", "1,3",
                      "--regression", "wall.median +25%", "--baseline", "command",
                      "--baseline-command", f"{pc_copy} {base_log} base 20 -1 -1", "--",
                      pc_copy, cand_log, "cand", "20", "-1", "-1")
        with open(same) as f:
            r = json.load(f)
        for f in r["regressions"]:
            self.assertIn(f["decision"], NOT_REGRESSED, f)

if __name__ == "__main__":
    unittest.main(verbosity=2)
