// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/comparison.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::gate {
namespace {

// The levels of one test on one side, in the side's order.
using test_levels = std::vector<const comparison_input*>;

// Inputs grouped by test name; a level given twice keeps its first place and the later input.
std::map<std::string, test_levels> by_name(const std::vector<comparison_input>& inputs) {
  std::map<std::string, test_levels> out;
  for (const auto& input : inputs) {
    auto& levels = out[input.name];
    const auto same = std::find_if(levels.begin(), levels.end(),
                                   [&](const comparison_input* kept) { return kept->at == input.at; });
    if (same == levels.end()) {
      levels.push_back(&input);
    } else {
      *same = &input;
    }
  }
  return out;
}

const comparison_input* level_in(const test_levels& levels, const std::string& at) {
  const auto found = std::find_if(levels.begin(), levels.end(),
                                  [&](const comparison_input* input) { return input->at == at; });
  return found == levels.end() ? nullptr : *found;
}

// A side whose test never started (a sweep that failed before its first level): one input
// without a level, carrying the problem. It stands for every level of the other side.
const comparison_input* never_started(const test_levels& levels) {
  return levels.size() == 1 && levels[0]->at.empty() && !levels[0]->problem.empty() ? levels[0] : nullptr;
}

// `failed` in the place of the other side's `level`.
comparison_input at_level(const comparison_input& failed, const comparison_input& level) {
  comparison_input out = failed;
  out.at = level.at;
  return out;
}

std::string metric_list(const std::map<std::string, std::vector<double>>& columns) {
  std::string out;
  for (const auto& [metric, values] : columns) out += fmt::format("{}{}", out.empty() ? "" : ", ", metric);
  return out.empty() ? std::string("no metric") : out;
}

// A row for a rule that could not be decided, with whatever figures exist.
comparison_row undecided(const std::string& name, const regression_rule& rule,
                         const comparison_input& base, const comparison_input& cand, verdict decision,
                         std::string reason) {
  comparison_row row;
  row.name = name;
  row.finding.at = base.at;
  row.finding.rule = rule.text;
  row.finding.metric = rule.metric;
  row.finding.decision = decision;
  row.finding.reason = std::move(reason);
  if (const auto b = base.columns.find(rule.metric); b != base.columns.end()) {
    row.finding.baseline_n = b->second.size();
    row.finding.baseline_median = stats::median(b->second);
  }
  if (const auto c = cand.columns.find(rule.metric); c != cand.columns.end()) {
    row.finding.candidate_n = c->second.size();
    row.finding.candidate_median = stats::median(c->second);
  }
  return row;
}

void compare_one(const std::string& name, const comparison_input& base, const comparison_input& cand,
                 const std::vector<regression_rule>& rules, const regression_options& options,
                 std::vector<comparison_row>& rows) {
  if (!base.problem.empty() || !cand.problem.empty()) {
    const std::string reason =
        !cand.problem.empty() ? fmt::format("the candidate's measurement failed ({}): {}", cand.origin, cand.problem)
                              : fmt::format("the baseline's measurement failed ({}): {}", base.origin, base.problem);
    for (const auto& rule : rules) rows.push_back(undecided(name, rule, base, cand, verdict::error, reason));
    return;
  }
  // Rules that cannot be evaluated on their own are set aside, so Holm's correction runs over
  // the rules that can be decided.
  std::vector<regression_rule> usable;
  std::vector<std::string> problems(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (const auto* side = !base.columns.contains(rules[i].metric)   ? &base
                           : !cand.columns.contains(rules[i].metric) ? &cand
                                                                      : nullptr) {
      problems[i] = fmt::format("{}: metric '{}' is not measured in {} (it has {}); use a rule on one of those",
                                rules[i].text, rules[i].metric, side->origin, metric_list(side->columns));
      continue;
    }
    try {
      evaluate_regressions({rules[i]}, base.columns, cand.columns, options);
      usable.push_back(rules[i]);
    } catch (const usage_error& e) {
      problems[i] = e.what();
    }
  }
  const auto findings = evaluate_regressions(usable, base.columns, cand.columns, options);
  std::size_t next = 0;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!problems[i].empty()) {
      rows.push_back(undecided(name, rules[i], base, cand, verdict::inconclusive, problems[i]));
      continue;
    }
    comparison_row row;
    row.name = name;
    row.finding = findings[next++];
    row.finding.at = base.at;
    row.evaluated = true;
    rows.push_back(std::move(row));
  }
}

boost::json::value number_or_null(bool known, double value) {
  return known ? boost::json::value(value) : boost::json::value(nullptr);
}

boost::json::array levels_to_json(const std::vector<test_level>& levels) {
  boost::json::array out;
  for (const auto& l : levels) out.push_back({{"name", l.name}, {"at", l.at}});
  return out;
}

}  // namespace

std::string level_label(const std::string& name, const std::string& at) {
  return at.empty() ? name : fmt::format("{} @ {}", name, at);
}

bool comparison_report::any_regressed() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const comparison_row& r) { return r.finding.decision == verdict::regressed; });
}

std::map<verdict, std::size_t> comparison_report::counts() const {
  std::map<verdict, std::size_t> out;
  for (const auto& row : rows) ++out[row.finding.decision];
  return out;
}

comparison_report compare_tests(const std::vector<comparison_input>& baseline,
                                const std::vector<comparison_input>& candidate,
                                const std::vector<regression_rule>& rules,
                                const regression_options& options) {
  comparison_report report;
  report.alpha = options.alpha;
  for (const auto& rule : rules) report.rules.push_back(rule.text);
  const auto base = by_name(baseline);
  const auto cand = by_name(candidate);
  for (const auto& [name, base_levels] : base) {
    const auto c = cand.find(name);
    if (c == cand.end()) {
      report.only_baseline.push_back(name);
      continue;
    }
    if (const comparison_input* failed = never_started(c->second)) {  // every baseline level is in error
      for (const comparison_input* level : base_levels) compare_one(name, *level, at_level(*failed, *level), rules, options, report.rows);
      continue;
    }
    if (const comparison_input* failed = never_started(base_levels)) {
      for (const comparison_input* level : c->second) compare_one(name, at_level(*failed, *level), *level, rules, options, report.rows);
      continue;
    }
    for (const comparison_input* level : c->second) {
      if (const comparison_input* b = level_in(base_levels, level->at)) {
        compare_one(name, *b, *level, rules, options, report.rows);
      } else {
        report.only_candidate_levels.push_back({name, level->at});
      }
    }
    for (const comparison_input* level : base_levels) {
      if (level_in(c->second, level->at) == nullptr) report.only_baseline_levels.push_back({name, level->at});
    }
  }
  for (const auto& [name, c] : cand) {
    if (!base.contains(name)) report.only_candidate.push_back(name);
  }
  return report;
}

boost::json::value comparison_to_json(const comparison_report& report) {
  boost::json::array rows;
  for (const auto& row : report.rows) {
    const auto& f = row.finding;
    const bool e = row.evaluated;
    boost::json::object o{{"name", row.name},
                          {"rule", f.rule},
                          {"metric", f.metric},
                          {"baseline_n", f.baseline_n},
                          {"candidate_n", f.candidate_n},
                          {"baseline_median", number_or_null(f.baseline_n > 0, f.baseline_median)},
                          {"candidate_median", number_or_null(f.candidate_n > 0, f.candidate_median)},
                          {"change", number_or_null(e, f.change)},
                          {"ci_low", number_or_null(e, f.ci_low)},
                          {"ci_high", number_or_null(e, f.ci_high)},
                          {"p_value", number_or_null(e, f.p_value)},
                          {"p_adjusted", number_or_null(e, f.p_adjusted)},
                          {"verdict", to_string(f.decision)},
                          {"reason", f.reason}};
    if (!f.at.empty()) o["at"] = f.at;
    rows.push_back(std::move(o));
  }
  return {{"schema", compare_schema},
          {"alpha", report.alpha},
          {"rules", boost::json::value_from(report.rules)},
          {"comparisons", std::move(rows)},
          {"only_baseline", boost::json::value_from(report.only_baseline)},
          {"only_candidate", boost::json::value_from(report.only_candidate)},
          {"only_baseline_levels", levels_to_json(report.only_baseline_levels)},
          {"only_candidate_levels", levels_to_json(report.only_candidate_levels)}};
}

}  // namespace perfcheck::gate
