// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The cgroup v2 that holds the MEMORY limit of one executor's runs, and where it may be made.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {

/// A cgroup v2 of its own for the runs of one executor, with memory.max: the kernel then holds
/// the MEMORY limit for the whole tree (reclaim, then the OOM killer for the whole group).
/// Removed on destruction (it is empty by then: every run reaps its tree).
class memory_cgroup {
 public:
  /// Creates `<parent>/perfcheck-<pid>-<n>` with, when max_bytes > 0, memory.max = max_bytes,
  /// no swap and memory.oom.group, and when max_tasks > 0 pids.max = max_tasks; nullptr when
  /// any required step fails (what was made is removed).
  static std::unique_ptr<memory_cgroup> create(const std::filesystem::path& parent,
                                               std::int64_t max_bytes, std::int64_t max_tasks = 0);
  /// Closes cgroup.procs and removes the cgroup (best effort: it is empty by then).
  ~memory_cgroup();
  memory_cgroup(const memory_cgroup&) = delete;
  memory_cgroup& operator=(const memory_cgroup&) = delete;

  /// The open cgroup.procs the command writes "0" to before exec.
  int procs_fd() const noexcept { return procs_.get(); }
  /// The cgroup's folder.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// OOM kills in the cgroup so far (memory.events oom_kill), 0 when unreadable.
  std::int64_t oom_kills() const;
  /// pids.max as set (0: the pids controller is not used).
  std::int64_t max_tasks() const noexcept { return max_tasks_; }
  /// Forks and clones the kernel refused at pids.max so far (pids.events max), 0 when unreadable.
  std::int64_t refused_forks() const;
  /// Peak memory of the cgroup in bytes (memory.peak, kernel 5.19+), 0 when unreadable.
  std::int64_t peak() const;

 private:
  memory_cgroup() = default;
  std::filesystem::path path_;
  bool created_ = false;
  std::int64_t max_tasks_ = 0;
  unique_fd procs_;
};

/// The cgroup v2 folder under which perfcheck may create a cgroup with memory.max, or nullopt.
/// $PERFCHECK_CGROUP_PARENT names it ("none": never use cgroups); otherwise it is the parent
/// of perfcheck's own cgroup (the hierarchy root when perfcheck is in the root), found from
/// /proc/self/mountinfo and /proc/self/cgroup. It qualifies only when its
/// cgroup.subtree_control already lists "memory" and it and its cgroup.procs are writable:
/// perfcheck never reconfigures a hierarchy it was not given.
std::optional<std::filesystem::path> find_memory_cgroup_parent();

/// The folder under which perfcheck may create a cgroup with pids.max, or nullopt:
/// $PERFCHECK_CGROUP_PARENT as for find_memory_cgroup_parent, else the cgroup v2 parent of
/// perfcheck's own cgroup when its cgroup.subtree_control lists "pids", else perfcheck's own
/// cgroup in a cgroup v1 hierarchy holding pids; in every case only when it and its
/// cgroup.procs are writable.
std::optional<std::filesystem::path> find_pids_cgroup_parent();

/// The candidate of find_memory_cgroup_parent from the texts of /proc/self/mountinfo and
/// /proc/self/cgroup, before any check; nullopt without a cgroup2 mount or a "0::" line.
std::optional<std::filesystem::path> cgroup_parent_candidate(std::string_view mountinfo,
                                                             std::string_view self_cgroup);

}  // namespace perfcheck::exec
