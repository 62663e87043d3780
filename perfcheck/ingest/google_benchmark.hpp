// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Google Benchmark results (libbenchmark's --benchmark_format=json output) as perfcheck
// results: every repetition of a benchmark becomes one measured run.
#pragma once

#include <filesystem>
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

/// Reads and parses a Google Benchmark JSON file; read_google_benchmark with the path as origin.
std::vector<ingested_benchmark> read_google_benchmark_file(const std::filesystem::path& path);

}  // namespace perfcheck::ingest
