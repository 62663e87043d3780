// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PROFILE: the profile of a failed test and its console lines.
#include "perfcheck/cli/profile_console.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "perfcheck/cli/served_test.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/run/profiling.hpp"

namespace perfcheck::cli {

namespace {

/// The level of a sweep to profile: the first whose own verdict failed or regressed, else (a
/// gate across levels failed: a complexity gate, a breaking point) the last, the largest.
std::optional<level> level_to_profile(const test_plan& plan, const run_result& result) {
  for (const auto& point : result.points)
    if (point.outcome == verdict::failed || point.outcome == verdict::regressed) return point.at;
  if (!plan.levels.empty()) return plan.levels.back();
  return std::nullopt;
}

}  // namespace

void profile_if_failed(const test_plan& plan, run_result& result, bool quiet) {
  if (plan.spec.profile.empty() || (result.outcome != verdict::failed && result.outcome != verdict::regressed)) return;
  profile_info info;
  const std::optional<level> at = level_to_profile(plan, result);
  // A concurrency level is profiled as it ran: a round of its copies at once (plan_at's copies).
  const test_plan level_plan = at ? plan_at(plan, *at) : plan;
  if (!quiet) {
    const std::string what = level_plan.copies > 0 ? fmt::format("one more round of {} copies", level_plan.copies)
                                                   : std::string("one more run");
    std::fputs(at ? fmt::format("note: the test failed; profiling {} at level {}\n", what, to_string(*at)).c_str()
                  : fmt::format("note: the test failed; profiling {}\n", what).c_str(),
               stderr);
  }
  const char* path = std::getenv("PATH");
  info = run::take_profile(served_spec(level_plan.spec), run::probe_profilers(path != nullptr ? path : "/usr/bin:/bin"),
                           level_plan.copies);
  if (at) info.level = to_string(*at);
  if (!info.not_measured.empty()) result.warnings.push_back(info.not_measured);
  for (const auto& w : info.warnings) result.warnings.push_back(w);
  result.profile = std::move(info);
}

std::string format_profile_lines(const run_result& result) {
  if (!result.profile || result.profile->files.empty()) return "";
  const profile_info& p = *result.profile;
  const bool differential = p.baseline_samples > 0;
  std::string out = fmt::format("  profile ({}, {} {}{}{}):\n", p.tool, p.samples, p.tool == "perf" ? "samples" : "instructions",
                                differential ? fmt::format(", baseline {}", p.baseline_samples) : std::string(),
                                p.level.empty() ? std::string() : ", level " + terminal_safe(p.level));
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
