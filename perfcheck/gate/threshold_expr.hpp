// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Absolute thresholds: "<metric>.<statistic>[@<level>] <op> <value><unit>".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::gate {

/// The comparison of a threshold.
enum class comparison { less, less_equal, greater, greater_equal, equal, not_equal };

/// "<", "<=", ...
const char* to_string(comparison op);

/// How a threshold's value is written beyond its unit_kind.
enum class value_form {
  quantity,       ///< a number with the kind's unit ("120ms", "64MiB", "3")
  percent,        ///< "10%", stored as the fraction 0.1 (kind count)
  size_per_time,  ///< "1MiB/min", stored in bytes per second (kind rate)
};

/// A parsed threshold expression.
struct threshold_expr {
  std::string text;       ///< as written, for messages
  std::string metric;     ///< "wall", "rss", "exit"
  std::string statistic;  ///< "p95", "max", "failures"
  std::optional<std::string> level;  ///< the series level after '@'; none for a single series
  comparison op = comparison::less;
  double limit = 0;       ///< in the metric's base unit
  unit_kind kind = unit_kind::count;
  value_form form = value_form::quantity;

  /// "wall.p95" or "throughput@16": the left-hand side without spaces.
  std::string subject() const;
};

/// Parses an expression; a bad one throws usage_error that quotes it, says what is wrong and
/// lists the allowed forms, metrics and statistics.
threshold_expr parse_threshold(std::string_view text);

/// The metrics thresholds accept and their kinds, for --help and errors.
std::string threshold_grammar_help();

/// The value of the expression's subject in `result`, or nullopt when the result does not
/// have it (e.g. a level that was not measured).
std::optional<double> measured_value(const threshold_expr& expr, const run_result& result);

/// A value of the expression's subject for messages: "12.3 ms", "12.5%", "1.50 MiB/min".
std::string format_threshold_value(const threshold_expr& expr, double value);

/// Whether `value` satisfies the expression.
bool holds(const threshold_expr& expr, double value);

}  // namespace perfcheck::gate
