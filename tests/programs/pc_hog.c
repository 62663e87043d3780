// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_hog MIB PROCESSES HOLD_MS: a tree of PROCESSES processes (this one and PROCESSES - 1
// children) that each allocate and touch MIB MiB, then sleep HOLD_MS; the parent waits for its
// children and exits 0.
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void hog(long long mib, long long hold_ms) {
  size_t size = (size_t)mib << 20;
  volatile char* block = malloc(size);
  if (block == NULL && size > 0) {
    fputs("pc_hog: out of memory\n", stderr);
    exit(1);
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  for (size_t i = 0; i < size; i += page) block[i] = 1;
  struct timespec hold = {(time_t)(hold_ms / 1000), (long)(hold_ms % 1000) * 1000000L};
  while (nanosleep(&hold, &hold) != 0) {
  }
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fputs("usage: pc_hog MIB PROCESSES HOLD_MS\n", stderr);
    return 2;
  }
  long long mib = atoll(argv[1]);
  int processes = atoi(argv[2]);
  long long hold_ms = atoll(argv[3]);
  for (int i = 1; i < processes; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("pc_hog: fork");
      return 1;
    }
    if (pid == 0) {
      hog(mib, hold_ms);
      _exit(0);
    }
  }
  hog(mib, hold_ms);
  while (wait(NULL) > 0) {
  }
  return 0;
}
