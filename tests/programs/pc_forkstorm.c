// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_forkstorm N HOLD_MS [MARKER]: forks N children as fast as it can (retrying after 1 ms when
// fork fails), each sleeping HOLD_MS; then waits for them and exits 0. MARKER is not used: it
// lets a test find every one of them in /proc/*/cmdline.
#include "pc_fork.h"

#include <sys/wait.h>

int main(int argc, char** argv) {
  pc_check_arguments(argc, 2, "pc_forkstorm N HOLD_MS [MARKER]");
  const long long n = pc_count("pc_forkstorm", "N", argv[1]);
  const long long hold_ms = pc_count("pc_forkstorm", "HOLD_MS", argv[2]);
  for (long long i = 0; i < n; ++i) {
    if (pc_fork_retrying("pc_forkstorm") == 0) {
      pc_sleep_ms(hold_ms);
      _exit(0);
    }
  }
  while (wait(NULL) > 0) {
  }
  return 0;
}
