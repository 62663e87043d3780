// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE baseline_file
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <ostream>

#include <boost/json.hpp>

#include "perfcheck/model/baseline_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"

using namespace perfcheck;
namespace fs = std::filesystem;

namespace perfcheck {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, verdict v) { return out << to_string(v); }
}  // namespace perfcheck

namespace {

run_sample sample(std::int64_t wall) {
  run_sample s;
  s.wall_ns = wall;
  s.user_ns = wall / 2;
  s.sys_ns = 10;
  s.max_rss_bytes = 4096;
  s.exit_code = 0;
  return s;
}

run_result result_named(const std::string& name) {
  run_result r;
  r.name = name;
  r.command = {"/bin/true"};
  r.runs = {sample(100), sample(110), sample(120)};
  r.context.spec_hash = "abc123";
  r.context.machine = "m1";
  r.context.git_commit = "0123456789abcdef";
  r.started_at = "2026-11-23T10:00:00.000Z";
  return r;
}

std::string error_of(const std::string& text) {
  try {
    baseline_from_json(parse_json_text(text, "base.json"), "base.json");
  } catch (const usage_error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("perfcheck-baseline-" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};

const char* valid_run = R"({"wall_ns": 5, "user_ns": 1, "sys_ns": 1, "max_rss_bytes": 9, "exit_code": 0, "signal": null})";

}  // namespace

BOOST_AUTO_TEST_CASE(entry_from_result_keeps_context_and_runs) {
  const auto e = baseline_entry_from_result(result_named("parse"));
  BOOST_TEST(e.spec_hash == "abc123");
  BOOST_TEST(e.machine == "m1");
  BOOST_TEST(e.commit == "0123456789abcdef");
  BOOST_TEST(e.recorded_at == "2026-11-23T10:00:00.000Z");
  BOOST_TEST(e.runs.size() == 3u);
  BOOST_TEST(e.runs[1].wall_ns == 110);
}

BOOST_AUTO_TEST_CASE(results_that_cannot_be_a_baseline_are_refused_by_name) {
  auto errored = result_named("crashy");
  errored.outcome = verdict::error;
  errored.reasons = {"run 1 crashed (SIGSEGV)"};
  try {
    baseline_entry_from_result(errored);
    BOOST_FAIL("accepted an error result");
  } catch (const usage_error& e) {
    BOOST_TEST(contains(e.what(), "test 'crashy'"));
    BOOST_TEST(contains(e.what(), "SIGSEGV"));
  }
  auto empty = result_named("empty");
  empty.runs.clear();
  BOOST_CHECK_THROW(baseline_entry_from_result(empty), usage_error);
  auto failing = result_named("failing");
  failing.runs[2].exit_code = 1;
  BOOST_CHECK_THROW(baseline_entry_from_result(failing), usage_error);
  auto instant = result_named("instant");
  instant.runs[1].wall_ns = 0;
  try {
    baseline_entry_from_result(instant);
    BOOST_FAIL("accepted a run that took no time");
  } catch (const usage_error& e) {
    BOOST_TEST(contains(e.what(), "test 'instant': run 1 has wall_ns 0"), e.what());
  }
}

BOOST_AUTO_TEST_CASE(round_trip_through_json_and_a_file) {
  baseline_file file;
  file.tests["b"] = baseline_entry_from_result(result_named("b"));
  file.tests["a"] = baseline_entry_from_result(result_named("a"));
  file.tests["a"].commit.clear();
  const auto json = baseline_to_json(file);
  BOOST_TEST(json.at("schema").as_string() == baseline_schema);
  // Written in name order, so a reviewed diff is stable.
  BOOST_TEST(json.at("tests").as_object().begin()->key() == "a");
  BOOST_TEST((baseline_from_json(json, "x") == file));

  temp_dir dir;
  const auto path = dir.path / "baseline.json";
  write_baseline_file(path, file);
  BOOST_TEST((read_baseline_file(path) == file));
  // Nothing but the file itself is left in the folder (the temp file was renamed).
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(hostile_files_name_the_file_the_place_and_the_fix) {
  const std::string run = valid_run;
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {R"({"tests": {}})", {"base.json: field 'schema'", "missing"}},
      {R"({"schema": "perfcheck/result/v1", "tests": {}})", {"field 'schema'", "perfcheck/baseline/v1", "baseline accept"}},
      {R"({"schema": "perfcheck/baseline/v1"})", {"field 'tests'", "missing"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": []})", {"field 'tests'", "expected an object"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {}, "extra": 1})", {"field 'extra'", "unknown field"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"": {"runs": [)" + run + "]}}}", {"empty test name"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": 5}})", {"field 'tests.t'", "expected an object"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {}}})", {"field 'tests.t.runs'", "missing", "baseline accept"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"runs": []}}})", {"tests.t.runs", "is empty"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"runs": {}}}})", {"tests.t.runs", "expected an array"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"runs": [)" + run + R"(, {"wall_ns": -1}]}}})",
       {"field 'tests.t.runs[1]'", "whole numbers >= 0"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"runs": [{"wall_ns": 1, "user_ns": 1, "sys_ns": 1, "max_rss_bytes": 1, "exit_code": 3}]}}})",
       {"tests.t.runs[0]", "failed run"}},
      // One run that took no time makes every regression gate against the file undecidable.
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"runs": [)" + run + R"(, {"wall_ns": 0, "user_ns": 1, "sys_ns": 1, "max_rss_bytes": 1, "exit_code": 0}]}}})",
       {"base.json: field 'tests.t.runs[1]'", "has wall_ns 0", "measure the test again"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"commit": 5, "runs": [)" + run + "]}}}",
       {"field 'tests.t.commit'", "expected a string"}},
      {R"({"schema": "perfcheck/baseline/v1", "tests": {"t": {"comit": "x", "runs": [)" + run + "]}}}",
       {"field 'tests.t.comit'", "unknown field", "commit"}},
  };
  for (const auto& [text, needles] : cases) {
    const std::string message = error_of(text);
    for (const auto& needle : needles) {
      BOOST_TEST(contains(message, needle), "'" << needle << "' not in: " << message);
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_and_broken_files_are_usage_errors) {
  temp_dir dir;
  BOOST_CHECK_THROW(read_baseline_file(dir.path / "none.json"), usage_error);
  std::ofstream(dir.path / "broken.json") << "{\"schema\": ";
  try {
    read_baseline_file(dir.path / "broken.json");
    BOOST_FAIL("read a broken file");
  } catch (const usage_error& e) {
    BOOST_TEST(contains(e.what(), "broken.json:1:"));
  }
}

BOOST_AUTO_TEST_CASE(a_sweeps_entry_keeps_each_level_and_round_trips) {
  run_result sweep = result_named("sort");
  sweep.runs.clear();
  sweep.points = {{{{"n", "10"}}, verdict::pass, {sample(10), sample(11)}, {}, {}, {}, {}},
                  {{{"n", "500"}}, verdict::pass, {sample(500)}, {}, {}, {}, {}}};
  sweep.points[0].runs[0].memory_timeline = {{1, 4096}};
  const baseline_entry e = baseline_entry_from_result(sweep);
  BOOST_TEST(e.runs.empty());
  BOOST_REQUIRE(e.points.size() == 2u);
  BOOST_TEST(e.points.at("n=10").size() == 2u);
  BOOST_TEST(e.points.at("n=10")[0].memory_timeline.empty());
  BOOST_TEST(e.points.at("n=500")[0].wall_ns == 500);
  baseline_file file;
  file.tests["sort"] = e;
  file.tests["plain"] = baseline_entry_from_result(result_named("plain"));
  const auto json = baseline_to_json(file);
  BOOST_TEST(!json.at("tests").at("sort").as_object().contains("runs"));
  BOOST_TEST(!json.at("tests").at("plain").as_object().contains("points"));
  BOOST_TEST((baseline_from_json(json, "base.json") == file));
  // A failed run at one level names the level.
  sweep.points[1].runs[0].exit_code = 1;
  try {
    baseline_entry_from_result(sweep);
    BOOST_FAIL("a failed run must be refused");
  } catch (const usage_error& err) {
    BOOST_TEST(contains(err.what(), "test 'sort' at level n=500: some of its runs failed"), err.what());
  }
}

BOOST_AUTO_TEST_CASE(bad_points_name_the_place_and_the_fix) {
  const std::string run = R"({"wall_ns": 5, "user_ns": 1, "sys_ns": 1, "max_rss_bytes": 1, "exit_code": 0, "signal": null})";
  const auto file = [](const std::string& entry) {
    return R"({"schema": "perfcheck/baseline/v1", "tests": {"sort": )" + entry + "}}";
  };
  BOOST_TEST(contains(error_of(file(R"({"points": {}})")), "tests.sort.points': expected a non-empty object"));
  BOOST_TEST(contains(error_of(file(R"({"runs": [)" + run + R"(], "points": {"n=1": {"runs": [)" + run + "]}}}")),
                      "and 'runs' are both given"));
  BOOST_TEST(contains(error_of(file(R"({"points": {"": {"runs": [)" + run + "]}}}")), "has an empty level"));
  BOOST_TEST(contains(error_of(file(R"({"points": {"n=1": {"runs": []}}})")), "points.n=1.runs"));
  BOOST_TEST(contains(error_of(file(R"({"points": {"n=1": {"runs": [)" + run + R"(], "x": 1}}})")), "x"));
}
