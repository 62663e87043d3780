// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A result's points: a sweep's levels with their runs, and the one point of a plain test.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/result_json.hpp"

namespace perfcheck {

std::vector<result_point> points_of(const run_result& r) {
  if (!r.points.empty()) return r.points;
  return {result_point{{}, r.outcome, r.runs, r.warmup_runs, r.summary, r.wall_outliers, r.trends}};
}

namespace detail {

boost::json::object trends_to_json(const std::map<std::string, trend_outcome>& trends) {
  boost::json::object out;
  for (const auto& [metric, t] : trends) {
    out[metric] = {{"n", t.n},           {"slope", t.slope},        {"slope_low", t.slope_low},
                   {"slope_high", t.slope_high}, {"start", t.start}, {"end", t.end},
                   {"change", t.change}, {"p_value", t.p_value},    {"tau", t.tau},
                   {"significant", t.significant}, {"window_ns", t.window_ns}};
  }
  return out;
}

void read_trends(const json_reader& r, const boost::json::value& json, std::string_view path,
                 std::map<std::string, trend_outcome>& out) {
  const auto trends = r.optional_object("trends");
  if (!trends) return;
  for (const auto& kv : json.as_object().at("trends").as_object()) {
    if (!kv.value().is_object()) trends->fail(kv.key(), "expected an object");
    const json_reader t(kv.value(), r.origin(), fmt::format("{}trends.{}", path, std::string(kv.key())));
    trend_outcome outcome;
    outcome.n = static_cast<std::size_t>(t.optional_int("n", 0, INT64_MAX).value_or(0));
    outcome.slope = t.optional_number("slope").value_or(0);
    outcome.slope_low = t.optional_number("slope_low").value_or(0);
    outcome.slope_high = t.optional_number("slope_high").value_or(0);
    outcome.start = t.optional_number("start").value_or(0);
    outcome.end = t.optional_number("end").value_or(0);
    outcome.change = t.optional_number("change").value_or(0);
    outcome.p_value = t.optional_number("p_value").value_or(1);
    outcome.tau = t.optional_number("tau").value_or(0);
    outcome.significant = t.optional_bool("significant").value_or(false);
    outcome.window_ns = t.optional_int("window_ns", 0, INT64_MAX).value_or(0);
    out.emplace(std::string(kv.key()), outcome);
  }
}

void write_points(const run_result& r, boost::json::object& o) {
  boost::json::array points;
  for (const auto& p : r.points) {
    boost::json::object summary;
    for (const auto& [metric, s] : p.summary) summary[metric] = boost::json::value_from(s);
    boost::json::object point{{"level", level_to_json(p.at)},
                              {"verdict", to_string(p.outcome)},
                              {"runs", boost::json::value_from(p.runs)},
                              {"warmup_runs", boost::json::value_from(p.warmup_runs)},
                              {"summary", std::move(summary)},
                              {"wall_outliers", boost::json::value_from(p.wall_outliers)}};
    if (!p.trends.empty()) point["trends"] = trends_to_json(p.trends);  // a soak at every level
    points.push_back(std::move(point));
  }
  o["points"] = std::move(points);
  o["point_order"] = boost::json::value_from(r.point_order);
  o["point_seed"] = r.point_seed;
}

namespace {

result_point read_point(const json_reader& p, const boost::json::value& json, std::size_t index) {
  result_point point;
  point.at = level_from_json(p, json, "level");
  if (point.at.empty()) p.fail("level", "is empty; a point of a sweep names its level");
  const std::string v = p.required_string("verdict");
  const auto parsed = verdict_from_string(v);
  if (!parsed) p.fail("verdict", fmt::format("'{}' is not a verdict", v));
  point.outcome = *parsed;
  point.runs = typed_array<run_sample>(p, json, "runs", "run");
  point.warmup_runs = typed_array<run_sample>(p, json, "warmup_runs", "run");
  read_summaries(p, json, point.summary, point.wall_outliers);
  read_trends(p, json, fmt::format("points[{}].", index), point.trends);
  return point;
}

}  // namespace

void read_points(const json_reader& r, const boost::json::value& json, run_result& out) {
  const auto* points = json.as_object().if_contains("points");
  if (points == nullptr) return;
  if (!points->is_array() || points->as_array().empty()) r.fail("points", "expected a non-empty array of points");
  for (std::size_t i = 0; i < points->as_array().size(); ++i) {
    const auto& item = points->as_array()[i];
    if (!item.is_object()) r.fail(fmt::format("points[{}]", i), "expected an object");
    out.points.push_back(read_point(json_reader(item, r.origin(), fmt::format("points[{}]", i)), item, i));
  }
  if (const auto* order = json.as_object().if_contains("point_order")) {
    if (!order->is_array()) r.fail("point_order", "expected an array of point indexes");
    for (const auto& e : order->as_array()) {
      if (!e.is_int64() && !e.is_uint64()) r.fail("point_order", "expected point indexes");
      const auto index = e.to_number<std::int64_t>();
      if (index < 0 || static_cast<std::size_t>(index) >= out.points.size())
        r.fail("point_order", fmt::format("{} is not the index of a point (0 to {})", index, out.points.size() - 1));
      out.point_order.push_back(static_cast<std::size_t>(index));
    }
  }
  if (const auto* seed = json.as_object().if_contains("point_seed")) {
    if (!seed->is_uint64() && !(seed->is_int64() && seed->as_int64() >= 0))
      r.fail("point_seed", "expected a non-negative integer");
    out.point_seed = seed->to_number<std::uint64_t>();
  }
}

}  // namespace detail
}  // namespace perfcheck
