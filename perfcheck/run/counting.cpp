// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/counting.hpp"

#include <fmt/format.h>

#include "perfcheck/exec/instruction_count.hpp"

namespace perfcheck::run {

bool counting_skipped(const run_spec& spec) {
  return !spec.count.empty() && (spec.count_source.empty() || spec.count_source == "none");
}

void note_counting(run_result& result, const run_spec& spec) {
  if (spec.count.empty()) return;
  result.metadata[count_source_key] = spec.count_source.empty() ? "none" : spec.count_source;
  if (spec.count_source == "none" || spec.count_source.empty()) return;
  result.metadata[count_setup_key] =
      "clean environment (PATH and the test's ENVIRONMENT only), address randomization off";
  if (spec.count_source == "valgrind") {
    result.warnings.push_back(
        "counted under valgrind: the wall, CPU and memory figures of these runs are valgrind's (~50x "
        "slower), not the command's; measure them in a test without COUNT");
    if (spec.limits.timeout_ns > 0 || spec.limits.cpu_time_ns > 0) {
      result.warnings.push_back(fmt::format(
          "counted under valgrind: the TIMEOUT and CPU_TIME limits of these runs are {}x the test's",
          exec::valgrind_time_allowance));
    }
  }
}

bool note_not_comparable(run_result& result, const regression_plan& plan) {
  if (plan.not_comparable.empty()) return false;
  result.reasons.push_back(plan.not_comparable);
  if (result.outcome == verdict::pass) result.outcome = verdict::inconclusive;
  return true;
}

void note_skipped_rules(run_result& result, const test_plan& plan) {
  if (!counting_skipped(plan.spec)) return;
  bool any = false;
  for (const auto& rule : plan.regressions) {
    if (rule.metric != "instructions") continue;
    any = true;
    result.reasons.push_back(fmt::format("{}: skipped, nothing on this machine counts instructions", rule.text));
  }
  if (any && result.outcome == verdict::pass) result.outcome = verdict::skipped;
}

}  // namespace perfcheck::run
