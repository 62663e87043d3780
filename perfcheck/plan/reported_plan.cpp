// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metrics a command reports and the metadata of a test, as the plan takes them
// (docs/metrics.md).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "perfcheck/ingest/google_benchmark.hpp"
#include "perfcheck/ingest/metric_channel.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck::detail {
namespace {

// "--metric 'x'" or "spec.json: test 't': metrics 'x'".
std::string place(const spec_origin& origin, const std::string& where, const char* flag, const char* field,
                  const std::string& text) {
  return origin.flags ? fmt::format("{} '{}'", flag, text) : fmt::format("{}: {} '{}'", where, field, text);
}

// "startup:ms" -> {startup, duration}; "hits:%" -> percent; "pairs" -> any unit.
declared_metric parse_declared(const std::string& text, const std::string& at) {
  const auto colon = text.find(':');
  declared_metric m{text.substr(0, colon), std::nullopt, false};
  if (const std::string why = ingest::check_metric_name(m.name); !why.empty()) {
    throw usage_error(fmt::format("{}: {}", at, why));
  }
  if (colon == std::string::npos) return m;
  const std::string unit = text.substr(colon + 1);
  if (unit == "%") {
    m.kind = unit_kind::count;
    m.percent = true;
    return m;
  }
  try {
    m.kind = parse_quantity("1" + unit).kind;
  } catch (const usage_error&) {
    m.kind.reset();
  }
  if (!m.kind || unit.empty() || std::isdigit(static_cast<unsigned char>(unit.front()))) {
    throw usage_error(fmt::format("{}: unknown unit '{}'; write name:unit with a unit of the metric channel "
                                  "(durations {}; sizes {}; rates {}; or %), or the name alone",
                                  at, unit, allowed_units(unit_kind::duration), allowed_units(unit_kind::size),
                                  allowed_units(unit_kind::rate)));
  }
  return m;
}

}  // namespace

void compile_reported(test_plan& plan, const spec_origin& origin, const std::string& where) {
  for (const auto& text : plan.spec.metrics) {
    const std::string at = place(origin, where, "--metric", "metrics", text);
    declared_metric m = parse_declared(text, at);
    const bool twice = std::any_of(plan.metrics.begin(), plan.metrics.end(),
                                   [&](const declared_metric& d) { return d.name == m.name; });
    if (twice) throw usage_error(fmt::format("{}: '{}' is declared twice; declare each metric once", at, m.name));
    plan.metrics.push_back(std::move(m));
  }
  if (!plan.spec.server.empty()) {  // measured on the server while the test runs (run/server_watch.hpp)
    plan.metrics.push_back({"server.rss", unit_kind::size, false});
    plan.metrics.push_back({"server.cpu", unit_kind::duration, false});
    plan.metrics.push_back({"server.threads", unit_kind::count, false});
    plan.metrics.push_back({"server.rss.per_request", unit_kind::size, false});
  }
  if (ingest::is_google_benchmark_command(plan.spec.command)) {  // what every Google Benchmark run reports (run/gbench.hpp), unless declared
    for (const char* name : {"real_time", "cpu_time", "iterations"}) {
      const bool declared = std::any_of(plan.metrics.begin(), plan.metrics.end(),
                                        [&](const declared_metric& d) { return d.name == name; });
      if (!declared) plan.metrics.push_back({name, std::string_view(name) == "iterations"
                                                       ? std::optional<unit_kind>(unit_kind::count)
                                                       : std::optional<unit_kind>(unit_kind::duration), false});
    }
  }
  for (const auto& text : plan.spec.metadata) {
    const std::string at = place(origin, where, "--meta", "metadata", text);
    const auto eq = text.find('=');
    if (eq == std::string::npos || !ingest::is_metadata_key(std::string_view(text).substr(0, eq))) {
      throw usage_error(fmt::format("{}: metadata reads key=value, the key a letter then letters, digits, "
                                    "'_', '.' or '-' (e.g. endpoint=/api/v1)", at));
    }
    const std::string value = text.substr(eq + 1);
    if (ingest::has_control_character(value)) {
      throw usage_error(fmt::format("{}: the value holds a control character (a newline, tab, ...); "
                                    "write it on one line of printable text", at));
    }
    plan.metadata[text.substr(0, eq)] = value;
  }
}

void check_declared_units(const test_plan& plan, const spec_origin& origin, const std::string& where) {
  for (const auto& t : plan.thresholds) {
    if (t.source != subject_source::reported || t.metric.ends_with(".rate")) continue;
    const auto m = std::find_if(plan.metrics.begin(), plan.metrics.end(),
                                [&](const declared_metric& d) { return d.name == t.metric; });
    if (m == plan.metrics.end() || !m->kind) continue;
    const bool percent = t.form == value_form::percent;
    if (*m->kind == t.kind && m->percent == percent) continue;
    throw usage_error(fmt::format(
        "{}: '{}' is declared as a {} but the limit {} is a {}; write the limit in the declared unit's kind",
        place(origin, where, "--threshold", "threshold", t.text), t.metric,
        m->percent ? "percentage" : to_string(*m->kind), format_threshold_limit(t),
        percent ? "percentage" : to_string(t.kind)));
  }
}

std::vector<std::string> declared_names(const test_plan& plan) {
  std::vector<std::string> names;
  for (const auto& m : plan.metrics) names.push_back(m.name);
  return names;
}

}  // namespace perfcheck::detail
