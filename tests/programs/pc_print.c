// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_print BYTES [stderr]: writes exactly BYTES bytes of text to stdout (or stderr), as lines
// of 64 bytes (63 characters and a newline), so that any multiple of 64 ends a line.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "stderr") != 0)) {
    fputs("usage: pc_print BYTES [stderr]\n", stderr);
    return 2;
  }
  long long left = atoll(argv[1]);
  int fd = argc == 3 ? 2 : 1;
  static char chunk[64 * 1024];
  for (size_t i = 0; i < sizeof chunk; ++i)
    chunk[i] = i % 64 == 63 ? '\n' : (char)('a' + (char)(i % 26));
  size_t at = 0;  // offset in chunk: a short write must not break the line pattern
  while (left > 0) {
    size_t size = sizeof chunk - at;
    if (left < (long long)size) size = (size_t)left;
    ssize_t n = write(fd, chunk + at, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("pc_print");
      return 1;
    }
    left -= n;
    at = (at + (size_t)n) % sizeof chunk;
  }
  return 0;
}
