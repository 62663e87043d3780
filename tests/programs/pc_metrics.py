#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""pc_metrics.py: the metric channel from Python, as docs/metrics.md shows it: a start-up time in
seconds, a cache hit rate in percent, 200 per-request latencies (i / 10 ms for i = 1..200), a
counter of requests and "#meta lang=python". Outside perfcheck it reports nothing."""
import os
import sys

path = os.environ.get("PERFCHECK_METRICS")
if not path:
    sys.exit(0)
with open(path, "a", buffering=1) as channel:  # line-buffered: one write per line
    print("startup 0.0125 s", file=channel)
    print("cache_hit_rate 78.5 %", file=channel)
    for i in range(1, 201):
        print(f"request {i / 10} ms", file=channel)
        print("requests +1", file=channel)
    print("#meta lang=python", file=channel)
