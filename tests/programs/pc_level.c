// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_level LOG MS: appends "MS PERFCHECK_PARAM_N" (the variable, or '-' when unset) as one line to
// LOG, then sleeps MS milliseconds: a command whose cost grows with its argument and that
// records which level of a sweep ran, in the order the levels ran. With PC_LEVEL_SLOW=AT:EXTRA
// (from the environment perfcheck runs in, outside the spec) a run with MS = AT sleeps EXTRA ms
// more: one level made slower while the spec, and so its history series, stays the same.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fputs("usage: pc_level LOG MS\n", stderr);
    return 2;
  }
  char* end = NULL;
  errno = 0;
  const long ms = strtol(argv[2], &end, 10);
  if (errno != 0 || end == argv[2] || *end != '\0' || ms < 0 || ms > 600000) {
    fprintf(stderr, "pc_level: '%s' is not a number of milliseconds (0 to 600000)\n", argv[2]);
    return 2;
  }
  FILE* log = fopen(argv[1], "a");
  if (log == NULL) {
    perror(argv[1]);
    return 1;
  }
  const char* n = getenv("PERFCHECK_PARAM_N");
  fprintf(log, "%ld %s\n", ms, n != NULL ? n : "-");
  if (fclose(log) != 0) {
    perror(argv[1]);
    return 1;
  }
  long total = ms;
  const char* slow = getenv("PC_LEVEL_SLOW");
  long at = -1, extra = 0;
  if (slow != NULL && sscanf(slow, "%ld:%ld", &at, &extra) == 2 && at == ms && extra > 0 && extra <= 600000) {
    total += extra;
  }
  struct timespec t = {total / 1000, (total % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
  return 0;
}
