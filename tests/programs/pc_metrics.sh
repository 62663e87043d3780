#!/bin/sh
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# pc_metrics.sh [COUNTER_FILE]: the metric channel from a shell script, as docs/metrics.md shows
# it: "startup 12.5 ms", a counter "pairs" of 1000 and "#meta lang=sh". With COUNTER_FILE, also
# "run_index N", N counting this script's runs in that file (1, 2, ...). Outside perfcheck
# ($PERFCHECK_METRICS unset) it reports nothing.
[ -n "$PERFCHECK_METRICS" ] || exit 0
echo "startup 12.5 ms" >> "$PERFCHECK_METRICS"
echo "pairs +600" >> "$PERFCHECK_METRICS"
echo "pairs +400" >> "$PERFCHECK_METRICS"
echo "#meta lang=sh" >> "$PERFCHECK_METRICS"
if [ -n "$1" ]; then
  n=$(($(cat "$1" 2>/dev/null || echo 0) + 1))
  echo "$n" > "$1"
  echo "run_index $n" >> "$PERFCHECK_METRICS"
fi
