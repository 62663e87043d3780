// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Google Benchmark results (libbenchmark's --benchmark_format=json output) as perfcheck
// results: every repetition of a benchmark becomes one measured run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/ingest/ingested.hpp"

namespace perfcheck::ingest {

/// True when `json` looks like Google Benchmark output: an object with a "benchmarks" key and
/// no perfcheck "schema" key. Reading it may still fail (read_google_benchmark says why).
bool is_google_benchmark(const boost::json::value& json);

/// Reads Google Benchmark JSON (`--benchmark_format=json` or `--benchmark_out=FILE`, with
/// `--benchmark_repetitions=N`): entries with run_type "iteration" are grouped by run_name in
/// the order they first appear; aggregates (mean, median, stddev, cv, ...) are ignored, since
/// perfcheck computes its own from the repetitions. time_unit is one of ns, us, ms, s. The
/// context object (date, host_name, num_cpus, load_avg, library_build_type, executable) fills
/// the environment, started_at and command. A malformed file throws usage_error naming
/// `origin`, the place ("benchmarks[3].time_unit") and the fix; a file without any iteration
/// entry is malformed too.
std::vector<ingested_benchmark> read_google_benchmark(const boost::json::value& json,
                                                      std::string_view origin);

/// One repetition of one benchmark: an entry with run_type "iteration".
struct google_benchmark_run {
  std::string run_name;               ///< "BM_parse/1024", without the aggregate's suffix
  std::optional<std::int64_t> index;  ///< repetition_index, when written
  bool failed = false;                ///< error_occurred, or skipped
  std::string message;                ///< the error_message, or "skipped: <skip_message>"
  double real_ns = 0, cpu_ns = 0;     ///< per iteration, in ns (0 when failed)
  double iterations = 0;              ///< the iterations the timing loop ran
  /// The user counters (items_per_second, bytes_per_second, custom ones): every numeric member
  /// Google Benchmark does not define itself, as written (rates already per second).
  std::map<std::string, double> counters;
};

/// The repetitions of `json` in file order (aggregates left out), every entry checked as
/// read_google_benchmark checks it. Empty when the file lists no repetition; a malformed file
/// throws usage_error naming `origin` and the place.
std::vector<google_benchmark_run> read_google_benchmark_runs(const boost::json::value& json, std::string_view origin);

/// The argument that makes a command a Google Benchmark test (`perfcheck run --gbench`,
/// perfcheck_add_gbench; docs/gbench.md): perfcheck then gives every run its --benchmark_out file.
inline constexpr std::string_view google_benchmark_json_flag = "--benchmark_out_format=json";

/// True when `command` runs a Google Benchmark test: it has google_benchmark_json_flag and no
/// --benchmark_out of its own (a command that names its own file keeps it and is measured as
/// any command).
bool is_google_benchmark_command(const std::vector<std::string>& command);

/// Reads and parses a Google Benchmark JSON file; read_google_benchmark with the path as origin.
std::vector<ingested_benchmark> read_google_benchmark_file(const std::filesystem::path& path);

}  // namespace perfcheck::ingest
