// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What pc_forkstorm and pc_forkbomb share: their arguments, sleeping, and forking as fast as
// the system lets them.
#ifndef PC_FORK_H
#define PC_FORK_H

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

// Exits 2 with "usage: <usage>" unless argv holds `required` arguments, or one more (MARKER:
// not used, it lets a test find every process in /proc/*/cmdline).
static void pc_check_arguments(int argc, int required, const char* usage) {
  if (argc - 1 != required && argc - 1 != required + 1) {
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
  }
}

// `text` as a whole number of at least 0; exits 2 naming `program` and `what` otherwise.
static long long pc_count(const char* program, const char* what, const char* text) {
  char* end = NULL;
  errno = 0;
  const long long value = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0) {
    fprintf(stderr, "%s: %s: '%s' is not a whole number of 0 or more\n", program, what, text);
    exit(2);
  }
  return value;
}

static void pc_sleep_ms(long long ms) {
  struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

// fork(), retried after 1 ms while the system has no process to spare (EAGAIN); exits 1 with
// "<program>: fork: <error>" on any other failure.
static pid_t pc_fork_retrying(const char* program) {
  for (;;) {
    const pid_t pid = fork();
    if (pid >= 0) return pid;
    if (errno != EAGAIN) {
      fprintf(stderr, "%s: fork: %s\n", program, strerror(errno));
      exit(1);
    }
    pc_sleep_ms(1);
  }
}

#endif
