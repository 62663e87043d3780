#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck report --machine all|this|FINGERPRINT`: one history with the
results of two simulated machine classes ("m-a" about 10 ms, "m-b" about 40 ms: result files of
`perfcheck run --json` given those fingerprints, added with `history import`), the per-machine
table of index.html and summary.md, headless Chromium showing one trend line and legend entry per
machine, a single fingerprint, and an unknown one (exit 2, listing those the history has).

Environment: as tests/cli/report_test.py (whose helpers it uses).
"""
import json
import os
import re
import tempfile
import unittest

from report_test import CHROMIUM, perfcheck, prog, rendered_dom

SESSIONS = 6


def machine_of(session):
    """The simulated machine of a session: m-b in sessions 1 and 3, m-a in the others (the
    latest, the reported one, is m-a's)."""
    return "m-b" if session in (1, 3) else "m-a"


class ReportMachinesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-report-machines-")
        cls.dir = cls.tmp.name
        cls.history = os.path.join(cls.dir, "history.sqlite")
        spec_hash = None
        for s in range(SESSIONS):
            machine = machine_of(s)
            env = {"PERFCHECK_SESSION_ID": f"session-{s:02}", "PERFCHECK_GIT_COMMIT": f"{s:02}" + "cd" * 19,
                   "PERFCHECK_GIT_BRANCH": "main"}
            result = os.path.join(cls.dir, f"result-{s}.json")
            # The slower machine class takes 40 ms for what the other does in 10 ms.
            perfcheck("run", "--runs", "5", "--warmup", "0", "-q", "--json", result, "--name", "nap", "--",
                      prog("pc_sleep"), "40" if machine == "m-b" else "10", env=env, expect=0)
            with open(result, encoding="utf-8") as f:
                data = json.load(f)
            # One test, one spec, two machines: the same command as far as the history knows.
            spec_hash = spec_hash or data["context"]["spec_hash"]
            data["context"]["spec_hash"] = spec_hash
            data["context"]["machine"] = machine
            with open(result, "w", encoding="utf-8") as f:
                json.dump(data, f)
            perfcheck("history", "import", "--history", cls.history, result, expect=0)
        cls.out = os.path.join(cls.dir, "report")
        cls.report = perfcheck("report", "--history", cls.history, "--out", cls.out, "--machine", "all", expect=0)
        with open(os.path.join(cls.out, "index.html"), encoding="utf-8") as f:
            cls.html = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_summaries_have_a_row_per_machine(self):
        self.assertIn("report of 1 test(s), session session-05", self.report.stdout)
        self.assertIn('<h3 id="machines">Per machine</h3>', self.html)
        rows = re.findall(r'<td class="mono">([^<]*)(?:<small>[^<]*</small>)?</td>\s*'
                          r'<td class="num" data-sort="(\d+)">\d+</td>\s*'
                          r'<td class="num" data-sort="([0-9.e+]+)">', self.html)
        self.assertEqual([(m.strip(), n) for m, n, _ in rows], [("m-a", "4"), ("m-b", "2")], rows)
        latest = {m.strip(): float(v) for m, _, v in rows}
        self.assertGreater(latest["m-a"], 9e6)
        self.assertLess(latest["m-a"], 30e6)
        self.assertGreater(latest["m-b"], 39e6)
        with open(os.path.join(self.out, "summary.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("#### Per machine (every machine class)", md)
        self.assertRegex(md, r"\| nap \| m.a \(this session's\) \| 4 \| wall median \d")
        self.assertRegex(md, r"\| nap \| m.b \| 2 \| wall median 4\d")
        with open(os.path.join(self.out, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
        self.assertEqual(report["machine_scope"], "all")
        machines = report["tests"][0]["machines"]
        self.assertEqual([(m["machine"], m["own"], m["results"]) for m in machines],
                         [("m-a", True, 4), ("m-b", False, 2)])
        self.assertEqual(machines[1]["latest"], machines[1]["values"][-1]["value"])
        self.assertEqual([v["commit"][:2] for v in machines[1]["values"]], ["01", "03"])

    def test_a_fingerprint_draws_that_machine(self):
        out = os.path.join(self.dir, "only-b")
        perfcheck("report", "--history", self.history, "--out", out, "--machine", "m-b", "--format", "html",
                  expect=0)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn("The newest result of each test on machine m-b", html)
        self.assertIn("Lines: m-b = m-b. ", html)
        self.assertNotIn("m-a = m-a", html)

    def test_this_is_the_default(self):
        out = os.path.join(self.dir, "this")
        perfcheck("report", "--history", self.history, "--out", out, "--machine", "this", "--format", "html",
                  expect=0)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertNotIn('id="machines"', html)
        self.assertIn("of each of 4 results", html)  # m-a's series only

    def test_an_unknown_fingerprint_is_a_usage_error_listing_the_known(self):
        p = perfcheck("report", "--history", self.history, "--out", os.path.join(self.dir, "x"),
                      "--machine", "m-zz", expect=2)
        self.assertIn("error: --machine m-zz: history", p.stderr)
        self.assertIn("its machines are 'm-a', 'm-b'", p.stderr)
        self.assertIn("'all'", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x", "index.html")))

    @unittest.skipUnless(CHROMIUM, "chromium is not installed (tools/setup.sh installs it); "
                                   "the browser check of index.html did not run")
    def test_browser_shows_a_line_and_a_legend_entry_per_machine(self):
        dom = rendered_dom(self, self.dir, os.path.join(self.out, "index.html"))
        trend = re.search(r'<figure class="chart chart-trend"[^>]*>(.*?)</figure>', dom, re.S)
        self.assertIsNotNone(trend, dom[-3000:])
        body = trend.group(1)
        self.assertIn("<svg", body)
        self.assertNotIn("chart-missing", body)
        # The legend: gnuplot writes each title as a text element.
        legend = re.findall(r"<text[^>]*>(?:\s*<tspan[^>]*>)?\s*(m-[ab])\s*<", body)
        self.assertEqual(sorted(set(legend)), ["m-a", "m-b"], body[:3000])
        # A tooltip per point, named by its machine: 4 on m-a, 2 on m-b (the page's script adds
        # the titles of untitled points).
        self.assertEqual(len(re.findall(r"<title>m-a · ", body)), 4, body[-3000:])
        self.assertEqual(len(re.findall(r"<title>m-b · ", body)), 2)
        # A drawn line per machine: gnuplot's plot group of each title holds the line and a
        # marker per point (and one beside the legend entry).
        groups = re.findall(r'<g id="c0t-gnuplot_plot_\d+">(.*?)</g></g>(?=<g id=|<g class="ga"><path class="sa")',
                            body, re.S)
        markers = {}
        for g in groups:
            name = re.search(r"<text>([^<]*)</text>", g)
            if name:
                markers[name.group(1)] = (g.count("<use "), '<path ' in g)
        self.assertEqual(markers.get("m-a"), (4 + 1, True), markers)
        self.assertEqual(markers.get("m-b"), (2 + 1, True), markers)

if __name__ == "__main__":
    unittest.main(verbosity=2)
