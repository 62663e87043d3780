// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_log FILE WORD [CODE]: appends WORD and a newline to FILE (O_APPEND, one write), then exits
// with status CODE (default 0); with CODE "hang" it sleeps until killed. The set-up tests run it
// as SETUP, PREPARE, the command and CLEANUP, and read the order back from FILE.
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    fputs("usage: pc_log FILE WORD [CODE|hang]\n", stderr);
    return 2;
  }
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    perror("pc_log: open");
    return 2;
  }
  size_t n = strlen(argv[2]);
  char line[256];
  if (n > sizeof line - 2) n = sizeof line - 2;
  memcpy(line, argv[2], n);
  line[n] = '\n';
  if (write(fd, line, n + 1) != (ssize_t)(n + 1)) {
    perror("pc_log: write");
    return 2;
  }
  close(fd);
  if (argc == 4 && strcmp(argv[3], "hang") == 0) {
    for (;;) pause();
  }
  int code = argc == 4 ? atoi(argv[3]) : 0;
  if (code != 0) fprintf(stderr, "pc_log: %s failing with status %d as asked\n", argv[2], code);
  return code;
}
