// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_threads N MS [EVERY_MS]: starts N threads that sleep, lives for MS milliseconds, then
// exits. With EVERY_MS, it also starts one more (never joined) thread every EVERY_MS
// milliseconds: a thread leak. The tests know the exact count: N + 1 (the main thread) at the
// start.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void* idle(void* unused) {
  (void)unused;
  for (;;) {
    struct timespec t = {1, 0};
    nanosleep(&t, NULL);
  }
  return NULL;
}

static int start_thread(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, idle, NULL) != 0) {
    perror("pc_threads: pthread_create");
    return 0;
  }
  return 1;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fputs("usage: pc_threads N MS [EVERY_MS]\n", stderr);
    return 2;
  }
  const long n = atol(argv[1]), ms = atol(argv[2]), every = argc == 4 ? atol(argv[3]) : 0;
  for (long i = 0; i < n; ++i)
    if (!start_thread()) return 1;
  if (every <= 0) {
    sleep_ms(ms);
    return 0;
  }
  for (long spent = 0; spent < ms; spent += every) {
    sleep_ms(every);
    if (!start_thread()) return 1;
  }
  return 0;
}
