// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A load test's per-level figures (docs/load.md): its stages or capacity steps, each a level with
// its requests, latency, throughput, errors and dropped starts.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reports/report_view.hpp"

namespace perfcheck::reports {

namespace {

const metric_summary* summary_at(const level_figures& level, std::string_view metric) {
  const metric_figures* f = level.measured(metric);
  return f != nullptr ? &f->summary : nullptr;
}

// "3 (1.5%)": failed requests and their share of the requests started.
std::string errors_text(double count, double rate) { return fmt::format("{:.0f} ({:.3g}%)", count, rate * 100); }

// A one-figure cell of `metric` at `level`, its median in `kind`; n = 0 when the level has none.
reported_line figure_line(const level_figures& level, const std::string& metric, unit_kind kind) {
  const metric_summary* s = summary_at(level, metric);
  if (s == nullptr) return {metric, "", "", 0, 0, 0};
  return {metric, format_quantity(s->median, kind), "", s->n, s->median, s->p95};
}

// The level's errors cell (errors_text).
reported_line errors_line(const level_figures& level) {
  const metric_summary* count = summary_at(level, "errors.count");
  const metric_summary* rate = summary_at(level, "errors.rate");
  if (count == nullptr || rate == nullptr) return {"errors", "", "", 0, 0, 0};
  return {"errors", errors_text(count->median, rate->median), "", rate->n,
          rate->median, rate->p95};
}

// The whole run's figures of a load test without levels.
std::string load_line(const report_result& r) {
  auto figure = [&](std::string_view metric) { return r.find(metric); };
  std::vector<std::string> parts;
  if (const auto* f = figure("requests")) parts.push_back(fmt::format("{:.0f} requests", f->summary.median));
  if (const auto* f = figure("latency")) {
    const metric_summary& s = f->summary;
    auto d = [](double ns) { return format_quantity(ns, unit_kind::duration); };
    parts.push_back(fmt::format("latency p50 {}, p90 {}, p95 {}, p99 {}, max {}", d(s.median), d(s.p90),
                                d(s.p95), d(s.p99), d(s.max)));
  }
  if (const auto* f = figure("response_bytes"))
    parts.push_back(fmt::format("bodies p50 {}, max {}", format_quantity(f->summary.median, unit_kind::size),
                                format_quantity(f->summary.max, unit_kind::size)));
  if (const auto* f = figure("throughput"))
    parts.push_back("throughput " + format_quantity(f->summary.median, unit_kind::rate));
  const auto* count = figure("errors.count");
  const auto* rate = figure("errors.rate");
  if (count && rate)
    parts.push_back("errors " + errors_text(count->summary.median, rate->summary.median));
  if (const auto* f = figure("dropped")) parts.push_back(fmt::format("dropped {:.0f}", f->summary.median));
  return parts.empty() ? "" : fmt::format("Load: {}", fmt::join(parts, " · "));
}

}  // namespace

bool is_load_test(const report_test& test) {
  return test.headline_metric == "latency" || test.headline_metric == "capacity";
}

void add_load_figures(test_row& row) {
  if (row.current == nullptr || row.test == nullptr) return;
  const std::size_t levels = row.test->levels.size();
  if (levels > 0) {
    const bool capacity = row.test->headline_metric == "capacity";
    row.runs_text = fmt::format("{} {}{}", levels, capacity ? "step" : "stage", levels == 1 ? "" : "s");
    return;
  }
  if (const metric_figures* f = row.current->find("latency"))
    row.runs_text = fmt::format("{} responses", f->summary.n);
  row.load_text = load_line(*row.current);
}

void add_load_levels(test_row& row) {
  if (row.test == nullptr || row.levels.size() != row.test->levels.size()) return;
  row.level_runs_head = "Requests";
  row.level_metric_head = "latency p50 (p99)";
  row.level_reported = {{"throughput", ""}, {"errors", ""}, {"dropped", ""}};
  const bool capacity = row.test->headline_metric == "capacity";
  for (std::size_t i = 0; i < row.levels.size(); ++i) {
    const level_figures& level = row.test->levels[i];
    level_row& out = row.levels[i];
    const metric_summary* requests = summary_at(level, "requests");
    out.runs = requests != nullptr ? static_cast<std::size_t>(requests->median) : 0;
    out.median.reset();
    out.median_text.clear();
    if (const metric_summary* latency = summary_at(level, "latency")) {
      out.median = latency->median;
      out.median_text = fmt::format("{} (p99 {})", format_quantity(latency->median, unit_kind::duration),
                                    format_quantity(latency->p99, unit_kind::duration));
    }
    out.reported = {figure_line(level, "throughput", unit_kind::rate), errors_line(level),
                    figure_line(level, "dropped", unit_kind::count)};
    // A capacity step held its gates or did not (its gates are the search's, not the result's);
    // a stage without a gate of its own shows its verdict when it is not a pass.
    if (out.thresholds.empty() && (capacity || level.outcome != verdict::pass)) {
      out.thresholds_text = !capacity ? to_string(level.outcome) : level.outcome == verdict::pass ? "held" : "did not hold";
      out.bad = level.outcome != verdict::pass;
    }
  }
}

}  // namespace perfcheck::reports
