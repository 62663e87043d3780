// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Regression rules that a test's runs could never decide are refused before anything runs: a
// rule that cannot reach significance can never fail, so it would pass every session with only
// a warning.
#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/stats/compare.hpp"

namespace perfcheck::detail {
namespace {

// The alpha of each look when the test measures at most `max_runs` runs (runner.cpp splits the
// test's alpha evenly over planned_looks).
double look_alpha(const test_plan& plan, int max_runs) {
  run_schedule s = plan.schedule;
  s.max_runs = max_runs;
  s.min_runs = std::min(s.min_runs, max_runs);
  return plan.spec.alpha / static_cast<double>(planned_looks(s).size());
}

// The baseline runs the rules can have at most, with `candidate` candidate runs.
std::size_t baseline_runs(const test_plan& plan, std::size_t candidate) {
  return plan.baseline == baseline_kind::command ? candidate : history_baseline_runs;
}

// The fewest candidate runs with which `rule`, one of the plan's rules, can be decided at
// `alpha`; 0 when no number can (a quantile needs more baseline runs than a history pools).
std::size_t rule_need(const test_plan& plan, const gate::regression_rule& rule, double alpha) {
  const std::size_t k = plan.regressions.size();
  if (plan.baseline == baseline_kind::command) return gate::min_runs_for(rule, k, alpha);
  if (rule.statistic != "median") {
    const std::size_t need = gate::min_runs_for(rule, k, alpha);
    return need <= history_baseline_runs ? need : 0;
  }
  for (std::size_t n = 1; n <= static_cast<std::size_t>(max_run_count); ++n) {
    if (gate::rules_can_reach(history_baseline_runs, n, k, alpha)) return n;
  }
  return 0;
}

// The fewest maximum runs with which every rule can be decided (more runs add looks, and each
// look gets a smaller alpha, so this settles in a few rounds); 0 when no number can. A rule can
// be decided with n runs exactly when n >= its rule_need (the smallest p only falls with n).
int runs_needed(const test_plan& plan) {
  std::size_t n = static_cast<std::size_t>(plan.schedule.max_runs);
  while (n <= static_cast<std::size_t>(max_run_count)) {
    const double alpha = look_alpha(plan, static_cast<int>(n));
    std::size_t need = 0;
    for (const auto& rule : plan.regressions) {
      const std::size_t r = rule_need(plan, rule, alpha);
      if (r == 0) return 0;
      need = std::max(need, r);
    }
    if (need <= n) return static_cast<int>(n);
    n = need;
  }
  return 0;
}

// Why `rule` cannot be decided with `n` runs a side at `alpha`.
std::string why_not(const test_plan& plan, const gate::regression_rule& rule, std::size_t n, double alpha) {
  const std::size_t nb = baseline_runs(plan, n);
  const std::size_t k = plan.regressions.size();
  const std::string against = plan.baseline == baseline_kind::command
                                  ? "a baseline command of as many"
                                  : fmt::format("a history baseline of at most {} runs", nb);
  const std::string rules = k == 1 ? "" : fmt::format(" over {} rules", k);
  const double looks = plan.spec.alpha / alpha;  // the test's alpha is split over its looks
  const std::string level = looks < 1.5 ? fmt::format("{:.3g}", alpha)
                                        : fmt::format("{:.3g} (alpha {:.3g} split over {:.0f} looks)", alpha,
                                                      plan.spec.alpha, looks);
  if (rule.statistic == "median") {
    return fmt::format("{} candidate run{} against {} can never give p < {}{} (the smallest possible "
                       "p is {:.3g})", n, n == 1 ? "" : "s", against, level, rules,
                       std::min(1.0, stats::min_attainable_p(nb, n) * static_cast<double>(k)));
  }
  return fmt::format("an interval of the {} at alpha {}{} has both ends only from {} runs a side, and the "
                     "test has at most {} candidate run{} against {}", rule.statistic, level, rules,
                     gate::min_runs_for(rule, k, alpha), n, n == 1 ? "" : "s", against);
}

// The fix, in the words of where the spec came from.
std::string fix_for(const test_plan& plan, const spec_origin& origin, int need) {
  if (plan.soak == soak_mode::once) {
    return origin.flags ? "measure repeated runs (drop --duration once) or drop the rule"
                        : "measure repeated runs (drop DURATION ONCE) or drop the rule";
  }
  if (need == 0 && plan.baseline == baseline_kind::command) {
    return origin.flags ? "raise --alpha or drop the rule: no number of runs reaches it"
                        : "raise ALPHA or drop the rule: no number of runs reaches it";
  }
  if (need == 0) {
    return origin.flags ? "compare with a baseline command or file (--baseline command or file), or drop the rule"
                        : "compare with a baseline command or file (BASELINE command with BASELINE_COMMAND, or "
                          "BASELINE file with BASELINE_FILE), or drop the rule";
  }
  const int min = std::min(plan.schedule.min_runs, need);
  if (origin.flags) return fmt::format("raise the most runs to {} (--runs {}:{})", need, min, need);
  return fmt::format("raise the most runs to {} (RUNS {} {} in add_perf_test; \"runs\": {{\"max\": {}}} in a "
                     "spec file){}", need, min, need, need,
                     origin.rules_by_flag ? ", or give --runs with --regression" : "");
}

// The rules of `plan` (all of them apply at once, as at one level), checked.
void check_rule_set(const test_plan& plan, const spec_origin& origin, const std::string& where) {
  const auto n = static_cast<std::size_t>(plan.schedule.max_runs);
  const double alpha = look_alpha(plan, plan.schedule.max_runs);
  const gate::regression_rule* rule = gate::first_unreachable(plan.regressions, baseline_runs(plan, n), n, alpha);
  if (rule == nullptr) return;
  const bool flags = origin.flags || origin.rules_by_flag;
  const std::string place = flags ? fmt::format("--regression '{}'", rule->text)
                                  : fmt::format("{}: regression rule '{}'", where, rule->text);
  const int need = plan.soak == soak_mode::once ? 0 : runs_needed(plan);
  throw usage_error(fmt::format("{}: the rule can never be decided, so it could never fail: {}; {}", place,
                                why_not(plan, *rule, n, alpha), fix_for(plan, origin, need)));
}

}  // namespace

void check_rules_reachable(const test_plan& plan, const spec_origin& origin, const std::string& where) {
  if (plan.regressions.empty() || plan.baseline == baseline_kind::file || !plan.spec.concurrency.empty()) return;
  // The rules that hold at each level ('@' rules at their own level only, Holm over those): each
  // distinct set once, so a sweep of 1000 levels checks a few sets.
  std::set<std::vector<std::size_t>> sets;
  const auto applying = [&](const level* at) {
    std::vector<std::size_t> set;
    for (std::size_t i = 0; i < plan.regressions.size(); ++i) {
      const auto& r = plan.regressions[i];
      if (!r.level || (at != nullptr && level_matches(*r.level, *at))) set.push_back(i);
    }
    return set;
  };
  if (plan.levels.empty()) sets.insert(applying(nullptr));
  for (const auto& at : plan.levels) sets.insert(applying(&at));
  for (const auto& set : sets) {
    if (set.empty()) continue;
    test_plan rules = plan;
    rules.regressions.clear();
    for (const std::size_t i : set) rules.regressions.push_back(plan.regressions[i]);
    check_rule_set(rules, origin, where);
  }
}

}  // namespace perfcheck::detail
