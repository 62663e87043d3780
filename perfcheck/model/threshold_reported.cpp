// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/threshold_reported.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/summary.hpp"

namespace perfcheck::detail {
namespace {

[[noreturn]] void bad(std::string_view text, std::string_view problem) {
  throw usage_error(fmt::format("bad threshold '{}': {}.\n{}", text, problem, threshold_grammar_help()));
}

quantity quantity_of(std::string_view text, std::string_view value) {
  try {
    return parse_quantity(value);
  } catch (const usage_error& e) {
    bad(text, e.what());
  }
}

}  // namespace

bool read_reported_subject(std::string_view text, std::string_view lhs,
                           const std::vector<std::string>& reported, threshold_expr& expr) {
  auto declared = [&](std::string_view metric) {
    const auto base = metric.ends_with(".rate") ? metric.substr(0, metric.size() - 5) : metric;
    return std::find(reported.begin(), reported.end(), base) != reported.end();
  };
  std::string_view metric = lhs;
  std::string_view statistic = "median";
  if (!lhs.ends_with(".rate") || !declared(lhs)) {
    const auto dot = lhs.rfind('.');
    if (dot == std::string_view::npos) {
      if (declared(lhs)) bad(text, fmt::format("'{}' has no statistic; write e.g. '{}.median'", lhs, lhs));
      return false;
    }
    metric = lhs.substr(0, dot);
    statistic = lhs.substr(dot + 1);
    if (!declared(metric) && metric.starts_with("server.")) {  // declared for a test with a SERVER (reported_plan)
      bad(text, fmt::format("'{}' measures the server under test, and this test names none; name it with SERVER "
                            "<name> in add_perf_test (\"server\" in a spec), see docs/servers.md", metric));
    }
    if (!declared(metric)) return false;
    if (!metric_summary{}.get(statistic) || statistic == "ci_low" || statistic == "ci_high") {
      bad(text, fmt::format("unknown statistic '{}'", statistic));
    }
  }
  expr.metric = std::string(metric);
  expr.statistic = std::string(statistic);
  expr.source = subject_source::reported;
  return true;
}

double read_reported_limit(std::string_view text, threshold_expr& expr, std::string_view value) {
  if (value.empty()) bad(text, "the value is missing");
  if (value.ends_with('%')) {
    const quantity q = quantity_of(text, value.substr(0, value.size() - 1));
    if (q.kind != unit_kind::count) {
      bad(text, fmt::format("'{}' is not a percentage; write a number followed by %, e.g. 10%", value));
    }
    expr.form = value_form::percent;
    expr.kind = unit_kind::count;
    return q.value / 100;
  }
  const quantity q = quantity_of(text, value);
  if (expr.metric.ends_with(".rate") && q.kind != unit_kind::rate) {
    bad(text, fmt::format("'{}' is not a rate, but {} counts per time; write e.g. 333/s ({})", value,
                          expr.metric, allowed_units(unit_kind::rate)));
  }
  expr.kind = q.kind;
  return q.value;
}

}  // namespace perfcheck::detail
