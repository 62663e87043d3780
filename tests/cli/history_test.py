#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of recording into the history: `perfcheck run --history`, concurrent writer
processes, and what only a history file has (history_verbs_test.py has the verbs).

On each backend (SQLite, and PostgreSQL when the pg fixture's server is up: history_harness.py),
because what they check is the same whatever stores the history: a run recorded with its context,
the session from session.json, four `perfcheck run` at once, eight importing writers at once.

SQLite only, because their subject is the file: a foreign SQLite file and a folder that cannot be
written (a database's counterparts are the foreign schema and the wrong credentials of
unit.pg_store_test and cli.pg_history), a trigger written into the file (the PostgreSQL schema's
is refused in unit.pg_store_test), the reading verbs on a read-only mount, and kill -9 in the
middle of a stream of writes (the file's WAL recovery; cli.pg_history kills runs against a server).

Environment: see history_harness.py.
"""
import json
import os
import random
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from history_harness import (PERFCHECK, HistoryCase, clean_env, each_backend, perfcheck,  # noqa: E402
                             prog, query, read_bytes, sql)


class HistoryTest(HistoryCase):
    # --- perfcheck run --history, on each backend -----------------------------------------------

    @each_backend
    def test_run_records_the_result_with_its_context(self, history):
        env = clean_env(PERFCHECK_HISTORY=history, PERFCHECK_GIT_COMMIT="c0ffee",
                        PERFCHECK_GIT_BRANCH="main", PERFCHECK_SESSION_ID="s-env", PERFCHECK_COMPILER="GNU 12")
        self.check(perfcheck("run", "--runs", "2", "--warmup", "0", "-q", "--name", "nap",
                             "--json", self.path("r.json"), "--", prog("pc_noop"), env=env))
        with open(self.path("r.json")) as f:
            result = json.load(f)
        # The result file carries the same context as the history row.
        self.assertEqual(result["context"]["git_commit"], "c0ffee")
        self.assertEqual(result["context"]["session_id"], "s-env")
        self.assertEqual(query(history, "SELECT name, git_commit, git_branch, session_id, compiler, "
                                        "verdict, run_count FROM results"),
                         "nap|c0ffee|main|s-env|GNU 12|pass|2")
        self.assertEqual(query(history, "SELECT COUNT(*) FROM samples WHERE metric = 'wall'"), "2")
        # The history holds the result file exactly.
        exported = json.loads(self.check(perfcheck("history", "export", "--history", history)).stdout)
        self.assertEqual(exported["results"][0]["result"], result)
        # The result file and the recorded result are one result: importing it adds nothing.
        out = self.check(perfcheck("history", "import", "--history", history, self.path("r.json"))).stdout
        self.assertIn("0 new, 1 already present", out)

    @each_backend
    def test_run_takes_the_session_from_session_json(self, history):
        results = self.path(f"perf-results-{self.backend}")
        self.check(perfcheck("session", "start", "--results-dir", results))
        with open(os.path.join(results, "session.json")) as f:
            session_id = json.load(f)["id"]
        self.check(perfcheck("run", "--runs", "1", "--warmup", "0", "-q", "--output-dir", results,
                             "--history", history, "--", prog("pc_noop")))
        listing = self.check(perfcheck("history", "list", "--history", history)).stdout
        self.assertIn(session_id, listing)
        shown = self.check(perfcheck("history", "show", "latest", "--history", history)).stdout
        self.assertIn(f"session {session_id}: 1 result(s)", shown)
        self.assertIn("pc_noop", shown)

    @each_backend
    def test_concurrent_runs_record_every_result(self, history):
        """perfcheck run itself, 4 at once, as under ctest -j."""
        procs = [subprocess.Popen([PERFCHECK, "run", "--runs", "1", "--warmup", "0", "-q", "--name", f"t{i}",
                                   "--history", history, "--", prog("pc_noop")],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
                 for i in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, out + err)
        self.assertEqual(query(history, "SELECT COUNT(DISTINCT name) FROM results"), "4")

    @each_backend
    def test_eight_concurrent_writers_lose_nothing(self, history):
        """8 processes, each 50 results in 50 transactions, into one new history at once."""
        writers = [self.write_results(f"w{w}", 50) for w in range(8)]
        procs = [subprocess.Popen([PERFCHECK, "history", "import", "--history", history, *files],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
                 for files in writers]
        # A reader meanwhile: readers never block writers nor fail (SQLite's WAL; a database's
        # snapshots). A file that is not there yet is not a history to list; an empty database
        # lists as empty.
        while any(p.poll() is None for p in procs):
            if self.backend == "postgresql" or os.path.exists(history):
                self.check(perfcheck("history", "list", "--history", history))
            time.sleep(0.05)
        for p in procs:
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, out + err)
            self.assertEqual(out.count(": 1 new"), 50, out)
        self.assertEqual(query(history, "SELECT COUNT(*) FROM results"), "400")
        self.assertEqual(query(history, "SELECT COUNT(DISTINCT session_id) FROM results"), "8")
        if self.backend == "sqlite":
            self.assertEqual(sql(history, "PRAGMA integrity_check"), "ok")
        runs = len(self.template["runs"])
        self.assertEqual(query(history, "SELECT COUNT(*) FROM samples WHERE metric = 'wall'"), str(400 * runs))

    # --- what only a file has: SQLite only -------------------------------------------------------

    def test_a_history_failure_keeps_the_result_and_exits_non_zero(self):
        foreign = self.path("shop.db")
        sql(foreign, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); "
                     "INSERT INTO customers VALUES (1, 'Ada');")
        before = read_bytes(foreign)
        result = self.path("r.json")
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "-q", "--json", result,
                      "--history", foreign, "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(f"history {foreign}: an SQLite database but not a perfcheck history", p.stderr)
        self.assertIn(f"the result is kept in {result}", p.stderr)
        self.assertIn("perfcheck history import", p.stderr)
        with open(result) as f:
            self.assertEqual(json.load(f)["verdict"], "pass")
        self.assertEqual(read_bytes(foreign), before)

        # A folder that cannot be written: exit non-zero, result kept.
        locked = self.path("locked")
        os.mkdir(locked, 0o500)
        try:
            p = perfcheck("run", "--runs", "1", "--warmup", "0", "-q", "--json", result,
                          "--history", os.path.join(locked, "h.sqlite"), "--", prog("pc_noop"))
            if os.geteuid() != 0:  # root writes anywhere
                self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertIn(os.path.join(locked, "h.sqlite"), p.stderr)
            self.assertTrue(os.path.exists(result))
        finally:
            os.chmod(locked, 0o700)

    def test_a_trigger_in_the_history_is_refused_and_never_runs(self):
        self.check(perfcheck("history", "import", "--history", self.history, *self.write_results("a", 1)))
        sql(self.history, "CREATE TABLE log (name TEXT); "
                          "CREATE TRIGGER spy AFTER INSERT ON results BEGIN INSERT INTO log VALUES (NEW.name); END")
        before = read_bytes(self.history)
        for verb in (["import", *self.write_results("b", 1)], ["list"], ["export"]):
            p = self.check(perfcheck("history", verb[0], "--history", self.history, *verb[1:]), 2)
            self.assertIn(f"history {self.history}: has a ", p.stderr)
            self.assertIn("that perfcheck did not create", p.stderr)
            self.assertRegex(p.stderr, r"(table 'log'|trigger 'spy')")
        env = clean_env(PERFCHECK_HISTORY=self.history)
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "-q", "--", prog("pc_noop"), env=env)
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("that perfcheck did not create", p.stderr)
        self.assertEqual(read_bytes(self.history), before)
        self.assertEqual(sql(self.history, "SELECT COUNT(*) FROM log"), "0")

    def read_only_run(self, folder, *args):
        """perfcheck ARGS with `folder` read-only: a read-only bind mount in a private mount
        namespace when running as root (root writes through chmod), else chmod 555."""
        if os.geteuid() != 0:
            os.chmod(folder, 0o555)
            try:
                return perfcheck(*args)
            finally:
                os.chmod(folder, 0o755)
        # The mount exists only in the child's namespace, and goes away with it.
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, folder,
                                "touch", os.path.join(folder, "probe")], capture_output=True, text=True)
        if probe.returncode == 0 or "Read-only file system" not in probe.stderr:
            self.skipTest(f"cannot make a read-only mount here: {probe.stderr.strip()}")
        return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, folder,
                               PERFCHECK, *args], capture_output=True, text=True, timeout=300, env=clean_env())

    def test_reading_verbs_work_on_a_read_only_mount(self):
        folder = self.path("ro")
        os.mkdir(folder)
        history = os.path.join(folder, "history.sqlite")
        self.check(perfcheck("history", "import", "--history", history,
                             *self.write_results("s1", 2, name="parse")))
        self.assertFalse(os.path.exists(history + "-wal"))
        before = read_bytes(history)
        listing = self.check(self.read_only_run(folder, "history", "list", "--history", history)).stdout
        self.assertRegex(listing, r"s1 +\S+ +2 ")
        shown = self.check(self.read_only_run(folder, "history", "show", "latest", "--history", history)).stdout
        self.assertIn("session s1: 2 result(s)", shown)
        series = self.check(self.read_only_run(folder, "history", "show", "--test", "parse", "--json",
                                               "--history", history)).stdout
        self.assertEqual(len(json.loads(series)["points"]), 2)
        exported = self.check(self.read_only_run(folder, "history", "export", "--history", history)).stdout
        self.assertEqual(len(json.loads(exported)["results"]), 2)
        report = self.read_only_run(folder, "report", "-q", "--history", history, "--out", self.path("report"))
        self.check(report)
        # A write is refused with what happened, not as an internal error.
        p = self.read_only_run(folder, "history", "prune", "--history", history, "--keep-last", "1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(history, p.stderr)
        self.assertEqual(read_bytes(history), before)
        self.assertEqual(sorted(os.listdir(folder)), ["history.sqlite"])


    def test_kill_9_during_a_stream_of_writes_keeps_every_committed_result(self):
        # Enough files that no import finishes before its kill: an idle machine imports one in
        # about 1.5 ms, and the kills below stop after at most ~0.12 s or 180 reported commits.
        files = self.write_results("k", 400)
        started = {}
        for path in files:
            with open(path) as f:
                started[json.load(f)["started_at"]] = path
        rng = random.Random(20261123)
        stored = set()  # paths whose result the history holds
        killed = finished = 0
        # Kill points: after a delay (around the file's creation and migration: a process takes
        # some tens of ms to start), then after k reported commits.
        delays = [0.02, 0.05, 0.08, 0.12]
        for stop_after in [0, 0, 0, 0, rng.randint(1, 20), rng.randint(20, 60), rng.randint(60, 100)]:
            remaining = [p for p in files if p not in stored]
            self.assertTrue(remaining, "every file was stored before the last kill")
            proc = subprocess.Popen([PERFCHECK, "history", "import", "--history", self.history, *remaining],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
            reported = []  # a line is printed after its transaction committed
            if stop_after == 0:
                time.sleep(delays.pop(0))
            else:
                while len(reported) < stop_after:
                    line = proc.stdout.readline()
                    if not line:
                        break
                    reported.append(line.split(":")[0])
            proc.send_signal(signal.SIGKILL)
            rest, err = proc.communicate(timeout=60)
            # A fast machine may finish the import before the kill lands: then it must have
            # succeeded, and the checks below still hold (everything it reported is stored).
            if proc.returncode == 0:
                finished += 1
            else:
                self.assertEqual(proc.returncode, -signal.SIGKILL, err)
                killed += 1
            reported += [l.split(":")[0] for l in rest.splitlines() if ": 1 new" in l]
            if not os.path.exists(self.history):
                self.assertEqual(reported, [])
                continue
            self.assertEqual(sql(self.history, "PRAGMA integrity_check"), "ok")
            # Every committed result is there and readable in full.
            export = json.loads(self.check(perfcheck("history", "export", "--history", self.history)).stdout)
            now_stored = {started[r["result"]["started_at"]] for r in export["results"]}
            self.assertTrue(stored <= now_stored)
            for path in reported:
                self.assertIn(path, now_stored)
            # At most the one being written at the kill is beyond what was reported.
            self.assertLessEqual(len(now_stored - stored) - len(reported), 1)
            stored = now_stored
        # Most attempts must really have been killed mid-stream, or this test proves nothing.
        self.assertGreaterEqual(killed, 4, f"{finished} of 7 imports finished before the kill")
        # The history keeps working after the kills, and nothing is duplicated.
        self.check(perfcheck("history", "import", "--history", self.history, *files))
        self.assertEqual(sql(self.history, "SELECT COUNT(*) FROM results"), "400")
        self.assertEqual(sql(self.history, "PRAGMA integrity_check"), "ok")


if __name__ == "__main__":
    unittest.main(verbosity=2)
