// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/series_gates.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/stats/growth_bound.hpp"

namespace perfcheck::gate {
std::optional<double> level_number(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || errno != 0 || end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

namespace {

// A complexity outcome being evaluated: its outcome and, when fitted, its bound test.
struct pending_fit {
  threshold_outcome outcome;
  std::optional<stats::bound_gate> gate;
  std::string why;  // why it was not evaluated; "" when it was
  std::size_t left_out = 0;  // runs whose value was 0 or less (a log-log fit cannot take them)
};

// The points of the fit: every successful run of every level of the group whose value is above
// 0 (a run faster than the subtracted overhead, a counter at 0: counted in `left_out`).
std::vector<stats::complexity_point> fit_points(const run_result& result, const level_group& group,
                                                const std::string& metric, std::string& why, std::size_t& left_out) {
  std::vector<stats::complexity_point> points;
  for (std::size_t k = 0; k < group.points.size(); ++k) {
    const result_point& p = result.points[group.points[k]];
    std::vector<run_sample> good;
    std::copy_if(p.runs.begin(), p.runs.end(), std::back_inserter(good),
                 [](const run_sample& s) { return !s.failed() && !s.stopped_by_limit(); });
    const auto columns = metric_columns(good);
    const auto column = columns.find(metric);
    if (good.empty() || column == columns.end() || column->second.empty()) {
      why = fmt::format("level {} has no successful run to fit", to_string(p.at));
      return {};
    }
    std::size_t kept = 0;
    for (double v : column->second) {
      if (!(v > 0) || !std::isfinite(v)) {
        ++left_out;
        continue;
      }
      points.push_back({group.values[k], v, 1});
      ++kept;
    }
    if (kept == 0) {
      why = fmt::format("level {} has no run with {} above 0 to fit", to_string(p.at), metric);
      return {};
    }
  }
  return points;
}

// Fits one group and runs its bound test; what the data do not allow is `why`.
pending_fit fit_group(const run_result& result, const complexity_gate& g, const level_group& group,
                      std::size_t index, std::size_t replicates) {
  pending_fit f;
  f.outcome.expr = g.subject;
  f.outcome.at = to_string(group.fixed);
  complexity_part& part = f.outcome.complexity.emplace();
  part.parameter = g.bound.parameter;
  part.bound = std::string(stats::growth_name(g.bound.bound));
  const auto points = fit_points(result, group, g.subject.metric, f.why, f.left_out);
  if (!f.why.empty()) return f;
  try {
    const stats::complexity_fit fit = stats::fit_complexity(points);
    const stats::class_fit& best = fit.candidates[static_cast<std::size_t>(fit.best)];
    stats::bound_test_options options;
    options.replicates = replicates;
    options.seed = index + 1;
    const stats::bound_test test = stats::test_growth_bound(points, g.bound.bound, options);
    part.fitted = std::string(stats::growth_name(fit.best));
    part.intercept = best.intercept;
    part.coefficient = best.slope;
    part.slope = fit.loglog.slope;
    part.slope_low = fit.loglog.low;
    part.slope_high = fit.loglog.high;
    part.p_value = test.p_value;
    part.points = fit.points;
    part.levels = fit.levels;
    f.outcome.value = fit.loglog.slope;
    f.gate = stats::bound_gate{g.bound.bound, fit.best, test.p_value};
  } catch (const std::invalid_argument& e) {
    f.why = e.what();
  }
  return f;
}

std::string where_of(const threshold_outcome& t) { return t.at.empty() ? "" : fmt::format(" at {}", t.at); }

void fail_verdict(run_result& result, std::string reason) {
  result.reasons.push_back(std::move(reason));
  if (result.outcome != verdict::error) result.outcome = verdict::failed;
}

// Every complexity gate over every group, decided together (Holm over all their tests).
void apply_complexity(run_result& result, std::span<const complexity_gate> gates, double alpha,
                      std::size_t replicates) {
  std::vector<pending_fit> fits;
  for (const auto& g : gates) {
    for (const auto& group : group_levels(result.points, g.bound.parameter)) {
      fits.push_back(fit_group(result, g, group, fits.size(), replicates));
    }
  }
  std::vector<stats::bound_gate> tested;
  for (const auto& f : fits) {
    if (f.gate) tested.push_back(*f.gate);
  }
  const auto decisions = stats::decide_bounds(tested, alpha);
  std::size_t next = 0;
  for (auto& f : fits) {
    threshold_outcome& t = f.outcome;
    t.complexity->alpha = alpha;
    if (f.left_out > 0) {
      result.warnings.push_back(fmt::format("{}{}: {} run{} with a value of 0 or less left out of the fit", t.expr.text,
                                            where_of(t), f.left_out, f.left_out == 1 ? "" : "s"));
    }
    const auto source = result.metadata.find("instructions.source");
    if (!f.gate && t.expr.metric == "instructions" && source != result.metadata.end() && source->second == "none") {
      // COUNT instructions where nothing counts: skipped, never a pass (docs/instructions.md)
      t.measured = false;
      t.ok = false;
      result.reasons.push_back(fmt::format("{}{}: skipped, nothing on this machine counts instructions", t.expr.text, where_of(t)));
      if (result.outcome == verdict::pass) result.outcome = verdict::skipped;
    } else if (!f.gate) {
      t.measured = false;
      t.ok = false;
      fail_verdict(result, fmt::format("{}{}: not evaluated: {}", t.expr.text, where_of(t), f.why));
    } else {
      const stats::bound_decision& d = decisions[next++];
      t.complexity->p_adjusted = d.p_adjusted;
      t.ok = !d.exceeded;
      if (!t.ok) {
        fail_verdict(result, fmt::format("{}{}: grows faster than O({}): {}", t.expr.text, where_of(t),
                                         t.complexity->bound, series_outcome_value(t)));
      }
    }
    result.thresholds.push_back(std::move(t));
  }
}

// Whether the breaking point's inner gate holds at one level.
bool holds_at(const threshold_expr& gate, const result_point& p) {
  if (p.outcome == verdict::error) return false;
  run_result one;
  one.runs = p.runs;
  one.summary = p.summary;
  one.trends = p.trends;  // a soak at every level: breaking_point(rss.growth < 10%)
  const auto value = measured_value(gate, one);
  return value && holds(gate, *value);
}

threshold_outcome breaking_point_of(const run_result& result, const breaking_point_gate& g, const level_group& group) {
  threshold_outcome t;
  t.expr = g.gate;
  t.expr.text = g.text;
  t.at = to_string(group.fixed);
  breaking_point_part& part = t.breaking_point.emplace();
  part.parameter = g.parameter;
  part.op = g.op;
  part.limit = g.limit;
  std::optional<double> found;
  for (std::size_t k = 0; k < group.points.size(); ++k) {
    const result_point& p = result.points[group.points[k]];
    const auto value = std::find_if(p.at.begin(), p.at.end(), [&](const level_value& v) { return v.name == g.parameter; });
    if (!holds_at(g.gate, p)) {
      part.first_failed = value->value;
      break;
    }
    part.level = value->value;
    found = group.values[k];
  }
  t.measured = found.has_value();
  t.value = found.value_or(0);
  if (g.op.empty()) {
    t.ok = true;  // reported only
  } else {
    threshold_expr compare;
    compare.op = *comparison_from_string(g.op);
    compare.limit = g.limit;
    t.ok = found && holds(compare, *found);
  }
  return t;
}

}  // namespace

std::vector<level_group> group_levels(const std::vector<result_point>& points, const std::string& parameter) {
  std::map<std::string, level_group> groups;  // by to_string of the other parameters' values
  std::vector<std::string> order;
  for (std::size_t i = 0; i < points.size(); ++i) {
    level fixed;
    std::optional<double> value;
    for (const auto& v : points[i].at) {
      if (v.name != parameter) {
        fixed.push_back(v);
        continue;
      }
      value = level_number(v.value);
      if (!value) {
        throw std::invalid_argument(fmt::format("level {}: {} '{}' is not a number", to_string(points[i].at), parameter, v.value));
      }
    }
    if (!value) throw std::invalid_argument(fmt::format("level {} has no parameter {}", to_string(points[i].at), parameter));
    auto [it, added] = groups.try_emplace(to_string(fixed));
    if (added) order.push_back(it->first);
    it->second.fixed = fixed;
    it->second.points.push_back(i);
    it->second.values.push_back(*value);
  }
  std::vector<level_group> out;
  for (const auto& key : order) {
    level_group g = std::move(groups[key]);
    std::vector<std::size_t> by(g.points.size());
    std::iota(by.begin(), by.end(), std::size_t{0});
    std::stable_sort(by.begin(), by.end(), [&](std::size_t a, std::size_t b) { return g.values[a] < g.values[b]; });
    level_group sorted{g.fixed, {}, {}};
    for (std::size_t k : by) {
      sorted.points.push_back(g.points[k]);
      sorted.values.push_back(g.values[k]);
    }
    out.push_back(std::move(sorted));
  }
  return out;
}

void apply_series_gates(run_result& result, std::span<const complexity_gate> complexity,
                        std::span<const breaking_point_gate> breaking_points, double alpha, std::size_t replicates) {
  if (!complexity.empty()) apply_complexity(result, complexity, alpha, replicates);
  for (const auto& g : breaking_points) {
    for (const auto& group : group_levels(result.points, g.parameter)) {
      threshold_outcome t = breaking_point_of(result, g, group);
      if (!t.ok) {
        fail_verdict(result, fmt::format("{}{}: {}, not {} {}", g.text, where_of(t), series_outcome_value(t), g.op,
                                         fmt::format("{}", g.limit)));
      }
      result.thresholds.push_back(std::move(t));
    }
  }
}

}  // namespace perfcheck::gate
