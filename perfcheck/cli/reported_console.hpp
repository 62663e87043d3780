// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metrics a command reported (docs/metrics.md) and a result's metadata on the console and
// as CTest measurements.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "perfcheck/model/result.hpp"

namespace perfcheck::cli {

/// One line per reported metric of `runs` with its summary from `summary`: "  startup  median
/// 12.5 ms   p95 13.1 ms   range 12.0 ms … 14.2 ms", a counter with its rate; each after
/// `indent`. Names are made terminal-safe. Empty when nothing was reported.
std::string format_reported(const std::map<std::string, metric_summary>& summary,
                            const std::vector<run_sample>& runs, std::string_view indent);

/// "  metadata: endpoint=/api/v1, dataset=small\n", terminal-safe; empty without metadata.
std::string format_metadata(const std::map<std::string, std::string>& metadata);

/// The <CTestMeasurement> tags of the reported metrics: "<name>.median_ms" for a duration,
/// "_mib" for a size, "_pct" for a percentage, "_per_s" for a rate, bare for a number; and
/// "<name>.p95…" likewise; `suffix` ("@n=10" in a sweep) ends each name.
std::string reported_measurements(const std::map<std::string, metric_summary>& summary,
                                  const std::vector<run_sample>& runs, const std::string& suffix);

}  // namespace perfcheck::cli
