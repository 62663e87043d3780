// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "process_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_files.h"

void process_tree_init(struct process_tree* tree, long page_size) {
  memset(tree, 0, sizeof *tree);
  tree->self_children_fd = -1;
  tree->page_size = page_size;
}

static void drop_cached(struct process_tree* tree, int index) {
  struct cached_files* entry = &tree->cache[index];
  if (entry->stat_fd >= 0) close(entry->stat_fd);
  if (entry->children_fd >= 0) close(entry->children_fd);
  *entry = tree->cache[--tree->cache_count];
}

void process_tree_forget(struct process_tree* tree) {
  while (tree->cache_count > 0) drop_cached(tree, tree->cache_count - 1);
}

// The copy a child of the launcher itself belongs to: the one it is the command of, or -1.
static int root_owner(const struct process_tree* tree, pid_t pid) {
  for (int r = 0; r < tree->root_count; ++r)
    if (tree->roots[r] == pid) return r;
  return -1;
}

static void tree_push(struct process_tree* tree, pid_t pid) {
  if (tree->count >= PROCESS_TREE_MAX) return;
  tree->owner[tree->count] = tree->current_owner == -2 ? root_owner(tree, pid) : tree->current_owner;
  tree->pids[tree->count++] = pid;
}

// Appends every pid listed in an open /proc/.../children file ("12 34 "), read from its start.
// Returns -1 when it cannot be read.
static int push_children_fd(struct process_tree* tree, int fd) {
  char buffer[1024];
  long pending = -1;  // a number split across reads
  off_t at = 0;
  for (;;) {
    ssize_t n = pread(fd, buffer, sizeof buffer, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    at += n;
    tree->own_read_chars += (uint64_t)n;
    for (ssize_t i = 0; i < n; ++i) {
      char c = buffer[i];
      if (c >= '0' && c <= '9') {
        pending = (pending < 0 ? 0 : pending * 10) + (c - '0');
      } else if (pending >= 0) {
        tree_push(tree, (pid_t)pending);
        pending = -1;
      }
    }
  }
  if (pending >= 0) tree_push(tree, (pid_t)pending);
  return 0;
}

// Appends every pid listed in the /proc/.../children file at `path`.
static void push_children_from(struct process_tree* tree, const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)push_children_fd(tree, fd);
  close(fd);
}

struct linux_dirent64_header {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Calls visit(tree, number) for each numeric entry of a directory, or counts all entries but
// "." and ".." when visit is NULL. Returns the count, -1 when the directory cannot be read.
static int for_each_entry(struct process_tree* tree, const char* path,
                          void (*visit)(struct process_tree* tree, long number)) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  // Static rather than on the stack: one buffer serves every walk, and it is never re-entered.
  static char buffer[4096] __attribute__((aligned(8)));
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      struct linux_dirent64_header* entry = (struct linux_dirent64_header*)(void*)(buffer + at);
      at += entry->d_reclen;
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      ++count;
      if (visit != NULL) visit(tree, strtol(name, NULL, 10));
    }
  }
  close(fd);
  return count;
}

static void push_children_of_thread(struct process_tree* tree, long tid) {
  struct path_buffer path;
  children_path(&path, tree->threads_of, tid);
  push_children_from(tree, path.text);
}

// Field `index` (1-based, as in proc(5)) of a /proc/PID/stat line, after the "(comm)" field.
static const char* stat_field(const char* line, int index) {
  const char* p = strrchr(line, ')');
  if (p == NULL) return NULL;
  int field = 2;
  while (field < index) {
    p = strchr(p + 1, ' ');
    if (p == NULL) return NULL;
    ++field;
  }
  return p + 1;
}

// The cache entry of `pid`, opened now when there is room; -1 when it has none.
static int cached_entry(struct process_tree* tree, pid_t pid) {
  for (int c = 0; c < tree->cache_count; ++c)
    if (tree->cache[c].pid == pid) return c;
  if (tree->cache_count == PROCESS_TREE_CACHED) return -1;
  struct path_buffer path;
  proc_path(&path, pid, "/stat");
  int stat_fd = open(path.text, O_RDONLY | O_CLOEXEC);
  if (stat_fd < 0) return -1;
  int cached = tree->cache_count++;
  tree->cache[cached].pid = pid;
  tree->cache[cached].stat_fd = stat_fd;
  tree->cache[cached].children_fd = -1;
  return cached;
}

// Reads the stat line of `pid` (through the cache when it has an entry, dropping the entry of
// a process that is gone). Returns 0 when the process is gone.
static int read_stat(struct process_tree* tree, pid_t pid, int cached, char* line, size_t size) {
  if (cached >= 0) {
    if (pread_all(tree->cache[cached].stat_fd, line, size, &tree->own_read_chars) > 0) return 1;
    drop_cached(tree, cached);  // gone: its pid may come back as another process
    return 0;
  }
  struct path_buffer path;
  proc_path(&path, pid, "/stat");
  return read_small_file(path.text, line, size, &tree->own_read_chars) > 0;
}

// Adds one live or zombie process's CPU ticks, RSS, threads and (with count_fds) open fds.
static void measure_process(struct process_tree* tree, pid_t pid, int owner, const char* line,
                            int zombie, long threads, int count_fds) {
  const char* utime = stat_field(line, 14);
  int64_t ticks = 0;
  if (utime != NULL) {
    char* end = NULL;
    for (int f = 0; f < 4; ++f) {
      ticks += strtoll(utime, &end, 10);
      utime = end;
    }
  }
  tree->cpu_ticks += ticks;
  const char* rss_field = stat_field(line, 24);
  int64_t rss = !zombie && rss_field != NULL ? strtoll(rss_field, NULL, 10) * tree->page_size : 0;
  tree->rss_bytes += rss;
  if (owner >= 0) {
    tree->owner_ticks[owner] += ticks;
    tree->owner_rss[owner] += rss;
    if (!zombie) ++tree->owner_live[owner];
  }
  if (!zombie) tree->threads += (int)threads;
  if (count_fds && !zombie) {
    struct path_buffer path;
    proc_path(&path, pid, "/fd");
    int fds = for_each_entry(tree, path.text, NULL);
    if (fds > tree->max_fds) tree->max_fds = fds;
    if (owner >= 0 && fds > tree->owner_fds[owner]) tree->owner_fds[owner] = fds;
  }
}

// Queues the children of a live process: one children file for a single thread (kept open
// when the process is cached), otherwise one per thread.
static void push_children_of(struct process_tree* tree, pid_t pid, int cached, long threads) {
  struct path_buffer path;
  if (threads != 1) {
    tree->threads_of = pid;
    proc_path(&path, pid, "/task");
    (void)for_each_entry(tree, path.text, push_children_of_thread);
    return;
  }
  struct cached_files* entry = cached >= 0 ? &tree->cache[cached] : NULL;
  if (entry != NULL && entry->children_fd < 0) {
    children_path(&path, pid, pid);
    entry->children_fd = open(path.text, O_RDONLY | O_CLOEXEC);
  }
  if (entry != NULL && entry->children_fd >= 0) {
    (void)push_children_fd(tree, entry->children_fd);
  } else {
    children_path(&path, pid, pid);
    push_children_from(tree, path.text);
  }
}

void process_tree_walk(struct process_tree* tree, int measure, int count_fds) {
  tree->count = 0;
  tree->live = 0;
  tree->rss_bytes = 0;
  tree->cpu_ticks = 0;
  tree->max_fds = 0;
  tree->threads = 0;
  if (measure && tree->roots != NULL) {
    memset(tree->owner_rss, 0, sizeof *tree->owner_rss * (size_t)tree->root_count);
    memset(tree->owner_live, 0, sizeof *tree->owner_live * (size_t)tree->root_count);
    memset(tree->owner_ticks, 0, sizeof *tree->owner_ticks * (size_t)tree->root_count);
    memset(tree->owner_fds, 0, sizeof *tree->owner_fds * (size_t)tree->root_count);
  }
  tree->current_owner = -2;
  if (tree->self_children_fd < 0) {
    struct path_buffer path;
    children_path(&path, getpid(), getpid());
    tree->self_children_fd = open(path.text, O_RDONLY | O_CLOEXEC);
  }
  if (tree->self_children_fd >= 0) (void)push_children_fd(tree, tree->self_children_fd);
  for (int i = 0; i < tree->count; ++i) {
    pid_t pid = tree->pids[i];
    char line[1024];
    int cached = cached_entry(tree, pid);
    if (!read_stat(tree, pid, cached, line, sizeof line)) continue;  // gone already
    const char* state = stat_field(line, 3);
    const char* threads_field = stat_field(line, 20);
    long threads = threads_field != NULL ? strtol(threads_field, NULL, 10) : 0;
    int zombie = state == NULL || *state == 'Z' || *state == 'X';
    if (!zombie) ++tree->live;
    if (measure) measure_process(tree, pid, tree->owner[i], line, zombie, threads, count_fds);
    if (zombie) continue;
    tree->current_owner = tree->owner[i];
    push_children_of(tree, pid, cached, threads);
  }
}
