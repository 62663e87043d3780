// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE units
#include <boost/test/unit_test.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"

using namespace perfcheck;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(durations_convert_to_nanoseconds) {
  BOOST_TEST(parse_duration_ns("1ns") == 1.0);
  BOOST_TEST(parse_duration_ns("250us") == 250e3);
  BOOST_TEST(parse_duration_ns("120ms") == 120e6);
  BOOST_TEST(parse_duration_ns("1.5s") == 1.5e9);
  BOOST_TEST(parse_duration_ns("2min") == 120e9);
  BOOST_TEST(parse_duration_ns("1h") == 3600e9);
  BOOST_TEST(parse_duration_ns(" 30 s ") == 30e9);
  BOOST_TEST(parse_duration_ns("0s") == 0.0);
}

BOOST_AUTO_TEST_CASE(sizes_distinguish_binary_and_decimal) {
  BOOST_TEST(parse_size_bytes("512B") == 512.0);
  BOOST_TEST(parse_size_bytes("1KiB") == 1024.0);
  BOOST_TEST(parse_size_bytes("64MiB") == 64.0 * 1024 * 1024);
  BOOST_TEST(parse_size_bytes("2GiB") == 2.0 * 1024 * 1024 * 1024);
  BOOST_TEST(parse_size_bytes("1KB") == 1000.0);
  BOOST_TEST(parse_size_bytes("10MB") == 10e6);
  BOOST_TEST(parse_size_bytes("8GB") == 8e9);
}

BOOST_AUTO_TEST_CASE(rates_and_counts) {
  const auto r = parse_quantity("333/s");
  BOOST_TEST(r.value == 333.0);
  BOOST_TEST((r.kind == unit_kind::rate));
  BOOST_TEST(parse_quantity("120/min").value == 2.0, tt::tolerance(1e-12));
  const auto c = parse_quantity("0");
  BOOST_TEST((c.kind == unit_kind::count));
  BOOST_TEST(c.value == 0.0);
}

void check_error(const std::string& text, const std::string& expected_part) {
  try {
    parse_quantity(text);
    BOOST_ERROR("no error for '" << text << "'");
  } catch (const usage_error& e) {
    BOOST_TEST_INFO("message: " << e.what());
    BOOST_TEST(std::string(e.what()).find(expected_part) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(bad_quantities_name_the_problem) {
  check_error("12parsecs", "unknown unit 'parsecs'");
  check_error("12parsecs", "ns, us, ms, s, min, h");  // the allowed units are listed
  check_error("5 Ms", "unknown unit 'Ms'");            // case matters
  check_error("-5ms", "negative");
  check_error("ms", "not a number");
  check_error("", "not a number");
  check_error("inf s", "not a finite number");
  check_error("nan", "not a finite number");
}

BOOST_AUTO_TEST_CASE(kind_mismatch_is_an_error) {
  BOOST_CHECK_THROW(parse_duration_ns("64MiB"), usage_error);
  BOOST_CHECK_THROW(parse_size_bytes("10ms"), usage_error);
  BOOST_CHECK_THROW(parse_duration_ns("10"), usage_error);
  try {
    parse_size_bytes("10ms");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).find("is not a size") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(formatting_keeps_three_significant_digits) {
  BOOST_TEST(format_duration(812) == "812 ns");
  BOOST_TEST(format_duration(12'345) == "12.3 us");
  BOOST_TEST(format_duration(12'345'678) == "12.3 ms");
  BOOST_TEST(format_duration(1.5e9) == "1.50 s");
  BOOST_TEST(format_duration(125e9) == "2 min 5.0 s");
  BOOST_TEST(format_size(512) == "512 B");
  BOOST_TEST(format_size(4.2 * 1024) == "4.20 KiB");
  BOOST_TEST(format_size(63.9 * 1024 * 1024) == "63.9 MiB");
  BOOST_TEST(format_quantity(3, unit_kind::count) == "3");
}
