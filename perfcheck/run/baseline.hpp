// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Choosing what a test's regression rules compare against: the history, a reviewed
// baseline file, or a baseline command run interleaved with the candidate.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/run/runner.hpp"
#include "perfcheck/store/history_store.hpp"

namespace perfcheck::run {

/// A regression plan for run_test and the baseline executor it points at.
struct prepared_regression {
  regression_plan plan;
  std::unique_ptr<exec::executor> baseline_executor;  ///< set for the "command" kind
};

/// Where the default branch comes from for the history baseline's fallback.
inline constexpr const char* default_branch_variable = "PERFCHECK_DEFAULT_BRANCH";

/// Builds the regression plan of a compiled test; nullopt when it has no regression rules.
/// - history: the most recent comparable results in `history` (same test, spec hash and
///   machine; the context's branch, else $PERFCHECK_DEFAULT_BRANCH or "main"), pooled up to
///   `sample_cap` runs; the spread of their medians between sessions widens the interval.
///   Without a history, or without comparable results, the plan has no baseline values and
///   run_test warns instead of deciding.
/// - file: the baseline file's entry for the test; a missing entry warns likewise, a
///   different spec hash is a usage_error (the file was accepted for another command).
/// - command: the baseline command as a second process in the same working directory and
///   environment, run interleaved.
std::optional<prepared_regression> prepare_regression(const test_plan& test,
                                                      const run_context& context,
                                                      store::history_store* history,
                                                      std::size_t sample_cap = 200);

}  // namespace perfcheck::run
