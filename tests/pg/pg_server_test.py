#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Tests of tests/pg/pg_server.py, the real PostgreSQL server of the history tests, each on
servers of its own in temporary folders (the fixture's server is left alone): start and a
query through psql, fresh databases, restart keeping committed data, stop leaving no process
of the data folder, start never holding the caller's pipes, and the error paths.

Exit 77 (skipped) when the server binaries are absent. Time bounds are generous (a loaded
two-core machine); nothing asserts a speed.
"""
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pg_server  # noqa: E402

SCRIPT = os.path.join(HERE, "pg_server.py")


def cli(*args, env=None, timeout=180):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=timeout)


def postmaster_pid(folder):
    with open(os.path.join(folder, "data", "postmaster.pid")) as f:
        return int(f.readline())


class PgServerTest(unittest.TestCase):
    def setUp(self):
        self.folders = []
        self.dir = self.new_folder()

    def new_folder(self):
        folder = tempfile.mkdtemp(prefix="perfcheck-pg-")
        self.folders.append(folder)
        return folder

    def tearDown(self):
        survivors = []
        for folder in self.folders:
            pg_server.stop(folder, mode="immediate")
            survivors += pg_server.server_processes(folder)
            for pid in pg_server.server_processes(folder):
                os.kill(pid, signal.SIGKILL)
            subprocess.run(["rm", "-rf", folder], check=True)
        self.assertEqual(survivors, [], "server processes outlived the test")

    def start_through_pipe(self, folder):
        """pg_server.py start with stdout and stderr on one pipe, as under CTest: returns its
        output once every writer has closed the pipe, failing if that takes over 120 s."""
        read_end, write_end = os.pipe()
        proc = subprocess.Popen([sys.executable, SCRIPT, "start", folder], stdin=subprocess.DEVNULL,
                                stdout=write_end, stderr=write_end)
        os.close(write_end)
        chunks, deadline = [], time.monotonic() + 120
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
                self.assertTrue(ready, "the pipe of pg_server.py start stayed open for 120 s")
                chunk = os.read(pipe.fileno(), 4096)
                if not chunk:
                    break
                chunks.append(chunk)
        self.assertEqual(proc.wait(timeout=30), 0, b"".join(chunks).decode())
        return b"".join(chunks).decode()

    def test_start_serves_on_its_socket_only_and_lets_the_pipe_close(self):
        out = self.start_through_pipe(self.dir)
        self.assertTrue(pg_server.server_processes(self.dir), "EOF came, but no server runs")
        with open(os.path.join(self.dir, "uri")) as f:
            uri = f.read().strip()
        self.assertRegex(uri, rf"^postgresql:///postgres\?host={re.escape(self.dir)}/socket"
                              rf"&port=\d+&user=perfcheck$")
        self.assertIn(uri, out)
        self.assertEqual(pg_server.psql(uri, "SELECT 40 + 2;").strip(), "42")
        self.assertEqual(pg_server.psql(self.dir, "SELECT current_user;").strip(), "perfcheck")
        self.assertEqual(pg_server.psql(self.dir, "SHOW listen_addresses;").strip(), "")
        port = uri.rsplit("port=", 1)[1].split("&")[0]
        self.assertIn(f".s.PGSQL.{port}", os.listdir(os.path.join(self.dir, "socket")))
        self.assertTrue(os.path.getsize(os.path.join(self.dir, "log", "postgresql.log")) > 0)

    def test_start_again_reuses_the_running_server(self):
        pg_server.start(self.dir)
        pid = postmaster_pid(self.dir)
        again = cli("start", self.dir)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already runs", again.stdout)
        self.assertEqual(postmaster_pid(self.dir), pid)

    def test_fresh_database_is_empty_each_time(self):
        pg_server.start(self.dir)
        uri = pg_server.fresh_database(self.dir, "fresh_one")
        self.assertEqual(uri, pg_server.uri(self.dir, "fresh_one"))
        pg_server.psql(uri, "CREATE TABLE t (x int); INSERT INTO t VALUES (1);")
        self.assertEqual(pg_server.psql(uri, "SELECT count(*) FROM t;").strip(), "1")
        printed = cli("createdb", self.dir, "fresh_one")
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertEqual(printed.stdout.strip(), uri)
        tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public';"
        self.assertEqual(pg_server.psql(uri, tables).strip(), "0")

    def test_restart_keeps_committed_data_and_the_port(self):
        before = pg_server.start(self.dir)
        pid = postmaster_pid(self.dir)
        pg_server.psql(self.dir, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7), (8);")
        restarted = cli("restart", self.dir)
        self.assertEqual(restarted.returncode, 0, restarted.stderr)
        self.assertNotEqual(postmaster_pid(self.dir), pid, "restart did not stop the server")
        self.assertEqual(pg_server.uri(self.dir), before)
        self.assertEqual(pg_server.psql(before, "SELECT sum(x) FROM kept;").strip(), "15")

    def test_stop_leaves_no_process_and_a_second_stop_says_so(self):
        pg_server.start(self.dir)
        self.assertTrue(pg_server.server_processes(self.dir))
        stopped = cli("stop", self.dir)
        self.assertEqual(stopped.returncode, 0, stopped.stderr)
        self.assertIn("stopped the server", stopped.stdout)
        self.assertEqual(pg_server.server_processes(self.dir), [])
        self.assertTrue(os.path.exists(os.path.join(self.dir, "log", "postgresql.log")))
        again = cli("stop", self.dir)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("no server runs", again.stdout)
        cleaned = cli("stop", "--clean", self.dir)
        self.assertEqual(cleaned.returncode, 0, cleaned.stderr)
        self.assertFalse(os.path.exists(self.dir))

    def test_two_servers_started_at_once_both_serve(self):
        other = self.new_folder()
        procs = [subprocess.Popen([sys.executable, SCRIPT, "start", d], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for d in (self.dir, other)]
        for proc in procs:
            _, err = proc.communicate(timeout=180)
            self.assertEqual(proc.returncode, 0, err)
        self.assertNotEqual(pg_server.uri(self.dir), pg_server.uri(other))
        for d in (self.dir, other):
            self.assertEqual(pg_server.psql(d, "SELECT 1;").strip(), "1")

    def test_a_server_that_cannot_start_shows_its_log(self):
        pg_server.start(self.dir)
        pg_server.stop(self.dir)
        with open(os.path.join(self.dir, "data", "postgresql.conf"), "a") as f:
            f.write("shared_buffers = 'plenty'\n")
        failed = cli("restart", self.dir)
        self.assertEqual(failed.returncode, 1)
        self.assertIn("pg_ctl start failed", failed.stderr)
        self.assertIn("shared_buffers", failed.stderr)
        self.assertIn("postgresql.log", failed.stderr)

    def test_bad_input_is_named(self):
        never = cli("restart", self.dir)
        self.assertEqual(never.returncode, 1)
        self.assertIn(f"{self.dir}/data: no data folder to restart", never.stderr)
        pg_server.start(self.dir)
        bad = cli("createdb", self.dir, "Bad-Name")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("database name 'Bad-Name': use 1 to 63 characters of [a-z0-9_]", bad.stderr)
        usage = cli("begin", self.dir)
        self.assertEqual(usage.returncode, 2)
        self.assertIn("usage: pg_server.py", usage.stderr)
        long_dir = os.path.join(self.dir, "x" * 90)
        too_long = cli("start", long_dir)
        self.assertEqual(too_long.returncode, 1)
        self.assertIn("more than the 107 a Unix socket allows", too_long.stderr)

    def test_without_binaries_start_and_createdb_exit_77(self):
        env = dict(os.environ, PERFCHECK_PG_BINDIR=os.path.join(self.dir, "no-bin"))
        for args in (("start", self.dir), ("restart", self.dir), ("createdb", self.dir, "x")):
            p = cli(*args, env=env)
            self.assertEqual(p.returncode, 77, p.stderr)
            self.assertIn("PostgreSQL server binaries not found (install postgresql-15: "
                          "tools/setup.sh)", p.stderr)
        stop = cli("stop", self.dir, env=env)
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertIn("no server runs", stop.stdout)


if __name__ == "__main__":
    if pg_server.find_binaries() is None:
        print(f"pg_server_test: skipped: {pg_server.MISSING}")
        sys.exit(77)
    unittest.main(verbosity=2)
