// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The options of `perfcheck run` and the spec they make (a spec file with flags on top).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <array>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::cli {

/// Every option of `perfcheck run`, as given.
struct run_flags {
  std::string spec_file;
  std::string name;
  int warmup = 1;
  std::string runs = "10";
  std::string min_time;
  std::vector<std::string> thresholds;
  std::string json;
  std::string output_dir;
  std::string output_limit;
  std::string working_directory;
  std::vector<std::string> environment;
  std::vector<std::string> metrics;   ///< --metric NAME[:UNIT], added to the spec's
  std::vector<std::string> metadata;  ///< --meta KEY=VALUE, added to the spec's
  std::string client;                 ///< --client wrk: read the command's output as wrk's
  std::vector<std::string> count;     ///< --count instructions, added to the spec's
  std::string profile;                ///< --profile auto|perf|callgrind
  bool show_output = false;
  bool quiet = false;
  bool allow_failures = false;
  bool subtract_overhead = false;
  std::vector<std::string> limits;  // --limit KIND=VALUE, repeatable
  std::string duration;             // --duration DURATION|once
  std::string sample_interval;
  std::string cpus;
  int nice = 0;
  bool clean_env = false;
  bool no_aslr = false;
  std::string history;  // --history, else PERFCHECK_HISTORY
  std::vector<std::string> regressions;
  double alpha = 0.01;
  std::string baseline;
  std::string baseline_file;
  std::string baseline_command;
  std::vector<std::string> baseline_args;
  std::string on_inconclusive;
  std::vector<std::string> parameters;  // --parameter NAME=VALUES, repeatable
  std::string concurrency;              // --concurrency N1,N2,...
  std::uint64_t seed = 0;               // --seed
  // --setup/--prepare/--cleanup 'PROGRAM ARGS' and their --*-arg, in hook_commands' order
  std::array<std::string, 3> hooks;
  std::array<std::vector<std::string>, 3> hook_args;
  std::string gbench;                   // --gbench BENCHMARK: one benchmark of a Google Benchmark binary
  std::vector<std::string> command;
};

/// Registers the options of `perfcheck run` on `sub`, writing into `f`.
void add_run_options(CLI::App& sub, run_flags& f);

/// The spec of `perfcheck run`: the spec file (--spec) or the command after '--', with every
/// given flag on top. Throws usage_error naming the flag; the plan is compiled afterwards.
run_spec build_spec(const run_flags& f, const CLI::App& sub);

/// The outputs of a result (run_command.cpp; `perfcheck load` shares them): the result file
/// (spec.result_file or spec.output_dir), JSON on stdout with `--json -`, and the console block
/// with its CTest measurements (only the verdict line with flags.quiet).
void report_result(const run_result& result, const run_spec& spec, const run_flags& flags);

/// Records `result` in the history `history` ("" : nowhere; record_result.cpp), printing how to
/// accept a change that stays out of the baseline on `human`. A PostgreSQL history that cannot be
/// reached gets the result queued in the spool (spool_location: $PERFCHECK_SPOOL, else the
/// results folder), and what the spool holds is sent first whenever the server answers. Returns
/// the exit code of a failure (the result file is kept and the message says how to import it),
/// else nullopt.
std::optional<int> record_result(const run_result& result, const std::string& history, const run_spec& spec,
                                 std::FILE* human);

}  // namespace perfcheck::cli
