// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A load run's figures as a result's summaries, under the names gates, history and reports use.
#pragma once

#include <string>
#include <vector>

#include "perfcheck/load/load_report.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck::load {

/// A histogram as a summary: n, min, max, mean, median (p50), p90, p95, p99 in ns; the median's
/// interval is the median itself and stddev, mad are 0 (a histogram keeps no runs to draw them
/// from). Empty (n = 0) for an empty histogram.
metric_summary summary_of(const latency_histogram& h);

/// Puts a run's figures into `result.summary`: latency, service (and lag in the open model) as
/// distributions; throughput (responses per second), errors.count, errors.rate (over the
/// requests started), errors.<kind> for every kind (connect, timeout, status, body, io),
/// dropped, requests (started) and responses as whole-run figures (every statistic the value).
void add_load_summaries(run_result& result, const load_report& report, bool open_model);

/// The generator's own cost over the run (perfcheck's process): user, sys and cpu (ns) and its
/// peak rss (bytes), as whole-run figures.
void add_generator_usage(run_result& result, double user_ns, double sys_ns, double peak_rss_bytes);

/// The reason a run is inconclusive rather than a pass: its generator lag (p99) is over a tenth
/// of a latency limit it is gated on, so the latency may be the generator's rather than the
/// server's. "" when it is not.
std::string lag_problem(const load_report& report, const std::vector<threshold_expr>& thresholds);

/// "12 connect, 3 timeout": the errors by kind, "" without errors.
std::string describe_errors(const load_report& report);

}  // namespace perfcheck::load
