// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_spawn_loop N PROGRAM [ARGS...]: starts PROGRAM N times, one after the other, with
// posix_spawn and waitpid, and measures nothing. The least time any tool that runs a program
// N times can take here: bench.launch_cost_vs_hyperfine prints perfcheck's and hyperfine's
// whole time against it. Exits 1 when a start fails or a run does not exit 0.
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char** environ;

int main(int argc, char** argv) {
  char* end = NULL;
  long n = argc >= 3 ? strtol(argv[1], &end, 10) : -1;
  if (argc < 3 || *end != '\0' || n < 0) {
    fprintf(stderr, "usage: pc_spawn_loop N PROGRAM [ARGS...]\n");
    return 2;
  }
  for (long i = 0; i < n; ++i) {
    pid_t pid;
    int error = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (error != 0) {
      fprintf(stderr, "pc_spawn_loop: %s: %s\n", argv[2], strerror(error));
      return 1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  return 0;
}
