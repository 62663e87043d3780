// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The built-in load generator against a real server (tests/programs/pc_http.c) on loopback:
// exact counts in the closed model, errors by kind, and the open model's latency measured from
// each request's intended start, so that a server stall shows in the tail (no coordinated omission).
#define BOOST_TEST_MODULE load_generator
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "error_text.hpp"
#include "perfcheck/load/generator.hpp"
#include "perfcheck/model/error.hpp"
#include "process_helpers.hpp"

using namespace perfcheck::load;
using perfcheck::usage_error;

namespace {

// A port nobody listens on right now (the kernel's pick, released).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// pc_http on a free port with the given knobs, ready when constructed, killed when destroyed.
struct http_server {
  std::uint16_t port = free_port();
  pid_t pid = -1;
  explicit http_server(std::vector<std::string> knobs) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    knobs.insert(knobs.begin(), {perfcheck::test::bin("pc_http"), "--port", std::to_string(port)});
    pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], 1);
      std::vector<char*> argv;
      for (auto& k : knobs) argv.push_back(k.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    char line[128] = {};
    const auto n = ::read(out[0], line, sizeof line - 1);  // "listening on ..." once it accepts
    ::close(out[0]);
    if (n <= 0 || std::string(line).find("listening") == std::string::npos) throw std::runtime_error("pc_http did not start");
  }
  ~http_server() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  load_spec spec() const {
    load_spec s;
    s.target = parse_target("http://127.0.0.1:" + std::to_string(port) + "/work", "test");
    s.timeout_ns = 10'000'000'000;
    return s;
  }
};

double ms(std::optional<double> ns) { return ns.value_or(-1) / 1e6; }
double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

}  // namespace

BOOST_AUTO_TEST_CASE(the_closed_model_sends_exactly_the_requests_asked_for) {
  http_server server({});
  auto spec = server.spec();
  spec.connections = 4;
  spec.requests = 500;
  const auto report = run_load(spec);
  BOOST_TEST(report.started == 500);
  BOOST_TEST(report.responses == 500);
  BOOST_TEST(report.error_count() == 0);
  BOOST_TEST(report.latency.count() == 500u);
  BOOST_TEST(report.service.count() == 500u);
  BOOST_TEST(report.dropped == 0);
  BOOST_TEST(report.body_bytes == 500 * 3);  // "ok\n"
  BOOST_TEST(report.throughput() > 0);
}

BOOST_AUTO_TEST_CASE(a_known_error_fraction_is_the_error_rate) {
  // pc_http fails exactly floor(n * f) of its first n requests, evenly spread.
  http_server server({"--error-fraction", "0.1"});
  auto spec = server.spec();
  spec.connections = 3;
  spec.requests = 1000;
  const auto report = run_load(spec);
  BOOST_TEST(report.errors_of(error_kind::status) == 100);
  BOOST_TEST(report.error_count() == 100);
  BOOST_TEST(report.error_rate() == 0.1, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(report.responses == 1000);
}

BOOST_AUTO_TEST_CASE(an_open_model_run_shows_a_server_stall_in_its_latency_but_not_its_service_time) {
  // 200/s for 4 s (800 starts) on 4 connections; the single-threaded server stalls 1 s before
  // its 200th answer. The starts scheduled during the stall wait for it: the k-th latest of them
  // waits about S - k/R, so the nearest-rank quantile q of the 800 latencies is S - (1 - q) * D
  // (p99: 8 starts from the top, 0.96 s; p95 0.8 s; p90 0.6 s) and the max is S. Only the few
  // requests in flight on the 4 connections when it stalled see it in their service time.
  const double stall = 1.0, rate = 200, duration = 4;
  http_server server({"--stall", "1000", "--stall-after", "200"});
  auto spec = server.spec();
  spec.connections = 4;
  spec.rate = rate;
  spec.duration_ns = static_cast<std::int64_t>(duration * 1e9);
  const auto report = run_load(spec);
  BOOST_TEST_MESSAGE("latency p90/p95/p99/max " << ms(report.latency.quantile(0.9)) << " " << ms(report.latency.quantile(0.95))
                     << " " << ms(report.latency.quantile(0.99)) << " " << seconds(report.latency.max()) * 1e3 << " ms; service p99 "
                     << ms(report.service.quantile(0.99)) << " ms; lag p99 " << ms(report.lag.quantile(0.99)) << " ms");
  BOOST_TEST(report.started + report.dropped == 800);
  BOOST_TEST(report.dropped == 0);
  BOOST_TEST(report.error_count() == 0);
  // Lower bounds are firm (those starts cannot end before the stall does). The upper ones leave
  // a quarter of the stall for what the analytic value leaves out: the sleep's overshoot and the
  // queue of ~200 starts draining through 4 connections afterwards, which takes some 100 ms on a
  // loaded 2-core machine (service times there reach 20 ms). Coordinated omission would put
  // these quantiles at the service time instead, far below.
  for (double q : {0.90, 0.95, 0.99}) {
    const double analytic = stall - (1 - q) * duration;
    const double got = ms(report.latency.quantile(q)) / 1e3;
    BOOST_TEST(got >= analytic - 0.01, "p" << q * 100 << " " << got << " s vs " << analytic);
    BOOST_TEST(got <= analytic + 0.25 * stall, "p" << q * 100 << " " << got << " s vs " << analytic);
  }
  BOOST_TEST(seconds(report.latency.max()) >= stall - 0.01);
  BOOST_TEST(seconds(report.latency.max()) <= stall * 1.25);
  // The service time hides it: its p99 is far below the stall, though its max (the stalled
  // request itself) is the stall.
  BOOST_TEST(ms(report.service.quantile(0.99)) < 0.1 * stall * 1e3);
  BOOST_TEST(seconds(report.service.max()) >= stall - 0.01);
  BOOST_TEST(report.lag.count() == 800u);
}

BOOST_AUTO_TEST_CASE(open_model_starts_that_find_no_connection_in_time_are_dropped) {
  // The server takes 50 ms a request (20/s on one connection) and is offered 100/s for 1 s.
  http_server server({"--service", "50"});
  auto spec = server.spec();
  spec.rate = 100;
  spec.duration_ns = 1'000'000'000;
  spec.start_bound_ns = 200'000'000;
  const auto report = run_load(spec);
  BOOST_TEST(report.started + report.dropped == 100);  // every start is made or dropped
  BOOST_TEST(report.dropped >= 50);
  BOOST_TEST(report.responses == report.started);
}

BOOST_AUTO_TEST_CASE(a_closed_port_is_counted_as_connect_errors) {
  load_spec spec;
  spec.target = parse_target("http://127.0.0.1:" + std::to_string(free_port()) + "/", "test");
  spec.connections = 2;
  spec.requests = 20;
  const auto report = run_load(spec);
  BOOST_TEST(report.errors_of(error_kind::connect) == 20);
  BOOST_TEST(report.error_rate() == 1.0);
  BOOST_TEST(report.responses == 0);
}

BOOST_AUTO_TEST_CASE(a_server_slower_than_the_timeout_is_counted_as_timeouts) {
  http_server server({"--service", "3000"});
  auto spec = server.spec();
  spec.requests = 1;
  spec.timeout_ns = 200'000'000;
  const auto report = run_load(spec);
  BOOST_TEST(report.errors_of(error_kind::timeout) == 1);
  BOOST_TEST(report.responses == 0);
}

BOOST_AUTO_TEST_CASE(responses_are_checked_for_their_status_and_body) {
  http_server server({});
  auto spec = server.spec();
  spec.method = "POST";
  spec.bodies = {std::string(3000, 'x')};
  spec.headers = {{"X-Test", "1"}};
  spec.requests = 50;
  spec.check.body_contains = "ok";
  BOOST_TEST(run_load(spec).error_count() == 0);
  spec.check.body_contains = "missing";
  BOOST_TEST(run_load(spec).errors_of(error_kind::body) == 50);
  spec.check = {201, ""};
  BOOST_TEST(run_load(spec).errors_of(error_kind::status) == 50);
}

BOOST_AUTO_TEST_CASE(bodies_are_cycled_request_by_request_and_response_sizes_measured_and_checked) {
  // pc_http --echo-size answers each request with a body as long as the request's: bodies of 100,
  // 200 and 300 bytes cycled over 30 requests on one connection give ten responses of each size.
  http_server server({"--echo-size"});
  auto spec = server.spec();
  spec.method = "POST";
  spec.bodies = {std::string(100, 'a'), std::string(200, 'b'), std::string(300, 'c')};
  spec.requests = 30;
  auto report = run_load(spec);
  BOOST_TEST(report.error_count() == 0);
  BOOST_TEST(report.body_bytes == 10 * (100 + 200 + 300));
  const auto& sizes = report.response_bytes;
  BOOST_TEST(sizes.count() == 30u);
  BOOST_TEST((sizes.min() == 100 && sizes.max() == 300));  // exact
  // Nearest rank: the 10th of 30 is the last 100, the 11th the first 200 (precision: 4 bytes).
  BOOST_TEST(std::abs(*sizes.quantile(10.0 / 30) - 100) <= 4);
  BOOST_TEST(std::abs(*sizes.quantile(11.0 / 30) - 200) <= 4);
  BOOST_TEST(std::abs(*sizes.quantile(0.5) - 200) <= 4);
  parse_size_range("150B..250B", "--expect-size", spec.check);
  report = run_load(spec);
  BOOST_TEST(report.errors_of(error_kind::body) == 20);  // the 100- and 300-byte ones
  BOOST_TEST(report.responses == 30);
}

BOOST_AUTO_TEST_CASE(a_size_range_reads_sizes_with_units_either_side_open) {
  response_check c;
  parse_size_range("100B..64KiB", "--expect-size", c);
  BOOST_TEST((c.min_bytes == 100 && c.max_bytes == 65536));
  parse_size_range("..1MiB", "--expect-size", c);
  BOOST_TEST((c.min_bytes == 0 && c.max_bytes == 1048576));
  parse_size_range("1KB..", "--expect-size", c);
  BOOST_TEST((c.min_bytes == 1000 && c.max_bytes == -1));
  using perfcheck_test::error_text;
  BOOST_TEST(error_text<usage_error>([&] { parse_size_range("100B-200B", "--expect-size", c); })
                 .find("--expect-size '100B-200B': no '..' between the smallest and the largest size; write MIN..MAX") !=
             std::string::npos);
  BOOST_TEST(error_text<usage_error>([&] { parse_size_range("2KiB..1KiB", "--expect-size", c); })
                 .find("the smallest size is above the largest") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([&] { parse_size_range("1s..2s", "--expect-size", c); })
                 .find("'1s' is not a size") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([&] { parse_size_range("..", "--expect-size", c); })
                 .find("both sizes are missing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(urls_other_than_loopback_http_are_refused_with_the_fix) {
  BOOST_TEST(parse_target("http://127.0.0.1:8080/a?b=1", "--url").port == 8080);
  BOOST_TEST(parse_target("http://127.0.0.1:8080/a?b=1", "--url").path == "/a?b=1");
  BOOST_TEST(parse_target("http://[::1]:81", "--url").host == "::1");
  BOOST_TEST(parse_target("http://localhost", "--url").port == 80);
  using perfcheck_test::error_text;
  BOOST_TEST(error_text<usage_error>([] { parse_target("http://10.0.0.1:80/", "--url"); })
                 .find("--url: bad URL 'http://10.0.0.1:80/': '10.0.0.1' is not a loopback address") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([] { parse_target("https://127.0.0.1/", "--url"); }).find("only http://") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([] { parse_target("http://127.0.0.1:0/", "--url"); }).find("1 to 65535") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([] { parse_target("http://127.0.0.1:/", "--url"); }).find("1 to 65535") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([] { parse_target("http://127.0.0.256/", "--url"); }).find("not a loopback") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([] { parse_target("http://[::1/", "--url"); }).find("not closed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(another_host_is_a_target_only_when_allowed_by_name) {
  using perfcheck_test::error_text;
  const std::vector<std::string> allowed{"api.internal", "fd00::5"};
  const auto named = parse_target("http://api.internal:8080/items", "--url", allowed);
  BOOST_TEST((named.host == "api.internal" && named.port == 8080 && named.path == "/items"));
  BOOST_TEST(parse_target("http://[fd00::5]:81/", "--url", allowed).host == "fd00::5");
  BOOST_TEST(parse_target("http://127.0.0.1:81/", "--url", allowed).host == "127.0.0.1");  // loopback still is
  BOOST_TEST(error_text<usage_error>([&] { parse_target("http://api.internal.evil:80/", "--url", allowed); })
                 .find("unless --allow-host api.internal.evil allows that host") != std::string::npos);
  BOOST_TEST(error_text<usage_error>([] { parse_target("http://api.internal/", "--url"); })
                 .find("'api.internal' is not a loopback address") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_spec_without_a_bound_or_with_a_bad_number_is_refused) {
  load_spec spec;
  spec.target = parse_target("http://127.0.0.1:1/", "test");
  using perfcheck_test::error_text;
  BOOST_TEST(error_text<usage_error>([&] { run_load(spec); }).find("give --duration") != std::string::npos);
  spec.requests = 1;
  spec.connections = 0;
  BOOST_TEST(error_text<usage_error>([&] { run_load(spec); }).find("--connections 0") != std::string::npos);
  spec.connections = 1;
  spec.rate = -1;
  BOOST_TEST(error_text<usage_error>([&] { run_load(spec); }).find("--rate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stages_run_back_to_back_each_request_counted_in_the_stage_it_was_due_in) {
  // 2 s at 50/s, 0.5 s at 40/s, then a ramp 0/s..100/s over 1 s: 100, 20 and 50 starts. The
  // server stalls 1 s before its 10th answer (0.2 s in): the first stage's starts wait for it
  // (latency max at least the stall, less the ~0.2 s before it), but the stall and its backlog
  // (through 4 connections, some 100 ms) are over long before the second stage begins at 2 s.
  http_server server({"--stall", "1000", "--stall-after", "10"});
  auto spec = server.spec();
  spec.connections = 4;
  spec.stages = parse_stages("2s:50/s 500ms:40/s 1s:0/s..100/s", "--stages");
  const auto stages = run_load_stages(spec);
  BOOST_TEST_REQUIRE(stages.size() == 3u);
  const std::int64_t starts[] = {100, 20, 50}, begins[] = {0, 2'000'000'000, 2'500'000'000};
  for (std::size_t k = 0; k < 3; ++k) {
    BOOST_TEST_MESSAGE("stage " << k + 1 << ": latency max " << seconds(stages[k].latency.max()) << " s");
    BOOST_TEST(stages[k].started + stages[k].dropped == starts[k]);
    BOOST_TEST(stages[k].dropped == 0);
    BOOST_TEST(stages[k].responses == starts[k]);
    BOOST_TEST(stages[k].latency.count() == static_cast<std::uint64_t>(starts[k]));
    BOOST_TEST(stages[k].lag.count() == static_cast<std::uint64_t>(starts[k]));
    BOOST_TEST(stages[k].begin_ns == begins[k]);
    BOOST_TEST(stages[k].error_count() == 0);
  }
  BOOST_TEST(seconds(stages[0].latency.max()) >= 0.75);
  BOOST_TEST(seconds(stages[1].latency.max()) < 0.5);  // the stall is 1 s: it is not in this stage
  BOOST_TEST(seconds(stages[2].latency.max()) < 0.5);
  const load_report whole = run_load(spec);  // the same stages as one report (pc_http stalls only once)
  BOOST_TEST(whole.started + whole.dropped == 170);
}

BOOST_AUTO_TEST_CASE(several_threads_share_the_requests_and_the_schedule_exactly) {
  // pc_http fails exactly floor(n * f) of its first n requests whichever connection sends them:
  // the merged report must count every request of every thread once.
  http_server server({"--error-fraction", "0.1"});
  auto spec = server.spec();
  spec.connections = 5;
  spec.threads = 3;
  spec.requests = 1001;  // 334 + 334 + 333
  const auto closed = run_load(spec);
  BOOST_TEST(closed.started == 1001);
  BOOST_TEST(closed.responses == 1001);
  BOOST_TEST(closed.latency.count() == 1001u);
  BOOST_TEST(closed.errors_of(error_kind::status) == 100);
  BOOST_TEST(closed.body_bytes > 0);

  // The open model in two stages (200/s then 400/s, half a second each: 100 and 200 starts),
  // every thread taking every other start; each is
  // started (or dropped) once and its lag recorded once, and the stage reports keep their own
  // begin and a wall time from it.
  auto open = server.spec();
  open.connections = 4;
  open.threads = 2;
  open.stages = {{500'000'000, 200, 200, ""}, {500'000'000, 400, 400, ""}};  // 100 + 200 starts
  // The threads are really there: this process's thread count while the run lasts (the test's
  // own thread, the watcher and the generator's two: 4; without them 2).
  std::atomic<bool> done{false};
  std::atomic<int> most{0};
  std::thread watcher([&] {
    while (!done) {
      std::ifstream status("/proc/self/status");
      for (std::string line; std::getline(status, line);) {
        if (line.starts_with("Threads:")) most = std::max(most.load(), std::stoi(line.substr(8)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const auto stages = run_load_stages(open);
  done = true;
  watcher.join();
  BOOST_TEST(most.load() >= 4);
  BOOST_TEST_REQUIRE(stages.size() == 2u);
  BOOST_TEST(stages[0].started + stages[0].dropped == 100);
  BOOST_TEST(stages[1].started + stages[1].dropped == 200);
  BOOST_TEST(stages[0].lag.count() == 100u);
  BOOST_TEST(stages[1].lag.count() == 200u);
  BOOST_TEST(stages[1].begin_ns == 500'000'000);
  BOOST_TEST(stages[1].wall_ns > 0);
  BOOST_TEST(stages[1].wall_ns < 5'000'000'000);
}

BOOST_AUTO_TEST_CASE(threads_are_refused_beyond_the_connections) {
  load_spec spec;
  spec.target = {"127.0.0.1", 8080, "/"};
  spec.requests = 10;
  spec.connections = 2;
  spec.threads = 3;
  try {
    check_spec(spec);
    BOOST_FAIL("three threads for two connections were accepted");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).find("--threads 3: each thread drives connections of its own, and there are 2 (--connections); raise --connections to at least 3") != std::string::npos, e.what());
  }
  spec.threads = 0;
  BOOST_CHECK_THROW(check_spec(spec), usage_error);
  spec.threads = 2;
  BOOST_CHECK_NO_THROW(check_spec(spec));
}
