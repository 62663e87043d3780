/* Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT */
/* pc_metrics N: reports through <perfcheck/metrics.h> what the metric channel tests expect:
 * N values of "op" (i microseconds for i = 1..N), a counter "items" counted N times by 2,
 * "startup 12.5 ms", "hit_rate 78.5 %", "plain 42" and "#meta endpoint=/api/v1/fir". Exits 3
 * when a call fails although PERFCHECK_METRICS is set, 0 otherwise (outside perfcheck every
 * call fails with ENOENT, which is the point). Built as strict C99, so it asks for POSIX. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <perfcheck/metrics.h>

static int failed(int rc) {
  if (rc == 0) return 0;
  if (errno == ENOENT && getenv("PERFCHECK_METRICS") == NULL) return 0;
  perror("pc_metrics");
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fputs("usage: pc_metrics N\n", stderr);
    return 2;
  }
  const long n = atol(argv[1]);
  int bad = failed(perfcheck_report("startup", 12.5, "ms"));
  bad |= failed(perfcheck_report("hit_rate", 78.5, "%"));
  bad |= failed(perfcheck_report("plain", 42, NULL));
  bad |= failed(perfcheck_meta("endpoint", "/api/v1/fir"));
  for (long i = 1; i <= n; ++i) {
    bad |= failed(perfcheck_report("op", (double)i, "us"));
    bad |= failed(perfcheck_count("items", 2));
  }
  /* Refused, not written: a name with a space would break the line format. */
  if (perfcheck_report("bad name", 1, NULL) == 0 || errno != EINVAL) bad = 1;
  return bad ? 3 : 0;
}
