#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""The server under test measured while a test that names it runs (docs/servers.md): server.rss,
server.cpu and server.threads recorded per run and gated, a leaking server failing its growth
gate over a soak while a steady one passes, the per-request memory, the server's LIMITS, and
the server's log in the output of a test that did not pass.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*). The leak
sizes come from pc_http's knobs; the gates compare them with wide margins and assert no speed.
"""
import json
import os
import subprocess
import sys
import unittest

from marked_processes import ServerTestCase, marked_processes, wait_until

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
PC_HTTP = os.path.join(BIN, "pc_http")
MARKER = f"pc-watch-marker-{os.getpid()}"
REQUESTS = 20  # per run of the client
# The client: REQUESTS GETs on one connection each, then `requests +N` on the metric channel.
CLIENT = ("import http.client, os, sys\n"
          "n = int(sys.argv[2])\n"
          "for _ in range(n):\n"
          "    c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=60)\n"
          "    c.request('GET', '/work'); r = c.getresponse(); r.read(); c.close()\n"
          "    assert r.status == 200, r.status\n"
          "open(os.environ['PERFCHECK_METRICS'], 'a').write(f'requests +{n}\\n')\n")


def perfcheck(*args, timeout=300):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class ServerWatchTest(ServerTestCase):
    PREFIX = "perfcheck-server-watch-"
    MARKER = MARKER

    def perfcheck(self, *args):
        return perfcheck(*args)

    def start(self, name, *server_args, options=(), command=None):
        self.names.append(name)
        command = command or [PC_HTTP, "--tag", self.marker, *server_args]
        p = perfcheck("server", "start", "--name", name, "--state-dir", self.dir, *options, "--", *command)
        return p

    def state(self, name):
        with open(os.path.join(self.dir, f"{name}.json")) as f:
            return json.load(f)

    def spec(self, name, server, thresholds, **fields):
        spec = {"schema": "perfcheck/spec/v1", "name": name,
                "command": [sys.executable, "-c", CLIENT, "{port}", str(REQUESTS)],
                "warmup": 0, "runs": {"min": 3, "max": 3}, "thresholds": thresholds,
                "server": {"name": server, "state_dir": self.dir},
                "result_file": os.path.join(self.dir, f"{name}.result.json"), **fields}
        path = os.path.join(self.dir, f"{name}.spec.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        return path

    def result(self, name):
        with open(os.path.join(self.dir, f"{name}.result.json")) as f:
            return json.load(f)

    def test_a_load_result_names_the_url_it_sent_to(self):
        self.assertEqual(self.start("api", "--port", "{port}", options=["--port", "auto"]).returncode, 0)
        port = self.state("api")["port"]
        result = os.path.join(self.dir, "load.json")
        p = perfcheck("load", "-q", "--name", "load", "--server", "api", "--server-state-dir", self.dir,
                      "--url", "http://127.0.0.1:{port}/work", "--requests", "5", "--json", result)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(result) as f:
            self.assertEqual(json.load(f)["metadata"]["url"], f"http://127.0.0.1:{port}/work")

    def test_every_run_records_the_server_and_the_gates_read_it(self):
        self.assertEqual(self.start("web", "--port", "{port}", options=["--port", "auto"]).returncode, 0)
        ok = self.spec("gated", "web", ["server.rss.max < 1GiB", "server.threads.max == 1", "server.cpu.max < 1h"])
        p = perfcheck("run", "--spec", ok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        result = self.result("gated")
        for run in result["runs"]:
            reported = run["reported"]
            self.assertGreater(min(reported["server.rss"]["values"]), 0)
            self.assertEqual(set(reported["server.threads"]["values"]), {1})  # pc_http: one thread
            self.assertGreaterEqual(reported["server.cpu"]["values"][0], 0)
            self.assertIn("server.rss.per_request", reported)
        self.assertEqual(result["metadata"]["server"], "web")
        self.assertIn("server.ready", result["metadata"])
        for metric in ("server.rss", "server.cpu", "server.threads"):  # CTest measurements
            self.assertIn(f'name="{metric}.median', p.stdout)
        tight = self.spec("tight", "web", ["server.rss.max < 1KiB"])
        p = perfcheck("run", "--spec", tight)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("server.rss.max < 1KiB", p.stdout)
        self.assertIn("last lines of the server's log", p.stdout)  # a test that did not pass
        self.assertIn("listening on 127.0.0.1:", p.stdout)
        self.assertNotIn("last lines of the server's log", perfcheck("run", "--spec", ok).stdout)

    def test_the_report_draws_the_server_and_gives_its_line(self):
        self.assertEqual(self.start("web", "--port", "{port}", options=["--port", "auto"]).returncode, 0)
        history = os.path.join(self.dir, "history.sqlite")
        p = perfcheck("run", "--history", history, "--spec", self.spec("served", "web", ["server.rss.max < 1GiB"]))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        runs = self.result("served")["runs"]
        rss_max = max(max(r["reported"]["server.rss"]["values"]) for r in runs) / (1024 * 1024)
        cpu = sum(r["reported"]["server.cpu"]["values"][0] for r in runs) / 1e9
        ready = self.result("served")["metadata"]["server.ready"]
        out = os.path.join(self.dir, "report")
        p = perfcheck("report", "--history", history, "--out", out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        line = f"Server: rss max {rss_max:.1f} MiB, threads max 1, cpu {cpu:.2f} s, ready in {ready}"
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            self.assertIn(f"- **served** · {line}", f.read())
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn(f'<p class="server">{line}</p>', html)
        start = html.index('data-chart="server"')  # the chart, drawn by gnuplot and inlined
        figure = html[start:html.index("</figure>", start)]
        self.assertIn("<svg", figure)
        self.assertNotIn("chart-missing", figure)
        self.assertIn("<figcaption>Server during the test: ", figure)
        self.assertIn("over 3 runs of the current result", figure)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            server = json.load(f)["tests"][0]["server"]
        self.assertEqual(server["rss_max"], rss_max * 1024 * 1024)
        self.assertAlmostEqual(server["cpu_ns"], cpu * 1e9, delta=1)
        self.assertEqual((server["threads_max"], server["ready_text"], server["text"]), (1, ready, line))

    def soak(self, name, *server_args, threshold):
        self.assertEqual(self.start(name, "--port", "{port}", *server_args, options=["--port", "auto"]).returncode, 0)
        spec = self.spec(name, name, [threshold], duration="8s")
        return perfcheck("run", "--spec", spec)

    def test_a_leaking_server_fails_its_growth_gate_and_a_steady_one_passes(self):
        p = self.soak("steady", threshold="server.rss.growth < 5%")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.soak("leaky", "--leak", "256", threshold="server.rss.growth < 5%")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("server.rss.growth < 5%", p.stdout)
        self.assertIn("trend server.rss", p.stdout)
        self.assertTrue(self.result("leaky")["trends"]["server.rss"]["significant"])
        p = self.soak("threads", "--leak-threads", threshold="server.threads.growth < 1%")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("server.threads.growth < 1%", p.stdout)

    def test_memory_per_request_from_the_server_growth(self):
        leak_kib = 256
        self.assertEqual(self.start("web", "--port", "{port}", "--leak", str(leak_kib),
                                    options=["--port", "auto"]).returncode, 0)
        spec = self.spec("per_request", "web", [f"server.rss.per_request.median < {leak_kib // 2}KiB"])
        p = perfcheck("run", "--spec", spec)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        per_request = [r["reported"]["server.rss.per_request"]["values"][0] for r in self.result("per_request")["runs"]]
        for value in per_request:  # what the server keeps per request, within a factor of two
            self.assertGreater(value, leak_kib * 1024 / 2)
            self.assertLess(value, leak_kib * 1024 * 2)

    def test_a_server_past_its_memory_limit_is_stopped_and_the_test_says_why(self):
        p = self.start("web", "--port", "{port}", "--leak", "1024",
                       options=["--port", "auto", "--limit", "MEMORY=16MiB"])
        self.assertEqual(p.returncode, 0, p.stderr)
        spec = self.spec("limited", "web", ["exit.failures == 0"], allow_failures=True)
        p = perfcheck("run", "--spec", spec)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 3, out)
        self.assertIn("the server 'web' ended during the test with signal SIGKILL (9), stopped by perfcheck at its "
                      "LIMITS MEMORY 16.0 MiB (the server's tree used", out)
        server = self.state("web")["server_pid"]  # killed and reaped; its supervisor waits for the stop
        self.assertTrue(wait_until(lambda: not os.path.exists(f"/proc/{server}"), 60))
        p = perfcheck("server", "stop", "--name", "web", "--state-dir", self.dir)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("server 'web' was stopped during the tests at its LIMITS MEMORY 16.0 MiB", p.stderr)

    def test_a_server_past_its_cpu_limit_is_stopped(self):
        burn = [sys.executable, "-c", "while True: pass", self.marker]
        p = self.start("burn", options=["--ready", "none", "--limit", "cpu_time=300ms"], command=burn)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(wait_until(lambda: self.state("burn")["status"] == "exited", 120))
        p = perfcheck("server", "stop", "--name", "burn", "--state-dir", self.dir)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("at its LIMITS CPU_TIME 300 ms (the server's tree used", p.stderr)

    def test_bad_input(self):
        for limit, message in [("TIMEOUT=1s", "a server takes the limits MEMORY and CPU_TIME"),
                               ("MEMORY=lots", "--limit 'MEMORY=lots'"),
                               ("speed=1", "--limit 'speed=1'")]:
            p = self.start("bad", options=["--port", "auto", "--limit", limit])
            self.assertEqual(p.returncode, 2, (limit, p.stderr))
            self.assertIn(message, p.stderr)
        for threshold, message in [("server.rss.max < 1MiB", "'server.rss' measures the server under test, and this "
                                    "test names none"),
                                   ("server.rss.growth < 5%", "server.rss.growth measures the server under test, and "
                                    "this test names none")]:
            p = perfcheck("run", "--duration", "1s", "--threshold", threshold, "--", sys.executable, "-c", "pass")
            self.assertEqual(p.returncode, 2, (threshold, p.stderr))
            self.assertIn(message, p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
