// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/threshold_expr.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck::gate {
namespace {

struct metric_def {
  std::string_view name;
  unit_kind kind;
  std::string_view description;
};

// Metrics with the usual statistics (metric_summary::get).
constexpr std::array summarized_metrics{
    metric_def{"wall", unit_kind::duration, "elapsed time per run"},
    metric_def{"user", unit_kind::duration, "user CPU time per run"},
    metric_def{"sys", unit_kind::duration, "system CPU time per run"},
    metric_def{"cpu", unit_kind::duration, "user + system CPU time per run"},
    metric_def{"rss", unit_kind::size, "peak resident memory per run"},
};

// Per-run counters of the process tree, summarized like the metrics above; written bare
// ("io.read_bytes < 1MiB": the worst run, i.e. the max) or with a statistic
// ("faults.minor.median < 1000").
constexpr std::array tree_metrics{
    metric_def{"io.read_bytes", unit_kind::size, "bytes read from storage"},
    metric_def{"io.write_bytes", unit_kind::size, "bytes written to storage"},
    metric_def{"io.read_chars", unit_kind::size, "bytes returned by read calls"},
    metric_def{"io.write_chars", unit_kind::size, "bytes passed to write calls"},
    metric_def{"ctx.voluntary", unit_kind::count, "voluntary context switches"},
    metric_def{"ctx.involuntary", unit_kind::count, "involuntary context switches"},
    metric_def{"faults.major", unit_kind::count, "page faults that needed I/O"},
    metric_def{"faults.minor", unit_kind::count, "page faults served from memory"},
    metric_def{"leaked.processes", unit_kind::count, "processes left running by the command"},
};

// Whole-test counts written as "<metric>.<name>".
constexpr std::array counters{
    metric_def{"exit.failures", unit_kind::count, "measured runs that exited non-zero or crashed"},
};

// Trends across a soak (--duration), 0 unless the Mann-Kendall test finds one.
struct trend_def {
  std::string_view name;     // as written
  std::string_view metric;   // the key of run_result::trends
  std::string_view what;     // "growth", "slope", "drift"
  value_form form;
  std::string_view description;
};
constexpr std::array trend_gates{
    trend_def{"rss.growth", "rss", "growth", value_form::percent, "tree memory growth over a soak, after warm-up"},
    trend_def{"rss.slope", "rss", "slope", value_form::size_per_time, "tree memory growth rate over a soak"},
    trend_def{"wall.drift", "wall", "drift", value_form::percent, "change of run time across a soak"},
};

constexpr std::array<std::pair<std::string_view, comparison>, 6> operators{{
    {"<=", comparison::less_equal},
    {">=", comparison::greater_equal},
    {"==", comparison::equal},
    {"!=", comparison::not_equal},
    {"<", comparison::less},
    {">", comparison::greater},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(std::string_view text, std::string_view problem) {
  throw usage_error(fmt::format("bad threshold '{}': {}.\n{}", text, problem,
                                threshold_grammar_help()));
}

// "10%" for percentages, "1MiB/min" for sizes per time: strict, with errors that name the form.
double parse_form_value(std::string_view text, const threshold_expr& expr, std::string_view value) {
  if (expr.form == value_form::percent) {
    if (!value.ends_with('%')) {
      std::optional<quantity> other;
      try {
        other = parse_quantity(value);
      } catch (const usage_error&) {
      }
      if (other && other->kind != unit_kind::count) {
        bad(text, fmt::format("'{}' is a {}, but {} is a percentage (write e.g. 10%)", value,
                              to_string(other->kind), expr.subject()));
      }
      bad(text, fmt::format("'{}' needs a unit: {} is a percentage (write e.g. 10%)", value, expr.subject()));
    }
    quantity q;
    try {
      q = parse_quantity(value.substr(0, value.size() - 1));
    } catch (const usage_error&) {
      bad(text, fmt::format("'{}' is not a percentage; write a number followed by %, e.g. 10%", value));
    }
    if (q.kind != unit_kind::count) {
      bad(text, fmt::format("'{}' is not a percentage; write a number followed by %, e.g. 10%", value));
    }
    return q.value / 100;
  }
  const auto slash = value.rfind('/');
  if (slash == std::string_view::npos) {
    bad(text, fmt::format("'{}' needs a time unit: {} is a size per time (write e.g. 1MiB/min)", value,
                          expr.subject()));
  }
  quantity size;
  try {
    size = parse_quantity(value.substr(0, slash));
  } catch (const usage_error& e) {
    bad(text, e.what());
  }
  if (size.kind != unit_kind::size) {
    bad(text, fmt::format("'{}' is not a size per time: before '/' comes a size ({}), e.g. 1MiB/min",
                          value, allowed_units(unit_kind::size)));
  }
  const std::string_view per = trim(value.substr(slash + 1));
  double per_ns = 0;
  try {
    per_ns = parse_duration_ns(fmt::format("1{}", per));
  } catch (const usage_error&) {
    bad(text, fmt::format("unknown time unit '{}' in '{}'; after '/' comes one of {}", per, value,
                          allowed_units(unit_kind::duration)));
  }
  return size.value / (per_ns / 1e9);
}

}  // namespace

const char* to_string(comparison op) {
  for (const auto& [symbol, value] : operators) {
    if (value == op) return symbol.data();
  }
  return "?";
}

std::string threshold_expr::subject() const {
  std::string s = metric + "." + statistic;
  if (level) s += "@" + *level;
  return s;
}

std::string threshold_grammar_help() {
  std::string help =
      "Thresholds are written '<metric>.<statistic> <op> <value><unit>', e.g. "
      "'wall.p95 < 120ms', 'rss.max <= 64MiB', 'exit.failures == 0'.\n  metrics: ";
  for (const auto& m : summarized_metrics) {
    help += fmt::format("{}{} ({})", &m == &summarized_metrics.front() ? "" : ", ", m.name, to_string(m.kind));
  }
  help += ", rss_tree (size, peak memory of the whole process tree)";
  help += fmt::format("\n  statistics: {}\n  per-run tree counters (bare: the worst run; or add a statistic): ",
                      statistic_names());
  for (const auto& m : tree_metrics) {
    help += fmt::format("{}{} ({})", &m == &tree_metrics.front() ? "" : ", ", m.name, to_string(m.kind));
  }
  help += "\n  counts: ";
  for (const auto& c : counters) help += fmt::format("{} ({}) ", c.name, c.description);
  help += "\n  soak trends (with --duration): ";
  for (const auto& t : trend_gates) {
    help += fmt::format("{}{} ({}, {})", &t == &trend_gates.front() ? "" : ", ", t.name,
                        t.form == value_form::percent ? "percent, e.g. 10%" : "size per time, e.g. 1MiB/min",
                        t.description);
  }
  help += "\n  operators: < <= > >= == !=\n  units: durations ";
  help += allowed_units(unit_kind::duration);
  help += "; sizes ";
  help += allowed_units(unit_kind::size);
  help += "; percentages %; size per time <size>/<ns|us|ms|s|min|h>";
  return help;
}

threshold_expr parse_threshold(std::string_view text) {
  const std::string_view s = trim(text);
  threshold_expr expr;
  expr.text = std::string(s);

  // Left-hand side: identifier characters, dots and an optional @level.
  std::size_t i = 0;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                          s[i] == '.' || s[i] == '@' || s[i] == '-')) {
    ++i;
  }
  std::string_view lhs = s.substr(0, i);
  std::string_view rest = trim(s.substr(i));
  if (lhs.empty()) bad(text, "it does not start with a metric");

  if (const auto at = lhs.find('@'); at != std::string_view::npos) {
    expr.level = std::string(lhs.substr(at + 1));
    if (expr.level->empty()) bad(text, "'@' must be followed by a level, e.g. wall.p95@16");
    lhs = lhs.substr(0, at);
  }

  auto counter = std::find_if(counters.begin(), counters.end(),
                              [&](const metric_def& c) { return c.name == lhs; });
  auto trend = std::find_if(trend_gates.begin(), trend_gates.end(),
                            [&](const trend_def& t) { return t.name == lhs; });
  auto tree_metric = [&](std::string_view name) {
    return std::find_if(tree_metrics.begin(), tree_metrics.end(),
                        [&](const metric_def& m) { return m.name == name; });
  };
  if (trend != trend_gates.end()) {
    expr.metric = std::string(trend->metric);
    expr.statistic = std::string(trend->what);
    expr.form = trend->form;
    expr.kind = trend->form == value_form::percent ? unit_kind::count : unit_kind::rate;
  } else if (tree_metric(lhs) != tree_metrics.end()) {
    expr.metric = std::string(lhs);
    expr.statistic = "max";
    expr.kind = tree_metric(lhs)->kind;
  } else if (counter != counters.end()) {
    const auto dot = lhs.find('.');
    expr.metric = std::string(lhs.substr(0, dot));
    expr.statistic = std::string(lhs.substr(dot + 1));
    expr.kind = counter->kind;
  } else {
    const auto dot = lhs.rfind('.');
    if (dot == std::string_view::npos) {
      bad(text, fmt::format("'{}' has no statistic; write e.g. '{}.median'", lhs, lhs));
    }
    const std::string_view metric = lhs.substr(0, dot);
    const std::string_view statistic = lhs.substr(dot + 1);
    auto def = std::find_if(summarized_metrics.begin(), summarized_metrics.end(),
                            [&](const metric_def& m) { return m.name == metric; });
    if (metric == "rss_tree") def = std::find_if(summarized_metrics.begin(), summarized_metrics.end(),
                                                 [](const metric_def& m) { return m.name == "rss"; });
    if (def == summarized_metrics.end()) {
      def = tree_metric(metric);
      if (def == tree_metrics.end()) bad(text, fmt::format("unknown metric '{}'", metric));
    }
    if (!metric_summary{}.get(statistic) || statistic == "ci_low" || statistic == "ci_high") {
      bad(text, fmt::format("unknown statistic '{}'", statistic));
    }
    expr.metric = std::string(metric);
    expr.statistic = std::string(statistic);
    expr.kind = def->kind;
  }

  auto op = std::find_if(operators.begin(), operators.end(),
                         [&](const auto& o) { return rest.starts_with(o.first); });
  if (op == operators.end()) {
    bad(text, rest.empty() ? "the comparison is missing"
                           : fmt::format("'{}' does not start with an operator", rest));
  }
  expr.op = op->second;
  const std::string_view value = trim(rest.substr(op->first.size()));
  if (value.empty()) bad(text, "the value is missing");
  if (expr.form != value_form::quantity) {
    expr.limit = parse_form_value(text, expr, value);
    return expr;
  }
  if (value.ends_with('%')) {
    bad(text, fmt::format("'{}' is a percentage, but {} is a {} ({}); percentages go with rss.growth "
                          "and wall.drift", value, expr.subject(), to_string(expr.kind), allowed_units(expr.kind)));
  }
  quantity q;
  try {
    q = parse_quantity(value);
  } catch (const usage_error& e) {
    bad(text, e.what());
  }
  if (q.kind != expr.kind) {
    if (q.kind == unit_kind::count) {
      bad(text, fmt::format("'{}' needs a unit: {} is a {} ({})", value, expr.subject(),
                            to_string(expr.kind), allowed_units(expr.kind)));
    }
    bad(text, fmt::format("'{}' is a {} but {} is a {}", value, to_string(q.kind),
                          expr.subject(), to_string(expr.kind)));
  }
  expr.limit = q.value;
  return expr;
}

std::optional<double> measured_value(const threshold_expr& expr, const run_result& result) {
  if (expr.level) return std::nullopt;  // series levels come with parameter sweeps
  if (expr.metric == "exit" && expr.statistic == "failures") {
    return static_cast<double>(std::count_if(result.runs.begin(), result.runs.end(),
                                             [](const run_sample& s) { return s.failed(); }));
  }
  if (expr.form != value_form::quantity) {
    const auto trend = result.trends.find(expr.metric);
    if (trend == result.trends.end()) return std::nullopt;
    // No evidence of a trend (Mann-Kendall p >= 0.05): noise, not growth.
    if (!trend->second.significant) return 0.0;
    return expr.statistic == "slope" ? trend->second.slope : trend->second.change;
  }
  const auto it = result.summary.find(expr.metric);
  if (it == result.summary.end() || it->second.n == 0) return std::nullopt;
  return it->second.get(expr.statistic);
}

std::string format_threshold_value(const threshold_expr& expr, double value) {
  switch (expr.form) {
    case value_form::percent: return fmt::format("{:.3g}%", value * 100);
    case value_form::size_per_time:
      return (value < 0 ? "-" : "") + format_size(std::abs(value) * 60) + "/min";
    case value_form::quantity: break;
  }
  return format_quantity(value, expr.kind);
}

bool holds(const threshold_expr& expr, double value) {
  switch (expr.op) {
    case comparison::less: return value < expr.limit;
    case comparison::less_equal: return value <= expr.limit;
    case comparison::greater: return value > expr.limit;
    case comparison::greater_equal: return value >= expr.limit;
    case comparison::equal: return value == expr.limit;
    case comparison::not_equal: return value != expr.limit;
  }
  return false;
}

}  // namespace perfcheck::gate
