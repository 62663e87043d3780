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
  if (spec.concurrency.empty()) check_no_instance(spec, origin, where);
  if (spec.parameters.empty() && spec.concurrency.empty()) return;
  const bool concurrent = !spec.concurrency.empty();
  if (!spec.parameters.empty())
    plan.parameters = expand_parameters(spec.parameters, origin.flags ? "--parameter" : where + ": parameters");
  const std::string place = origin.flags ? (spec.parameters.empty() ? "--concurrency" : "--parameter")
                                         : where + (spec.parameters.empty() ? ": concurrency" : ": parameters");
  if (concurrent) {
    const std::string at = origin.flags ? "--concurrency" : where + ": concurrency";
    plan.parameters.push_back(concurrency_levels(spec, at, origin.flags));
    std::size_t points = 1;
    for (const auto& p : plan.parameters) points *= p.values.size();
    if (points > max_points) {
      throw usage_error(fmt::format("{}: the parameters and concurrency levels make {} levels, more than {}; "
                                    "give fewer values", at, points, max_points));
    }
    check_concurrency_instance(spec, origin, where);
    // A soak runs at every level for its duration (plan_at); one long run needs a run's memory
    // timeline, which a round of copies does not keep.
    if (plan.soak == soak_mode::once) {
      throw usage_error(fmt::format(
          "{}: {} is one long run, but a concurrency level runs rounds of copies, and a round keeps no "
          "memory timeline to follow; give a time instead, e.g. {}: each level then runs rounds for that long",
          at, origin.flags ? "--duration once" : "DURATION ONCE", origin.flags ? "--duration 2min" : "DURATION 2min"));
    }
  }
  plan.levels = sweep_levels(plan.parameters);
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
  out.copies = 0;
  for (const auto& v : at)
    if (v.name == concurrency_parameter) out.copies = std::stoi(v.value);
  out.spec.concurrency.clear();
  // A soak's run cap holds for the copies a concurrency level runs, not only its rounds.
  if (plan.soak == soak_mode::duration && out.copies > 0) out.schedule.max_runs = std::max(1, max_run_count / out.copies);
  out.at = at;
  out.thresholds.clear();
  out.complexity.clear();
  out.breaking_points.clear();
  out.level_comparisons.clear();  // evaluated on the whole sweep, not at a level
  for (const auto& t : plan.thresholds) {
    if (!t.level || level_matches(*t.level, at)) out.thresholds.push_back(t);
  }
  std::erase_if(out.regressions, [&](const gate::regression_rule& r) { return r.level && !level_matches(*r.level, at); });
  return out;
}

}  // namespace perfcheck
