// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The shared table code of every report format.
#include "reports/report_view.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <set>

#include <fmt/format.h>

#include "perfcheck/model/threshold.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/hash.hpp"

namespace perfcheck::reports {

namespace {

constexpr std::array<const char*, 9> severity_words = {
    "failed", "regressed", "error", "inconclusive", "improved", "passed", "not run", "expected failure",
    "skipped"};

int severity_of(const report_result* r) {
  if (r == nullptr) return 6;
  if (r->expected_failure) return 7;
  switch (r->outcome) {
    case verdict::failed:
      return 0;
    case verdict::regressed:
      return 1;
    case verdict::error:
      return 2;
    case verdict::inconclusive:
      return 3;
    case verdict::improved:
      return 4;
    case verdict::pass:
      return 5;
    case verdict::skipped:  // listed last: nothing was decided, and it is no pass
      return 8;
  }
  return 6;
}

// "test-parse-big-json-1a2b3c4d": ASCII letters and digits kept (lowercased), runs of anything
// else one '-', at most 40 characters, then the 32-bit FNV-1a of the exact name, a short tag that
// tells two names with the same slug apart.
std::string anchor_for(const std::string& name) {
  std::string slug;
  for (unsigned char c : name) {
    if (slug.size() >= 40) break;
    if (std::isalnum(c) && c < 128) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return fmt::format("test-{}{}{:08x}", slug, slug.empty() ? "" : "-", fnv1a32(name));
}

std::vector<threshold_line> threshold_lines(const std::vector<threshold_outcome>& outcomes) {
  std::vector<threshold_line> lines;
  for (const auto& t : outcomes) {
    threshold_line line{t.expr.text, "", t.ok, t.at};
    // In the expression's own unit and form ("40.6%", "1.50 MiB/min"); an expression this
    // version could not parse (history from elsewhere) shows the bare number.
    line.value_text = is_series_outcome(t) ? series_outcome_value(t)
                      : !t.measured        ? "not measured"
                      : t.typed   ? format_threshold_value(t.expr, t.value)
                                  : format_quantity(t.value, unit_kind::count);
    line.value_text += level_figures_text(t);  // a level comparison's two figures
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

std::optional<double> statistic_of(const report_result& r, const std::string& metric,
                                   const std::string& statistic) {
  const metric_figures* f = r.find(metric);
  if (f == nullptr || f->summary.n == 0) return std::nullopt;
  return f->summary.get(statistic);
}

namespace {

// The interval with its level, and why the level is not the documented 99% when it is not.
std::string interval_text(const baseline_comparison& c) {
  const std::string ends = fmt::format("{} to {}", format_change(c.change_low), format_change(c.change_high));
  if (c.too_few_runs) return fmt::format("{} ({:.3g}%: too few runs for a 99% CI)", ends, c.confidence * 100);
  if (c.confidence <= 0) return fmt::format("gate's CI {}", ends);
  return fmt::format("{:.3g}% CI {}", c.confidence * 100, ends);
}

// The verdict as shown: an inconclusive result that may be a regression says so.
std::string verdict_text(const test_row& row) {
  if (row.severity == 7) return fmt::format("{} (expected: WILL_FAIL)", row.verdict_word);
  if (!row.current || row.current->outcome != verdict::inconclusive || !row.change ||
      !row.change->possible_regression) {
    return row.verdict_word;
  }
  if (row.change->runs_to_decide == 0) {
    return "inconclusive: possible regression (more runs alone cannot decide it)";
  }
  return fmt::format("inconclusive: possible regression (about {} runs would decide it)",
                     row.change->runs_to_decide);
}

void find_changes(test_row& row) {
  const auto& history = row.test->history;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (auto v = statistic_of(history[i], row.metric, row.statistic); v && std::isfinite(*v)) {
      row.series.push_back(*v);
      row.series_index.push_back(i);
    }
  }
  row.segments = stats::detect_changepoints(row.series);
  const bool higher_is_better = row.kind == unit_kind::rate;
  for (std::size_t k = 0; k < row.segments.changepoints.size(); ++k) {
    change_point c;
    c.index = row.series_index[row.segments.changepoints[k]];
    c.commit = history[c.index].commit;
    c.date = history[c.index].date;
    c.before = row.segments.means[k];
    c.after = row.segments.means[k + 1];
    c.change = c.before != 0 ? c.after / c.before - 1 : 0;
    c.worse = higher_is_better ? c.after < c.before : c.after > c.before;
    row.changes.push_back(std::move(c));
  }
  if (!row.changes.empty()) {
    const change_point& last = row.changes.back();
    const char* word = nullptr;
    switch (row.kind) {
      case unit_kind::duration:
        word = last.worse ? "slower" : "faster";
        break;
      case unit_kind::rate:
        word = last.worse ? "slower" : "faster";
        break;
      case unit_kind::size:
        word = last.worse ? "larger" : "smaller";
        break;
      case unit_kind::count:
        word = last.worse ? "higher" : "lower";
        break;
    }
    const std::string where =
        last.commit.empty() ? fmt::format("result {}", last.index + 1) : short_commit(last.commit);
    row.since_text = fmt::format("{} since {} ({}): {}", word, where, short_date(last.date),
                                 format_change(last.change));
  }
}

// A sweep's level in the row's headline metric, with the thresholds checked at it.
level_row level_row_of(const level_figures& level, const test_row& row) {
  level_row out;
  out.level = level.level;
  for (const auto& m : level.metrics) {
    if (m.metric != row.metric || m.summary.n == 0) continue;
    out.runs = m.summary.n;
    out.median = m.summary.median;
    out.median_text = format_quantity(m.summary.median, row.kind);
    if (m.summary.ci_low != m.summary.median || m.summary.ci_high != m.summary.median)  // not one run's
      out.median_text += fmt::format(" (95% CI {} to {})", format_quantity(m.summary.ci_low, row.kind),
                                     format_quantity(m.summary.ci_high, row.kind));
  }
  for (const auto& t : row.thresholds) {
    if (t.at == level.level) out.thresholds.push_back(t);
  }
  out.thresholds_text = thresholds_summary(out.thresholds);
  out.bad = std::any_of(out.thresholds.begin(), out.thresholds.end(), [](const auto& t) { return !t.ok; });
  return out;
}

test_row make_row(const report_test& test) {
  test_row row;
  row.test = &test;
  row.current = test.current_result();
  row.name = test.name;
  row.anchor = anchor_for(test.name);
  row.severity = severity_of(row.current);
  row.verdict_word = row.current ? to_string(row.current->outcome) : "not run";
  row.metric = test.headline_metric;
  if (row.current && test.baseline) {
    row.metric = test.baseline->metric;
    row.statistic = test.baseline->statistic;
    row.change = test.baseline;
    row.change_text = format_change(row.change->change);
    row.interval_text = interval_text(*row.change);
  }
  row.verdict_text = verdict_text(row);
  if (!metric_summary{}.get(row.statistic)) row.statistic = "median";
  row.kind = metric_kind(row.metric);
  if (row.current) {
    row.value = statistic_of(*row.current, row.metric, row.statistic);
    if (row.value) row.value_text = format_quantity(*row.value, row.kind);
    row.thresholds = threshold_lines(row.current->thresholds);
    row.thresholds_failed = static_cast<std::size_t>(std::count_if(
        row.thresholds.begin(), row.thresholds.end(), [](const auto& t) { return !t.ok; }));
  }
  add_reported(row);
  row.server = server_figures_of(test, row.current);
  if (row.current) {
    const metric_figures* f = row.current->find(row.metric);
    const std::size_t n = f ? f->summary.n : 0;
    row.runs_text = fmt::format("{} run{}", n, n == 1 ? "" : "s");
  }
  if (is_load_test(test)) add_load_figures(row);
  // A sweep's levels (a result with points: trend_level is set; a capacity search's steps, whose
  // trend is the whole's); levels given without a trend level are drawn as a series chart only.
  if (!test.trend_level.empty() || (is_load_test(test) && !test.levels.empty())) {
    for (const auto& level : test.levels) row.levels.push_back(level_row_of(level, row));
    row.level_metric_head = row.metric + " median (95% CI)";
    if (is_load_test(test))
      add_load_levels(row);  // a load test's stages or capacity steps
    else
      add_level_reported(row);
  }
  find_changes(row);
  if (test.unaccepted) {
    const auto& u = *test.unaccepted;
    row.unaccepted_text =
        fmt::format("{} since {}, not accepted", to_string(u.outcome),
                    u.commit.empty() ? short_date(u.date) : short_commit(u.commit));
  }
  const bool worsening = !row.changes.empty() && row.changes.back().worse;
  row.unchanged = row.current && row.current->outcome == verdict::pass &&
                  row.current->warnings.empty() && !worsening;
  return row;
}

}  // namespace

const char* severity_word(std::size_t i) {
  return i < severity_words.size() ? severity_words[i] : "?";
}

unit_kind metric_kind(std::string_view metric) {
  if (metric == "wall" || metric == "user" || metric == "sys" || metric == "cpu" ||
      metric == "latency" || metric == "service" || metric == "lag" || metric.ends_with("_ns")) {
    return unit_kind::duration;
  }
  if (metric == "rss" || metric.ends_with("_bytes")) return unit_kind::size;
  if (metric == "throughput" || metric == "capacity" || metric.ends_with("_per_s")) return unit_kind::rate;
  return unit_kind::count;
}

std::string short_commit(std::string_view commit) { return std::string(commit.substr(0, 10)); }

std::string short_date(std::string_view date) { return std::string(date.substr(0, 10)); }

std::string format_change(double fraction) {
  const double percent = fraction * 100;
  // "+0.0%" rather than "-0.0%" for a tiny negative change.
  if (std::fabs(percent) < 0.05) return "+0.0%";
  return fmt::format("{:+.1f}%", percent);
}

report_view make_view(const report_model& model) {
  report_view view;
  view.model = &model;
  view.rows.reserve(model.tests.size());
  for (const auto& test : model.tests) {
    view.rows.push_back(make_row(test));
    add_machine_lines(view.rows.back(), model.session.machine);
  }
  std::stable_sort(view.rows.begin(), view.rows.end(), [](const test_row& a, const test_row& b) {
    if (a.severity != b.severity) return a.severity < b.severity;
    return a.name < b.name;
  });
  // Two names with the same slug and hash (or the same name twice) still get distinct ids.
  std::set<std::string> seen;
  for (auto& row : view.rows) {
    std::string anchor = row.anchor;
    for (int k = 2; !seen.insert(anchor).second; ++k) anchor = fmt::format("{}-{}", row.anchor, k);
    row.anchor = anchor;
    ++view.counts[static_cast<std::size_t>(row.severity)];
  }
  for (std::size_t i = 0; i < view.counts.size(); ++i) {
    if (view.counts[i] == 0) continue;
    if (!view.counts_text.empty()) view.counts_text += ", ";
    view.counts_text += fmt::format("{} {}", view.counts[i], severity_words[i]);
  }
  if (view.counts_text.empty()) view.counts_text = "no tests";
  return view;
}

std::string thresholds_summary(const std::vector<threshold_line>& lines) {
  if (lines.empty()) return "";
  const auto failed_count = static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(), [](const threshold_line& t) { return !t.ok; }));
  if (failed_count == 0) return fmt::format("{} held", lines.size());
  std::string failed;
  for (const auto& t : lines) {
    if (!t.ok)
      failed += fmt::format("{}{} (measured {})", failed.empty() ? "" : "; ", t.expr, t.value_text);
  }
  return fmt::format("{} of {} failed: {}", failed_count, lines.size(), failed);
}

std::string warning_headline(std::string_view warning) {
  constexpr std::size_t shortest_phrase = 12, longest = 90;
  std::size_t stop = std::string_view::npos;
  int depth = 0;  // a ':' inside parentheses is no end of the phrase: "(allowed: ...)"
  for (std::size_t i = 0; i < warning.size() && stop == std::string_view::npos; ++i) {
    if (warning[i] == '(') ++depth;
    if (warning[i] == ')' && depth > 0) --depth;
    if (depth == 0 && (warning[i] == ':' || warning[i] == ';')) stop = i;
  }
  if (stop != std::string_view::npos && stop >= shortest_phrase && stop <= longest)
    return std::string(warning.substr(0, stop));
  if (warning.size() <= longest) return std::string(warning);
  std::size_t cut = longest - 3;
  while (cut > 0 && (static_cast<unsigned char>(warning[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return std::string(warning.substr(0, cut)) + "...";
}

}  // namespace perfcheck::reports
