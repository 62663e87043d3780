// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What the report tests share: a temporary folder, the golden model (a hand-made history with
// every verdict that matters, a level shift and a hostile name) and the golden-file check.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/test/unit_test.hpp>

#include "reports/report_model.hpp"
#include "reports/report_writer.hpp"
#include "temp_folder.hpp"

namespace report_fixture {

using namespace perfcheck;
using namespace perfcheck::reports;
namespace fs = std::filesystem;

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

inline std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string render(const report_writer& writer, const report_view& view) {
  std::ostringstream out;
  writer.write(view, out);
  return out.str();
}

inline metric_summary summary_around(double median, double spread) {
  metric_summary s;
  s.n = 10;
  s.median = median;
  s.mean = median + spread / 4;
  s.min = median - spread;
  s.max = median + 2 * spread;
  s.stddev = spread / 2;
  s.mad = spread / 3;
  s.p90 = median + spread;
  s.p95 = median + 1.5 * spread;
  s.p99 = median + 1.9 * spread;
  s.ci_low = median - spread / 4;
  s.ci_high = median + spread / 4;
  return s;
}

// A result of a hand-made history: session i, commit "c0ffee<i>", one day apart.
inline report_result result_at(int i, double wall_ms, bool bands) {
  report_result r;
  r.session = fmt::format("s{:02}", i);
  r.commit = fmt::format("c0ffee{:02}aa11bb22cc33dd44ee55ff6677889900", i);
  r.branch = "main";
  r.date = fmt::format("2026-10-{:02}T08:00:00.000Z", i + 1);
  metric_figures wall{"wall", summary_around(wall_ms * 1e6, wall_ms * 1e4), std::nullopt};
  if (bands) {
    wall.bands =
        sample_quantiles{wall_ms * 0.98e6, wall_ms * 0.99e6, wall_ms * 1.01e6, wall_ms * 1.03e6};
  }
  r.metrics.push_back(wall);
  r.metrics.push_back({"rss", summary_around(32.0 * 1024 * 1024, 65536), std::nullopt});
  return r;
}

inline std::vector<run_sample> samples_around(double wall_ms, int n) {
  std::vector<run_sample> out;
  for (int k = 0; k < n; ++k) {
    run_sample s;
    s.wall_ns = static_cast<std::int64_t>(wall_ms * 1e6 * (1 + 0.01 * ((k * 7) % 11 - 5) / 5.0));
    s.user_ns = s.wall_ns / 2;
    s.sys_ns = s.wall_ns / 10;
    s.max_rss_bytes = 32 << 20;
    s.exit_code = 0;
    out.push_back(s);
  }
  return out;
}

/// r.runs = samples_around(wall_ms, n), with each metric's n and median summarized from them.
inline void runs_around(run_result& r, double wall_ms, int n) {
  r.runs = samples_around(wall_ms, n);
  for (auto& [metric, values] : metric_columns(r.runs)) {
    metric_summary m;
    m.n = values.size();
    m.median = values[values.size() / 2];
    r.summary[metric] = m;
  }
}

// A median comparison with the baseline, as the gate or the pool makes it.
inline baseline_comparison comparison_of(const std::string& metric, double baseline_value, double change,
                                         double low, double high, double confidence) {
  baseline_comparison b;
  b.metric = metric;
  b.statistic = "median";
  b.baseline_value = baseline_value;
  b.change = change;
  b.change_low = low;
  b.change_high = high;
  b.confidence = confidence;
  return b;
}

// The golden model: deterministic, every verdict kind that matters, a level shift, a hostile
// name. `hostile` is the hostile test's name.
inline report_model golden_model(const std::string& hostile) {
  report_model m;
  m.generator_version = "0.1.0-test";
  m.session = {"20261012T080000Z-0000abcd",
               "c0ffee11aa11bb22cc33dd44ee55ff6677889900",
               "main",
               "5f3a9c2e81b7d046",
               "ci-runner-7",
               "Test CPU @ 3.0GHz",
               "2026-10-12T08:00:00.000Z",
               "0.1.0"};

  report_test slower;  // regressed: a step from 10 ms to 12 ms at result 8
  slower.name = "parse_big_json";
  for (int i = 0; i < 12; ++i)
    slower.history.push_back(
        result_at(i, i < 8 ? 10.0 + 0.05 * (i % 3) : 12.0 + 0.05 * (i % 2), true));
  slower.current = 11;
  slower.history[11].outcome = verdict::regressed;
  slower.history[11].reasons = {
      "wall.median +19.8% vs baseline (99% CI +17.0% to +22.5%), beyond +5%"};
  slower.history[11].thresholds = {{parse_threshold("wall.p95 < 20ms"), 12.18e6, true}};
  slower.baseline = comparison_of("wall", 10.02e6, 0.198, 0.17, 0.225, 0.99);
  slower.baseline->baseline_commit = slower.history[7].commit;
  slower.baseline->baseline_date = slower.history[7].date;
  slower.samples = samples_around(12.0, 10);
  for (int k = 0; k < 10; ++k) slower.baseline_samples.push_back(10.0e6 + 2e4 * (k % 5));
  slower.memory = {{0.0, 1 << 20}, {0.005, 20 << 20}, {0.010, 33 << 20}, {0.012, 8 << 20}};

  report_test failing;  // failed a threshold, with a warning
  failing.name = "sort_numbers";
  for (int i = 0; i < 12; ++i) failing.history.push_back(result_at(i, 4.0, false));
  failing.current = 11;
  auto& f = failing.history[11];
  f.outcome = verdict::failed;
  f.reasons = {"rss.max = 48.0 MiB, above the limit 40 MiB"};
  f.warnings = {"noisy: the robust CV of wall is 7.2% (above 5%)"};
  f.thresholds = {{parse_threshold("wall.p95 < 5ms"), 4.06e6, true},
                  {parse_threshold("rss.max <= 40MiB"), 48.0 * 1024 * 1024, false}};
  failing.samples = samples_around(4.0, 10);
  for (int c : {1, 4, 16}) {
    failing.levels.push_back(
        {std::to_string(c), {{"wall", summary_around(4e6 * (1 + 0.1 * c), 1e5), std::nullopt}}});
  }

  report_test steady;  // unchanged
  steady.name = "touch_memory";
  for (int i = 0; i < 12; ++i) steady.history.push_back(result_at(i, 2.0, false));
  steady.current = 11;
  steady.samples = samples_around(2.0, 10);

  report_test gone;  // did not run in this session
  gone.name = "old_benchmark";
  for (int i = 0; i < 5; ++i) gone.history.push_back(result_at(i, 7.0, false));

  report_test evil;  // hostile name, inconclusive
  evil.name = hostile;
  for (int i = 0; i < 12; ++i) evil.history.push_back(result_at(i, 3.0, true));
  evil.current = 11;
  evil.history[11].outcome = verdict::inconclusive;
  evil.history[11].warnings = {"a <b>bold</b> warning | with a pipe"};
  evil.baseline = comparison_of("wall", 3.0e6, 0.01, -0.03, 0.05, 0.99);
  evil.samples = samples_around(3.0, 10);
  evil.levels = {{"x`y\"z", {{"wall", summary_around(3e6, 1e5), std::nullopt}}},
                 {"<i>", {{"wall", summary_around(3.3e6, 1e5), std::nullopt}}}};

  m.tests = {steady, slower, gone, failing, evil};
  return m;
}

// The hostile name used by the golden files (pwned paths never exist: /nonexistent).
inline const std::string golden_hostile =
    "<script>alert(1)</script> \"q\" 'a' \\b\nline `touch /nonexistent/bt` \"; system "
    "\"touch /nonexistent/pwned\" | *x* _y_ [z](http://e.invalid) &amp; @team #1";

inline void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(PERFCHECK_GOLDEN_DIR) / name;
  if (std::getenv("PERFCHECK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    BOOST_TEST_MESSAGE("updated " << path);
    return;
  }
  BOOST_REQUIRE_MESSAGE(fs::exists(path),
                        path << " is missing; regenerate with PERFCHECK_UPDATE_GOLDEN=1");
  const std::string expected = read(path);
  if (expected != actual) {
    const fs::path fresh = fs::temp_directory_path() / ("actual-" + name);
    std::ofstream(fresh, std::ios::binary) << actual;
    BOOST_ERROR(name << " differs from its golden file " << path << "; the output is in " << fresh
                     << " (diff them; if the change is intended, regenerate with "
                        "PERFCHECK_UPDATE_GOLDEN=1)");
  }
}

// A hostile name whose gnuplot injections would create files in `dir`.
inline std::string hostile_name(const fs::path& dir) {
  return fmt::format(
      "<script>alert(1)</script> \"q\" 'a' \\b\nline `touch {0}/pwned-bt` \"; system "
      "\"touch {0}/pwned\" ` | *x* _y_ &amp;",
      dir.string());
}

inline bool gnuplot_available() { return std::system("gnuplot -e 'exit' >/dev/null 2>&1") == 0; }

}  // namespace report_fixture
