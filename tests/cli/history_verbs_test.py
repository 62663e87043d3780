#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of the `perfcheck history` verbs: import, list, show, export, prune and
accept, their errors, and hostile input (history_test.py records with `perfcheck run`).

On each backend (SQLite, and PostgreSQL when the pg fixture's server is up: history_harness.py),
because the verbs read and write both through the same store: the verbs end to end, their errors
(a history's newer schema, a bad import file), a history that does not exist yet (each backend's
own words), import checks, a forged key, control characters written into the history, list and
show as JSON, a full standard output, accept and its epochs, accept --machine. A location in a
message is asserted in each backend's exact form (a file's path, a database's URI).

SQLite only: a file that is not a database at all (a database's counterpart is a foreign schema,
refused in unit.pg_store_test). Once, with no history: the usage errors caught before any history
is opened, and a baseline file's run without time.

Environment: see history_harness.py.
"""
import copy
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from history_harness import (PERFCHECK, HistoryCase, clean_env, each_backend, history_exists,  # noqa: E402
                             perfcheck, prog, query, read_bytes, snapshot)


class HistoryVerbsTest(HistoryCase):
    @each_backend
    def test_verbs_end_to_end(self, history):
        files = self.write_results("s1", 5, name="parse") + self.write_results("s22", 3, name="parse")
        out = self.check(perfcheck("history", "import", "--history", history, *files)).stdout
        self.assertIn(f"{files[0]}: 1 new, 0 already present", out)

        listing = self.check(perfcheck("history", "list", "--history", history)).stdout
        self.assertRegex(listing, r"s1 +\S+ +5 ")
        self.assertRegex(listing, r"s22 +\S+ +3 ")
        self.assertIn("pass", listing)

        shown = self.check(perfcheck("history", "show", "s22", "--history", history)).stdout
        self.assertIn("session s22: 3 result(s)", shown)
        series = self.check(perfcheck("history", "show", "--test", "parse", "--last", "4",
                                      "--history", history)).stdout
        self.assertIn("test parse: 4 result(s)", series)
        lines = [line for line in series.splitlines() if line.startswith("  2026")]
        self.assertEqual(lines, sorted(lines))  # oldest first

        # export → import into a new history → export: the same bytes.
        first = self.path("export1.json")
        self.check(perfcheck("history", "export", "--history", history, "--output", first))
        copy_history = self.fresh(self.backend, "copy")
        out = self.check(perfcheck("history", "import", "--history", copy_history, first)).stdout
        self.assertIn(f"{first}: 8 new, 0 already present", out)
        second = self.path("export2.json")
        self.check(perfcheck("history", "export", "--history", copy_history, "-o", second))
        self.assertEqual(read_bytes(first), read_bytes(second))
        with open(first) as f:
            self.assertEqual(json.load(f)["schema"], "perfcheck/history/v1")

        # Importing again merges without duplicates.
        out = self.check(perfcheck("history", "import", "--history", copy_history, first, files[0])).stdout
        self.assertIn(f"{first}: 0 new, 8 already present", out)
        self.assertIn(f"{files[0]}: 0 new, 1 already present", out)

        out = self.check(perfcheck("history", "prune", "--history", copy_history, "--keep-last", "2")).stdout
        self.assertIn(f"removed 6 result(s) from {copy_history}", out)
        out = self.check(perfcheck("history", "prune", "--history", copy_history, "--older-than-days", "0")).stdout
        self.assertIn(f"removed 2 result(s) from {copy_history}", out)
        self.assertEqual(query(copy_history, "SELECT COUNT(*) FROM samples"), "0")

    def test_usage_errors_are_caught_before_any_history_is_opened(self):
        p = self.check(perfcheck("history", "list"), 2)
        self.assertIn("give --history FILE or set PERFCHECK_HISTORY", p.stderr)
        missing = self.path("none.sqlite")
        p = self.check(perfcheck("history", "prune", "--history", missing), 2)
        self.assertIn("--older-than-days N, --keep-last N", p.stderr)
        p = self.check(perfcheck("history", "prune", "--history", missing, "--older-than-days", "-1"), 2)
        self.assertIn("--older-than-days -1: use 0 or more days", p.stderr)
        p = self.check(perfcheck("history", "prune", "--history", missing, "--keep-last", "0"), 2)
        self.assertIn("keep 1 or more (to start over, delete the history file, or drop the schema perfcheck of a "
                      "PostgreSQL history)", p.stderr)
        self.assertFalse(os.path.exists(missing))

    @each_backend
    def test_verb_errors_say_what_to_do(self, history):
        self.check(perfcheck("history", "import", "--history", history, *self.write_results("a", 1)))
        query(history, "UPDATE perfcheck_meta SET value = '9' WHERE name = 'version'")
        before = snapshot(history)
        p = self.check(perfcheck("history", "export", "--history", history), 2)
        self.assertIn(f"error: history {history}: history schema version 9 is newer than this perfcheck "
                      "understands", p.stderr)
        self.assertEqual(snapshot(history), before)

        bad = self.path("bad.json")
        with open(bad, "w") as f:
            json.dump({"schema": "perfcheck/history/v1", "results": [{"key": "nope", "recorded_at": "x", "result": {}}]}, f)
        other = self.fresh(self.backend, "other")
        p = self.check(perfcheck("history", "import", "--history", other, bad), 2)
        self.assertIn(f"{bad}: field 'results[0].key'", p.stderr)
        self.assertFalse(history_exists(other) and query(other, "SELECT COUNT(*) FROM results") != "0")

    @each_backend
    def test_a_history_that_does_not_exist_yet_is_named(self, history):
        """Reading verbs and writing verbs that never create a history (prune, accept)."""
        if self.backend == "sqlite":
            no_history = f"history {history}: no such file; record results into it first"
            for verb in (["list"], ["show", "latest"], ["export"], ["prune", "--keep-last", "1"], ["accept", "gen"]):
                p = self.check(perfcheck("history", *verb, "--history", history), 2)
                self.assertIn(no_history, p.stderr)
        else:
            # An empty database reads as an empty history (the schema is made in temporary tables).
            p = self.check(perfcheck("history", "list", "--history", history))
            self.assertEqual(p.stdout, f"no results in {history} yet; record some with "
                                       f"'perfcheck run --history {history}'\n")
            p = self.check(perfcheck("history", "show", "latest", "--history", history), 2)
            self.assertIn(f"error: history {history} has no sessions yet", p.stderr)
            exported = json.loads(self.check(perfcheck("history", "export", "--history", history)).stdout)
            self.assertEqual(exported["results"], [])
            for verb in (["prune", "--keep-last", "1"], ["accept", "gen"]):
                p = self.check(perfcheck("history", *verb, "--history", history), 2)
                self.assertIn(f"error: history {history}: the database has no perfcheck history yet (no "
                              f"schema 'perfcheck'); record results into it first ('perfcheck run --history "
                              f"{history}')", p.stderr)
        self.assertFalse(history_exists(history))

    def test_a_file_that_is_not_a_database_is_named(self):
        garbage = self.path("notes.txt")
        with open(garbage, "w") as f:
            f.write("not a database\n" * 200)
        before = read_bytes(garbage)
        p = self.check(perfcheck("history", "list", "--history", garbage), 2)
        self.assertIn(f"history {garbage}", p.stderr)
        self.assertIn("not a database", p.stderr)
        self.assertEqual(read_bytes(garbage), before)

    # --- hostile input ---------------------------------------------------------------------------

    @each_backend
    def test_import_checks_what_run_checks(self, history):
        # Names run refuses: newline, NUL, ESC (a terminal title change, a screen clear).
        for i, name in enumerate(["two\nlines", "nul\u0000cut", "esc\u001b]0;pwned\u0007", "csi\u001b[2J"]):
            r = copy.deepcopy(self.template)
            r["name"] = name
            p = self.check(perfcheck("history", "import", "--history", history,
                                     self.write_json(f"name{i}.json", r)), 2)
            self.assertIn("field 'name': contains a control character", p.stderr)
            self.assertNotIn("\u001b", p.stderr)
        # Threshold text the grammar does not accept.
        r = copy.deepcopy(self.template)
        r["thresholds"] = [{"expr": "wall.median <\u001b[31m 1s", "value": 1, "ok": True}]
        p = self.check(perfcheck("history", "import", "--history", history,
                                 self.write_json("threshold.json", r)), 2)
        self.assertIn("field 'thresholds[0].expr': is not a threshold", p.stderr)
        self.assertNotIn("\u001b", p.stderr)
        # A run that took no time, in an export: named by result and run.
        r = copy.deepcopy(self.template)
        r["runs"][1]["wall_ns"] = 0
        export = self.write_json("zero.json", {"schema": "perfcheck/history/v1", "results": [
            {"recorded_at": "2026-01-01T00:00:00.000Z", "result": r}]})
        p = self.check(perfcheck("history", "import", "--history", history, export), 2)
        self.assertIn(f"{export}: field 'results[0].result.runs[1]': has wall_ns 0", p.stderr)
        self.assertFalse(history_exists(history) and query(history, "SELECT COUNT(*) FROM results") != "0")

    @each_backend
    def test_a_forged_key_is_refused_not_taken_for_a_present_result(self, history):
        present, incoming = self.write_results("k", 2)
        self.check(perfcheck("history", "import", "--history", history, present))
        exported = json.loads(self.check(perfcheck("history", "export", "--history", history)).stdout)
        key = exported["results"][0]["key"]
        with open(incoming) as f:
            other = json.load(f)
        forged = self.write_json("forged.json", {"schema": "perfcheck/history/v1", "results": [
            {"key": key, "recorded_at": "2026-01-01T00:00:00.000Z", "result": other}]})
        p = self.check(perfcheck("history", "import", "--history", history, forged), 2)
        self.assertIn("field 'results[0].key'", p.stderr)
        self.assertIn("is not the key of this result's content", p.stderr)
        self.assertEqual(query(history, "SELECT COUNT(*) FROM results"), "1")

    def test_a_baseline_file_run_without_time_is_rejected_before_any_run(self):
        run = {"wall_ns": 1000, "user_ns": 1, "sys_ns": 1, "max_rss_bytes": 1, "exit_code": 0, "signal": None}
        zero = dict(run, wall_ns=0)
        baseline = self.write_json("baseline.json", {"schema": "perfcheck/baseline/v1", "tests": {
            "nap": {"runs": [run, zero, run]}}})
        p = self.check(perfcheck("run", "--name", "nap", "--runs", "3", "--warmup", "0", "--regression",
                                 "wall.median +5%", "--baseline", "file", "--baseline-file", baseline,
                                 "--json", self.path("r.json"), "--", prog("pc_noop")), 2)
        self.assertIn(f"{baseline}: field 'tests.nap.runs[1]': has wall_ns 0", p.stderr)

    # Text written into the history by something else: a session id with a title change, a branch
    # with a newline, a name with a screen clear, a reason with a C1 CSI (U+009B). The same values
    # in each backend's SQL (SQLite's char() and json_set, PostgreSQL's chr() and jsonb_set).
    FORGE = {
        "sqlite": "UPDATE results SET session_id = 'evil' || char(27) || ']0;x' || char(7), "
                  "git_branch = 'b' || char(10) || 'forged line', "
                  "name = 't' || char(27) || '[2J', "
                  "result_json = json_set(result_json, '$.name', 't' || char(27) || '[2J', "
                  "'$.reasons', json_array('r' || char(155) || 'x'))",
        "postgresql": "UPDATE results SET session_id = 'evil' || chr(27) || ']0;x' || chr(7), "
                      "git_branch = 'b' || chr(10) || 'forged line', "
                      "name = 't' || chr(27) || '[2J', "
                      "result_json = jsonb_set(jsonb_set(result_json::jsonb, '{name}', "
                      "to_jsonb('t' || chr(27) || '[2J')), '{reasons}', "
                      "jsonb_build_array('r' || chr(155) || 'x'))::text",
    }

    @each_backend
    def test_list_and_show_escape_control_characters_from_the_history(self, history):
        """A history written by something else: its text reaches the terminal written out."""
        self.check(perfcheck("history", "import", "--history", history, *self.write_results("s", 1, name="t")))
        query(history, self.FORGE[self.backend])
        listing = self.check(perfcheck("history", "list", "--history", history)).stdout
        self.assertNotIn("\u001b", listing)
        self.assertIn("evil\\x1b]0;x\\x07", listing)
        self.assertIn("b\\nforged line", listing)
        session = "evil\u001b]0;x\u0007"
        shown = self.check(perfcheck("history", "show", session, "--history", history)).stdout
        self.assertNotIn("\u001b", shown)
        self.assertNotIn("\u009b", shown)
        self.assertIn("t\\x1b[2J", shown)
        self.assertIn("r\\u009bx", shown)
        series = self.check(perfcheck("history", "show", "--test", "t\u001b[2J", "--history", history)).stdout
        self.assertIn("test t\\x1b[2J: 1 result(s)", series)
        self.assertIn("b\\nforged line", series)

    # --- JSON and standard output ----------------------------------------------------------------

    @each_backend
    def test_list_and_show_print_json(self, history):
        files = self.write_results("s1", 2, name="parse") + self.write_results("s22", 1, name="parse")
        self.check(perfcheck("history", "import", "--history", history, *files))
        listing = json.loads(self.check(perfcheck("history", "list", "--json", "--history", history)).stdout)
        self.assertEqual(listing["schema"], "perfcheck/history-sessions/v1")
        self.assertEqual(listing["history"], history)
        self.assertEqual([(s["id"], s["results"]) for s in listing["sessions"]], [("s1", 2), ("s22", 1)])
        self.assertEqual(listing["sessions"][0]["verdicts"], {"pass": 2})
        for key in ("started_at", "finished_at", "machine", "git_branch", "git_commit"):
            self.assertIn(key, listing["sessions"][0])
        # show SESSION --json is an export of the session: it imports as it is.
        shown = self.check(perfcheck("history", "show", "s1", "--json", "--history", history)).stdout
        session = json.loads(shown)
        self.assertEqual(session["schema"], "perfcheck/history/v1")
        self.assertEqual(len(session["results"]), 2)
        with open(files[0]) as f:
            self.assertIn(json.load(f), [e["result"] for e in session["results"]])
        copy_file = self.path("session.json")
        with open(copy_file, "w") as f:
            f.write(shown)
        copy_history = self.fresh(self.backend, "copy")
        out = self.check(perfcheck("history", "import", "--history", copy_history, copy_file)).stdout
        self.assertIn("2 new, 0 already present", out)
        series = json.loads(self.check(perfcheck("history", "show", "--test", "parse", "--last", "2", "--json",
                                                 "--history", history)).stdout)
        self.assertEqual(series["schema"], "perfcheck/history-series/v1")
        self.assertEqual(series["history"], history)
        self.assertEqual(series["test"], "parse")
        self.assertEqual(len(series["points"]), 2)
        # Oldest first: the newest two start at 00:00:00.003 (s22) and 00:00:01.002 (s1).
        self.assertEqual([p["session_id"] for p in series["points"]], ["s22", "s1"])
        point = series["points"][-1]
        self.assertEqual(point["verdict"], "pass")
        self.assertGreater(point["summary"]["wall"]["median"], 0)

    @each_backend
    def test_export_to_a_full_disk_is_an_error(self, history):
        self.check(perfcheck("history", "import", "--history", history, *self.write_results("a", 3)))
        with open("/dev/full", "w") as full:
            p = subprocess.run([PERFCHECK, "history", "export", "--history", history], stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60, env=clean_env())
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("No space left on device", p.stderr)
        self.assertIn("the output is incomplete", p.stderr)
        # list and show --json make the same check (standard_output's check_stdout), with the OS's words.
        # Several times: a write function that returned -1 to glibc crashed some of them (SIGSEGV).
        for verb in (["list", "--json"], ["show", "a", "--json"]) + (["show", "--test", "gen", "--json"],) * 8:
            with open("/dev/full", "w") as full:
                p = subprocess.run([PERFCHECK, "history", *verb, "--history", history], stdout=full,
                                   stderr=subprocess.PIPE, text=True, timeout=60, env=clean_env())
            self.assertEqual(p.returncode, 4, (verb, p.stderr))
            self.assertIn("error: write to standard output: No space left on device", p.stderr)

    # --- accept ----------------------------------------------------------------------------------

    # Each result's baseline state and epoch, oldest first.
    STATES = "SELECT baseline_state || '@' || epoch FROM results ORDER BY started_at"

    def states(self, history):
        return " ".join(query(history, self.STATES).splitlines())

    @each_backend
    def test_accept_starts_a_new_baseline_epoch(self, h):
        passed = self.write_results("s-a", 2, name="gen", commit="good")
        slow = self.write_results("s-b", 2, name="gen", verdict="regressed", commit="badc0ffee", first=2)
        self.check(perfcheck("history", "import", "--history", h, *passed, *slow))
        self.assertEqual(self.states(h), "accepted@0 accepted@0 pending@0 pending@0")
        # The reports say what waits.
        report = self.path(f"report-{self.backend}")
        self.check(perfcheck("report", "--history", h, "--out", report, "--format", "md,html"))
        with open(os.path.join(report, "summary.md")) as f:
            self.assertIn("regressed since badc0ffee, not accepted", f.read())
        with open(os.path.join(report, "index.html")) as f:
            self.assertIn("regressed since badc0ffee, not accepted", f.read())

        out = self.check(perfcheck("history", "accept", "gen", "--history", h)).stdout
        self.assertRegex(out, r"accepted gen: baseline epoch 1 starts at its result of \S+ "
                              r"\(commit badc0ffee\) on branch .*; 2 result\(s\) in the new epoch")
        self.assertEqual(self.states(h), "accepted@0 accepted@0 accepted@1 accepted@1")
        self.assertEqual(query(h, "SELECT name, epoch FROM acceptances"), "gen|1")
        self.check(perfcheck("report", "--history", h, "--out", report + "2", "--format", "md"))
        with open(os.path.join(report + "2", "summary.md")) as f:
            self.assertNotIn("not accepted", f.read())

        p = self.check(perfcheck("history", "accept", "gen", "--history", h), 2)
        self.assertIn(f"error: test 'gen' has no regressed or failed result waiting for acceptance in "
                      f"history {h}", p.stderr)
        self.assertIn("give --session ID", p.stderr)
        p = self.check(perfcheck("history", "accept", "gen", "nope", "--session", "s-a", "--history", h), 2)
        self.assertIn("accepted gen: baseline epoch 2", p.stdout)  # the others still go ahead
        self.assertIn(f"history {h} has no result of test 'nope' in session 's-a'", p.stderr)
        self.assertEqual(self.states(h), "accepted@0 accepted@2 accepted@2 accepted@2")
        p = self.check(perfcheck("history", "accept", "nope", "--history", h), 2)
        self.assertIn(f"history {h} has no result of test 'nope' to accept", p.stderr)

        p = self.check(perfcheck("history", "accept", "gen"), 2)
        self.assertIn("give --history FILE or set PERFCHECK_HISTORY", p.stderr)
        p = self.check(perfcheck("history", "accept", "--history", h), 2)
        self.assertIn("tests", p.stderr)

    @each_backend
    def test_accept_machine_picks_the_series(self, h):
        here, there = "a1" * 8, "b2" * 8
        passed = self.write_results("s-a", 2, machine=here)
        slow = self.write_results("s-b", 1, verdict="regressed", commit="badc0ffee", first=2, machine=here)
        newest = self.write_results("s-c", 1, first=3, machine=there)  # another machine, later
        self.check(perfcheck("history", "import", "--history", h, *passed, *slow, *newest))
        # Without --machine the newest result's series (the other machine) has nothing waiting.
        p = self.check(perfcheck("history", "accept", "gen", "--history", h), 2)
        self.assertIn("has no regressed or failed result waiting", p.stderr)
        out = self.check(perfcheck("history", "accept", "gen", "--machine", here, "--history", h)).stdout
        self.assertIn("accepted gen: baseline epoch 1 starts at its result of", out)
        self.assertIn(f"machine {here}; 1 result(s) in the new epoch", out)
        self.assertEqual(query(h, "SELECT machine, epoch FROM acceptances"), f"{here}|1")
        self.assertEqual(query(h, f"SELECT COUNT(*) FROM results WHERE machine = '{there}' AND epoch = 0"), "1")
        p = self.check(perfcheck("history", "accept", "gen", "--machine", here, "--history", h), 2)
        self.assertIn(f"test 'gen' on machine '{here}' (--machine) has no regressed or failed result", p.stderr)
        p = self.check(perfcheck("history", "accept", "gen", "--machine", "c3" * 8, "--history", h), 2)
        self.assertIn(f"history {h} has no result of test 'gen' on machine '{'c3' * 8}' (--machine); the test "
                      f"has results on machine(s) {here}, {there}: give one of them to --machine", p.stderr)
        p = self.check(perfcheck("history", "accept", "nope", "--machine", here, "--session", "s-a",
                                 "--history", h), 2)
        self.assertIn(f"no result of test 'nope' in session 's-a' on machine '{here}' (--machine); the test has "
                      "no result on any machine", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
