// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/regression_rule.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/stats/compare.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::gate {
namespace {

constexpr const char* rule_form =
    "Regression rules are written '<metric>.median +<tolerance>%', e.g. 'wall.median +5%', "
    "'cpu.median +10%', 'rss.median +2%'";

[[noreturn]] void bad(std::string_view text, std::string_view problem) {
  throw usage_error(fmt::format("bad regression rule '{}': {}. {}", text, problem, rule_form));
}

std::string percent(double fraction) { return fmt::format("{:+.1f}%", fraction * 100); }

}  // namespace

regression_rule parse_regression_rule(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  regression_rule rule;
  rule.text = std::string(s);
  const auto space = s.find_first_of(" \t+");
  if (space == std::string_view::npos) bad(text, "the tolerance is missing");
  const std::string_view subject = s.substr(0, space);
  std::string_view rest = s.substr(space);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  const auto dot = subject.rfind('.');
  if (dot == std::string_view::npos) bad(text, fmt::format("'{}' has no statistic; write '{}.median'", subject, subject));
  rule.metric = std::string(subject.substr(0, dot));
  const std::string_view statistic = subject.substr(dot + 1);
  if (statistic != "median") {
    bad(text, fmt::format("'{}': rules compare the median (the Hodges-Lehmann shift of the "
                          "whole sample), write '{}.median'", statistic, rule.metric));
  }
  if (rule.metric.empty() || !std::all_of(rule.metric.begin(), rule.metric.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      })) {
    bad(text, fmt::format("'{}' is not a metric name", rule.metric));
  }
  if (!rest.starts_with("+")) bad(text, "the tolerance must start with '+', e.g. +5%");
  rest.remove_prefix(1);
  if (!rest.ends_with("%")) bad(text, "the tolerance must end with '%', e.g. +5%");
  rest.remove_suffix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc{} || ptr != rest.data() + rest.size() || !std::isfinite(value)) {
    bad(text, fmt::format("'{}' is not a number", rest));
  }
  if (value < 0 || value > 1000) bad(text, "the tolerance must be from 0% to 1000%");
  rule.tolerance = value / 100;
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

namespace {

// The columns of one rule, checked: present on both sides, positive, and enough runs that Holm's
// correction over `rule_count` rules can ever get below alpha.
std::pair<const std::vector<double>*, const std::vector<double>*> columns_of(
    const regression_rule& rule, const std::map<std::string, std::vector<double>>& baseline,
    const std::map<std::string, std::vector<double>>& candidate, std::size_t rule_count, double alpha) {
  const auto b = baseline.find(rule.metric);
  const auto c = candidate.find(rule.metric);
  if (b == baseline.end() || c == candidate.end()) {
    throw usage_error(fmt::format("regression rule '{}': metric '{}' is not measured; rules take "
                                  "metrics such as wall, user, sys, cpu, rss", rule.text, rule.metric));
  }
  const auto& base = b->second;
  const auto& cand = c->second;
  const auto positive = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
  };
  if (!positive(base) || !positive(cand)) {
    throw usage_error(fmt::format("regression rule '{}': {} has zero or negative values; a "
                                  "relative change needs positive figures", rule.text, rule.metric));
  }
  if (!rules_can_reach(base.size(), cand.size(), rule_count, alpha)) {
    const double rules_n = static_cast<double>(rule_count);
    const double reachable = base.empty() || cand.empty() ? 1.0 : stats::min_attainable_p(base.size(), cand.size());
    throw usage_error(fmt::format(
        "regression rule '{}': with {} baseline and {} candidate runs no change can ever be "
        "significant at alpha {} over {} rule(s) (smallest possible p = {:.3g}); use at least {} "
        "runs on each side",
        rule.text, base.size(), cand.size(), alpha, rule_count, reachable * rules_n,
        stats::min_sample_size(alpha / rules_n)));
  }
  return {&base, &cand};
}

// The figures of one rule before Holm's correction: medians, the two-sided Mann-Whitney p, and
// the Hodges-Lehmann relative shift with its interval, widened by the between-session spread.
regression_outcome measure_rule(const regression_rule& rule, const std::vector<double>& base,
                                const std::vector<double>& cand, const regression_options& options) {
  regression_outcome o;
  o.rule = rule.text;
  o.metric = rule.metric;
  o.baseline_n = base.size();
  o.candidate_n = cand.size();
  o.baseline_median = stats::median(base);
  o.candidate_median = stats::median(cand);
  o.p_value = stats::mann_whitney_u(base, cand).p_value;
  const auto shift = stats::relative_change(base, cand, 1 - options.alpha);
  o.change = shift.estimate;
  o.ci_low = shift.low;
  o.ci_high = shift.high;
  if (options.between_session_cv > 0) {
    // Var(new session - pooled k sessions) adds sigma_b^2 (1 + 1/k) on the log scale.
    const double k = static_cast<double>(std::max<std::size_t>(options.baseline_sessions, 1));
    const double z = boost::math::quantile(boost::math::normal(), 1 - options.alpha / 2);
    const double widen = z * options.between_session_cv * std::sqrt(1 + 1 / k);
    o.ci_low = std::exp(std::log1p(o.ci_low) - widen) - 1;
    o.ci_high = std::exp(std::log1p(o.ci_high) + widen) - 1;
  }
  return o;
}

// The decision and its reason, once p_adjusted is set (see evaluate_regressions).
void decide(regression_outcome& o, double tol, std::size_t rule_count, const regression_options& options) {
  const bool significant = o.p_adjusted < options.alpha;
  const std::string figures = fmt::format("{} (interval {} … {}, p = {:.2g})", percent(o.change),
                                          percent(o.ci_low), percent(o.ci_high), o.p_adjusted);
  if (options.noise_floor > 0 && tol < options.noise_floor) {
    o.decision = verdict::inconclusive;
    o.reason = fmt::format("{}: the tolerance {} is below this machine's calibrated noise floor "
                           "{}; change {}", o.rule, percent(tol), percent(options.noise_floor), figures);
  } else if (significant && o.ci_low > tol) {
    o.decision = verdict::regressed;
    o.reason = fmt::format("{}: slower by {}", o.rule, figures);
  } else if (significant && o.ci_high < -tol) {
    o.decision = verdict::improved;
    o.reason = fmt::format("{}: faster by {}", o.rule, figures);
  } else if (o.ci_high <= tol) {
    o.decision = verdict::pass;
    o.reason = fmt::format("{}: change {}", o.rule, figures);
  } else if (!significant && o.ci_low > tol) {
    o.decision = verdict::inconclusive;
    o.reason = fmt::format("{}: the change looks beyond {} but is not significant at alpha {} "
                           "after Holm's correction over {} rule(s): {}", o.rule, percent(tol),
                           options.alpha, rule_count, figures);
  } else {
    o.decision = verdict::inconclusive;
    o.reason = fmt::format("{}: cannot tell whether the change exceeds {}: {}", o.rule,
                           percent(tol), figures);
  }
}

}  // namespace

std::vector<regression_outcome> evaluate_regressions(
    const std::vector<regression_rule>& rules,
    const std::map<std::string, std::vector<double>>& baseline,
    const std::map<std::string, std::vector<double>>& candidate, const regression_options& options) {
  std::vector<regression_outcome> out;
  std::vector<double> p_values;
  for (const auto& rule : rules) {
    const auto [base, cand] = columns_of(rule, baseline, candidate, rules.size(), options.alpha);
    out.push_back(measure_rule(rule, *base, *cand, options));
    p_values.push_back(out.back().p_value);
  }
  const auto adjusted = stats::holm_adjust(p_values);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].p_adjusted = adjusted[i];
    decide(out[i], rules[i].tolerance, out.size(), options);
  }
  return out;
}

verdict combine(const std::vector<regression_outcome>& outcomes) {
  auto any = [&](verdict v) {
    return std::any_of(outcomes.begin(), outcomes.end(), [&](const auto& o) { return o.decision == v; });
  };
  if (any(verdict::regressed)) return verdict::regressed;
  if (any(verdict::inconclusive)) return verdict::inconclusive;
  if (any(verdict::improved)) return verdict::improved;
  return verdict::pass;
}

}  // namespace perfcheck::gate
