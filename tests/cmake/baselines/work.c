// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The measured program of the baselines consumer test: a busy loop of <kilo-iterations>
// thousand steps, times WORK_FACTOR (a compile definition: the "configured-in slowdown").
// Usage: work <kilo-iterations>
// When BASELINES_RUN_LOG names a file, every run appends one line to it,
//   <role> <start ns> <end ns>
// with WORK_ROLE (compile definition: candidate or baseline) and CLOCK_MONOTONIC times, so the
// test can see the real order in which perfcheck ran the candidate and the baseline.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef WORK_FACTOR
#define WORK_FACTOR 1
#endif
#ifndef WORK_ROLE
#define WORK_ROLE "candidate"
#endif

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
  const long long start = now_ns();
  const long kilo = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  volatile unsigned long sum = 0;
  for (long i = 0; i < kilo * 1000L * WORK_FACTOR; ++i) sum += (unsigned long)i;
  printf("%lu\n", (unsigned long)sum);

  const char* log = getenv("BASELINES_RUN_LOG");
  if (log != NULL && *log != '\0') {
    // One write(2) on an O_APPEND descriptor: the line lands whole, after every earlier one.
    char line[128];
    const int n = snprintf(line, sizeof line, "%s %lld %lld\n", WORK_ROLE, start, now_ns());
    const int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || n <= 0 || write(fd, line, (size_t)n) != n || close(fd) != 0) {
      perror("work: cannot append to BASELINES_RUN_LOG");
      return 1;
    }
  }
  return 0;
}
