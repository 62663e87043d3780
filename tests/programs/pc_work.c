// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_work ITERATIONS [SCALE]: a FIXED amount of CPU-bound work, ITERATIONS x SCALE steps of a
// dependent multiply-xorshift chain (no memory traffic, nothing the compiler can drop or
// vectorize). Unlike pc_burn, which spins until a CPU time has passed, the time this takes
// varies with the machine as a real program's does. SCALE (default: $PC_WORK_SCALE, else 1)
// injects an exact slowdown: 1.05 does 5% more steps. The environment variable lets the work
// change while the command line (and so the spec hash) stays the same, as when a new build of
// the same program is measured.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int parse_scale(const char* text, double* out) {
  char* end = NULL;
  errno = 0;
  const double v = strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(v > 0) || v > 1000) return 0;
  *out = v;
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fputs("usage: pc_work ITERATIONS [SCALE]   (SCALE default: $PC_WORK_SCALE, else 1)\n", stderr);
    return 2;
  }
  char* end = NULL;
  errno = 0;
  const unsigned long long iterations = strtoull(argv[1], &end, 10);
  if (errno != 0 || end == argv[1] || *end != '\0') {
    fprintf(stderr, "pc_work: '%s' is not a count\n", argv[1]);
    return 2;
  }
  double scale = 1;
  const char* from_env = getenv("PC_WORK_SCALE");
  const char* text = argc == 3 ? argv[2] : (from_env && *from_env ? from_env : NULL);
  if (text && !parse_scale(text, &scale)) {
    fprintf(stderr, "pc_work: scale '%s' is not a number in (0, 1000]\n", text);
    return 2;
  }
  const unsigned long long steps = (unsigned long long)((double)iterations * scale + 0.5);
  unsigned long long x = 0x9E3779B97F4A7C15ULL;
  for (unsigned long long i = 0; i < steps; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  volatile unsigned long long sink = x;
  (void)sink;
  return 0;
}
