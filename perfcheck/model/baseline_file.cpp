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

baseline_entry baseline_entry_from_result(const run_result& result) {
  if (result.outcome == verdict::error) {
    throw usage_error(fmt::format(
        "test '{}': its result has verdict 'error' ({}); fix the test and run it again before "
        "accepting it as a baseline",
        result.name, result.reasons.empty() ? std::string("no reason given") : result.reasons.front()));
  }
  if (result.runs.empty()) {
    throw usage_error(fmt::format("test '{}': its result has no measured runs; run it again", result.name));
  }
  if (std::any_of(result.runs.begin(), result.runs.end(), [](const run_sample& s) { return s.failed(); })) {
    throw usage_error(fmt::format(
        "test '{}': some of its runs failed (non-zero exit or a signal); a baseline holds "
        "successful runs only; run it again without failures", result.name));
  }
  for (std::size_t i = 0; i < result.runs.size(); ++i) {
    if (const std::string problem = measured_run_problem(result.runs[i]); !problem.empty()) {
      throw usage_error(fmt::format("test '{}': run {} {}", result.name, i, problem));
    }
  }
  baseline_entry e;
  e.spec_hash = result.context.spec_hash;
  e.machine = result.context.machine;
  e.commit = result.context.git_commit;
  e.recorded_at = result.started_at;
  e.runs = result.runs;
  // A baseline is compared by its figures; memory timelines would only bloat a reviewed file.
  for (auto& run : e.runs) run.memory_timeline.clear();
  return e;
}

boost::json::value baseline_to_json(const baseline_file& file) {
  boost::json::object tests;
  for (const auto& [name, e] : file.tests) {
    tests[name] = {{"spec_hash", e.spec_hash},
                   {"machine", e.machine},
                   {"commit", e.commit},
                   {"recorded_at", e.recorded_at},
                   {"runs", boost::json::value_from(e.runs)}};
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
    entry->reject_unknown({"spec_hash", "machine", "commit", "recorded_at", "runs"});
    baseline_entry e;
    e.spec_hash = entry->optional_string("spec_hash").value_or("");
    e.machine = entry->optional_string("machine").value_or("");
    e.commit = entry->optional_string("commit").value_or("");
    e.recorded_at = entry->optional_string("recorded_at").value_or("");
    e.runs = read_runs(*entry, kv.value());
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
