// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_alloc MIB: allocates MIB MiB, touches every page so that all of it is resident, exits.
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fputs("usage: pc_alloc MIB\n", stderr);
    return 2;
  }
  size_t size = (size_t)atoll(argv[1]) << 20;
  volatile char* block = malloc(size);
  if (block == NULL) {
    fputs("pc_alloc: out of memory\n", stderr);
    return 1;
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  for (size_t i = 0; i < size; i += page) block[i] = 1;
  free((void*)block);
  return 0;
}
