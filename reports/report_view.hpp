// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The figures every format shows, computed once from a report_model: one row per test in
// report order, with the headline figure, the change against the baseline, the threshold
// tally and the change points. Formats only lay these out.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/model/units.hpp"
#include "perfcheck/stats/changepoint.hpp"
#include "reports/report_model.hpp"
#include "reports/server_view.hpp"

namespace perfcheck::reports {

/// A shift in a test's headline statistic found by change-point detection.
struct change_point {
  std::size_t index = 0;  ///< history index of the first result at the new level
  std::string commit;     ///< of that result; may be empty
  std::string date;       ///< of that result, RFC 3339
  double before = 0;      ///< mean level of the segment before, base unit
  double after = 0;       ///< mean level from this result on, base unit
  double change = 0;      ///< after / before - 1; 0 when before is 0
  bool worse = false;     ///< higher time/size/count or lower rate
};

/// One threshold as shown: expression, measured value formatted in its unit, and outcome.
struct threshold_line {
  std::string expr;
  std::string value_text;  ///< "98.1 ms"; the plain number when the expression does not parse
  bool ok = false;
  std::string at{};  ///< the level it was checked at ("n=500"); "" for a test without levels
};

/// A metric the command reported (docs/metrics.md), as a report shows it for the current result
/// or for one level of a sweep.
struct reported_line {
  std::string metric;       ///< "startup", "pairs.rate"
  std::string median_text;  ///< in the metric's unit: "12.5 ms"; "" when n is 0
  std::string p95_text;
  std::size_t n = 0;        ///< values summarized (runs, or a distribution's pooled values); 0: none
  double median = 0;        ///< base unit (ns, bytes, a fraction for '%', per second for a rate)
  double p95 = 0;
};

/// One level of a sweep as the per-level tables show it, in the headline metric.
struct level_row {
  std::string level;                     ///< "n=500"
  std::size_t runs = 0;                  ///< measured runs at the level (n of the headline metric)
  std::optional<double> median;          ///< of the headline metric, base unit
  std::string median_text;               ///< "12.3 ms (95% CI 12.1 ms to 12.6 ms)", or "" when absent
  std::vector<threshold_line> thresholds;  ///< the thresholds checked at this level
  /// thresholds_summary(thresholds); a load test's level without any: its verdict when not a pass,
  /// a capacity step's "held" or "did not hold" (its gates).
  std::string thresholds_text;
  bool bad = false;  ///< a threshold failed at the level, or (a load test's, without any) it did not pass
  /// The reported metrics at this level, one per test_row::level_reported column in that order
  /// (n = 0 where the level has no figures of it); a load test's throughput, errors and dropped.
  std::vector<reported_line> reported;
};

/// A per-level table's column after the headline metric's: its name and what its cells show.
struct level_column {
  std::string name;                    ///< "startup", "pairs.rate", "throughput"
  std::string what = "median (p95)";  ///< "" for one figure per level (a load test's)
};

/// One machine class's line of a test's trend (--machine all|FINGERPRINT), in the row's
/// headline metric and statistic.
struct machine_line {
  const machine_history* source = nullptr;  ///< the model's series of that machine
  std::string machine;                      ///< the fingerprint
  std::string label;                        ///< its legend name (machine_history::label)
  bool own = false;                         ///< the reported session's machine
  std::vector<double> values;               ///< oldest first, of results that have the statistic
  std::vector<std::size_t> index;           ///< index into source->history of each value
  std::string latest_text;  ///< the newest value formatted ("12.3 ms"); "" without values
  std::string latest_date;  ///< RFC 3339 of the newest value's result; "" without values
};

/// A test's row: what every format prints about it.
struct test_row {
  const report_test* test = nullptr;
  const report_result* current = nullptr;  ///< nullptr: the test did not run in the session
  std::string name;
  std::string anchor;        ///< HTML id: "test-" + readable slug + hash; unique in the report
  std::string verdict_word;  ///< "failed", ..., or "not run"
  /// verdict_word as shown, with "possible regression" called out: "inconclusive: possible
  /// regression (about 48 runs would decide it)".
  std::string verdict_text;
  int severity = 0;          ///< report order: failed 0, regressed 1, error 2, inconclusive 3,
                             ///< improved 4, pass 5, not run 6, expected failure 7 (WILL_FAIL)

  std::string metric = "wall";       ///< the headline metric (the regression rule's, or wall)
  std::string statistic = "median";  ///< the headline statistic
  unit_kind kind = unit_kind::duration;
  std::optional<double> value;  ///< the current result's headline statistic
  std::string value_text;       ///< "12.3 ms", or "" when absent

  std::optional<baseline_comparison> change;  ///< vs the baseline, when compared
  std::string change_text;                    ///< "+7.2%" or ""
  /// "99% CI +3.1% to +11.0%"; the gate's level when it is the gate's finding ("99.7% CI"); "+1%
  /// to +9% (90%: too few runs for a 99% CI)" when the runs could not reach 99%; or "".
  std::string interval_text;

  std::vector<threshold_line> thresholds;
  std::size_t thresholds_failed = 0;
  /// A sweep's levels in plan order (report_test::trend_level set); empty for a plain test.
  std::vector<level_row> levels;
  /// The per-level tables' heads of the runs column and of the headline metric's.
  std::string level_runs_head = "Runs";              ///< "Requests" for a load test
  std::string level_metric_head;                     ///< "wall median (95% CI)", "latency p50 (p99)"
  /// The reported metrics some level of `levels` has figures of, by name (a counter's rate after
  /// it), or a load test's throughput, errors and dropped: the columns after the headline's.
  std::vector<level_column> level_reported;

  /// The headline statistic over the history, oldest first, for results that have it, and the
  /// history index of each value.
  std::vector<double> series;
  std::vector<std::size_t> series_index;
  stats::segmentation segments;       ///< change points over `series` (indexes into it)
  std::vector<change_point> changes;  ///< the same, as history indexes with commit and level
  std::string since_text;             ///< "slower since abc1234 (2026-01-02): +12.0%" or ""
  /// "regressed since abc1234, not accepted" when the test's change waits for acceptance, or "".
  std::string unaccepted_text;

  /// One per machine class of report_test::machines (--machine all|FINGERPRINT); else empty.
  std::vector<machine_line> machine_lines;

  bool unchanged = false;  ///< pass, no warnings, no worsening change point: collapsed in summaries

  std::vector<reported_line> reported;  ///< the current result's reported metrics, by name
  std::vector<std::pair<std::string, std::string>> metadata;  ///< the current result's, by key
  /// The server the test named, as its current result's runs saw it; empty (any() false) for a
  /// test without a server.
  server_figures server;
  /// A load test without levels: "Load: 200 requests · latency p50 2.3 ms, ... · throughput 101/s
  /// · errors 0 (0%) · dropped 0"; else "".
  std::string load_text;
  /// What the runs of the current result were: "12 runs"; a load test's "200 responses", "3
  /// stages" or "9 steps"; "" when it did not run.
  std::string runs_text;
};

/// Verdict tally, in report order: failed, regressed, error, inconclusive, improved, pass, not run,
/// expected failure (a WILL_FAIL test that failed: not counted as failed).
using verdict_counts = std::array<std::size_t, 9>;

/// The rows of a model, in report order, and the verdict tally.
struct report_view {
  const report_model* model = nullptr;
  std::vector<test_row> rows;  ///< failed and regressed first, then by severity, then name
  verdict_counts counts{};
  std::string counts_text;  ///< "1 failed, 2 regressed, 12 passed" (zero counts left out)
  std::filesystem::path out_dir;  ///< where the report is written (the profiles' links start there)
};

/// Builds the view; `model` must outlive it. Runs change-point detection per test.
report_view make_view(const report_model& model);

/// Fills row.machine_lines from row.test->machines; `own_machine` is the session's fingerprint.
void add_machine_lines(test_row& row, const std::string& own_machine);

/// One row of the per-machine table of the HTML and Markdown summaries (--machine
/// all|FINGERPRINT): a test on one machine class and its newest headline value.
struct machine_table_row {
  const test_row* row = nullptr;
  std::string machine;       ///< the fingerprint
  bool own = false;          ///< the reported session's machine
  std::size_t results = 0;   ///< results with the headline statistic
  std::optional<double> latest;  ///< the newest value, base unit
  std::string latest_text;   ///< formatted; "no results on this machine" without one
  std::string latest_date;   ///< "2026-01-02" of the newest result; "" without one
};

/// Every machine line of every row, in row order (a test with none under a fingerprint scope
/// gets one row saying so); empty under the default scope.
std::vector<machine_table_row> machine_table(const report_view& view);

/// The headline statistic `statistic` of `metric` of a result; nullopt when it has none.
std::optional<double> statistic_of(const report_result& r, const std::string& metric,
                                   const std::string& statistic);

/// Word for the verdict tally slot `i` ("failed", ..., "not run").
const char* severity_word(std::size_t i);

/// The unit kind of a metric name: wall, user, sys, cpu, latency, service and lag are durations;
/// rss and names ending in "_bytes" sizes; throughput, capacity and names ending in "_per_s"
/// rates; anything else a count.
unit_kind metric_kind(std::string_view metric);

/// Fills row.reported and row.metadata from the current result, and gives a headline metric
/// that the command reported its own unit (row.kind, row.value_text).
void add_reported(test_row& row);

/// Fills row.level_reported and each level's reported lines from row.test->levels (the same
/// order as row.levels); nothing for a test without levels.
void add_level_reported(test_row& row);

/// Whether a test is a load run (docs/load.md): its headline is latency or the capacity found.
bool is_load_test(const report_test& test);

/// Fills a load test's runs_text and, without levels, its load_text.
void add_load_figures(test_row& row);

/// Fills a load test's per-level figures (its stages or capacity steps, row.metric "latency" or
/// "capacity"): requests, latency p50 (p99), throughput, errors and dropped at each level.
void add_load_levels(test_row& row);

/// A per-level table's cell of a reported metric: "25.5 us (p95 47.5 us)", or the median alone
/// when the line has no p95 text (a load test's figures); "-" when n is 0.
std::string reported_cell(const reported_line& line);

/// "abc1234def" (10 characters) of a commit; "" stays "".
std::string short_commit(std::string_view commit);

/// "2026-01-02" of an RFC 3339 date, or the text itself when shorter.
std::string short_date(std::string_view date);

/// "+7.2%" for 0.072.
std::string format_change(double fraction);

/// "2 held", or "1 of 2 failed: <expr> (measured <value>)[; ...]"; "" without thresholds.
std::string thresholds_summary(const std::vector<threshold_line>& lines);

/// A warning cut short for a table cell: up to its first ':' or ';' outside parentheses when
/// that leaves a phrase
/// ("the machine was busy before the test"), else at most 90 bytes (UTF-8 intact) and "...".
std::string warning_headline(std::string_view warning);

}  // namespace perfcheck::reports
