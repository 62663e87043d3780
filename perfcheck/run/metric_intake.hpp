// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metric channel from the run loop's side (docs/metrics.md): each run's channel file read
// into its sample and removed, and what the test's warnings and metadata need collected.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "perfcheck/ingest/metric_channel.hpp"
#include "perfcheck/model/reported_metrics.hpp"
#include "perfcheck/model/result.hpp"

namespace perfcheck::run {

/// Reads the runs' channel files of one test (one point of a sweep).
class metric_intake {
 public:
  /// Reads the channel file of run `index` (1-based, of its kind) into sample.reported (beside
  /// what the executor put there: the server.* metrics), and its "#meta" lines (the first value
  /// of a key is kept), then removes the file. A missing file or
  /// an empty `path` is a run that reported nothing. A name reported with another kind of unit
  /// than in an earlier run is dropped from this run (and warned about once). A file that exists
  /// but cannot be read (not a regular file, unreadable) is a run that reported nothing, warned
  /// about in finish().
  void take(const std::filesystem::path& path, bool warmup, int index, run_sample& sample);

  /// Adds the warnings (malformed lines over all runs, with the first; a limit reached; a unit
  /// that changed between runs; a name not every measured run reported) to `result`, and the
  /// metadata: `declared` (METADATA, --meta) first, then what the runs said.
  void finish(run_result& result, const std::map<std::string, std::string>& declared) const;

 private:
  std::size_t malformed_ = 0;       // over all runs
  std::string first_malformed_;     // "run 2: line 3: ..."
  std::vector<std::string> limits_; // one line per run that reached a limit (the first few)
  std::size_t limited_runs_ = 0;
  std::map<std::string, reported_shape> first_shape_;  // by name, as first reported
  std::vector<std::string> unit_changes_;
  std::vector<std::string> unreadable_;  // the first few runs whose channel could not be read
  std::map<std::string, std::string> meta_;
};

}  // namespace perfcheck::run
