// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What a person reads on the terminal, and the CTest measurement tags.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "perfcheck/model/result.hpp"
#include "perfcheck/run/runner.hpp"

namespace perfcheck::cli {

/// The compact block for one result: figures, thresholds with ✓/✗, verdict and reasons,
/// warnings last.
std::string format_result_block(const run_result& result);

/// " — POSSIBLE REGRESSION: <rule> changed +x%, beyond its limit ...; about N runs would decide
/// it" for an inconclusive result whose estimate lies beyond a rule's limit; "" otherwise.
std::string possible_regression_note(const run_result& result);

/// `text` with every '<' that opens a tag CTest reads (<CTest...>, </CTest...>, <Dart...>, in
/// any case) written as "&lt;", so that a test name, reason or message on the stream CTest
/// scans cannot pose as a <CTestMeasurement>, <DartMeasurement>, <CTestLabel> or <CTestDetails>
/// tag of its own. Any other '<' is left as it is ("wall.p95 < 4s", "<metric>.<statistic>").
std::string escape_ctest_tags(std::string_view text);

/// <CTestMeasurement> tags for the headline figures, one per line, so that `ctest -T Test`
/// records them in Test.xml.
std::string format_ctest_measurements(const run_result& result);

/// A live "run 3/10" line on a terminal, rewritten in place; silent when `out` is not a
/// terminal. Cleared by finish().
class progress_line : public run::progress_listener {
 public:
  progress_line(std::FILE* out, std::string name);
  void run_finished(bool warmup, int index, int planned, const run_sample& sample) override;
  /// Erases the line.
  void finish();

 private:
  std::FILE* out_;
  std::string name_;
  bool tty_;
  bool drawn_ = false;
};

}  // namespace perfcheck::cli
