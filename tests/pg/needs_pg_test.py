#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Tests of perfcheck_needs_pg (tests/pg/CMakeLists.txt) in small projects configured with
CMAKE_COMMAND: what it adds to a test (the fixture, the label, skip code 77, the environment
appended to the test's own) and the messages of its misuse. Nothing here starts a server.
"""
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CMAKE = os.environ["CMAKE_COMMAND"]
TOP = f"""cmake_minimum_required(VERSION 3.25)
project(needs_pg NONE)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
enable_testing()
add_subdirectory("{HERE}" pg)
add_subdirectory(sub)
"""


def configure(sub_cmakelists):
    """(cmake's result, the sub folder's CTestTestfile.cmake or '') of a project whose sub
    folder holds sub_cmakelists."""
    with tempfile.TemporaryDirectory(prefix="perfcheck-needs-pg-") as tmp:
        os.makedirs(f"{tmp}/src/sub")
        with open(f"{tmp}/src/CMakeLists.txt", "w") as f:
            f.write(TOP)
        with open(f"{tmp}/src/sub/CMakeLists.txt", "w") as f:
            f.write(sub_cmakelists)
        result = subprocess.run([CMAKE, "-S", f"{tmp}/src", "-B", f"{tmp}/build"],
                                capture_output=True, text=True, timeout=120)
        try:
            with open(f"{tmp}/build/sub/CTestTestfile.cmake") as f:
                return result, f.read(), f"{tmp}/build"
        except OSError:
            return result, "", f"{tmp}/build"


class NeedsPgTest(unittest.TestCase):
    def test_adds_the_fixture_and_appends_the_environment(self):
        result, tests, build = configure(
            "add_test(NAME t COMMAND true)\n"
            "set_tests_properties(t PROPERTIES LABELS mine ENVIRONMENT \"A=1;B=2\")\n"
            "perfcheck_needs_pg(t)\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f'ENVIRONMENT "A=1;B=2;PERFCHECK_TEST_PG_DIR={build}/pg-test;'
                      f'PERFCHECK_PG_SERVER={HERE}/pg_server.py"', tests)
        self.assertIn('FIXTURES_REQUIRED "pg"', tests)
        self.assertIn('LABELS "mine;pg"', tests)
        self.assertIn('SKIP_RETURN_CODE "77"', tests)

    def test_misuse_is_named(self):
        cases = {
            "perfcheck_needs_pg()\n": "perfcheck_needs_pg: no test given",
            "perfcheck_needs_pg(nope)\n": "perfcheck_needs_pg: no test named 'nope'",
            "perfcheck_needs_pg(pg.start)\n": "perfcheck_needs_pg: no test named 'pg.start'",
            "add_test(NAME t COMMAND true)\nset_tests_properties(t PROPERTIES SKIP_RETURN_CODE 4)\n"
            "perfcheck_needs_pg(t)\n": "test 't' has SKIP_RETURN_CODE 4",
        }
        for body, message in cases.items():
            with self.subTest(body=body):
                result, _, _ = configure(body)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(message, " ".join(result.stderr.split()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
