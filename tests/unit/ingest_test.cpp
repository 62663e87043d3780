// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE ingest
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>

#include <ostream>

#include <boost/json.hpp>

#include "perfcheck/ingest/google_benchmark.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"

using namespace perfcheck;
using perfcheck::ingest::read_google_benchmark;

namespace perfcheck {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, verdict v) { return out << to_string(v); }
}  // namespace perfcheck

namespace {

// Real output of libbenchmark 1.7.1 (trimmed: two repetitions, the aggregates, an error).
const char* golden = R"({
  "context": {
    "date": "2026-11-23T12:49:38+01:00",
    "host_name": "builder",
    "executable": "./bench",
    "num_cpus": 8,
    "mhz_per_cpu": 2096,
    "cpu_scaling_enabled": true,
    "caches": [],
    "load_avg": [0.5, 0.4, 0.3],
    "library_build_type": "release"
  },
  "benchmarks": [
    {"name": "BM_copy", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_copy",
     "run_type": "iteration", "repetitions": 2, "repetition_index": 0, "threads": 1,
     "iterations": 1255644, "real_time": 1.1125913077133347e+01, "cpu_time": 1.1115e+01, "time_unit": "ns"},
    {"name": "BM_arg/8", "run_name": "BM_arg/8", "run_type": "iteration", "repetitions": 2,
     "repetition_index": 0, "threads": 1, "iterations": 5, "real_time": 2.5, "cpu_time": 2.0,
     "time_unit": "ms", "bytes_per_second": 1.0e9},
    {"name": "BM_copy", "run_name": "BM_copy", "run_type": "iteration", "repetitions": 2,
     "repetition_index": 1, "threads": 1, "iterations": 1255644, "real_time": 11.04,
     "cpu_time": 11.0, "time_unit": "ns"},
    {"name": "BM_copy_mean", "run_name": "BM_copy", "run_type": "aggregate", "repetitions": 2,
     "threads": 1, "aggregate_name": "mean", "aggregate_unit": "time", "iterations": 2,
     "real_time": 11.08, "cpu_time": 11.07, "time_unit": "ns"},
    {"name": "BM_copy_cv", "run_name": "BM_copy", "run_type": "aggregate", "repetitions": 2,
     "threads": 1, "aggregate_name": "cv", "aggregate_unit": "percentage", "iterations": 2,
     "real_time": 0.005, "cpu_time": 0.004, "time_unit": "ns"},
    {"name": "BM_arg/8", "run_name": "BM_arg/8", "run_type": "iteration", "repetitions": 2,
     "repetition_index": 1, "threads": 1, "iterations": 5, "real_time": 3.5, "cpu_time": 3.0,
     "time_unit": "ms"},
    {"name": "BM_err", "run_name": "BM_err", "run_type": "iteration", "repetitions": 2,
     "repetition_index": 0, "threads": 1, "error_occurred": true, "error_message": "broken",
     "iterations": 1, "real_time": 0, "cpu_time": 0, "time_unit": "ns"}
  ]
})";

std::vector<ingest::ingested_benchmark> read(const std::string& text) {
  return read_google_benchmark(parse_json_text(text, "gb.json"), "gb.json");
}

std::string error_of(const std::string& text) {
  try {
    read(text);
  } catch (const usage_error& e) {
    return e.what();
  }
  return "(no error)";
}

// One benchmark entry with `field` replaced (or added) by `json`.
std::string with_field(const std::string& field, const std::string& json) {
  boost::json::object entry{{"name", "BM_x"},     {"run_name", "BM_x"},    {"run_type", "iteration"},
                            {"repetitions", 3},   {"repetition_index", 0}, {"real_time", 1.5},
                            {"cpu_time", 1.25},   {"time_unit", "us"}};
  if (json.empty()) {
    entry.erase(field);
  } else {
    entry[field] = boost::json::parse(json);
  }
  boost::json::object file{{"context", boost::json::object{}},
                           {"benchmarks", boost::json::array{boost::json::object{
                                {"name", "BM_ok"}, {"run_type", "iteration"}, {"real_time", 1},
                                {"cpu_time", 1}, {"time_unit", "ns"}}, entry}}};
  return boost::json::serialize(file);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(golden_file_becomes_one_result_per_run_name) {
  const auto benchmarks = read(golden);
  BOOST_TEST_REQUIRE(benchmarks.size() == 3u);
  const auto& copy = benchmarks[0];
  BOOST_TEST(copy.result.name == "BM_copy");
  BOOST_TEST(copy.result.outcome == verdict::pass);
  BOOST_TEST_REQUIRE(copy.result.runs.size() == 2u);  // the aggregates are not runs
  BOOST_TEST(copy.result.runs[0].wall_ns == 11);
  BOOST_TEST(copy.result.runs[1].wall_ns == 11);
  BOOST_TEST(copy.result.runs[0].user_ns == 11);
  BOOST_TEST(copy.result.runs[0].exit_code.value_or(-1) == 0);
  BOOST_TEST(copy.columns.at("wall")[0] == 11.125913077133347);
  BOOST_TEST(copy.columns.at("wall")[1] == 11.04);
  BOOST_TEST(copy.columns.at("cpu")[1] == 11.0);
  BOOST_TEST(!copy.columns.contains("rss"));
  BOOST_TEST(copy.result.summary.at("wall").median == (11.125913077133347 + 11.04) / 2);
  BOOST_TEST(copy.result.command == std::vector<std::string>{"./bench"});
  BOOST_TEST(copy.result.environment.hostname == "builder");
  BOOST_TEST(copy.result.environment.cpu_count == 8);
  BOOST_TEST(copy.result.started_at == "2026-11-23T11:49:38.000Z");  // +01:00 to UTC
  // Scaling was on, and 11 ns per iteration rounds in whole nanoseconds.
  BOOST_TEST(copy.result.warnings.size() == 2u);
  BOOST_TEST(contains(copy.result.warnings[0], "frequency scaling"));
  BOOST_TEST(contains(copy.result.warnings[1], "exact times"));

  const auto& arg = benchmarks[1];  // interleaved with BM_copy in the file; ms scaled to ns
  BOOST_TEST(arg.result.name == "BM_arg/8");
  BOOST_TEST(arg.columns.at("wall") == (std::vector<double>{2.5e6, 3.5e6}));
  BOOST_TEST(arg.columns.at("cpu") == (std::vector<double>{2.0e6, 3.0e6}));
  BOOST_TEST(arg.result.runs[1].wall_ns == 3'500'000);

  const auto& err = benchmarks[2];
  BOOST_TEST(err.result.outcome == verdict::error);
  BOOST_TEST(err.result.runs.empty());
  BOOST_TEST_REQUIRE(err.result.reasons.size() == 1u);
  BOOST_TEST(err.result.reasons[0] == "repetition 0 failed: broken");
}

BOOST_AUTO_TEST_CASE(detection_by_content) {
  BOOST_TEST(ingest::is_google_benchmark(parse_json_text(golden, "g")));
  BOOST_TEST(!ingest::is_google_benchmark(parse_json_text(R"({"schema": "perfcheck/result/v1", "benchmarks": []})", "g")));
  BOOST_TEST(!ingest::is_google_benchmark(parse_json_text(R"([1, 2])", "g")));
  BOOST_TEST(!ingest::is_google_benchmark(parse_json_text(R"({"context": {}})", "g")));
}

BOOST_AUTO_TEST_CASE(sub_nanosecond_times_stay_exact_in_the_columns) {
  const auto b = read(R"({"benchmarks": [
    {"name": "tiny", "run_type": "iteration", "real_time": 2.98e-4, "cpu_time": 2.9e-4, "time_unit": "us"}]})");
  BOOST_TEST(b[0].columns.at("wall")[0] == 0.298, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(b[0].result.runs[0].wall_ns == 0);
  BOOST_TEST(b[0].result.command == std::vector<std::string>{"gb.json"});  // no context: the file
}

BOOST_AUTO_TEST_CASE(files_without_run_type_are_read_as_before_1_5) {
  const auto b = read(R"({"benchmarks": [
    {"name": "old", "real_time": 5, "cpu_time": 5, "time_unit": "ns"},
    {"name": "old_mean", "aggregate_name": "mean", "real_time": 5, "cpu_time": 5, "time_unit": "ns"}]})");
  BOOST_TEST_REQUIRE(b.size() == 1u);
  BOOST_TEST(b[0].result.name == "old");
  BOOST_TEST(b[0].columns.at("wall").size() == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_fields_name_the_file_the_place_and_the_fix) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {with_field("time_unit", R"("min")"),
       {"gb.json: field 'benchmarks[1].time_unit'", "'min'", "ns, us, ms, s"}},
      {with_field("time_unit", ""), {"benchmarks[1].time_unit", "missing"}},
      {with_field("real_time", R"("fast")"), {"benchmarks[1].real_time", "expected a number"}},
      {with_field("real_time", ""), {"benchmarks[1].real_time", "missing"}},
      {with_field("cpu_time", "-3"), {"benchmarks[1].cpu_time", "at least 0"}},
      {with_field("real_time", "1e300"), {"benchmarks[1].real_time", "out of range"}},
      {with_field("name", "42"), {"benchmarks[1].name", "expected a string"}},
      {with_field("name", ""), {"benchmarks[1].name", "missing"}},
      {with_field("run_name", R"("")"), {"benchmarks[1].run_name", "empty"}},
      {with_field("run_type", R"("sometimes")"), {"benchmarks[1].run_type", "'iteration' or 'aggregate'"}},
      {with_field("repetition_index", "7"), {"benchmarks[1].repetition_index", "from 0 to 2"}},
      {with_field("repetitions", "0"), {"benchmarks[1].repetitions", "out of range"}},
      {with_field("error_occurred", R"("yes")"), {"benchmarks[1].error_occurred", "true or false"}},
      {R"({"benchmarks": {}})", {"gb.json: field 'benchmarks'", "expected an array"}},
      {R"({"context": {}})", {"field 'benchmarks'", "missing", "--benchmark_format=json"}},
      {R"({"benchmarks": []})", {"field 'benchmarks'", "empty", "--benchmark_filter"}},
      {R"({"benchmarks": [7]})", {"benchmarks[0]", "expected a JSON object"}},
      {R"({"context": [], "benchmarks": []})", {"field 'context'", "expected an object"}},
      {R"({"context": {"num_cpus": "many"}, "benchmarks": []})", {"context.num_cpus"}},
      {R"({"benchmarks": [{"name": "a_mean", "run_type": "aggregate"}]})",
       {"only aggregates", "--benchmark_report_aggregates_only"}},
      {R"({"benchmarks": [
         {"name": "a", "run_type": "iteration", "repetition_index": 0, "real_time": 1, "cpu_time": 1, "time_unit": "ns"},
         {"name": "a", "run_type": "iteration", "repetition_index": 0, "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]})",
       {"benchmarks[1].repetition_index", "appears twice", "one run per file"}},
      {"[]", {"gb.json", "expected a JSON object"}},
  };
  for (const auto& [text, needles] : cases) {
    const std::string message = error_of(text);
    for (const auto& needle : needles) {
      BOOST_TEST(contains(message, needle), "'" << needle << "' not in: " << message);
    }
  }
}

BOOST_AUTO_TEST_CASE(skipped_benchmarks_of_newer_libraries_are_errors_with_their_message) {
  const auto b = read(R"({"benchmarks": [
    {"name": "s", "run_type": "iteration", "skipped": true, "skip_message": "no GPU", "time_unit": "ns"}]})");
  BOOST_TEST(b[0].result.outcome == verdict::error);
  BOOST_TEST(b[0].result.reasons[0] == "repetition 0 failed: skipped: no GPU");
}

BOOST_AUTO_TEST_CASE(dates_without_a_zone_are_left_out) {
  const auto b = read(R"({"context": {"date": "2019-01-01 10:00:00"}, "benchmarks": [
    {"name": "a", "run_type": "iteration", "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]})");
  BOOST_TEST(b[0].result.started_at.empty());
  const auto z = read(R"({"context": {"date": "2019-12-31T23:30:00-01:00"}, "benchmarks": [
    {"name": "a", "run_type": "iteration", "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]})");
  BOOST_TEST(z[0].result.started_at == "2020-01-01T00:30:00.000Z");
}

#ifdef PERFCHECK_GBENCH_SAMPLE
// Real output: the sample program run with the flags the documentation gives.
BOOST_AUTO_TEST_CASE(real_google_benchmark_output) {
  const std::string command = std::string(PERFCHECK_GBENCH_SAMPLE) +
                              " --benchmark_repetitions=5 --benchmark_format=json 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  std::string text;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  BOOST_TEST_REQUIRE(::pclose(pipe) == 0);
  const auto benchmarks = read(text);
  BOOST_TEST_REQUIRE(benchmarks.size() == 2u);
  for (const auto& b : benchmarks) {
    BOOST_TEST(b.result.runs.size() == 5u, b.result.name);
    BOOST_TEST(b.columns.at("wall").size() == 5u);
    BOOST_TEST(b.result.outcome == verdict::pass);
    for (double t : b.columns.at("wall")) BOOST_TEST(t > 0);
  }
  BOOST_TEST(benchmarks[0].result.name.starts_with("sum_array/4096"));
  BOOST_TEST(benchmarks[0].columns.at("wall")[0] > 100);  // microseconds scaled to ns
  BOOST_TEST(!benchmarks[0].result.started_at.empty());
}
#endif
