// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What a reader of another tool's results (Google Benchmark, hyperfine) gives: a perfcheck
// result per benchmark and the exact figures to compare.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "perfcheck/model/result.hpp"

namespace perfcheck::ingest {

/// One benchmark of another tool's file (a Google Benchmark run_name, a hyperfine command),
/// with its repetitions.
struct ingested_benchmark {
  /// name = the benchmark's name; runs: one per repetition (whole nanoseconds); summary
  /// filled; verdict `error` with the tool's message when a repetition failed or was skipped.
  run_result result;
  /// The exact figures in base units (ns, bytes), keyed by metric ("wall", "cpu", "rss"), one
  /// value per measured repetition. Compare these, not result.runs: a benchmark of 0.3 ns per
  /// iteration rounds to 0 in whole nanoseconds.
  std::map<std::string, std::vector<double>> columns;
};

}  // namespace perfcheck::ingest
