# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Headless Chromium for the tests that judge a page the way a person sees it: the browser
(CHROMIUM, else chromium or chromium-browser in PATH; None without one), a run of it with a fresh
profile and no background traffic of its own, and how many distinct bytes a screenshot has (a
blank page has a handful)."""
import os
import shutil
import struct
import subprocess
import zlib

CHROMIUM = os.environ.get("CHROMIUM", "")
if not CHROMIUM or CHROMIUM.endswith("-NOTFOUND"):  # CMake's find_program found none
    CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(profile, *args, timeout=180):
    """Runs headless Chromium with the fresh profile folder `profile` and the arguments `args`."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic", "--disable-extensions", "--hide-scrollbars",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=timeout)


def png_distinct_bytes(path):
    """Distinct byte values of a PNG's decompressed pixel data (a blank page has a handful)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))
