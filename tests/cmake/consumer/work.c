// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The consumer's measured program: a short busy loop.
// Usage: work <iterations> [--expect-escaping ARG...]
// With --expect-escaping it also checks that the arguments and CONSUMER_CHECK arrived exactly
// as add_perf_test was given them (quotes, backslashes, semicolons, tab, newline, dollar), and
// exits 1 if not, so a spec-escaping bug fails the test.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <perfcheck/metrics.h>

static const char* const expected_args[] = {"a \"quoted\" arg", "back\\slash", "semi;colon",
                                            "tab\there",        "line\nbreak", "dollar$sign"};

static int check_escaping(int argc, char** argv) {
  const int count = (int)(sizeof expected_args / sizeof expected_args[0]);
  if (argc != count) {
    fprintf(stderr, "work: expected %d arguments after --expect-escaping, got %d\n", count, argc);
    return 1;
  }
  for (int i = 0; i < count; ++i) {
    if (strcmp(argv[i], expected_args[i]) != 0) {
      fprintf(stderr, "work: argument %d is [%s], expected [%s]\n", i, argv[i], expected_args[i]);
      return 1;
    }
  }
  const char* env = getenv("CONSUMER_CHECK");
  if (env == NULL || strcmp(env, "x\"y\\z;w") != 0) {
    fprintf(stderr, "work: CONSUMER_CHECK is [%s], expected [x\"y\\z;w]\n", env ? env : "(unset)");
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (argc > 2 && strcmp(argv[2], "--expect-escaping") == 0 &&
      check_escaping(argc - 3, argv + 3) != 0) {
    return 1;
  }
  volatile unsigned long sum = 0;
  for (long i = 0; i < iterations * 1000; ++i) sum += (unsigned long)i;
  printf("%lu\n", (unsigned long)sum);
  (void)perfcheck_report("iterations", (double)iterations, NULL);  /* a no-op outside perfcheck */
  return 0;
}
