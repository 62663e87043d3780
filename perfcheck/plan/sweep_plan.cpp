// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The levels of a test plan: parameters expanded, placeholders checked, and one level's plan.
#include <algorithm>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck {
namespace {

// Substitutes `text` at `at` only to find a placeholder that names no parameter; rethrows
// naming the place.
void check_placeholders(std::string_view text, const level& at, const std::string& place,
                        std::string_view shown = {}) {
  try {
    (void)substitute(text, at);
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("{} '{}': {}", place, shown.empty() ? text : shown, e.what()));
  }
}

void check_all_placeholders(const run_spec& spec, const level& at, const spec_origin& origin,
                            const std::string& where) {
  const auto place = [&](const char* flag, const std::string& field) {
    return origin.flags ? std::string(flag) : fmt::format("{}: {}", where, field);
  };
  for (std::size_t i = 0; i < spec.command.size(); ++i) {
    check_placeholders(spec.command[i], at,
                       origin.flags ? fmt::format("command argument {}", i + 1) : place("", fmt::format("command[{}]", i)));
  }
  for (std::size_t i = 0; i < spec.baseline_command.size(); ++i) {
    check_placeholders(spec.baseline_command[i], at, place("--baseline-command", fmt::format("baseline_command[{}]", i)));
  }
  for (const auto& [field, argv] : hook_commands(spec)) {
    const std::string flag = fmt::format("--{}", field);
    for (std::size_t i = 0; i < argv->size(); ++i) {
      check_placeholders((*argv)[i], at, place(flag.c_str(), fmt::format("{}[{}]", field, i)));
    }
  }
  check_placeholders(spec.working_directory, at, place("--working-directory", "working_directory"));
  for (std::size_t i = 0; i < spec.environment.size(); ++i) {
    const std::string& e = spec.environment[i];
    check_placeholders(std::string_view(e).substr(std::min(e.find('='), e.size())), at,
                       place("--env", fmt::format("environment[{}]", i)), e);
  }
}

}  // namespace

namespace detail {

void compile_levels(test_plan& plan, const spec_origin& origin, const std::string& where) {
  const run_spec& spec = plan.spec;
  if (spec.parameters.empty()) return;
  plan.parameters = expand_parameters(spec.parameters, origin.flags ? "--parameter" : where + ": parameters");
  plan.levels = sweep_levels(plan.parameters);
  const std::string place = origin.flags ? "--parameter" : where + ": parameters";
  if (plan.soak != soak_mode::none) {
    throw usage_error(fmt::format("{}: a sweep of soaks is not supported; drop the {} or the parameters",
                                  place, origin.flags ? "--duration" : "DURATION"));
  }
  level checked = plan.levels.front();
  if (!spec.server.empty()) checked.push_back({"port", "0"});  // {port}: the server's, known when it runs
  check_all_placeholders(spec, checked, origin, where);
}

}  // namespace detail

test_plan plan_at(const test_plan& plan, const level& at) {
  test_plan out = plan;
  out.spec = spec_at(plan.spec, at);
  out.spec.parameters.clear();
  out.parameters.clear();
  out.levels.clear();
  out.at = at;
  out.thresholds.clear();
  out.complexity.clear();
  out.breaking_points.clear();
  out.level_comparisons.clear();  // evaluated on the whole sweep, not at a level
  for (const auto& t : plan.thresholds) {
    if (!t.level || level_matches(*t.level, at)) out.thresholds.push_back(t);
  }
  return out;
}

}  // namespace perfcheck
