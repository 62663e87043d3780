// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The launcher's descendants, walked from /proc: every process a run started, however it
// detached (the launcher is their subreaper), with summed RSS, CPU time and open fds.
#ifndef PERFCHECK_EXEC_LAUNCHER_PROCESS_TREE_H
#define PERFCHECK_EXEC_LAUNCHER_PROCESS_TREE_H

#include <stdint.h>
#include <sys/types.h>

/// The tree is walked breadth-first into a fixed array; processes beyond it are not seen (they
/// still die: every process ends up a child of the launcher once its ancestors are killed).
#define PROCESS_TREE_MAX 8192
/// Processes whose /proc files stay open between samples.
#define PROCESS_TREE_CACHED 64

/// Open /proc files of one process of the tree, kept between samples and re-read with pread:
/// a path lookup in /proc costs more than the read itself. An fd of a process that died keeps
/// failing (ESRCH), even if its pid is reused, so a stale entry is found and dropped.
struct cached_files {
  pid_t pid;
  int stat_fd;
  int children_fd;  ///< the main thread's children, -1 until opened
};

/// The last walk's result and the files kept for the next one.
struct process_tree {
  pid_t pids[PROCESS_TREE_MAX];
  int count;          ///< entries in pids
  int live;           ///< of them not zombies
  int64_t rss_bytes;  ///< summed over live processes (with `measure`)
  int64_t cpu_ticks;  ///< utime + stime + cutime + cstime of every listed process (with `measure`)
  int max_fds;        ///< most open fds of one process (with `count_fds`)
  int threads;        ///< threads of the live processes, summed (with `measure`)
  struct cached_files cache[PROCESS_TREE_CACHED];
  int cache_count;
  int self_children_fd;     ///< the launcher's own children file, -1 until opened
  long page_size;           ///< bytes per RSS page
  uint64_t own_read_chars;  ///< bytes the walks read, kept out of the tree's rchar
  long threads_of;          ///< the process whose threads a walk is visiting
  /// Attribution to a round's copies (NULL roots: none): a process belongs to the copy whose
  /// command it descends from while its ancestors live; one whose parent died (reparented to
  /// the launcher) belongs to no copy. owner_* (root_count entries each) are summed by a
  /// measuring walk.
  const pid_t* roots;
  int root_count;
  int64_t* owner_rss;       ///< summed RSS of each copy's live processes
  int* owner_live;          ///< each copy's live processes
  int64_t* owner_ticks;     ///< each copy's CPU ticks, as cpu_ticks
  int* owner_fds;           ///< most open fds of one of each copy's processes (with count_fds)
  int owner[PROCESS_TREE_MAX];  ///< copy of pids[i], -1: none
  int current_owner;        ///< of the children being pushed; -2: the launcher's own children
};

/// An empty tree with nothing open.
void process_tree_init(struct process_tree* tree, long page_size);
/// Walks the launcher's descendants: pids, count and live, and with `measure` the summed RSS,
/// CPU ticks, the threads and (with `count_fds`) the most open fds of one process.
void process_tree_walk(struct process_tree* tree, int measure, int count_fds);
/// Closes the cached files of the processes (at the end of a run: their pids may be reused).
void process_tree_forget(struct process_tree* tree);

#endif  // PERFCHECK_EXEC_LAUNCHER_PROCESS_TREE_H
