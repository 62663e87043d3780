// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Metrics the command reports about itself (docs/metrics.md) from the run loop on: their shapes
// and columns, pooled distributions, thresholds and rules that name them, the plan's checks,
// the run loop reading each run's channel file, and the result JSON.
#define BOOST_TEST_MODULE reported_metrics
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "error_text.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/reported_metrics.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/runner.hpp"
#include "temp_folder.hpp"

using namespace perfcheck;
using perfcheck_test::error_text;

namespace {

run_sample run_of(std::int64_t wall_ns, std::map<std::string, reported_values> reported) {
  run_sample s;
  s.wall_ns = wall_ns;
  s.exit_code = 0;
  s.reported = std::move(reported);
  return s;
}

const reported_values ms_values(std::vector<double> ms) {
  for (double& v : ms) v *= 1e6;
  return {unit_kind::duration, false, false, std::move(ms)};
}

const reported_values counter(double sum) { return {unit_kind::count, false, true, {sum}}; }

/// An executor that writes each run's channel file from a script of channel texts.
class channel_executor final : public exec::executor {
 public:
  channel_executor(const temp_folder& folder, std::vector<std::string> texts)
      : folder_(folder), texts_(std::move(texts)) {}
  exec::run_report run(const exec::output_capture&) override {
    exec::run_report report;
    report.sample.wall_ns = 1'000'000'000;
    report.sample.exit_code = 0;
    report.metrics_path = folder_.file("run." + std::to_string(++calls));
    std::ofstream(report.metrics_path) << texts_.at(std::min<std::size_t>(calls - 1, texts_.size() - 1));
    return report;
  }
  std::size_t calls = 0;

 private:
  const temp_folder& folder_;
  std::vector<std::string> texts_;
};

run_spec spec_of(std::vector<std::string> metrics, std::vector<std::string> thresholds, int runs = 3) {
  run_spec s;
  s.name = "t";
  s.command = {"x"};
  s.warmup = 1;
  s.min_runs = s.max_runs = runs;
  s.metrics = std::move(metrics);
  s.thresholds = std::move(thresholds);
  return s;
}

std::string plan_error(const run_spec& spec) {
  return error_text<usage_error>([&] { (void)compile_plan(spec, {"command line", true}); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_name_every_run_reported_alike_is_measured_and_has_a_column_per_run) {
  const std::vector<run_sample> runs = {
      run_of(2'000'000'000, {{"startup", ms_values({12})}, {"op", ms_values({1, 3, 2})}, {"pairs", counter(100)},
                             {"only_first", ms_values({1})}}),
      run_of(1'000'000'000, {{"startup", ms_values({14})}, {"op", ms_values({5})}, {"pairs", counter(300)}}),
  };
  const auto shapes = reported_shapes(runs);
  BOOST_TEST(shapes.size() == 3u);  // only_first: not every run reported it
  BOOST_TEST(shapes.at("op").distribution);
  BOOST_TEST(!shapes.at("startup").distribution);
  BOOST_TEST(shapes.at("pairs").counter);
  const auto columns = metric_columns(runs);
  BOOST_TEST(columns.at("startup") == (std::vector<double>{12e6, 14e6}), boost::test_tools::per_element());
  BOOST_TEST(columns.at("op") == (std::vector<double>{2e6, 5e6}), boost::test_tools::per_element());  // run medians
  BOOST_TEST(columns.at("pairs.rate") == (std::vector<double>{50, 300}), boost::test_tools::per_element());
  BOOST_TEST(!columns.contains("only_first"));
  BOOST_TEST(!columns.contains("startup.rate"));
  const auto pooled = pooled_distributions(runs);
  BOOST_TEST(pooled.size() == 1u);
  BOOST_TEST(pooled.at("op") == (std::vector<double>{1e6, 3e6, 2e6, 5e6}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_name_reported_with_another_unit_in_some_run_is_not_measured) {
  const std::vector<run_sample> runs = {
      run_of(1, {{"x", ms_values({1})}}),
      run_of(1, {{"x", reported_values{unit_kind::size, false, false, {5}}}}),
  };
  BOOST_TEST(reported_shapes(runs).empty());
  BOOST_TEST(!metric_columns(runs).contains("x"));
}

BOOST_AUTO_TEST_CASE(reported_values_round_trip_the_result_json_and_old_files_read_unchanged) {
  run_result r;
  r.name = "t";
  r.command = {"x"};
  r.runs = {run_of(5, {{"hit", reported_values{unit_kind::count, true, false, {0.785}}}, {"pairs", counter(7)}})};
  r.metadata = {{"endpoint", "/api/v1"}};
  const auto json = result_to_json(r);
  BOOST_TEST(boost::json::serialize(json).find("\"reported\"") != std::string::npos);
  const run_result back = result_from_json(json, "r.json");
  BOOST_TEST(back.runs == r.runs);
  BOOST_TEST(back.metadata == r.metadata);
  // A run without reported metrics writes no member at all (older readers see what they knew).
  run_result plain = r;
  plain.runs = {run_of(5, {})};
  plain.metadata.clear();
  const std::string text = boost::json::serialize(result_to_json(plain));
  BOOST_TEST(text.find("reported") == std::string::npos);
  BOOST_TEST(text.find("metadata") == std::string::npos);
  // A hostile name in a file is refused where it is read.
  auto bad = result_to_json(r);
  auto& run = bad.as_object()["runs"].as_array()[0].as_object();
  run["reported"].as_object()["<b>"] = run["reported"].as_object()["pairs"];
  BOOST_TEST(error_text<usage_error>([&] { (void)result_from_json(bad, "r.json"); }).find("r.json") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(thresholds_name_declared_metrics_with_the_unit_their_limit_gives) {
  const std::vector<std::string> declared = {"startup", "hit", "pairs"};
  const auto t = parse_threshold("startup.median < 500ms", declared);
  BOOST_TEST(t.metric == "startup");
  BOOST_TEST(t.statistic == "median");
  BOOST_TEST((t.source == subject_source::reported));
  BOOST_TEST((t.kind == unit_kind::duration));
  BOOST_TEST(t.limit == 5e8);
  const auto pct = parse_threshold("hit.min >= 75%", declared);
  BOOST_TEST((pct.form == value_form::percent));
  BOOST_TEST(pct.limit == 0.75);
  const auto rate = parse_threshold("pairs.rate >= 333/s", declared);
  BOOST_TEST(rate.metric == "pairs.rate");
  BOOST_TEST(rate.statistic == "median");
  BOOST_TEST((rate.kind == unit_kind::rate));
  BOOST_TEST(parse_threshold("pairs.rate.min >= 2/min", declared).statistic == "min");
  BOOST_TEST(parse_threshold("wall.p95 < 1s", declared).metric == "wall");  // built-ins unchanged
  auto error = [&](const char* text) { return error_text<usage_error>([&] { (void)parse_threshold(text, declared); }); };
  BOOST_TEST(error("startup < 1s").find("'startup' has no statistic; write e.g. 'startup.median'") != std::string::npos);
  BOOST_TEST(error("startup.p42 < 1s").find("unknown statistic 'p42'") != std::string::npos);
  BOOST_TEST(error("pairs.rate >= 3").find("'3' is not a rate") != std::string::npos);
  BOOST_TEST(error("ghost.median < 1s").find("unknown metric 'ghost' (a metric the command reports itself is declared "
                                             "first: METRICS ghost in add_perf_test") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_plan_refuses_built_in_names_unknown_units_and_mismatched_limits) {
  BOOST_TEST(plan_error(spec_of({"wall"}, {})).find("--metric 'wall': 'wall' is a metric perfcheck measures itself") !=
             std::string::npos);
  BOOST_TEST(plan_error(spec_of({"io.bytes"}, {})).find("measures itself") != std::string::npos);
  BOOST_TEST(plan_error(spec_of({"x:parsec"}, {})).find("--metric 'x:parsec': unknown unit 'parsec'") != std::string::npos);
  BOOST_TEST(plan_error(spec_of({"x", "x:ms"}, {})).find("'x' is declared twice") != std::string::npos);
  BOOST_TEST(plan_error(spec_of({"x:ms"}, {"x.median < 5MiB"}))
                 .find("--threshold 'x.median < 5MiB': 'x' is declared as a duration but the limit 5.00 MiB is a size") !=
             std::string::npos);
  BOOST_TEST(plan_error(spec_of({"hit:%"}, {"hit.median > 0.5"})).find("declared as a percentage") != std::string::npos);
  run_spec meta = spec_of({}, {});
  meta.metadata = {"team=core", "1x=y"};
  BOOST_TEST(plan_error(meta).find("--meta '1x=y': metadata reads key=value") != std::string::npos);
  meta.metadata = {"team=core\nx"};
  BOOST_TEST(plan_error(meta).find("control character") != std::string::npos);
  meta.metadata = {"team=core", "dataset=a=b"};
  BOOST_TEST((compile_plan(meta, {"command line", true}).metadata ==
              std::map<std::string, std::string>{{"dataset", "a=b"}, {"team", "core"}}));
  // Rules may name declared metrics and their rates.
  run_spec rules = spec_of({"startup:ms", "pairs"}, {});
  rules.regressions = {"startup.median +10%", "pairs.rate.median +5%"};
  BOOST_TEST(compile_plan(rules, {"command line", true}).regressions.size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_run_loop_reads_each_channel_gates_and_summarizes_distributions_pooled) {
  temp_folder folder("perfcheck-reported");
  channel_executor executor(folder, {"warm 1\n", "startup 12 ms\nop 1 ms\nop 3 ms\n#meta k=first\n",
                                     "startup 14 ms\nop 2 ms\n#meta k=second\n", "startup 16 ms\nop 4 ms\nop 5 ms\n"});
  run_spec spec = spec_of({"startup:ms", "op"}, {"startup.median < 15ms", "op.max < 5ms", "op.median == 3ms"});
  spec.metadata = {"team=core"};
  const run_result r = run::run_test(spec, executor, {});
  BOOST_TEST(executor.calls == 4u);
  BOOST_TEST(r.warmup_runs.front().reported.contains("warm"));  // read, and discarded with the warm-up
  BOOST_TEST(!r.summary.contains("warm"));
  BOOST_TEST(r.summary.at("startup").median == 14e6);
  BOOST_TEST(r.summary.at("op").n == 5u);  // pooled: 1, 3, 2, 4, 5 ms
  BOOST_TEST(r.summary.at("op").median == 3e6);
  BOOST_TEST_REQUIRE(r.thresholds.size() == 3u);
  BOOST_TEST(r.thresholds[0].ok);
  BOOST_TEST(!r.thresholds[1].ok);
  BOOST_TEST(r.thresholds[2].ok);
  BOOST_TEST((r.outcome == verdict::failed));
  BOOST_TEST((r.metadata == std::map<std::string, std::string>{{"k", "first"}, {"team", "core"}}));
  for (std::size_t i = 1; i <= 4; ++i) BOOST_TEST(!std::filesystem::exists(folder.file("run." + std::to_string(i))));
}

BOOST_AUTO_TEST_CASE(bad_lines_over_all_runs_give_one_warning_with_the_first) {
  temp_folder folder("perfcheck-reported");
  channel_executor executor(folder, {"a 1\n", "a 1\nb\n", "a 1\nc x\nd 1 parsecs\n"});
  const run_result r = run::run_test(spec_of({}, {}, 2), executor, {});
  std::vector<std::string> channel;
  for (const auto& w : r.warnings)
    if (w.find("metric channel") != std::string::npos) channel.push_back(w);
  BOOST_TEST_REQUIRE(channel.size() == 1u);
  BOOST_TEST(channel[0].find("3 malformed lines, skipped; the first: run 1: line 2: 'b': no value after the name") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(gates_on_missing_or_mismatched_metrics_fail_naming_them) {
  temp_folder folder("perfcheck-reported");
  channel_executor executor(folder, {"startup 1 ms\n"});
  const run_result r = run::run_test(spec_of({"startup", "ghost"}, {"startup.median < 1MiB", "ghost.p95 < 1s"}), executor, {});
  BOOST_TEST((r.outcome == verdict::failed));
  BOOST_TEST_REQUIRE(r.reasons.size() == 2u);
  BOOST_TEST(r.reasons[0] == "startup.median < 1MiB: 'startup' is reported as a duration but the limit 1.00 MiB is a size; "
                             "write the limit in the reported unit's kind");
  BOOST_TEST(r.reasons[1].find("ghost.p95 < 1s: ghost.p95 was not measured: the command did not report 'ghost'") == 0u);
  BOOST_TEST(!r.thresholds[1].measured);
  // The last run reports nothing: startup is not in every measured run.
  channel_executor partial(folder, {"startup 1 ms\n", "startup 1 ms\n", "startup 1 ms\n", ""});
  const run_result p = run::run_test(spec_of({"startup"}, {"startup.median < 1s"}), partial, {});
  BOOST_TEST(!p.thresholds[0].measured);
  BOOST_TEST(std::any_of(p.warnings.begin(), p.warnings.end(), [](const std::string& w) {
    return w.find("the metric 'startup' was reported in 2 of 3 measured runs") != std::string::npos;
  }));
}
