#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""PROFILE end to end (docs/profiles.md): a regressed pc_profiled (its busy_loop 8 times longer
than the baseline command's) is profiled on both sides by perf and by callgrind, busy_loop tops
the table, the flame graphs are well-formed SVG with the template name escaped, and the
differential one renders in headless Chromium; a passing test is not profiled; a missing
profiler, a valgrind that cannot run the program, and a stripped program each say what was not
measured or what to fix.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*),
CHROMIUM (optional: the browser; default: chromium in PATH).
"""
import json
import os
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from headless_chromium import CHROMIUM, chromium, png_distinct_bytes  # noqa: E402

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
PROGRAM = os.path.join(BIN, "pc_profiled")
SVG = "{http://www.w3.org/2000/svg}"


def perfcheck(*args, env=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def regressed_run(folder, profiler, program=PROGRAM, env=None):
    """A run whose candidate regresses against its baseline command, profiled by `profiler`."""
    return perfcheck("run", "--name", "profiled", "--runs", "5:30", "--regression", "wall.median +5%",
                     "--baseline", "command", "--baseline-command", f"{PROGRAM} --busy 1",
                     "--output-dir", folder, "--profile", profiler, "--", program, "--busy", "8", env=env)


def result(folder):
    with open(os.path.join(folder, "profiled.json")) as f:
        return json.load(f)


class ProfileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="perfcheck-profile-test-")
        self.out = os.path.join(self.tmp, "out")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_differential(self, profiler):
        p = regressed_run(self.out, profiler)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        profile = result(self.out)["profile"]
        self.assertEqual(profile["tool"], profiler)
        self.assertEqual(profile["not_measured"], "")
        names = ["profile.folded", "profile.svg", "baseline.folded", "baseline.svg", "profile-diff.svg"]
        self.assertEqual(profile["files"], [os.path.join(self.out, "profiled." + n) for n in names])
        top = profile["rows"][0]
        # callgrind names a C++ function with its parameters
        self.assertEqual(top["function"], "busy_loop" if profiler == "perf" else "busy_loop(long)", profile["rows"])
        # busy_loop is 8 rounds beside steady_work's 8 in the candidate, 1 in the baseline: its
        # self share grows by tens of points (about 0.5 - 0.11).
        self.assertGreater(top["candidate"] - top["baseline"], 0.15, top)
        for name in names[1::2]:
            root = ET.parse(os.path.join(self.out, "profiled." + name)).getroot()
            self.assertEqual(root.tag, SVG + "svg")
        with open(os.path.join(self.out, "profiled.profile-diff.svg"), encoding="utf-8") as f:
            svg = f.read()
        self.assertIn("steady_work&lt;int&amp;&gt;", svg)
        self.assertNotIn("steady_work<int&>", svg)
        self.assertIn("<title>busy_loop", svg)  # its tooltip
        self.assertIn("profile (" + profiler, p.stdout)
        self.assertIn("busy_loop", p.stdout)
        with open(os.path.join(self.out, "profiled.profile.folded")) as f:
            folded = f.read()
        self.assertRegex(folded, r"(^|\n)[^\n]*;busy_loop(\(long\))? \d+\n")
        return svg

    def test_perf_profiles_both_sides_and_busy_loop_tops_the_table(self):
        if not shutil.which("perf"):
            self.skipTest("perf is not installed")
        self.check_differential("perf")
        if CHROMIUM:
            shot = os.path.join(self.tmp, "diff.png")
            page = "file://" + os.path.join(self.out, "profiled.profile-diff.svg")
            p = chromium(os.path.join(self.tmp, "chromium"), f"--screenshot={shot}", "--window-size=1200,400", page)
            self.assertTrue(os.path.exists(shot), p.stderr[-2000:])
            self.assertGreater(png_distinct_bytes(shot), 40, "the flame graph renders blank")

    def test_callgrind_profiles_both_sides_and_busy_loop_tops_the_table(self):
        if not shutil.which("valgrind"):
            self.skipTest("valgrind is not installed")
        self.check_differential("callgrind")

    def test_the_reports_show_the_table_and_link_the_graphs_escaped(self):
        if not shutil.which("perf"):
            self.skipTest("perf is not installed")
        history = os.path.join(self.tmp, "history.db")
        p = regressed_run(self.out, "perf")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        # A hostile function name, as a tampered result file would carry it, imported as a result.
        with open(os.path.join(self.out, "profiled.json")) as f:
            r = json.load(f)
        self.assertEqual(r["profile"]["rows"][0]["function"], "busy_loop")
        r["profile"]["rows"].append({"function": "<script>alert(1)</script>|*x*", "candidate": 0.01,
                                     "baseline": 0, "inclusive": 0.01})
        tampered = os.path.join(self.tmp, "profiled.json")
        with open(tampered, "w") as f:
            json.dump(r, f)
        p = perfcheck("history", "import", "--history", history, tampered)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        report = os.path.join(self.tmp, "report")
        p = perfcheck("report", "--history", history, "--out", report, "--format", "html,md,json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(report, "summary.md"), encoding="utf-8") as f:
            md = f.read()
        with open(os.path.join(report, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn("#### Profile of profiled (perf)", md)
        self.assertRegex(md, r"\| busy\\_loop \| \d+\.\d% \| \d+\.\d% \| \+\d+\.\d points \|")
        self.assertIn('<a href="../out/profiled.profile-diff.svg">', md)  # relative to the report
        self.assertIn('<a href="../out/profiled.profile-diff.svg">profiled.profile-diff.svg</a>', html)
        self.assertIn("<td><code>busy_loop</code></td>", html)
        for text in (md, html):
            self.assertNotIn("<script>alert", text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        with open(os.path.join(report, "report.json")) as f:
            tests = json.load(f)["tests"]
        self.assertEqual(tests[0]["profile"]["rows"], r["profile"]["rows"])

    def test_a_sweep_profiles_its_failed_level_and_the_reports_name_it(self):
        if not shutil.which("perf"):
            self.skipTest("perf is not installed")
        # busy=24 fails its gate; busy=1 has none: the profile is busy=24's, run with its value.
        p = perfcheck("run", "--name", "profiled", "--runs", "3", "--parameter", "busy=1,24",
                      "--threshold", "wall.median@busy=24 < 1us", "--output-dir", self.out, "--profile", "perf",
                      "--", PROGRAM, "--busy", "{busy}")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        r = result(self.out)
        self.assertEqual([pt["verdict"] for pt in r["points"]], ["pass", "failed"])
        profile = r["profile"]
        self.assertEqual(profile["level"], "busy=24")
        self.assertEqual(profile["not_measured"], "")
        self.assertEqual(profile["rows"][0]["function"], "busy_loop", profile["rows"])
        # 24 rounds of busy_loop beside steady_work's 8: about three quarters of the samples (at
        # busy=1 it would be about a tenth, and steady_work the top row).
        self.assertGreater(profile["rows"][0]["candidate"], 0.6, profile["rows"])
        self.assertIn("level busy=24", p.stdout + p.stderr)
        history = os.path.join(self.tmp, "history.db")
        p = perfcheck("history", "import", "--history", history, os.path.join(self.out, "profiled.json"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        report = os.path.join(self.tmp, "report")
        p = perfcheck("report", "--history", history, "--out", report, "--format", "html,md")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(report, "summary.md"), encoding="utf-8") as f:
            self.assertIn("#### Profile of profiled (perf, level busy=24)", f.read())
        with open(os.path.join(report, "index.html"), encoding="utf-8") as f:
            self.assertIn("Profile (perf, level busy=24)", f.read())

    def test_a_concurrency_level_is_profiled_as_a_round_of_its_copies(self):
        if not shutil.which("perf"):
            self.skipTest("perf is not installed")
        # One copy of --busy 1: one unit of steady_work and one of busy_loop.
        single = os.path.join(self.tmp, "single")
        p = perfcheck("run", "--name", "profiled", "--runs", "2", "--threshold", "wall.median < 1us",
                      "--output-dir", single, "--profile", "perf", "--", PROGRAM, "--busy", "1")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        one = result(single)["profile"]
        # Three copies at once, copy i with --busy i: three units of steady_work, 0 + 1 + 2 of
        # busy_loop (none at all if {instance} were not replaced: atol reads it as 0).
        p = perfcheck("run", "--name", "profiled", "--runs", "2", "--concurrency", "3",
                      "--threshold", "wall.median < 1us", "--output-dir", self.out, "--profile", "perf",
                      "--", PROGRAM, "--busy", "{instance}")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("profiling one more round of 3 copies at level concurrency=3", p.stderr)
        three = result(self.out)["profile"]
        self.assertEqual(three["tool"], "perf")
        self.assertEqual(three["level"], "concurrency=3")
        self.assertEqual(three["not_measured"], "")
        # Every copy's samples are in: three times the work of the one copy (CPU-time sampling
        # counts each process's own CPU time, whatever the contention).
        ratio = three["samples"] / one["samples"]
        self.assertGreater(ratio, 2.2, (three["samples"], one["samples"]))
        self.assertLess(ratio, 3.8, (three["samples"], one["samples"]))
        shares = {row["function"]: row["candidate"] for row in three["rows"]}
        self.assertGreater(shares.get("busy_loop", 0), 0.03, three["rows"])
        self.assertTrue(os.path.exists(os.path.join(self.out, "profiled.profile.svg")))

    def test_ctest_attaches_the_profile_of_a_failed_test(self):
        if not shutil.which("perf") or not os.environ.get("PERFCHECK_BUILD_DIR"):
            self.skipTest("perf is not installed, or no perfcheck build to configure against")
        build = os.path.join(self.tmp, "build")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_")}
        source = os.path.join(os.environ["PERFCHECK_SOURCE_DIR"], "tests", "cmake", "profiled")
        p = subprocess.run([os.environ.get("CMAKE_COMMAND", "cmake"), "-S", source, "-B", build, "-G", "Ninja",
                            f"-DPerfCheck_DIR={os.environ['PERFCHECK_BUILD_DIR']}", f"-DPC_PROFILED={PROGRAM}"],
                           capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ctest = os.environ.get("CTEST_COMMAND", "ctest")
        p = subprocess.run([ctest, "--test-dir", build, "--show-only=json-v1"], capture_output=True, text=True,
                           timeout=120, env=env)
        tests = {t["name"]: t for t in json.loads(p.stdout)["tests"]}
        properties = {q["name"]: q["value"] for q in tests["profiled_failing"]["properties"]}
        results = os.path.join(build, "perf-results")
        expected = [os.path.join(results, "profiled_failing." + n) for n in
                    ["profile.svg", "profile.folded", "profile-diff.svg", "baseline.svg", "baseline.folded"]]
        self.assertEqual(properties["ATTACHED_FILES_ON_FAIL"], expected)
        timeout = {name: {q["name"]: q["value"] for q in tests[name]["properties"]}["TIMEOUT"]
                   for name in ("profiled_passing", "unprofiled_passing", "profiled_concurrency",
                                "unprofiled_concurrency")}
        # auto may fall back to callgrind: one run at the 10 s budget times 50
        self.assertEqual(timeout["profiled_passing"] - timeout["unprofiled_passing"], 500)
        # perf: the 10 s budget times 3, times the most copies (4) of a round
        self.assertEqual(timeout["profiled_concurrency"] - timeout["unprofiled_concurrency"], 120)
        p = subprocess.run([ctest, "--test-dir", build, "-L", "perf"], capture_output=True, text=True,
                           timeout=600, env=env)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        for path in expected:
            self.assertTrue(os.path.exists(path), path)
        self.assertEqual([f for f in os.listdir(results) if f.startswith(("profiled_passing.", "profiled_concurrency."))
                          and f.endswith((".svg", ".folded"))], [])

    def test_a_profile_too_large_is_refused_and_said(self):
        fake = os.path.join(self.tmp, "fake")
        os.mkdir(fake)
        perf = os.path.join(fake, "perf")
        with open(perf, "w") as f:  # perf record that writes a sparse 300 MiB perf.data
            f.write("#!/bin/sh\nwhile [ \"$1\" != -o ]; do shift; done\ntruncate -s 300M \"$2\"\n")
        os.chmod(perf, stat.S_IRWXU)
        p = regressed_run(self.out, "perf", env={"PATH": fake + ":/usr/bin:/bin"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(result(self.out)["profile"]["not_measured"],
                         "no profile: the profile is too large: perf.data is 300 MiB, above the 256 MiB perfcheck "
                         "reads; profile a shorter run")

    def test_callgrind_output_over_the_bound_is_refused_and_said(self):
        fake = os.path.join(self.tmp, "fake")
        os.mkdir(fake)
        valgrind = os.path.join(fake, "valgrind")
        with open(valgrind, "w") as f:  # two processes' callgrind files, sparse, 150 MiB each
            f.write("#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --callgrind-out-file=*) out=${a#*=};; esac; done\n"
                    "truncate -s 150M \"${out%%.%p}.101\" \"${out%%.%p}.102\"\n")
        os.chmod(valgrind, stat.S_IRWXU)
        p = regressed_run(self.out, "callgrind", env={"PATH": fake + ":/usr/bin:/bin"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        r = result(self.out)
        self.assertEqual(r["verdict"], "regressed")
        self.assertEqual(r["profile"]["not_measured"],
                         "no profile: the profile is too large: callgrind's output is 300 MiB, above the 256 MiB "
                         "perfcheck reads; profile a shorter run")
        self.assertEqual(sorted(f for f in os.listdir(self.out) if f.endswith((".svg", ".folded"))), [])

    def test_a_counted_test_is_profiled_on_its_own_command(self):
        if not shutil.which("valgrind"):
            self.skipTest("valgrind is not installed")
        # COUNT instructions runs the command under valgrind; the profile runs the command itself
        # under callgrind (not valgrind under valgrind).
        p = perfcheck("run", "--name", "profiled", "--runs", "2", "--warmup", "0", "--count", "instructions",
                      "--threshold", "instructions < 10k", "--output-dir", self.out, "--profile", "callgrind",
                      "--", PROGRAM, "--busy", "24")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        r = result(self.out)
        self.assertEqual(r["verdict"], "failed")
        profile = r["profile"]
        self.assertEqual((profile["tool"], profile["not_measured"]), ("callgrind", ""))
        self.assertEqual(profile["rows"][0]["function"], "busy_loop(long)", profile["rows"])
        self.assertTrue(all(os.path.exists(f) for f in profile["files"]), profile["files"])
        # The profile weighs the program's own instructions, as the count does: a valgrind profiled
        # inside valgrind would weigh its own, many times more.
        counted = statistics.median(run["instructions"] for run in r["runs"])
        self.assertLess(abs(profile["samples"] - counted) / counted, 0.05, (profile["samples"], counted))

    def test_a_passing_test_is_not_profiled(self):
        p = perfcheck("run", "--name", "profiled", "--runs", "3", "--threshold", "wall.median < 60s",
                      "--output-dir", self.out, "--profile", "auto", "--", PROGRAM)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("profile", result(self.out))
        self.assertEqual(sorted(f for f in os.listdir(self.out) if f.endswith((".svg", ".folded"))), [])

    def test_missing_profilers_are_named_and_the_verdict_stands(self):
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        for profiler, expected in [("perf", "no profile: perf is not installed (Debian: apt-get install linux-perf)"),
                                   ("callgrind", "no profile: valgrind is not installed (Debian: apt-get install valgrind)"),
                                   ("auto", "no profile: perf is not installed (Debian: apt-get install linux-perf); "
                                            "valgrind is not installed")]:
            shutil.rmtree(self.out, ignore_errors=True)
            p = regressed_run(self.out, profiler, env={"PATH": empty})
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            r = result(self.out)
            self.assertEqual(r["verdict"], "regressed")
            self.assertTrue(r["profile"]["not_measured"].startswith(expected), r["profile"])
            self.assertEqual(r["profile"]["files"], [])
            self.assertIn("warning: " + expected, p.stdout)

    def test_a_valgrind_that_cannot_run_the_program_is_said(self):
        fake = os.path.join(self.tmp, "fake")
        os.mkdir(fake)
        valgrind = os.path.join(fake, "valgrind")
        with open(valgrind, "w") as f:
            f.write("#!/bin/sh\necho \"valgrind: failed to start tool 'callgrind' for platform 'amd64-linux'\" >&2\nexit 1\n")
        os.chmod(valgrind, stat.S_IRWXU)
        p = regressed_run(self.out, "callgrind", env={"PATH": fake + ":/usr/bin:/bin"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        profile = result(self.out)["profile"]
        self.assertEqual(profile["not_measured"],
                         "no profile: valgrind could not run the program: it exited 1 and wrote no callgrind file; "
                         "it printed: valgrind: failed to start tool 'callgrind' for platform 'amd64-linux'")

    def test_a_stripped_program_gets_the_fix_named(self):
        if not shutil.which("perf") or not shutil.which("strip"):
            self.skipTest("perf or strip is not installed")
        stripped = os.path.join(self.tmp, "pc_profiled_stripped")
        subprocess.run(["strip", "-o", stripped, PROGRAM], check=True)
        # A home of its own: perf's build-id cache (~/.debug) may hold the unstripped program of
        # the same build id from an earlier profile, and name its functions from it.
        home = os.path.join(self.tmp, "home")
        os.makedirs(home)
        p = regressed_run(self.out, "perf", program=stripped, env={"HOME": home})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        warnings = result(self.out)["profile"]["warnings"]
        self.assertTrue(any("ran in code without symbols; build with symbols (-g, not stripped)" in w
                            for w in warnings), warnings)


if __name__ == "__main__":
    unittest.main()
