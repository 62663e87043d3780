/* Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT */
/* perfcheck/metrics.h: report figures from inside a measured program to perfcheck.
 *
 * Header only, C99 or C++11, no dependency beyond the C library and POSIX (in strict ISO C
 * mode, -std=c99, define _POSIX_C_SOURCE 200809L before the first include). Outside perfcheck
 * (PERFCHECK_METRICS unset) every call does nothing and returns -1 with errno ENOENT, so the
 * program runs unchanged.
 *
 *   perfcheck_report("startup", 523.4, "ms");   // one value: "startup 523.4 ms"
 *   perfcheck_report("cache_hit_rate", 78.5, "%");
 *   perfcheck_count("links", 1);                 // a counter: "links +1", summed per run
 *   perfcheck_meta("endpoint", "/api/v1/fir");   // metadata: "#meta endpoint=/api/v1/fir"
 *
 * A name reported many times in one run is a distribution (per-operation latencies); once,
 * a single value. In C++, a perfcheck::scope_timer reports the time until its scope ends:
 *
 *   { perfcheck::scope_timer t("parse"); parse(input); }   // "parse <ms> ms"
 *
 * Each line goes out in one write(2) to a file opened with O_APPEND, so processes and threads
 * may report at the same time without mixing their lines. The format is in docs/metrics.md. */
#ifndef PERFCHECK_METRICS_H
#define PERFCHECK_METRICS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The channel's descriptor, opened on first use: -2 not yet tried, -1 not available. */
static inline int perfcheck_channel_fd_(void) {
  static int fd = -2;
  int seen = __atomic_load_n(&fd, __ATOMIC_ACQUIRE);
  if (seen != -2) return seen;
  const char* path = getenv("PERFCHECK_METRICS");
  int opened = path != NULL && path[0] != '\0' ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
  int expected = -2;
  if (!__atomic_compare_exchange_n(&fd, &expected, opened, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    if (opened >= 0) close(opened); /* another thread won the race */
    return expected;
  }
  return opened;
}

/* A word of a line: not empty, no space, tab, newline or other control character. */
static inline int perfcheck_word_ok_(const char* s) {
  if (s == NULL || *s == '\0') return 0;
  for (; *s != '\0'; ++s)
    if ((unsigned char)*s <= ' ' || *s == 0x7f) return 0;
  return 1;
}

/* Writes one line in one write(2). Returns 0, or -1 with errno set. */
static inline int perfcheck_write_line_(const char* line, int length) {
  int fd = perfcheck_channel_fd_();
  if (fd < 0) {
    errno = ENOENT;
    return -1;
  }
  if (length < 0) {
    errno = EINVAL;
    return -1;
  }
  for (;;) {
    ssize_t n = write(fd, line, (size_t)length);
    if (n == (ssize_t)length) return 0;
    if (n < 0 && errno == EINTR) continue;
    if (n >= 0) errno = EIO; /* a short write on a regular file: the disk is full */
    return -1;
  }
}

/* Reports one value of `name` in `unit` (ns us ms s min h, B KiB MiB GiB, /s /min /h, %, or
 * NULL/"" for a plain number). Returns 0, or -1 with errno: ENOENT outside perfcheck, EINVAL
 * for a name or unit with spaces or control characters, or the write's error. */
static inline int perfcheck_report(const char* name, double value, const char* unit) {
  char line[256];
  int has_unit = unit != NULL && unit[0] != '\0';
  if (!perfcheck_word_ok_(name) || (has_unit && !perfcheck_word_ok_(unit))) {
    errno = EINVAL;
    return -1;
  }
  int n = has_unit ? snprintf(line, sizeof line, "%s %.17g %s\n", name, value, unit)
                   : snprintf(line, sizeof line, "%s %.17g\n", name, value);
  if (n >= (int)sizeof line) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return perfcheck_write_line_(line, n);
}

/* Adds `n` to the counter `name` ("links +1"); a run's counter is the sum of its lines, and
 * perfcheck derives `<name>.rate` from it over the run's wall time. */
static inline int perfcheck_count(const char* name, double n) {
  char line[256];
  if (!perfcheck_word_ok_(name) || n < 0) {
    errno = EINVAL;
    return -1;
  }
  int length = snprintf(line, sizeof line, "%s +%.17g\n", name, n);
  if (length >= (int)sizeof line) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return perfcheck_write_line_(line, length);
}

/* Records metadata of the run ("#meta key=value"); neither may hold spaces. */
static inline int perfcheck_meta(const char* key, const char* value) {
  char line[512];
  if (!perfcheck_word_ok_(key) || strchr(key, '=') != NULL || !perfcheck_word_ok_(value)) {
    errno = EINVAL;
    return -1;
  }
  int n = snprintf(line, sizeof line, "#meta %s=%s\n", key, value);
  if (n >= (int)sizeof line) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return perfcheck_write_line_(line, n);
}

/* CLOCK_MONOTONIC in nanoseconds, for timing a span by hand. */
static inline long long perfcheck_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* 1 when the program runs under perfcheck (the channel is open). */
static inline int perfcheck_listening(void) { return perfcheck_channel_fd_() >= 0; }

#ifdef __cplusplus
} /* extern "C" */

namespace perfcheck {

/// Reports the time from its construction to its destruction as `name`, in milliseconds.
class scope_timer {
 public:
  explicit scope_timer(const char* name) : name_(name), start_(perfcheck_now_ns()) {}
  ~scope_timer() { (void)perfcheck_report(name_, double(perfcheck_now_ns() - start_) / 1e6, "ms"); }
  scope_timer(const scope_timer&) = delete;
  scope_timer& operator=(const scope_timer&) = delete;

 private:
  const char* name_;
  long long start_;
};

}  // namespace perfcheck
#endif

#endif /* PERFCHECK_METRICS_H */
