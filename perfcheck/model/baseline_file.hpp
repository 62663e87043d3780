// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reviewed baseline files (schema perfcheck/baseline/v1): the accepted runs of each test,
// kept in the repository and changed only through `perfcheck baseline accept`.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/sample.hpp"

namespace perfcheck {

/// Schema tag of baseline files.
inline constexpr const char* baseline_schema = "perfcheck/baseline/v1";

/// The accepted measurement of one test.
struct baseline_entry {
  std::string spec_hash;    ///< of the spec that was measured; empty when unknown
  std::string machine;      ///< machine fingerprint it was measured on; empty when unknown
  std::string commit;       ///< git commit of the measured project; empty when unknown
  std::string recorded_at;  ///< RFC 3339 UTC when the runs were measured (the result's started_at)
  std::vector<run_sample> runs;  ///< the measured runs (never empty in a valid file, but a sweep's)
  /// A sweep's measured runs per level, keyed by the level's text ("n=500", to_string(level));
  /// empty for a test without levels (whose runs are `runs`), never empty for a sweep's entry.
  std::map<std::string, std::vector<run_sample>> points{};
  bool operator==(const baseline_entry&) const = default;
};

/// A whole baseline file: entries keyed by test name, written in name order.
struct baseline_file {
  std::map<std::string, baseline_entry> tests;
  bool operator==(const baseline_file&) const = default;
};

/// The entry for an accepted result: its context (spec hash, machine, commit), started_at and
/// measured runs (a sweep's: each point's, by level). Throws usage_error naming the test (and
/// the level) when the result cannot be a baseline: verdict `error`, no runs, or a run that failed.
baseline_entry baseline_entry_from_result(const run_result& result);

/// The JSON form: {"schema": "perfcheck/baseline/v1", "tests": {NAME: {"spec_hash",
/// "machine", "commit", "recorded_at", "runs": [run, ...]}}} (docs/baselines.md); a sweep's
/// entry has "points": {LEVEL: {"runs": [run, ...]}} instead of "runs".
boost::json::value baseline_to_json(const baseline_file& file);

/// Reads a baseline from parsed JSON. Unknown fields, a wrong schema, an empty test name, a
/// missing or empty runs array and malformed runs throw usage_error naming `origin`, the place
/// ("tests.parse.runs[2]") and the fix.
baseline_file baseline_from_json(const boost::json::value& json, std::string_view origin);

/// Reads a baseline file; a missing, unreadable or malformed file throws usage_error.
baseline_file read_baseline_file(const std::filesystem::path& path);

/// Writes the file atomically (write_json_file_atomic): a reader sees the old or the new file.
void write_baseline_file(const std::filesystem::path& path, const baseline_file& file);

}  // namespace perfcheck
