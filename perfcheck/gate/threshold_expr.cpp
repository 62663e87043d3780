// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/threshold_expr.hpp"

#include <algorithm>
#include <array>
#include <cctype>

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

// Whole-test counts written as "<metric>.<name>".
constexpr std::array counters{
    metric_def{"exit.failures", unit_kind::count, "measured runs that exited non-zero or crashed"},
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
  help += fmt::format("\n  statistics: {}\n  counts: ", statistic_names());
  for (const auto& c : counters) help += fmt::format("{} ({}) ", c.name, c.description);
  help += "\n  operators: < <= > >= == !=\n  units: durations ";
  help += allowed_units(unit_kind::duration);
  help += "; sizes ";
  help += allowed_units(unit_kind::size);
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
  if (counter != counters.end()) {
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
    if (def == summarized_metrics.end()) bad(text, fmt::format("unknown metric '{}'", metric));
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
  const auto it = result.summary.find(expr.metric);
  if (it == result.summary.end() || it->second.n == 0) return std::nullopt;
  return it->second.get(expr.statistic);
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
