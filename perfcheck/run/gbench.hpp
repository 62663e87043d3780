// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A Google Benchmark binary as the measured command (docs/gbench.md): each run is one
// repetition of one benchmark, whose --benchmark_out JSON becomes the run's reported metrics.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/ingest/google_benchmark.hpp"
#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::run {

/// The metrics Google Benchmark reports of a benchmark, besides its counters.
inline constexpr std::string_view gbench_real_time = "real_time";
inline constexpr std::string_view gbench_cpu_time = "cpu_time";
inline constexpr std::string_view gbench_iterations = "iterations";

/// The --benchmark_filter that selects exactly the benchmark `name` ("BM_parse/{n}"): the name
/// with the regular expression's special characters escaped, between ^ and $; a placeholder
/// ({n}) is kept, for the level's value to replace it.
std::string gbench_filter(std::string_view name);

/// The benchmark name a filter of gbench_filter selects ("^BM_parse/64$" -> "BM_parse/64").
std::string gbench_name_of_filter(std::string_view filter);

/// The reported metrics of one run: real_time and cpu_time (durations per iteration, in ns),
/// iterations (a count) and every counter (a rate when its name ends in "_per_second", else a
/// count), one value per repetition. Throws command_error naming the benchmark, `binary` and
/// the fix when a repetition failed (error_occurred, skipped), when `runs` holds no repetition
/// or another benchmark's, or when a counter's name cannot be a metric (a built-in's, ...).
std::map<std::string, reported_values> gbench_metrics(const std::vector<ingest::google_benchmark_run>& runs,
                                                      std::string_view binary, std::string_view benchmark);

/// The executor of a Google Benchmark test (ingest::is_google_benchmark_command): the command
/// with --benchmark_out=<private file> added, each run's file read into its sample's
/// `reported` (gbench_metrics). A run that crashes or exits non-zero, or writes no or invalid
/// JSON, throws command_error naming the binary and the benchmark. Never pipelined: the next
/// run would write the same file.
std::unique_ptr<exec::executor> gbench_executor(const run_spec& spec);

}  // namespace perfcheck::run
