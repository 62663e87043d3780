// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE metric_channel
#include <boost/test/unit_test.hpp>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "perfcheck/ingest/metric_channel.hpp"
#include "temp_folder.hpp"

extern char** environ;

using namespace perfcheck;
using namespace perfcheck::ingest;

namespace {

const reported_metric& metric(const channel_contents& c, const std::string& name) {
  const auto it = c.metrics.find(name);
  BOOST_REQUIRE_MESSAGE(it != c.metrics.end(), "no metric " << name);
  return it->second;
}

// Runs `program args...` with PERFCHECK_METRICS=channel (or without it when empty); returns
// its exit status.
int run_program(const std::vector<std::string>& argv, const std::string& channel) {
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("PERFCHECK_METRICS=", 0) != 0) env_text.emplace_back(*e);
  }
  if (!channel.empty()) env_text.push_back("PERFCHECK_METRICS=" + channel);
  std::vector<char*> args, env;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env_text) env.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  env.push_back(nullptr);
  pid_t pid = 0;
  BOOST_REQUIRE(posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), env.data()) == 0);
  int status = 0;
  BOOST_REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

BOOST_AUTO_TEST_CASE(values_units_counters_and_metadata) {
  const auto c = read_channel_text(
      "startup 523.4 ms\n"
      "pairs 20000\n"
      "cache_hit_rate 78.5 %\n"
      "\n"
      "# a comment\n"
      "#meta endpoint=/api/v1/fir\n"
      "op 1.5 us\nop 2.5e3 ns\n"
      "peak 2 MiB\n"
      "links +1\nlinks +2.5\n"
      "delta -3\r\n");
  BOOST_TEST(c.malformed == 0u);
  BOOST_TEST(c.lines == 12u);
  BOOST_TEST((metric(c, "startup").values == std::vector<double>{523.4e6}));
  BOOST_TEST((metric(c, "startup").kind == unit_kind::duration));
  BOOST_TEST((metric(c, "pairs").kind == unit_kind::count));
  BOOST_TEST(metric(c, "cache_hit_rate").percent);
  BOOST_TEST(metric(c, "cache_hit_rate").values.at(0) == 0.785, boost::test_tools::tolerance(1e-12));
  BOOST_TEST((metric(c, "op").values == std::vector<double>{1500, 2500}));
  BOOST_TEST((metric(c, "peak").values == std::vector<double>{2.0 * 1024 * 1024}));
  BOOST_TEST(metric(c, "links").counter);
  BOOST_TEST((metric(c, "links").values == std::vector<double>{3.5}));
  BOOST_TEST((metric(c, "delta").values == std::vector<double>{-3}));
  BOOST_TEST(c.meta.size() == 1u);
  BOOST_TEST(c.meta.at(0).first == "endpoint");
  BOOST_TEST(c.meta.at(0).second == "/api/v1/fir");
  BOOST_TEST(channel_warnings(c).empty());
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_counted_and_the_first_is_named) {
  const std::pair<const char*, const char*> cases[] = {
      {"startup\n", "line 1: 'startup': no value after the name"},
      {"startup fast ms\n", "line 1: 'startup fast ms': 'fast' is not a number"},
      {"startup 5 parsecs\n", "unknown unit 'parsecs'"},
      {"startup nan ms\n", "'nan' is not a finite number"},
      {"startup inf\n", "'inf' is not a finite number"},
      {"startup 1 ms extra\n", "more than a name, a value and a unit"},
      {"9lives 1\n", "must start with a letter"},
      {"wall 5 ms\n", "'wall' is a metric perfcheck measures itself"},
      {"rss.app 5 MiB\n", "'rss.app' is a metric perfcheck measures itself"},
      {"pairs.rate 5\n", "report the count ('pairs') instead"},
      {"a\x1b[31m 1\n", "line 1: 'a\\x1b[31m 1': the metric name 'a\\x1b[31m' may hold only letters"},
      {"#meta novalue\n", "a metadata line reads '#meta key=value'"},
      {"#meta <img/src=x>=1\n", "a metadata key is a letter then letters"},
      {"#meta key=\x1b[2J\n", "a value holds no control character"},
      {"startup 5 ms\nstartup 5 MiB\n", "line 2: 'startup 5 MiB': 'startup' changed its kind of unit (it was a duration before)"},
      {"n 1\nn +1\n", "line 2: 'n +1': 'n' mixes increments (+N) and values"},
      {"ok 1\nstartup 52", "line 2: 'startup 52': the last line has no newline"},
  };
  for (const auto& [text, expected] : cases) {
    const auto c = read_channel_text(text);
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(c.malformed == 1u);
      BOOST_TEST(c.first_malformed.find(expected) != std::string::npos, c.first_malformed);
      const auto warnings = channel_warnings(c);
      BOOST_REQUIRE(warnings.size() == 1u);
      BOOST_TEST(warnings[0].starts_with("the metric channel had 1 malformed line (skipped); the first: line"));
    }
  }
  // Good lines around bad ones still count.
  const auto c = read_channel_text("a 1\nb x\nc 2\nd\n");
  BOOST_TEST(c.malformed == 2u);
  BOOST_TEST(c.metrics.size() == 2u);
  BOOST_TEST(c.first_malformed.starts_with("line 2: 'b x'"));
}

BOOST_AUTO_TEST_CASE(a_flood_is_bounded_and_said) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "op 1 ms\n";
  channel_limits limits;
  limits.max_values = 10;
  auto c = read_channel_text(text, limits);
  BOOST_TEST(c.truncated);
  BOOST_TEST(metric(c, "op").values.size() == 10u);
  BOOST_TEST(channel_warnings(c).at(0).starts_with("the metric channel was cut off after more than 10 values"));
  limits = {};
  limits.max_bytes = 80;  // 10 lines of 8 bytes
  c = read_channel_text(text, limits);
  BOOST_TEST(c.truncated);
  BOOST_TEST(c.malformed == 0u);  // the cut line is not blamed on the writer
  BOOST_TEST(metric(c, "op").values.size() == 10u);
  BOOST_TEST(channel_warnings(c).at(0).find("more than 80 B of text") != std::string::npos);
  limits = {};
  limits.max_names = 2;
  c = read_channel_text("a 1\nb 1\nc 1\na 2\n", limits);
  BOOST_TEST(c.truncated);
  BOOST_TEST(c.truncation == "more than 2 metric names");
}

BOOST_AUTO_TEST_CASE(names_that_perfcheck_owns_are_refused) {
  BOOST_TEST(check_metric_name("startup").empty());
  BOOST_TEST(check_metric_name("app.latency-p50_x").empty());
  BOOST_TEST(!check_metric_name("throughput").empty());
  BOOST_TEST(!check_metric_name("errors.rate").empty());
  BOOST_TEST(!check_metric_name(std::string(65, 'a')).empty());
  BOOST_TEST(check_metric_name(std::string(64, 'a')).empty());
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_empty_channel_an_unreadable_one_an_error) {
  temp_folder tmp("perfcheck-channel");
  BOOST_TEST(read_channel_file(tmp.file("none")).metrics.empty());
  BOOST_CHECK_THROW(read_channel_file(tmp.dir), std::system_error);  // a folder cannot be read
  // A FIFO in the channel's place (nobody writes it) is refused at once, never waited on; so is
  // a link, even to a good file.
  const auto fifo = tmp.file("fifo");
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  try {
    read_channel_file(fifo);
    BOOST_FAIL("a FIFO was read");
  } catch (const std::system_error& e) {
    BOOST_TEST(std::string(e.what()).find("is not a regular file") != std::string::npos, e.what());
  }
  const auto good = tmp.file("good");
  std::ofstream(good) << "a 1\n";
  const auto link = tmp.file("link");
  std::filesystem::create_symlink(good, link);
  BOOST_CHECK_THROW(read_channel_file(link), std::system_error);
  BOOST_TEST(read_channel_file(good).metrics.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_c_helper_writes_what_the_reader_reads) {
  temp_folder tmp("perfcheck-channel");
  const std::string channel = tmp.file("metrics.txt").string();
  BOOST_TEST(run_program({PERFCHECK_PC_METRICS, "1000"}, channel) == 0);
  const auto c = read_channel_file(channel);
  BOOST_TEST(c.malformed == 0u, c.first_malformed);
  BOOST_TEST((metric(c, "startup").values == std::vector<double>{12.5e6}));
  BOOST_TEST(metric(c, "hit_rate").values.at(0) == 0.785, boost::test_tools::tolerance(1e-12));
  BOOST_TEST((metric(c, "plain").values == std::vector<double>{42}));
  BOOST_TEST((metric(c, "items").values == std::vector<double>{2000}));
  const auto& op = metric(c, "op").values;
  BOOST_REQUIRE(op.size() == 1000u);
  for (std::size_t i = 0; i < op.size(); ++i) BOOST_TEST(op[i] == double(i + 1) * 1000);
  BOOST_TEST(c.meta.at(0).second == "/api/v1/fir");
  // Outside perfcheck the helper is a no-op and writes nothing.
  BOOST_TEST(run_program({PERFCHECK_PC_METRICS, "10"}, "") == 0);
}

BOOST_AUTO_TEST_CASE(the_cpp_scope_timer_reports_its_scope) {
  temp_folder tmp("perfcheck-channel");
  const std::string channel = tmp.file("metrics.txt").string();
  BOOST_TEST(run_program({PERFCHECK_PC_METRICS_TIMER, "20"}, channel) == 0);
  const auto c = read_channel_file(channel);
  const auto& nap = metric(c, "nap");
  BOOST_REQUIRE(nap.values.size() == 1u);
  BOOST_TEST(nap.values[0] >= 20e6);  // at least the sleep, in ns; no upper bound on a busy machine
  BOOST_TEST((nap.kind == unit_kind::duration));
}
