// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Levels: where in a series a point was measured (a parameter sweep's values), and the
// parameters a spec declares.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace perfcheck {

class json_reader;

/// The most points (levels) one test may measure: the product of its parameters' value counts.
inline constexpr std::size_t max_points = 1000;

/// One parameter's value at a level, e.g. n = "500".
struct level_value {
  std::string name;   ///< the parameter, an identifier ([A-Za-z_][A-Za-z0-9_]*)
  std::string value;  ///< as substituted into the command
  bool operator==(const level_value&) const = default;
};

/// Ordered name = value pairs, in the order the parameters were declared; empty for a test
/// without levels.
using level = std::vector<level_value>;

/// "n=500" or "n=500,threads=4"; "" for the empty level.
std::string to_string(const level& at);

/// A parameter of a sweep as declared: its name and its values as written (a value may be a
/// range shorthand, expanded when the plan is compiled; see plan/levels.hpp).
struct parameter_spec {
  std::string name;
  std::vector<std::string> values;
  bool operator==(const parameter_spec&) const = default;
};

/// What is wrong with a parameter name, or "" when it is an identifier.
std::string parameter_name_problem(std::string_view name);

/// The spec's "parameters": [{"name": "n", "values": ["10", "50"]}, ...]; throws usage_error
/// naming the reader's place and the fix. Absent: none.
std::vector<parameter_spec> parameters_from_json(const json_reader& reader, const boost::json::value& spec);

/// The spec's "concurrency": [1, 5, "10"] as written (numbers or strings; checked when the plan
/// is compiled); absent: none. Throws usage_error for anything but a non-empty array of those.
std::vector<std::string> concurrency_from_json(const json_reader& reader, const boost::json::value& spec);

/// The JSON form of the parameters (the spec's "parameters" array).
boost::json::value parameters_to_json(const std::vector<parameter_spec>& parameters);

/// The JSON form of a level: [{"name": "n", "value": "500"}, ...].
boost::json::value level_to_json(const level& at);

/// Reads a level written by level_to_json; throws usage_error naming `reader`'s place.
/// `json` is the object `reader` walks; its member `key` holds the level.
level level_from_json(const json_reader& reader, const boost::json::value& json, std::string_view key);

}  // namespace perfcheck
