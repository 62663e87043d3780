// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The server measured during a test's runs (run/server_watch): the sampled figures of a real
// process tree, the per-request memory, the soak trends, and the threshold grammar of server.*.
#define BOOST_TEST_MODULE server_watch
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fake_executor.hpp"
#include "perfcheck/exec/tree_usage.hpp"
#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/run/server_watch.hpp"

using namespace perfcheck;

namespace {

// A child of this process that holds `bytes` of touched memory until it is killed.
struct holding_child {
  pid_t pid = 0;
  explicit holding_child(std::size_t bytes) {
    pid = ::fork();
    if (pid == 0) {
      volatile char* block = static_cast<char*>(std::malloc(bytes));  // volatile: kept and touched
      for (std::size_t at = 0; block != nullptr && at < bytes; at += 4096) block[at] = 1;
      for (;;) ::pause();
    }
  }
  ~holding_child() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

run_sample with_server(double rss_first, double rss_last, std::vector<double> threads = {1, 1}) {
  run_sample s;
  s.wall_ns = 1'000'000'000;
  s.reported[run::server_rss] = {unit_kind::size, false, false, {rss_first, rss_last}};
  s.reported[run::server_threads] = {unit_kind::count, false, false, std::move(threads)};
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_the_tree_below_the_root_and_not_the_root) {
  const exec::tree_usage none = exec::read_tree_usage(::getpid());
  const std::size_t bytes = 32u << 20;
  holding_child child(bytes);
  exec::tree_usage u;
  for (int i = 0; i < 500 && u.rss_bytes < std::int64_t(bytes); ++i) {  // until the child touched it
    ::usleep(10'000);
    u = exec::read_tree_usage(::getpid());
  }
  BOOST_TEST(u.processes == none.processes + 1);
  BOOST_TEST(u.threads >= 1);
  BOOST_TEST(u.rss_bytes - none.rss_bytes >= std::int64_t(bytes));
  BOOST_TEST(exec::read_tree_usage(child.pid).processes == 0);  // no descendants of its own
}

BOOST_AUTO_TEST_CASE(every_run_gets_the_server_figures) {
  holding_child server(8u << 20);
  ::usleep(100'000);
  auto watched = run::with_server_watch(std::make_unique<test::fake_executor>(test::fake_executor::script(
                                            [](int) {
                                              ::usleep(30'000);  // a few sampling periods
                                              run_sample s;
                                              s.wall_ns = 30'000'000;
                                              return s;
                                            })),
                                        ::getpid(), 5'000'000);
  const run_sample s = watched->run({}).sample;
  const auto& rss = s.reported.at(run::server_rss);
  BOOST_TEST((rss.kind == unit_kind::size));
  BOOST_TEST(rss.values.size() >= 2u);  // the first and the last reading at least
  for (double v : rss.values) BOOST_TEST(v > 0);
  BOOST_TEST((s.reported.at(run::server_cpu).kind == unit_kind::duration));
  BOOST_TEST(s.reported.at(run::server_cpu).values.size() == 1u);
  BOOST_TEST(s.reported.at(run::server_threads).values.front() >= 1);
  BOOST_TEST(!s.reported.contains(run::server_rss_per_request));
  const auto round = watched->run_round({}, 2);
  for (const auto& copy : round.copies) BOOST_TEST(copy.sample.reported.contains(run::server_rss));
}

BOOST_AUTO_TEST_CASE(per_request_is_the_growth_over_the_requests) {
  run_sample counted = with_server(1000, 5000);
  counted.reported["requests"] = {unit_kind::count, false, true, {10, 10}};  // "requests +10" twice
  run::add_server_per_request(counted);
  BOOST_TEST(counted.reported.at(run::server_rss_per_request).values == std::vector<double>{200});
  run_sample once = with_server(1000, 5000);
  once.reported["requests"] = {unit_kind::count, false, false, {4}};
  run::add_server_per_request(once);
  BOOST_TEST(once.reported.at(run::server_rss_per_request).values == std::vector<double>{1000});
  for (run_sample s : {with_server(1000, 5000), [] {
         run_sample z = with_server(1, 2);
         z.reported["requests"] = {unit_kind::count, false, false, {0}};
         return z;
       }()}) {
    run::add_server_per_request(s);  // no requests, or none made: no figure
    BOOST_TEST(!s.reported.contains(run::server_rss_per_request));
  }
  run_sample client_only;
  client_only.reported["requests"] = {unit_kind::count, false, false, {4}};
  run::add_server_per_request(client_only);
  BOOST_TEST(!client_only.reported.contains(run::server_rss_per_request));
}

BOOST_AUTO_TEST_CASE(a_growing_server_has_a_trend_and_a_steady_one_none) {
  run_result leaking, steady, plain;
  for (int i = 0; i < 12; ++i) {
    leaking.runs.push_back(with_server(1e6, 1e6 + 1e5 * (i + 1), {1.0 + i, 1.0 + i}));
    steady.runs.push_back(with_server(1e6, 1e6 + (i % 2) * 4096));
    plain.runs.push_back(run_sample{});
  }
  run::analyze_server_soak(leaking, false);
  BOOST_TEST(leaking.trends.at("server.rss").significant);
  BOOST_TEST(leaking.trends.at("server.rss").change > 0.5);
  BOOST_TEST(leaking.trends.at("server.threads").significant);
  run::analyze_server_soak(steady, false);
  BOOST_TEST(!steady.trends.at("server.rss").significant);
  BOOST_TEST(!steady.trends.at("server.threads").significant);
  run::analyze_server_soak(plain, false);
  BOOST_TEST(plain.trends.empty());
  run_result once;
  std::vector<double> rss;
  for (int i = 0; i < 40; ++i) rss.push_back(1e6 + 1e4 * i);
  once.runs.push_back(with_server(0, 0));
  once.runs.front().reported[run::server_rss].values = rss;
  once.runs.front().reported[run::server_threads].values.assign(40, 2);
  run::analyze_server_soak(once, true);
  BOOST_TEST(once.trends.at("server.rss").significant);
  BOOST_TEST(once.trends.at("server.rss").n == 32u);  // past the first 20%
  BOOST_TEST(!once.trends.at("server.threads").significant);
}

BOOST_AUTO_TEST_CASE(server_thresholds_follow_the_rss_conventions) {
  const std::vector<std::string> declared{"server.rss", "server.cpu", "server.threads", "server.rss.per_request"};
  const auto max = gate::parse_threshold("server.rss.max < 50MB", declared);
  BOOST_TEST(max.metric == "server.rss");
  BOOST_TEST(max.statistic == "max");
  BOOST_TEST((max.source == subject_source::reported));
  const auto growth = gate::parse_threshold("server.rss.growth < 5%", declared);
  BOOST_TEST(growth.metric == "server.rss");
  BOOST_TEST(growth.statistic == "growth");
  BOOST_TEST((growth.source == subject_source::soak));
  BOOST_TEST(growth.limit == 0.05);
  BOOST_TEST((gate::parse_threshold("server.threads.growth < 1%", declared).source == subject_source::soak));
  const auto per = gate::parse_threshold("server.rss.per_request.median < 50MB", declared);
  BOOST_TEST(per.metric == "server.rss.per_request");
  try {
    gate::parse_threshold("server.rss.max < 50MB");
    BOOST_FAIL("a server metric without a server parsed");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).find("'server.rss' measures the server under test, and this test names none") !=
               std::string::npos);
  }
}
