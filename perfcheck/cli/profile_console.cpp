// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PROFILE: the profile of a failed test and its console lines.
#include "perfcheck/cli/profile_console.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "perfcheck/cli/served_test.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/run/profiling.hpp"

namespace perfcheck::cli {

void profile_if_failed(const test_plan& plan, run_result& result, bool quiet) {
  if (plan.spec.profile.empty() || (result.outcome != verdict::failed && result.outcome != verdict::regressed)) return;
  profile_info info;
  if (!plan.levels.empty()) {
    info.not_measured = "no profile: PROFILE profiles a test without levels; a sweep's levels are not profiled";
  } else {
    if (!quiet) std::fputs("note: the test failed; profiling one more run\n", stderr);
    const char* path = std::getenv("PATH");
    info = run::take_profile(served_spec(plan.spec), run::probe_profilers(path != nullptr ? path : "/usr/bin:/bin"));
  }
  if (!info.not_measured.empty()) result.warnings.push_back(info.not_measured);
  for (const auto& w : info.warnings) result.warnings.push_back(w);
  result.profile = std::move(info);
}

std::string format_profile_lines(const run_result& result) {
  if (!result.profile || result.profile->files.empty()) return "";
  const profile_info& p = *result.profile;
  const bool differential = p.baseline_samples > 0;
  std::string out = fmt::format("  profile ({}, {} {}{}):\n", p.tool, p.samples, p.tool == "perf" ? "samples" : "instructions",
                                differential ? fmt::format(", baseline {}", p.baseline_samples) : std::string());
  for (const auto& file : p.files) out += fmt::format("    {}\n", terminal_safe(file));
  const std::size_t shown = std::min<std::size_t>(p.rows.size(), 5);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& row = p.rows[i];
    out += differential ? fmt::format("    {:+6.1f} points  {:5.1f}% (baseline {:4.1f}%)  {}\n", 100 * (row.candidate - row.baseline),
                                      100 * row.candidate, 100 * row.baseline, terminal_safe(row.function))
                        : fmt::format("    {:5.1f}%  {}\n", 100 * row.candidate, terminal_safe(row.function));
  }
  return out;
}

}  // namespace perfcheck::cli
