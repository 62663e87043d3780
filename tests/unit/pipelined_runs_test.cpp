// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// process_executor's pipelined runs (expect_follow_up) against real processes: a promised run
// starts only when the run before ended clean, is measured once, and never outlives the
// executor. pc_tally leaves one line per started run. Bounds are generous: these tests must
// pass on a loaded two-core machine.
#define BOOST_TEST_MODULE pipelined_runs
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/exec/process_executor.hpp"
#include "process_helpers.hpp"

namespace fs = std::filesystem;
using namespace perfcheck;
using perfcheck::exec::command_line;
using perfcheck::exec::output_capture;
using perfcheck::exec::process_executor;
using perfcheck::test::bin;
using perfcheck::test::process_ends;
using perfcheck::test::temp_dir;

namespace {

/// The pids pc_tally wrote, one per run that started.
std::vector<pid_t> tally(const fs::path& file) {
  std::vector<pid_t> pids;
  std::ifstream in(file);
  for (long pid; in >> pid;) pids.push_back(static_cast<pid_t>(pid));
  return pids;
}

/// pc_tally writing to `file` and exiting with `code`, every run but the first `later_ms` long.
command_line tally_command(const fs::path& file, int code, int later_ms = 0) {
  return command_line{{bin("pc_tally"), file.string(), std::to_string(code), std::to_string(later_ms)}, {}, {}};
}

/// Long enough for a launcher to start a run it should not have (it would take well under).
void give_a_wrong_run_time_to_start() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

const output_capture discard;  // no files: the output goes to /dev/null, pipelinable

}  // namespace

BOOST_AUTO_TEST_CASE(promised_runs_are_each_started_and_measured_once) {
  temp_dir dir;
  const fs::path file = dir.path / "tally";
  {
    process_executor executor(tally_command(file, 0));
    for (int i = 0; i < 5; ++i) {
      if (i < 4) executor.expect_follow_up(false);
      const exec::run_report report = executor.run(discard);
      BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
      BOOST_TEST(report.sample.wall_ns > 0);
    }
    give_a_wrong_run_time_to_start();
    BOOST_TEST(tally(file).size() == 5u);  // the last run promised nothing: no sixth
  }
  BOOST_TEST(tally(file).size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_failed_run_keeps_its_follow_up_from_starting) {
  temp_dir dir;
  const fs::path file = dir.path / "tally";
  process_executor executor(tally_command(file, 1));
  executor.expect_follow_up(false);
  BOOST_TEST(executor.run(discard).sample.exit_code.value_or(-1) == 1);
  give_a_wrong_run_time_to_start();
  BOOST_TEST(tally(file).size() == 1u);
  // Run anyway: the skipped follow-up is dropped and a fresh run is made and reported.
  BOOST_TEST(executor.run(discard).sample.exit_code.value_or(-1) == 1);
  BOOST_TEST(tally(file).size() == 2u);
}

BOOST_AUTO_TEST_CASE(with_failures_allowed_the_follow_up_of_a_failed_run_starts) {
  temp_dir dir;
  const fs::path file = dir.path / "tally";
  process_executor executor(tally_command(file, 1));
  executor.expect_follow_up(true);
  BOOST_TEST(executor.run(discard).sample.exit_code.value_or(-1) == 1);
  BOOST_TEST(executor.run(discard).sample.exit_code.value_or(-1) == 1);
  BOOST_TEST(tally(file).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_limit_keeps_the_follow_up_from_starting_even_with_failures_allowed) {
  temp_dir dir;
  const fs::path file = dir.path / "tally";
  command_line command = tally_command(file, 0, 10'000);
  command.limits.timeout_ns = 200'000'000;
  process_executor executor(command);
  executor.expect_follow_up(true);
  BOOST_TEST(executor.run(discard).sample.exit_code.value_or(-1) == 0);  // the first run is quick
  executor.expect_follow_up(true);
  const exec::run_report stopped = executor.run(discard);  // the second sleeps into the timeout
  BOOST_TEST((stopped.sample.limit == limit_kind::timeout));
  give_a_wrong_run_time_to_start();
  BOOST_TEST(tally(file).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_follow_up_in_flight_dies_with_the_executor) {
  temp_dir dir;
  const fs::path file = dir.path / "tally";
  const auto start = std::chrono::steady_clock::now();
  {
    process_executor executor(tally_command(file, 0, 10'000));
    executor.expect_follow_up(false);
    BOOST_TEST(executor.run(discard).sample.exit_code.value_or(-1) == 0);
    // The second run (10 s) may have started; the executor goes before its reply.
  }
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(took).count() < 8);  // not the 10 s run
  const std::vector<pid_t> started = tally(file);
  BOOST_TEST(started.size() <= 2u);
  for (pid_t pid : started) BOOST_TEST(process_ends(pid, std::chrono::seconds(2)));
}

BOOST_AUTO_TEST_CASE(kept_output_is_not_pipelined) {
  temp_dir dir;
  const fs::path file = dir.path / "tally";
  process_executor executor(tally_command(file, 0));
  output_capture kept;
  kept.stdout_path = dir.path / "out";
  executor.expect_follow_up(false);
  BOOST_TEST(executor.run(kept).sample.exit_code.value_or(-1) == 0);
  give_a_wrong_run_time_to_start();
  BOOST_TEST(tally(file).size() == 1u);  // the promise was ignored: a file belongs to one run
  BOOST_TEST(executor.run(kept).sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(tally(file).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_promise_broken_by_a_different_capture_is_a_logic_error) {
  temp_dir dir;
  process_executor executor(tally_command(dir.path / "tally", 0));
  executor.expect_follow_up(false);
  executor.run(discard);
  output_capture kept;
  kept.stdout_path = dir.path / "out";
  BOOST_CHECK_THROW(executor.run(kept), std::logic_error);
}

BOOST_AUTO_TEST_CASE(pipelined_runs_each_write_their_own_metric_channel) {
  fs::path folder;
  {
    command_line command{{"/bin/sh", "-c", "echo \"pid $$\" >> \"$PERFCHECK_METRICS\""}, {}, {}};
    command.metric_channel = true;
    process_executor executor(command);
    std::vector<fs::path> paths;
    for (int i = 0; i < 4; ++i) {
      if (i < 3) executor.expect_follow_up(false);
      const exec::run_report report = executor.run(discard);
      BOOST_TEST_REQUIRE(!report.metrics_path.empty());
      paths.push_back(report.metrics_path);
    }
    folder = paths.front().parent_path();
    // run.1 ... run.4, one line each: the run that started before its predecessor's file was read
    // wrote into a file of its own.
    for (std::size_t i = 0; i < paths.size(); ++i) {
      BOOST_TEST(paths[i].filename() == "run." + std::to_string(i + 1));
      std::ifstream in(paths[i]);
      std::vector<std::string> lines;
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      BOOST_TEST_REQUIRE(lines.size() == 1u);
      BOOST_TEST(lines[0].starts_with("pid "));
    }
    BOOST_TEST(fs::is_directory(folder));
  }
  BOOST_TEST(!fs::exists(folder));  // removed with the executor
}

BOOST_AUTO_TEST_CASE(a_run_that_wrote_no_channel_file_has_no_metrics_path) {
  // Odd runs report, even runs do not: the path is given exactly for the runs whose file exists.
  command_line command{{"/bin/sh", "-c", "case \"$PERFCHECK_METRICS\" in *[13579]) echo x 1 >> \"$PERFCHECK_METRICS\";; esac"}, {}, {}};
  command.metric_channel = true;
  process_executor executor(command);
  for (int i = 1; i <= 6; ++i) {
    if (i < 6) executor.expect_follow_up(false);
    const exec::run_report report = executor.run(discard);
    BOOST_TEST_CONTEXT("run " << i) {
      BOOST_TEST(report.metrics_path.empty() == (i % 2 == 0));
      if (i % 2 == 1) BOOST_TEST(report.metrics_path.filename() == "run." + std::to_string(i));
    }
  }
}

BOOST_AUTO_TEST_CASE(without_a_channel_the_command_sees_no_path_of_ours) {
  temp_dir dir;
  const fs::path out = dir.path / "env";
  command_line command{{"/bin/sh", "-c", "echo \"[${PERFCHECK_METRICS-unset}]\" > \"$0\"", out.string()}, {}, {}};
  process_executor executor(command);
  BOOST_TEST(executor.run(discard).metrics_path.empty());
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  const char* outer = std::getenv("PERFCHECK_METRICS");  // under an outer perfcheck: its own
  BOOST_TEST(line == "[" + std::string(outer ? outer : "unset") + "]");
}
