#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""End-to-end tests of `perfcheck run` limits, process-tree control, soak and isolation, each
with a small real program (tests/programs) that does the thing the limit is about.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
Timing bounds are generous: these tests must pass on a loaded two-core machine.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from marked_processes import marked_processes as marked_processes_of

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]
MIB = 1024 * 1024
# Every process these tests ask to outlive its run carries this in its argv.
MARKER = f"pc-cli-marker-{os.getpid()}"


def prog(name):
    return os.path.join(BIN, name)


def perfcheck(*args, cwd=None):
    return subprocess.run([PERFCHECK, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def marked_processes(marker=MARKER):
    """Pids of live processes whose command line contains the marker (this test's, by default)."""
    return marked_processes_of(marker)


def pids_cgroup_parent():
    """Where perfcheck can make a pids cgroup here, as docs/limits.md says it looks, or None:
    the cgroup v2 parent of its own cgroup listing pids, else its cgroup v1 pids folder."""
    with open("/proc/self/cgroup") as f:
        own = dict(line.rstrip("\n").split(":", 2)[1:] for line in f)
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split() for line in f]
    for fields in mounts:
        dash = fields.index("-")
        if fields[dash + 1] == "cgroup2" and "" in own:
            parent = os.path.dirname(os.path.join(fields[4], own[""].lstrip("/")).rstrip("/")) \
                if own[""] != "/" else fields[4]
            try:
                with open(os.path.join(parent, "cgroup.subtree_control")) as c:
                    if "pids" in c.read().split() and os.access(os.path.join(parent, "cgroup.procs"), os.W_OK):
                        return parent
            except OSError:
                pass
    for fields in mounts:
        dash = fields.index("-")
        if fields[dash + 1] == "cgroup" and "pids" in fields[-1].split(","):
            for controllers, path in own.items():
                if "pids" in controllers.split(","):
                    folder = os.path.join(fields[4], path.lstrip("/"))
                    if os.access(os.path.join(folder, "cgroup.procs"), os.W_OK):
                        return folder
    return None


class LimitsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-limits-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def run_json(self, *args, expect):
        """Runs perfcheck with --json into a file; returns (process, result, seconds)."""
        path = os.path.join(self.dir, "result.json")
        start = time.monotonic()
        p = perfcheck("run", "--json", path, *args)
        elapsed = time.monotonic() - start
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(path) as f:
            return p, json.load(f), elapsed

    def assert_limited(self, result, kind, reason_start):
        self.assertEqual(result["verdict"], "failed")
        runs = result["warmup_runs"] + result["runs"]
        self.assertEqual(runs[-1]["limit"], kind)
        self.assertIsNone(runs[-1]["exit_code"])
        self.assertIn(runs[-1]["signal"], ("SIGTERM", "SIGKILL", "SIGXFSZ", "SIGXCPU"))
        self.assertTrue(any(r.startswith(reason_start) for r in result["reasons"]), result["reasons"])

    # ---- each limit, with a program that passes it ----

    def test_memory_hog_tree_over_memory(self):
        # Four processes of 24 MiB: none alone is near the limit, the tree is.
        p, r, _ = self.run_json("--warmup", "0", "--runs", "3", "--limit", "MEMORY=64MiB",
                                "--", prog("pc_hog"), "24", "4", "30000", expect=1)
        self.assert_limited(r, "MEMORY", "run 1 exceeded MEMORY 64 MiB (tree at ")
        self.assertEqual(len(r["runs"]), 1)  # a limit stops the test
        self.assertGreater(r["runs"][0]["limit_observed"], 64 * MIB)
        self.assertEqual(r["limits"], {"memory": 64 * MIB})
        self.assertIn("exceeded MEMORY 64 MiB", p.stdout)

    def test_single_memory_hog(self):
        _, r, _ = self.run_json("--warmup", "0", "--limit", "memory=32MiB",
                                "--", prog("pc_hog"), "400", "1", "30000", expect=1)
        self.assert_limited(r, "MEMORY", "run 1 exceeded MEMORY 32 MiB")

    def test_cpu_spinner_over_cpu_time(self):
        _, r, elapsed = self.run_json("--warmup", "0", "--limit", "CPU_TIME=300ms",
                                      "--", prog("pc_burn"), "30000", expect=1)
        self.assert_limited(r, "CPU_TIME", "run 1 exceeded CPU_TIME 300 ms")
        self.assertLess(elapsed, 60)

    def test_sleeper_over_timeout_costs_one_timeout_not_thirty(self):
        _, r, elapsed = self.run_json("--runs", "30", "--limit", "TIMEOUT=500ms",
                                      "--", prog("pc_sleep"), "60000", expect=1)
        self.assert_limited(r, "TIMEOUT", "warm-up run 1 exceeded TIMEOUT 500 ms")
        self.assertEqual(len(r["warmup_runs"]) + len(r["runs"]), 1)
        self.assertLess(elapsed, 20)

    def test_fork_storm_over_processes(self):
        _, r, _ = self.run_json("--warmup", "0", "--limit", "PROCESSES=20",
                                "--", prog("pc_forkstorm"), "300", "30000", MARKER, expect=1)
        self.assert_limited(r, "PROCESSES", "run 1 exceeded PROCESSES 20 (")
        self.assertEqual(marked_processes(), [])

    def fork_bomb(self, env_parent=None):
        """A parallel fork bomb (up to 1364 processes) under PROCESSES=20; returns (result, created)."""
        count = os.path.join(self.dir, f"forks-{env_parent}")
        env = dict(os.environ)
        if env_parent:
            env["PERFCHECK_CGROUP_PARENT"] = env_parent
        path = os.path.join(self.dir, "result.json")
        # A sampling interval long enough for the whole bomb to go off before the first look:
        # the count then shows what holds the tree besides the sampler.
        p = subprocess.run([PERFCHECK, "run", "--json", path, "--warmup", "0", "--limit", "PROCESSES=20",
                            "--sample-interval", "2s",
                            "--", prog("pc_forkbomb"), "4", "5", "30000", count, MARKER],
                           capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        with open(path) as f:
            r = json.load(f)
        self.assert_limited(r, "PROCESSES", "run 1 exceeded PROCESSES 20 (")
        self.assertEqual(marked_processes(), [])
        created = os.path.getsize(count)
        print(f"\nPROCESSES=20, parallel fork bomb, 2 s sampling, cgroup parent {env_parent or 'found'}: "
              f"{created + 1} processes at most (overshoot {created + 1 - 20})", file=sys.stderr)
        return r, created

    def test_parallel_fork_bomb_is_held_by_the_kernel_when_a_pids_cgroup_can_be_made(self):
        # Sampler only: the bomb passes 20 by what it forks in one interval, then is stopped.
        _, created = self.fork_bomb("none")
        self.assertGreater(created + 1, 20)
        # With a pids cgroup (pids.max = 21), never more than 21 tasks however fast it forks.
        _, created = self.fork_bomb()
        if pids_cgroup_parent():
            self.assertLessEqual(created + 1, 21)
        else:
            self.assertGreater(created + 1, 20)

    def test_fd_hog_over_open_files(self):
        _, r, _ = self.run_json("--warmup", "0", "--limit", "OPEN_FILES=32",
                                "--", prog("pc_fdhog"), "500", "30000", expect=1)
        self.assert_limited(r, "OPEN_FILES", "run 1 exceeded OPEN_FILES 32 (a process held ")

    def test_file_writer_over_file_size(self):
        target = os.path.join(self.dir, "big")
        _, r, _ = self.run_json("--warmup", "0", "--limit", "FILE_SIZE=1MiB",
                                "--", prog("pc_write"), target, "16", expect=1)
        self.assert_limited(r, "FILE_SIZE", "run 1 exceeded FILE_SIZE 1 MiB")
        self.assertEqual(r["runs"][0]["signal"], "SIGXFSZ")
        self.assertLessEqual(os.path.getsize(target), MIB)

    def test_output_flood_over_output_keeps_perfcheck_flat(self):
        out = os.path.join(self.dir, "out")
        inner = os.path.join(self.dir, "inner.json")
        outer = os.path.join(self.dir, "outer.json")

        def peak_rss_of_perfcheck(nbytes):
            """An outer perfcheck measures the inner one's peak memory while the command prints."""
            p = perfcheck("run", "-q", "--warmup", "0", "--runs", "1", "--allow-failures", "--json", outer, "--",
                          PERFCHECK, "run", "-q", "--warmup", "0", "--runs", "1", "--json", inner,
                          "--output-dir", out, "--name", "flood", "--limit", "OUTPUT=64MiB",
                          "--", prog("pc_print"), str(nbytes))
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(outer) as f:
                measured = json.load(f)["runs"][0]
            with open(inner) as f:
                return measured, json.load(f)

        quiet, _ = peak_rss_of_perfcheck(1024)
        flood, r = peak_rss_of_perfcheck(64 << 30)
        self.assertEqual(flood["exit_code"], 1)  # the inner perfcheck failed on its limit
        self.assert_limited(r, "OUTPUT", "run 1 exceeded OUTPUT 64 MiB (")
        # Flat: the flood costs perfcheck no more than its read buffers and the pipe.
        self.assertLess(flood["rss_tree_bytes"] - quiet["rss_tree_bytes"], 8 * MIB)
        self.assertLess(os.path.getsize(os.path.join(out, "flood.failed.stdout")), MIB + 200)

    def test_output_limit_needs_captured_output(self):
        p = perfcheck("run", "--show-output", "--limit", "OUTPUT=1MiB", "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("OUTPUT needs the output captured", p.stderr)

    # ---- crashes stay errors ----

    def test_crashes_are_errors_with_the_signal_name(self):
        for sig in ("SEGV", "ABRT"):
            with self.subTest(sig=sig):
                _, r, _ = self.run_json("--warmup", "0", "--limit", "TIMEOUT=60s", "--limit", "MEMORY=1GiB",
                                        "--", prog("pc_crash"), sig, expect=3)
                self.assertEqual(r["verdict"], "error")
                run = r["runs"][0]
                self.assertEqual((run["limit"], run["signal"], run["exit_code"]), (None, "SIG" + sig, None))
                self.assertIn(f"run 1 was killed by SIG{sig}", r["reasons"])

    # ---- the whole tree, always ----

    def test_processes_that_setsid_and_ignore_sigterm_do_not_survive(self):
        mark = MARKER + "-resist"
        _, r, elapsed = self.run_json("--warmup", "0", "--runs", "1", "--limit", "TIMEOUT=500ms",
                                      "--", prog("pc_escape"), mark, "3", "60000", expect=1)
        self.assert_limited(r, "TIMEOUT", "run 1 exceeded TIMEOUT 500 ms")
        self.assertEqual(marked_processes(mark), [])
        self.assertLess(elapsed, 30)

    def test_a_command_that_kills_the_launcher_leaves_nothing_behind(self):
        # The command SIGKILLs its parent (perfcheck's launcher) after starting setsid() escapers
        # and a plain child: perfcheck, a child subreaper, inherits and stops them all.
        mark = MARKER + "-killer"
        p, r, elapsed = self.run_json("--warmup", "0", "--runs", "1",
                                      "--", prog("pc_escape"), mark, "3", "60000", "kill-parent", expect=3)
        self.assertEqual(marked_processes(mark), [])
        self.assertEqual(r["verdict"], "error")
        self.assertEqual(len(r["reasons"]), 1, r["reasons"])
        self.assertIn("(the parent of the measured command) was killed by signal 9", r["reasons"][0])
        self.assertIn("perfcheck stopped the", r["reasons"][0])
        self.assertNotIn("internal", p.stderr)
        self.assertLess(elapsed, 30)

    def test_leaked_processes_are_reported_gated_and_stopped(self):
        mark = MARKER + "-leak"
        p, r, _ = self.run_json("--warmup", "0", "--runs", "2", "--threshold", "leaked.processes == 0",
                                "--", prog("pc_escape"), mark, "3", "50", expect=1)
        self.assertEqual(marked_processes(mark), [])
        self.assertEqual([run["leaked_processes"] for run in r["runs"]], [3, 3])
        self.assertEqual([run["exit_code"] for run in r["runs"]], [0, 0])
        self.assertIn("leaked.processes == 0: measured 3", r["reasons"])
        self.assertTrue(any("left processes running" in w for w in r["warnings"]), r["warnings"])
        self.assertIn("✗ leaked.processes == 0", p.stdout)

    # ---- measurements of the tree ----

    def test_tree_measurements_are_in_every_run(self):
        _, r, _ = self.run_json("--warmup", "0", "--runs", "2", "--threshold", "rss_tree.max > 40MiB",
                                "--threshold", "faults.minor > 1000", "--threshold", "ctx.voluntary.median >= 1",
                                "--", prog("pc_hog"), "16", "3", "400", expect=0)
        for run in r["runs"]:
            self.assertGreaterEqual(run["rss_tree_bytes"], 40 * MIB)
            self.assertLess(run["max_rss_bytes"], 24 * MIB)
            self.assertTrue(run["memory_timeline"])
            self.assertEqual(max(p[2] for p in run["memory_timeline"]), 3)
            self.assertLessEqual(len(run["memory_timeline"]), 256)
        for metric in ("rss_tree", "io.read_bytes", "io.write_chars", "ctx.voluntary", "faults.minor",
                       "leaked.processes"):
            self.assertIn(metric, r["summary"])

    def test_threads_and_cpu_utilization_are_measured_and_gated(self):
        # 4 sleeping threads and the main one for 200 ms: every sample sees exactly 5.
        p, r, _ = self.run_json("--warmup", "0", "--runs", "2", "--threshold", "threads.max == 5",
                                "--threshold", "threads <= 5", "--threshold", "cpu.util.median < 50%",
                                "--", prog("pc_threads"), "4", "200", expect=0)
        self.assertEqual([run["threads_max"] for run in r["runs"]], [5, 5])
        self.assertEqual(max(pt[3] for pt in r["runs"][0]["memory_timeline"]), 5)
        self.assertEqual(r["summary"]["threads"]["max"], 5)
        util = r["summary"]["cpu.util"]["median"]
        self.assertLess(util, 0.5)
        self.assertIn("threads up to 5", p.stdout)
        self.assertIn('name="threads.max">5<', p.stdout)
        # A gate that fails reads as a percentage: a sleeper is far from two busy CPUs.
        _, r, _ = self.run_json("--warmup", "0", "--runs", "1", "--threshold", "cpu.util.median >= 200%",
                                "--", prog("pc_sleep"), "20", expect=1)
        self.assertRegex(r["reasons"][0], r"^cpu.util.median >= 200%: measured [0-9.]+%$")
        # A CPU-bound run: the value is the tree's CPU time over its wall time, checked against
        # the run's own fields (a loaded machine lowers it, so no bound is asserted).
        _, r, _ = self.run_json("--warmup", "0", "--runs", "1", "--", prog("pc_burn"), "100", expect=0)
        run = r["runs"][0]
        self.assertAlmostEqual(r["summary"]["cpu.util"]["median"],
                               (run["user_ns"] + run["sys_ns"]) / run["wall_ns"], places=9)

    def test_threads_of_runs_too_short_to_sample_are_not_measured(self):
        _, r, _ = self.run_json("--warmup", "0", "--runs", "2", "--threshold", "threads.max <= 8",
                                "--", prog("pc_noop"), expect=1)
        self.assertEqual([run["threads_max"] for run in r["runs"]], [0, 0])
        self.assertNotIn("threads", r["summary"])
        self.assertIn("threads.max <= 8: threads.max was not measured", r["reasons"])
        p = perfcheck("run", "--sample-interval", "0", "--threshold", "threads.max <= 8", "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("--threshold 'threads.max <= 8': threads.max counts threads with the tree sampler, "
                      "but sampling is off", p.stderr)

    def test_io_is_counted(self):
        target = os.path.join(self.dir, "file")
        _, r, _ = self.run_json("--warmup", "0", "--runs", "1", "--threshold", "io.write_chars >= 4MiB",
                                "--", prog("pc_write"), target, "4", expect=0)
        self.assertGreaterEqual(r["runs"][0]["io_write_chars"], 4 * MIB)

    # ---- soak ----

    def test_a_growing_program_is_flagged_as_leaking_a_steady_one_is_not(self):
        gates = ["--threshold", "rss.growth < 10%", "--threshold", "rss.slope < 1MiB/min"]
        p, r, _ = self.run_json("--duration", "once", *gates,
                                "--", prog("pc_grow"), "4", "256", "20", "2500", expect=1)
        self.assertEqual(len(r["runs"]), 1)
        self.assertEqual(len(r["warmup_runs"]), 0)
        self.assertTrue(r["trends"]["rss"]["significant"])
        self.assertGreater(r["trends"]["rss"]["change"], 0.5)
        self.assertTrue(any(x.startswith("rss.growth < 10%: measured ") for x in r["reasons"]), r["reasons"])
        self.assertIn("trend rss", p.stdout)
        _, r, _ = self.run_json("--duration", "once", *gates,
                                "--", prog("pc_grow"), "16", "0", "20", "2500", expect=0)
        self.assertEqual([t["ok"] for t in r["thresholds"]], [True, True])

    def test_a_thread_leak_is_flagged_like_a_memory_leak(self):
        gates = ["--threshold", "threads.growth < 10%"]
        # One more thread every 100 ms for 2 s: from about 5 to about 20 threads.
        p, r, _ = self.run_json("--duration", "once", "--sample-interval", "20ms", *gates,
                                "--", prog("pc_threads"), "1", "2000", "100", expect=1)
        trend = r["trends"]["threads"]
        self.assertTrue(trend["significant"])
        self.assertGreater(trend["change"], 1.0)
        self.assertTrue(any(x.startswith("threads.growth < 10%: measured ") for x in r["reasons"]), r["reasons"])
        self.assertIn("trend threads", p.stdout)
        _, r, _ = self.run_json("--duration", "once", "--sample-interval", "20ms", *gates,
                                "--", prog("pc_threads"), "3", "1000", expect=0)
        self.assertEqual([t["ok"] for t in r["thresholds"]], [True])
        self.assertEqual(r["runs"][0]["threads_max"], 4)

    def test_duration_repeats_runs_and_measures_drift(self):
        _, r, elapsed = self.run_json("--duration", "1500ms", "--threshold", "wall.drift < 1000%",
                                      "--", prog("pc_sleep"), "20", expect=0)
        self.assertGreaterEqual(len(r["runs"]), 20)
        self.assertGreaterEqual(sum(run["wall_ns"] for run in r["runs"]), 1.5e9)
        self.assertIn("wall", r["trends"])
        self.assertIn("rss", r["trends"])
        self.assertLess(elapsed, 60)

    # ---- a steadier machine ----

    def test_pinning_nice_clean_env_and_no_aslr_reach_the_command(self):
        out = os.path.join(self.dir, "out")
        cpu = sorted(os.sched_getaffinity(0))[0]
        script = "grep Cpus_allowed_list /proc/self/status; nice; cat /proc/self/personality; env"
        env = dict(os.environ, PERFCHECK_CLI_NOISE="dropped")
        p = subprocess.run([PERFCHECK, "run", "--warmup", "0", "--runs", "1", "--output-dir", out, "--name", "iso",
                            "--cpus", str(cpu), "--nice", "3", "--clean-env", "--no-aslr", "--env", "KEPT=1",
                            "--", "/bin/sh", "-c", script], capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(out, "iso.stdout")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], f"Cpus_allowed_list:\t{cpu}")
        self.assertEqual(lines[1], "3")
        self.assertEqual(lines[2], "00040000")
        names = {line.split("=", 1)[0] for line in lines[3:]}
        self.assertIn("KEPT", names)
        self.assertIn("PATH", names)
        self.assertNotIn("PERFCHECK_CLI_NOISE", names)

    # ---- spec files and errors ----

    def test_spec_file_limits(self):
        spec = os.path.join(self.dir, "spec.json")
        with open(spec, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "slow", "command": [prog("pc_sleep"), "60000"],
                       "warmup": 0, "runs": {"min": 5, "max": 5}, "limits": {"timeout": "300ms", "processes": 8},
                       "result_file": os.path.join(self.dir, "slow.json")}, f)
        p = perfcheck("run", "--spec", spec)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        with open(os.path.join(self.dir, "slow.json")) as f:
            r = json.load(f)
        self.assertEqual(r["limits"], {"timeout": 300_000_000, "processes": 8})
        self.assertEqual(r["reasons"], ["run 1 exceeded TIMEOUT 300 ms"])
        with open(spec, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "x", "command": ["x"], "limits": {"tiemout": "1s"}}, f)
        p = perfcheck("validate", spec)
        self.assertEqual(p.returncode, 2)
        self.assertIn("field 'limits.tiemout': unknown field", p.stderr)

    def test_bad_flags_exit_2_with_a_clear_message(self):
        cases = [
            (["--limit", "RAM=1GiB"], "--limit: limit 'RAM=1GiB': unknown kind 'RAM'; use one of MEMORY"),
            (["--limit", "MEMORY=5s"], "limit MEMORY: '5s' is not a size"),
            (["--limit", "TIMEOUT"], "is not KIND=VALUE"),
            (["--limit", "PROCESSES=0"], "out of range"),
            (["--duration", "forever"], "--duration: 'forever' is not a number"),
            (["--cpus", "1-x"], "--cpus: '1-x' has 'x', which is not a CPU number"),
            (["--cpus", "1023"], "CPU 1023 is not available to perfcheck here"),
            (["--nice", "50"], "--nice 50: out of range"),
            (["--sample-interval", "1us"], "--sample-interval 1us: use 0 (off) or 1ms to 10s"),
            (["--threshold", "rss.growth < 0.1"], "rss.growth is a percentage (write e.g. 10%)"),
            (["--threshold", "rss.slope < 1MiB"], "needs a time unit"),
        ]
        for flags, text in cases:
            with self.subTest(flags=flags):
                p = perfcheck("run", *flags, "--", prog("pc_noop"))
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(text, p.stderr)
                self.assertTrue(p.stderr.startswith("error: "), p.stderr)

    def test_help_documents_the_new_options(self):
        p = perfcheck("run", "--help")
        self.assertEqual(p.returncode, 0)
        for text in ("--limit", "KIND=VALUE", "MEMORY=SIZE", "TIMEOUT=DURATION", "--duration", "DURATION|once",
                     "--sample-interval", "--cpus", "--nice", "--clean-env", "--no-aslr"):
            self.assertIn(text, p.stdout)


def tearDownModule():
    # The suite itself leaves nothing behind: no marked process, no child of this process.
    stray = marked_processes()
    assert not stray, f"processes outlived their runs: {stray}"
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pid = None
    assert not pid, f"an unreaped child: {pid}"
    with open(f"/proc/self/task/{os.getpid()}/children") as f:
        assert not f.read().strip(), "child processes left"


if __name__ == "__main__":
    unittest.main(verbosity=2)
