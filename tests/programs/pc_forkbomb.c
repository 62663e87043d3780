// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_forkbomb FANOUT DEPTH HOLD_MS COUNT_FILE [MARKER]: a parallel fork bomb of bounded size.
// Every process down to DEPTH forks FANOUT children as fast as it can (retrying after 1 ms
// when fork fails), and every child at once does the same; each new process appends one byte
// to COUNT_FILE, then all sleep HOLD_MS once done forking and wait for their children. As no
// process exits before HOLD_MS, the size of COUNT_FILE is the most processes (besides the
// first) alive at once. MARKER is not used: it lets a test find every one of them in /proc.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
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
  if (argc != 5 && argc != 6) {
    fputs("usage: pc_forkbomb FANOUT DEPTH HOLD_MS COUNT_FILE [MARKER]\n", stderr);
    return 2;
  }
  int fanout = atoi(argv[1]);
  int depth = atoi(argv[2]);
  long long hold_ms = atoll(argv[3]);
  int count = open(argv[4], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (count < 0) {
    perror("pc_forkbomb: COUNT_FILE");
    return 1;
  }
  for (int level = 0, i = 0; level < depth && i < fanout;) {
    pid_t pid = fork();
    if (pid < 0) {
      if (errno != EAGAIN) {
        perror("pc_forkbomb: fork");
        return 1;
      }
      sleep_ms(1);
      continue;
    }
    if (pid == 0) {
      (void)!write(count, "x", 1);
      ++level;  // the child starts its own fan-out one level down
      i = 0;
      continue;
    }
    ++i;
  }
  sleep_ms(hold_ms);
  while (wait(NULL) > 0 || errno == EINTR) {
  }
  return 0;
}
