#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""The server fixtures of add_perf_server under `ctest -L perf` (tests/cmake/servers, this build
tree as the package): passing, failing and timed-out tests leave no server process behind, and
neither does `kill -9` of ctest itself.

Environment: PERFCHECK_BIN_DIR (pc_http), PERFCHECK_SOURCE_DIR, PERFCHECK_BUILD_DIR,
CMAKE_COMMAND, CTEST_COMMAND. Time bounds are generous (a loaded two-core machine).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

from marked_processes import marked_processes, wait_until

BIN = os.environ["PERFCHECK_BIN_DIR"]
SOURCE = os.path.join(os.environ["PERFCHECK_SOURCE_DIR"], "tests", "cmake", "servers")
BUILD = os.environ["PERFCHECK_BUILD_DIR"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CTEST = os.environ.get("CTEST_COMMAND", "ctest")
MARKER = f"pc-fixture-marker-{os.getpid()}"


class ServerFixtureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-server-fixture-")
        cls.build = os.path.join(cls.tmp.name, "build")
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_")}
        p = subprocess.run([CMAKE, "-S", SOURCE, "-B", cls.build, "-G", "Ninja", f"-DPerfCheck_DIR={BUILD}",
                            f"-DPC_HTTP={os.path.join(BIN, 'pc_http')}", f"-DPYTHON={sys.executable}",
                            f"-DMARKER={MARKER}"], capture_output=True, text=True, timeout=300, env=cls.env)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)

    @classmethod
    def tearDownClass(cls):
        for pid in marked_processes(MARKER):
            os.kill(pid, signal.SIGKILL)
        cls.tmp.cleanup()

    def test_passing_failing_and_timed_out_tests_leave_no_server(self):
        p = subprocess.run([CTEST, "--test-dir", self.build, "-L", "perf", "-LE", "long", "--output-on-failure"],
                           capture_output=True, text=True, timeout=900, env=self.env, stdin=subprocess.DEVNULL)
        out = p.stdout + p.stderr
        self.assertNotEqual(p.returncode, 0, out)
        self.assertRegex(out, r"perfcheck_server_web_start \.+\s+Passed")
        self.assertRegex(out, r"perfcheck_server_web_stop \.+\s+Passed")
        self.assertRegex(out, r"perfcheck_server_stubborn_stop \.+\s+Passed")
        self.assertRegex(out, r"\d+/\d+ Test +#\d+: served \.+ +Passed")
        self.assertRegex(out, r"served_failing \.+\*+Failed")
        self.assertRegex(out, r"served_hangs \.+\*+Timeout")
        self.assertRegex(out, r"Test +#\d+: loaded \.+ +Passed")
        self.assertRegex(out, r"loaded_failing \.+\*+Failed")
        self.assertRegex(out, r"Test +#\d+: loaded_stages \.+ +Passed")
        self.assertEqual(marked_processes(MARKER), [], "a server outlived ctest")
        self.assertEqual(os.listdir(os.path.join(self.build, "perf-servers")).count("web.json"), 0)

    def test_server_tests_carry_the_logs_and_the_limits(self):
        p = subprocess.run([CTEST, "--test-dir", self.build, "--show-only=json-v1"], capture_output=True, text=True,
                           timeout=120, env=self.env)
        tests = {t["name"]: t for t in json.loads(p.stdout)["tests"]}
        properties = {p["name"]: p["value"] for p in tests["served_failing"]["properties"]}
        logs = os.path.join(self.build, "perf-servers")
        self.assertEqual(properties["ATTACHED_FILES_ON_FAIL"], [os.path.join(logs, "web.err"), os.path.join(logs, "web.out")])
        self.assertIn("--limit=MEMORY=1GiB", tests["perfcheck_server_web_start"]["command"])
        self.assertIn("--limit=CPU_TIME=1h", tests["perfcheck_server_web_start"]["command"])
        staged = tests["loaded_stages"]["command"]
        self.assertEqual(staged[staged.index("--stages") + 1], "1s:20/s 1s:10/s..50/s")
        properties = {p["name"]: p["value"] for p in tests["loaded_stages"]["properties"]}
        self.assertEqual(properties["TIMEOUT"], 600)
        searched = tests["loaded_capacity"]["command"]
        self.assertEqual(searched[searched.index("--capacity") + 1:searched.index("--capacity") + 4],
                         ["20/s..2000/s", "--step", "30s"])
        self.assertIn("capacity >= 100/s", searched)
        properties = {p["name"]: p["value"] for p in tests["loaded_capacity"]["properties"]}
        self.assertEqual(properties["TIMEOUT"], 24 * 31 + 120)  # 24 steps of 30 s (and a second), two minutes

    def test_kill_9_of_ctest_leaves_no_server(self):
        ctest = subprocess.Popen([CTEST, "--test-dir", self.build, "-R", "served_until_gone"], env=self.env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.assertTrue(wait_until(lambda: marked_processes(f"{MARKER}-client"), 300),
                            "the client never started")
            self.assertTrue(marked_processes(MARKER))
        finally:
            ctest.kill()
            ctest.wait()
        self.assertTrue(wait_until(lambda: not marked_processes(MARKER), 30),
                        f"still running after kill -9 of ctest: {marked_processes(MARKER)}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
