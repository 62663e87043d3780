// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_grow INITIAL_MIB STEP_KIB STEP_MS DURATION_MS: allocates and touches INITIAL_MIB MiB, then
// every STEP_MS allocates and touches STEP_KIB KiB more (never freed: a leak; 0: steady) until
// DURATION_MS have passed, and exits 0.
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// Every block is kept reachable from here, or an optimising compiler may drop the unused
// malloc and memset altogether, and nothing would grow.
static void* volatile last_block;

static void touch(size_t bytes) {
  if (bytes == 0) return;
  char* block = malloc(bytes);
  if (block == NULL) {
    fputs("pc_grow: out of memory\n", stderr);
    exit(1);
  }
  memset(block, 1, bytes);
  *(void**)block = last_block;  // a chain of every block: all stay resident and reachable
  last_block = block;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fputs("usage: pc_grow INITIAL_MIB STEP_KIB STEP_MS DURATION_MS\n", stderr);
    return 2;
  }
  long long step_ms = atoll(argv[3]);
  long long until = now_ms() + atoll(argv[4]);
  touch((size_t)atoll(argv[1]) << 20);
  while (now_ms() < until) {
    touch((size_t)atoll(argv[2]) << 10);
    struct timespec t = {(time_t)(step_ms / 1000), (long)(step_ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {
    }
  }
  return 0;
}
