// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Deciding regression rules: each rule's change and interval by its statistic, Holm's correction
// over the rules, the decision with its reason, and the runs an undecided one would need.
#include <algorithm>
#include <cmath>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/stats/compare.hpp"
#include "perfcheck/stats/compare_ratio.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::gate {
namespace {

std::string percent(double fraction) { return fmt::format("{:+.1f}%", fraction * 100); }

// The columns of one rule, checked: present on both sides, positive, and enough runs that the
// rule can be decided at all (min_runs_for, rules_can_reach).
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
  const std::size_t need = min_runs_for(rule, rule_count, alpha);
  const bool median = rule.statistic == "median";
  if (median ? !rules_can_reach(base.size(), cand.size(), rule_count, alpha)
             : base.size() < need || cand.size() < need) {
    const double reachable = base.empty() || cand.empty() ? 1.0 : stats::min_attainable_p(base.size(), cand.size());
    const std::string why = median ? fmt::format(" (smallest possible p = {:.3g})",
                                                 reachable * static_cast<double>(rule_count))
                                   : "";
    throw usage_error(fmt::format(
        "regression rule '{}': with {} baseline and {} candidate runs no change can ever be "
        "significant at alpha {} over {} rule(s){}; use at least {} runs on each side",
        rule.text, base.size(), cand.size(), alpha, rule_count, why, need));
  }
  return {&base, &cand};
}

// The log-scale widening of the interval by the between-session spread:
// Var(new session - pooled k sessions) adds sigma_b^2 (1 + 1/k).
double widening(const regression_options& options) {
  if (options.between_session_cv <= 0) return 0;
  const double k = static_cast<double>(std::max<std::size_t>(options.baseline_sessions, 1));
  const double z = boost::math::quantile(boost::math::normal(), 1 - options.alpha / 2);
  return z * options.between_session_cv * std::sqrt(1 + 1 / k);
}

// The change of the rule's statistic, its interval at 1 - alpha and the p-value of "change =
// null" (0 for a tolerance, the limit for a required speed-up).
stats::ratio_estimate change_of(const regression_rule& rule, const std::vector<double>& base,
                                const std::vector<double>& cand, double confidence) {
  const double null = std::min(rule.tolerance, 0.0);
  if (rule.statistic == "mean") return stats::mean_ratio(base, cand, confidence, null);
  if (rule.statistic != "median") {
    return stats::quantile_ratio(base, cand, rule.quantile(), confidence, null);
  }
  stats::ratio_estimate out;
  out.change = stats::relative_change(base, cand, confidence);
  // Mann-Whitney of "candidate = baseline (1 + null)": the baseline scaled to the null.
  std::vector<double> scaled(base);
  for (double& x : scaled) x *= 1 + null;
  out.p_value = stats::mann_whitney_u(scaled, cand).p_value;
  return out;
}

regression_outcome measure_rule(const regression_rule& rule, const std::vector<double>& base,
                                const std::vector<double>& cand, const regression_options& options) {
  regression_outcome o;
  o.rule = rule.text;
  o.metric = rule.metric;
  o.tolerance = rule.tolerance;
  o.baseline_n = base.size();
  o.candidate_n = cand.size();
  o.baseline_median = stats::median(base);
  o.candidate_median = stats::median(cand);
  const auto r = change_of(rule, base, cand, 1 - options.alpha);
  o.p_value = r.p_value;
  o.change = r.change.estimate;
  // The level asked for, which the interval reaches or exceeds; the coverage when it falls short.
  o.confidence = std::min(r.change.confidence, 1 - options.alpha);
  o.ci_low = r.change.low;
  o.ci_high = r.change.high;
  if (const double widen = widening(options); widen > 0) {
    o.ci_low = std::exp(std::log1p(o.ci_low) - widen) - 1;
    o.ci_high = std::exp(std::log1p(o.ci_high) + widen) - 1;
  }
  return o;
}

// "; about 48 runs would decide it (24 now)" or why no number of runs would.
std::string decide_hint(const regression_outcome& o, const regression_options& options, bool below_floor) {
  if (below_floor) return "; more runs alone cannot decide it (the tolerance is below the noise floor)";
  if (o.runs_to_decide == 0) {
    return "; more runs alone cannot decide it (the spread between the baseline's sessions, or "
           "the baseline's size, bounds the interval)";
  }
  return fmt::format("; about {} {}runs would decide it ({} now)", o.runs_to_decide,
                     options.paired ? "paired " : "", o.candidate_n);
}

// A required speed-up (limit < 0): met, not met, or not yet known.
void decide_speedup(regression_outcome& o, double limit, bool significant, const std::string& figures) {
  if (significant && o.ci_high < limit) {
    o.decision = verdict::pass;
    o.reason = fmt::format("{}: the required speed-up of {} is met: change {}", o.rule, percent(-limit), figures);
  } else if (significant && o.ci_low > limit) {
    o.decision = verdict::regressed;
    o.reason = fmt::format("{}: the required speed-up of {} is not met: change {}", o.rule,
                           percent(-limit), figures);
  } else {
    o.decision = verdict::inconclusive;
    o.reason = fmt::format("{}: cannot tell whether the change is below {}: {}", o.rule, percent(limit), figures);
  }
}

// Whether the calibrated noise floor holds for the rule: it is the machine's wall-time noise
// (perfcheck calibrate); an instruction count does not carry it (docs/instructions.md).
bool floored(const regression_outcome& o, double tol, const regression_options& options) {
  return options.noise_floor > 0 && tol < options.noise_floor && o.metric != "instructions";
}

// A tolerance (limit >= 0), once p_adjusted is set (see evaluate_regressions).
void decide_tolerance(regression_outcome& o, double tol, bool significant, const std::string& figures,
                      std::size_t rule_count, const regression_options& options) {
  if (floored(o, tol, options)) {
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

void decide(regression_outcome& o, double limit, std::size_t rule_count, const regression_options& options) {
  const bool significant = o.p_adjusted < options.alpha;
  const std::string figures = fmt::format("{} (interval {} … {}, p = {:.2g})", percent(o.change),
                                          percent(o.ci_low), percent(o.ci_high), o.p_adjusted);
  if (limit < 0) {
    decide_speedup(o, limit, significant, figures);
  } else {
    decide_tolerance(o, limit, significant, figures, rule_count, options);
  }
  if (o.possible_regression()) {
    const bool floor = limit >= 0 && floored(o, limit, options);
    o.runs_to_decide = floor ? 0 : runs_to_decide(o, options);
    o.reason = "possible regression: " + o.reason + decide_hint(o, options, floor);
  }
}

}  // namespace

std::size_t runs_to_decide(const regression_outcome& o, const regression_options& options) {
  const double nb = static_cast<double>(o.baseline_n), nc = static_cast<double>(o.candidate_n);
  if (nb == 0 || nc == 0 || o.change <= o.tolerance) return 0;
  const double w = widening(options);
  const double h = (std::log1p(o.ci_high) - std::log1p(o.ci_low)) / 2 - w;  // within-sample half-width
  const double d = std::log1p(o.change) - std::log1p(o.tolerance);
  if (!(h > 0) || d <= w) return 0;
  const double r2 = std::pow((d - w) / h, 2) * (1 / nb + 1 / nc);  // allowed 1/n_b + 1/n_c
  const double n = options.paired ? 2 / r2 : 1 / (r2 - 1 / nb);
  if (!options.paired && r2 <= 1 / nb) return 0;
  if (!(n < 1e9)) return 0;
  return std::max<std::size_t>(static_cast<std::size_t>(std::ceil(n)), o.candidate_n + 1);
}

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
