# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""What the history's CLI tests (history_test.py, history_verbs_test.py) share: the perfcheck
executable, results generated from one real result, and the history backends.

A case decorated with @each_backend runs once per backend of tests/pg/history_backends.py, each a
subTest with a fresh history of its own: an SQLite file always, a database on the pg fixture's
server when the test is registered with perfcheck_needs_pg (PERFCHECK_TEST_PG_DIR) and the server
answers. query() reads a history of either kind with SQL (the sqlite3 shell for a file, psql in
the perfcheck schema for a database), so one assertion serves both.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*), SQLITE3 (the
sqlite3 command-line shell; found in PATH when unset), and PERFCHECK_TEST_PG_DIR with
PERFCHECK_PG_SERVER from perfcheck_needs_pg.
"""
import copy
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
SQLITE3 = os.environ.get("SQLITE3", "")
if not SQLITE3 or SQLITE3.endswith("NOTFOUND"):
    SQLITE3 = shutil.which("sqlite3") or "sqlite3"

_PG_TOOLS = os.path.dirname(os.environ.get("PERFCHECK_PG_SERVER", "")) or \
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg")
sys.path.insert(0, _PG_TOOLS)
import history_backends  # noqa: E402
import pg_server  # noqa: E402

BACKENDS = history_backends.backends()
PG_SCHEMA = "perfcheck"  # where the PostgreSQL history keeps its tables (pg_history_store.cpp)


def prog(name):
    return os.path.join(BIN, name)


def clean_env(**extra):
    """The environment without PERFCHECK_* context variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PERFCHECK_HISTORY", "PERFCHECK_SESSION_ID", "PERFCHECK_GIT_COMMIT",
                        "PERFCHECK_GIT_BRANCH", "PERFCHECK_COMPILER")}
    env.update(extra)
    return env


def perfcheck(*args, env=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=300,
                          env=env if env is not None else clean_env())


def is_postgresql(history):
    return history.startswith(("postgresql://", "postgres://"))


def sql(db, statements):
    """The sqlite3 shell's output (stripped) for statements on the file db."""
    p = subprocess.run([SQLITE3, db, statements], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"sqlite3 {db} {statements!r}: {p.stderr}")
    return p.stdout.strip()


def query(history, statements):
    """statements on either kind of history, the output as the sqlite3 shell prints it (rows on
    lines, columns joined by '|', stripped): the sqlite3 shell for a file, psql with the search
    path set to the perfcheck schema for a postgresql:// URI."""
    if not is_postgresql(history):
        return sql(history, statements)
    return pg_server.psql(history, f"SET search_path TO {PG_SCHEMA};\n{statements};\n").strip()


def history_exists(history):
    """Whether anything made the history: the file exists, or the database has the schema."""
    if not is_postgresql(history):
        return os.path.exists(history)
    return query(history, f"SELECT count(*) FROM pg_namespace WHERE nspname = '{PG_SCHEMA}'") == "1"


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def snapshot(history):
    """Everything a history holds, to compare before and after: a file's bytes, or for a database
    its perfcheck schema's objects and every row of each of its tables (as text, sorted)."""
    if not is_postgresql(history):
        return read_bytes(history)
    objects = query(history, "SELECT c.relkind::text || ' ' || c.relname FROM pg_class c JOIN pg_namespace n "
                             f"ON n.oid = c.relnamespace WHERE n.nspname = '{PG_SCHEMA}' ORDER BY c.relname")
    tables = [line.split(" ", 1)[1] for line in objects.splitlines() if line.startswith("r ")]
    rows = {t: query(history, f"SELECT t::text FROM {t} t ORDER BY 1") for t in tables}
    return objects, rows


def each_backend(case):
    """Runs case(self, history) once per backend, each a subTest with a fresh history
    (self.backend says which); prints which backend each run is on, so a verbose log shows that
    the PostgreSQL half ran."""
    @functools.wraps(case)
    def run(self):
        for backend in BACKENDS:
            with self.subTest(backend=backend):
                self.backend = backend
                history = self.fresh(backend, "history")
                print(f"\n  {self._testMethodName} on {backend}: {history}", file=sys.stderr, flush=True)
                case(self, history)
    return run


class HistoryCase(unittest.TestCase):
    template = None  # one real result, the model of the generated ones
    backend = "sqlite"

    @classmethod
    def setUpClass(cls):
        print(f"history backends: {', '.join(BACKENDS)}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="perfcheck-history-") as d:
            path = os.path.join(d, "r.json")
            p = perfcheck("run", "--runs", "3", "--warmup", "0", "-q", "--json", path, "--", prog("pc_noop"))
            if p.returncode != 0:
                raise AssertionError(p.stdout + p.stderr)
            with open(path) as f:
                cls.template = json.load(f)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-history-")
        self.dir = self.tmp.name
        self.history = os.path.join(self.dir, "history.sqlite")

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def fresh(self, backend, name):
        """A new, empty history of backend named after this test and name (a file in the test's
        folder, or a database on the fixture's server)."""
        return history_backends.history_location(backend, self.dir, f"{self.id()}_{name}")

    def write_results(self, prefix, count, name="gen", verdict=None, commit=None, first=0, machine=None):
        """`count` distinct result files made from the template; returns their paths."""
        paths = []
        for i in range(first, first + count):
            r = copy.deepcopy(self.template)
            r["name"] = name
            if verdict is not None:
                r["verdict"] = verdict
            if commit is not None:
                r["context"]["git_commit"] = commit
            if machine is not None:
                r["context"]["machine"] = machine
            # Distinct start times make distinct results (and a time order).
            r["started_at"] = f"2026-01-01T{i // 3600 % 24:02}:{i // 60 % 60:02}:{i % 60:02}.{len(prefix):03}Z"
            r["context"]["session_id"] = prefix
            r["runs"][0]["wall_ns"] = 1_000_000 + i
            path = self.path(f"{prefix}-{i:04}.json")
            with open(path, "w") as f:
                json.dump(r, f)
            paths.append(path)
        return paths

    def write_json(self, name, value):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(value, f)
        return path

    def check(self, p, code=0):
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        return p
