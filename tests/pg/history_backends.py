# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""The history backends a CLI test runs against: SQLite always, PostgreSQL when the test needs
the fixture pg (perfcheck_needs_pg in CMake sets PERFCHECK_TEST_PG_DIR) and its server is up.

    sys.path.insert(0, os.path.dirname(os.environ["PERFCHECK_PG_SERVER"]))  # or tests/pg
    from history_backends import backends, history_location
    for backend in backends():
        with self.subTest(backend=backend):
            history = history_location(backend, tmpdir, self.id())
            perfcheck("run", ..., "--history", history)
"""
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_server  # noqa: E402  (this folder, whichever way this module was found)

MAX_NAME = 63  # PostgreSQL's identifier limit (NAMEDATALEN - 1)


def pg_dir():
    """The fixture server's folder (PERFCHECK_TEST_PG_DIR), or None when the test has none."""
    return os.environ.get("PERFCHECK_TEST_PG_DIR") or None


def backends():
    """["sqlite"], plus "postgresql" when PERFCHECK_TEST_PG_DIR is set and its server answers;
    says on stderr why PostgreSQL is left out when the variable is set but the server is not up."""
    found = ["sqlite"]
    folder = pg_dir()
    if folder is None:
        return found
    if pg_server.find_binaries() is None:
        print(f"history_backends: PostgreSQL left out: {pg_server.MISSING}", file=sys.stderr)
        return found
    try:
        pg_server.psql(folder, "SELECT 1;")
    except (pg_server.ServerError, OSError) as e:
        print(f"history_backends: PostgreSQL left out: no server answers in {folder} "
              f"(did the fixture pg.start run? see {folder}/log/postgresql.log): {e}",
              file=sys.stderr)
        return found
    return found + ["postgresql"]


def database_name(name):
    """name as a PostgreSQL database name: lower case, [a-z0-9_] only, at most 63 characters
    (a longer one keeps its start and ends with a hash of the whole, so names stay distinct)."""
    clean = re.sub(r"[^a-z0-9_]", "_", name.lower()) or "_"
    if len(clean) <= MAX_NAME:
        return clean
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{clean[:MAX_NAME - len(digest) - 1]}_{digest}"


def history_location(backend, tmpdir, name):
    """A fresh history for backend: the path of an SQLite file in tmpdir that does not exist
    (removed if it did), or the URI of an empty database on the fixture's server named after name."""
    if backend == "sqlite":
        path = os.path.join(tmpdir, f"{database_name(name)}.sqlite")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return path
    if backend == "postgresql":
        folder = pg_dir()
        if folder is None:
            raise RuntimeError("history_location('postgresql'): PERFCHECK_TEST_PG_DIR is not set: "
                               "register the test with perfcheck_needs_pg in CMake")
        return pg_server.fresh_database(folder, database_name(name))
    raise ValueError(f"history_location: unknown backend {backend!r}: use 'sqlite' or 'postgresql'")
