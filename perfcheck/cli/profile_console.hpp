// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PROFILE on the console: taking the profile of a failed test, and the lines that say where it
// is and which functions grew (docs/profiles.md).
#pragma once

#include <string>

#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck::cli {

/// When the test asks for a profile and `result` failed or regressed: profiles it (run's
/// take_profile on the served spec) into result.profile, and what was not profiled into its
/// warnings. A passing test is left alone: it pays nothing.
void profile_if_failed(const test_plan& plan, run_result& result, bool quiet);

/// The console lines of a result's profile: its files and its table's first rows; "" without one.
std::string format_profile_lines(const run_result& result);

}  // namespace perfcheck::cli
