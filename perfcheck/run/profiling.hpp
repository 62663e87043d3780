// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PROFILE (docs/profiles.md): after a failed or regressed verdict, one more run of the command,
// and of a baseline command, under perf (sampling on the cpu-clock software event) or callgrind,
// as argv through process_executor; the folded stacks, the flame graphs and the table of the
// functions whose share grew most, or what was not profiled and why.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/profile/folded.hpp"

namespace perfcheck::run {

/// perf.data or callgrind files above this are not read: the profile is too large.
inline constexpr std::int64_t max_profile_file_bytes = std::int64_t{256} << 20;
/// perf script's output is read up to this; beyond it the profile is cut (and says so).
inline constexpr std::int64_t max_script_bytes = std::int64_t{64} << 20;
/// The share of a profile's weight in unnamed frames above which a warning names the fix.
inline constexpr double unresolved_warning_share = 0.2;

/// What this machine offers for profiling.
struct profiler_probe {
  std::filesystem::path perf;      ///< perf in PATH; empty: not found
  std::filesystem::path valgrind;  ///< valgrind in PATH; empty: not found
  int perf_event_paranoid = 2;     ///< /proc/sys/kernel/perf_event_paranoid
  bool privileged = false;         ///< perfcheck runs as root
};

/// Looks perf and valgrind up in `path` (a PATH value) and reads perf_event_paranoid.
profiler_probe probe_profilers(std::string_view path);

/// The profiler chosen for `wanted` (auto, perf or callgrind), or why none can run.
struct profiler_choice {
  std::string tool;               ///< "perf" or "callgrind"; empty: none
  std::filesystem::path program;  ///< perf or valgrind
  std::string problem;            ///< when none: what is missing and the fix
};

/// perf when asked (or for auto) if it is installed and perf_event_paranoid lets this user
/// profile its own processes (<= 2, or root); callgrind when asked (or for auto, without perf)
/// if valgrind is installed.
profiler_choice choose_profiler(std::string_view wanted, const profiler_probe& probe);

/// One side's profile, or why there is none.
struct side_profile {
  profile::folded_stacks stacks;
  std::string problem;  ///< empty: profiled
  bool cut = false;     ///< perf script's output passed max_script_bytes
};

/// Runs `line` once under the chosen profiler, its files in `folder` (private, emptied first),
/// and reads the profile back. With `copies` >= 1 (a concurrency level), a round of that many
/// copies at once instead, each under its own profiler ({instance} = its number), their stacks
/// merged: the level as it ran, contention included. A profiler that fails, writes nothing or
/// writes too much is a `problem` naming it, how it ended and the end of what it printed.
side_profile profile_command(const profiler_choice& choice, exec::command_line line, const std::filesystem::path& folder,
                             int copies = 0);

/// The profile of a failed test: the command (and the baseline command of a BASELINE command
/// test) profiled by `spec.profile`, the files written into `spec.output_dir` as
/// `<stem>.profile.folded`, `<stem>.profile.svg`, `<stem>.baseline.folded` and
/// `<stem>.profile-diff.svg`; `problem`s become not_measured, unnamed frames warnings.
/// `copies` >= 1: a concurrency level's round of that many copies (profile_command).
profile_info take_profile(const run_spec& spec, const profiler_probe& probe, int copies = 0);

/// The warnings of a profile whose unnamed frames pass unresolved_warning_share, naming the fix.
std::vector<std::string> unresolved_warnings(const profile::folded_stacks& stacks, std::string_view side);

}  // namespace perfcheck::run
