#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""truncated_wrk.py: the start of wrk 4.1.0's output, cut off before its summary (a wrk that
was killed, or a Lua script that replaced the summary), and exit 0."""
print("""Running 1s test @ http://127.0.0.1:8080/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.27ms    4.66ms  39.97ms   91.88%""")
