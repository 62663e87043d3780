#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Output that could not be written is never reported as success, and perfcheck leaves no temp
files behind: stdout on /dev/full for every verb that prints, a full disk (a small tmpfs when
root may mount one, RLIMIT_FSIZE otherwise as well), a read-only folder, and kill -9 / SIGTERM
in the middle of a run and of a report.

Environment: PERFCHECK (the executable), PERFCHECK_BIN_DIR (the test programs pc_*).
"""
import json
import os
import resource
import signal
import subprocess
import tempfile
import time
import unittest

PERFCHECK = os.environ["PERFCHECK"]
BIN = os.environ["PERFCHECK_BIN_DIR"]


def prog(name):
    return os.path.join(BIN, name)


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("PERFCHECK_") or k == "PERFCHECK_LAUNCHER"}


def perfcheck(*args, stdout=subprocess.PIPE, preexec_fn=None, timeout=300):
    return subprocess.run([PERFCHECK, *args], stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env=clean_env(), preexec_fn=preexec_fn)


def temp_files(folder):
    """Temp files anywhere under `folder`: perfcheck keeps no dot-file and no *.tmp file in its
    result and report folders, so any is a temp file (of this version or an older one)."""
    found = []
    for root, _, files in os.walk(folder):
        found += [os.path.join(root, f) for f in files if f.startswith(".") or ".tmp" in f]
    return found


def file_size_limit(limit):
    """A preexec_fn: files of at most `limit` bytes ("File too large" past it), SIGXFSZ ignored
    so that the write fails instead of killing the process."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


class small_tmpfs:
    """A tmpfs of `size` at a new folder (root only); None from __enter__ when it cannot mount."""

    def __init__(self, size, read_only=False):
        self.size, self.read_only = size, read_only
        self.dir = tempfile.mkdtemp(prefix="perfcheck-tmpfs-")
        self.mounted = False

    def __enter__(self):
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", self.dir],
                           capture_output=True, text=True)
        self.mounted = p.returncode == 0
        return self if self.mounted else None

    def make_read_only(self):
        subprocess.run(["mount", "-o", "remount,ro", self.dir], check=True, capture_output=True)

    def __exit__(self, *exc):
        if self.mounted:
            subprocess.run(["umount", "-l", self.dir], capture_output=True)
        os.rmdir(self.dir)


class OutputSafetyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="perfcheck-output-")
        cls.dir = cls.tmp.name
        cls.history = os.path.join(cls.dir, "history.sqlite")
        cls.result = os.path.join(cls.dir, "r.json")
        for _ in range(2):
            p = perfcheck("run", "--history", cls.history, "--runs", "3", "--warmup", "0", "-q",
                          "--json", cls.result, "--name", "noop", "--", prog("pc_noop"))
            if p.returncode != 0:
                raise AssertionError(p.stderr)
        cls.spec = os.path.join(cls.dir, "spec.json")
        with open(cls.spec, "w") as f:
            json.dump({"schema": "perfcheck/spec/v1", "name": "s", "command": [prog("pc_noop")]}, f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.work = tempfile.TemporaryDirectory(prefix="perfcheck-output-case-")
        self.addCleanup(self.work.cleanup)

    def assert_io_failure(self, p, where, words):
        """Exit 4, naming `where` and the OS's words, not called a bug."""
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn(where, p.stderr)
        self.assertIn(words.lower(), p.stderr.lower())
        self.assertNotIn("internal", p.stderr)
        self.assertNotIn("Please report", p.stderr)
        self.assertNotIn("Input/output error", p.stderr)

    def test_stdout_on_a_full_device_is_exit_4_for_every_verb_that_prints(self):
        report_dir = os.path.join(self.work.name, "report")
        verbs = [
            ["run", "--runs", "2", "--warmup", "0", "--json", "-", "--", prog("pc_noop")],
            ["run", "--runs", "2", "--warmup", "0", "--", prog("pc_noop")],
            ["compare", self.result, self.result],
            ["compare", "--json", "-", self.result, self.result],
            ["history", "list", "--history", self.history],
            ["history", "show", "latest", "--history", self.history],
            ["history", "show", "--test", "noop", "--history", self.history],
            ["history", "export", "--history", self.history],
            ["report", "--history", self.history, "--out", report_dir, "--format", "md"],
            ["validate", self.spec],
            ["run", "--help"],
        ]
        for args in verbs:
            with self.subTest(args=args[:3]), open("/dev/full", "w") as full:
                p = perfcheck(*args, stdout=full)
                self.assert_io_failure(p, "standard output", "No space left on device")

    def test_history_export_to_a_full_disk_keeps_no_partial_file(self):
        with small_tmpfs("64k") as mnt:
            if mnt is None:
                self.skipTest("cannot mount a tmpfs here (not root)")
            # Fill most of it, so the export cannot fit.
            with open(os.path.join(mnt.dir, "filler"), "wb") as f:
                f.write(b"x" * 60 * 1024)
            target = os.path.join(mnt.dir, "backup.json")
            p = perfcheck("history", "export", "--history", self.history, "-o", target)
            self.assert_io_failure(p, target, "No space left on device")
            self.assertFalse(os.path.exists(target))
            self.assertEqual(temp_files(mnt.dir), [])

    def test_report_on_a_full_disk_says_so_and_leaves_no_temp_file(self):
        with small_tmpfs("32k") as mnt:
            if mnt is None:
                self.skipTest("cannot mount a tmpfs here (not root)")
            out = os.path.join(mnt.dir, "report")
            p = perfcheck("report", "--out", out, "--synthetic", "20:50")
            self.assert_io_failure(p, out, "No space left on device")
            self.assertEqual(temp_files(mnt.dir), [])

    def test_report_past_the_file_size_limit_says_so_and_leaves_no_temp_file(self):
        out = os.path.join(self.work.name, "report")
        p = perfcheck("report", "--out", out, "--synthetic", "50:50", "--format", "md,json",
                      preexec_fn=file_size_limit(16 * 1024))
        self.assert_io_failure(p, out, "File too large")
        self.assertEqual(temp_files(out), [])

    def test_run_output_on_a_full_disk_leaves_no_stdout_temp(self):
        with small_tmpfs("64k") as mnt:
            if mnt is None:
                self.skipTest("cannot mount a tmpfs here (not root)")
            p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", mnt.dir,
                          "--name", "chatty", "--", prog("pc_print"), "200000")
            self.assert_io_failure(p, mnt.dir, "No space left on device")
            self.assertEqual(temp_files(mnt.dir), [])

    def test_run_output_past_the_file_size_limit_leaves_no_stdout_temp(self):
        out = os.path.join(self.work.name, "results")
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", out,
                      "--name", "chatty", "--", prog("pc_print"), "200000",
                      preexec_fn=file_size_limit(64 * 1024))
        self.assert_io_failure(p, out, "File too large")
        self.assertEqual(temp_files(out), [])

    def test_a_read_only_report_folder_is_an_io_error_not_a_bug(self):
        with small_tmpfs("1m") as mnt:
            if mnt is None:
                self.skipTest("cannot mount a tmpfs here (not root)")
            os.mkdir(os.path.join(mnt.dir, "report"))
            mnt.make_read_only()
            out = os.path.join(mnt.dir, "report")
            p = perfcheck("report", "--history", self.history, "--out", out, "--format", "md")
            self.assert_io_failure(p, out, "Read-only file system")

    def test_a_history_on_a_read_only_mount_is_never_called_a_bug(self):
        with small_tmpfs("1m") as mnt:
            if mnt is None:
                self.skipTest("cannot mount a tmpfs here (not root)")
            history = os.path.join(mnt.dir, "history.sqlite")
            with open(self.history, "rb") as src, open(history, "wb") as dst:
                dst.write(src.read())
            mnt.make_read_only()
            p = perfcheck("report", "--history", history, "--out", os.path.join(self.work.name, "r"),
                          "--format", "md")
            # Reading a read-only history works, or fails as what it is: an I/O problem.
            if p.returncode != 0:
                self.assert_io_failure(p, history, "")

    def started_run(self, out, name):
        """A run of pc_sleep 5 s whose output is captured into `out`, once its temp files exist."""
        proc = subprocess.Popen([PERFCHECK, "run", "--runs", "1", "--warmup", "0", "--output-dir", out,
                                 "--name", name, "--", prog("pc_sleep"), "5000"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
        deadline = time.monotonic() + 60
        while not temp_files(out):
            self.assertLess(time.monotonic(), deadline, "no temp file appeared")
            self.assertIsNone(proc.poll(), "the run ended early")
            time.sleep(0.02)
        return proc

    def test_sigterm_during_a_run_removes_its_temp_files(self):
        out = os.path.join(self.work.name, "results")
        proc = self.started_run(out, "slow")
        pid = proc.pid
        self.assertTrue(all(str(pid) in f for f in temp_files(out)), temp_files(out))
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.assertEqual(temp_files(out), [])

    def test_kill_9_during_a_run_leaves_temps_that_the_next_run_sweeps(self):
        out = os.path.join(self.work.name, "results")
        proc = self.started_run(out, "slow")
        proc.kill()
        proc.communicate(timeout=60)
        left = temp_files(out)
        self.assertTrue(left, "kill -9 left nothing: the sweep is not exercised")
        p = perfcheck("run", "--runs", "1", "--warmup", "0", "--output-dir", out, "--name", "next",
                      "--", prog("pc_noop"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(temp_files(out), [])

    def test_kill_9_during_a_report_leaves_a_temp_that_the_next_report_sweeps(self):
        out = os.path.join(self.work.name, "report")
        for tests in (100, 200, 400):
            proc = subprocess.Popen([PERFCHECK, "report", "--out", out, "--format", "html,json",
                                     "--synthetic", f"{tests}:100", "--gnuplot", "/nonexistent/gnuplot"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
            while proc.poll() is None and not temp_files(out):
                time.sleep(0.001)
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=60)
                break
            proc.communicate(timeout=60)
        else:
            self.skipTest("every report finished before its temp file was seen")
        left = temp_files(out)
        self.assertTrue(left)
        self.assertTrue(all(str(proc.pid) in f for f in left), left)
        p = perfcheck("report", "--out", out, "--format", "md", "--synthetic", "2:3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(temp_files(out), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
