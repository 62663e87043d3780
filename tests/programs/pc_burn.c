// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_burn MS: spins until the process has used MS milliseconds of CPU time.
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fputs("usage: pc_burn MS\n", stderr);
    return 2;
  }
  long long until = cpu_ns() + atoll(argv[1]) * 1000000LL;
  volatile unsigned long long spin = 0;
  while (cpu_ns() < until)
    for (int i = 0; i < 10000; ++i) spin = spin + (unsigned long long)i;
  return 0;
}
