// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_copy LOG ARG MS FAIL HANG: one copy of a concurrency test. Appends "ARG PERFCHECK_INSTANCE"
// (the variable, or '-' when unset) as one line to LOG (one O_APPEND write, so concurrent
// copies never mix their lines), sleeps MS milliseconds, then exits 1 when its instance is
// FAIL, hangs (until killed) when it is HANG, else exits 0. FAIL or HANG -1: none.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long number(const char* text, const char* what) {
  char* end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < -1 || value > 600000) {
    fprintf(stderr, "pc_copy: %s '%s' is not a number from -1 to 600000\n", what, text);
    exit(2);
  }
  return value;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fputs("usage: pc_copy LOG ARG MS FAIL HANG\n", stderr);
    return 2;
  }
  const long ms = number(argv[3], "MS"), fail = number(argv[4], "FAIL"), hang = number(argv[5], "HANG");
  const char* variable = getenv("PERFCHECK_INSTANCE");
  const long instance = variable != NULL ? strtol(variable, NULL, 10) : -2;
  char line[256];
  int length = snprintf(line, sizeof line, "%s %s\n", argv[2], variable != NULL ? variable : "-");
  int log = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log < 0 || length < 0 || write(log, line, (size_t)length) != length || close(log) != 0) {
    perror(argv[1]);
    return 1;
  }
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
  if (instance == hang)
    for (;;) pause();
  return instance == fail ? 1 : 0;
}
