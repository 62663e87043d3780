// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The gates of a test that counts instructions (COUNT), checked when its plan is compiled.
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck::detail {
namespace {

// The figures of a counted run that the counter changes: under valgrind a run takes ~50x the
// time and more memory. With hardware counters they would be sound, but a gate must mean the
// same on every machine, and the source is chosen per machine (docs/instructions.md).
constexpr std::array<std::string_view, 7> counter_bent = {"wall", "user", "sys", "cpu", "cpu.util", "rss", "rss_tree"};

bool bent(std::string_view metric) {
  for (const auto m : counter_bent)
    if (metric == m) return true;
  return false;
}

std::string at(const std::string& where, std::string_view gate) {
  return where.empty() ? fmt::format("'{}'", gate) : fmt::format("{}: '{}'", where, gate);
}

void check(const test_plan& plan, const std::string& where, std::string_view metric, std::string_view gate) {
  if (plan.spec.count.empty()) {
    if (metric == "instructions") {
      throw usage_error(fmt::format("{}: instructions are counted only with COUNT instructions (add_perf_test) or "
                                    "--count instructions (perfcheck run); add it", at(where, gate)));
    }
    return;
  }
  if (!bent(metric)) return;
  throw usage_error(fmt::format(
      "{}: a test with COUNT instructions gates instructions, not the time or memory of its runs: they are "
      "counted (under valgrind where there are no hardware counters, ~50x slower), so their wall, CPU and "
      "memory figures are not the command's. Gate those in a second add_perf_test of the same command "
      "without COUNT", at(where, gate)));
}

}  // namespace

void check_counted(const test_plan& plan, const std::string& where) {
  if (!plan.spec.count.empty() && !plan.spec.concurrency.empty()) {
    throw usage_error(fmt::format("{}COUNT instructions counts one run at a time and cannot be combined with "
                                  "CONCURRENCY; count in a test without CONCURRENCY", where.empty() ? "" : where + ": "));
  }
  for (const auto& t : plan.thresholds) check(plan, where, t.metric, t.text);
  for (const auto& r : plan.regressions) check(plan, where, r.metric, r.text);
  for (const auto& c : plan.complexity) check(plan, where, c.subject.metric, c.text);
}

}  // namespace perfcheck::detail
