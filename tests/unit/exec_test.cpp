// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// process_executor against real processes (the programs in tests/programs). Timing bounds
// are generous on purpose: these tests must pass on a loaded two-core machine.
#define BOOST_TEST_MODULE exec
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "perfcheck/exec/orphan_sweep.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "process_helpers.hpp"

namespace fs = std::filesystem;
using perfcheck::command_error;
using perfcheck::usage_error;
using perfcheck::exec::command_line;
using perfcheck::exec::output_capture;
using perfcheck::exec::process_executor;
using perfcheck::exec::run_report;
using perfcheck::test::bin;
using perfcheck::test::process_ends;
using perfcheck::test::temp_dir;

namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t mib = 1 << 20;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text, fs::perms perms) {
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
}

run_report run_once(command_line command, const output_capture& capture = {}) {
  process_executor executor(std::move(command));
  return executor.run(capture);
}

run_report run_once(std::vector<std::string> argv, const output_capture& capture = {}) {
  return run_once(command_line{std::move(argv), {}, {}}, capture);
}

/// Runs the command with stdout captured to a file and returns what it printed.
std::string stdout_of(command_line command) {
  temp_dir dir;
  output_capture capture;
  capture.stdout_path = dir.path / "out";
  run_report report = run_once(std::move(command), capture);
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  return read_file(capture.stdout_path);
}

std::int64_t own_max_rss_bytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
}

int open_fd_count() {
  return static_cast<int>(std::distance(fs::directory_iterator("/proc/self/fd"), {}));
}

template <class Error>
std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  BOOST_FAIL("no exception was thrown");
  return {};
}

/// Waits up to 5 s for `path` to hold a pid written by a shell, and returns it.
pid_t wait_for_pid_file(const fs::path& path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    std::string line;
    if (std::getline(in, line)) return static_cast<pid_t>(std::stol(line));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_FAIL("no pid appeared in " << path);
  return -1;
}

/// Sets an environment variable for one test and restores the old value.
struct scoped_env {
  std::string name;
  std::optional<std::string> old;
  scoped_env(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~scoped_env() {
    if (old)
      ::setenv(name.c_str(), old->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(measurements)

BOOST_AUTO_TEST_CASE(sleep_counts_as_wall_time_not_cpu) {
  run_report report = run_once({bin("pc_sleep"), "50"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(!report.sample.signal);
  BOOST_TEST(report.sample.wall_ns >= 50 * ms);
  BOOST_TEST(report.sample.wall_ns < 2000 * ms);
  BOOST_TEST(report.sample.user_ns + report.sample.sys_ns < 40 * ms);
}

BOOST_AUTO_TEST_CASE(burn_counts_as_cpu_time) {
  run_report report = run_once({bin("pc_burn"), "100"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.sample.user_ns + report.sample.sys_ns >= 90 * ms);
  BOOST_TEST(report.sample.wall_ns >= 90 * ms);
  BOOST_TEST(report.sample.wall_ns < 10'000 * ms);
}

BOOST_AUTO_TEST_CASE(peak_rss_of_an_allocation) {
  run_report report = run_once({bin("pc_alloc"), "64"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.sample.max_rss_bytes >= 64 * mib);
  BOOST_TEST(report.sample.max_rss_bytes <= 72 * mib);
  BOOST_TEST(report.counters.minor_faults >= 64 * mib / 4096 / 2);
}

// The reason for the launcher: a command spawned straight from perfcheck would report at
// least perfcheck's own peak RSS.
BOOST_AUTO_TEST_CASE(noop_rss_does_not_include_perfcheck) {
  run_report report = run_once({bin("pc_noop")});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.sample.max_rss_bytes > 0);
  BOOST_TEST(report.sample.max_rss_bytes < 2 * mib);
  BOOST_TEST(report.sample.max_rss_bytes < own_max_rss_bytes());
  BOOST_TEST_MESSAGE("pc_noop max_rss " << report.sample.max_rss_bytes << " B, exec_test's "
                                        << own_max_rss_bytes() << " B");
}

BOOST_AUTO_TEST_CASE(segfault_is_a_signal_not_an_exit_code) {
  run_report report = run_once({bin("pc_crash"), "SEGV"});
  BOOST_TEST(report.sample.signal.value_or(-1) == 11);
  BOOST_TEST(!report.sample.exit_code);
  BOOST_TEST(report.sample.failed());
}

BOOST_AUTO_TEST_CASE(abort_is_a_signal) {
  run_report report = run_once({bin("pc_crash"), "SIGABRT"});
  BOOST_TEST(report.sample.signal.value_or(-1) == 6);
  BOOST_TEST(!report.sample.exit_code);
}

BOOST_AUTO_TEST_CASE(exit_code_is_reported) {
  run_report report = run_once({bin("pc_exit"), "3"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 3);
  BOOST_TEST(!report.sample.signal);
  BOOST_TEST(report.sample.failed());
}

BOOST_AUTO_TEST_CASE(one_launcher_serves_many_runs_without_leaking_fds) {
  process_executor executor(command_line{{bin("pc_noop")}, {}, {}});
  // The first run opens what lasts for the process (the /dev/null of discarded output).
  BOOST_TEST_REQUIRE(executor.run({}).sample.exit_code.value_or(-1) == 0);
  int fds_before = open_fd_count();
  for (int i = 0; i < 50; ++i) {
    run_report report = executor.run({});
    BOOST_TEST_REQUIRE(report.sample.exit_code.value_or(-1) == 0);
    BOOST_TEST(report.sample.wall_ns > 0);
  }
  BOOST_TEST(open_fd_count() == fds_before);
}

BOOST_AUTO_TEST_CASE(launch_overhead_is_small_and_positive) {
  std::int64_t overhead = perfcheck::exec::measure_launch_overhead(10);
  BOOST_TEST(overhead > 0);
  BOOST_TEST(overhead < 1000 * ms);
  BOOST_CHECK_THROW(perfcheck::exec::measure_launch_overhead(0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(output)

BOOST_AUTO_TEST_CASE(output_beyond_the_limit_is_counted_and_dropped) {
  temp_dir dir;
  output_capture capture;
  capture.stdout_path = dir.path / "out";
  capture.stderr_path = dir.path / "err";
  capture.limit_bytes = mib;
  run_report report = run_once({bin("pc_print"), std::to_string(5 * mib)}, capture);
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.stdout_bytes == 5 * mib);
  BOOST_TEST(report.stderr_bytes == 0);
  BOOST_TEST(report.output_truncated);

  const std::string note = "[perfcheck: output truncated: kept 1048576 of 5242880 bytes]\n";
  std::string out = read_file(capture.stdout_path);
  BOOST_TEST(out.size() == mib + note.size());
  BOOST_TEST(out.substr(static_cast<std::size_t>(mib)) == note);
  // The text arrived intact: pc_print repeats a 64 KiB block of 64-byte lines.
  BOOST_TEST(out.substr(0, 65536) == out.substr(65536, 65536));
  BOOST_TEST(out[static_cast<std::size_t>(mib) - 1] == '\n');
  BOOST_TEST(read_file(capture.stderr_path).empty());
}

BOOST_AUTO_TEST_CASE(stderr_is_captured_separately) {
  temp_dir dir;
  output_capture capture;
  capture.stdout_path = dir.path / "out";
  capture.stderr_path = dir.path / "err";
  write_file(capture.stdout_path, "stale content from an earlier run", fs::perms(0644));
  run_report report = run_once({bin("pc_print"), "1000", "stderr"}, capture);
  BOOST_TEST(report.stderr_bytes == 1000);
  BOOST_TEST(report.stdout_bytes == 0);
  BOOST_TEST(!report.output_truncated);
  BOOST_TEST(read_file(capture.stderr_path).size() == 1000u);
  BOOST_TEST(read_file(capture.stdout_path).empty());  // truncated at the start of the run
}

BOOST_AUTO_TEST_CASE(note_starts_a_new_line_after_a_partial_line) {
  temp_dir dir;
  output_capture capture;
  capture.stdout_path = dir.path / "out";
  capture.limit_bytes = 10;
  run_report report = run_once({bin("pc_print"), "100"}, capture);
  BOOST_TEST(report.output_truncated);
  BOOST_TEST(read_file(capture.stdout_path) ==
             "abcdefghij\n[perfcheck: output truncated: kept 10 of 100 bytes]\n");
}

BOOST_AUTO_TEST_CASE(a_discarded_stream_beside_a_kept_one_is_still_counted) {
  temp_dir dir;
  output_capture capture;
  capture.stderr_path = dir.path / "err";  // stdout: no file
  capture.limit_bytes = 1024;
  run_report report = run_once({bin("pc_print"), std::to_string(3 * mib)}, capture);
  BOOST_TEST(report.stdout_bytes == 3 * mib);
  BOOST_TEST(!report.output_truncated);  // nothing of stdout was to be kept
}

BOOST_AUTO_TEST_CASE(with_no_files_at_all_output_goes_to_dev_null_uncounted) {
  output_capture discard;
  run_report report = run_once({bin("pc_print"), std::to_string(3 * mib)}, discard);
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);  // writes did not fail
  BOOST_TEST(report.stdout_bytes == 0);
  BOOST_TEST(!report.output_truncated);
}

BOOST_AUTO_TEST_CASE(pass_through_inherits_and_counts_nothing) {
  output_capture pass;
  pass.pass_through = true;
  run_report report = run_once({bin("pc_exit"), "0"}, pass);
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.stdout_bytes == 0);
}

BOOST_AUTO_TEST_CASE(unopenable_output_file_throws_and_leaves_the_executor_usable) {
  process_executor executor(command_line{{bin("pc_noop")}, {}, {}});
  output_capture capture;
  capture.stdout_path = "/nonexistent-dir/out";
  std::string message = message_of<std::system_error>([&] { (void)executor.run(capture); });
  BOOST_TEST(message.find("/nonexistent-dir/out") != std::string::npos, message);
  BOOST_TEST(executor.run({}).sample.exit_code.value_or(-1) == 0);
}

// A background child keeps the pipe open after the command exits: the run still ends
// shortly after the command does.
BOOST_AUTO_TEST_CASE(background_child_holding_the_pipe_does_not_stall_the_run) {
  temp_dir dir;
  output_capture capture;
  capture.stdout_path = dir.path / "out";
  auto start = std::chrono::steady_clock::now();
  run_report report =
      run_once({"/bin/sh", "-c", bin("pc_sleep") + " 3000 & echo started"}, capture);
  auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(read_file(capture.stdout_path) == "started\n");
  BOOST_TEST(elapsed < std::chrono::milliseconds(2000));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(surroundings)

BOOST_AUTO_TEST_CASE(extra_environment_adds_and_overrides) {
  std::string out = stdout_of(
      command_line{{"/usr/bin/env"}, {}, {"PERFCHECK_EXEC_TEST=hello", "HOME=/override"}});
  BOOST_TEST(out.find("\nPERFCHECK_EXEC_TEST=hello\n") != std::string::npos, out);
  std::istringstream lines(out);
  int homes = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("HOME=")) {
      ++homes;
      BOOST_TEST(line == "HOME=/override");
    }
  BOOST_TEST(homes == 1);
}

BOOST_AUTO_TEST_CASE(path_of_the_extra_environment_finds_the_program) {
  run_report report = run_once(command_line{{"pc_exit", "4"}, {}, {"PATH=" + bin("")}});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 4);
}

BOOST_AUTO_TEST_CASE(working_directory_takes_effect) {
  temp_dir dir;
  std::string out = stdout_of(command_line{{"/bin/pwd"}, dir.path, {}});
  BOOST_TEST(out == fs::canonical(dir.path).string() + "\n");
}

BOOST_AUTO_TEST_CASE(relative_program_path_starts_from_the_working_directory) {
  process_executor executor(command_line{{"./pc_exit", "5"}, PERFCHECK_TEST_BIN_DIR, {}});
  BOOST_TEST(executor.program().is_absolute());
  BOOST_TEST(executor.run({}).sample.exit_code.value_or(-1) == 5);
}

BOOST_AUTO_TEST_CASE(command_gets_dev_null_as_stdin_and_its_own_process_group) {
  std::string out =
      stdout_of(command_line{{"/bin/sh", "-c",
                              "readlink /proc/self/fd/0; read pid comm state ppid pgrp rest "
                              "< /proc/$$/stat; [ \"$pid\" = \"$pgrp\" ] && echo own-group"},
                             {},
                             {}});
  BOOST_TEST(out == "/dev/null\nown-group\n");
}

BOOST_AUTO_TEST_CASE(command_does_not_inherit_the_control_socket) {
  std::string out = stdout_of(command_line{
      {"/bin/sh", "-c", "for f in /proc/$$/fd/*; do readlink $f; done; exit 0"}, {}, {}});
  BOOST_TEST(out.find("socket:") == std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(missing_program_is_command_not_found) {
  std::string message = message_of<command_error>([] {
    process_executor({{"perfcheck-no-such-program-xyz", "arg"}, {}, {}});
  });
  BOOST_TEST(message == "command not found: perfcheck-no-such-program-xyz");
  message = message_of<command_error>([] { process_executor({{"/no/such/program"}, {}, {}}); });
  BOOST_TEST(message == "command not found: /no/such/program");
}

BOOST_AUTO_TEST_CASE(non_executable_file_cannot_be_executed) {
  temp_dir dir;
  write_file(dir.path / "script", "#!/bin/sh\nexit 0\n", fs::perms(0644));
  std::string message = message_of<command_error>([&] {
    process_executor({{(dir.path / "script").string()}, {}, {}});
  });
  BOOST_TEST(message.starts_with("cannot execute " + (dir.path / "script").string() + ": "),
             message);
  // Found through PATH, but not executable.
  message = message_of<command_error>([&] {
    process_executor({{"script"}, {}, {"PATH=" + dir.path.string()}});
  });
  BOOST_TEST(message == "cannot execute " + (dir.path / "script").string() + ": Permission denied");
}

BOOST_AUTO_TEST_CASE(directory_cannot_be_executed) {
  temp_dir dir;
  std::string message = message_of<command_error>([&] {
    process_executor({{dir.path.string()}, {}, {}});
  });
  BOOST_TEST(message.starts_with("cannot execute " + dir.path.string() + ": "), message);
}

// Passes the up-front checks but execve refuses it: the launcher's report becomes the error.
BOOST_AUTO_TEST_CASE(exec_failure_in_the_launcher_is_a_command_error) {
  temp_dir dir;
  write_file(dir.path / "garbage", "\x01\x02 not a program\n", fs::perms(0755));
  process_executor executor({{(dir.path / "garbage").string()}, {}, {}});
  std::string message = message_of<command_error>([&] { (void)executor.run({}); });
  BOOST_TEST(message ==
             "cannot execute " + (dir.path / "garbage").string() + ": Exec format error");
}

BOOST_AUTO_TEST_CASE(missing_working_directory_is_a_command_error) {
  std::string message = message_of<command_error>([] {
    process_executor({{bin("pc_noop")}, "/no/such/dir", {}});
  });
  BOOST_TEST(message.starts_with("cannot use working directory /no/such/dir: "), message);
}

BOOST_AUTO_TEST_CASE(empty_command_and_bad_environment_are_usage_errors) {
  BOOST_CHECK_THROW(process_executor({{}, {}, {}}), usage_error);
  std::string message = message_of<usage_error>([] {
    process_executor({{bin("pc_noop")}, {}, {"NOVALUE"}});
  });
  BOOST_TEST(message.find("'NOVALUE'") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(missing_launcher_names_the_path) {
  scoped_env env("PERFCHECK_LAUNCHER", "/no/such/perfcheck-launcher");
  std::string message = message_of<std::runtime_error>([] {
    process_executor({{bin("pc_noop")}, {}, {}});
  });
  BOOST_TEST(message.find("/no/such/perfcheck-launcher") != std::string::npos, message);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lifetime)

BOOST_AUTO_TEST_CASE(launcher_killed_midway_is_a_clear_error) {
  process_executor executor({{"/bin/sh", "-c", "kill -KILL $PPID"}, {}, {}});
  std::string message = message_of<std::runtime_error>([&] { (void)executor.run({}); });
  BOOST_TEST(message.find("was killed by signal 9") != std::string::npos, message);
  message = message_of<std::runtime_error>([&] { (void)executor.run({}); });
  BOOST_TEST(message.find("create a new executor") != std::string::npos, message);
}

// SIGTERM to the launcher (what it gets when perfcheck dies) takes the command's whole
// process group with it.
BOOST_AUTO_TEST_CASE(terminated_launcher_kills_the_command_group) {
  temp_dir dir;
  fs::path pid_file = dir.path / "pid";
  process_executor executor(
      {{"/bin/sh", "-c",
        bin("pc_sleep") + " 20000 & echo $! > " + pid_file.string() + "; kill -TERM $PPID; wait"},
       {},
       {}});
  BOOST_CHECK_THROW((void)executor.run({}), std::runtime_error);
  BOOST_TEST(process_ends(wait_for_pid_file(pid_file), std::chrono::seconds(5)));
}

// perfcheck itself dies (here: a forked copy of this test, SIGKILLed mid-run): the launcher
// notices (PR_SET_PDEATHSIG) and the command does not outlive it.
BOOST_AUTO_TEST_CASE(command_dies_with_perfcheck) {
  temp_dir dir;
  fs::path pid_file = dir.path / "pid";
  pid_t perfcheck = ::fork();
  BOOST_REQUIRE(perfcheck >= 0);
  if (perfcheck == 0) {
    try {
      process_executor executor(
          {{"/bin/sh", "-c",
            "echo $$ > " + pid_file.string() + "; exec " + bin("pc_sleep") + " 20000"},
           {},
           {}});
      (void)executor.run({});
    } catch (...) {
    }
    ::_exit(0);
  }
  pid_t command = wait_for_pid_file(pid_file);
  ::kill(perfcheck, SIGKILL);
  ::waitpid(perfcheck, nullptr, 0);
  BOOST_TEST(process_ends(command, std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- limits, the process tree, isolation (docs/limits.md) ----

namespace {

using perfcheck::limit_kind;
using perfcheck::resource_limits;

/// A marker unique to this test process, for the argv of processes that try to outlive it.
std::string marker(const std::string& name) {
  return "pc-marker-" + std::to_string(::getpid()) + "-" + name;
}

/// Pids of live (non-zombie) processes whose command line contains `text`.
std::vector<pid_t> processes_with(const std::string& text) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(text) == std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid_field, comm, state;
    if (stat >> pid_field >> comm >> state && state != "Z") found.push_back(std::stoi(name));
  }
  return found;
}

/// "TIMEOUT", ... or "none": the limit that stopped a run, printable by Boost.Test.
std::string limit_of(const run_report& report) {
  return report.sample.limit ? perfcheck::to_string(*report.sample.limit) : "none";
}

command_line limited(std::vector<std::string> argv, const resource_limits& limits) {
  command_line command(std::move(argv));
  command.limits = limits;
  return command;
}

resource_limits with_limit(limit_kind kind, std::int64_t value) {
  resource_limits limits;
  limits.set(kind, value);
  return limits;
}

/// At the end of the whole test program: nothing it started is still running.
struct no_stray_processes {
  ~no_stray_processes() {
    const auto stray = processes_with("pc-marker-" + std::to_string(::getpid()) + "-");
    if (!stray.empty()) {
      std::fprintf(stderr, "exec_test: %zu marked processes outlived their runs\n", stray.size());
      std::_Exit(1);
    }
    std::ifstream children("/proc/self/task/" + std::to_string(::getpid()) + "/children");
    std::string left((std::istreambuf_iterator<char>(children)), std::istreambuf_iterator<char>());
    if (left.find_first_of("0123456789") != std::string::npos) {
      std::fprintf(stderr, "exec_test: child processes left: %s\n", left.c_str());
      std::_Exit(1);
    }
  }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(no_stray_processes);

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(timeout_stops_a_sleeper_with_sigterm) {
  auto start = std::chrono::steady_clock::now();
  run_report report =
      run_once(limited({bin("pc_sleep"), "30000"}, with_limit(limit_kind::timeout, 300 * ms)));
  auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST(limit_of(report) == "TIMEOUT");
  BOOST_TEST(report.sample.stopped_by_limit());
  BOOST_TEST(!report.sample.failed());
  BOOST_TEST(report.sample.signal.value_or(-1) == SIGTERM);
  BOOST_TEST(report.sample.wall_ns >= 300 * ms);
  BOOST_TEST(report.sample.limit_observed >= 300.0 * ms);
  BOOST_TEST(elapsed < std::chrono::seconds(10));
}

// Processes that setsid(), double-fork and ignore SIGTERM: SIGKILL after the grace period, and
// none of them outlives the run.
BOOST_AUTO_TEST_CASE(timeout_takes_the_whole_tree_even_processes_that_resist) {
  const std::string mark = marker("resist");
  run_report report = run_once(
      limited({bin("pc_escape"), mark, "3", "30000"}, with_limit(limit_kind::timeout, 400 * ms)));
  BOOST_TEST(limit_of(report) == "TIMEOUT");
  BOOST_TEST(report.sample.leaked_processes == 0);  // stopped for the limit, not leaked
  BOOST_TEST(processes_with(mark).empty());
}

BOOST_AUTO_TEST_CASE(processes_left_behind_are_counted_and_stopped) {
  const std::string mark = marker("leak");
  run_report report = run_once({bin("pc_escape"), mark, "3", "50"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(!report.sample.limit);
  BOOST_TEST(report.sample.leaked_processes == 3);
  BOOST_TEST(processes_with(mark).empty());
}

BOOST_AUTO_TEST_CASE(memory_limit_holds_for_a_tree_of_processes) {
  // Four processes of 24 MiB each: no single one is near 64 MiB, the tree is.
  run_report report = run_once(
      limited({bin("pc_hog"), "24", "4", "20000"}, with_limit(limit_kind::memory, 64 * mib)));
  BOOST_TEST(limit_of(report) == "MEMORY");
  BOOST_TEST(report.sample.limit_observed > 64.0 * mib);
  BOOST_TEST(report.sample.max_rss_bytes < 64 * mib);
  BOOST_TEST(report.sample.wall_ns < 15'000 * ms);
}

BOOST_AUTO_TEST_CASE(memory_hog_over_the_limit_is_stopped) {
  run_report report = run_once(
      limited({bin("pc_hog"), "200", "1", "20000"}, with_limit(limit_kind::memory, 32 * mib)));
  BOOST_TEST(limit_of(report) == "MEMORY");
  BOOST_TEST(report.sample.limit_observed > 32.0 * mib);
  // Stopped well before it got all 200 MiB (sampling every 10 ms, on a loaded machine).
  BOOST_TEST(report.sample.rss_tree_bytes < 190 * mib);
}

BOOST_AUTO_TEST_CASE(a_tree_under_its_limits_runs_normally) {
  resource_limits limits;
  limits.memory_bytes = 512 * mib;
  limits.timeout_ns = 60'000 * ms;
  limits.processes = 16;
  limits.open_files = 256;
  limits.cpu_time_ns = 60'000 * ms;
  limits.file_size_bytes = 64 * mib;
  run_report report = run_once(limited({bin("pc_hog"), "8", "3", "300"}, limits));
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(!report.sample.limit);
  BOOST_TEST(!report.sample.failed());
}

BOOST_AUTO_TEST_CASE(cpu_time_limit_stops_a_spinner) {
  run_report report =
      run_once(limited({bin("pc_burn"), "20000"}, with_limit(limit_kind::cpu_time, 300 * ms)));
  BOOST_TEST(limit_of(report) == "CPU_TIME");
  BOOST_TEST(report.sample.user_ns + report.sample.sys_ns >= 250 * ms);
  BOOST_TEST(report.sample.user_ns + report.sample.sys_ns < 5'000 * ms);
}

BOOST_AUTO_TEST_CASE(process_limit_stops_a_fork_storm) {
  const std::string mark = marker("storm");
  run_report report = run_once(limited({"/bin/sh", "-c", "exec " + bin("pc_forkstorm") + " 300 30000 " + mark},
                                       with_limit(limit_kind::processes, 20)));
  BOOST_TEST(limit_of(report) == "PROCESSES");
  BOOST_TEST(report.sample.limit_observed > 20.0);
  BOOST_TEST(report.sample.wall_ns < 20'000 * ms);
}

BOOST_AUTO_TEST_CASE(open_file_limit_stops_an_fd_hog) {
  run_report report =
      run_once(limited({bin("pc_fdhog"), "200", "30000"}, with_limit(limit_kind::open_files, 32)));
  BOOST_TEST(limit_of(report) == "OPEN_FILES");
  BOOST_TEST(report.sample.limit_observed > 32.0);
  BOOST_TEST(report.sample.wall_ns < 20'000 * ms);
}

BOOST_AUTO_TEST_CASE(file_size_limit_ends_a_writer_with_sigxfsz) {
  temp_dir dir;
  run_report report = run_once(limited({bin("pc_write"), (dir.path / "big").string(), "16"},
                                       with_limit(limit_kind::file_size, mib)));
  BOOST_TEST(limit_of(report) == "FILE_SIZE");
  BOOST_TEST(report.sample.signal.value_or(-1) == SIGXFSZ);
  BOOST_TEST(fs::file_size(dir.path / "big") <= static_cast<std::uintmax_t>(mib));
}

// The flood is counted and dropped as it arrives: perfcheck's own memory stays flat.
BOOST_AUTO_TEST_CASE(output_limit_stops_a_flood_without_growing_perfcheck) {
  const std::int64_t rss_before = own_max_rss_bytes();
  run_report report = run_once(limited({bin("pc_print"), std::to_string(std::int64_t{64} << 30)},
                                       with_limit(limit_kind::output, 4 * mib)));
  BOOST_TEST(limit_of(report) == "OUTPUT");
  BOOST_TEST(report.sample.limit_observed > 4.0 * mib);
  BOOST_TEST(report.stdout_bytes < 512 * mib);
  BOOST_TEST(own_max_rss_bytes() - rss_before < 16 * mib);
}

BOOST_AUTO_TEST_CASE(output_limit_with_pass_through_is_a_usage_error) {
  process_executor executor(limited({bin("pc_noop")}, with_limit(limit_kind::output, mib)));
  output_capture pass;
  pass.pass_through = true;
  std::string message = message_of<usage_error>([&] { (void)executor.run(pass); });
  BOOST_TEST(message.find("OUTPUT") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(a_crash_is_not_a_limit) {
  resource_limits limits;
  limits.timeout_ns = 30'000 * ms;
  limits.memory_bytes = 256 * mib;
  run_report report = run_once(limited({bin("pc_crash"), "SEGV"}, limits));
  BOOST_TEST(!report.sample.limit);
  BOOST_TEST(report.sample.signal.value_or(-1) == SIGSEGV);
  BOOST_TEST(report.sample.failed());
}

BOOST_AUTO_TEST_CASE(the_executor_serves_runs_after_a_limit_trips) {
  process_executor executor(limited({bin("pc_sleep"), "100"}, with_limit(limit_kind::timeout, 2'000 * ms)));
  BOOST_TEST(!executor.run({}).sample.limit);
  process_executor slow(limited({bin("pc_sleep"), "30000"}, with_limit(limit_kind::timeout, 200 * ms)));
  BOOST_TEST(limit_of(slow.run({})) == "TIMEOUT");
  BOOST_TEST(limit_of(slow.run({})) == "TIMEOUT");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tree_measurements)

BOOST_AUTO_TEST_CASE(peak_memory_of_the_tree_sums_its_processes) {
  run_report report = run_once({bin("pc_hog"), "16", "3", "400"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.sample.rss_tree_bytes >= 44 * mib);
  BOOST_TEST(report.sample.rss_tree_bytes < 80 * mib);
  BOOST_TEST(report.sample.max_rss_bytes < 24 * mib);
  const auto& timeline = report.sample.memory_timeline;
  BOOST_REQUIRE(!timeline.empty());
  int most = 0;
  for (std::size_t i = 1; i < timeline.size(); ++i) BOOST_TEST(timeline[i].t_ns > timeline[i - 1].t_ns);
  for (const auto& p : timeline) most = std::max(most, p.processes);
  BOOST_TEST(most == 3);
}

BOOST_AUTO_TEST_CASE(long_runs_keep_a_bounded_timeline) {
  command_line command({bin("pc_sleep"), "1500"});
  command.sample_interval_ns = 1 * ms;
  run_report report = run_once(command);
  BOOST_TEST(report.sample.memory_timeline.size() <= 256u);
  BOOST_TEST(report.sample.memory_timeline.size() >= 64u);
  BOOST_TEST(report.sample.memory_timeline.back().t_ns > 700 * ms);
}

BOOST_AUTO_TEST_CASE(sampling_off_leaves_the_commands_own_peak) {
  command_line command({bin("pc_alloc"), "16"});
  command.sample_interval_ns = 0;
  run_report report = run_once(command);
  BOOST_TEST(report.sample.memory_timeline.empty());
  BOOST_TEST(report.sample.rss_tree_bytes == report.sample.max_rss_bytes);
}

BOOST_AUTO_TEST_CASE(io_counts_reads_and_writes_of_the_tree) {
  temp_dir dir;
  run_report written = run_once({bin("pc_write"), (dir.path / "out").string(), "4"});
  BOOST_TEST(written.sample.io_write_chars >= 4 * mib);
  BOOST_TEST(written.sample.io_write_chars < 5 * mib);
  write_file(dir.path / "in", std::string(static_cast<std::size_t>(2 * mib), 'x'), fs::perms(0644));
  run_report read = run_once({"/bin/sh", "-c", "cat " + (dir.path / "in").string() + " > /dev/null"});
  BOOST_TEST(read.sample.io_read_chars >= 2 * mib);
  BOOST_TEST(read.sample.io_read_chars < 3 * mib);
}

BOOST_AUTO_TEST_CASE(context_switches_and_page_faults_are_counted) {
  run_report sleeper = run_once({bin("pc_sleep"), "30"});
  BOOST_TEST(sleeper.sample.ctx_voluntary >= 1);
  run_report alloc = run_once({bin("pc_alloc"), "16"});
  BOOST_TEST(alloc.sample.faults_minor >= 16 * mib / 4096 / 2);
  BOOST_TEST(alloc.sample.faults_minor == alloc.counters.minor_faults);
}

// CPU time of an orphan the launcher reaps counts: the whole tree's, not only what the command
// itself waited for (wait4 of the shell would miss the re-parented burner).
BOOST_AUTO_TEST_CASE(cpu_time_includes_orphans) {
  run_report report = run_once(
      {"/bin/sh", "-c", "(" + bin("pc_burn") + " 200 &); exec " + bin("pc_sleep") + " 4000"});
  BOOST_TEST(report.sample.exit_code.value_or(-1) == 0);
  BOOST_TEST(report.sample.leaked_processes == 0);
  BOOST_TEST(report.sample.user_ns + report.sample.sys_ns >= 150 * ms);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(isolation)

BOOST_AUTO_TEST_CASE(clean_environment_keeps_only_path_and_the_extras) {
  command_line command({"/usr/bin/env"}, {}, {"PERFCHECK_EXEC_TEST=kept"});
  command.clean_environment = true;
  scoped_env noise("PERFCHECK_EXEC_NOISE", "dropped");
  std::string out = stdout_of(command);
  BOOST_TEST(out.find("PERFCHECK_EXEC_TEST=kept\n") != std::string::npos, out);
  BOOST_TEST(out.find("PERFCHECK_EXEC_NOISE") == std::string::npos, out);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    BOOST_TEST((line.starts_with("PATH=") || line.starts_with("PERFCHECK_EXEC_TEST=")), line);
}

BOOST_AUTO_TEST_CASE(cpus_pin_the_command) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  BOOST_REQUIRE(::sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  command_line command({"/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status"});
  command.cpus = {first};
  std::string out = stdout_of(command);
  BOOST_TEST(out == "Cpus_allowed_list:\t" + std::to_string(first) + "\n");
  command.cpus = {1023};
  std::string message = message_of<usage_error>([&] { process_executor{command}; });
  BOOST_TEST(message.find("CPU 1023 is not available") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(nice_applies_to_the_command_only) {
  errno = 0;
  const int own = ::getpriority(PRIO_PROCESS, 0);  // the test may itself run under nice
  BOOST_REQUIRE(errno == 0);
  command_line command({"/usr/bin/nice"});
  command.nice = 7;
  BOOST_TEST(stdout_of(command) == "7\n");
  BOOST_TEST(::getpriority(PRIO_PROCESS, 0) == own);
}

BOOST_AUTO_TEST_CASE(the_launcher_turns_batch_only_once_a_run_is_sampled) {
  // Field 41 of /proc/PID/stat is the scheduling policy: 0 normal, 3 SCHED_BATCH. The shell's
  // parent is the launcher; the shell itself is the command.
  BOOST_REQUIRE(::sched_getscheduler(0) == SCHED_OTHER);
  const std::string policies = "cut -d' ' -f41 /proc/$PPID/stat /proc/$$/stat | tr '\\n' ' '";
  // No sample yet (the first comes one interval in): the launcher keeps the normal policy, so
  // the command's exit wakes it at once even on a busy machine.
  BOOST_TEST(stdout_of(command_line({"/bin/sh", "-c", policies})) == "0 0 ");
  // Sampled (20 ms into a 10 ms interval): batch, so its wake-ups do not preempt the command,
  // which keeps the normal policy.
  BOOST_TEST(stdout_of(command_line({"/bin/sh", "-c", "sleep 0.05; " + policies})) == "3 0 ");
  // And normal again after a sampled run: the same launcher's next run is a short one.
  temp_dir dir;
  const std::string first_sleeps = "if [ -e " + (dir.path / "once").string() + " ]; then " + policies +
                                   "; else touch " + (dir.path / "once").string() + "; sleep 0.05; fi";
  process_executor executor(command_line({"/bin/sh", "-c", first_sleeps}));
  output_capture capture;
  capture.stdout_path = dir.path / "out";
  executor.run(capture);
  executor.run(capture);
  BOOST_TEST(read_file(capture.stdout_path) == "0 0 ");
}

BOOST_AUTO_TEST_CASE(no_aslr_sets_the_personality) {
  command_line command({"/bin/cat", "/proc/self/personality"});
  command.no_aslr = true;
  BOOST_TEST(stdout_of(command) == "00040000\n");
  command.no_aslr = false;
  BOOST_TEST(stdout_of(command) == "00000000\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cgroups)

BOOST_AUTO_TEST_CASE(candidate_is_the_parent_of_our_cgroup) {
  const std::string mountinfo =
      "22 28 0:21 / /proc rw,nosuid - proc proc rw\n"
      "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw\n";
  auto candidate = perfcheck::exec::cgroup_parent_candidate(
      mountinfo, "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope\n");
  BOOST_REQUIRE(candidate.has_value());
  BOOST_TEST(candidate->string() == "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice");
  candidate = perfcheck::exec::cgroup_parent_candidate(mountinfo, "0::/\n");
  BOOST_REQUIRE(candidate.has_value());
  BOOST_TEST(candidate->string() == "/sys/fs/cgroup");
  // Hybrid layout: the v2 hierarchy lives elsewhere, the v1 lines are ignored.
  candidate = perfcheck::exec::cgroup_parent_candidate(
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
      "4:memory:/x\n0::/ci/job\n");
  BOOST_REQUIRE(candidate.has_value());
  BOOST_TEST(candidate->string() == "/sys/fs/cgroup/unified/ci");
  // Escaped mount point (a space is \040).
  candidate = perfcheck::exec::cgroup_parent_candidate(
      "40 30 0:37 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n", "0::/a/b\n");
  BOOST_REQUIRE(candidate.has_value());
  BOOST_TEST(candidate->string() == "/mnt/with space/a");
}

BOOST_AUTO_TEST_CASE(no_cgroup2_mount_or_line_means_no_candidate) {
  BOOST_TEST(!perfcheck::exec::cgroup_parent_candidate("22 28 0:21 / /proc rw - proc proc rw\n", "0::/\n"));
  BOOST_TEST(!perfcheck::exec::cgroup_parent_candidate(
      "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "4:memory:/x\n"));
}

// A folder that is not a delegated cgroup: no cgroup, the sampler alone holds the limit, and
// nothing is left behind in the folder.
BOOST_AUTO_TEST_CASE(an_unusable_parent_falls_back_to_sampling) {
  temp_dir dir;
  write_file(dir.path / "cgroup.subtree_control", "cpu memory pids\n", fs::perms(0644));
  write_file(dir.path / "cgroup.procs", "", fs::perms(0644));
  scoped_env env("PERFCHECK_CGROUP_PARENT", dir.path.string());
  BOOST_TEST(perfcheck::exec::find_memory_cgroup_parent().value_or("") == dir.path);
  {
    process_executor executor(limited({bin("pc_hog"), "64", "1", "20000"}, with_limit(limit_kind::memory, 16 * mib)));
    BOOST_TEST(executor.memory_cgroup_path().empty());
    BOOST_TEST(limit_of(executor.run({})) == "MEMORY");
  }
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);
  write_file(dir.path / "cgroup.subtree_control", "cpu pids\n", fs::perms(0644));
  BOOST_TEST(!perfcheck::exec::find_memory_cgroup_parent());
  scoped_env off("PERFCHECK_CGROUP_PARENT", "none");
  BOOST_TEST(!perfcheck::exec::find_memory_cgroup_parent());
}

BOOST_AUTO_TEST_SUITE_END()

// perfcheck inherits what a killed launcher leaves (a child subreaper) and stops all of it,
// a setsid() grandchild included, but never a child it started itself.
BOOST_AUTO_TEST_CASE(sweep_orphans_stops_children_perfcheck_did_not_start_and_their_trees) {
  perfcheck::exec::become_subreaper();
  int pipe_fds[2];
  BOOST_REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t stranger = ::fork();
  BOOST_REQUIRE(stranger >= 0);
  if (stranger == 0) {
    const pid_t grandchild = ::fork();
    if (grandchild == 0) {
      ::setsid();
      for (;;) ::pause();
    }
    (void)!::write(pipe_fds[1], &grandchild, sizeof grandchild);
    for (;;) ::pause();
  }
  pid_t grandchild = 0;
  BOOST_REQUIRE(::read(pipe_fds[0], &grandchild, sizeof grandchild) == sizeof grandchild);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  const pid_t own = ::fork();
  BOOST_REQUIRE(own >= 0);
  if (own == 0) {
    for (;;) ::pause();
  }
  perfcheck::exec::own_child(own);

  BOOST_TEST(perfcheck::exec::sweep_orphans() >= 2);
  BOOST_TEST(::kill(stranger, 0) != 0);  // killed and reaped
  BOOST_TEST(::kill(grandchild, 0) != 0);
  BOOST_TEST(::kill(own, 0) == 0);  // left alone
  ::kill(own, SIGKILL);
  ::waitpid(own, nullptr, 0);
  perfcheck::exec::forget_child(own);
  BOOST_TEST(perfcheck::exec::sweep_orphans() == 0);
}
