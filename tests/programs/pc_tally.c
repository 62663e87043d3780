// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_tally FILE CODE [LATER_MS]: appends its pid and a newline to FILE, so a test can count
// the runs that started and check that each one is gone; then, when FILE already held a line
// (every run but the first), sleeps LATER_MS milliseconds; then exits with status CODE.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    fputs("usage: pc_tally FILE CODE [LATER_MS]\n", stderr);
    return 2;
  }
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    perror("pc_tally: open");
    return 2;
  }
  struct stat before;
  if (fstat(fd, &before) != 0) {
    perror("pc_tally: fstat");
    return 2;
  }
  char line[32];
  int size = snprintf(line, sizeof line, "%ld\n", (long)getpid());
  if (write(fd, line, (size_t)size) != size) {
    perror("pc_tally: write");
    return 2;
  }
  close(fd);
  long long later_ms = argc == 4 ? atoll(argv[3]) : 0;
  if (before.st_size > 0 && later_ms > 0) {
    struct timespec pause = {(time_t)(later_ms / 1000), (long)(later_ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
  }
  return atoi(argv[2]);
}
