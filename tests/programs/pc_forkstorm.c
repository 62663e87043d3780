// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_forkstorm N HOLD_MS [MARKER]: forks N children as fast as it can (retrying after 1 ms when
// fork fails), each sleeping HOLD_MS; then waits for them and exits 0. MARKER is not used: it
// lets a test find every one of them in /proc/*/cmdline.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long long ms) {
  struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    fputs("usage: pc_forkstorm N HOLD_MS [MARKER]\n", stderr);
    return 2;
  }
  int n = atoi(argv[1]);
  long long hold_ms = atoll(argv[2]);
  for (int i = 0; i < n;) {
    pid_t pid = fork();
    if (pid < 0) {
      if (errno != EAGAIN) {
        perror("pc_forkstorm: fork");
        return 1;
      }
      sleep_ms(1);
      continue;
    }
    if (pid == 0) {
      sleep_ms(hold_ms);
      _exit(0);
    }
    ++i;
  }
  while (wait(NULL) > 0) {
  }
  return 0;
}
