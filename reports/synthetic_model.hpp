// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A deterministic made-up history, for benchmarks and browser checks of the report without a
// history store (`perfcheck report --synthetic TESTS:RESULTS`, hidden).
#pragma once

#include <cstddef>
#include <cstdint>

#include "reports/report_model.hpp"

namespace perfcheck::reports {

/// The shape of a synthetic history.
struct synthetic_options {
  std::size_t tests = 20;    ///< performance tests
  std::size_t results = 50;  ///< results per test (sessions)
  std::size_t samples = 30;  ///< runs of the current result and of the baseline
  std::uint64_t seed = 1;    ///< same seed, same model
  bool hostile = false;      ///< name the first test with HTML, Markdown and gnuplot specials
};

/// The hostile test name: a script tag, quotes, a backslash, a newline, a backtick and a
/// gnuplot command injection attempt.
inline constexpr const char* hostile_test_name =
    "<script>alert(1)</script> \"q\" 'a' \\b\nline `touch /tmp/pwned-bt` \"; system \"touch "
    "/tmp/pwned\" | *x* _y_ [z](http://e.invalid) &amp;";

/// A history of `tests` tests with `results` results each: level shifts (so change points),
/// every verdict, thresholds, baseline comparisons, samples, memory timelines and series
/// levels on some tests, and about one test in 17 not run in the last session.
report_model make_synthetic_model(const synthetic_options& options);

}  // namespace perfcheck::reports
