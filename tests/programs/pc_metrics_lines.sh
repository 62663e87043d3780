#!/bin/sh
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# pc_metrics_lines.sh LINE...: writes each argument as one line to the metric channel, as given,
# so a test can send exactly the lines it checks (malformed ones included).
[ -n "$PERFCHECK_METRICS" ] || exit 0
for line in "$@"; do
  printf '%s\n' "$line" >> "$PERFCHECK_METRICS"
done
