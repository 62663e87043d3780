// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/plan/test_plan.hpp"

#include <fmt/format.h>

#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/result.hpp"

namespace perfcheck {
namespace {

// Whether the tree sampler runs: a sampled limit turns it on whatever the interval.
bool sampler_on(const run_spec& spec) {
  const resource_limits& l = spec.limits;
  return spec.sample_interval_ns != 0 || l.memory_bytes > 0 || l.cpu_time_ns > 0 || l.processes > 0 ||
         l.open_files > 0;
}

// The fix for a missing soak, in the words of where the spec came from.
std::string soak_fix(const spec_origin& origin, bool once_allowed) {
  if (origin.flags) return once_allowed ? "add --duration once (one long run) or --duration 10min" : "add --duration 10min";
  return once_allowed ? "add DURATION ONCE (one long run) or DURATION 10min to add_perf_test "
                        "(\"duration\": \"once\" or \"10min\" in a spec file)"
                      : "add DURATION 10min to add_perf_test (\"duration\": \"10min\" in a spec file)";
}

run_schedule schedule_of(const run_spec& spec, soak_mode soak) {
  run_schedule s{spec.warmup, spec.min_runs, spec.max_runs, spec.min_time_ns};
  if (soak == soak_mode::once) {
    s = {0, 1, 1, 0};
  } else if (soak == soak_mode::duration) {
    s.min_runs = 1;  // the duration decides, as documented: runs give way
    s.min_time_ns = spec.duration_ns;
    s.max_runs = max_run_count;
  }
  return s;
}

// Why this plan can never give the threshold a value; empty when it can.
std::string unmeasurable(const threshold_expr& t, const test_plan& plan, const spec_origin& origin) {
  const std::string lhs = t.text.substr(0, t.text.find_first_of(" <>=!"));
  if (const auto client = detail::client_threshold_problem(t, plan, lhs)) {
    if (!client->empty()) return *client;
  } else if (auto why = detail::concurrency_threshold_problem(t, plan, lhs); !why.empty()) {
    return why;
  }
  if (t.level) {  // a level the test has, and then what any level measures
    if (std::string why = level_problem(*t.level, plan.parameters); !why.empty()) return why;
  }
  if (t.metric == "threads" && !sampler_on(plan.spec)) {
    return fmt::format("{} counts threads with the tree sampler, but sampling is off (sample interval "
                       "0); drop the zero sample interval", lhs);
  }
  if (t.source != subject_source::soak) return {};
  if (t.metric.starts_with("server.") && plan.spec.server.empty()) {
    return fmt::format("{} measures the server under test, and this test names none; name it with SERVER <name> "
                       "(\"server\" in a spec), see docs/servers.md", lhs);
  }
  if (plan.soak == soak_mode::none) {
    return fmt::format("{} is measured only across a soak; {}", lhs, soak_fix(origin, t.metric == "rss"));
  }
  if (t.metric == "wall" && plan.soak == soak_mode::once) {
    return fmt::format("{} compares repeated runs, but a soak of one run (once) has one; {}", lhs,
                       soak_fix(origin, false));
  }
  // One long run has a memory trend only from the sampler's timeline (repeated runs trend over
  // each run's peak instead).
  if (t.metric == "rss" && plan.soak == soak_mode::once && !sampler_on(plan.spec)) {
    return fmt::format("{} follows the sampled tree memory of the one long run, but sampling is off "
                       "(sample interval 0); drop the zero sample interval", lhs);
  }
  return {};
}

// "--threshold 'x'" or "spec.json: test 't': threshold 'x'": the place of an expression.
std::string place_of(const spec_origin& origin, const std::string& where, const char* flag,
                     const char* what, const std::string& text) {
  return origin.flags ? fmt::format("{} '{}'", flag, text) : fmt::format("{}: {} '{}'", where, what, text);
}

// Parses every threshold (the first bad one names the flag or the test), then checks each
// against what the plan measures.
void check_thresholds(test_plan& plan, spec_origin origin, const std::string& where) {
  origin.flags = origin.flags || origin.thresholds_by_flag;
  std::vector<std::string> plain;
  for (const auto& text : plan.spec.thresholds) {
    if (is_series_gate(text)) {
      const std::string place = place_of(origin, where, "--threshold", "threshold", text);
      detail::compile_series_gate(plan, text, place, origin);
      if (!plan.breaking_points.empty() && plan.breaking_points.back().text == text) {
        const std::string why = unmeasurable(plan.breaking_points.back().gate, plan, origin);
        if (!why.empty()) throw usage_error(fmt::format("{}: {}", place, why));
      }
      continue;
    }
    std::optional<level_comparison> c;
    try {
      c = parse_level_comparison(text);
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("{}: {}", origin.flags ? "--threshold" : where, e.what()));
    }
    if (!c) {
      plain.push_back(text);
      continue;
    }
    if (const std::string why = level_comparison_problem(*c, plan.parameters, plan.levels); !why.empty()) {
      throw usage_error(fmt::format("{}: {}", place_of(origin, where, "--threshold", "threshold", c->text), why));
    }
    plan.level_comparisons.push_back(std::move(*c));
  }
  plan.thresholds = gate::parse_thresholds(plain, origin.flags ? "--threshold" : where, detail::declared_names(plan));
  detail::check_declared_units(plan, origin, where);
  for (const auto& t : plan.thresholds) {
    const std::string why = unmeasurable(t, plan, origin);
    if (!why.empty()) {
      throw usage_error(fmt::format("{}: {}", place_of(origin, where, "--threshold", "threshold", t.text), why));
    }
  }
}

// Parses every rule likewise, then checks that some run measures its metric.
void check_regressions(test_plan& plan, spec_origin origin, const std::string& where) {
  origin.flags = origin.flags || origin.rules_by_flag;
  plan.regressions = gate::parse_regression_rules(plan.spec.regressions, origin.flags ? "--regression" : where);
  auto columns = metric_columns({});
  detail::add_client_columns(plan, columns);
  for (const auto& m : plan.metrics) {  // reported by the command: their columns exist at run time
    columns.try_emplace(m.name);
    columns.try_emplace(m.name + ".rate");
  }
  if (!plan.spec.count.empty()) columns.try_emplace("instructions");  // COUNT: counted runs have it
  for (const auto& rule : plan.regressions) {
    if (rule.level) {  // a level the test has
      if (std::string why = level_problem(*rule.level, plan.parameters, "rule"); !why.empty()) {
        throw usage_error(fmt::format("{}: {}", place_of(origin, where, "--regression", "regression rule", rule.text), why));
      }
    }
    if (columns.contains(rule.metric)) continue;
    std::string known;
    for (const auto& [name, column] : columns) known += (known.empty() ? "" : ", ") + name;
    throw usage_error(fmt::format("{}: no run measures '{}'; rules compare one of {}",
                                  place_of(origin, where, "--regression", "regression rule", rule.text),
                                  rule.metric, known));
  }
}

}  // namespace

const char* to_string(baseline_kind kind) {
  switch (kind) {
    case baseline_kind::history: return "history";
    case baseline_kind::file: return "file";
    case baseline_kind::command: return "command";
  }
  return "history";
}

test_plan compile_plan(const run_spec& spec, const spec_origin& origin) {
  validate(spec, origin.where);
  test_plan plan;
  plan.spec = spec;
  plan.soak = spec.once ? soak_mode::once : spec.duration_ns > 0 ? soak_mode::duration : soak_mode::none;
  plan.schedule = schedule_of(spec, plan.soak);
  plan.baseline = spec.baseline == "command" ? baseline_kind::command
                  : spec.baseline == "file"  ? baseline_kind::file
                                             : baseline_kind::history;
  plan.on_inconclusive = spec.fail_on_inconclusive ? inconclusive_policy::fail : inconclusive_policy::pass;
  const std::string where = origin.flags ? std::string() : fmt::format("{}: test '{}'", origin.where, spec.name);
  detail::compile_levels(plan, origin, where);
  detail::compile_reported(plan, origin, where);
  detail::compile_client(plan, origin, where);
  check_thresholds(plan, origin, where);
  check_regressions(plan, origin, where);
  detail::check_counted(plan, where);
  detail::check_rules_reachable(plan, origin, where);  // last: a rule refused for another reason says that
  return plan;
}

std::vector<int> planned_looks(const run_schedule& schedule) {
  std::vector<int> looks;
  for (int n = schedule.min_runs; n < schedule.max_runs; n *= 2) looks.push_back(n);
  looks.push_back(schedule.max_runs);
  return looks;
}

}  // namespace perfcheck
