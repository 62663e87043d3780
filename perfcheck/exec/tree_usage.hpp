// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What a process tree that is not perfcheck's child uses right now, read from /proc: the server
// under test, sampled by `perfcheck run` and limited by its supervisor (docs/servers.md).
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace perfcheck::exec {

/// One reading of a tree: sums over its live processes.
struct tree_usage {
  std::int64_t rss_bytes = 0;  ///< summed resident memory (statm's resident pages)
  std::int64_t cpu_ns = 0;     ///< summed user + system time, with the children each has waited for
  int threads = 0;             ///< summed threads
  int processes = 0;           ///< live processes read; 0: the tree is gone
};

/// The usage of every live descendant of `root`, `root` itself excluded (the supervisor of a
/// server: its own memory and time are not the server's). Best effort: a process that ends
/// while it is read is left out; CPU time of descendants reaped by `root` is not counted.
tree_usage read_tree_usage(pid_t root);

}  // namespace perfcheck::exec
