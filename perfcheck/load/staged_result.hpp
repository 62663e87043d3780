// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A load run judged: its verdict from its gates and figures, and the stages of an open model in
// stages as the levels of the result (stage=1 ... stage=N), added the way a sweep adds its levels.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/load/load_report.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck::load {

/// Judges a load run, or one stage of it, in `result`, whose summaries are set: the thresholds
/// (gate::apply_verdict), a warning naming the failed requests by kind and one for dropped
/// starts, `error` when nothing was answered (naming `url`), and `inconclusive` for a pass whose
/// generator ran late (lag_problem).
void judge_load(run_result& result, const load_report& report, const std::vector<threshold_expr>& thresholds,
                const std::string& url);

/// A point of a load run `whole` in levels (a stage, a capacity step): its name, environment,
/// context, metadata and times, with the open-model figures of `report` (add_load_summaries).
run_result load_point(const run_result& whole, const load_report& report);

/// Makes `whole` (name, command, environment, context, metadata, times and the generator's usage
/// in summary set) the result of a run in stages: one point per report of `stages`, at level
/// stage=k (stage_level), with that stage's figures (add_load_summaries), judged (judge_load) on
/// the thresholds without '@' and those whose level names the stage, and added as a sweep adds
/// its levels (run::add_level_point: reasons and warnings prefixed "stage=k: ", outcomes marked
/// with the level, the worst of the stages' verdicts).
void add_stage_points(run_result& whole, const std::vector<load_report>& stages,
                      const std::vector<threshold_expr>& thresholds, const std::string& url);

/// Checks the '@level' of every threshold against a run of `stages` stages (0: a run without
/// stages), as a sweep checks its levels: `@stage=2` or `@2` names one of stage=1 ... stage=N.
/// Throws usage_error naming `origin`, the threshold and the fix.
void check_stage_levels(const std::vector<threshold_expr>& thresholds, std::size_t stages, std::string_view origin);

}  // namespace perfcheck::load
