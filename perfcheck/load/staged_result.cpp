// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/load/staged_result.hpp"

#include <fmt/format.h>

#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/load/load_result.hpp"
#include "perfcheck/load/load_stages.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/run/sweep.hpp"

namespace perfcheck::load {

void judge_load(run_result& result, const load_report& report, const std::vector<threshold_expr>& thresholds,
                const std::string& url) {
  gate::apply_verdict(result, thresholds, false);
  const std::string errors = describe_errors(report);
  if (!errors.empty()) result.warnings.push_back(fmt::format("failed requests: {}", errors));
  if (report.dropped > 0) {
    result.warnings.push_back(fmt::format("{} starts dropped: no connection was free in time; give more --connections",
                                          report.dropped));
  }
  if (report.responses == 0) {
    result.outcome = verdict::error;
    result.reasons.push_back(fmt::format("no response from {} ({}); is the server running?", url,
                                         errors.empty() ? "nothing was sent" : errors));
  } else if (const auto lag = lag_problem(report, thresholds); !lag.empty() && result.outcome == verdict::pass) {
    result.outcome = verdict::inconclusive;
    result.reasons.push_back(lag);
  }
}

run_result load_point(const run_result& whole, const load_report& report) {
  run_result point;
  point.name = whole.name;
  point.environment = whole.environment;
  point.context = whole.context;
  point.metadata = whole.metadata;
  point.started_at = whole.started_at;
  point.finished_at = whole.finished_at;
  add_load_summaries(point, report, true);
  return point;
}

void add_stage_points(run_result& whole, const std::vector<load_report>& stages,
                      const std::vector<threshold_expr>& thresholds, const std::string& url) {
  run_result staged;
  for (std::size_t k = 0; k < stages.size(); ++k) {
    const level at = stage_level(k);
    run_result point = load_point(whole, stages[k]);
    std::vector<threshold_expr> gates;
    for (const auto& t : thresholds) {
      if (!t.level || level_matches(*t.level, at)) gates.push_back(t);
    }
    judge_load(point, stages[k], gates, url);
    run::add_level_point(staged, std::move(point), at, k == 0);
  }
  staged.command = std::move(whole.command);
  staged.summary = std::move(whole.summary);  // the generator's own cost, over the whole run
  whole = std::move(staged);
}

void check_stage_levels(const std::vector<threshold_expr>& thresholds, std::size_t stages, std::string_view origin) {
  parameter stage{"stage", {}};
  for (std::size_t k = 1; k <= stages; ++k) stage.values.push_back(std::to_string(k));
  for (const auto& t : thresholds) {
    if (!t.level) continue;
    if (stages == 0) {
      throw usage_error(fmt::format("{} '{}': a run without stages measures one point; give --stages (e.g. "
                                    "'10s:50/s 5s:1000/s 30s:50/s', each stage a level stage=1, stage=2 ...) or "
                                    "write the threshold without '@{}'",
                                    origin, t.text, *t.level));
    }
    if (const auto problem = level_problem(*t.level, {stage}); !problem.empty()) {
      throw usage_error(fmt::format("{} '{}': {}", origin, t.text, problem));
    }
  }
}

}  // namespace perfcheck::load
