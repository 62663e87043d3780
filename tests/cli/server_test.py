#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck server start|stop|status` with pc_http, a real HTTP/1.1 server
(tests/programs/pc_http.c): readiness by each kind of check, the early-exit and timeout
messages, a server that ignores SIGTERM or leaves a daemon, the lifeline, bad input, and
`perfcheck run` of a spec that names the server.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
Every start runs with its output captured through pipes, as under CTest: a supervisor or
server that kept them open would hang subprocess.run until its timeout. Time bounds are
generous (a loaded two-core machine); nothing asserts a speed.
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.request

from marked_processes import ServerTestCase, marked_processes, wait_until

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
PC_HTTP = os.path.join(BIN, "pc_http")
MARKER = f"pc-server-marker-{os.getpid()}"


def perfcheck(*args, timeout=180):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class ServerTest(ServerTestCase):
    PREFIX = "perfcheck-server-"
    MARKER = MARKER

    def perfcheck(self, *args):
        return perfcheck(*args)

    def start(self, name, *options, server_args=(), lifeline=None):
        self.names.append(name)
        args = ["server", "start", "--name", name, "--state-dir", self.dir, *options]
        if lifeline is not None:
            args += ["--lifeline", str(lifeline)]
        return perfcheck(*args, "--", PC_HTTP, "--tag", self.marker, *server_args)

    def state(self, name):
        with open(os.path.join(self.dir, f"{name}.json")) as f:
            return json.load(f)

    def no_survivor(self):
        self.assertTrue(wait_until(lambda: not marked_processes(self.marker)),
                        f"still running: {marked_processes(self.marker)}")

    def test_http_ready_serves_then_stops(self):
        p = self.start("web", "--port", "auto", "--ready", "http:/health", server_args=["--port", "{port}"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"perfcheck server web: ready after .* \(http GET http://127\.0\.0\.1:\d+/health -> 200\)")
        self.assertRegex(p.stdout, r'<CTestMeasurement type="numeric/double" name="server.ready_ms">[0-9.e+-]+</CTestMeasurement>')
        state = self.state("web")
        self.assertGreater(state["ready_ms"], 0)
        with urllib.request.urlopen(f"http://127.0.0.1:{state['port']}/x", timeout=30) as reply:
            self.assertEqual(reply.read(), b"ok\n")
        status = perfcheck("server", "status", "--name", "web", "--state-dir", self.dir)
        self.assertEqual(status.returncode, 0, status.stdout)
        self.assertIn(f"port {state['port']}", status.stdout)
        stop = perfcheck("server", "stop", "--name", "web", "--state-dir", self.dir)
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertIn("perfcheck server web: stopped, the server ended with signal SIGTERM (15)", stop.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "web.json")))
        self.no_survivor()
        again = perfcheck("server", "stop", "--name", "web", "--state-dir", self.dir)
        self.assertEqual(again.returncode, 0)
        self.assertIn("not running", again.stdout)

    def test_tcp_and_log_checks_and_the_port_variable(self):
        # No --port argument: pc_http reads PERFCHECK_SERVER_PORT.
        p = self.start("tcp", "--port", "auto", "--ready", "tcp")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(tcp connect to 127.0.0.1:", p.stdout)
        p = self.start("log", "--port", "auto", "--ready", "log:^listening on 127", server_args=["--start-delay", "300"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(log line matching /^listening on 127/)", p.stdout)
        self.assertGreaterEqual(self.state("log")["ready_ms"], 300)

    def test_early_exit_fails_at_once_with_the_log(self):
        started = time.monotonic()
        p = self.start("crash", "--port", "auto", "--ready-timeout", "120s", server_args=["--crash-at-start", "7"])
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertLess(time.monotonic() - started, 60, "an early exit must not wait for the ready timeout")
        self.assertIn("server 'crash' ended during start-up with exit status 7 before its ready check", p.stderr)
        self.assertIn("  | pc_http: crashing at start as asked (exit 7)", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "crash.json")))

    def test_timeout_names_the_check(self):
        p = self.start("sick", "--port", "auto", "--ready", "http:/health:200", "--ready-timeout", "2s",
                       server_args=["--health-status", "503"])
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertRegex(p.stderr, r"server 'sick' was not ready after 2\.00 s: the check http GET "
                                   r"http://127\.0\.0\.1:\d+/health -> 200 did not pass \(last probe: answered 503\); "
                                   r"the server was stopped")
        self.no_survivor()

    def test_a_server_on_another_port_is_told(self):
        p = self.start("elsewhere", "--port", "auto", "--ready-timeout", "2s", server_args=["--bind-offset", "1"])
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertIn("Connection refused", p.stderr)
        self.assertIn("A server that listens on another port than", p.stderr)
        self.assertIn("  | listening on 127.0.0.1:", p.stderr)  # its stdout's last lines
        self.no_survivor()

    def test_sigterm_ignored_gets_sigkill_and_daemons_are_stopped(self):
        p = self.start("stubborn", "--port", "auto", "--grace", "1s", server_args=["--ignore-term", "--daemon"])
        self.assertEqual(p.returncode, 0, p.stderr)
        # The supervisor (a fork of `server start`, whose argv has the marker), the server, its daemon.
        self.assertTrue(wait_until(lambda: len(marked_processes(self.marker)) == 3), marked_processes(self.marker))
        stop = perfcheck("server", "stop", "--name", "stubborn", "--state-dir", self.dir)
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertIn("the server ended with signal SIGKILL (9); 2 process(es) did not end on SIGTERM", stop.stdout)
        self.no_survivor()

    def test_the_server_dies_with_its_lifeline(self):
        keeper = subprocess.Popen(["sleep", "300"])
        try:
            p = self.start("orphan", "--port", "auto", "--ready", "tcp", "--grace", "1s",
                           server_args=["--daemon"], lifeline=keeper.pid)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(marked_processes(self.marker))
        finally:
            keeper.kill()
            keeper.wait()
        self.no_survivor()

    def test_a_server_that_exits_during_the_tests_fails_the_stop(self):
        p = self.start("brief", "--port", "auto")
        self.assertEqual(p.returncode, 0, p.stderr)
        os.kill(self.state("brief")["server_pid"], signal.SIGKILL)
        self.assertTrue(wait_until(lambda: self.state("brief")["status"] == "exited"))
        stop = perfcheck("server", "stop", "--name", "brief", "--state-dir", self.dir)
        self.assertEqual(stop.returncode, 3, stop.stdout)
        self.assertIn("server 'brief' had ended by itself with signal SIGKILL (9) before it was stopped", stop.stderr)

    def test_start_gate_on_the_time_to_ready(self):
        p = self.start("slow", "--port", "auto", "--threshold", "server.ready < 1ns")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("perfcheck server slow: FAILED server.ready < 1ns (ready after", p.stdout)
        self.no_survivor()
        p = self.start("fast", "--port", "auto", "--threshold", "server.ready < 10min")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_bad_input(self):
        cases = [
            (["--ready", "bogus"], "--ready 'bogus': 'bogus' is not a kind of check"),
            (["--port", "auto", "--ready", "http:health"], "the http path must start with '/'"),
            (["--port", "auto", "--ready", "http:/h:99"], "'99' is not an HTTP status code"),
            (["--ready", "log:("], "'(' is not a regular expression"),
            (["--ready", "tcp"], "an http or tcp check needs the server's port"),
            (["--port", "70000"], "--port '70000' is not a port"),
            (["--port", "auto", "--threshold", "wall.p95 < 1s"], "server start gates only the time to ready"),
        ]
        for options, message in cases:
            p = self.start("bad", *options)
            self.assertEqual(p.returncode, 2, (options, p.stderr))
            self.assertIn(message, p.stderr)
        p = perfcheck("server", "start", "--name", "a b", "--state-dir", self.dir, "--", PC_HTTP)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--name 'a b' may hold only letters", p.stderr)
        p = perfcheck("server", "start", "--name", "x", "--state-dir", self.dir, "--", "no-such-server-program")
        self.assertEqual(p.returncode, 3)
        self.assertIn("command not found: no-such-server-program", p.stderr)
        self.assertEqual(self.start("twice", "--port", "auto").returncode, 0)
        p = self.start("twice", "--port", "auto")
        self.assertEqual(p.returncode, 2)
        self.assertIn("server 'twice' already runs", p.stderr)

    def test_run_of_a_test_that_names_the_server(self):
        client = ("import os, sys, urllib.request; "
                  "assert sys.argv[1] == os.environ['PERFCHECK_SERVER_PORT'] == os.environ['PERFCHECK_SERVER_WEB_PORT']; "
                  "urllib.request.urlopen('http://127.0.0.1:' + sys.argv[1] + '/', timeout=30).read()")
        spec = {"schema": "perfcheck/spec/v1", "name": "client", "command": [sys.executable, "-c", client, "{port}"],
                "warmup": 0, "runs": {"min": 2, "max": 2}, "thresholds": ["exit.failures == 0"],
                "server": {"name": "web", "state_dir": self.dir}}
        spec_file = os.path.join(self.dir, "client-spec.json")
        with open(spec_file, "w") as f:
            json.dump(spec, f)
        p = perfcheck("run", "--spec", spec_file)
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertIn("the server 'web' this test names is not running (no state file", p.stdout + p.stderr)
        self.assertEqual(self.start("web", "--port", "auto").returncode, 0)
        p = perfcheck("run", "--spec", spec_file)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # SETUP, PREPARE and CLEANUP get the server's {port} and PERFCHECK_SERVER_PORT too.
        hooks_log = os.path.join(self.dir, "hooks.log")
        note = ("import os, sys; open(sys.argv[1], 'a').write(sys.argv[2] + ' ' + sys.argv[3] + ' ' + "
                "os.environ['PERFCHECK_SERVER_PORT'] + chr(10))")
        for hook in ("setup", "prepare", "cleanup"):
            spec[hook] = [sys.executable, "-c", note, hooks_log, hook, "{port}"]
        with open(spec_file, "w") as f:
            json.dump(spec, f)
        p = perfcheck("run", "--spec", spec_file)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        port = str(self.state("web")["port"])
        with open(hooks_log) as f:
            logged = [line.split() for line in f.read().splitlines()]
        self.assertEqual([line[0] for line in logged], ["setup", "prepare", "prepare", "cleanup"])
        self.assertTrue(all(line[1:] == [port, port] for line in logged), logged)


if __name__ == "__main__":
    unittest.main(verbosity=2)
