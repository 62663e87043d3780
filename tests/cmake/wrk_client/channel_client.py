#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""channel_client.py PORT N: N GETs of http://127.0.0.1:PORT/ on one connection each, every
request's time written to $PERFCHECK_METRICS as 'get <ms> ms' (docs/metrics.md)."""
import os
import sys
import time
import urllib.request

port, count = sys.argv[1], int(sys.argv[2])
with open(os.environ["PERFCHECK_METRICS"], "a") as metrics:
    for _ in range(count):
        start = time.monotonic()
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read() == b"ok\n"
        metrics.write(f"get {(time.monotonic() - start) * 1e3:.3f} ms\n")
