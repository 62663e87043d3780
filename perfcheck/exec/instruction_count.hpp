// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Instruction counts of a run's whole process tree (COUNT instructions, docs/instructions.md):
// which source counts (hardware counters through `perf stat`, else valgrind), the argv that
// counts a command, the readers of the counters' output files, and the executor that counts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/exec/executor.hpp"

namespace perfcheck::exec {

/// What counts a test's instructions.
enum class count_source {
  none,      ///< nothing can: gates on instructions are skipped
  perf,      ///< hardware counters (user-space instructions:u of the tree) through `perf stat`
  valgrind,  ///< valgrind's cachegrind, following children (the sum of Ir over the tree)
};

/// "none", "perf", "valgrind".
const char* to_string(count_source source);

/// Overrides the choice of source: auto (default), perf, valgrind or none.
inline constexpr const char* count_source_variable = "PERFCHECK_COUNT_SOURCE";

/// How much longer a run counted by valgrind may take than the command alone: its TIMEOUT and
/// CPU_TIME limits are multiplied by this (and add_perf_test's CTest TIMEOUT budget per run).
inline constexpr std::int64_t valgrind_time_allowance = 50;

/// What this machine offers for counting (probe_counters; tests make their own).
struct counter_probe {
  bool hardware_instructions = false;  ///< perf_event_open accepts user-space instructions
  std::string hardware_problem;        ///< why not, when not ("ENOENT: no such event ...")
  std::filesystem::path perf;          ///< the perf tool in PATH; empty: not found
  std::filesystem::path valgrind;      ///< valgrind in PATH; empty: not found
};

/// Probes the machine: opens (and closes) a user-space instruction counter on this process, and
/// looks perf and valgrind up in `path` (a PATH value).
counter_probe probe_counters(std::string_view path);

/// The source chosen and why.
struct count_choice {
  count_source source = count_source::none;
  std::filesystem::path tool;  ///< perf or valgrind; empty for none
  std::string reason;          ///< for none: what is missing and how to fix it; else what counts
};

/// Chooses the source: `override_value` (PERFCHECK_COUNT_SOURCE; empty or "auto": automatic)
/// forces one. Automatic: hardware counters when perf_event_open accepts them and perf is
/// installed, else valgrind, else none. A forced source the machine lacks throws usage_error
/// naming the variable, what is missing and the fix; an unknown value too.
count_choice choose_count_source(const counter_probe& probe, std::string_view override_value);

/// The argv that runs `argv` (argv[0] already resolved) counted by `choice` into files in
/// `folder`: `perf stat -x , -e instructions:u -o <folder>/perf.txt -- argv...`, or
/// `valgrind -q --tool=cachegrind --cache-sim=no --trace-children=yes
/// --cachegrind-out-file=<folder>/cg.%p -- argv...`. `argv` itself for none.
std::vector<std::string> counted_argv(const count_choice& choice, const std::filesystem::path& folder,
                                      const std::vector<std::string>& argv);

/// The instructions (Ir) of one cachegrind or callgrind output file's "summary:" (or
/// "totals:") line, by its "events:" line. Throws std::runtime_error naming `origin` and what
/// is wrong for a file without them, or with a count that is not a number.
std::int64_t parse_valgrind_counts(std::string_view text, std::string_view origin);

/// The instructions of `perf stat -x ,` output: the sum of its instructions lines. Throws
/// std::runtime_error naming `origin` for "<not supported>"/"<not counted>" or no such line.
std::int64_t parse_perf_stat(std::string_view text, std::string_view origin);

/// The instructions a run counted into `folder`: the sum over every cg.* file (one per process
/// of the tree) or perf.txt. Throws std::runtime_error naming the file when one is missing,
/// unreadable or garbled.
std::int64_t read_counts(count_source source, const std::filesystem::path& folder);

/// The source that counts `spec`'s runs on this machine (probe_counters over perfcheck's PATH,
/// PERFCHECK_COUNT_SOURCE); nullopt when the spec counts nothing. Throws as choose_count_source.
std::optional<count_choice> count_choice_for(const run_spec& spec);

/// Builds the executor of a command line: a counting one (the command wrapped as counted_argv,
/// address randomization off, the environment clean: PATH and the test's own entries only) when
/// `choice` counts, else a process_executor.
std::unique_ptr<executor> make_counted_executor(command_line line, const std::optional<count_choice>& choice);

}  // namespace perfcheck::exec
