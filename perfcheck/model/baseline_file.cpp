// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/baseline_file.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"

namespace perfcheck {
namespace {

constexpr const char* run_shape =
    "expected a run {\"wall_ns\", \"user_ns\", \"sys_ns\", \"max_rss_bytes\" (whole numbers >= 0), "
    "\"exit_code\", \"signal\"} as in result files";

std::vector<run_sample> read_runs(const json_reader& entry, const boost::json::value& value) {
  const auto* runs = value.as_object().if_contains("runs");
  if (runs == nullptr) entry.fail("runs", "missing; accept the test again with 'perfcheck baseline accept'");
  if (!runs->is_array()) entry.fail("runs", fmt::format("expected an array of runs, got {}", boost::json::serialize(*runs)));
  const auto& list = runs->get_array();
  if (list.empty()) entry.fail("runs", "is empty; a baseline needs measured runs; accept the test again");
  std::vector<run_sample> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto sample = boost::json::try_value_to<run_sample>(list[i]);
    if (!sample) entry.fail(fmt::format("runs[{}]", i), run_shape);
    if (sample->failed()) {
      entry.fail(fmt::format("runs[{}]", i),
                 "is a failed run (non-zero exit or a signal); a baseline holds successful runs only");
    }
    if (const std::string problem = measured_run_problem(*sample); !problem.empty()) {
      entry.fail(fmt::format("runs[{}]", i), problem);
    }
    out.push_back(*sample);
  }
  return out;
}

}  // namespace

namespace {

// Checks one point's runs for a baseline; `what` names the test (and the level).
void check_baseline_runs(const std::string& what, const std::vector<run_sample>& runs) {
  if (runs.empty()) throw usage_error(fmt::format("{}: its result has no measured runs; run it again", what));
  if (std::any_of(runs.begin(), runs.end(), [](const run_sample& s) { return s.failed(); })) {
    throw usage_error(fmt::format(
        "{}: some of its runs failed (non-zero exit or a signal); a baseline holds "
        "successful runs only; run it again without failures", what));
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (const std::string problem = measured_run_problem(runs[i]); !problem.empty()) {
      throw usage_error(fmt::format("{}: run {} {}", what, i, problem));
    }
  }
}

// A baseline is compared by its figures; memory timelines would only bloat a reviewed file.
std::vector<run_sample> without_timelines(std::vector<run_sample> runs) {
  for (auto& run : runs) run.memory_timeline.clear();
  return runs;
}

// A sweep's entry: "points": {"n=500": {"runs": [...]}, ...}, every level with its runs.
std::map<std::string, std::vector<run_sample>> read_points(const json_reader& entry, const boost::json::value& value) {
  if (value.as_object().contains("runs")) {
    entry.fail("points", "and 'runs' are both given; a sweep's entry has points only, a plain test's runs only");
  }
  const auto points = entry.optional_object("points");
  if (!points || value.as_object().at("points").as_object().empty()) {
    entry.fail("points", "expected a non-empty object {\"<level>\": {\"runs\": [...]}}; accept the test again");
  }
  std::map<std::string, std::vector<run_sample>> out;
  for (const auto& kv : value.as_object().at("points").as_object()) {
    const std::string at(kv.key());
    if (at.empty()) entry.fail("points", "has an empty level (\"\"); name every level as n=500");
    const auto point = points->optional_object(at);
    point->reject_unknown({"runs"});
    out.emplace(at, read_runs(*point, kv.value()));
  }
  return out;
}

}  // namespace

baseline_entry baseline_entry_from_result(const run_result& result) {
  if (result.outcome == verdict::error) {
    throw usage_error(fmt::format(
        "test '{}': its result has verdict 'error' ({}); fix the test and run it again before "
        "accepting it as a baseline",
        result.name, result.reasons.empty() ? std::string("no reason given") : result.reasons.front()));
  }
  const std::string what = fmt::format("test '{}'", result.name);
  baseline_entry e;
  if (result.points.empty()) {
    check_baseline_runs(what, result.runs);
    e.runs = without_timelines(result.runs);
  }
  for (const auto& p : result.points) {
    check_baseline_runs(fmt::format("{} at level {}", what, to_string(p.at)), p.runs);
    e.points[to_string(p.at)] = without_timelines(p.runs);
  }
  e.spec_hash = result.context.spec_hash;
  e.machine = result.context.machine;
  e.commit = result.context.git_commit;
  e.recorded_at = result.started_at;
  return e;
}

boost::json::value baseline_to_json(const baseline_file& file) {
  boost::json::object tests;
  for (const auto& [name, e] : file.tests) {
    boost::json::object entry{{"spec_hash", e.spec_hash},
                              {"machine", e.machine},
                              {"commit", e.commit},
                              {"recorded_at", e.recorded_at}};
    if (e.points.empty()) {
      entry["runs"] = boost::json::value_from(e.runs);
    } else {
      boost::json::object points;
      for (const auto& [at, runs] : e.points) points[at] = {{"runs", boost::json::value_from(runs)}};
      entry["points"] = std::move(points);
    }
    tests[name] = std::move(entry);
  }
  return {{"schema", baseline_schema}, {"tests", std::move(tests)}};
}

baseline_file baseline_from_json(const boost::json::value& json, std::string_view origin) {
  const json_reader top(json, std::string(origin));
  const std::string schema = top.required_string("schema");
  if (schema != baseline_schema) {
    top.fail("schema", fmt::format("'{}' is not a baseline file this perfcheck reads; expected '{}' "
                                   "(write one with 'perfcheck baseline accept')", schema, baseline_schema));
  }
  top.reject_unknown({"schema", "tests"});
  const auto tests = top.optional_object("tests");
  if (!tests) top.fail("tests", "missing; expected an object {\"<test name>\": {...}}");
  baseline_file out;
  for (const auto& kv : json.as_object().at("tests").as_object()) {
    const std::string name(kv.key());
    if (name.empty()) top.fail("tests", "has an empty test name (\"\"); name every test");
    const auto entry = tests->optional_object(name);
    entry->reject_unknown({"spec_hash", "machine", "commit", "recorded_at", "runs", "points"});
    baseline_entry e;
    e.spec_hash = entry->optional_string("spec_hash").value_or("");
    e.machine = entry->optional_string("machine").value_or("");
    e.commit = entry->optional_string("commit").value_or("");
    e.recorded_at = entry->optional_string("recorded_at").value_or("");
    if (kv.value().as_object().contains("points")) {
      e.points = read_points(*entry, kv.value());
    } else {
      e.runs = read_runs(*entry, kv.value());
    }
    out.tests.emplace(name, std::move(e));
  }
  return out;
}

baseline_file read_baseline_file(const std::filesystem::path& path) {
  return baseline_from_json(read_json_file(path), path.string());
}

void write_baseline_file(const std::filesystem::path& path, const baseline_file& file) {
  write_json_file_atomic(path, baseline_to_json(file));
}

}  // namespace perfcheck
