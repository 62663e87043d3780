// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_escape MARKER N HOLD_MS [kill-parent]: starts N processes that try to outlive it: each
// forks, calls setsid(), forks again (the middle process exits, so the last one is orphaned),
// ignores SIGTERM, SIGINT and SIGHUP, and sleeps forever. Then it sleeps HOLD_MS and exits 0.
// With kill-parent it also forks one plain child that sleeps forever and SIGKILLs its own
// parent (perfcheck's launcher) before sleeping. MARKER is not used: it lets a test find every
// one of them in /proc/*/cmdline.
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  if (argc != 4 && !(argc == 5 && strcmp(argv[4], "kill-parent") == 0)) {
    fputs("usage: pc_escape MARKER N HOLD_MS [kill-parent]\n", stderr);
    return 2;
  }
  int n = atoi(argv[2]);
  long long hold_ms = atoll(argv[3]);
  for (int i = 0; i < n; ++i) {
    pid_t middle = fork();
    if (middle < 0) {
      perror("pc_escape: fork");
      return 1;
    }
    if (middle == 0) {
      setsid();
      if (fork() != 0) _exit(0);
      signal(SIGTERM, SIG_IGN);
      signal(SIGINT, SIG_IGN);
      signal(SIGHUP, SIG_IGN);
      for (;;) pause();
    }
    waitpid(middle, NULL, 0);
  }
  if (argc == 5) {
    if (fork() == 0)
      for (;;) pause();
    kill(getppid(), SIGKILL);
  }
  sleep_ms(hold_ms);
  return 0;
}
