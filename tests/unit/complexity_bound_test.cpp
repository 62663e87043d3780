// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The grammar of complexity gates: `wall.median ~ O(n)` and the six bounds.
#define BOOST_TEST_MODULE complexity_bound
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "perfcheck/gate/complexity_bound.hpp"
#include "error_text.hpp"

using namespace perfcheck::gate;
using perfcheck::stats::growth;

namespace {

std::string error_of(const std::string& text) {
  return perfcheck_test::error_text<std::invalid_argument>([&] { parse_complexity_gate(text); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_bound_parses_with_its_parameter) {
  struct row {
    const char* text;
    growth g;
    const char* parameter;
  };
  const row rows[] = {{"O(1)", growth::constant, ""},          {"O(log n)", growth::log_n, "n"},
                      {"O(n)", growth::linear, "n"},           {"O(n log n)", growth::n_log_n, "n"},
                      {"O(n^2)", growth::quadratic, "n"},      {"O(n^3)", growth::cubic, "n"},
                      {" O ( size ^ 2 ) ", growth::quadratic, "size"}, {"O(rows_2 log rows_2)", growth::n_log_n, "rows_2"}};
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.text) {
      const auto b = parse_complexity_bound(r.text);
      BOOST_TEST(static_cast<int>(b.bound) == static_cast<int>(r.g));
      BOOST_TEST(b.parameter == r.parameter);
      // The canonical form reads back to the same bound.
      const auto again = parse_complexity_bound(format_complexity_bound(b));
      BOOST_TEST(static_cast<int>(again.bound) == static_cast<int>(r.g));
      BOOST_TEST(again.parameter == r.parameter);
    }
  }
  BOOST_TEST(format_complexity_bound({growth::n_log_n, "n"}) == "O(n log n)");
}

BOOST_AUTO_TEST_CASE(a_gate_splits_at_the_tilde) {
  const auto g = parse_complexity_gate("wall.median ~ O(n)");
  BOOST_TEST(g.subject == "wall.median");
  BOOST_TEST(static_cast<int>(g.bound.bound) == static_cast<int>(growth::linear));
  BOOST_TEST(is_complexity_gate("rss.max~O(log n)"));
  BOOST_TEST(parse_complexity_gate("rss.max~O(log n)").subject == "rss.max");
  BOOST_TEST(!is_complexity_gate("wall.p95 < 200ms"));
}

BOOST_AUTO_TEST_CASE(bad_bounds_quote_the_text_and_list_the_forms) {
  for (const char* bad : {"wall.median ~ O(n log m)", "wall.median ~ O(n^4)", "wall.median ~ n",
                          "wall.median ~ O()", "wall.median ~ O(log)", "wall.median ~ O(2n)", "wall.median ~ O(n) x",
                          "wall.median ~ O(n²)"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto message = error_of(bad);
      BOOST_TEST(message.find("is not one of O(1), O(log n), O(n), O(n log n), O(n^2) or O(n^3)") != std::string::npos);
      BOOST_TEST(message.find(std::string(bad).substr(14)) != std::string::npos);
    }
  }
  BOOST_TEST(error_of("~ O(n)").find("must read '<metric>.<statistic> ~ <bound>'") != std::string::npos);
  BOOST_TEST(error_of("wall.median O(n)").find("for example 'wall.median ~ O(n)'") != std::string::npos);
}
