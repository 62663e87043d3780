// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Gates across the levels of a plan (complexity gates, breaking points): parsed and checked
// against the levels when the plan is compiled, so `perfcheck validate` refuses what a sweep
// could never evaluate.
#include <algorithm>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck {
namespace {

// The fewest values of the parameter a complexity gate accepts: the bound test fits three
// coefficients (intercept, the bound's term and the next faster one), which three distinct
// values identify; five or more are recommended (docs/sweeps.md).
constexpr std::size_t min_complexity_values = 3;
// ... and the fewest runs in all: one more than the coefficients, so that noise is estimated.
constexpr std::size_t min_complexity_runs = 4;

// The distinct values of a parameter across the plan's levels, in order of appearance.
std::vector<std::string> values_of(const test_plan& plan, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& at : plan.levels) {
    for (const auto& v : at) {
      if (v.name == name && std::find(out.begin(), out.end(), v.value) == out.end()) out.push_back(v.value);
    }
  }
  return out;
}

bool numeric(const test_plan& plan, const std::string& name) {
  const auto values = values_of(plan, name);
  return std::all_of(values.begin(), values.end(), [](const std::string& v) { return gate::level_number(v).has_value(); });
}

std::string parameter_list(const test_plan& plan) {
  std::string out;
  for (const auto& v : plan.levels.front()) out += (out.empty() ? "" : ", ") + v.name;
  return out;
}

// The parameter a gate is over: `named`, else the test's only numeric parameter.
std::string resolve_parameter(const test_plan& plan, const std::string& named, const std::string& place,
                              const char* how_to_name) {
  if (!named.empty()) {
    const auto& names = plan.levels.front();
    if (std::none_of(names.begin(), names.end(), [&](const level_value& v) { return v.name == named; })) {
      throw usage_error(fmt::format("{}: the test has no parameter '{}' (its parameters: {}); name one of them",
                                    place, named, parameter_list(plan)));
    }
    if (!numeric(plan, named)) {
      throw usage_error(fmt::format("{}: the values of '{}' are not all numbers, so they have no order to "
                                    "grow along; give it numeric values", place, named));
    }
    return named;
  }
  std::vector<std::string> candidates;
  for (const auto& v : plan.levels.front()) {
    if (numeric(plan, v.name)) candidates.push_back(v.name);
  }
  if (candidates.size() == 1) return candidates.front();
  throw usage_error(fmt::format("{}: {}; {}", place,
                                candidates.empty() ? "the test has no numeric parameter"
                                                   : fmt::format("the test has several numeric parameters ({})",
                                                                 parameter_list(plan)),
                                how_to_name));
}

void check_sweep(const test_plan& plan, const std::string& place, const spec_origin& origin, const char* what) {
  if (!plan.levels.empty()) return;
  throw usage_error(fmt::format("{}: {} reads the levels of a sweep, but the test has no parameters; add {}", place,
                                what, origin.flags ? "--parameter n=10,50,100,200,500"
                                                   : "PARAMETERS n 10 50 100 200 500 to add_perf_test"));
}

gate::complexity_gate compile_complexity(const test_plan& plan, const std::string& text, const std::string& place,
                                         const spec_origin& origin) {
  check_sweep(plan, place, origin, "a complexity gate");
  gate::complexity_gate g;
  g.text = text;
  gate::complexity_gate_expr e;
  try {
    e = gate::parse_complexity_gate(text);
  } catch (const std::invalid_argument& bad) {
    throw usage_error(fmt::format("{}: {}", place, bad.what()));
  }
  g.bound = e.bound;
  try {
    g.subject = parse_every_level_subject(text, e.subject, detail::declared_names(plan));
  } catch (const usage_error& bad) {
    throw usage_error(fmt::format("{}: {}", place, bad.what()));
  }
  // A reported metric fits like a built-in one: its value in each run (the run's median of a
  // distribution, a counter's sum), e.g. a Google Benchmark family's real_time.median ~ O(n).
  const bool per_run = g.subject.source == subject_source::summary || g.subject.source == subject_source::reported;
  if (!per_run || (g.subject.statistic != "median" && g.subject.statistic != "mean")) {
    throw usage_error(fmt::format("{}: a complexity gate fits every run of a per-run metric, so its subject is "
                                  "<metric>.median or <metric>.mean, e.g. wall.median ~ O(n) or, for a reported "
                                  "metric, parse.median ~ O(n)", place));
  }
  g.bound.parameter = resolve_parameter(plan, g.bound.parameter, place,
                                        "O(1) names no parameter, so it needs a test with exactly one numeric parameter");
  const auto values = values_of(plan, g.bound.parameter);
  for (const auto& v : values) {
    if (*gate::level_number(v) <= 0) {
      throw usage_error(fmt::format("{}: {} = {} is not positive; a growth class is fitted over values > 0", place,
                                    g.bound.parameter, v));
    }
  }
  if (values.size() < min_complexity_values) {
    throw usage_error(fmt::format("{}: {} has {} value(s), but a complexity gate needs at least {} (5 or more "
                                  "recommended); add values to the parameter",
                                  place, g.bound.parameter, values.size(), min_complexity_values));
  }
  if (values.size() * static_cast<std::size_t>(plan.schedule.min_runs) < min_complexity_runs) {
    throw usage_error(fmt::format("{}: {} values with {} run(s) each are too few runs to estimate the noise; "
                                  "raise the runs to at least {}", place, values.size(), plan.schedule.min_runs,
                                  (min_complexity_runs + values.size() - 1) / values.size()));
  }
  return g;
}

gate::breaking_point_gate compile_breaking_point(const test_plan& plan, const std::string& text,
                                                 const std::string& place, const spec_origin& origin) {
  check_sweep(plan, place, origin, "a breaking point");
  gate::breaking_point_gate g = parse_breaking_point(text);
  g.parameter = resolve_parameter(plan, g.parameter, place,
                                  "name the parameter, e.g. breaking_point(wall.p99 < 200ms, concurrency)");
  if (values_of(plan, g.parameter).size() < 2) {
    throw usage_error(fmt::format("{}: {} has one value; a breaking point steps through at least 2 levels", place,
                                  g.parameter));
  }
  return g;
}

}  // namespace

namespace detail {

void compile_series_gate(test_plan& plan, const std::string& text, const std::string& place, const spec_origin& origin) {
  if (is_breaking_point(text)) {
    try {
      plan.breaking_points.push_back(compile_breaking_point(plan, text, place, origin));
    } catch (const usage_error& e) {
      const std::string what = e.what();
      // parse_breaking_point's own errors quote the text; give them the place too.
      if (what.starts_with("bad ")) throw usage_error(fmt::format("{}: {}", place, what));
      throw;
    }
    return;
  }
  plan.complexity.push_back(compile_complexity(plan, text, place, origin));
}

}  // namespace detail

}  // namespace perfcheck
