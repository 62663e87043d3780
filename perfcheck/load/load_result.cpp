// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/load/load_result.hpp"

#include <fmt/format.h>

#include "perfcheck/model/units.hpp"

namespace perfcheck::load {
namespace {

// A figure of the whole run: every statistic the value, n the requests it is over.
metric_summary whole_run(double value, std::int64_t n) {
  metric_summary s;
  s.n = static_cast<std::size_t>(std::max<std::int64_t>(n, 1));
  s.min = s.max = s.mean = s.median = s.p90 = s.p95 = s.p99 = s.ci_low = s.ci_high = value;
  return s;
}

}  // namespace

metric_summary summary_of(const latency_histogram& h) {
  metric_summary s;
  if (h.count() == 0) return s;
  s.n = static_cast<std::size_t>(h.count());
  s.min = static_cast<double>(h.min());
  s.max = static_cast<double>(h.max());
  s.mean = *h.mean();
  s.median = s.ci_low = s.ci_high = *h.quantile(0.5);
  s.p90 = *h.quantile(0.9);
  s.p95 = *h.quantile(0.95);
  s.p99 = *h.quantile(0.99);
  return s;
}

void add_load_summaries(run_result& result, const load_report& report, bool open_model) {
  auto& summary = result.summary;
  if (report.latency.count() > 0) {
    summary["latency"] = summary_of(report.latency);
    summary["service"] = summary_of(report.service);
    // The names CLIENT wrk gives its figures (model/threshold.cpp load_metrics), the same values.
    const auto& l = summary["latency"];
    for (const auto& [name, value] : {std::pair{"latency.p50", l.median}, {"latency.p90", l.p90}, {"latency.p99", l.p99},
                                      {"latency.max", l.max}, {"latency.mean", l.mean}}) {
      summary[name] = whole_run(value, report.responses);
    }
  }
  if (open_model && report.lag.count() > 0) summary["lag"] = summary_of(report.lag);
  if (report.response_bytes.count() > 0) summary["response_bytes"] = summary_of(report.response_bytes);
  const auto started = report.started;
  summary["throughput"] = whole_run(report.throughput(), report.responses);
  summary["errors.count"] = whole_run(static_cast<double>(report.error_count()), started);
  summary["errors.rate"] = whole_run(report.error_rate(), started);
  for (std::size_t k = 0; k < error_kind_names.size(); ++k) {
    summary[fmt::format("errors.{}", error_kind_names[k])] = whole_run(static_cast<double>(report.errors[k]), started);
  }
  summary["dropped"] = whole_run(static_cast<double>(report.dropped), started + report.dropped);
  summary["requests"] = whole_run(static_cast<double>(started), started);
  summary["responses"] = whole_run(static_cast<double>(report.responses), started);
}

void add_generator_usage(run_result& result, double user_ns, double sys_ns, double peak_rss_bytes) {
  result.summary["user"] = whole_run(user_ns, 1);
  result.summary["sys"] = whole_run(sys_ns, 1);
  result.summary["cpu"] = whole_run(user_ns + sys_ns, 1);
  result.summary["rss"] = whole_run(peak_rss_bytes, 1);
}

std::string lag_problem(const load_report& report, const std::vector<threshold_expr>& thresholds) {
  const auto lag = report.lag.quantile(0.99);
  if (!lag) return {};
  for (const auto& t : thresholds) {
    if (t.metric != "latency" || !(t.op == comparison::less || t.op == comparison::less_equal)) continue;
    if (*lag > t.limit / 10) {
      return fmt::format("the load generator itself ran late (lag p99 {}, over a tenth of the limit of '{}'): the latency "
                         "may be perfcheck's rather than the server's; lower the rate or give the generator a free CPU",
                         format_duration(*lag), t.text);
    }
  }
  return {};
}

std::string describe_errors(const load_report& report) {
  std::string out;
  for (std::size_t k = 0; k < error_kind_names.size(); ++k) {
    if (report.errors[k] == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", report.errors[k], error_kind_names[k]);
  }
  return out;
}

}  // namespace perfcheck::load
