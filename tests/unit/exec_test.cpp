// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// process_executor against real processes (the programs in tests/programs). Timing bounds
// are generous on purpose: these tests must pass on a loaded two-core machine.
#define BOOST_TEST_MODULE exec
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
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

#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"

namespace fs = std::filesystem;
using perfcheck::command_error;
using perfcheck::usage_error;
using perfcheck::exec::command_line;
using perfcheck::exec::output_capture;
using perfcheck::exec::process_executor;
using perfcheck::exec::run_report;

namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t mib = 1 << 20;

std::string bin(const std::string& program) {
  return std::string(PERFCHECK_TEST_BIN_DIR) + "/" + program;
}

/// A fresh directory, removed with everything in it at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "perfcheck-exec-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

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

/// True once `pid` is gone or a zombie, polling for up to `patience`.
bool process_ends(pid_t pid, std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  do {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    if (!(stat >> pid_field >> comm >> state) || state == "Z") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
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
