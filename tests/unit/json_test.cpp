// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE json
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <boost/json.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"

using namespace perfcheck;
namespace fs = std::filesystem;

namespace {

std::string spec_error(const std::string& text) {
  try {
    spec_from_json(parse_json_text(text, "s.json"), "s.json");
  } catch (const usage_error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(spec_reads_every_field) {
  const auto spec = spec_from_json(parse_json_text(R"({
    "schema": "perfcheck/spec/v1", "name": "sort", "command": ["/bin/sort", "-n"],
    "working_directory": "/tmp", "environment": ["A=1", "B=x=y"], "warmup": 2,
    "runs": {"min": 5, "max": 20}, "min_time": "1.5s", "thresholds": ["wall.p95 < 1s"],
    "allow_failures": true, "output_dir": "out", "result_file": "r.json",
    "show_output": true, "output_limit": "4KiB"})", "s"), "s");
  BOOST_TEST(spec.name == "sort");
  BOOST_TEST(spec.command == (std::vector<std::string>{"/bin/sort", "-n"}));
  BOOST_TEST(spec.working_directory == "/tmp");
  BOOST_TEST(spec.environment.size() == 2u);
  BOOST_TEST(spec.warmup == 2);
  BOOST_TEST(spec.min_runs == 5);
  BOOST_TEST(spec.max_runs == 20);
  BOOST_TEST(spec.min_time_ns == 1'500'000'000);
  BOOST_TEST(spec.thresholds.size() == 1u);
  BOOST_TEST(spec.allow_failures);
  BOOST_TEST(spec.output_dir == "out");
  BOOST_TEST(spec.result_file == "r.json");
  BOOST_TEST(spec.show_output);
  BOOST_TEST(spec.output_limit_bytes == 4096);
}

BOOST_AUTO_TEST_CASE(spec_defaults_and_round_trip) {
  const auto spec = spec_from_json(
      parse_json_text(R"({"schema": "perfcheck/spec/v1", "name": "t", "command": ["x"]})", "s"), "s");
  BOOST_TEST(spec.warmup == 1);
  BOOST_TEST(spec.min_runs == 10);
  BOOST_TEST(spec.max_runs == 10);
  BOOST_TEST(spec.min_time_ns == 0);
  const auto again = spec_from_json(spec_to_json(spec), "round trip");
  BOOST_TEST((again == spec));
}

BOOST_AUTO_TEST_CASE(regression_rules_extend_the_default_runs_only) {
  auto read = [](const std::string& extra) {
    return spec_from_json(parse_json_text(R"({"schema": "perfcheck/spec/v1", "name": "t",
        "command": ["true"])" + extra + "}", "s.json"), "s.json");
  };
  auto plain = read("");
  BOOST_TEST(plain.min_runs == 10);
  BOOST_TEST(plain.max_runs == 10);
  auto rules = read(R"(, "regressions": ["wall.median +5%"])");
  BOOST_TEST(rules.min_runs == 10);
  BOOST_TEST(rules.max_runs == 40);
  auto given = read(R"(, "regressions": ["wall.median +5%"], "runs": {"min": 12})");
  BOOST_TEST(given.max_runs == 12);
  auto range = read(R"(, "regressions": ["wall.median +5%"], "runs": {"min": 12, "max": 30})");
  BOOST_TEST(range.max_runs == 30);
  run_spec huge;
  huge.regressions = {"wall.median +5%"};
  huge.min_runs = huge.max_runs = 90000;
  extend_runs_for_regressions(huge);
  BOOST_TEST(huge.max_runs == 100000);
}

BOOST_AUTO_TEST_CASE(malformed_specs_name_file_place_and_fix) {
  const std::string base = R"("schema": "perfcheck/spec/v1", "name": "t", "command": ["x"])";
  // Syntax errors give line and column.
  const auto syntax = spec_error("{\n  \"name\": \"t\",\n  \"command\": [\"x\"\n}");
  BOOST_TEST_INFO(syntax);
  BOOST_TEST(syntax.starts_with("s.json:4:1: invalid JSON"));
  BOOST_TEST(contains(spec_error("{" + base + "} trailing"), "s.json:1:"));
  BOOST_TEST(contains(spec_error("[1, 2]"), "expected a JSON object"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "warmpu": 3})"),
                      "field 'warmpu': unknown field; known fields here: schema, name"));
  BOOST_TEST(contains(spec_error(R"({"schema": "perfcheck/spec/v9", "name": "t", "command": ["x"]})"),
                      "field 'schema': 'perfcheck/spec/v9' is not a spec this perfcheck reads"));
  BOOST_TEST(contains(spec_error(R"({"schema": "perfcheck/spec/v1", "command": ["x"]})"),
                      "field 'name': missing"));
  BOOST_TEST(contains(spec_error(R"({"schema": "perfcheck/spec/v1", "name": "t", "command": []})"),
                      "field 'command': is empty"));
  BOOST_TEST(contains(spec_error(R"({"schema": "perfcheck/spec/v1", "name": "t", "command": ["x", 3]})"),
                      "field 'command[1]': expected a string, got 3"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "warmup": "two"})"),
                      "field 'warmup': expected a whole number from 0 to 10000, got \"two\""));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "runs": {"min": 0}})"),
                      "field 'runs.min': 0 is out of range; use a whole number from 1 to 100000"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "runs": {"min": 5, "max": 2}})"),
                      "maximum 2 must be from the minimum (5)"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "runs": {"min": 99999999999}})"),
                      "out of range"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "min_time": "3 fortnights"})"),
                      "field 'min_time': unknown unit 'fortnights'"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "environment": ["NOEQUALS"]})"),
                      "'NOEQUALS' is not VAR=value"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "runs": 5})"), "field 'runs': expected an object"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "alpha": 0.7})"), "alpha: 0.7 is out of range"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "baseline": "yesterday"})"),
                      "'yesterday' is not a baseline kind; use history, file or command"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "baseline": "command"})"),
                      "baseline_command: is empty but the baseline is 'command'"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "on_inconclusive": "maybe"})"),
                      "field 'on_inconclusive': 'maybe' is not a policy"));
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_rejected_at_any_depth) {
  const auto top = spec_error(R"({"name": "a", "command": ["x"], "name": "b"})");
  BOOST_TEST_INFO(top);
  BOOST_TEST(top.starts_with("s.json:1:"));
  BOOST_TEST(contains(top, R"(the key "name" appears twice in one object; keep only one of them)"));
  const auto nested = spec_error("{\"runs\": {\"min\": 2,\n \"m\\u0069n\": 3}}");  // an escaped "min"
  BOOST_TEST_INFO(nested);
  BOOST_TEST(nested.starts_with("s.json:2:"));
  BOOST_TEST(contains(nested, R"(the key "min" appears twice)"));
  // Equal keys in different objects, or in objects side by side in an array, are not duplicates.
  BOOST_CHECK_NO_THROW(parse_json_text(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})", "ok.json"));
}

BOOST_AUTO_TEST_CASE(nul_in_argument_folder_or_environment_is_rejected) {
  const std::string base = R"("schema": "perfcheck/spec/v1", "name": "t")";
  BOOST_TEST(contains(spec_error("{" + base + R"(, "command": ["x", "a\u0000b"]})"),
                      "s.json: command: argument 2 contains a NUL character (\\u0000), which exec would cut there"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "command": ["x"], "working_directory": "/var\u0000/x"})"),
                      "s.json: working_directory: contains a NUL character"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "command": ["x"], "environment": ["A=\u0000"]})"),
                      "s.json: environment: entry 1 contains a NUL character"));
  BOOST_TEST(contains(spec_error("{" + base + R"(, "command": ["x"], "baseline": "command",
                                   "baseline_command": ["y", "\u0000"]})"),
                      "s.json: baseline_command: argument 2 contains a NUL character"));
}

BOOST_AUTO_TEST_CASE(missing_spec_file_names_the_path) {
  try {
    read_spec_file("/nonexistent/dir/spec.json");
    BOOST_ERROR("no error");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).starts_with("/nonexistent/dir/spec.json: cannot read"));
  }
}

run_result sample_result() {
  run_result r;
  r.name = "parse \"big\" <json>";
  r.outcome = verdict::failed;
  r.reasons = {"wall.p95 < 1ms: measured 2 ms"};
  r.warnings = {"unstable"};
  r.command = {"/bin/prog", "--flag", "a b"};
  run_sample a;
  a.wall_ns = 2'000'000;
  a.user_ns = 1'500'000;
  a.sys_ns = 100'000;
  a.max_rss_bytes = 4 << 20;
  a.exit_code = 0;
  a.threads_max = 9;
  a.memory_timeline = {{1000, 4096, 1, 9}};
  run_sample b = a;
  b.exit_code.reset();
  b.signal = 6;
  r.runs = {a, b};
  r.warmup_runs = {a};
  metric_summary s;
  s.n = 2;
  s.min = 1;
  s.max = 2.5;
  s.mean = 1.75;
  s.median = 1.75;
  s.stddev = 0.25;
  s.mad = 0.5;
  s.p90 = 2.35;
  s.p95 = 2.425;
  s.p99 = 2.485;
  s.ci_low = 1;
  s.ci_high = 2.5;
  r.summary["wall"] = s;
  r.wall_outliers = {1};
  r.thresholds = {{parse_threshold("wall.p95 < 1ms"), 2.425, false}};
  r.overhead_ns = 350'000;
  r.environment.cpu_model = "Test CPU";
  r.environment.cpu_count = 2;
  r.environment.governor = "performance";
  regression_finding f;
  f.rule = "wall.median +5%";
  f.metric = "wall";
  f.baseline_n = 20;
  f.candidate_n = 10;
  f.change = 0.071;
  f.ci_low = 0.052;
  f.ci_high = 0.093;
  f.p_value = 0.0004;
  f.p_adjusted = 0.0008;
  f.decision = verdict::regressed;
  f.reason = "slower";
  r.regressions = {f};
  r.baseline = baseline_info{"command", "/bin/old", 1, 1, {a}, "AB"};
  r.context = {"s1", "abc123", "main", "00ff00ff00ff00ff", "0123456789abcdef", "GNU 12.2.0"};
  r.started_at = "2026-11-23T10:00:00.000Z";
  r.finished_at = "2026-11-23T10:00:01.000Z";
  return r;
}

BOOST_AUTO_TEST_CASE(result_round_trips_through_json_text) {
  const run_result r = sample_result();
  const std::string text = pretty_json(result_to_json(r));
  const run_result back = result_from_json(parse_json_text(text, "r.json"), "r.json");
  BOOST_TEST((back == r));
  const auto json = parse_json_text(text, "r.json");
  BOOST_TEST(json.at("schema").as_string() == "perfcheck/result/v1");
  BOOST_TEST(json.at("runs").at(1).at("signal").as_string() == "SIGABRT");
  BOOST_TEST(json.at("runs").at(0).at("signal").is_null());
  BOOST_TEST(json.at("summary").at("wall").at("ci_high").to_number<double>() == 2.5);
}

BOOST_AUTO_TEST_CASE(older_runs_without_thread_counts_still_read) {
  auto json = result_to_json(sample_result());
  auto& run = json.as_object()["runs"].as_array()[0].as_object();
  run.erase("threads_max");
  run["memory_timeline"] = boost::json::array{boost::json::array{1000, 4096, 2}};
  const run_result back = result_from_json(json, "r.json");
  BOOST_TEST(back.runs[0].threads_max == 0);
  BOOST_TEST((back.runs[0].memory_timeline == std::vector<memory_point>{{1000, 4096, 2, 0}}));
  run["memory_timeline"] = boost::json::array{boost::json::array{1000, 4096}};
  BOOST_CHECK_THROW(result_from_json(json, "r.json"), usage_error);
}

BOOST_AUTO_TEST_CASE(result_reader_rejects_bad_runs) {
  auto json = result_to_json(sample_result());
  json.as_object()["runs"].as_array()[1].as_object()["wall_ns"] = "fast";
  try {
    result_from_json(json, "r.json");
    BOOST_ERROR("accepted");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).starts_with("r.json: field 'runs[1]': is not a valid run"));
  }
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_whole_file_and_leaves_no_temp) {
  const fs::path dir = fs::temp_directory_path() / ("perfcheck-json-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "result.json";
  write_json_file_atomic(file, {{"a", 1}});
  write_json_file_atomic(file, {{"b", 2}});
  BOOST_TEST(read_json_file(file).at("b").as_int64() == 2);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  BOOST_TEST(entries == 1u);  // no temp file left behind
  // A folder that does not exist is an OS error naming the call and the path.
  try {
    write_json_file_atomic(dir / "missing" / "r.json", {{"a", 1}});
    BOOST_ERROR("no error");
  } catch (const std::system_error& e) {
    BOOST_TEST(std::string(e.what()).find("create ") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("missing") != std::string::npos);
  }
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(spec_hash_follows_what_is_measured_only) {
  run_spec a;
  a.name = "t";
  a.command = {"/bin/prog", "--size", "10"};
  run_spec b = a;
  b.name = "renamed";
  b.thresholds = {"wall.p95 < 1s"};
  b.min_runs = b.max_runs = 30;
  BOOST_TEST(spec_hash(a) == spec_hash(b));  // gates and run counts keep history comparable
  BOOST_TEST(spec_hash(a).size() == 16u);
  run_spec c = a;
  c.command.back() = "100";
  BOOST_TEST(spec_hash(a) != spec_hash(c));
  run_spec d = a;
  d.environment = {"OMP_NUM_THREADS=4"};
  BOOST_TEST(spec_hash(a) != spec_hash(d));
  // Field boundaries count: {"ab", "c"} and {"a", "bc"} differ.
  run_spec e = a, f = a;
  e.command = {"ab", "c"};
  f.command = {"a", "bc"};
  BOOST_TEST(spec_hash(e) != spec_hash(f));
}
