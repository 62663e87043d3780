#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck load` against pc_http (tests/programs/pc_http.c) on loopback:
a gated result (console, result file, history) in the closed and the open model, a failing gate,
a server that is not there, stages gated one by one (a burst beyond the server's capacity fails
its own gate, the calm stages around it pass), and bad input refused with the fix before anything
is sent.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (pc_http). Every run is bounded in
requests or time; nothing asserts a speed.
"""
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

PERFCHECK = os.environ["PERFCHECK"]
PC_HTTP = os.path.join(os.environ["PERFCHECK_BIN_DIR"], "pc_http")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def perfcheck(*args, timeout=120):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class Server:
    """pc_http on a free port, ready once it said so, killed at the end."""

    def __init__(self, *knobs):
        self.port = free_port()
        self.process = subprocess.Popen([PC_HTTP, "--port", str(self.port), *knobs], stdout=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        assert "listening" in line, line
        self.url = f"http://127.0.0.1:{self.port}/work"

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


class LoadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-load-")
        self.dir = self.tmp.name
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.tmp.cleanup()

    def server(self, *knobs):
        s = Server(*knobs)
        self.servers.append(s)
        return s

    def report(self, history):
        """summary.md of `perfcheck report` over `history`."""
        out = os.path.join(self.dir, "report")
        r = perfcheck("report", "--history", history, "--out", out, "--format", "md")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            return f.read()

    def result(self, name):
        with open(os.path.join(self.dir, f"{name}.json")) as f:
            return json.load(f)

    def test_a_closed_model_run_is_a_gated_recorded_result(self):
        s = self.server()
        history = os.path.join(self.dir, "history.db")
        r = perfcheck("load", "--url", s.url, "--name", "closed", "--connections", "4", "--requests", "300",
                      "--threshold", "latency.p99 < 5s", "--threshold", "errors.rate == 0%", "--threshold",
                      "throughput.median > 1/s", "--output-dir", self.dir, "--history", history)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("latency", r.stdout)
        self.assertIn("300 requests", r.stdout)
        result = self.result("closed")
        self.assertEqual(result["verdict"], "pass")
        summary = result["summary"]
        self.assertEqual(summary["requests"]["median"], 300)
        self.assertEqual(summary["responses"]["median"], 300)
        self.assertEqual(summary["latency"]["n"], 300)
        self.assertEqual(summary["errors.count"]["median"], 0)
        self.assertLessEqual(summary["latency"]["median"], summary["latency"]["p99"])
        self.assertEqual(len(result["thresholds"]), 3)
        with sqlite3.connect(history) as db:
            names = {row[0] for row in db.execute("SELECT metric FROM summaries")}
        self.assertTrue({"latency", "throughput", "errors.rate"} <= names, names)
        # CTest's measurements (CDash charts them) and the report's line of a load run.
        p99_ms = summary["latency"]["p99"] / 1e6
        measured = re.search(r'name="latency.p99_ms">([0-9.e+-]+)<', r.stdout)
        self.assertIsNotNone(measured, r.stdout)
        self.assertAlmostEqual(float(measured.group(1)), p99_ms, delta=p99_ms * 1e-5)
        md = self.report(history)
        self.assertIn("- **closed** · Load: 300 requests · latency p50 ", md)
        self.assertIn(" · errors 0 (0%) · dropped 0", md)
        self.assertIn("- closed: latency median ", md)

    def test_an_open_model_gate_fails_on_the_errors_a_server_makes(self):
        s = self.server("--error-fraction", "0.25")
        r = perfcheck("load", "--url", s.url, "--name", "open", "--rate", "200/s", "--duration", "1s",
                      "--connections", "4", "--threshold", "errors.rate < 10%", "--threshold", "lag.p99 < 10s",
                      "--output-dir", self.dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        result = self.result("open")
        self.assertEqual(result["verdict"], "failed")
        self.assertEqual(result["summary"]["requests"]["median"] + result["summary"]["dropped"]["median"], 200)
        self.assertAlmostEqual(result["summary"]["errors.rate"]["median"], 0.25, delta=0.01)
        self.assertEqual(result["summary"]["errors.status"]["median"], result["summary"]["errors.count"]["median"])
        self.assertIn("lag", result["summary"])
        self.assertTrue(any("errors.rate" in reason for reason in result["reasons"]), result["reasons"])
        self.assertTrue(any("status" in w for w in result["warnings"]), result["warnings"])

    def test_a_server_that_is_not_there_is_an_error_result(self):
        r = perfcheck("load", "--url", f"http://127.0.0.1:{free_port()}/", "--name", "gone", "--requests", "5",
                      "--output-dir", self.dir)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        result = self.result("gone")
        self.assertEqual(result["verdict"], "error")
        self.assertIn("5 connect", " ".join(result["reasons"]))

    def test_stages_are_levels_gated_one_by_one(self):
        # pc_http serves one request at a time in 5 ms: some C = 185/s here, less on a loaded
        # machine. Calm 20/s for 2 s; a burst of 800/s for 0.5 s, 400 starts, far more than it
        # serves meanwhile: the k-th waits about k/C - k/800 s, the median some 0.8 s (more when
        # C is lower). Then 20/s for 15 s: the backlog drains in about 400/(C - 20) s, 2.4 s here,
        # so most of the recovery's starts are answered in 5 ms. A median gate of 400 ms fails
        # the burst only: its median is twice the limit (more on a slower machine), and the
        # recovery's median stays fast unless C falls below about 75/s (a 5 ms sleep taking
        # 13 ms). A tenth of the limit, 40 ms, bounds the generator's lag p99 (else a stage
        # that passes is inconclusive): a few ms at 20/s, some 15 ms with every CPU busy.
        s = self.server("--service", "5")
        history = os.path.join(self.dir, "history.db")
        r = perfcheck("load", "--url", s.url, "--name", "staged", "--stages", "2s:20/s 0.5s:800/s 15s:20/s",
                      "--threshold", "latency.p50 < 400ms", "--threshold", "latency.p99@stage=3 < 20s",
                      "--output-dir", self.dir, "--history", history)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("staged: load run in 3 stages", r.stdout)
        self.assertIn("stage=2: 0.5s:800/s, failed", r.stdout)
        self.assertIn("stage=3: 15s:20/s, pass", r.stdout)
        result = self.result("staged")
        self.assertEqual(result["verdict"], "failed")
        points = result["points"]
        self.assertEqual([p["level"] for p in points], [[{"name": "stage", "value": str(k)}] for k in (1, 2, 3)])
        self.assertEqual([p["verdict"] for p in points], ["pass", "failed", "pass"], result["reasons"])
        self.assertEqual([p["summary"]["requests"]["median"] + p["summary"]["dropped"]["median"] for p in points],
                         [40, 400, 300])
        self.assertEqual([p["summary"]["errors.count"]["median"] for p in points], [0, 0, 0])
        self.assertGreater(points[1]["summary"]["latency"]["median"], 400e6)
        self.assertLess(points[2]["summary"]["latency"]["median"], 400e6)
        self.assertEqual(len(result["reasons"]), 1, result["reasons"])
        self.assertTrue(result["reasons"][0].startswith("stage=2: latency.p50 < 400ms: measured "), result["reasons"])
        outcomes = {(t["at"], t["expr"]): t["ok"] for t in result["thresholds"]}
        self.assertEqual(outcomes, {("stage=1", "latency.p50 < 400ms"): True, ("stage=1", "errors.count == 0"): True,
                                    ("stage=2", "latency.p50 < 400ms"): False, ("stage=2", "errors.count == 0"): True,
                                    ("stage=3", "latency.p50 < 400ms"): True, ("stage=3", "latency.p99@stage=3 < 20s"): True,
                                    ("stage=3", "errors.count == 0"): True})
        self.assertEqual(result["metadata"]["stages"], "2s:20/s 0.5s:800/s 15s:20/s")
        with sqlite3.connect(history) as db:
            levels = {row[0] for row in db.execute("SELECT level FROM summaries WHERE metric = 'latency'")}
        self.assertEqual(levels, {"stage=1", "stage=2", "stage=3"})
        # The report's table: per stage its requests, latency, throughput, errors and gates.
        md = self.report(history)
        self.assertIn("| Level | Requests | latency p50 (p99) | throughput | errors | dropped | Thresholds |", md)
        rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in md.splitlines()
                if line.startswith("| stage=")}
        self.assertEqual(sorted(rows), ["stage=1", "stage=2", "stage=3"], md)
        for k, p in enumerate(points):
            self.assertEqual(rows[f"stage={k + 1}"][1], str(int(p["summary"]["requests"]["median"])), md)
            self.assertEqual(rows[f"stage={k + 1}"][4], "0 (0%)", md)
        self.assertTrue(rows["stage=2"][-1].startswith("1 of 2 failed: latency.p50 &lt; 400ms (measured "), md)
        self.assertEqual(rows["stage=3"][-1], "3 held |", md)

    def test_a_capacity_search_finds_the_servers_known_capacity(self):
        # pc_http serves one request at a time in 20 ms: C is near 50/s, and a loaded machine's
        # scheduling delay (a millisecond or so after each sleep) moves it by a few percent only
        # (with 5 ms it moved it by 10-20%, more than the test allows). Its capacity C, measured here without
        # perfcheck, before and after the search: four keep-alive connections each sending its
        # next request when the last is answered, so the server always has one waiting (one
        # connection alone would leave it idle for each round trip). wrk (C, one thread) keeps
        # them busy even on a loaded machine; without it, four threads of this process do, which
        # a busy CPU can starve (they then measure less than the server serves).
        s = self.server("--service", "20")
        wrk = shutil.which("wrk")

        def wrk_rate():
            out = subprocess.run([wrk, "-t1", "-c4", "-d2s", s.url], capture_output=True, text=True,
                                 timeout=60).stdout
            return float(re.search(r"Requests/sec:\s*([0-9.]+)", out).group(1))

        def sequential_rate(per_connection=60, connections=4):
            if wrk:
                return wrk_rate()
            def client():
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
                for _ in range(per_connection):
                    conn.request("GET", "/")
                    conn.getresponse().read()
                conn.close()
            threads = [threading.Thread(target=client) for _ in range(connections)]
            begin = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return per_connection * connections / (time.monotonic() - begin)
        before = sequential_rate()
        # 2 s steps; a step holds when it serves 95% of its rate with p99 under 500 ms, so the
        # search stops within 5% above C (a queue 5% over C grows by 0.05 C per second).
        r = perfcheck("load", "--url", s.url, "--name", "cap", "--capacity", "10/s..1000/s", "--step", "2s",
                      "--threshold", "latency.p99 < 500ms", "--threshold", "capacity >= 20/s",
                      "--output-dir", self.dir, timeout=300)
        known = (before + sequential_rate()) / 2
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        result = self.result("cap")
        found = result["summary"]["capacity"]["median"]
        self.assertLess(abs(found - known) / known, 0.10, (found, known, r.stdout))
        self.assertIn("cap: capacity search over 10/s..1000/s in ", r.stdout)
        rates = [float(p["level"][0]["value"]) for p in result["points"]]
        self.assertEqual(rates, sorted(rates))
        held = [float(p["level"][0]["value"]) for p in result["points"] if p["verdict"] == "pass"]
        self.assertEqual(max(held), found)
        self.assertTrue(any(p["verdict"] == "failed" for p in result["points"]), result["points"])
        self.assertEqual([(t["expr"], t["ok"]) for t in result["thresholds"]], [("capacity >= 20/s", True)])
        self.assertIn(f'name="capacity">{found:.6g}<', r.stdout)

    def test_body_files_are_cycled_and_response_sizes_gated(self):
        # pc_http --echo-size answers with a body as long as the request's: three seeded payloads
        # of 64, 128 and 256 bytes, cycled over 60 requests, come back 20 of each size.
        s = self.server("--echo-size")
        files = []
        for k, size in enumerate((64, 128, 256)):
            path = os.path.join(self.dir, f"payload{k}.json")
            with open(path, "w") as f:
                f.write("{" + "x" * (size - 2) + "}")
            files.append(path)
        r = perfcheck("load", "--url", s.url, "--name", "bodies", "--method", "POST", "--body-file", *files,
                      "--requests", "60", "--threshold", "response_bytes.max <= 256B", "--threshold",
                      "errors.count == 0", "--output-dir", self.dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        sizes = self.result("bodies")["summary"]["response_bytes"]
        self.assertEqual((sizes["n"], sizes["min"], sizes["max"]), (60, 64, 256))
        self.assertLessEqual(abs(sizes["median"] - 128), 4)  # nearest rank 30 of 60: a 128 (4 B precision)
        self.assertIn("bodies  p50 ", r.stdout)
        self.assertIn("✓ response_bytes.max <= 256B", r.stdout)
        r = perfcheck("load", "--url", s.url, "--name", "sized", "--method", "POST", "--body-file", *files,
                      "--requests", "60", "--expect-size", "100B..200B", "--threshold", "errors.rate < 50%",
                      "--output-dir", self.dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)  # 40 of 60 outside: 66.7%
        summary = self.result("sized")["summary"]
        self.assertEqual(summary["errors.body"]["median"], 40)
        self.assertAlmostEqual(summary["errors.rate"]["median"], 40 / 60)

    def test_bad_input_is_refused_with_the_fix(self):
        cases = [
            (["--url", "http://example.com/", "--requests", "1"], "not a loopback address"),
            (["--url", "http://127.0.0.1:8080/", "--rate", "0/s", "--duration", "1s"], "above 0"),
            (["--url", "http://127.0.0.1:8080/", "--rate", "5ms", "--duration", "1s"], "requests per second"),
            (["--url", "http://127.0.0.1:8080/"], "give --duration"),
            (["--url", "http://127.0.0.1:8080/", "--requests", "1", "--body-file", "/nonexistent/body"],
             "--body-file '/nonexistent/body'"),
            (["--url", "http://127.0.0.1:8080/", "--requests", "1", "--threshold", "latency.p99 < 5"], "needs a unit"),
            (["--url", "http://127.0.0.1:8080/", "--stages", "10s:50/s 30s-200/s"],
             "--stages: stage 2 '30s-200/s' has no ':' between its duration and its rate; write DURATION:RATE/s"),
            (["--url", "http://127.0.0.1:8080/", "--stages", "10s:50/s", "--rate", "10/s"],
             "--stages goes without --rate, --duration and --requests"),
            (["--url", "http://127.0.0.1:8080/", "--stages", "10s:50/s", "--threshold", "latency.p99@stage=2 < 1s"],
             "the test has no level stage=2 (the values of stage are 1)"),
            (["--url", "http://127.0.0.1:8080/", "--requests", "1", "--threshold", "latency.p99@stage=2 < 1s"],
             "a run without stages measures one point; give --stages"),
            (["--url", "http://127.0.0.1:8080/", "--capacity", "50/s..5000/s", "--rate", "10/s"],
             "--capacity runs its own steps: give it without --rate, --stages, --duration or --requests"),
            (["--url", "http://127.0.0.1:8080/", "--capacity", "5000/s..50/s"],
             "--capacity '5000/s..50/s': the first rate must be below the second"),
            (["--url", "http://127.0.0.1:8080/", "--requests", "1", "--threshold", "capacity >= 50/s"],
             "capacity is measured by a capacity search; give --capacity"),
            (["--url", "http://127.0.0.1:8080/", "--requests", "1", "--expect-size", "2KiB"],
             "--expect-size '2KiB': no '..' between the smallest and the largest size; write MIN..MAX"),
            (["--url", "http://10.1.2.3:8080/", "--requests", "1"], "unless --allow-host 10.1.2.3 allows that host"),
            (["--url", "http://127.0.0.1:8080/", "--requests", "1", "--connections", "2", "--threads", "3"],
             "--threads 3: each thread drives connections of its own, and there are 2 (--connections); raise --connections to at least 3"),
            # {port} stands for a server's port only with --server, in a run and in --check alike
            (["--url", "http://127.0.0.1:{port}/", "--requests", "1", "--check"], "the port '{port}' is not a number"),
        ]
        for args, message in cases:
            r = perfcheck("load", *args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(message, r.stderr, args)


if __name__ == "__main__":
    unittest.main(verbosity=2)
