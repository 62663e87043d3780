// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Limits, soak and the new per-run measurements, without processes: spec fields, flags'
// grammar, thresholds on the new metrics, verdict reasons, the run loop with a fake executor,
// trend analysis. The real processes are in exec_test and tests/cli/limits_test.py.
#define BOOST_TEST_MODULE limits
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/runner.hpp"
#include "fake_executor.hpp"

using namespace perfcheck;
using perfcheck::test::fake_executor;

namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t mib = 1 << 20;

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const usage_error& e) {
    return e.what();
  }
  BOOST_FAIL("no usage_error was thrown");
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

run_spec spec_from(const std::string& json) {
  return spec_from_json(boost::json::parse(json), "t.json");
}

const std::string head = R"("schema": "perfcheck/spec/v1", "name": "t", "command": ["x"])";

run_sample sample(double wall_ms, std::int64_t rss = 10 * mib) {
  run_sample s;
  s.wall_ns = static_cast<std::int64_t>(wall_ms * 1e6);
  s.user_ns = s.wall_ns / 2;
  s.max_rss_bytes = rss;
  s.rss_tree_bytes = rss;
  s.exit_code = 0;
  return s;
}

run_sample stopped(limit_kind kind, double observed, double wall_ms = 50) {
  run_sample s = sample(wall_ms);
  s.exit_code.reset();
  s.signal = 15;
  s.limit = kind;
  s.limit_observed = observed;
  return s;
}

run_spec plan(int warmup, int runs) {
  run_spec s;
  s.name = "t";
  s.command = {"x"};
  s.warmup = warmup;
  s.min_runs = s.max_runs = runs;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_fields)

BOOST_AUTO_TEST_CASE(limits_are_read_in_base_units) {
  const run_spec s = spec_from("{" + head + R"(, "limits": {"memory": "256MiB", "timeout": "60s",
      "cpu_time": "1500ms", "processes": 64, "open_files": "128", "file_size": "1GB", "output": "10MiB"}})");
  BOOST_TEST(s.limits.memory_bytes == 256 * mib);
  BOOST_TEST(s.limits.timeout_ns == 60'000 * ms);
  BOOST_TEST(s.limits.cpu_time_ns == 1'500 * ms);
  BOOST_TEST(s.limits.processes == 64);
  BOOST_TEST(s.limits.open_files == 128);
  BOOST_TEST(s.limits.file_size_bytes == 1'000'000'000);
  BOOST_TEST(s.limits.output_bytes == 10 * mib);
  // Written back and read again: the same spec.
  BOOST_TEST((spec_from_json(spec_to_json(s), "again") == s));
}

BOOST_AUTO_TEST_CASE(bad_limits_name_the_field_and_the_fix) {
  auto error = [](const std::string& limits) { return message_of([&] { spec_from("{" + head + ", \"limits\": " + limits + "}"); }); };
  std::string m = error(R"({"memroy": "1GiB"})");
  BOOST_TEST(contains(m, "t.json: field 'limits.memroy': unknown field"), m);
  BOOST_TEST(contains(m, "memory"), m);
  m = error(R"({"memory": "5s"})");
  BOOST_TEST(contains(m, "field 'limits.memory'"), m);
  BOOST_TEST(contains(m, "'5s' is not a size"), m);
  m = error(R"({"timeout": 60})");
  BOOST_TEST(contains(m, "field 'limits.timeout': expected a string with a unit"), m);
  m = error(R"({"processes": "many"})");
  BOOST_TEST(contains(m, "limits.processes"), m);
  m = error(R"({"processes": 100000})");
  BOOST_TEST(contains(m, "out of range; use 1 to 4096"), m);
  m = error(R"({"open_files": 2})");
  BOOST_TEST(contains(m, "stdin, stdout and stderr count"), m);
  m = error(R"({"memory": "0B"})");
  BOOST_TEST(contains(m, "out of range"), m);
  m = error(R"({"processes": 2.5})");
  BOOST_TEST(contains(m, "limits.processes"), m);
}

BOOST_AUTO_TEST_CASE(output_limit_needs_captured_output) {
  const std::string m = message_of([] {
    spec_from("{" + head + R"(, "show_output": true, "limits": {"output": "1MiB"}})");
  });
  BOOST_TEST(contains(m, "OUTPUT needs the output captured"), m);
}

BOOST_AUTO_TEST_CASE(soak_and_isolation_fields) {
  run_spec s = spec_from("{" + head + R"(, "duration": "10min", "sample_interval": "5ms",
      "cpus": "0,2-3", "nice": 5, "clean_env": true, "no_aslr": true})");
  BOOST_TEST(s.duration_ns == 600'000 * ms);
  BOOST_TEST(!s.once);
  BOOST_TEST(s.sample_interval_ns == 5 * ms);
  BOOST_TEST((s.cpus == std::vector<int>{0, 2, 3}));
  BOOST_TEST(s.nice.value_or(0) == 5);
  BOOST_TEST(s.clean_environment);
  BOOST_TEST(s.no_aslr);
  BOOST_TEST((spec_from_json(spec_to_json(s), "again") == s));
  s = spec_from("{" + head + R"(, "duration": "once", "sample_interval": "0", "cpus": [3, 1]})");
  BOOST_TEST(s.once);
  BOOST_TEST(s.sample_interval_ns == 0);
  BOOST_TEST((s.cpus == std::vector<int>{1, 3}));
  BOOST_TEST((spec_from_json(spec_to_json(s), "again") == s));
}

BOOST_AUTO_TEST_CASE(bad_soak_and_isolation_fields) {
  auto error = [](const std::string& fields) { return message_of([&] { spec_from("{" + head + ", " + fields + "}"); }); };
  BOOST_TEST(contains(error(R"("duration": "forever")"), "field 'duration'"));
  BOOST_TEST(contains(error(R"("duration": "0s")"), "or 'once'"));
  BOOST_TEST(contains(error(R"("sample_interval": "100us")"), "from 1ms to 10s"));
  BOOST_TEST(contains(error(R"("cpus": "1-0")"), "runs backwards"));
  BOOST_TEST(contains(error(R"("cpus": "2048")"), "CPUs 0 to 1023"));
  BOOST_TEST(contains(error(R"("cpus": "a")"), "not a CPU number"));
  BOOST_TEST(contains(error(R"("nice": 42)"), "field 'nice'"));
}

// Old specs keep their hash; the settings that change the conditions change it.
BOOST_AUTO_TEST_CASE(hash_changes_only_with_conditions) {
  run_spec s = spec_from("{" + head + "}");
  const std::string plain = spec_hash(s);
  s.limits.timeout_ns = 5 * ms;
  s.duration_ns = 1000 * ms;
  s.sample_interval_ns = 0;
  BOOST_TEST(spec_hash(s) == plain);
  s.cpus = {1};
  BOOST_TEST(spec_hash(s) != plain);
  s.cpus.clear();
  s.no_aslr = true;
  BOOST_TEST(spec_hash(s) != plain);
}

BOOST_AUTO_TEST_CASE(limit_assignments_from_the_command_line) {
  auto [kind, value] = parse_limit_assignment("memory=256MiB");
  BOOST_TEST(to_string(kind) == std::string("MEMORY"));
  BOOST_TEST(value == 256 * mib);
  std::tie(kind, value) = parse_limit_assignment("CPU-TIME=2s");
  BOOST_TEST(to_string(kind) == std::string("CPU_TIME"));
  BOOST_TEST(value == 2'000 * ms);
  BOOST_TEST(contains(message_of([] { parse_limit_assignment("RAM=1GiB"); }), "unknown kind 'RAM'; use one of MEMORY, CPU_TIME, TIMEOUT"));
  BOOST_TEST(contains(message_of([] { parse_limit_assignment("TIMEOUT"); }), "is not KIND=VALUE"));
  BOOST_TEST(contains(message_of([] { parse_limit_assignment("TIMEOUT=2 fortnights"); }), "limit TIMEOUT: unknown unit"));
}

BOOST_AUTO_TEST_CASE(cpu_lists_round_trip) {
  BOOST_TEST((parse_cpu_list("3,0-1,1", "--cpus") == std::vector<int>{0, 1, 3}));
  BOOST_TEST(format_cpu_list({0, 1, 2, 5, 7, 8}) == "0-2,5,7-8");
  BOOST_TEST(contains(message_of([] { parse_cpu_list("", "--cpus"); }), "--cpus: '' is empty"));
  BOOST_TEST(contains(message_of([] { parse_cpu_list("1,", "--cpus"); }), "not a CPU number"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(thresholds)

BOOST_AUTO_TEST_CASE(tree_metrics_bare_mean_the_worst_run) {
  const auto t = gate::parse_threshold("io.read_bytes < 1MiB");
  BOOST_TEST(t.metric == "io.read_bytes");
  BOOST_TEST(t.statistic == "max");
  BOOST_TEST(t.limit == double(mib));
  const auto p = gate::parse_threshold("faults.minor.median <= 1000");
  BOOST_TEST(p.metric == "faults.minor");
  BOOST_TEST(p.statistic == "median");
  BOOST_TEST(gate::parse_threshold("rss_tree.max < 64MiB").metric == "rss_tree");
  BOOST_TEST((gate::parse_threshold("leaked.processes == 0").kind == unit_kind::count));
  BOOST_TEST(gate::parse_threshold("ctx.involuntary < 100").metric == "ctx.involuntary");
}

BOOST_AUTO_TEST_CASE(percent_and_size_per_time_are_strict) {
  auto g = gate::parse_threshold("rss.growth < 10%");
  BOOST_TEST((g.form == gate::value_form::percent));
  BOOST_TEST(g.limit == 0.1);
  auto s = gate::parse_threshold("rss.slope < 1MiB/min");
  BOOST_TEST((s.form == gate::value_form::size_per_time));
  BOOST_TEST(std::abs(s.limit - mib / 60.0) < 1e-9);
  BOOST_TEST(std::abs(gate::parse_threshold("rss.slope < 2 KiB/s").limit - 2048) < 1e-9);
  BOOST_TEST(gate::parse_threshold("wall.drift < 5%").limit == 0.05);

  auto error = [](const char* text) { return message_of([&] { gate::parse_threshold(text); }); };
  BOOST_TEST(contains(error("rss.growth < 0.1"), "needs a unit: rss.growth is a percentage (write e.g. 10%)"));
  BOOST_TEST(contains(error("rss.growth < 10MiB"), "'10MiB' is a size, but rss.growth is a percentage"));
  BOOST_TEST(contains(error("rss.growth < ten%"), "is not a percentage"));
  BOOST_TEST(contains(error("wall.p95 < 10%"), "'10%' is a percentage, but wall.p95 is a duration"));
  BOOST_TEST(contains(error("rss.slope < 1MiB"), "needs a time unit: rss.slope is a size per time"));
  BOOST_TEST(contains(error("rss.slope < 1MiB/fortnight"), "unknown time unit 'fortnight'"));
  BOOST_TEST(contains(error("rss.slope < 5ms/min"), "before '/' comes a size"));
  BOOST_TEST(contains(error("io.read_bytes < 3"), "needs a unit"));
  BOOST_TEST(contains(error("io.bogus < 3"), "unknown metric 'io'"));
}

BOOST_AUTO_TEST_CASE(trend_gates_read_zero_without_a_significant_trend) {
  run_result r;
  const auto growth = gate::parse_threshold("rss.growth < 10%");
  BOOST_TEST(!gate::measured_value(growth, r).has_value());  // no soak: not measured
  trend_outcome t;
  t.change = 0.5;
  t.slope = 1000;
  t.significant = false;
  r.trends["rss"] = t;
  BOOST_TEST(gate::measured_value(growth, r).value_or(-1) == 0.0);
  r.trends["rss"].significant = true;
  BOOST_TEST(gate::measured_value(growth, r).value_or(-1) == 0.5);
  BOOST_TEST(gate::measured_value(gate::parse_threshold("rss.slope < 1MiB/min"), r).value_or(-1) == 1000.0);
  BOOST_TEST(gate::format_threshold_value(growth, 0.5) == "50%");
  BOOST_TEST(gate::format_threshold_value(gate::parse_threshold("rss.slope < 1MiB/min"), mib / 60.0) == "1.00 MiB/min");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(verdicts)

BOOST_AUTO_TEST_CASE(a_limit_fails_with_a_clear_reason) {
  run_result r;
  r.limits.memory_bytes = 256 * mib;
  r.limits.timeout_ns = 2'000 * ms;
  r.runs = {sample(10), sample(10), stopped(limit_kind::memory, 262.0 * mib)};
  run::summarize_runs(r);
  gate::apply_verdict(r, {}, false);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_REQUIRE(r.reasons.size() == 1u);
  BOOST_TEST(r.reasons[0] == "run 3 exceeded MEMORY 256 MiB (tree at 262 MiB when stopped)");

  r.runs = {stopped(limit_kind::timeout, 2.01e9, 2010)};
  r.warmup_runs.clear();
  gate::apply_verdict(r, {}, true);  // failures allowed: a limit still fails
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_TEST(r.reasons.at(0) == "run 1 exceeded TIMEOUT 2 s");
  // A limited run is not an exit failure.
  BOOST_TEST(gate::measured_value(gate::parse_threshold("exit.failures == 0"), r).value_or(-1) == 0.0);
}

BOOST_AUTO_TEST_CASE(a_crash_stays_an_error_with_the_signal) {
  run_result r;
  run_sample crash = sample(10);
  crash.exit_code.reset();
  crash.signal = 11;
  r.runs = {crash};
  run::summarize_runs(r);
  gate::apply_verdict(r, {}, false);
  BOOST_TEST(to_string(r.outcome) == std::string("error"));
  BOOST_TEST(r.reasons.at(0) == "run 1 was killed by SIGSEGV");
}

BOOST_AUTO_TEST_CASE(every_kind_reads_well) {
  resource_limits l;
  l.cpu_time_ns = 1'500 * ms;
  l.processes = 20;
  l.open_files = 32;
  l.file_size_bytes = mib;
  l.output_bytes = 4 * mib;
  BOOST_TEST(gate::describe_limit(stopped(limit_kind::cpu_time, 1.51e9), l) ==
             "exceeded CPU_TIME 1.5 s (tree used 1.51 s of CPU when stopped)");
  BOOST_TEST(gate::describe_limit(stopped(limit_kind::processes, 24), l) ==
             "exceeded PROCESSES 20 (24 processes when stopped)");
  BOOST_TEST(gate::describe_limit(stopped(limit_kind::open_files, 33), l) ==
             "exceeded OPEN_FILES 32 (a process held 33 open files)");
  BOOST_TEST(gate::describe_limit(stopped(limit_kind::file_size, double(mib)), l) ==
             "exceeded FILE_SIZE 1 MiB (a write past it was refused with SIGXFSZ)");
  BOOST_TEST(gate::describe_limit(stopped(limit_kind::output, 4.5 * mib), l) ==
             "exceeded OUTPUT 4 MiB (4.50 MiB of output when stopped)");
  BOOST_TEST(gate::describe_limit(sample(1), l).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(run_loop)

BOOST_AUTO_TEST_CASE(a_limit_stops_the_test_at_once) {
  // Every run would time out: one timeout, not thirty.
  fake_executor fake([](int) { return stopped(limit_kind::timeout, 2e9, 2000); });
  run_spec s = plan(0, 30);
  s.limits.timeout_ns = 2'000 * ms;
  s.allow_failures = true;
  const auto r = run::run_test(s, fake, {});
  BOOST_TEST(fake.calls == 1);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_TEST(r.limits.timeout_ns == 2'000 * ms);
  BOOST_TEST(r.reasons.at(0) == "run 1 exceeded TIMEOUT 2 s");
}

BOOST_AUTO_TEST_CASE(a_limit_in_the_warmup_stops_before_measuring) {
  fake_executor fake([](int) { return stopped(limit_kind::memory, 300.0 * mib); });
  run_spec s = plan(2, 10);
  s.limits.memory_bytes = 256 * mib;
  const auto r = run::run_test(s, fake, {});
  BOOST_TEST(fake.calls == 1);
  BOOST_TEST(r.runs.empty());
  BOOST_TEST(r.reasons.at(0) == "warm-up run 1 exceeded MEMORY 256 MiB (tree at 300 MiB when stopped)");
}

BOOST_AUTO_TEST_CASE(leaked_processes_are_a_warning_and_a_metric) {
  fake_executor fake([](int i) {
    run_sample s = sample(10);
    s.leaked_processes = i == 2 ? 2 : 0;
    return s;
  });
  run_spec s = plan(0, 4);
  s.thresholds = {"leaked.processes == 0"};
  const auto r = run::run_test(s, fake, {});
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_TEST(r.reasons.at(0) == "leaked.processes == 0: measured 2");
  bool warned = false;
  for (const auto& w : r.warnings) warned = warned || contains(w, "1 run left processes running");
  BOOST_TEST(warned);
  BOOST_TEST(r.summary.at("leaked.processes").max == 2.0);
}

BOOST_AUTO_TEST_CASE(duration_repeats_runs_until_spent) {
  fake_executor fake([](int) { return sample(100); });
  run_spec s = plan(1, 3);
  s.duration_ns = 2'000 * ms;
  const auto r = run::run_test(s, fake, {});
  BOOST_TEST(r.runs.size() == 20u);
  BOOST_TEST(r.warmup_runs.size() == 1u);
  BOOST_TEST(r.trends.count("rss") == 1u);
  BOOST_TEST(r.trends.count("wall") == 1u);
  BOOST_TEST(!r.trends.at("wall").significant);  // constant: no trend

  // The duration decides, not the runs: 10 runs of 300 ms would overrun a 1 s soak (and the
  // CTest TIMEOUT add_perf_test derives from the duration).
  fake_executor slow([](int) { return sample(300); });
  run_spec soak = plan(0, 10);
  soak.duration_ns = 1'000 * ms;
  BOOST_TEST(run::run_test(soak, slow, {}).runs.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_soak_flags_growth_and_drift) {
  // Memory up 1 MiB per run and time up 1% per run: both trends are found.
  fake_executor fake([](int i) { return sample(100 * (1 + 0.01 * i), (10 + i) * mib); });
  run_spec s = plan(0, 5);
  s.duration_ns = 4'000 * ms;
  s.thresholds = {"rss.growth < 10%", "rss.slope < 1MiB/min", "wall.drift < 5%"};
  const auto r = run::run_test(s, fake, {});
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_TEST(r.trends.at("rss").significant);
  BOOST_TEST(r.trends.at("rss").change > 1.0);
  BOOST_TEST(r.trends.at("wall").change > 0.2);
  for (const auto& t : r.thresholds) BOOST_TEST(!t.ok, t.expr.text);
}

BOOST_AUTO_TEST_CASE(once_is_one_run_judged_on_its_timeline) {
  auto timeline = [](double per_point) {
    run_sample s = sample(2000, 64 * mib);
    for (int i = 0; i < 200; ++i) {
      s.memory_timeline.push_back({i * 10 * ms, static_cast<std::int64_t>(8 * mib + per_point * i), 1});
    }
    return s;
  };
  fake_executor growing([&](int) { return timeline(64 * 1024); });
  run_spec s = plan(3, 10);
  s.once = true;
  s.thresholds = {"rss.growth < 10%"};
  auto r = run::run_test(s, growing, {});
  BOOST_TEST(growing.calls == 1);
  BOOST_TEST(r.warmup_runs.empty());
  BOOST_TEST(r.trends.at("rss").significant);
  BOOST_TEST(r.trends.at("rss").slope > 6.0 * mib - 1);  // 64 KiB per 10 ms
  BOOST_TEST(r.trends.count("wall") == 0u);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));

  fake_executor steady([&](int) { return timeline(0); });
  r = run::run_test(s, steady, {});
  BOOST_TEST(to_string(r.outcome) == std::string("pass"));
  BOOST_TEST(!r.trends.at("rss").significant);
}

BOOST_AUTO_TEST_CASE(too_short_a_soak_warns_instead_of_judging) {
  fake_executor fake([](int) { return sample(100); });
  run_spec s = plan(0, 1);
  s.once = true;
  s.thresholds = {"rss.growth < 10%"};
  const auto r = run::run_test(s, fake, {});
  BOOST_TEST(r.trends.empty());
  bool warned = false;
  for (const auto& w : r.warnings) warned = warned || contains(w, "too short to judge memory growth");
  BOOST_TEST(warned);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));  // the gate was not measured
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(analysis)

BOOST_AUTO_TEST_CASE(fit_trend_on_a_known_line) {
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(i * 1e9);           // one point a second
    y.push_back(100 + 2.0 * i + (i % 3 == 0 ? 0.5 : -0.25));  // 2 per second, small wobble
  }
  const auto t = run::fit_trend(x, y);
  BOOST_TEST(t.n == 50u);
  BOOST_TEST(std::abs(t.slope - 2.0) < 0.05);
  BOOST_TEST(t.slope_low <= t.slope);
  BOOST_TEST(t.slope_high >= t.slope);
  BOOST_TEST(t.significant);
  BOOST_TEST(t.window_ns == 49'000'000'000);
  BOOST_TEST(std::abs(t.change - (t.end - t.start) / t.start) < 1e-12);
}

BOOST_AUTO_TEST_CASE(a_steep_rise_from_almost_nothing_is_growth_not_zero) {
  // 1 MiB, then 100 MiB more every second: the Theil-Sen line starts at 0 (the median of
  // y - slope x), so growth relative to it was reported as 0% and passed a leak gate.
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(i * 1e9);
    y.push_back(i == 0 ? 1.0 : 100.0 * i);
  }
  const auto t = run::fit_trend(x, y);
  BOOST_TEST(t.start <= 0.0);
  BOOST_TEST(t.significant);
  BOOST_TEST(t.change == (t.end - 1.0) / 1.0, boost::test_tools::tolerance(1e-12));  // from the smallest value
  BOOST_TEST(t.change > 100.0);
}

BOOST_AUTO_TEST_CASE(long_series_are_binned) {
  std::vector<double> x, y;
  for (int i = 0; i < 5000; ++i) {
    x.push_back(i * 1e6);
    y.push_back(i % 2 == 0 ? 10.0 : 11.0);
  }
  const auto t = run::fit_trend(x, y);
  BOOST_TEST(t.n == 500u);
  BOOST_TEST(!t.significant);
}

BOOST_AUTO_TEST_CASE(machine_warnings_on_load_and_governor) {
  environment_info env;
  env.cpu_count = 2;
  env.load_average_1m = 0.5;
  env.governor = "performance";
  BOOST_TEST(run::machine_warnings(env).empty());
  env.load_average_1m = 1.9;
  env.governor = "powersave";
  const auto w = run::machine_warnings(env);
  BOOST_REQUIRE(w.size() == 2u);
  BOOST_TEST(contains(w[0], "1-minute load average 1.90 on 2 CPUs"), w[0]);
  BOOST_TEST(contains(w[1], "governor is 'powersave', not 'performance'"), w[1]);
  env.governor.clear();  // not readable: no warning
  BOOST_TEST(run::machine_warnings(env).size() == 1u);
}

BOOST_AUTO_TEST_CASE(new_metrics_are_columns) {
  run_sample s = sample(10);
  s.io_read_bytes = 1;
  s.io_write_bytes = 2;
  s.io_read_chars = 3;
  s.io_write_chars = 4;
  s.ctx_voluntary = 5;
  s.ctx_involuntary = 6;
  s.faults_major = 7;
  s.faults_minor = 8;
  s.leaked_processes = 9;
  s.rss_tree_bytes = 10;
  const auto columns = metric_columns({s});
  const std::pair<const char*, double> expected[] = {
      {"io.read_bytes", 1}, {"io.write_bytes", 2}, {"io.read_chars", 3}, {"io.write_chars", 4},
      {"ctx.voluntary", 5}, {"ctx.involuntary", 6}, {"faults.major", 7},  {"faults.minor", 8},
      {"leaked.processes", 9}, {"rss_tree", 10}};
  for (const auto& [name, value] : expected) BOOST_TEST(columns.at(name).at(0) == value, name);
}

BOOST_AUTO_TEST_CASE(samples_and_results_round_trip_through_json) {
  run_sample s = stopped(limit_kind::open_files, 33);
  s.io_read_chars = 123;
  s.leaked_processes = 2;
  s.memory_timeline = {{0, 100, 1}, {10 * ms, 200, 3}};
  const auto back = boost::json::try_value_to<run_sample>(boost::json::value_from(s));
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST((*back == s));
  // Results written before these fields existed still read, with zeros.
  auto old = boost::json::parse(R"({"wall_ns": 1, "user_ns": 0, "sys_ns": 0, "max_rss_bytes": 5,
                                    "exit_code": 0, "signal": null})");
  const auto legacy = boost::json::try_value_to<run_sample>(old);
  BOOST_REQUIRE(legacy.has_value());
  BOOST_TEST(!legacy->limit);
  BOOST_TEST(legacy->memory_timeline.empty());
  auto bad = boost::json::parse(R"({"wall_ns": 1, "user_ns": 0, "sys_ns": 0, "max_rss_bytes": 5,
                                    "limit": "RAM"})");
  BOOST_TEST(!boost::json::try_value_to<run_sample>(bad).has_value());

  run_result r;
  r.name = "t";
  r.command = {"x"};
  r.runs = {s};
  r.limits.open_files = 32;
  trend_outcome t;
  t.n = 10;
  t.slope = 1.5;
  t.change = 0.25;
  t.significant = true;
  t.window_ns = 5;
  r.trends["rss"] = t;
  run::summarize_runs(r);
  const run_result again = result_from_json(result_to_json(r), "r.json");
  BOOST_TEST(again.limits.open_files == 32);
  BOOST_TEST((again.trends.at("rss") == t));
  BOOST_TEST((again.runs == r.runs));
}

BOOST_AUTO_TEST_SUITE_END()
