// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Parsing regression rules and what sample sizes they need; deciding them is in
// regression_decision.cpp.
#include "perfcheck/gate/regression_rule.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/stats/compare.hpp"
#include "perfcheck/stats/compare_ratio.hpp"

namespace perfcheck::gate {
namespace {

constexpr const char* rule_form =
    "Regression rules are written '<metric>.<statistic>[@<level>] <limit>%': the statistic is median, "
    "mean, p90, p95 or p99; a limit '+5%' tolerates a slowdown up to 5%, a limit '-40%' requires the "
    "candidate to be at least 40% faster (lower); '@n=500' limits the rule to that level of a sweep; "
    "e.g. 'wall.median +5%', 'wall.p95 +10%', 'rss.mean +2%', 'wall.median -40%', 'wall.median@n=500 +5%'";

constexpr std::array<std::string_view, 5> rule_statistics{"median", "mean", "p90", "p95", "p99"};

[[noreturn]] void bad(std::string_view text, std::string_view problem) {
  throw usage_error(fmt::format("bad regression rule '{}': {}. {}", text, problem, rule_form));
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "+5%" -> 0.05, "-40%" -> -0.4, checked.
double parse_limit(std::string_view text, std::string_view rest) {
  const bool speedup = rest.starts_with("-");
  if (!speedup && !rest.starts_with("+")) {
    bad(text, "the tolerance must start with '+' (a slowdown tolerated, e.g. +5%) or '-' (a speed-up "
              "required, e.g. -40%)");
  }
  rest.remove_prefix(1);
  if (!rest.ends_with("%")) bad(text, "the tolerance must end with '%', e.g. +5%");
  rest.remove_suffix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc{} || ptr != rest.data() + rest.size() || !std::isfinite(value)) {
    bad(text, fmt::format("'{}' is not a number", rest));
  }
  if (!speedup && (value < 0 || value > 1000)) bad(text, "the tolerance must be from 0% to 1000%");
  if (speedup && (value < 0 || value >= 100)) {
    bad(text, "a required speed-up must be from -0% to below -100% (a time cannot fall by 100% or more)");
  }
  return (speedup ? -value : value) / 100;
}

}  // namespace

regression_rule parse_regression_rule(std::string_view text) {
  const std::string_view s = trimmed(text);
  regression_rule rule;
  rule.text = std::string(s);
  const auto space = s.find_first_of(" \t+-");
  if (space == std::string_view::npos) bad(text, "the tolerance is missing");
  std::string_view subject = s.substr(0, space);
  const std::string_view rest = trimmed(s.substr(space));
  if (const auto at = subject.find('@'); at != std::string_view::npos) {
    if (at + 1 == subject.size()) bad(text, "nothing follows '@'; name a level, e.g. 'wall.median@n=500 +5%'");
    rule.level = std::string(subject.substr(at + 1));
    subject = subject.substr(0, at);
  }
  const auto dot = subject.rfind('.');
  if (dot == std::string_view::npos) bad(text, fmt::format("'{}' has no statistic; write '{}.median'", subject, subject));
  rule.metric = std::string(subject.substr(0, dot));
  rule.statistic = std::string(subject.substr(dot + 1));
  if (std::find(rule_statistics.begin(), rule_statistics.end(), rule.statistic) == rule_statistics.end()) {
    bad(text, fmt::format("'{}' is not a statistic that rules compare; write median, mean, p90, "
                          "p95 or p99, e.g. '{}.median'", rule.statistic, rule.metric));
  }
  if (rule.metric.empty() || !std::all_of(rule.metric.begin(), rule.metric.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      })) {
    bad(text, fmt::format("'{}' is not a metric name", rule.metric));
  }
  rule.tolerance = parse_limit(text, rest);
  return rule;
}

std::vector<regression_rule> parse_regression_rules(const std::vector<std::string>& texts,
                                                    std::string_view origin) {
  std::vector<regression_rule> out;
  for (const auto& t : texts) {
    try {
      out.push_back(parse_regression_rule(t));
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("{}: {}", origin, e.what()));
    }
  }
  return out;
}

bool rules_can_reach(std::size_t baseline_n, std::size_t candidate_n, std::size_t rule_count,
                     double alpha) {
  if (baseline_n == 0 || candidate_n == 0) return false;
  return stats::min_attainable_p(baseline_n, candidate_n) * static_cast<double>(rule_count) < alpha;
}

std::size_t min_runs_for(const regression_rule& rule, std::size_t rule_count, double alpha) {
  const double level = alpha / static_cast<double>(std::max<std::size_t>(rule_count, 1));
  if (rule.statistic == "median") return stats::min_sample_size(level);
  if (rule.statistic == "mean") return 2;
  // Holm needs p < alpha / rules for the first rule: the interval at 1 - that level has ends.
  return stats::min_quantile_runs(rule.quantile(), std::sqrt(1 - level));
}

const regression_rule* first_unreachable(const std::vector<regression_rule>& rules, std::size_t baseline_n,
                                         std::size_t candidate_n, double alpha) {
  const auto found = std::find_if(rules.begin(), rules.end(), [&](const regression_rule& rule) {
    if (rule.statistic == "median") return !rules_can_reach(baseline_n, candidate_n, rules.size(), alpha);
    const std::size_t need = min_runs_for(rule, rules.size(), alpha);
    return baseline_n < need || candidate_n < need;
  });
  return found == rules.end() ? nullptr : &*found;
}

bool rules_can_reach(const std::vector<regression_rule>& rules, std::size_t baseline_n,
                     std::size_t candidate_n, double alpha) {
  return first_unreachable(rules, baseline_n, candidate_n, alpha) == nullptr;
}

}  // namespace perfcheck::gate
