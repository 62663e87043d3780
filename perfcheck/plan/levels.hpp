// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Parameter sweeps: the values of a parameter (lists and range shorthands), the levels of a
// test (the cartesian product), `{name}` placeholders and the spec of one level.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/level.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck {

/// A parameter with its values expanded (ranges written out), in the order given.
struct parameter {
  std::string name;
  std::vector<std::string> values;
  bool operator==(const parameter&) const = default;
};

/// Expands one written value: "10" stays "10"; "A..B*F" is the geometric range A, A·F, A·F², ...
/// up to B (A > 0, F > 1); "A..B+S" is the linear range A, A+S, ... up to B (S > 0). Integers
/// stay integers; other numbers are written with up to 12 significant digits. Throws
/// usage_error (without a place: the caller adds it) for an empty value, a malformed range or
/// one of more than max_points values.
std::vector<std::string> expand_parameter_value(std::string_view text);

/// Every parameter with its values expanded; throws usage_error prefixed with `where` for a bad
/// name, a name given twice, an empty or malformed value, a value given twice (duplicate
/// levels), or more than max_points levels in all.
std::vector<parameter> expand_parameters(const std::vector<parameter_spec>& parameters, std::string_view where);

/// The levels of a sweep: the cartesian product, the first parameter varying slowest; empty
/// when there are no parameters.
std::vector<level> sweep_levels(const std::vector<parameter>& parameters);

/// `text` with every `{name}` replaced by the level's value of that parameter and `{{` by `{`;
/// a brace not followed by an identifier and '}' stays as it is. At a level with `concurrency`,
/// `{instance}` stays as it is (each copy's number, substituted when the copy starts). Throws
/// usage_error (no place) when a placeholder names no parameter of the level.
std::string substitute(std::string_view text, const level& at);

/// As substitute, but with `keep_unknown` a placeholder that names no value of `at` stays as
/// written instead of throwing (`{port}` of a server test, substituted when the test runs).
std::string substitute(std::string_view text, const level& at, bool keep_unknown);

/// The environment variable that carries a parameter's value: PERFCHECK_PARAM_ and the name in
/// capitals ("n" -> PERFCHECK_PARAM_N).
std::string parameter_variable(std::string_view name);

/// The spec of one level: placeholders substituted in the command and baseline command, the
/// working directory and the environment values, and PERFCHECK_PARAM_<NAME>=value added to
/// the environment for every parameter.
run_spec spec_at(const run_spec& spec, const level& at);

/// PERFCHECK_SERVER_<NAME>_PORT: the server's name in capitals, other characters than letters
/// and digits as '_' ("web-api" -> PERFCHECK_SERVER_WEB_API_PORT).
std::string server_port_variable(std::string_view name);

/// The spec of a test that names a server, once the server's port is known: `{port}` substituted
/// as spec_at substitutes a level (other placeholders kept for spec_at), and
/// PERFCHECK_SERVER_PORT and PERFCHECK_SERVER_<NAME>_PORT added to the environment.
run_spec spec_with_port(const run_spec& spec, int port);

/// Whether a threshold's level text ("n=500", "500" with one parameter, "n=500,m=2") names
/// `at`: every name=value pair of the text holds at it.
bool level_matches(std::string_view text, const level& at);

/// Checks a threshold's level text against the parameters: each pair names a parameter and one
/// of its values (a bare value needs exactly one parameter). Returns what is wrong, or "".
/// `what` names the expression in the fix ("threshold", "rule").
std::string level_problem(std::string_view text, const std::vector<parameter>& parameters,
                          std::string_view what = "threshold");

}  // namespace perfcheck
