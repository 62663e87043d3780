// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE hyperfine
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

#include <boost/json.hpp>

#include "perfcheck/ingest/hyperfine.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "error_text.hpp"

using namespace perfcheck;
using perfcheck_test::error_text;

namespace perfcheck {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, verdict v) { return out << to_string(v); }
}  // namespace perfcheck

namespace {

// Real output of hyperfine 1.15.0 (`hyperfine -N --runs 5 --export-json ...`), numbers as written,
// plus a parameter scan's "parameters" member as hyperfine writes it for -P.
const char* golden = R"({
  "results": [
    {
      "command": "/bin/true",
      "mean": 0.001570227,
      "stddev": 0.002033332443371226,
      "median": 0.000667301,
      "user": 0.0005418,
      "system": 0.0,
      "min": 0.000611015,
      "max": 0.005206027,
      "times": [0.000755577, 0.000667301, 0.000611015, 0.000611215, 0.005206027],
      "exit_codes": [0, 0, 0, 0, 0]
    },
    {
      "command": "sleep 0.001",
      "mean": 0.0017, "stddev": 0.0001, "median": 0.0017, "user": 0.0004, "system": 0.0,
      "min": 0.0016, "max": 0.0018,
      "times": [0.0016, 0.0017, 0.0018],
      "exit_codes": [0, 0, 0],
      "parameters": {"n": "1"}
    }
  ]
})";

std::vector<ingest::ingested_benchmark> read(const std::string& text) {
  return ingest::read_hyperfine(parse_json_text(text, "hf.json"), "hf.json", "2026-12-01T10:00:00Z");
}

// A file with one result whose `field` is replaced (or removed, for "").
std::string with_field(const std::string& field, const std::string& json) {
  boost::json::object entry{{"command", "work"},
                            {"mean", 0.002},
                            {"times", boost::json::array{0.001, 0.002, 0.003}},
                            {"exit_codes", boost::json::array{0, 0, 0}}};
  if (json.empty()) {
    entry.erase(field);
  } else {
    entry[field] = boost::json::parse(json);
  }
  return boost::json::serialize(boost::json::object{{"results", boost::json::array{entry}}});
}

std::string error_of(const std::string& text) {
  return error_text<usage_error>([&] { read(text); });
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(golden_file_becomes_one_result_per_command) {
  const auto all = read(golden);
  BOOST_TEST_REQUIRE(all.size() == 2U);
  const auto& t = all[0];
  BOOST_TEST(t.result.name == "/bin/true");
  BOOST_TEST(t.result.outcome == verdict::pass);
  BOOST_TEST_REQUIRE(t.result.runs.size() == 5U);
  BOOST_TEST(t.result.runs[0].wall_ns == 755577);
  BOOST_TEST(t.result.runs[4].wall_ns == 5206027);
  BOOST_TEST(t.result.runs[0].exit_code.value_or(-1) == 0);
  BOOST_TEST(t.result.runs[0].user_ns == 0);  // hyperfine keeps only the mean CPU time
  BOOST_TEST(t.columns.at("wall")[1] == 0.000667301 * 1e9);
  BOOST_TEST(t.columns.count("cpu") == 0U);
  BOOST_TEST(t.columns.count("rss") == 0U);
  // The median of the five times, as hyperfine itself reports it.
  BOOST_TEST(t.result.summary.at("wall").median == 0.000667301 * 1e9, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.result.started_at == "2026-12-01T10:00:00Z");
  BOOST_TEST(all[1].result.name == "sleep 0.001");
  BOOST_TEST(all[1].result.runs.size() == 3U);
}

BOOST_AUTO_TEST_CASE(memory_usage_becomes_the_runs_peak_rss) {
  const auto all = read(with_field("memory_usage_byte", "[1048576, 2097152, 3145728]"));
  BOOST_TEST(all[0].result.runs[2].max_rss_bytes == 3145728);
  BOOST_TEST(all[0].columns.at("rss")[1] == 2097152.0);
  BOOST_TEST(all[0].result.summary.at("rss").median == 2097152.0);
}

BOOST_AUTO_TEST_CASE(failed_runs_make_an_error_and_are_left_out) {
  const auto all = read(with_field("exit_codes", "[0, 3, null]"));
  const auto& r = all[0].result;
  BOOST_TEST(r.outcome == verdict::error);
  BOOST_TEST(r.runs.size() == 1U);
  BOOST_TEST_REQUIRE(r.reasons.size() == 2U);
  BOOST_TEST(r.reasons[0] == "run 2 exited with code 3");
  BOOST_TEST(r.reasons[1] == "2 of 3 runs failed");
  const auto signal = read(with_field("exit_codes", "[null, 0, 0]"));
  BOOST_TEST(signal[0].result.reasons[0] == "run 1 was ended by a signal");
  // Without exit codes (older versions), every run counts as passed.
  BOOST_TEST(read(with_field("exit_codes", ""))[0].result.runs.size() == 3U);
}

BOOST_AUTO_TEST_CASE(recognised_only_with_commands_and_times) {
  BOOST_TEST(ingest::is_hyperfine(parse_json_text(golden, "hf.json")));
  BOOST_TEST(!ingest::is_hyperfine(parse_json_text(R"({"schema": "perfcheck/history/v1", "results": []})", "x")));
  BOOST_TEST(!ingest::is_hyperfine(parse_json_text(R"({"results": [{"name": "x"}]})", "x")));
  BOOST_TEST(!ingest::is_hyperfine(parse_json_text(R"({"benchmarks": []})", "x")));
  BOOST_TEST(!ingest::is_hyperfine(parse_json_text(R"([1, 2])", "x")));
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_place_and_the_fix) {
  BOOST_TEST(contains(error_of(with_field("times", "[]")),
                      "hf.json: field 'results[0].times': missing or empty"));
  BOOST_TEST(contains(error_of(with_field("times", "[0.1, \"x\", 0.2]")),
                      "field 'results[0].times[1]': expected a number of seconds"));
  BOOST_TEST(contains(error_of(with_field("times", "[0.1, -1, 0.2]")),
                      "field 'results[0].times[1]': -1 is not a run's time"));
  BOOST_TEST(contains(error_of(with_field("times", "[0.1, 0, 0.2]")), "times[1]': 0 is not a run's time"));
  BOOST_TEST(contains(error_of(with_field("exit_codes", "[0, 0]")),
                      "field 'results[0].exit_codes': has 2 elements for 3 times"));
  BOOST_TEST(contains(error_of(with_field("exit_codes", "[0, \"no\", 0]")),
                      "field 'results[0].exit_codes[1]': expected an exit code"));
  BOOST_TEST(contains(error_of(with_field("memory_usage_byte", "[1, -2, 3]")),
                      "field 'results[0].memory_usage_byte[1]': is negative"));
  BOOST_TEST(contains(error_of(with_field("command", "")), "results[0].command"));
  BOOST_TEST(contains(error_of(with_field("command", "\"a\\u0001b\"")),
                      "contains a control character; use printable characters only; name the command "
                      "with hyperfine --command-name"));
  BOOST_TEST(contains(error_of(R"({"results": []})"), "field 'results': missing or empty"));
  BOOST_TEST(contains(error_of(R"({"results": [1]})"), "field 'results[0]': expected an object"));
  const std::string twice = R"({"results": [{"command": "a", "times": [0.1]}, {"command": "a", "times": [0.2]}]})";
  BOOST_TEST(contains(error_of(twice), "field 'results[1].command': 'a' appears twice (results[0] and "
                                       "results[1]); tell the commands apart with hyperfine --command-name"));
}
