#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Benchmark: 16 concurrent writers x 1,000 results against one PostgreSQL history.

A server of its own (tests/pg/pg_server.py, a Unix socket, fsync off as in every test server) and
a fresh database; --writers `perfcheck history import --history URI FILE...` processes start at
once, each with --results result files of its own (shaped like the ones `perfcheck run` writes:
a template taken from one real run of --program), and each file is one transaction (one result),
as `ctest -j` recording one result per test is. Then: every result present exactly once (0 lost,
0 duplicated, checked with psql), and the rate printed: results per second of wall time from the
first start to the last exit. Goal: >= --goal results/s (2,000). Exit 1 when a goal is missed.
Exit 77 without the PostgreSQL server binaries. Prints <CTestMeasurement> tags.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import pg_server  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from history_import import template_result  # noqa: E402  (one real run, the model result)


def write_files(folder, template, writer, count):
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(count):
        r = template
        r["name"] = f"w{writer:02}.test{i % 50:02}"
        r["started_at"] = f"2026-01-01T{i // 3600 % 24:02}:{i // 60 % 60:02}:{i % 60:02}.{writer:03}Z"
        r["runs"][0]["wall_ns"] = 1_000_000 + writer * 100_000 + i
        path = os.path.join(folder, f"{i:04}.json")
        with open(path, "w") as f:
            json.dump(r, f)
        paths.append(path)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("--writers", type=int, default=16)
    ap.add_argument("--results", type=int, default=1000)
    ap.add_argument("--goal", type=float, default=2000.0)
    a = ap.parse_args()
    if pg_server.find_binaries() is None:
        print(f"skipped: {pg_server.MISSING}")
        return 77
    tmp = tempfile.mkdtemp(prefix="perfcheck-pg-writers-")
    os.chmod(tmp, 0o755)
    server = os.path.join(tmp, "server")
    pg_server.start(server)
    try:
        uri = pg_server.fresh_database(server, "writers")
        template = template_result(a.perfcheck, a.program, tmp)
        files = [write_files(os.path.join(tmp, f"w{w}"), template, w, a.results) for w in range(a.writers)]
        # The schema first, so that the writers measure writing, not one migration.
        subprocess.run([a.perfcheck, "history", "import", "--history", uri, files[0][0]], check=True,
                       stdout=subprocess.DEVNULL)
        start = time.monotonic()
        procs = [subprocess.Popen([a.perfcheck, "history", "import", "--history", uri, *paths[1 if w == 0 else 0:]],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for w, paths in enumerate(files)]
        failed = [p.communicate()[1] for p in procs if p.wait() != 0]
        seconds = time.monotonic() - start
        total = a.writers * a.results
        stored = int(pg_server.psql(uri, "SELECT count(*) FROM perfcheck.results").strip())
        distinct = int(pg_server.psql(uri, "SELECT count(DISTINCT result_key) FROM perfcheck.results").strip())
    finally:
        pg_server.stop(server, "fast")
    rate = (total - 1) / seconds
    print(f"{a.writers} writers x {a.results} results: {stored} stored ({distinct} distinct) of {total}, "
          f"{seconds:.2f} s, {rate:.0f} results/s (goal >= {a.goal:.0f}/s)")
    print(f'<CTestMeasurement type="numeric/double" name="results_per_s">{rate:.1f}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="lost">{total - distinct}</CTestMeasurement>')
    print(f'<CTestMeasurement type="numeric/double" name="duplicated">{stored - distinct}</CTestMeasurement>')
    ok = not failed and stored == total and distinct == total and rate >= a.goal
    for message in failed:
        print(f"a writer failed: {message.strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
