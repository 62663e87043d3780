// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_forkbomb FANOUT DEPTH HOLD_MS COUNT_FILE [MARKER]: a parallel fork bomb of bounded size.
// Every process down to DEPTH forks FANOUT children as fast as it can (retrying after 1 ms
// when fork fails), and every child at once does the same; each new process appends one byte
// to COUNT_FILE, then all sleep HOLD_MS once done forking and wait for their children. As no
// process exits before HOLD_MS, the size of COUNT_FILE is the most processes (besides the
// first) alive at once. MARKER is not used: it lets a test find every one of them in /proc.
#include "pc_fork.h"

#include <fcntl.h>
#include <sys/wait.h>

int main(int argc, char** argv) {
  pc_check_arguments(argc, 4, "pc_forkbomb FANOUT DEPTH HOLD_MS COUNT_FILE [MARKER]");
  const long long fanout = pc_count("pc_forkbomb", "FANOUT", argv[1]);
  const long long depth = pc_count("pc_forkbomb", "DEPTH", argv[2]);
  const long long hold_ms = pc_count("pc_forkbomb", "HOLD_MS", argv[3]);
  const int count = open(argv[4], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (count < 0) {
    perror("pc_forkbomb: COUNT_FILE");
    return 1;
  }
  for (long long level = 0, i = 0; level < depth && i < fanout;) {
    if (pc_fork_retrying("pc_forkbomb") == 0) {
      (void)!write(count, "x", 1);
      ++level;  // the child starts its own fan-out one level down
      i = 0;
      continue;
    }
    ++i;
  }
  pc_sleep_ms(hold_ms);
  while (wait(NULL) > 0 || errno == EINTR) {
  }
  return 0;
}
