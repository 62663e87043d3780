// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_sleep MS: sleeps MS milliseconds of wall time, using (almost) no CPU.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fputs("usage: pc_sleep MS\n", stderr);
    return 2;
  }
  long long ms = atoll(argv[1]);
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += (time_t)(ms / 1000);
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec += 1;
    until.tv_nsec -= 1000000000L;
  }
  // An absolute deadline, so an interrupted sleep resumes without drifting.
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {
  }
  return 0;
}
