// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "proc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void path_add(struct path_buffer* p, const char* s) {
  size_t n = strlen(s);
  if (p->length + n >= sizeof p->text) n = sizeof p->text - 1 - p->length;
  memcpy(p->text + p->length, s, n);
  p->length += n;
  p->text[p->length] = '\0';
}

void path_add_number(struct path_buffer* p, long value) {
  char digits[24];
  size_t n = 0;
  unsigned long v = (unsigned long)value;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < sizeof digits);
  char reversed[24];
  for (size_t i = 0; i < n; ++i) reversed[i] = digits[n - 1 - i];
  reversed[n] = '\0';
  path_add(p, reversed);
}

void proc_path(struct path_buffer* p, long pid, const char* tail) {
  p->length = 0;
  p->text[0] = '\0';
  path_add(p, "/proc/");
  path_add_number(p, pid);
  path_add(p, tail);
}

void children_path(struct path_buffer* p, long pid, long tid) {
  proc_path(p, pid, "/task/");
  path_add_number(p, tid);
  path_add(p, "/children");
}

ssize_t pread_all(int fd, char* buffer, size_t size, uint64_t* own_reads) {
  size_t total = 0;
  while (total < size - 1) {
    ssize_t n = pread(fd, buffer + total, size - 1 - total, (off_t)total);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    *own_reads += (uint64_t)n;
    total += (size_t)n;
  }
  buffer[total] = '\0';
  return (ssize_t)total;
}

ssize_t read_small_file(const char* path, char* buffer, size_t size, uint64_t* own_reads) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = pread_all(fd, buffer, size, own_reads);
  close(fd);
  return n;
}

int read_io(int* fd, struct io_counts* io, uint64_t* own_reads) {
  char text[512];
  memset(io, 0, sizeof *io);
  if (*fd == -2) *fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
  if (*fd < 0 || pread_all(*fd, text, sizeof text, own_reads) <= 0) return 0;
  static const struct {
    const char* key;
    size_t offset;
  } keys[] = {{"rchar: ", offsetof(struct io_counts, rchar)},
              {"wchar: ", offsetof(struct io_counts, wchar)},
              {"read_bytes: ", offsetof(struct io_counts, read_bytes)},
              {"write_bytes: ", offsetof(struct io_counts, write_bytes)}};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; ++k) {
    const char* at = strstr(text, keys[k].key);
    if (at == NULL) return 0;
    int64_t value = strtoll(at + strlen(keys[k].key), NULL, 10);
    memcpy((char*)io + keys[k].offset, &value, sizeof value);
  }
  return 1;
}
