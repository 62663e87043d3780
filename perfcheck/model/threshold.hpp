// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Absolute thresholds, typed: "<metric>.<statistic>[@<level>] <op> <value><unit>". Parsed once,
// when a test plan is compiled (or an old result without the parts is read); results carry the
// parts, so nothing downstream parses expression text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/model/series_outcome.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck {

/// The comparison of a threshold.
enum class comparison { less, less_equal, greater, greater_equal, equal, not_equal };

/// "<", "<=", ...
const char* to_string(comparison op);

/// The comparison written as `text` ("<", "<=", ">", ">=", "==", "!="); nullopt otherwise.
std::optional<comparison> comparison_from_string(std::string_view text);

/// How a threshold's value is written beyond its unit_kind.
enum class value_form {
  quantity,       ///< a number with the kind's unit ("120ms", "64MiB", "3")
  percent,        ///< "10%", stored as the fraction 0.1 (kind count)
  size_per_time,  ///< "1MiB/min", stored in bytes per second (kind rate)
};

/// "quantity", "percent", "size_per_time".
const char* to_string(value_form form);

/// The form written as `text`; nullopt otherwise.
std::optional<value_form> value_form_from_string(std::string_view text);

/// What a threshold's subject is measured from, which decides what a test must do to have it.
enum class subject_source {
  summary,  ///< a per-run metric's statistic (wall.p95, io.read_bytes): every test has it
  count,    ///< a whole-test count (exit.failures)
  soak,     ///< a trend over a soak (rss.growth, rss.slope: any soak; wall.drift: repeated runs)
  reported, ///< a metric the command reports through the metric channel (docs/metrics.md):
            ///< its unit is the limit's, checked against what the runs reported
  levels,   ///< one level of a sweep over another (plan/level_comparison): a ratio, in percent
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
  subject_source source = subject_source::summary;

  /// "wall.p95" or "throughput@16": the left-hand side without spaces.
  std::string subject() const;
  bool operator==(const threshold_expr&) const = default;
};

/// Parses an expression; a bad one throws usage_error that quotes it, says what is wrong and
/// lists the allowed forms, metrics and statistics.
threshold_expr parse_threshold(std::string_view text);

/// Whether the expression's metric is measured only by a concurrency test (CONCURRENCY):
/// throughput, rss.total, efficiency, errors.count, errors.rate.
bool is_concurrency_metric(const threshold_expr& expr);
/// Whether the expression's metric is a load client's figure per run (CLIENT wrk): latency.p50,
/// latency.p75, latency.p90, latency.p99, latency.max, latency.mean, requests, transfer.
bool is_load_metric(const threshold_expr& expr);
/// Parses an expression that may also name a metric the command reports, one of `reported`
/// (declared names, docs/metrics.md): "startup.median < 500ms", "hits.median >= 75%",
/// "pairs.rate >= 333/s" (a counter's rate; bare: its median over the runs). Built-in metrics
/// come first; the unit of a reported subject is the limit's (source subject_source::reported).
threshold_expr parse_threshold(std::string_view text, const std::vector<std::string>& reported);
/// Parses a left-hand side alone, "<metric>.<statistic>[@<level>]" (op and limit left at their
/// defaults); `text` is the whole expression, quoted in errors. For gates that compare two
/// subjects (plan/level_comparison).
threshold_expr parse_threshold_subject(std::string_view text, std::string_view subject,
                                       const std::vector<std::string>& reported = {});

/// parse_threshold_subject for a gate that reads every level (a complexity gate, a breaking
/// point): an `@level` is an error naming the fix.
threshold_expr parse_every_level_subject(std::string_view text, std::string_view subject,
                                         const std::vector<std::string>& reported = {});

/// The metrics thresholds accept and their kinds, for --help and errors.
std::string threshold_grammar_help();

/// A value of the expression's subject for messages: "12.3 ms", "12.5%", "1.50 MiB/min".
std::string format_threshold_value(const threshold_expr& expr, double value);

/// The threshold's limit as written back: "4 s", "10%", "1.00 MiB/min".
inline std::string format_threshold_limit(const threshold_expr& expr) {
  return format_threshold_value(expr, expr.limit);
}

/// The outcome of one threshold expression, with the expression's parts (so the console and
/// the reports format and draw it without parsing its text).
struct threshold_outcome {
  threshold_expr expr;    ///< the expression: its text and its parsed parts
  double value = 0;       ///< the measured value, in the metric's base unit (0 when not measured)
  bool ok = false;        ///< whether the threshold held
  bool measured = true;   ///< false when the result has no value for the subject
  /// True when `expr` holds parsed parts; false for an expression read from an older file that
  /// this version cannot parse (only its text is known; it is listed, not drawn).
  bool typed = true;
  std::string at{};       ///< the level it was checked at ("n=500"); "" for a test without levels
  /// A complexity gate's fit (`expr` is its subject; value the log-log slope), or none.
  std::optional<complexity_part> complexity{};
  /// A breaking point (`expr` is the inner threshold, its text the whole gate; value the level
  /// found, measured false when the first level fails), or none.
  std::optional<breaking_point_part> breaking_point{};
  /// A level comparison (source levels): `value` is left_value / right_value, the figures of the
  /// two levels in the unit `figure_kind`, the right one at level `versus`. Unused otherwise.
  double left_value = 0;
  double right_value = 0;
  unit_kind figure_kind = unit_kind::count;
  std::string versus{};
  bool operator==(const threshold_outcome&) const = default;
};

/// "; 1.20 ms at mode=warm against 2.31 ms at mode=cold" for a level comparison, "" for other outcomes: the
/// figures the console and the reports show after the ratio.
std::string level_figures_text(const threshold_outcome& outcome);

class json_reader;

/// The JSON form of an outcome: the text ("expr"), the parts (metric, statistic, level, op,
/// limit, unit, form, source), the level checked ("at", only in a sweep) and the figures (value,
/// ok, measured).
boost::json::value threshold_outcome_to_json(const threshold_outcome& outcome);

/// Reads an outcome; one from an older file without the parts gets them by parsing its text
/// (typed false when that fails). Bad parts throw usage_error naming the place.
threshold_outcome threshold_outcome_from_json(const json_reader& reader);

}  // namespace perfcheck
