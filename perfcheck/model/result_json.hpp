// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Internals of the result file's JSON shared by result.cpp and result_points.cpp.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/result.hpp"

namespace perfcheck::detail {

/// The array `key` of `parent` (the object `r` walks), each item converted to T; throws
/// usage_error naming the item that is not a valid `what`.
template <class T>
std::vector<T> typed_array(const json_reader& r, const boost::json::value& parent, std::string_view key,
                           std::string_view what) {
  std::vector<T> out;
  const auto* v = parent.as_object().if_contains(key);
  if (v == nullptr) r.fail(key, "missing");
  if (!v->is_array()) r.fail(key, "expected an array");
  const auto& a = v->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto item = boost::json::try_value_to<T>(a[i]);
    if (!item) r.fail(fmt::format("{}[{}]", key, i), fmt::format("is not a valid {}", what));
    out.push_back(std::move(*item));
  }
  return out;
}

/// The per-metric summaries ("summary", required) and the wall-time outlier indexes of the
/// object `r` walks (`json`).
void read_summaries(const json_reader& r, const boost::json::value& json,
                    std::map<std::string, metric_summary>& summaries, std::vector<std::size_t>& outliers);

/// The soak trends as the result file's "trends" object (a plain test's, or a point's).
boost::json::object trends_to_json(const std::map<std::string, trend_outcome>& trends);

/// Reads the "trends" object of the object `r` walks (`json`), if any, into `out`; `path` is the
/// place of that object in the file ("" at the top, "points[2]." in a point), for messages.
void read_trends(const json_reader& r, const boost::json::value& json, std::string_view path,
                 std::map<std::string, trend_outcome>& out);

/// Adds "points", "point_order" and "point_seed" of a sweep to `o`.
void write_points(const run_result& result, boost::json::object& o);

/// Reads a sweep's points, their order and seed; a result without them (every older one) keeps
/// its one point in its own runs and summary.
void read_points(const json_reader& r, const boost::json::value& json, run_result& out);

/// Reads the "profile" object of the object `r` walks (`json`), if any.
std::optional<profile_info> read_profile(const json_reader& r, const boost::json::value& json);

}  // namespace perfcheck::detail
