// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/reported_metrics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace perfcheck {
namespace {

// The median of a run's values (the mean of the two middle ones for an even count).
double run_median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::map<std::string, reported_shape> reported_shapes(const std::vector<run_sample>& runs) {
  std::map<std::string, reported_shape> out;
  if (runs.empty()) return out;
  for (const auto& [name, first] : runs.front().reported) {
    reported_shape shape{first.kind, first.percent, first.counter, false};
    const bool everywhere = std::all_of(runs.begin(), runs.end(), [&](const run_sample& s) {
      const auto it = s.reported.find(name);
      if (it == s.reported.end() || it->second.values.empty()) return false;
      shape.distribution = shape.distribution || it->second.values.size() > 1;
      return it->second.kind == shape.kind && it->second.percent == shape.percent &&
             it->second.counter == shape.counter;
    });
    if (everywhere) out.emplace(name, shape);
  }
  return out;
}

void add_reported_columns(std::map<std::string, std::vector<double>>& columns,
                          const std::vector<run_sample>& runs) {
  for (const auto& [name, shape] : reported_shapes(runs)) {
    auto& column = columns[name];
    for (const auto& s : runs) column.push_back(run_median(s.reported.at(name).values));
    if (!shape.counter) continue;
    auto& rate = columns[name + ".rate"];
    for (const auto& s : runs) {
      const double seconds = static_cast<double>(s.wall_ns) / 1e9;
      rate.push_back(seconds > 0 ? s.reported.at(name).values.front() / seconds : 0.0);
    }
  }
}

std::map<std::string, std::vector<double>> pooled_distributions(const std::vector<run_sample>& runs) {
  std::map<std::string, std::vector<double>> out;
  for (const auto& [name, shape] : reported_shapes(runs)) {
    if (!shape.distribution) continue;
    auto& pooled = out[name];
    for (const auto& s : runs) {
      const auto& v = s.reported.at(name).values;
      pooled.insert(pooled.end(), v.begin(), v.end());
    }
  }
  return out;
}

std::string format_reported_value(const reported_shape& shape, bool rate, double v) {
  if (rate || shape.kind == unit_kind::rate) return format_quantity(v, unit_kind::rate);
  if (shape.percent) return fmt::format("{:.3g}%", v * 100);
  if (shape.kind == unit_kind::duration) return format_duration(v);
  if (shape.kind == unit_kind::size) return format_size(v);
  return fmt::format("{:.6g}", v);
}

std::pair<std::string, bool> reported_base(std::string_view metric) {
  constexpr std::string_view rate = ".rate";
  if (metric.size() > rate.size() && metric.ends_with(rate))
    return {std::string(metric.substr(0, metric.size() - rate.size())), true};
  return {std::string(metric), false};
}

}  // namespace perfcheck
