// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_fdhog N HOLD_MS: opens /dev/null until it holds N more descriptors, retrying every
// millisecond while open fails with EMFILE (a leaking server that keeps trying), then holds
// them HOLD_MS and exits 0.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(long long ms) {
  struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fputs("usage: pc_fdhog N HOLD_MS\n", stderr);
    return 2;
  }
  int n = atoi(argv[1]);
  long long hold_ms = atoll(argv[2]);
  for (int opened = 0; opened < n;) {
    if (open("/dev/null", O_RDONLY) >= 0) {
      ++opened;
    } else if (errno == EMFILE || errno == ENFILE) {
      sleep_ms(1);
    } else {
      perror("pc_fdhog: open");
      return 1;
    }
  }
  sleep_ms(hold_ms);
  return 0;
}
