// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_write PATH MIB: writes MIB MiB to the file PATH (created or truncated), then removes it
// and exits 0. Past RLIMIT_FSIZE the kernel sends SIGXFSZ, which ends it.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fputs("usage: pc_write PATH MIB\n", stderr);
    return 2;
  }
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    perror("pc_write: open");
    return 1;
  }
  static char chunk[64 * 1024];
  memset(chunk, 'x', sizeof chunk);
  long long left = atoll(argv[2]) << 20;
  while (left > 0) {
    size_t size = left < (long long)sizeof chunk ? (size_t)left : sizeof chunk;
    ssize_t n = write(fd, chunk, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("pc_write: write");
      return 1;
    }
    left -= n;
  }
  close(fd);
  unlink(argv[1]);
  return 0;
}
