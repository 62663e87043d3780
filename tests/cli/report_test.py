#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck report`: a real history recorded by `perfcheck run --history`,
the files it writes, a hostile test name, a missing gnuplot, and headless Chromium judging
index.html the way a person sees it: not blank, every chart drawn, no console message, no
network request, a Content Security Policy that matches the page's one script.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*),
CHROMIUM (optional: the browser; default: chromium or chromium-browser in PATH).
"""
import base64
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from headless_chromium import CHROMIUM, chromium, png_distinct_bytes  # noqa: E402

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
SESSIONS = 8


def prog(name):
    return os.path.join(BIN, name)


def perfcheck(*args, env=None, expect=None):
    p = subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300,
                       env={**os.environ, **(env or {})})
    if expect is not None and p.returncode != expect:
        raise AssertionError(f"perfcheck {' '.join(args)} exited {p.returncode}, not {expect}:\n"
                             f"{p.stdout}{p.stderr}")
    return p


def rendered_dom(test, folder, page_path):
    """Renders page_path in headless Chromium (fresh profiles in folder): asserts on `test` that a
    screenshot is made and not blank and that the page logged nothing to its console; returns the
    DOM after scripts ran."""
    page = "file://" + page_path
    shot = os.path.join(folder, "report.png")
    p = chromium(os.path.join(folder, "profile-shot"), "--enable-logging=stderr", "--v=0",
                 f"--screenshot={shot}", "--window-size=1280,1600", "--virtual-time-budget=5000", page)
    test.assertTrue(os.path.exists(shot), p.stderr[-2000:])
    test.assertGreater(png_distinct_bytes(shot), 40, "the screenshot is blank")
    test.assertEqual([line for line in p.stderr.splitlines() if ":CONSOLE" in line], [])
    return chromium(os.path.join(folder, "profile-dom"), "--dump-dom", "--virtual-time-budget=5000", page).stdout


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-report-")
        cls.dir = cls.tmp.name
        cls.history = os.path.join(cls.dir, "history.sqlite")
        # A name that attacks every format, and gnuplot: it would create files in cls.dir.
        cls.hostile = (f"<script>alert(1)</script> \"q\" 'a' \\b\nline `touch {cls.dir}/pwned-bt` "
                       f"\"; system \"touch {cls.dir}/pwned\" | *x* _y_ &amp;")
        for s in range(SESSIONS):
            env = {"PERFCHECK_SESSION_ID": f"session-{s:02}", "PERFCHECK_GIT_COMMIT": f"{s:02}" + "ab" * 19,
                   "PERFCHECK_GIT_BRANCH": "main"}
            last = s == SESSIONS - 1
            runs = ["--runs", "5", "--warmup", "0", "-q", "--history", cls.history]
            # The trend is per spec (command, arguments, environment): each test keeps its own.
            perfcheck("run", *runs, "--name", "nap", "--threshold", "wall.p95 < 5s", "--", prog("pc_sleep"), "10",
                      env=env, expect=0)
            perfcheck("run", *runs, "--name", "grow", "--", prog("pc_grow"), "2", "256", "5", "60", env=env, expect=0)
            # perfcheck run and history import refuse a name with a newline, but a history may
            # hold anything (another tool, an older perfcheck): the hostile name is written into
            # the imported result's row with SQLite itself.
            result = os.path.join(cls.dir, "hostile.json")
            perfcheck("run", "--runs", "5", "--warmup", "0", "-q", "--json", result, "--name", "placeholder",
                      "--threshold", "wall.p95 < 1ns" if last else "wall.p95 < 5s", "--", prog("pc_noop"),
                      env=env, expect=1 if last else 0)
            perfcheck("history", "import", "--history", cls.history, result, expect=0)
            db = sqlite3.connect(cls.history)
            db.execute("UPDATE results SET name = ?1, result_json = json_set(result_json, '$.name', ?1) "
                       "WHERE name = 'placeholder'", (cls.hostile,))
            # Since schema v4 a summary carries its result's name too (the series reads them by it).
            db.execute("UPDATE summaries SET name = ?1 WHERE name = 'placeholder'", (cls.hostile,))
            db.commit()
            db.close()
        cls.out = os.path.join(cls.dir, "report")
        cls.report = perfcheck("report", "--history", cls.history, "--out", cls.out,
                               "--base-url", "https://ci.example.invalid/job/7/perf-report", expect=0)
        with open(os.path.join(cls.out, "index.html"), encoding="utf-8") as f:
            cls.html = f.read()
        # Charts planned: a trend and a distribution per test, a memory chart per test whose
        # current result has a memory timeline (the JSON report does not say; the HTML does).
        cls.charts = len(re.findall(r'<figure class="chart ', cls.html))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def test_every_format_is_written(self):
        self.assertEqual(sorted(os.listdir(self.out)), ["index.html", "junit.xml", "report.json", "summary.md"])
        self.assertIn("report of 3 test(s), session session-07", self.report.stdout)
        drawn = re.search(r"(\d+) of (\d+) chart\(s\) drawn", self.report.stdout)
        self.assertIsNotNone(drawn, self.report.stdout)
        self.assertEqual(drawn.group(1), drawn.group(2), self.report.stdout)
        self.assertEqual(int(drawn.group(2)), self.charts)
        self.assertGreaterEqual(self.charts, 7)
        report = json.loads(self.read("report.json"))
        self.assertEqual(report["schema"], "perfcheck/report/v1")
        self.assertEqual(report["counts"]["failed"], 1)
        self.assertEqual(report["counts"]["pass"], 2)
        self.assertEqual(report["tests"][0]["name"], self.hostile)  # failed first
        for t in report["tests"]:
            self.assertEqual(t["results"], SESSIONS)
        nap = next(t for t in report["tests"] if t["name"] == "nap")
        self.assertIsNotNone(nap["change"], "the session before is nap's baseline")
        self.assertIsNotNone(nap["headline"])
        suite = ET.fromstring(self.read("junit.xml").encode())
        self.assertEqual(suite.get("tests"), "3")
        self.assertEqual(suite.get("failures"), "1")
        cases = suite.findall(".//testcase")
        self.assertEqual(len(cases), 3)
        self.assertIsNotNone(cases[0].find("failure"))
        props = {p.get("name"): p.get("value") for p in cases[1].findall("properties/property")}
        self.assertIn("wall.median", props)
        md = self.read("summary.md")
        self.assertTrue(md.startswith("## perfcheck: 1 failed, 2 passed"), md[:200])
        self.assertIn('<a href="https://ci.example.invalid/job/7/perf-report/index.html#test-', md)

    def test_hostile_name_is_verbatim_and_harmless(self):
        self.assertFalse(os.path.exists(os.path.join(self.dir, "pwned")), "gnuplot ran a command from a name")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "pwned-bt")), "gnuplot ran a backtick from a name")
        self.assertEqual(self.html.count("<script"), 1, "only the page's own sorting script")
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39; \\b line `touch", self.html)
        md = self.read("summary.md")
        self.assertNotIn("<script>", md)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", md)
        self.assertIn("\\| \\*x\\* \\_y\\_ &amp;amp;", md)
        for line in md.splitlines():
            if line.startswith("| "):
                self.assertTrue(line.endswith(" |"), line)
        # XML attribute values normalize a newline to a space; everything else is exact.
        names = [c.get("name") for c in ET.fromstring(self.read("junit.xml").encode()).iter("testcase")]
        self.assertIn(self.hostile.replace("\n", " "), names)

    def test_missing_gnuplot_still_writes_the_report(self):
        out = os.path.join(self.dir, "no-gnuplot")
        p = perfcheck("report", "--history", self.history, "--out", out, "--gnuplot",
                      os.path.join(self.dir, "no", "gnuplot"), expect=0)
        self.assertIn("note: Chart not drawn: gnuplot was not found", p.stderr)
        self.assertIn("--gnuplot PATH", p.stderr)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertEqual(html.count('class="chart-missing"'), self.charts)
        self.assertEqual(html.count("<svg"), 0)

    def test_errors_name_the_flag_and_the_fix(self):
        p = perfcheck("report", "--history", self.history, "--out", self.dir, "--format", "html,pdf", expect=2)
        self.assertIn("--format html,pdf: 'pdf' is not a report format", p.stderr)
        p = perfcheck("report", "--history", self.history, "--out", self.dir, "--session", "nope", expect=2)
        self.assertIn("--session nope", p.stderr)
        self.assertIn("perfcheck history list", p.stderr)
        p = perfcheck("report", "--out", self.dir, env={"PERFCHECK_HISTORY": ""}, expect=2)
        self.assertIn("give --history FILE", p.stderr)
        p = perfcheck("report", "--history", self.history, expect=2)
        self.assertIn("--out", p.stderr)
        p = perfcheck("report", "--history", self.history, "--out", self.dir, "--base-url", "javascript:alert(1)", expect=2)
        self.assertIn("--base-url javascript:alert(1)", p.stderr)

    def test_older_session_and_empty_history(self):
        out = os.path.join(self.dir, "older")
        perfcheck("report", "--history", self.history, "--out", out, "--session", "session-03",
                  "--format", "json", expect=0)
        with open(os.path.join(out, "report.json")) as f:
            report = json.load(f)
        self.assertEqual(report["session"]["id"], "session-03")
        self.assertEqual(report["counts"]["failed"], 0)
        empty, export = os.path.join(self.dir, "empty.sqlite"), os.path.join(self.dir, "empty.json")
        with open(export, "w") as f:
            json.dump({"schema": "perfcheck/history/v1", "results": []}, f)
        perfcheck("history", "import", "--history", empty, export, expect=0)
        out = os.path.join(self.dir, "empty-report")
        p = perfcheck("report", "--history", empty, "--out", out, expect=0)
        self.assertIn("report of 0 test(s)", p.stdout)
        with open(os.path.join(out, "summary.md")) as f:
            self.assertIn("no tests", f.read())
        with open(os.path.join(out, "index.html")) as f:
            self.assertIn("holds no results", f.read())

    def test_session_finish_writes_the_sessions_report(self):
        """The CTest fixture's cleanup: verdict counts, then the report of that session."""
        results, history = os.path.join(self.dir, "fixture-results"), os.path.join(self.dir, "fixture.sqlite")
        report = os.path.join(self.dir, "fixture-report")
        perfcheck("session", "start", "--results-dir", results, expect=0)
        with open(os.path.join(results, "session.json")) as f:
            session_id = json.load(f)["id"]
        for name, limit in (("fixture.ok", "10s"), ("fixture.slow", "50ms")):
            perfcheck("run", "-q", "--name", name, "--runs", "2", "--warmup", "0", "--history", history,
                      "--limit", f"TIMEOUT={limit}", "--output-dir", results, "--",
                      prog("pc_sleep"), "100", expect=0 if name == "fixture.ok" else 1)
        p = perfcheck("session", "finish", "--results-dir", results, "--history", history,
                      "--report-dir", report, expect=0)
        lines = p.stdout.strip().splitlines()
        self.assertIn(": 2 result(s): 1 pass, 1 failed", lines[0])
        self.assertEqual(lines[-1], f"perfcheck report: {report}/index.html")
        with open(os.path.join(report, "report.json")) as f:
            written = json.load(f)
        self.assertEqual(written["session"]["id"], session_id)
        self.assertEqual(sorted(t["name"] for t in written["tests"]), ["fixture.ok", "fixture.slow"])
        with open(os.path.join(report, "summary.md")) as f:
            self.assertIn("exceeded TIMEOUT", f.read())
        # Nothing to report, or no way to write it, is a note, and the cleanup test still passes.
        blocker = os.path.join(self.dir, "a-file-not-a-folder")
        with open(blocker, "w") as f:
            f.write("x")
        p = perfcheck("session", "finish", "--results-dir", results, "--history", history,
                      "--report-dir", os.path.join(blocker, "report"), expect=0)
        self.assertIn("note: no report: ", p.stdout)
        self.assertIn(blocker, p.stdout)
        p = perfcheck("session", "finish", "--results-dir", results, "--history",
                      os.path.join(self.dir, "never-written.sqlite"), "--report-dir", report, expect=0)
        self.assertIn("note: no report: no history at", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "never-written.sqlite")))
        p = perfcheck("session", "finish", "--results-dir", results, "--history", self.history,
                      "--report-dir", os.path.join(self.dir, "other-report"), expect=0)
        self.assertIn(f"note: no report: ", p.stdout)
        self.assertIn(session_id, p.stdout)

    def test_content_security_policy_matches_the_script(self):
        scripts = re.findall(r"<script>(.*?)</script>", self.html, re.S)
        self.assertEqual(len(scripts), 1)
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', self.html).group(1)
        self.assertIn("default-src 'none'", csp)
        self.assertIn(f"'sha256-{digest}'", csp,
                      f"the script of templates/report_foot.html.tpl changed: put 'sha256-{digest}' "
                      f"into the policy of templates/report_head.html.tpl")

    @unittest.skipUnless(CHROMIUM, "chromium is not installed (tools/setup.sh installs it); "
                                   "the browser check of index.html did not run")
    def test_browser_renders_every_chart_without_errors_or_network(self):
        page = "file://" + os.path.join(self.out, "index.html")
        shot = os.path.join(self.dir, "report.png")
        netlog = os.path.join(self.dir, "net.json")
        p = chromium(os.path.join(self.dir, "profile-shot"), "--enable-logging=stderr", "--v=0",
                     f"--log-net-log={netlog}", f"--screenshot={shot}", "--window-size=1280,2400",
                     "--virtual-time-budget=5000", page)
        self.assertTrue(os.path.exists(shot), p.stderr[-2000:])
        self.assertGreater(png_distinct_bytes(shot), 40, "the screenshot is blank")
        # Console: any message of the page (errors, CSP violations) is a failure.
        console = [line for line in p.stderr.splitlines() if ":CONSOLE" in line]
        self.assertEqual(console, [])
        # Network: requests the page started carry the file:// isolation key; Chromium's own
        # (component updates and the like) do not, and are not the page's.
        with open(netlog) as f:
            log = json.load(f)
        start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        page_requests = [e["params"]["url"] for e in log["events"]
                         if e["type"] == start_job and "file://" in e["params"].get("network_isolation_key", "")
                         and not e["params"]["url"].startswith("file://")]
        self.assertEqual(page_requests, [])
        # The DOM after scripts ran: every test's charts are drawn SVG.
        dom = chromium(os.path.join(self.dir, "profile-dom"), "--dump-dom", "--virtual-time-budget=5000", page).stdout
        figures = re.findall(r'<figure class="chart chart-(\w+)"[^>]*>(.*?)</figure>', dom, re.S)
        kinds = sorted(kind for kind, _ in figures)
        # nap, grow and the hostile test: a trend and a distribution each, and a memory
        # timeline when the run lasted long enough for a sample (grow always does).
        self.assertEqual(kinds.count("trend"), 3, kinds)
        self.assertEqual(kinds.count("distribution"), 3, kinds)
        self.assertGreaterEqual(kinds.count("memory"), 1, kinds)
        self.assertEqual(len(figures), self.charts, kinds)
        for kind, body in figures:
            self.assertIn("<svg", body, f"{kind} chart not drawn")
            self.assertIn('<g class="tips">', body, f"{kind} chart has no tooltips")
            self.assertNotIn("chart-missing", body)
        trend_tips = re.findall(r"<title>(\w{10}) · (\d{4}-\d\d-\d\d \d\d:\d\d) · median", dom)
        self.assertEqual(len(trend_tips), 3 * SESSIONS, "a tooltip with commit and date per point")
        # Printing works (print CSS): a PDF with content.
        pdf = os.path.join(self.dir, "report.pdf")
        chromium(os.path.join(self.dir, "profile-pdf"), f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page)
        self.assertGreater(os.path.getsize(pdf), 10000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
