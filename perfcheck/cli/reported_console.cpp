// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/reported_console.hpp"

#include <fmt/format.h>

#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/model/reported_metrics.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::cli {
namespace {

// The CTest measurement's unit suffix and the factor from the base unit.
std::pair<const char*, double> measurement_unit(const reported_shape& shape, bool rate) {
  if (rate) return {"_per_s", 1};
  if (shape.percent) return {"_pct", 100};
  switch (shape.kind) {
    case unit_kind::duration: return {"_ms", 1e-6};
    case unit_kind::size: return {"_mib", 1.0 / (1024.0 * 1024.0)};
    case unit_kind::rate: return {"_per_s", 1};
    case unit_kind::count: break;
  }
  return {"", 1};
}

// Every reported column of `runs` with its shape: the metric, then a counter's rate.
template <class Each>
void each_reported(const std::map<std::string, metric_summary>& summary, const std::vector<run_sample>& runs,
                   Each&& each) {
  for (const auto& [name, shape] : reported_shapes(runs)) {
    for (const bool rate : {false, true}) {
      if (rate && !shape.counter) continue;
      const std::string metric = rate ? name + ".rate" : name;
      const auto it = summary.find(metric);
      if (it != summary.end() && it->second.n > 0) each(metric, shape, rate, it->second);
    }
  }
}

}  // namespace

std::string format_reported(const std::map<std::string, metric_summary>& summary,
                            const std::vector<run_sample>& runs, std::string_view indent) {
  std::string out;
  each_reported(summary, runs, [&](const std::string& metric, const reported_shape& shape, bool rate,
                                   const metric_summary& m) {
    const auto v = [&](double x) { return format_reported_value(shape, rate, x); };
    out += fmt::format("{}  {}  median {}   p95 {}   range {} … {}{}\n", indent, terminal_safe(metric), v(m.median),
                       v(m.p95), v(m.min), v(m.max),
                       shape.distribution && !rate ? fmt::format("   ({} values)", m.n) : std::string());
  });
  return out;
}

std::string format_metadata(const std::map<std::string, std::string>& metadata) {
  if (metadata.empty()) return {};
  std::string out = "  metadata:";
  const char* sep = " ";
  for (const auto& [key, value] : metadata) {
    out += fmt::format("{}{}={}", sep, terminal_safe(key), terminal_safe(value));
    sep = ", ";
  }
  return out + "\n";
}

std::string reported_measurements(const std::map<std::string, metric_summary>& summary,
                                  const std::vector<run_sample>& runs, const std::string& suffix) {
  // Reported names hold only letters, digits, '_', '.' and '-' (checked wherever they are read:
  // the channel, result files), so they stay inside the attribute as they are.
  std::string out;
  each_reported(summary, runs, [&](const std::string& metric, const reported_shape& shape, bool rate,
                                   const metric_summary& m) {
    const auto [unit, factor] = measurement_unit(shape, rate);
    for (const auto& [stat, value] : {std::pair{"median", m.median}, std::pair{"p95", m.p95}}) {
      out += fmt::format("<CTestMeasurement type=\"numeric/double\" name=\"{}.{}{}{}\">{:.6g}</CTestMeasurement>\n",
                         metric, stat, unit, suffix, value * factor);
    }
  });
  return out;
}

}  // namespace perfcheck::cli
