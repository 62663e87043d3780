// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/threshold.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/summary.hpp"
#include "perfcheck/model/threshold_metrics.hpp"
#include "perfcheck/model/threshold_reported.hpp"

namespace perfcheck {
namespace {

using namespace threshold_metrics;

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
  // "1MiB/min" or "1MiB/10min": a bare unit means one of it; a number must come with its unit.
  const bool counted = !per.empty() && (std::isdigit(static_cast<unsigned char>(per.front())) || per.front() == '.');
  double per_ns = 0;
  try {
    per_ns = parse_duration_ns(counted ? std::string(per) : fmt::format("1{}", per));
  } catch (const usage_error&) {
    bad(text, fmt::format("unknown time unit '{}' in '{}'; after '/' comes one of {}", per, value,
                          allowed_units(unit_kind::duration)));
  }
  if (!(per_ns > 0)) {
    bad(text, fmt::format("'{}' divides by a time of 0; after '/' comes a time above 0, e.g. 1MiB/min", value));
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

std::optional<comparison> comparison_from_string(std::string_view text) {
  for (const auto& [symbol, value] : operators) {
    if (symbol == text) return value;
  }
  return std::nullopt;
}

const char* to_string(value_form form) {
  switch (form) {
    case value_form::quantity: return "quantity";
    case value_form::percent: return "percent";
    case value_form::size_per_time: return "size_per_time";
  }
  return "?";
}

std::optional<value_form> value_form_from_string(std::string_view text) {
  for (value_form f : {value_form::quantity, value_form::percent, value_form::size_per_time}) {
    if (text == to_string(f)) return f;
  }
  return std::nullopt;
}

bool is_concurrency_metric(const threshold_expr& expr) {
  const std::string name = expr.source == subject_source::count ? expr.metric + "." + expr.statistic : expr.metric;
  return std::find(concurrency_only.begin(), concurrency_only.end(), name) != concurrency_only.end();
}

bool is_load_metric(const threshold_expr& expr) {
  return std::any_of(load_metrics.begin(), load_metrics.end(),
                     [&](const metric_def& m) { return m.name == expr.metric; });
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
  for (const auto& m : percent_metrics) help += fmt::format(", {} (percent, {})", m.name, m.description);
  help += "\n  reported by the command (declared with METRICS or --metric; docs/metrics.md): "
          "<name>.<statistic> with the limit in its unit, <name>.rate for a counter (e.g. 333/s)";
  help += "\n  a load client's figures per run (CLIENT wrk; bare: the median over the runs, latency.max the worst): ";
  for (const auto& m : load_metrics) {
    help += fmt::format("{}{} ({})", &m == &load_metrics.front() ? "" : ", ", m.name, to_string(m.kind));
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

namespace {

const metric_def* find_def(std::span<const metric_def> defs, std::string_view name) {
  const auto it = std::find_if(defs.begin(), defs.end(), [&](const metric_def& m) { return m.name == name; });
  return it == defs.end() ? nullptr : &*it;
}

// "<metric>.<statistic>": a summarized or tree metric with a statistic of metric_summary.
void read_summary_subject(std::string_view text, std::string_view lhs, threshold_expr& expr) {
  const auto dot = lhs.rfind('.');
  if (dot == std::string_view::npos) {
    bad(text, fmt::format("'{}' has no statistic; write e.g. '{}.median'", lhs, lhs));
  }
  if (find_def(percent_metrics, lhs) != nullptr) {
    bad(text, fmt::format("'{}' has no statistic; write e.g. '{}.median'", lhs, lhs));
  }
  const std::string_view metric = lhs.substr(0, dot);
  const std::string_view statistic = lhs.substr(dot + 1);
  const metric_def* def = find_def(summarized_metrics, metric == "rss_tree" ? "rss" : metric);
  if (def == nullptr) def = find_def(tree_metrics, metric);
  if (def == nullptr) def = find_def(load_metrics, metric);
  if (def == nullptr && find_def(percent_metrics, metric) != nullptr) {
    def = find_def(percent_metrics, metric);
    expr.form = value_form::percent;
  }
  if (def == nullptr) {
    bad(text, fmt::format("unknown metric '{}' (a metric the command reports itself is declared first: "
                          "METRICS {} in add_perf_test, --metric {} on the command line)",
                          metric, metric, metric));
  }
  if (!metric_summary{}.get(statistic) || statistic == "ci_low" || statistic == "ci_high") {
    bad(text, fmt::format("unknown statistic '{}'", statistic));
  }
  expr.metric = std::string(metric);
  expr.statistic = std::string(statistic);
  expr.kind = def->kind;
}

// The left-hand side without its level: a soak trend, a bare tree counter, a count, or
// "<metric>.<statistic>".
void read_subject(std::string_view text, std::string_view lhs, threshold_expr& expr) {
  const auto trend = std::find_if(trend_gates.begin(), trend_gates.end(),
                                  [&](const trend_def& t) { return t.name == lhs; });
  if (trend != trend_gates.end()) {
    expr.metric = std::string(trend->metric);
    expr.statistic = std::string(trend->what);
    expr.form = trend->form;
    expr.kind = trend->form == value_form::percent ? unit_kind::count : unit_kind::rate;
    expr.source = subject_source::soak;
  } else if (const metric_def* tree = find_def(tree_metrics, lhs)) {
    expr.metric = std::string(lhs);
    expr.statistic = "max";
    expr.kind = tree->kind;
  } else if (const metric_def* load = find_def(load_metrics, lhs)) {
    expr.metric = std::string(lhs);
    expr.statistic = lhs == "latency.max" ? "max" : "median";
    expr.kind = load->kind;
  } else if (const metric_def* counter = find_def(counters, lhs)) {
    const auto dot = lhs.find('.');
    expr.metric = std::string(lhs.substr(0, dot));
    expr.statistic = std::string(lhs.substr(dot + 1));
    expr.kind = counter->kind;
    expr.source = subject_source::count;
    if (lhs == "errors.rate") expr.form = value_form::percent;
  } else if (lhs == "capacity") {  // one figure per search: no statistic to choose
    expr.metric = "capacity";
    expr.statistic = "median";
    expr.kind = unit_kind::rate;
  } else if (lhs == "efficiency") {
    expr.metric = "efficiency";
    expr.statistic = "median";
    expr.kind = unit_kind::count;
    expr.form = value_form::percent;
  } else {
    read_summary_subject(text, lhs, expr);
  }
}

// The right-hand side's number in the subject's kind and form.
double read_limit(std::string_view text, const threshold_expr& expr, std::string_view value) {
  if (value.empty()) bad(text, "the value is missing");
  if (expr.form != value_form::quantity) return parse_form_value(text, expr, value);
  if (value.ends_with('%')) {
    bad(text, fmt::format("'{}' is a percentage, but {} is a {} ({}); percentages go with cpu.util, efficiency, errors.rate, "
                          "rss.growth, threads.growth and wall.drift", value, expr.subject(), to_string(expr.kind), allowed_units(expr.kind)));
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
  // Whole-test counts and the worst (or best) run of a counter are whole numbers; a median or
  // a mean of counts may fall between two.
  const bool whole = expr.kind == unit_kind::count &&
                     (expr.source == subject_source::count || expr.statistic == "max" || expr.statistic == "min");
  if (whole && q.value != std::floor(q.value)) {
    bad(text, fmt::format("'{}' is not a whole number, but {} counts whole events; write e.g. {}", value,
                          expr.subject(), std::floor(q.value)));
  }
  return q.value;
}

}  // namespace

threshold_expr parse_threshold(std::string_view text) { return parse_threshold(text, {}); }

threshold_expr parse_threshold(std::string_view text, const std::vector<std::string>& reported) {
  const std::string_view s = trim(text);
  threshold_expr expr;
  expr.text = std::string(s);

  // Left-hand side: identifier characters, dots and an optional @level.
  // A level may name its parameters ("@n=500", "@n=500,mode=fast"): '=' and ',' are part of it
  // after '@' when they join two words, so "exit.failures==0" and "wall.p95@16 == 1s" still end
  // at the operator.
  std::size_t i = 0;
  bool in_level = false;
  auto word_char = [&](std::size_t k) {
    const char c = s[k];
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') return true;
    if (c == '@') return in_level = true;
    return (c == '=' || c == ',') && in_level && k > 0 && std::isalnum(static_cast<unsigned char>(s[k - 1])) &&
           k + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[k + 1]));
  };
  while (i < s.size() && word_char(i)) ++i;
  std::string_view lhs = s.substr(0, i);
  const std::string_view rest = trim(s.substr(i));
  if (lhs.empty()) bad(text, "it does not start with a metric");
  if (const auto at = lhs.find('@'); at != std::string_view::npos) {
    expr.level = std::string(lhs.substr(at + 1));
    if (expr.level->empty()) bad(text, "'@' must be followed by a level, e.g. wall.p95@16");
    lhs = lhs.substr(0, at);
  }
  // Declared names never collide with built-in metrics (the plan refuses such names); server.* trends go first.
  const bool trend = std::any_of(trend_gates.begin(), trend_gates.end(), [&](const trend_def& t) { return t.name == lhs; });
  if (trend || !detail::read_reported_subject(text, lhs, reported, expr)) read_subject(text, lhs, expr);

  const auto op = std::find_if(operators.begin(), operators.end(),
                               [&](const auto& o) { return rest.starts_with(o.first); });
  if (op == operators.end()) {
    bad(text, rest.empty() ? "the comparison is missing"
                           : fmt::format("'{}' does not start with an operator", rest));
  }
  expr.op = op->second;
  const std::string_view value = trim(rest.substr(op->first.size()));
  expr.limit = expr.source == subject_source::reported ? detail::read_reported_limit(text, expr, value)
                                                       : read_limit(text, expr, value);
  return expr;
}

threshold_expr parse_threshold_subject(std::string_view text, std::string_view subject,
                                       const std::vector<std::string>& reported) {
  threshold_expr expr;
  expr.text = std::string(trim(text));
  std::string_view lhs = trim(subject);
  if (const auto at = lhs.find('@'); at != std::string_view::npos) {
    expr.level = std::string(lhs.substr(at + 1));
    if (expr.level->empty()) bad(text, "'@' must be followed by a level, e.g. wall.p95@16");
    lhs = lhs.substr(0, at);
  }
  if (reported.empty() || !detail::read_reported_subject(text, lhs, reported, expr)) read_subject(text, lhs, expr);
  return expr;
}

threshold_expr parse_every_level_subject(std::string_view text, std::string_view subject,
                                         const std::vector<std::string>& reported) {
  if (trim(subject).find('@') != std::string_view::npos) {
    bad(text, fmt::format("'{}' names a level, but this gate reads every level; drop the '@' part", trim(subject)));
  }
  return parse_threshold_subject(text, subject, reported);
}

std::string format_threshold_value(const threshold_expr& expr, double value) {
  switch (expr.form) {
    case value_form::percent: return fmt::format("{:.3g}%", value * 100);
    case value_form::size_per_time:
      // fmt, not operator+ on a temporary: GCC 12's -Wrestrict misfires on the latter at -O3.
      return fmt::format("{}{}/min", value < 0 ? "-" : "", format_size(std::abs(value) * 60));
    case value_form::quantity: break;
  }
  return format_quantity(value, expr.kind);
}

}  // namespace perfcheck
