// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/threshold_expr.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "perfcheck/model/reported_metrics.hpp"

namespace perfcheck::gate {

std::string reported_problem(const threshold_expr& expr, const run_result& result) {
  if (expr.source != subject_source::reported) return {};
  const auto [name, rate] = reported_base(expr.metric);
  const auto shapes = reported_shapes(result.runs);
  const auto it = shapes.find(name);
  if (it == shapes.end()) {
    return fmt::format("{} was not measured: the command did not report '{}' in every measured run "
                       "(write '{} <value> [unit]' lines to $PERFCHECK_METRICS; docs/metrics.md)",
                       expr.subject(), name, name);
  }
  const reported_shape& shape = it->second;
  if (rate && !shape.counter) {
    return fmt::format("{} was not measured: '{}' is reported as values, but a rate is derived only "
                       "from a counter ('{} +N' lines); gate '{}.median' instead", expr.subject(), name, name, name);
  }
  const bool percent = expr.form == value_form::percent;
  const unit_kind kind = rate ? unit_kind::rate : shape.kind;
  if (kind == expr.kind && (rate || shape.percent == percent)) return {};
  auto what = [](unit_kind k, bool pct) { return pct ? std::string("percentage") : std::string(to_string(k)); };
  return fmt::format("{}: '{}' is reported as a {} but the limit {} is a {}; write the limit in the "
                     "reported unit's kind", expr.text, name, what(kind, !rate && shape.percent),
                     format_threshold_limit(expr), what(expr.kind, percent));
}

std::optional<double> measured_value(const threshold_expr& expr, const run_result& result) {
  if (expr.source == subject_source::count && expr.metric == "errors" && result.runs.empty()) {
    // A load run (perfcheck load) has no runs: its errors are whole-run summaries.
    const auto it = result.summary.find("errors." + expr.statistic);
    if (it == result.summary.end() || it->second.n == 0) return std::nullopt;
    return it->second.median;
  }
  if (expr.source == subject_source::count && expr.metric == "errors") {
    // A wrk client's failed requests over the test (run/wrk_intake): whole-test figures.
    const auto whole = result.summary.find("errors." + expr.statistic);
    if (whole != result.summary.end() && !result.runs.empty() && result.runs.front().reported.contains("requests")) {
      return whole->second.max;
    }
    // A concurrency level's copies that failed, crashed or were stopped by a limit.
    const auto errors = static_cast<double>(std::count_if(
        result.runs.begin(), result.runs.end(), [](const run_sample& s) { return s.failed() || s.stopped_by_limit(); }));
    if (expr.statistic == "count") return errors;
    if (result.runs.empty() || expr.statistic != "rate") return std::nullopt;  // errors.<kind>: a load run's
    return errors / static_cast<double>(result.runs.size());
  }
  if (!reported_problem(expr, result).empty()) return std::nullopt;
  if (expr.source == subject_source::count) {
    return static_cast<double>(std::count_if(result.runs.begin(), result.runs.end(),
                                             [](const run_sample& s) { return s.failed(); }));
  }
  if (expr.source == subject_source::soak) {
    const auto trend = result.trends.find(expr.metric);
    if (trend == result.trends.end()) return std::nullopt;
    // No evidence of a trend (Mann-Kendall p >= 0.05): noise, not growth.
    if (!trend->second.significant) return 0.0;
    return expr.statistic == "slope" ? trend->second.slope : trend->second.change;
  }
  const auto it = result.summary.find(expr.metric);
  if (it == result.summary.end() || it->second.n == 0) return std::nullopt;
  return it->second.get(expr.statistic);
}

bool holds(const threshold_expr& expr, double value) {
  switch (expr.op) {
    case comparison::less: return value < expr.limit;
    case comparison::less_equal: return value <= expr.limit;
    case comparison::greater: return value > expr.limit;
    case comparison::greater_equal: return value >= expr.limit;
    case comparison::equal: return value == expr.limit;
    case comparison::not_equal: return value != expr.limit;
  }
  return false;
}

}  // namespace perfcheck::gate
