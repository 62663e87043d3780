// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// From measurements to one verdict with reasons.
#pragma once

#include <vector>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/model/result.hpp"

namespace perfcheck::gate {

/// Parses every threshold of a spec; the first bad one throws usage_error prefixed with
/// `origin` (the spec file or "--threshold"). `reported`: the declared names of metrics the
/// command reports (docs/metrics.md), which thresholds may name besides the built-in ones.
std::vector<threshold_expr> parse_thresholds(const std::vector<std::string>& texts,
                                             std::string_view origin,
                                             const std::vector<std::string>& reported = {});

/// Sets result.outcome, result.reasons and result.thresholds from the measured runs and
/// summaries already in `result`:
/// - a measured or warm-up run that exited non-zero or crashed gives `error` (unless
///   `allow_failures`), with one reason per failed run ("run 3 was killed by SIGSEGV");
/// - otherwise a run stopped by a limit (result.limits) or a threshold that does not hold
///   gives `failed`, one reason per limited run ("run 3 exceeded MEMORY 256 MiB (tree at
///   262 MiB when stopped)") and per threshold;
/// - otherwise, when a threshold on instructions could not be measured because nothing counts
///   (result.metadata "instructions.source" is "none"), `skipped`, its reason saying so;
/// - otherwise `pass`.
/// Thresholds are evaluated in every case, so the result shows them all. With
/// `limits_are_errors` and `allow_failures` (the copies of a concurrency level), a run stopped
/// by a limit is an error that errors.count and errors.rate gate, not a reason by itself.
void apply_verdict(run_result& result, const std::vector<threshold_expr>& thresholds,
                   bool allow_failures, bool limits_are_errors = false);

/// "exceeded MEMORY 256 MiB (tree at 262 MiB when stopped)", "exceeded TIMEOUT 2 s": what
/// stopped a run, with the limit from `limits`; empty when no limit stopped it.
std::string describe_limit(const run_sample& sample, const resource_limits& limits);

/// "exited with code 2" or "was killed by SIGSEGV"; empty for a successful run.
std::string describe_failure(const run_sample& sample);

}  // namespace perfcheck::gate
