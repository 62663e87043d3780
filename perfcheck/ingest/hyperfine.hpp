// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// hyperfine results (`hyperfine --export-json FILE`) as perfcheck results: every run of a
// command becomes one measured run.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/ingest/ingested.hpp"

namespace perfcheck::ingest {

/// True when `json` looks like hyperfine's export: an object with a "results" array whose
/// first element is an object with "command" and "times", and no perfcheck "schema" key.
/// Reading it may still fail (read_hyperfine says why).
bool is_hyperfine(const boost::json::value& json);

/// Reads hyperfine's JSON export (1.11 and newer): one benchmark per element of "results",
/// named by its "command" (hyperfine writes the --command-name there when one was given).
/// "times" (seconds) become the runs' wall times; "exit_codes" mark failed runs (a non-zero
/// code, or null for a run a signal ended), which make the benchmark an `error` and are left
/// out of its runs, as a failed Google Benchmark repetition is; "memory_usage_byte" (1.18 and
/// newer) becomes the runs' peak RSS. hyperfine keeps CPU time only as a mean over the runs, so
/// the results have no per-run CPU time. Parameter scans (-P, -L) give one benchmark per
/// substituted command. `started_at` (RFC 3339 UTC) dates every result, since the file has no
/// date. A malformed file throws usage_error naming `origin`, the place ("results[2].times[5]")
/// and the fix.
std::vector<ingested_benchmark> read_hyperfine(const boost::json::value& json, std::string_view origin,
                                               std::string_view started_at);

/// The modification time of `path` as RFC 3339 UTC: the date of a hyperfine file's results.
std::string modified_at(const std::filesystem::path& path);

/// Reads and parses a hyperfine export file, dated by its modification time.
std::vector<ingested_benchmark> read_hyperfine_file(const std::filesystem::path& path);

}  // namespace perfcheck::ingest
