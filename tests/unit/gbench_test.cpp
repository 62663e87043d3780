// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE gbench
#include <boost/test/unit_test.hpp>

#include <string>

#include <boost/json.hpp>

#include "perfcheck/ingest/google_benchmark.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/run/gbench.hpp"

using namespace perfcheck;

namespace {

// An iteration entry as libbenchmark 1.7.1 writes it: a rate counter and a custom one.
const char* one_run = R"({"benchmarks": [
  {"name": "BM_sum/4096", "run_name": "BM_sum/4096", "run_type": "iteration", "repetitions": 1,
   "repetition_index": 0, "threads": 1, "iterations": 200, "real_time": 2.5, "cpu_time": 2.0,
   "time_unit": "us", "items_per_second": 2.048e9, "values": 4096},
  {"name": "BM_sum/4096_mean", "run_name": "BM_sum/4096", "run_type": "aggregate", "aggregate_name": "mean",
   "iterations": 1, "real_time": 2.5, "cpu_time": 2.0, "time_unit": "us"}]})";

std::vector<ingest::google_benchmark_run> runs_of(const char* text) {
  return ingest::read_google_benchmark_runs(boost::json::parse(text), "out.json");
}

std::string error_of(const std::vector<ingest::google_benchmark_run>& runs) {
  try {
    (void)run::gbench_metrics(runs, "bin/suite", "BM_sum/4096");
  } catch (const command_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_filter_selects_exactly_one_benchmark_and_keeps_placeholders) {
  BOOST_TEST(run::gbench_filter("BM_sum/{n}") == "^BM_sum/{n}$");
  BOOST_TEST(run::gbench_filter("BM_x/size:{size}/min_time:0.5") == "^BM_x/size:{size}/min_time:0\\.5$");
  BOOST_TEST(run::gbench_filter("BM_t<a, b>/{1}") == "^BM_t<a, b>/\\{1\\}$");  // {1} is no placeholder
  BOOST_TEST(run::gbench_name_of_filter("^BM_x/min_time:0\\.5$") == "BM_x/min_time:0.5");
  BOOST_TEST(run::gbench_name_of_filter(run::gbench_filter("BM_(a)+[b]")) == "BM_(a)+[b]");
}

BOOST_AUTO_TEST_CASE(the_counters_and_iterations_are_read_and_aggregates_left_out) {
  const auto runs = runs_of(one_run);
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(runs[0].iterations == 200);
  BOOST_TEST(runs[0].real_ns == 2500);
  BOOST_TEST(runs[0].counters.size() == 2u);
  BOOST_TEST(runs[0].counters.at("values") == 4096);
}

BOOST_AUTO_TEST_CASE(every_figure_becomes_a_metric_of_its_kind) {
  const auto metrics = run::gbench_metrics(runs_of(one_run), "bin/suite", "BM_sum/4096");
  BOOST_TEST(metrics.size() == 5u);
  BOOST_TEST((metrics.at("real_time").kind == unit_kind::duration));
  BOOST_TEST(metrics.at("real_time").values == std::vector<double>{2500}, boost::test_tools::per_element());
  BOOST_TEST(metrics.at("cpu_time").values == std::vector<double>{2000}, boost::test_tools::per_element());
  BOOST_TEST((metrics.at("iterations").kind == unit_kind::count));
  BOOST_TEST((metrics.at("items_per_second").kind == unit_kind::rate));
  BOOST_TEST((metrics.at("values").kind == unit_kind::count));
  BOOST_TEST(!metrics.at("values").counter);  // a value of the run, not a sum of increments
}

BOOST_AUTO_TEST_CASE(a_failed_repetition_names_the_binary_the_benchmark_and_its_message) {
  auto runs = runs_of(one_run);
  runs[0].failed = true;
  runs[0].message = "out of input";
  const std::string why = error_of(runs);
  BOOST_TEST(why.find("'bin/suite'") != std::string::npos, why);
  BOOST_TEST(why.find("'BM_sum/4096' reported an error: out of input") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(a_counter_named_like_a_built_in_metric_is_refused) {
  auto runs = runs_of(one_run);
  runs[0].counters["wall"] = 1;
  const std::string why = error_of(runs);
  BOOST_TEST(why.find("the counter 'wall' of the benchmark 'BM_sum/4096' cannot be a perfcheck metric") !=
                 std::string::npos, why);
  BOOST_TEST(why.find("rename the counter") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(no_repetition_or_two_benchmarks_in_one_run_are_errors) {
  BOOST_TEST(error_of({}).find("wrote no repetition") != std::string::npos);
  auto runs = runs_of(one_run);
  runs.push_back(runs[0]);
  runs[1].run_name = "BM_spin";
  const std::string why = error_of(runs);
  BOOST_TEST(why.find("ran both 'BM_sum/4096' and 'BM_spin'") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(a_command_asking_for_json_without_its_own_file_is_a_google_benchmark_test) {
  BOOST_TEST(ingest::is_google_benchmark_command({"bench", "--benchmark_out_format=json"}));
  BOOST_TEST(!ingest::is_google_benchmark_command({"bench"}));
  BOOST_TEST(!ingest::is_google_benchmark_command({"bench", "--benchmark_out_format=json", "--benchmark_out=x.json"}));
  BOOST_TEST(!ingest::is_google_benchmark_command({"--benchmark_out_format=json"}));  // the program itself
}
