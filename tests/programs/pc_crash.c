// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_crash SIGNAME: kills itself with the signal (SEGV, ABRT, BUS, FPE, ILL, KILL, TERM, INT,
// with or without the SIG prefix).
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
  static const struct {
    const char* name;
    int number;
  } signals[] = {{"SEGV", SIGSEGV}, {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},
                 {"ILL", SIGILL},   {"KILL", SIGKILL}, {"TERM", SIGTERM}, {"INT", SIGINT}};
  if (argc != 2) {
    fputs("usage: pc_crash SIGNAME\n", stderr);
    return 2;
  }
  const char* name = argv[1];
  if (strncmp(name, "SIG", 3) == 0) name += 3;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; ++i) {
    if (strcmp(name, signals[i].name) != 0) continue;
    // No core file: tests crash on purpose, often.
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(signals[i].number, SIG_DFL);
    raise(signals[i].number);
  }
  fprintf(stderr, "pc_crash: unknown or non-fatal signal '%s'\n", argv[1]);
  return 2;
}
