// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A parameter sweep: every level of a plan measured as its own point, the levels interleaved
// round by round in a seeded random order, so that a drifting machine does not bias one level.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/baseline.hpp"
#include "perfcheck/run/hooks.hpp"
#include "perfcheck/run/runner.hpp"

namespace perfcheck::run {

/// What one level needs to run: its command's executor and, with regression rules, the
/// regression plan of the level (its own baseline executor).
struct prepared_level {
  std::unique_ptr<exec::executor> executor;
  std::optional<prepared_regression> regression;
};

/// Makes a level's resources from the level's plan (plan_at). Called when a level first runs,
/// and again when the level's processes were closed to make room for others.
using level_factory = std::function<prepared_level(const test_plan& level_plan)>;

/// The most levels whose executors (launcher processes) stay open at once; a larger sweep
/// closes the least recently run level's and reopens it when that level's turn comes again.
inline constexpr std::size_t max_open_levels = 16;

/// Measures every level of `plan` (plan.levels non-empty). Each round visits every level not
/// yet done once, in an order shuffled by the seed (spec.seed, or a random one, recorded as
/// point_seed); a visit is one warm-up or measured run of that level, which follows the plan's
/// schedule, looks and limits as a test of its own. The result has one point per level (in
/// plan order), point_order, every level's threshold outcomes and findings marked with its
/// level, its reasons prefixed with it, and the worst of the levels' verdicts; then the gates
/// across levels (plan.complexity, plan.breaking_points) are evaluated (apply_series_gates).
/// options.regression is ignored: each level's comes from `make`. With `hooks`, every level
/// runs its own SETUP (made from the level's spec) before its first run and its CLEANUP after
/// its last, also when the sweep stops on an error; a CLEANUP that fails makes its level an
/// error. Without, the caller runs once-per-test hooks around the sweep (hooks_per_level).
run_result run_sweep(const test_plan& plan, const level_factory& make, const runner_options& options,
                     const hook_factory* hooks = nullptr);

/// Adds one level's result `point` to a sweep's result, as run_sweep does for each level: the
/// first point (`first`) gives the name, environment (and its machine warnings), limits, context,
/// start time and baseline; every point its runs, summaries and trends as the point at `at`, its
/// reasons and warnings prefixed with the level ("n=500: ..."), its threshold outcomes and findings
/// marked with it, its metadata, and its verdict to the worst of the levels'. Also what gives
/// the stages of a load run (perfcheck/load/staged_result) their levels.
void add_level_point(run_result& sweep, run_result point, const level& at, bool first);

/// The verdict of a sweep from its levels': error, else failed, else regressed, else
/// inconclusive, else improved, else pass.
verdict worst_of(verdict a, verdict b);

}  // namespace perfcheck::run
