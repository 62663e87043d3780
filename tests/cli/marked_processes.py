# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""What the tests that start processes share: finding the processes a test left behind (by a
marker in their command line), waiting for a condition with a deadline, and a test case for a
server under test that stops its servers and checks that nothing of them survives."""
import os
import signal
import tempfile
import time
import unittest


def live_processes(belongs):
    """Pids of live (not zombie) processes for which belongs(pid) is true; a process that ends
    while it is looked at is left out."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if not belongs(int(name)):
                continue
            with open(f"/proc/{name}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        found.append(int(name))
    return found


def marked_processes(marker):
    """Pids of live (not zombie) processes whose command line contains the marker."""
    def marked(pid):
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return marker.encode() in f.read()
    return live_processes(marked)


def wait_until(predicate, seconds=20, poll=0.1):
    """True as soon as predicate() is; predicate()'s last answer once `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return predicate()


class ServerTestCase(unittest.TestCase):
    """Servers started with start_server() in a private state folder (self.dir), each marked with
    self.marker; tearDown stops them, kills any survivor and fails the test if there was one."""
    PREFIX = "perfcheck-server-"
    MARKER = "pc-server-marker"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix=self.PREFIX)
        self.dir = self.tmp.name
        self.marker = f"{self.MARKER}-{self.id().rsplit('.', 1)[-1]}"
        self.names = []

    def tearDown(self):
        for name in self.names:
            self.perfcheck("server", "stop", "--name", name, "--state-dir", self.dir)
        survivors = marked_processes(self.marker)
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        self.tmp.cleanup()
        self.assertEqual(survivors, [], "processes of the server outlived the test")

    def perfcheck(self, *args):
        raise NotImplementedError("a ServerTestCase runs perfcheck its own way")
