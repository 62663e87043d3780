// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/series_outcome.hpp"

#include <array>
#include <cstdint>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck {
namespace {

constexpr std::array<std::string_view, 6> class_names = {"1", "log n", "n", "n log n", "n^2", "n^3"};

bool known_class(std::string_view name) {
  for (auto c : class_names) {
    if (c == name) return true;
  }
  return false;
}

// A class name as written in the file; "" only where `empty_ok`.
std::string read_class(const json_reader& r, std::string_view key, bool empty_ok) {
  std::string name = r.required_string(key);
  if ((name.empty() && empty_ok) || known_class(name)) return name;
  r.fail(key, fmt::format("'{}' is not a complexity class (1, log n, n, n log n, n^2, n^3)", name));
}

double number_or(const json_reader& r, std::string_view key, double fallback) {
  return r.optional_number(key).value_or(fallback);
}

}  // namespace

bool is_series_outcome(const threshold_outcome& outcome) {
  return outcome.complexity.has_value() || outcome.breaking_point.has_value();
}

std::string series_outcome_value(const threshold_outcome& t) {
  if (t.complexity) {
    const complexity_part& c = *t.complexity;
    if (c.fitted.empty()) return "not fitted";
    return fmt::format("fitted O({}), log-log slope {:.2f} [{:.2f}, {:.2f}], p {:.3g} (Holm; alpha {:.3g})",
                       c.fitted, c.slope, c.slope_low, c.slope_high, c.p_adjusted, c.alpha);
  }
  if (t.breaking_point) {
    const breaking_point_part& b = *t.breaking_point;
    const std::string level = b.level ? fmt::format("{}={}", b.parameter, *b.level) : "none";
    const std::string fails = b.first_failed.empty() ? "holds at every level"
                                                     : fmt::format("fails at {}={}", b.parameter, b.first_failed);
    return fmt::format("breaking point {} ({})", level, fails);
  }
  return "";
}

boost::json::value complexity_part_to_json(const complexity_part& c) {
  return {{"parameter", c.parameter}, {"bound", c.bound},           {"fitted", c.fitted},
          {"intercept", c.intercept}, {"coefficient", c.coefficient}, {"slope", c.slope},
          {"slope_low", c.slope_low}, {"slope_high", c.slope_high}, {"p_value", c.p_value},
          {"p_adjusted", c.p_adjusted}, {"alpha", c.alpha},         {"points", c.points},
          {"levels", c.levels}};
}

boost::json::value breaking_point_part_to_json(const breaking_point_part& b) {
  boost::json::object o{{"parameter", b.parameter}, {"first_failed", b.first_failed}};
  if (b.level) o["level"] = *b.level;  // absent: none (the first level fails)
  if (!b.op.empty()) {
    o["op"] = b.op;
    o["limit"] = b.limit;
  }
  return o;
}

complexity_part complexity_part_from_json(const json_reader& r) {
  complexity_part c;
  c.parameter = r.required_string("parameter");
  c.bound = read_class(r, "bound", false);
  c.fitted = read_class(r, "fitted", true);
  c.intercept = number_or(r, "intercept", 0);
  c.coefficient = number_or(r, "coefficient", 0);
  c.slope = number_or(r, "slope", 0);
  c.slope_low = number_or(r, "slope_low", 0);
  c.slope_high = number_or(r, "slope_high", 0);
  c.p_value = number_or(r, "p_value", 1);
  c.p_adjusted = number_or(r, "p_adjusted", 1);
  c.alpha = number_or(r, "alpha", 0.01);
  c.points = static_cast<std::size_t>(r.optional_int("points", 0, INT64_MAX).value_or(0));
  c.levels = static_cast<std::size_t>(r.optional_int("levels", 0, INT64_MAX).value_or(0));
  return c;
}

breaking_point_part breaking_point_part_from_json(const json_reader& r) {
  breaking_point_part b;
  b.parameter = r.required_string("parameter");
  b.level = r.optional_string("level");  // absent: none
  b.first_failed = r.optional_string("first_failed").value_or("");
  b.op = r.optional_string("op").value_or("");
  if (!b.op.empty() && !comparison_from_string(b.op)) {
    r.fail("op", fmt::format("'{}' is not one of <, <=, >, >=, ==, !=", b.op));
  }
  b.limit = number_or(r, "limit", 0);
  return b;
}

}  // namespace perfcheck
