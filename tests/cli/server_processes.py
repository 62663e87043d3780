# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""What the server tests share: finding the processes a test's server left behind (by a marker in
their command line), and waiting for a condition with a deadline."""
import os
import time


def marked_processes(marker):
    """Pids of live (not zombie) processes whose command line contains the marker."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                if marker.encode() not in f.read():
                    continue
            with open(f"/proc/{name}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        found.append(int(name))
    return found


def wait_until(predicate, seconds=20, poll=0.1):
    """True as soon as predicate() is; predicate()'s last answer once `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return predicate()
