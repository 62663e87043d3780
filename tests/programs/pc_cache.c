// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A program with a cache folder, for cold-against-warm tests:
//   pc_cache fill DIR MS    when DIR/cache.dat exists, reads it and exits (warm); else sleeps MS
//                           milliseconds (the cold work) and writes it.
//   pc_cache clear DIR MODE removes DIR/cache.dat when MODE is "cold" (as a PREPARE), else
//                           nothing.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int cache_path(char* out, size_t size, const char* dir) {
  return snprintf(out, size, "%s/cache.dat", dir) < (int)size ? 0 : -1;
}

static int fill(const char* dir, long long ms) {
  char path[4096];
  if (cache_path(path, sizeof path, dir) != 0) return 2;
  FILE* f = fopen(path, "rb");
  if (f) {
    char buffer[64];
    while (fread(buffer, 1, sizeof buffer, f) > 0) {
    }
    fclose(f);
    return 0;
  }
  struct timespec pause = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
  }
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    perror("pc_cache: mkdir");
    return 2;
  }
  f = fopen(path, "wb");
  if (!f || fputs("cached\n", f) == EOF || fclose(f) != 0) {
    perror("pc_cache: write");
    return 2;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "fill") == 0) return fill(argv[2], atoll(argv[3]));
  if (argc == 4 && strcmp(argv[1], "clear") == 0) {
    char path[4096];
    if (cache_path(path, sizeof path, argv[2]) != 0) return 2;
    if (strcmp(argv[3], "cold") == 0 && remove(path) != 0 && errno != ENOENT) {
      perror("pc_cache: remove");
      return 2;
    }
    return 0;
  }
  fputs("usage: pc_cache fill DIR MS | pc_cache clear DIR MODE\n", stderr);
  return 2;
}
