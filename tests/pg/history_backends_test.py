#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Tests of tests/pg/history_backends.py against the fixture's server, registered with
perfcheck_needs_pg as the CLI tests of the PostgreSQL history will be: the environment it sets
(appended to the test's own), both backends offered, fresh SQLite paths and fresh databases,
and database names sanitised to PostgreSQL's rules.

Exit 77 (skipped) when the server binaries are absent.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.environ["PERFCHECK_PG_SERVER"]))
import history_backends  # noqa: E402
import pg_server  # noqa: E402


class HistoryBackendsTest(unittest.TestCase):
    def test_the_environment_of_perfcheck_needs_pg_is_appended(self):
        self.assertEqual(os.environ.get("PERFCHECK_BACKENDS_TEST"), "1", "the test's own entry was lost")
        self.assertTrue(os.path.isfile(os.environ["PERFCHECK_PG_SERVER"]))
        self.assertTrue(os.path.isfile(os.path.join(os.environ["PERFCHECK_TEST_PG_DIR"], "uri")))

    def test_both_backends_while_the_fixture_runs_and_sqlite_alone_without_it(self):
        self.assertEqual(history_backends.backends(), ["sqlite", "postgresql"])
        saved = os.environ.pop("PERFCHECK_TEST_PG_DIR")
        try:
            self.assertEqual(history_backends.backends(), ["sqlite"])
            with tempfile.TemporaryDirectory() as down:
                os.environ["PERFCHECK_TEST_PG_DIR"] = down
                self.assertEqual(history_backends.backends(), ["sqlite"])
        finally:
            os.environ["PERFCHECK_TEST_PG_DIR"] = saved

    def test_a_fresh_database_each_time(self):
        with tempfile.TemporaryDirectory() as tmp:
            uri = history_backends.history_location("postgresql", tmp, "HistoryBackends.test-fresh")
            self.assertIn("postgresql:///historybackends_test_fresh?host=", uri)
            pg_server.psql(uri, "CREATE TABLE results (id int);")
            again = history_backends.history_location("postgresql", tmp, "HistoryBackends.test-fresh")
            self.assertEqual(again, uri)
            found = pg_server.psql(uri, "SELECT count(*) FROM pg_tables WHERE tablename = 'results';")
            self.assertEqual(found.strip(), "0")

    def test_a_fresh_sqlite_path_each_time(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = history_backends.history_location("sqlite", tmp, "Some.Test")
            self.assertEqual(path, os.path.join(tmp, "some_test.sqlite"))
            for suffix in ("", "-wal"):
                with open(path + suffix, "w") as f:
                    f.write("old")
            self.assertEqual(history_backends.history_location("sqlite", tmp, "Some.Test"), path)
            self.assertFalse(os.path.exists(path) or os.path.exists(path + "-wal"))

    def test_names_follow_postgresql_rules(self):
        self.assertEqual(history_backends.database_name("A-b.C d"), "a_b_c_d")
        long_a, long_b = "t" * 70 + "a", "t" * 70 + "b"
        self.assertEqual(len(history_backends.database_name(long_a)), 63)
        self.assertNotEqual(history_backends.database_name(long_a), history_backends.database_name(long_b))
        with tempfile.TemporaryDirectory() as tmp:
            uri = history_backends.history_location("postgresql", tmp, long_a)
            self.assertEqual(pg_server.psql(uri, "SELECT current_database();").strip(),
                             history_backends.database_name(long_a))

    def test_an_unknown_backend_is_named(self):
        with self.assertRaisesRegex(ValueError, "unknown backend 'mysql': use 'sqlite' or 'postgresql'"):
            history_backends.history_location("mysql", "/tmp", "x")


if __name__ == "__main__":
    if pg_server.find_binaries() is None:
        print(f"history_backends_test: skipped: {pg_server.MISSING}")
        sys.exit(77)
    unittest.main(verbosity=2)
