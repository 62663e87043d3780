#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""The history on a real PostgreSQL server, end to end with the perfcheck executable: runs
recorded and compared, the history verbs, copy between SQLite and PostgreSQL, the spool while the
server is stopped and after it restarts or while its disk is full, kill -9 in the middle of a
stream of runs, credentials
never shown, wrong credentials (a role that must give its password).

Environment: PERFCHECK, PERFCHECK_BIN_DIR, PERFCHECK_TEST_PG_DIR (the pg fixture's server) and
PERFCHECK_PG_SERVER (tests/pg/pg_server.py). The spool and restart cases start a server of their
own, so the fixture's server keeps serving the tests that run beside this one.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.environ["PERFCHECK_PG_SERVER"]))
import pg_server  # noqa: E402
from history_backends import history_location  # noqa: E402

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
PG_DIR = os.environ.get("PERFCHECK_TEST_PG_DIR", "")


def prog(name):
    return os.path.join(BIN, name)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_") or k in ("PERFCHECK_BIN_DIR",)}
    env.update(extra)
    return env


def perfcheck(*args, env=None, timeout=300):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else clean_env())


def run_noop(history, results, name="noop", extra=(), env=None, runs=3):
    return perfcheck("run", "--name", name, "--runs", str(runs), "--warmup", "0", "--output-dir", results,
                     "--history", history, *extra, "--", prog("pc_noop"), env=env)


def count(uri, sql):
    return int(pg_server.psql(uri, sql).strip())


def own_server(test, prefix, database, stop_mode, prepare=None):
    """A PostgreSQL server of `test`'s own in a fresh folder, stopped (`stop_mode`) at its cleanup,
    with a fresh database; skips the test without the server binaries. `prepare(server folder)`,
    when given, runs on the empty server folder first. Returns (folder, server folder, the
    database's URI)."""
    if pg_server.find_binaries() is None:
        test.skipTest(pg_server.MISSING)
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)  # the server runs as another user
    server = os.path.join(tmp, "server")
    if prepare is not None:
        os.makedirs(server)
        prepare(server)
    pg_server.start(server)
    test.addCleanup(pg_server.stop, server, stop_mode)
    return tmp, server, pg_server.fresh_database(server, database)


def assert_sent_with_the_next_run(test, uri, results, names):
    """The next run sends the one queued result first: the history then holds `names`, in order."""
    back = run_noop(uri, results, name=names[-1])
    test.assertEqual(back.returncode, 0, back.stdout + back.stderr)
    test.assertIn("sent 1 queued result(s)", back.stdout)
    test.assertEqual(pg_server.psql(uri, "SELECT name FROM perfcheck.results ORDER BY started_at").split(), names)


class PostgresHistoryTest(unittest.TestCase):
    def setUp(self):
        if pg_server.find_binaries() is None or not PG_DIR or not os.path.exists(os.path.join(PG_DIR, "uri")):
            self.skipTest("no PostgreSQL test server (the pg fixture)")
        self.tmp = tempfile.mkdtemp(prefix="perfcheck-pg-")
        self.results = os.path.join(self.tmp, "results")

    def fresh(self, name):
        return history_location("postgresql", self.tmp, f"pc_cli_{name}")

    def test_runs_are_recorded_compared_and_listed(self):
        uri = self.fresh("verbs")
        for _ in range(3):
            p = run_noop(uri, self.results, runs=6, extra=("--regression", "wall.median +900%"))
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(count(uri, "SELECT count(*) FROM perfcheck.results"), 3)
        # The third run was compared with the two before it, from the server.
        with open(os.path.join(self.results, "noop.json")) as f:
            result = json.load(f)
        self.assertEqual(result["baseline"]["sessions"], 2, result["baseline"])
        self.assertEqual(result["regressions"][0]["baseline_n"], 12, result["regressions"])
        listed = perfcheck("history", "list", "--history", uri, "--json")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(sum(s["results"] for s in json.loads(listed.stdout)["sessions"]), 3)
        shown = perfcheck("history", "show", "--test", "noop", "--history", uri)
        self.assertIn("test noop: 3 result(s)", shown.stdout)
        exported = perfcheck("history", "export", "--history", uri)
        self.assertEqual(len(json.loads(exported.stdout)["results"]), 3)
        pruned = perfcheck("history", "prune", "--keep-last", "1", "--history", uri)
        self.assertIn("removed 2 result(s)", pruned.stdout)
        self.assertEqual(count(uri, "SELECT count(*) FROM perfcheck.samples WHERE metric = 'wall'"), 6)
        self.assertEqual(count(uri, "SELECT count(*) FROM perfcheck.results"), 1)

    def test_a_persistent_regression_keeps_failing_until_accepted(self):
        uri = self.fresh("accept")
        # The same command every session (the same spec hash); how long it sleeps is in a file.
        delay = os.path.join(self.tmp, "delay")
        script = os.path.join(self.tmp, "sleeper.py")
        with open(script, "w") as f:
            f.write(f"import time\ntime.sleep(float(open({delay!r}).read()))\n")

        def session(seconds):
            with open(delay, "w") as f:
                f.write(str(seconds))
            return perfcheck("run", "--name", "sleepy", "--runs", "5", "--warmup", "0", "--output-dir",
                             self.results, "--history", uri, "--regression", "wall.median +100%", "--",
                             sys.executable, script)
        # Sleeps long beside the interpreter's start-up (tens of ms, more on a loaded machine), and
        # a tolerance wide enough that a busy second fast session is not a false alarm.
        for _ in range(2):
            p = session(0.1)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for _ in range(2):  # the second slow session is compared with the accepted fast ones too
            p = session(0.6)
            self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("regressed", p.stdout)
        self.assertEqual(count(uri, "SELECT count(*) FROM perfcheck.results WHERE baseline_state = 'pending'"), 2)
        accepted = perfcheck("history", "accept", "sleepy", "--history", uri)
        self.assertEqual(accepted.returncode, 0, accepted.stderr)
        self.assertIn("accepted sleepy", accepted.stdout)
        self.assertEqual(count(uri, "SELECT count(*) FROM perfcheck.acceptances"), 1)
        p = session(0.6)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_importing_one_result_waits_only_for_writers_of_its_series(self):
        # Result files (one result each, as ctest -j leaves them) made against a history of their own.
        sqlite = os.path.join(self.tmp, "made.sqlite")
        for name in ("first", "second"):
            self.assertEqual(run_noop(sqlite, self.results, name=name).returncode, 0)
        uri = self.fresh("series_import")
        first = perfcheck("history", "import", "--history", uri, os.path.join(self.results, "first.json"))
        self.assertEqual(first.returncode, 0, first.stderr)
        # Another writer of a series is in the middle of its transaction: it holds the history's write
        # lock shared, as every writer of one series does (the key is perfcheck's, pg_handle.cpp).
        holder = subprocess.Popen([pg_server._binaries()["psql"], "-X", "-q", "-d", uri], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        try:
            holder.stdin.write("BEGIN;\nSELECT pg_advisory_xact_lock_shared(7305712950420211973);\n")
            holder.stdin.flush()
            deadline = time.monotonic() + 60
            while count(uri, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") == 0:
                self.assertLess(time.monotonic(), deadline, "the holder never took the lock")
                time.sleep(0.05)
            # One result file is one series: it goes beside the other writer, not after it (an
            # exclusive turn would wait for the holder until perfcheck's 60 s lock timeout).
            second = perfcheck("history", "import", "--history", uri, os.path.join(self.results, "second.json"),
                               timeout=40)
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertIn("1 new, 0 already present", second.stdout)
        finally:
            holder.stdin.write("COMMIT;\n")
            holder.stdin.close()
            holder.wait(timeout=60)
        self.assertEqual(count(uri, "SELECT count(*) FROM perfcheck.results"), 2)

    def test_copy_between_sqlite_and_postgresql_is_idempotent(self):
        sqlite = os.path.join(self.tmp, "h.sqlite")
        for name in ("a", "b"):
            self.assertEqual(run_noop(sqlite, self.results, name=name).returncode, 0)
        uri = self.fresh("copy")
        first = perfcheck("history", "copy", sqlite, uri)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("copied 2 result(s)", first.stdout)
        again = perfcheck("history", "copy", sqlite, uri)
        self.assertIn("copied 0 result(s)", again.stdout)
        self.assertIn("(2 were there already)", again.stdout)
        back = os.path.join(self.tmp, "back.sqlite")
        self.assertEqual(perfcheck("history", "copy", uri, back).returncode, 0)
        exports = [perfcheck("history", "export", "--history", h).stdout for h in (sqlite, uri, back)]
        self.assertEqual(exports[0], exports[1])
        self.assertEqual(exports[1], exports[2])

    def test_machine_classes_share_baselines_and_filter_the_list(self):
        uri = self.fresh("classes")
        for machine, n in (("ci-a", 2), ("ci-b", 1)):
            for i in range(n):
                p = run_noop(uri, self.results, runs=6, extra=("--regression", "wall.median +900%"),
                             env=clean_env(PERFCHECK_MACHINE_CLASS=machine, PERFCHECK_SESSION_ID=f"{machine}-{i}"))
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(self.results, "noop.json")) as f:
            last = json.load(f)
        self.assertEqual(last["context"]["machine"], "ci-b")
        self.assertEqual(last["baseline"]["sessions"], 0)  # ci-a's results are not its baseline
        listed = perfcheck("history", "list", "--history", uri, "--machine", "ci-a", "--json")
        self.assertEqual([s["machine"] for s in json.loads(listed.stdout)["sessions"]], ["ci-a", "ci-a"])
        none = perfcheck("history", "list", "--history", uri, "--machine", "ci-c")
        self.assertIn("no session in", none.stdout)
        # One report across both machine classes, read from the server.
        out = os.path.join(self.tmp, "report")
        report = perfcheck("report", "--history", uri, "--out", out, "--session", "ci-a-1", "--machine", "all")
        self.assertEqual(report.returncode, 0, report.stdout + report.stderr)
        with open(os.path.join(out, "report.json")) as f:
            machines = json.load(f)["tests"][0]["machines"]
        self.assertEqual(sorted(m["machine"] for m in machines), ["ci-a", "ci-b"], machines)

    def test_a_password_never_shows(self):
        secret = "hunter2-secret"
        uri = f"postgresql://nobody:{secret}@/nodb?host={self.tmp}&port=1&connect_timeout=2"
        for args in (("history", "list", "--history", uri), ("history", "sync", "--history", uri, "--spool",
                                                               os.path.join(self.tmp, "none.sqlite"))):
            p = perfcheck(*args)
            self.assertNotIn(secret, p.stdout + p.stderr)
        p = run_noop(uri, self.results)
        self.assertNotIn(secret, p.stdout + p.stderr)
        self.assertIn("nobody:***@", p.stdout + p.stderr)
        with open(os.path.join(self.results, "noop.json")) as f:
            self.assertNotIn(secret, f.read())


class SpoolTest(unittest.TestCase):
    """A server of the test's own, stopped and restarted under the runs."""

    def setUp(self):
        self.tmp, self.server, self.uri = own_server(self, "perfcheck-spool-", "spooled", "immediate")
        self.results = os.path.join(self.tmp, "results")
        self.spool = os.path.join(self.results, "perfcheck-spool.sqlite")

    def test_results_wait_in_the_spool_while_the_server_is_away(self):
        self.assertEqual(run_noop(self.uri, self.results, name="t0").returncode, 0)
        pg_server.stop(self.server, "fast")
        away = run_noop(self.uri, self.results, name="t1", runs=6, extra=("--regression", "wall.median +900%"))
        self.assertEqual(away.returncode, 0, away.stdout + away.stderr)  # the verdict stands
        self.assertIn("verdict: inconclusive", away.stdout)  # never a silent pass
        self.assertIn("no baseline: history postgresql:", away.stdout)
        self.assertIn("history: queued in", away.stdout)
        self.assertIn("cannot reach the server", away.stderr)
        self.assertTrue(os.path.exists(self.spool))
        sync = perfcheck("history", "sync", "--history", self.uri, "--spool", self.spool)
        self.assertEqual(sync.returncode, 4, sync.stdout + sync.stderr)  # still away: nothing lost
        pg_server.restart(self.server)
        assert_sent_with_the_next_run(self, self.uri, self.results, ["t0", "t1", "t2"])
        synced = perfcheck("history", "sync", "--history", self.uri, "--spool", self.spool)
        self.assertIn("sent 0 result(s)", synced.stdout)

    def test_kill_and_restart_in_the_middle_leave_every_completed_result_once(self):
        env = clean_env(PERFCHECK_SPOOL=self.spool)
        completed = []
        procs = []
        for i in range(12):
            args = [PERFCHECK, "run", "--name", f"k{i}", "--runs", "3", "--warmup", "0", "-q", "--output-dir",
                    self.results, "--history", self.uri, "--", prog("pc_sleep"), "20"]
            procs.append((f"k{i}", subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                    text=True, env=env)))
            if i == 4:
                pg_server.restart(self.server)  # mid-session: runs in flight lose their connection
            if i % 4 == 1:
                time.sleep(0.05)
                procs[-1][1].send_signal(signal.SIGKILL)
        for name, p in procs:
            p.communicate(timeout=300)
            if p.returncode == 0:
                completed.append(name)
        self.assertGreaterEqual(len(completed), 6)
        sync = perfcheck("history", "sync", "--history", self.uri, "--spool", self.spool, env=env)
        self.assertIn(sync.returncode, (0,), sync.stdout + sync.stderr)
        stored = pg_server.psql(self.uri, "SELECT name FROM perfcheck.results").split()
        for name in completed:
            self.assertEqual(stored.count(name), 1, f"{name}: {stored}")
        self.assertEqual(len(stored), len(set(stored)))


class ServerDiskFullTest(unittest.TestCase):
    """A server of the test's own on a small tmpfs (root may mount one; skipped otherwise), its
    disk then filled: the server refuses to extend its tables (SQLSTATE 53100), a run queues its
    result and keeps its verdict, and the result is sent once the disk has room again."""

    def setUp(self):
        self.tmp, self.server, self.uri = own_server(self, "perfcheck-pgfull-", "full", "immediate",
                                                     prepare=self.mount_small_disk)
        self.results = os.path.join(self.tmp, "results")
        self.filler = os.path.join(self.server, "filler")

    def mount_small_disk(self, folder):
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m,mode=0755", "tmpfs", folder],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest(f"cannot mount a small tmpfs for the server's disk: {mounted.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", folder], capture_output=True)

    def fill(self):
        """Writes the server's disk full (ENOSPC ends the filler)."""
        block = b"\0" * (1 << 20)
        with open(self.filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(block)
            except OSError:
                pass
        self.assertLess(os.statvfs(self.server).f_bavail * os.statvfs(self.server).f_frsize, 1 << 20)

    def test_a_full_disk_on_the_server_queues_the_result_until_there_is_room(self):
        self.assertEqual(run_noop(self.uri, self.results, name="t0").returncode, 0)
        self.fill()
        # 200 runs: thousands of sample rows, so the tables must grow.
        full = run_noop(self.uri, self.results, name="t1", runs=200)
        out = full.stdout + full.stderr
        self.assertEqual(full.returncode, 0, out)  # the verdict stands
        self.assertIn("No space left on device", out)
        self.assertIn("free space on the server and retry", out)
        self.assertIn("history: queued in", full.stdout)
        self.assertEqual(pg_server.psql(self.uri, "SELECT name FROM perfcheck.results").split(), ["t0"])
        os.remove(self.filler)
        assert_sent_with_the_next_run(self, self.uri, self.results, ["t0", "t1", "t2"])
        self.assertEqual(count(self.uri, "SELECT count(*) FROM perfcheck.samples s JOIN perfcheck.results r "
                                         "ON r.id = s.result_id WHERE r.name = 't1' AND s.metric = 'wall'"), 200)


class CredentialsTest(unittest.TestCase):
    """A server of the test's own whose role pc_secret must give its password (scram-sha-256)."""

    def setUp(self):
        self.tmp, server, uri = own_server(self, "perfcheck-cred-", "cred", "fast")
        hba = os.path.join(server, "data", "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:  # first match wins: the role's rule before initdb's trust
            f.write(f"local all pc_secret scram-sha-256\n{rules}")
        pg_server.psql(uri, "CREATE ROLE pc_secret LOGIN PASSWORD 'right-pass'; "
                            "GRANT ALL ON DATABASE cred TO pc_secret; SELECT pg_reload_conf();")
        self.uri = uri.replace("user=perfcheck", "user=pc_secret")
        self.results = os.path.join(self.tmp, "results")

    def test_wrong_credentials_say_so_and_keep_the_result(self):
        wrong = self.uri.replace("postgresql://", "postgresql://pc_secret:wrong-pass@")
        p = run_noop(wrong, self.results)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 2, out)
        self.assertIn('password authentication failed for user "pc_secret"', out)
        self.assertIn("check the URI, the user and the password (PGPASSWORD, ~/.pgpass or PGPASSFILE)", out)
        self.assertIn("pc_secret:***@", out)
        self.assertNotIn("wrong-pass", out)
        kept = os.path.join(self.results, "noop.json")
        self.assertIn(f"the result is kept in {kept}", out)
        listed = perfcheck("history", "list", "--history", wrong)
        self.assertEqual(listed.returncode, 2, listed.stdout + listed.stderr)
        self.assertIn("password authentication failed", listed.stderr)
        # The right password from libpq's environment: the kept result goes in, and a run records.
        env = clean_env(PGPASSWORD="right-pass")
        imported = perfcheck("history", "import", "--history", self.uri, kept, env=env)
        self.assertEqual(imported.returncode, 0, imported.stderr)
        self.assertEqual(run_noop(self.uri, self.results, env=env).returncode, 0)
        self.assertEqual(count(self.uri.replace("user=pc_secret", "user=perfcheck"),
                               "SELECT count(*) FROM perfcheck.results"), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
