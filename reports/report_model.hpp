// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What a report shows, independent of where it came from: the history store fills it
// (history_adapter), tests build it in code. Every generator takes only this.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/reported_metrics.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/summary.hpp"
#include "perfcheck/model/verdict.hpp"

namespace perfcheck::reports {

/// Quantiles the summary does not carry, computed from a result's stored samples; they give
/// the trend chart its p25-p75 and p5-p95 bands (Hyndman-Fan 7, like every perfcheck quantile).
struct sample_quantiles {
  double p5 = 0, p25 = 0, p75 = 0, p95 = 0;
  bool operator==(const sample_quantiles&) const = default;
};

/// One metric of one result, in the metric's base unit (ns, bytes, ...).
struct metric_figures {
  std::string metric;                     ///< "wall", "rss", "cpu", ...
  metric_summary summary;                 ///< n, median, p95, ... over the measured runs
  std::optional<sample_quantiles> bands;  ///< when the samples were stored
  bool operator==(const metric_figures&) const = default;
};

/// The comparison with the baseline that the gate made (regression rule), for one statistic.
struct baseline_comparison {
  std::string metric;         ///< "wall"
  std::string statistic;      ///< "median"
  double baseline_value = 0;  ///< the baseline's statistic, base unit
  double change = 0;          ///< relative: +0.07 is 7% higher (slower, larger) than baseline
  double change_low = 0;      ///< confidence interval of `change`
  double change_high = 0;
  double confidence = 0.95;     ///< of the interval; 0: the gate's, level not recorded
  std::string baseline_commit;  ///< empty when unknown
  std::string baseline_date;    ///< RFC 3339; empty when unknown
  /// The report's own comparison (no finding): the runs were too few for its 99% interval, so the
  /// interval is the widest the sizes allow, at `confidence`.
  bool too_few_runs = false;
  /// The gate's finding was inconclusive with its estimate beyond the rule's limit.
  bool possible_regression = false;
  std::size_t runs_to_decide = 0;  ///< with possible_regression: candidate runs that would decide
  std::string rule;                ///< the gate's rule, when the comparison is its finding
  bool operator==(const baseline_comparison&) const = default;
};

/// A soak trend of the current result (docs/limits.md, "Soak and leaks"): the test's own, or a
/// sweep level's.
struct soak_trend {
  std::string level;   ///< "leak=1", "concurrency=3"; "" for a test without levels
  std::string metric;  ///< "rss", "wall", "threads", "server.rss"
  trend_outcome trend;
  bool operator==(const soak_trend&) const = default;
};

/// A measured point of a series: one level (concurrency 16, input size 1000) of a result.
struct level_figures {
  std::string level;  ///< as written in the spec ("16", "1k-items")
  std::vector<metric_figures> metrics;
  /// The metrics the command reported at this level (reported_shapes of its runs), by name: the
  /// unit their figures in `metrics` are shown in; empty when it reported none.
  std::map<std::string, reported_shape> reported{};
  verdict outcome = verdict::pass;  ///< the level's own (a capacity step's: failed when it did not hold)
  /// The figures of `metric` when the level measured it (n > 0), or nullptr.
  const metric_figures* measured(std::string_view metric) const;
  bool operator==(const level_figures&) const = default;
};

/// A memory sample taken while a run was going on.
struct memory_reading {
  double seconds = 0;    ///< since the run started
  double rss_bytes = 0;  ///< resident set size of the process tree
  bool operator==(const memory_reading&) const = default;
};

/// One result of one test in the history. Kept small: a long history holds many.
struct report_result {
  std::string session;  ///< session id; may be empty
  std::string commit;   ///< of the measured project; may be empty
  std::string branch;   ///< may be empty
  std::string date;     ///< RFC 3339 UTC (started_at)
  verdict outcome = verdict::pass;
  bool expected_failure = false;  ///< WILL_FAIL and failed, regressed or error (is_expected_failure)
  std::vector<std::string> reasons;
  std::vector<std::string> warnings;
  std::vector<threshold_outcome> thresholds;
  std::vector<metric_figures> metrics;  ///< the current result: every metric; older ones may
                                        ///< carry only those the charts use (wall, rss)
  /// The current result's metadata (METADATA, --meta, "#meta" lines); empty for older ones.
  std::map<std::string, std::string> metadata;
  /// The current result's profile (PROFILE, docs/profiles.md); none for older ones.
  std::optional<profile_info> profile;

  /// The figures of `metric`, or nullptr.
  const metric_figures* find(std::string_view metric) const;
  bool operator==(const report_result&) const = default;
};

/// A regression or failure of the test's series that was not accepted (`history accept`), so
/// it is not part of the baseline and later results are still compared with the level before.
struct unaccepted_change {
  verdict outcome = verdict::regressed;  ///< of its first result: regressed or failed
  std::string commit;                    ///< of its first result; may be empty
  std::string date;                      ///< RFC 3339 of its first result
  bool operator==(const unaccepted_change&) const = default;
};

/// One machine class's results of a test, for `perfcheck report --machine all|FINGERPRINT`.
struct machine_history {
  std::string machine;                 ///< the machine fingerprint
  std::string label;                   ///< short and unambiguous among the test's machines
  std::vector<report_result> history;  ///< oldest first; only the metrics the charts use
  std::optional<std::size_t> current;  ///< index of the reported session's result, when here
  bool operator==(const machine_history&) const = default;
};

/// A performance test and its history.
struct report_test {
  std::string name;
  std::vector<report_result> history;    ///< oldest first
  std::optional<std::size_t> current;    ///< index into history of the reported session's result
  std::vector<run_sample> samples;       ///< the current result's measured runs
  std::vector<double> baseline_samples;  ///< the baseline's values of the headline metric
  std::vector<memory_reading> memory;    ///< memory timeline of the current result
  std::optional<baseline_comparison> baseline;  ///< the current result against its baseline
  /// The headline without a regression finding: "instructions" for a test that counted them
  /// (its wall times are the counter's, not the command's), else "wall".
  std::string headline_metric = "wall";
  std::vector<level_figures> levels;  ///< the current result's series levels; empty: one series
  std::vector<soak_trend> trends;      ///< the current result's soak trends, the test's then each level's
  /// A sweep's level whose history `history` holds and whose figures `samples`, `memory` and
  /// `baseline` are (the trend level, see docs/reports.md); "" for a test without levels.
  std::string trend_level;
  /// Set when the current result belongs to a change that waits for acceptance.
  std::optional<unaccepted_change> unaccepted;
  /// With --machine all or FINGERPRINT: the series of each machine class the trend draws, by
  /// fingerprint; empty (the default, --machine this): the trend is `history`'s.
  std::vector<machine_history> machines;

  /// The reported session's result, or nullptr when the test did not run in it.
  const report_result* current_result() const;
  bool operator==(const report_test&) const = default;
};

/// The session the report is about.
struct report_session {
  std::string id;
  std::string commit;
  std::string branch;
  std::string machine;  ///< fingerprint
  std::string hostname;
  std::string cpu_model;
  std::string date;               ///< RFC 3339 UTC
  std::string perfcheck_version;  ///< that ran the tests
  bool operator==(const report_session&) const = default;
};

/// Everything one report shows.
struct report_model {
  report_session session;
  std::vector<report_test> tests;
  std::string generator_version;  ///< perfcheck that wrote the report
  /// Whose trends: "" (the session's own machine, --machine this), "all", or a fingerprint.
  std::string machine_scope;
  bool operator==(const report_model&) const = default;
};

}  // namespace perfcheck::reports
