// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Small /proc reads for perfcheck-launcher, without stdio (it would cost resident memory):
// paths built in a fixed buffer, whole small files, and the launcher's own I/O counters.
#ifndef PERFCHECK_EXEC_LAUNCHER_PROC_FILES_H
#define PERFCHECK_EXEC_LAUNCHER_PROC_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// A path of at most 95 bytes (longer ones are cut), NUL-terminated.
struct path_buffer {
  char text[96];
  size_t length;
};

/// Appends `s` to the path.
void path_add(struct path_buffer* p, const char* s);
/// Appends a non-negative number in decimal.
void path_add_number(struct path_buffer* p, long value);
/// Sets the path to "/proc/PID" followed by `tail`.
void proc_path(struct path_buffer* p, long pid, const char* tail);
/// Sets the path to "/proc/PID/task/TID/children": the children of one thread.
void children_path(struct path_buffer* p, long pid, long tid);

/// Reads up to size - 1 bytes of a (proc) file at `path` and NUL-terminates; -1 when
/// unreadable. Adds the bytes read to *own_reads (the launcher's own rchar).
ssize_t read_small_file(const char* path, char* buffer, size_t size, uint64_t* own_reads);
/// Reads an open (proc) file from its start, likewise.
ssize_t pread_all(int fd, char* buffer, size_t size, uint64_t* own_reads);

/// Counters of /proc/self/io.
struct io_counts {
  int64_t rchar, wchar, read_bytes, write_bytes;
};

/// The launcher's /proc/self/io (its own I/O plus that of every child it has reaped) from
/// *fd, which is opened on first use (start it at -2). Returns 1, or 0 when unreadable.
int read_io(int* fd, struct io_counts* io, uint64_t* own_reads);

#endif  // PERFCHECK_EXEC_LAUNCHER_PROC_FILES_H
