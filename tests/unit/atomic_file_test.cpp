// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The one atomic-write helper: temp names that carry the writer's pid, removal on every path
// the writer controls, and the sweep of a dead writer's temp files.
#define BOOST_TEST_MODULE atomic_file
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>

#include "perfcheck/model/atomic_file.hpp"
#include "temp_folder.hpp"

namespace fs = std::filesystem;
using namespace perfcheck;

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The pid of a process that has exited and been reaped: not alive.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void touch(const fs::path& path) { std::ofstream(path) << "partial"; }

}  // namespace

BOOST_AUTO_TEST_CASE(temp_names_carry_the_pid_and_are_recognised) {
  const fs::path temp = temp_path_for("/out/index.html", 4242, 3);
  BOOST_TEST(temp.string() == "/out/.index.html.perfcheck-4242-3.tmp");
  BOOST_TEST(temp_file_owner(temp.filename().string()) == 4242);
  // A name only looks like it: not perfcheck's.
  for (const char* name : {"index.html", ".index.html.tmp4242", ".x.perfcheck-12.tmp",
                           "x.perfcheck-12-0.tmp", ".x.perfcheck--1-0.tmp", ".x.perfcheck-12-0.tmpx",
                           ".x.json.Ab12Cd", ".x.perfcheck-a-0.tmp"}) {
    BOOST_TEST_CONTEXT(name) { BOOST_TEST(temp_file_owner(name) == 0); }
  }
}

BOOST_AUTO_TEST_CASE(commit_replaces_the_target_and_leaves_no_temp) {
  temp_folder tmp("perfcheck-atomic");
  const fs::path target = tmp.file("r.json");
  write_file_atomic(target, "old\n");
  {
    atomic_file file(target);
    file.stream() << "new ";
    file.write("text\n");
    BOOST_TEST(read_text(target) == "old\n");  // not yet
    file.commit();
  }
  BOOST_TEST(read_text(target) == "new text\n");
  BOOST_TEST(names_in(tmp.dir) == std::vector<std::string>{"r.json"});
  BOOST_TEST(static_cast<int>(fs::status(target).permissions() & fs::perms::mask) == 0644);
}

BOOST_AUTO_TEST_CASE(an_exception_before_commit_removes_the_temp_and_keeps_the_old_file) {
  temp_folder tmp("perfcheck-atomic");
  const fs::path target = tmp.file("index.html");
  write_file_atomic(target, "old\n");
  try {
    atomic_file file(target);
    file.stream() << std::string(200000, 'x');  // past the buffer: on disk already
    BOOST_TEST(names_in(tmp.dir).size() == 2u);
    throw std::runtime_error("writer failed");
  } catch (const std::runtime_error&) {
  }
  BOOST_TEST(names_in(tmp.dir) == std::vector<std::string>{"index.html"});
  BOOST_TEST(read_text(target) == "old\n");
}

BOOST_AUTO_TEST_CASE(a_failed_create_names_the_folder_and_the_os_words) {
  temp_folder tmp("perfcheck-atomic");
  try {
    atomic_file file(tmp.file("missing") / "r.json");
    BOOST_FAIL("no error");
  } catch (const std::system_error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find((tmp.file("missing") / ".r.json.perfcheck-").string()) != std::string::npos, what);
    BOOST_TEST(what.find("No such file or directory") != std::string::npos, what);
  }
}

BOOST_AUTO_TEST_CASE(the_sweep_removes_dead_writers_temps_only) {
  temp_folder tmp("perfcheck-atomic");
  const pid_t dead = dead_pid();
  const fs::path stale = temp_path_for(tmp.file("index.html"), dead);
  const fs::path live = temp_path_for(tmp.file("summary.md"), ::getppid());  // our parent runs
  const fs::path own = temp_path_for(tmp.file("junit.xml"), ::getpid());
  for (const auto& path : {stale, live, own, tmp.file("index.html"), tmp.file(".other.tmp")}) touch(path);
  BOOST_TEST(sweep_stale_temp_files(tmp.dir) == 1u);
  BOOST_TEST(!fs::exists(stale));
  for (const auto& path : {live, own, tmp.file("index.html"), tmp.file(".other.tmp")}) {
    BOOST_TEST_CONTEXT(path) { BOOST_TEST(fs::exists(path)); }
  }
  // Once per folder and process: a second sweep does not scan again.
  touch(stale);
  BOOST_TEST(sweep_stale_temp_files(tmp.dir) == 0u);
}

BOOST_AUTO_TEST_CASE(the_sweep_removes_stale_temps_of_earlier_versions_only) {
  temp_folder tmp("perfcheck-atomic");
  const auto write = [&](const std::string& name, const std::string& text, std::chrono::hours age) {
    std::ofstream(tmp.file(name)) << text;
    fs::last_write_time(tmp.file(name), fs::file_time_type::clock::now() - age);
    return name;
  };
  using std::chrono::hours;
  const std::string dead = std::to_string(dead_pid()), live = std::to_string(::getppid());
  const std::vector<std::string> stale = {
      write(".r.json.a1B2c3", "{\n  \"schema\": \"perfcheck/result/v1\",\n  \"na", hours(2)),
      write(".s.json.ZZZZZZ", "", hours(2)),                           // killed before a byte
      write(".index.html.tmp" + dead, "<!doctype html>", hours(0)),   // its writer is dead
      write("parse.stdout.tmp", "output", hours(25)),
      write("parse.stderr.tmp", "", hours(48))};
  const std::vector<std::string> kept = {
      write(".r2.json.a1B2c3", "{\"schema\": \"perfcheck/result/v1\"", hours(0)),  // may be written now
      write(".notes.json.abcdef", "my own notes", hours(2)),            // not perfcheck's JSON
      write(".r.json.a1B2c", "{\"schema\": \"perfcheck/", hours(2)),   // not a mkstemp name
      write(".index.html.tmp" + live, "<!doctype html>", hours(5)),    // its writer runs
      write(".mine.html.tmp" + dead, "<p>", hours(5)),                 // no report file of ours
      write("parse.stdout.tmp2", "", hours(48)),
      write("parse.stderr.tmp.keep", "", hours(48)),
      write("late.stdout.tmp", "still running", hours(1))};
  fs::create_symlink(tmp.file("parse.stdout.tmp"), tmp.file(".l.json.qwerty"));  // never a link
  BOOST_TEST(sweep_stale_temp_files(tmp.dir) == stale.size());
  for (const auto& name : stale) {
    BOOST_TEST_CONTEXT(name) { BOOST_TEST(!fs::exists(tmp.file(name))); }
  }
  for (const auto& name : kept) {
    BOOST_TEST_CONTEXT(name) { BOOST_TEST(fs::exists(tmp.file(name))); }
  }
  BOOST_TEST(fs::is_symlink(tmp.file(".l.json.qwerty")));
}

BOOST_AUTO_TEST_CASE(a_guard_removes_its_file_unless_released) {
  temp_folder tmp("perfcheck-atomic");
  const fs::path a = tmp.file("a"), b = tmp.file("b");
  touch(a);
  touch(b);
  { temp_file_guard guard(a); }
  {
    temp_file_guard guard(b);
    guard.release();
  }
  BOOST_TEST(!fs::exists(a));
  BOOST_TEST(fs::exists(b));
}

BOOST_AUTO_TEST_CASE(sigterm_removes_registered_temps_and_still_kills) {
  temp_folder tmp("perfcheck-atomic");
  const fs::path target = tmp.file("r.json");
  const pid_t child = ::fork();
  if (child == 0) {
    install_temp_file_cleanup();
    atomic_file file(target);
    file.write("half a result");
    ::raise(SIGTERM);
    ::_exit(0);  // not reached: the handler re-raises with the default action
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(WTERMSIG(status) == SIGTERM);
  BOOST_TEST(names_in(tmp.dir).empty());
}

BOOST_AUTO_TEST_CASE(a_temp_folder_carries_the_pid_and_dead_writers_folders_go) {
  // A temp folder of its own (TMPDIR), so that this is the process's first look at it.
  temp_folder tmp("perfcheck-test-tmpdir");
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmp.dir.c_str(), 1);
  const fs::path parent = fs::temp_directory_path();
  BOOST_TEST_REQUIRE(parent == tmp.dir);
  const pid_t dead = dead_pid();
  const fs::path stale = parent / fmt::format("perfcheck-unit-{}-Ab12Cd", dead);
  const fs::path stale_other_word = parent / fmt::format("perfcheck-hooks-{}-Xy34Zw", dead);
  const fs::path live = parent / fmt::format("perfcheck-hooks-{}-Live01", ::getppid());
  const fs::path other = parent / fmt::format("perfcheck-unit-{}-longer-name", dead);
  const fs::path foreign = parent / fmt::format("perfcheck-metrics-test-{}-Ab12Cd", dead);
  fs::create_directories(stale / "sub");
  for (const auto& dir : {stale_other_word, live, other, foreign}) fs::create_directories(dir);
  touch(stale / "sub" / "chart.dat");
  const fs::path made = make_temp_folder("perfcheck-unit");
  BOOST_TEST(fs::is_directory(made));
  BOOST_TEST(made.filename().string().starts_with(fmt::format("perfcheck-unit-{}-", ::getpid())));
  BOOST_TEST(!fs::exists(stale));
  BOOST_TEST(!fs::exists(stale_other_word));  // one sweep for every word
  BOOST_TEST(fs::exists(live));
  BOOST_TEST(fs::exists(other));    // not a name make_temp_folder makes
  BOOST_TEST(fs::exists(foreign));  // nor this
  // The sweep reads the whole temp folder once per process: a later folder does not repeat it.
  const fs::path later = parent / fmt::format("perfcheck-unit-{}-Ef56Gh", dead);
  fs::create_directories(later);
  const fs::path second = make_temp_folder("perfcheck-metrics");
  BOOST_TEST(fs::exists(later));
  BOOST_TEST(second.filename().string().starts_with(fmt::format("perfcheck-metrics-{}-", ::getpid())));
  if (old) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
}
