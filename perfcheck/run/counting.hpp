// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What COUNT instructions adds to a test's result: the source that counted, what was done for
// steady counts, the note that wall times under valgrind are not the command's, and the gates
// skipped where nothing can count (docs/instructions.md).
#pragma once

#include <string>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/runner.hpp"

namespace perfcheck::run {

/// The metadata key of the source that counted: "perf", "valgrind" or "none".
inline constexpr const char* count_source_key = "instructions.source";
/// The metadata key of what perfcheck did to make the counted runs steady.
inline constexpr const char* count_setup_key = "instructions.setup";

/// Whether `spec` counts (COUNT) but nothing on this machine can (count_source "none").
bool counting_skipped(const run_spec& spec);

/// With COUNT: records the source and the set-up in result.metadata; under valgrind, a warning
/// that the wall, CPU and memory figures are valgrind's, not the command's. Nothing otherwise.
void note_counting(run_result& result, const run_spec& spec);

/// When the baseline cannot be compared at all (plan.not_comparable: counted by another source):
/// its reason joins result.reasons, a `pass` becomes `inconclusive`, and true is returned.
bool note_not_comparable(run_result& result, const regression_plan& plan);

/// With counting skipped: each regression rule of `plan` on instructions is named in
/// result.reasons as skipped, and a `pass` becomes `skipped` (never a pass). Nothing otherwise.
void note_skipped_rules(run_result& result, const test_plan& plan);

}  // namespace perfcheck::run
