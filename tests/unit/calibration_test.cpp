// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE calibration
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <ostream>

#include <boost/json.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/run/calibration.hpp"
#include "fake_executor.hpp"

using namespace perfcheck;
using namespace perfcheck::run;
namespace fs = std::filesystem;

namespace perfcheck {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, verdict v) { return out << to_string(v); }
}  // namespace perfcheck

namespace {

// R values around `center`, spread `spread` (fraction), in a fixed shuffled order.
std::vector<double> block(double center, double spread, int runs = 10) {
  std::vector<double> out;
  for (int i = 0; i < runs; ++i) {
    out.push_back(center * (1 + spread * (((i * 7) % runs) / static_cast<double>(runs - 1) - 0.5)));
  }
  return out;
}

// Plays back wall times; fails the run numbered `fail_at` (1-based) when set.
test::fake_executor steady_command(int fail_at = 0) {
  return test::fake_executor([fail_at](int call) {
    const int count = call + 1;
    run_sample s;
    s.wall_ns = 1'000'000 + (count * 7919) % 5000;  // 0.5% spread, no drift
    s.exit_code = count == fail_at ? 1 : 0;
    return s;
  });
}

struct counting_listener final : progress_listener {
  void run_finished(bool warmup, int, int planned_runs, const run_sample&) override {
    (warmup ? warmups : measured)++;
    planned = planned_runs;
  }
  int warmups = 0, measured = 0, planned = 0;
};

struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("perfcheck-calibration-" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};

calibration_record record_for(const std::string& machine, double floor) {
  calibration_record r;
  r.machine = machine;
  r.recorded_at = "2026-11-23T10:00:00.000Z";
  r.command = {"pc_sleep", "5"};
  r.result.noise_floor = floor;
  r.result.recommended_runs = 12;
  return r;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_steady_command_has_no_false_alarms_and_a_recommendation) {
  std::vector<std::vector<double>> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(block(1e6, 0.01));
  calibration_options o;
  o.trials = 4;
  const auto r = analyze_calibration(blocks, o);
  BOOST_TEST(r.pairs.size() == 4u);
  BOOST_TEST(r.false_alarms == 0u);
  BOOST_TEST(r.false_alarm_rate == 0);
  BOOST_TEST(r.false_alarm_interval.low == 0);
  BOOST_TEST(r.false_alarm_interval.high > 0.3);  // four trials say little: Wilson's upper end
  BOOST_TEST(r.noise_floor == 0);
  BOOST_TEST(r.block_cv == 0);
  BOOST_TEST(r.robust_cv > 0);
  BOOST_TEST(r.half_width > 0);
  BOOST_TEST(r.half_width < 0.02);
  BOOST_TEST(r.min_detectable_effect == o.tolerance + r.half_width);
  BOOST_TEST(r.recommended_tolerance == 0.025);  // target / 2
  BOOST_TEST_REQUIRE(r.recommended_runs.has_value());
  BOOST_TEST(*r.recommended_runs >= 5u);
  BOOST_TEST(*r.recommended_runs <= 10u);
}

BOOST_AUTO_TEST_CASE(drift_between_blocks_shows_as_false_alarms_and_a_noise_floor) {
  // Every second block is 20% slower: the machine changed between blocks, not the command.
  std::vector<std::vector<double>> blocks;
  for (int i = 0; i < 10; ++i) blocks.push_back(block(i % 2 == 0 ? 1e6 : 1.2e6, 0.01));
  calibration_options o;
  o.trials = 5;
  const auto r = analyze_calibration(blocks, o);
  BOOST_TEST(r.false_alarms == 5u);
  BOOST_TEST(r.false_alarm_rate == 1);
  BOOST_TEST(r.noise_floor > 0.15);
  BOOST_TEST(r.noise_floor < 0.2);
  BOOST_TEST(r.block_cv > 0.05);
  // The noise floor is above the 5% target: nothing to recommend.
  BOOST_TEST(r.recommended_tolerance > o.target);
  BOOST_TEST(!r.recommended_runs.has_value());
  for (const auto& pair : r.pairs) BOOST_TEST(to_string(pair.decision) == std::string("regressed"));
}

BOOST_AUTO_TEST_CASE(odd_block_counts_are_a_programming_error) {
  BOOST_CHECK_THROW(analyze_calibration({block(1, 0.01)}, {}), std::invalid_argument);
  BOOST_CHECK_THROW(analyze_calibration({}, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(options_are_checked_with_the_flag_and_the_fix) {
  calibration_options o;
  o.runs = 3;
  try {
    validate(o);
    BOOST_FAIL("accepted 3 runs at alpha 0.01");
  } catch (const usage_error& e) {
    BOOST_TEST(contains(e.what(), "--runs 3"));
    BOOST_TEST(contains(e.what(), "at least 5 runs"));
  }
  o = {};
  o.trials = 0;
  BOOST_CHECK_THROW(validate(o), usage_error);
  o = {};
  o.alpha = 0.9;
  BOOST_CHECK_THROW(validate(o), usage_error);
  o = {};
  o.target = 0;
  BOOST_CHECK_THROW(validate(o), usage_error);
  BOOST_CHECK_NO_THROW(validate(calibration_options{}));
}

BOOST_AUTO_TEST_CASE(calibrate_runs_warmup_then_every_block) {
  test::fake_executor executor = steady_command();
  counting_listener progress;
  calibration_options o;
  o.runs = 5;
  o.trials = 3;
  o.warmup = 2;
  const auto r = calibrate(executor, o, &progress);
  BOOST_TEST(executor.calls == 2 + 2 * 3 * 5);
  BOOST_TEST(progress.warmups == 2);
  BOOST_TEST(progress.measured == 30);
  BOOST_TEST(progress.planned == 30);
  BOOST_TEST(r.block_medians.size() == 6u);
  BOOST_TEST(r.pairs.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_failing_run_stops_calibration_with_a_command_error) {
  test::fake_executor executor = steady_command(4);
  calibration_options o;
  o.runs = 5;
  o.trials = 2;
  try {
    calibrate(executor, o, nullptr);
    BOOST_FAIL("no error");
  } catch (const command_error& e) {
    BOOST_TEST(contains(e.what(), "measured run 3"));
    BOOST_TEST(contains(e.what(), "exit code 1"));
  }
}

BOOST_AUTO_TEST_CASE(calibration_file_keeps_every_machine) {
  temp_dir dir;
  const auto path = dir.path / "cal.json";
  BOOST_TEST(!load_noise_floor(path, "m1").has_value());  // no file yet
  save_calibration(path, record_for("m1", 0.02));
  save_calibration(path, record_for("m2", 0.07));
  save_calibration(path, record_for("m1", 0.03));  // replaces m1 only
  BOOST_TEST(*load_noise_floor(path, "m1") == 0.03);
  BOOST_TEST(*load_noise_floor(path, "m2") == 0.07);
  BOOST_TEST(!load_noise_floor(path, "m3").has_value());
  const auto json = read_json_file(path);
  BOOST_TEST(json.at("schema").as_string() == calibration_schema);
  const auto& m1 = json.at("machines").at("m1").as_object();
  for (const char* key : {"recorded_at", "command", "runs", "trials", "alpha", "tolerance", "false_alarms",
                          "false_alarm_rate", "false_alarm_low", "false_alarm_high", "robust_cv", "block_cv",
                          "half_width", "min_detectable_effect", "noise_floor", "recommended_runs",
                          "recommended_tolerance"}) {
    BOOST_TEST(m1.contains(key), key);
  }
}

BOOST_AUTO_TEST_CASE(a_foreign_or_broken_calibration_file_is_refused_and_kept) {
  temp_dir dir;
  const auto path = dir.path / "cal.json";
  std::ofstream(path) << R"({"schema": "perfcheck/result/v1"})";
  BOOST_CHECK_THROW(save_calibration(path, record_for("m1", 0.01)), usage_error);
  BOOST_TEST(read_json_file(path).at("schema").as_string() == "perfcheck/result/v1");  // untouched
  std::ofstream(path) << R"({"schema": "perfcheck/calibration/v1", "machines": {"m1": {"noise_floor": "low"}}})";
  try {
    load_noise_floor(path, "m1");
    BOOST_FAIL("no error");
  } catch (const usage_error& e) {
    BOOST_TEST(contains(e.what(), "cal.json: field 'machines.m1.noise_floor'"));
  }
  std::ofstream(path) << R"({"schema": "perfcheck/calibration/v1", "machines": {"m1": {"noise_floor": -1}}})";
  BOOST_CHECK_THROW(load_noise_floor(path, "m1"), usage_error);
}
