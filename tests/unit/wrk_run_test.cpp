// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A wrk client measured by the run loop with real processes: wrk against pc_http (tests/programs)
// on 127.0.0.1, bounded by wrk's -d1s; its figures gate, kept output or not, and output that is
// not wrk's summary ends the test with a command_error. Skipped without wrk (tools/setup.sh).
#define BOOST_TEST_MODULE wrk_run
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/runner.hpp"
#include "error_text.hpp"
#include "process_helpers.hpp"

using namespace perfcheck;
namespace tt = boost::test_tools;

namespace {

const char* const wrk = "/usr/bin/wrk";

// A free loopback port: bound to port 0, read back, closed.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// pc_http with its knobs on a free port, killed at the end.
struct http_server {
  int port = free_port();
  pid_t pid = -1;
  explicit http_server(std::vector<std::string> knobs) {
    knobs.insert(knobs.begin(), {test::bin("pc_http"), "--port", std::to_string(port)});
    pid = ::fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& k : knobs) argv.push_back(k.data());
      argv.push_back(nullptr);
      const int quiet = ::open("/dev/null", O_WRONLY);  // its "listening on" line
      ::dup2(quiet, STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 300 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~http_server() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }
};

run_spec wrk_test(std::vector<std::string> command, std::vector<std::string> thresholds) {
  run_spec s;
  s.name = "api_load";
  s.command = std::move(command);
  s.client = "wrk";
  s.warmup = 0;
  s.min_runs = s.max_runs = 1;
  s.thresholds = std::move(thresholds);
  return s;
}

run_result measure(const run_spec& s) {
  const test_plan plan = compile_plan(s, {"spec", false});
  exec::process_executor executor(exec::command_line_for(s));
  return run::run_test(plan, executor, {});
}

bool mentions(const std::vector<std::string>& reasons, const std::string& part) {
  return std::any_of(reasons.begin(), reasons.end(), [&](const std::string& r) { return r.find(part) != std::string::npos; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(wrks_errors_against_an_error_fraction_gate_with_and_without_kept_output) {
  if (!std::filesystem::exists(wrk)) {
    BOOST_WARN_MESSAGE(false, "wrk is not installed (tools/setup.sh installs it): skipped");
    return;
  }
  const http_server flaky({"--error-fraction", "0.25"});
  test::temp_dir dir;
  run_spec kept = wrk_test({wrk, "-t1", "-c2", "-d1s", "--timeout", "5s", "--latency", flaky.url()},
                           {"errors.rate < 1%", "latency.p99 < 10min"});
  kept.output_dir = dir.path.string();
  const run_result r = measure(kept);
  BOOST_TEST((r.outcome == verdict::failed));
  BOOST_TEST(mentions(r.reasons, "errors.rate"), r.reasons.size());
  BOOST_TEST(!mentions(r.reasons, "latency.p99"));
  BOOST_TEST(r.summary.at("errors.rate").max == 0.25, tt::tolerance(0.2));  // pc_http's fraction, +-5 points
  BOOST_TEST(r.summary.at("latency.p99").median > 0);
  BOOST_TEST(std::filesystem::exists(dir.path / "api_load.stdout"));

  run_spec discarded = kept;  // no output folder: perfcheck still reads wrk's stdout
  discarded.output_dir.clear();
  discarded.thresholds = {"errors.rate > 10%", "requests.min >= 1"};
  const run_result d = measure(discarded);
  BOOST_TEST((d.outcome == verdict::pass), (d.reasons.empty() ? "" : d.reasons.front()));
}

BOOST_AUTO_TEST_CASE(output_that_is_not_wrks_summary_ends_the_test_with_an_error_naming_it) {
  const run_spec s = wrk_test({"/bin/echo", "Running 1s test @ http://127.0.0.1:1/"}, {"latency.max < 1s"});
  const std::string e = perfcheck_test::error_text<command_error>([&] { (void)measure(s); });
  BOOST_TEST(e.find("test 'api_load' (CLIENT wrk): wrk's output of run 1: no wrk summary") != std::string::npos, e);
  BOOST_TEST(e.find("(it starts: 'Running 1s test @ http://127.0.0.1:1/')") != std::string::npos, e);
}
