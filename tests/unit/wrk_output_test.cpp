// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE wrk_output
#include <boost/test/unit_test.hpp>

#include <string>

#include "perfcheck/ingest/wrk_output.hpp"
#include "perfcheck/model/error.hpp"
#include "error_text.hpp"

using namespace perfcheck;
using perfcheck::ingest::read_wrk_output;
using perfcheck_test::error_text;
namespace tt = boost::test_tools;

namespace {

// Real output of wrk 4.1.0 (Debian 12) against python3 -m http.server on 127.0.0.1:
// `wrk -t2 -c8 -d2s --latency URL`.
const char* with_latency = R"(Running 2s test @ http://127.0.0.1:18081/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    33.22ms   20.75ms 127.27ms   76.98%
    Req/Sec    89.71     51.50   217.00     70.73%
  Latency Distribution
     50%   27.96ms
     75%   42.03ms
     90%   62.19ms
     99%   99.83ms
  373 requests in 2.12s, 6.79MB read
Requests/sec:    175.56
Transfer/sec:      3.19MB
)";

// `wrk -t1 -c2 -d1s URL/nope`: every response a 404.
const char* bad_status = R"(Running 1s test @ http://127.0.0.1:18081/nope
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.27ms    4.66ms  39.97ms   91.88%
    Req/Sec   849.60    190.17     1.18k    80.00%
  847 requests in 1.00s, 430.30KB read
  Non-2xx or 3xx responses: 847
Requests/sec:    843.99
Transfer/sec:    428.77KB
)";

// `wrk -t2 -c300 -d2s --timeout 1s --latency URL`: a timeout.
const char* socket_errors = R"(Running 2s test @ http://127.0.0.1:18083/
  2 threads and 300 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   134.16ms  154.33ms 992.42ms   93.96%
    Req/Sec    37.16     21.96   120.00     71.05%
  Latency Distribution
     50%  100.33ms
     75%  139.72ms
     90%  187.05ms
     99%  986.32ms
  150 requests in 2.08s, 2.77MB read
  Socket errors: connect 0, read 0, write 0, timeout 1
Requests/sec:     71.96
Transfer/sec:      1.33MB
)";

// The server is down.
const char* refused = R"(unable to connect to 127.0.0.1:18081 Connection refused
)";

std::string error_of(const std::string& text) {
  return error_text<usage_error>([&] { read_wrk_output(text, "wrk.out"); });
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_the_summary_with_the_latency_distribution) {
  const auto r = read_wrk_output(with_latency, "wrk.out");
  BOOST_TEST(r.url == "http://127.0.0.1:18081/");
  BOOST_TEST(r.threads == 2);
  BOOST_TEST(r.connections == 8);
  BOOST_TEST(r.latency_mean_ns == 33.22e6, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_stdev_ns == 20.75e6, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_max_ns == 127.27e6, tt::tolerance(1e-12));
  BOOST_TEST_REQUIRE(r.latency_percentiles_ns.size() == 4U);
  BOOST_TEST(r.latency_percentiles_ns.at(50) == 27.96e6, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_percentiles_ns.at(99) == 99.83e6, tt::tolerance(1e-12));
  BOOST_TEST(r.requests == 373);
  BOOST_TEST(r.duration_ns == 2.12e9, tt::tolerance(1e-12));
  BOOST_TEST(r.bytes_read == 6.79 * 1024 * 1024, tt::tolerance(1e-12));
  BOOST_TEST(r.requests_per_second == 175.56, tt::tolerance(1e-12));
  BOOST_TEST(r.bytes_per_second == 3.19 * 1024 * 1024, tt::tolerance(1e-12));
  BOOST_TEST(r.errors() == 0);
  BOOST_TEST(r.error_rate() == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_statuses_are_errors) {
  const auto r = read_wrk_output(bad_status, "wrk.out");
  BOOST_TEST(r.latency_percentiles_ns.empty());  // no --latency
  BOOST_TEST(r.requests == 847);
  BOOST_TEST(r.bad_status == 847);
  BOOST_TEST(r.error_rate() == 1.0);
  BOOST_TEST(r.bytes_read == 430.30 * 1024, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_mean_ns == 3.27e6, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(socket_errors_count_against_the_requests_attempted) {
  const auto r = read_wrk_output(socket_errors, "wrk.out");
  BOOST_TEST(r.timeouts == 1);
  BOOST_TEST(r.requests == 150);
  BOOST_TEST(r.errors() == 1);
  BOOST_TEST(r.error_rate() == 1.0 / 151.0, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_percentiles_ns.at(99) == 986.32e6, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(times_of_every_unit_and_script_output) {
  const std::string text =
      "Running 1m test @ http://[::1]:8080/x\n"
      "  4 threads and 64 connections\n"
      "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
      "    Latency   812.00us    1.50ms    1.02s    99.00%\n"
      "    Req/Sec     1.20k   300.00     2.00k    70.00%\n"
      "  Latency Distribution\n"
      "     50%  700.00us\n"
      "     99%    2.00m\n"
      "  7200 requests in 1.00m, 1.00GB read\n"
      "a line a Lua script printed: 12 requests\n"
      "Requests/sec:    120.00\n"
      "Transfer/sec:     17.07MB\n";
  const auto r = read_wrk_output(text, "wrk.out");
  BOOST_TEST(r.url == "http://[::1]:8080/x");
  BOOST_TEST(r.latency_mean_ns == 812e3, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_max_ns == 1.02e9, tt::tolerance(1e-12));
  BOOST_TEST(r.latency_percentiles_ns.at(99) == 120e9, tt::tolerance(1e-12));
  BOOST_TEST(r.duration_ns == 60e9, tt::tolerance(1e-12));
  BOOST_TEST(r.bytes_read == 1024.0 * 1024 * 1024, tt::tolerance(1e-12));
  BOOST_TEST(r.requests == 7200);
}

BOOST_AUTO_TEST_CASE(bad_output_names_the_line) {
  BOOST_TEST(contains(error_of(refused), "wrk.out: line 1: 'unable to connect to 127.0.0.1:18081 Connection "
                                         "refused': wrk could not connect; is the server up on that address?"));
  BOOST_TEST(contains(error_of("hello\n"), "wrk.out: no wrk summary ('N requests in T, S read' and "
                                           "'Requests/sec'); is this wrk's output? (it starts: 'hello')"));
  BOOST_TEST(contains(error_of(""), "no wrk summary"));
  BOOST_TEST(contains(error_of("    Latency   fast   1ms  2ms  50%\n"),
                      "wrk.out: line 1: 'Latency   fast   1ms  2ms  50%': 'fast' is not a wrk time"));
  BOOST_TEST(contains(error_of("    Latency   1ms\n"), "expected 'Latency AVG STDEV MAX +/-STDEV%'"));
  BOOST_TEST(contains(error_of("  10 requests in 1.00s, 5.0XB read\nRequests/sec: 10\n"),
                      "line 1: '10 requests in 1.00s, 5.0XB read': '5.0XB' is not a wrk size"));
  BOOST_TEST(contains(error_of("  10 requests in 1.00s, 5.0KB read\nRequests/sec: lots\n"),
                      "line 2: 'Requests/sec: lots': 'lots' is not a number of requests per second"));
}
