// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The limits every run is under and the CPUs it is pinned to: types, strict parsing, and the
// ceilings that catch unit typos. See docs/limits.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck {

/// The limits every run is under; 0 means "no limit" for each. See docs/limits.md.
struct resource_limits {
  std::int64_t memory_bytes = 0;     ///< MEMORY: summed RSS of the process tree
  std::int64_t cpu_time_ns = 0;      ///< CPU_TIME: user + system time of the tree
  std::int64_t timeout_ns = 0;       ///< TIMEOUT: wall time of one run
  std::int64_t processes = 0;        ///< PROCESSES: live processes in the tree at once
  std::int64_t open_files = 0;       ///< OPEN_FILES: open fds of one process (at least 3)
  std::int64_t file_size_bytes = 0;  ///< FILE_SIZE: size of a file a process writes
  std::int64_t output_bytes = 0;     ///< OUTPUT: captured stdout + stderr bytes of one run

  /// The limit of `kind`, in its base unit (0: none).
  std::int64_t get(limit_kind kind) const;
  /// Sets the limit of `kind` (0: none).
  void set(limit_kind kind, std::int64_t value);
  /// True when no limit is set.
  bool empty() const { return *this == resource_limits{}; }

  bool operator==(const resource_limits&) const = default;
};

/// How a limit's value is written: MEMORY, FILE_SIZE and OUTPUT are sizes, CPU_TIME and
/// TIMEOUT durations, PROCESSES and OPEN_FILES counts.
unit_kind limit_unit(limit_kind kind);

/// Parses a limit's value ("256MiB", "60s", "64") for `kind`; a value of the wrong kind,
/// zero, or out of range throws usage_error naming the kind and the allowed form.
std::int64_t parse_limit_value(limit_kind kind, std::string_view text);

/// Parses "KIND=VALUE" ("memory=256MiB", "TIMEOUT=2s"); throws usage_error listing the kinds.
std::pair<limit_kind, std::int64_t> parse_limit_assignment(std::string_view text);

/// "256 MiB", "2.00 s", "64": a limit's value for messages.
std::string format_limit_value(limit_kind kind, double value);

/// Every limit kind, in protocol order.
inline constexpr limit_kind all_limit_kinds[] = {
    limit_kind::memory,     limit_kind::cpu_time,  limit_kind::timeout, limit_kind::processes,
    limit_kind::open_files, limit_kind::file_size, limit_kind::output};

/// CPUs are numbered below this (the launcher's affinity mask).
inline constexpr int max_cpu_count = 1024;

/// Parses a CPU list "0,2-3" into sorted distinct CPU numbers; throws usage_error naming
/// `origin` for bad syntax or numbers of 1024 and above.
std::vector<int> parse_cpu_list(std::string_view text, std::string_view origin);

/// "0,2-3": the inverse of parse_cpu_list.
std::string format_cpu_list(const std::vector<int>& cpus);

}  // namespace perfcheck
