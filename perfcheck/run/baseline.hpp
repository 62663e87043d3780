// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Choosing what a test's regression rules compare against: the history, a reviewed
// baseline file, or a baseline command run interleaved with the candidate.
#pragma once

#include <functional>
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

/// Where the default branch comes from: the branch every other branch is compared with.
inline constexpr const char* default_branch_variable = "PERFCHECK_DEFAULT_BRANCH";
/// The commit where the result's branch left the default branch (`git merge-base`), when known.
inline constexpr const char* merge_base_variable = "PERFCHECK_GIT_MERGE_BASE";

/// The history baseline of a result of test `name` measured in `context`, for `metric`: the
/// accepted results of its series (same test, spec hash and machine); on a branch other than the
/// default ($PERFCHECK_DEFAULT_BRANCH, else "main"), the default branch's, cut at
/// $PERFCHECK_GIT_MERGE_BASE when that merge base is the result's branch's ($PERFCHECK_GIT_BRANCH
/// unset or naming the result's branch). The gate and the reports both ask with it, so a report's
/// "Change vs baseline" compares with what the gate compared with.
store::baseline_query history_baseline_query(const std::string& name, const run_context& context,
                                             const std::string& metric, std::size_t sample_cap);

/// Builds the regression plan of a compiled test; nullopt when it has no regression rules.
/// - history: the most recent accepted results of the current baseline epoch in `history`
///   (same test, spec hash and machine). On the default branch ($PERFCHECK_DEFAULT_BRANCH, else
///   "main") or an unknown one, the branch's own; on any other branch, the default branch's at
///   or before $PERFCHECK_GIT_MERGE_BASE (when a result of that commit is stored). Pooled up to
///   `sample_cap` runs; the spread of their medians between sessions widens the interval.
///   Without a history, or without comparable results, the plan has no baseline values and
///   run_test warns instead of deciding.
/// - file: the baseline file's entry for the test; a missing entry warns likewise, a
///   different spec hash is a usage_error (the file was accepted for another command).
/// - command: the baseline command as a second process in the same working directory and
///   environment, run interleaved.
/// With COUNT, `count_hash` gives the test's spec hash had another source counted ("perf",
/// "valgrind"): a history or file baseline of the test counted by another source is then not
/// compared but named in plan.not_comparable (never compared silently, docs/instructions.md).
std::optional<prepared_regression> prepare_regression(const test_plan& test,
                                                      const run_context& context,
                                                      store::history_store* history,
                                                      std::size_t sample_cap = 200,
                                                      const std::function<std::string(const std::string&)>* count_hash = nullptr);

}  // namespace perfcheck::run
