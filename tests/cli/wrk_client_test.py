#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Clients of a server under test in a real `ctest -L perf` session (tests/cmake/wrk_client, this
build tree as the package): wrk read by perfcheck (CLIENT wrk) into latency, throughput and
errors that gate, pass and fail by pc_http's knobs, go into the history and the report; output
that is not wrk's summary is an `error` naming the test and the output; a team's own client
script reports through the metric channel against the server.

Environment: PERFCHECK (the binary), PERFCHECK_BIN_DIR (pc_http), PERFCHECK_SOURCE_DIR,
PERFCHECK_BUILD_DIR, CMAKE_COMMAND, CTEST_COMMAND, WRK (default: wrk in PATH). Every load targets
127.0.0.1 and is bounded by wrk's -d1s and each test's LIMITS TIMEOUT.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
SOURCE = os.path.join(os.environ["PERFCHECK_SOURCE_DIR"], "tests", "cmake", "wrk_client")
BUILD = os.environ["PERFCHECK_BUILD_DIR"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CTEST = os.environ.get("CTEST_COMMAND", "ctest")
WRK = os.environ.get("WRK", "")
if not WRK or WRK.endswith("-NOTFOUND"):
    WRK = shutil.which("wrk") or ""


@unittest.skipUnless(WRK, "wrk is not installed (tools/setup.sh installs it)")
class WrkClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-wrk-client-")
        cls.build = os.path.join(cls.tmp.name, "build")
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_")}
        p = subprocess.run([CMAKE, "-S", SOURCE, "-B", cls.build, "-G", "Ninja", f"-DPerfCheck_DIR={BUILD}",
                            f"-DPC_HTTP={os.path.join(BIN, 'pc_http')}", f"-DWRK={WRK}", f"-DPYTHON={sys.executable}"],
                           capture_output=True, text=True, timeout=300, env=cls.env)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)
        p = subprocess.run([CTEST, "--test-dir", cls.build, "-L", "perf", "--output-on-failure"],
                           capture_output=True, text=True, timeout=900, env=cls.env, stdin=subprocess.DEVNULL)
        cls.ctest_code, cls.out = p.returncode, p.stdout + p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def result(self, name):
        with open(os.path.join(self.build, "perf-results", f"{name}.json")) as f:
            return json.load(f)

    def test_wrk_figures_gate_and_pass(self):
        self.assertRegex(self.out, r"wrk_gates_pass \.+ +Passed")
        r = self.result("wrk_gates_pass")
        self.assertEqual(r["verdict"], "pass", r["reasons"])
        self.assertEqual(len(r["runs"]), 2)
        for run in r["runs"]:
            rep = run["reported"]
            for name in ("latency.p50", "latency.p75", "latency.p90", "latency.p99", "latency.max",
                         "latency.mean", "throughput", "requests", "errors.count", "errors.rate", "transfer"):
                self.assertIn(name, rep)
            p50, p99, top = (rep[n]["values"][0] for n in ("latency.p50", "latency.p99", "latency.max"))
            self.assertTrue(0 < p50 <= p99 <= top, rep)
            self.assertGreater(rep["requests"]["values"][0], 0)
            self.assertEqual(rep["errors.count"]["values"][0], 0)
        s = r["summary"]
        self.assertEqual(s["errors.rate"]["max"], 0)
        medians = sorted(run["reported"]["latency.p99"]["values"][0] for run in r["runs"])
        self.assertAlmostEqual(s["latency.p99"]["median"], sum(medians) / 2, delta=1e-6 * medians[1])
        self.assertEqual(len(r["thresholds"]), 7)

    def test_an_error_fraction_fails_errors_rate(self):
        self.assertRegex(self.out, r"wrk_errors_fail \.+\*+Failed")
        r = self.result("wrk_errors_fail")
        self.assertEqual(r["verdict"], "failed", r["reasons"])
        rate = r["summary"]["errors.rate"]["max"]
        self.assertAlmostEqual(rate, 0.25, delta=0.05)  # pc_http --error-fraction 0.25
        run = r["runs"][0]["reported"]
        self.assertEqual(r["summary"]["errors.count"]["max"], run["errors.count"]["values"][0])
        self.assertTrue(any("errors.rate" in reason for reason in r["reasons"]), r["reasons"])

    def test_a_service_time_fails_the_latency_gate(self):
        self.assertRegex(self.out, r"wrk_latency_fails \.+\*+Failed")
        r = self.result("wrk_latency_fails")
        self.assertEqual(r["verdict"], "failed", r["reasons"])
        # pc_http --service 40 sleeps 40 ms per request: no response is quicker.
        self.assertGreaterEqual(r["summary"]["latency.p50"]["median"], 40e6)
        self.assertTrue(any("latency.p50" in reason for reason in r["reasons"]), r["reasons"])
        self.assertFalse(any("errors.rate" in reason for reason in r["reasons"]), r["reasons"])

    def test_output_that_is_not_wrks_summary_is_an_error(self):
        self.assertRegex(self.out, r"wrk_truncated \.+\*+Failed")
        r = self.result("wrk_truncated")
        self.assertEqual(r["verdict"], "error")
        reason = " ".join(r["reasons"])
        self.assertIn("test 'wrk_truncated' (CLIENT wrk)", reason)
        self.assertIn("no wrk summary", reason)
        self.assertIn("Running 1s test @ http://127.0.0.1:8080/", reason)
        self.assertIn("wrk_truncated.stdout", reason)
        self.assertIn("error: test 'wrk_truncated' (CLIENT wrk)", self.out)

    def test_a_client_script_reports_through_the_metric_channel(self):
        self.assertRegex(self.out, r"channel_client \.+ +Passed")
        r = self.result("channel_client")
        self.assertEqual(r["verdict"], "pass", r["reasons"])
        for run in r["runs"]:
            self.assertEqual(len(run["reported"]["get"]["values"]), 20)
        self.assertEqual(r["summary"]["get"]["n"], 40)  # a distribution: every request, pooled

    def test_history_and_report_carry_the_wrk_figures(self):
        history = os.path.join(self.build, "perf-history.sqlite")
        p = subprocess.run([PERFCHECK, "history", "show", "--test", "wrk_gates_pass", "--history", history, "--json"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("latency.p99", p.stdout)
        report = os.path.join(self.tmp.name, "report")
        p = subprocess.run([PERFCHECK, "report", "--history", history, "--out", report],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(report, "index.html")) as f:
            html = f.read()
        for name in ("latency.p99", "throughput", "errors.rate", "wrk_errors_fail"):
            self.assertIn(name, html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
