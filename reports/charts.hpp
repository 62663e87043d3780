// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The charts of the HTML report, drawn by gnuplot: data files and a script from templates/
// per chart, gnuplot's svg terminal, several gnuplot processes at once, and the SVG sanitized
// and given tooltips before it is inlined.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "reports/report_view.hpp"

namespace perfcheck::reports {

namespace detail {
struct chart_plan;
}

/// The kinds of chart a test can have.
enum class chart_kind {
  trend,         ///< the headline statistic over the history, with bands and change points
  distribution,  ///< this session's runs against the baseline's
  memory,        ///< the memory timeline of the current result
  series,        ///< the headline statistic per level of the series
  server,        ///< the server under test during the current result's runs (RSS, threads)
};

/// "trend", "distribution", "memory", "series", "server".
const char* to_string(chart_kind kind);

/// How charts are drawn.
struct chart_settings {
  std::string gnuplot = "gnuplot";  ///< a program name looked up in PATH, or a path
  unsigned jobs = 0;                ///< gnuplot processes at once; 0: one per CPU
};

/// One chart of a test: inline SVG, or a note in its place, and what it shows in words.
struct chart {
  chart_kind kind = chart_kind::trend;
  std::string svg;      ///< sanitized <svg> element; empty when not drawn
  std::string overlay;  ///< tooltips, an SVG <g> to insert before the svg's final </svg>
  std::string note;     ///< why the chart is missing; empty when drawn
  std::string caption;  ///< what is drawn and how it was computed (plain text)
};

/// Every chart of a report. The constructor plans and draws them all in a temporary folder
/// that the destructor removes; charts_for reads one test's charts back.
class chart_set {
 public:
  /// Plans the charts of every row of `view` (which must outlive this) and runs gnuplot.
  /// A missing or failing gnuplot is not an error: the charts get notes instead.
  chart_set(const report_view& view, const chart_settings& settings);
  ~chart_set();
  chart_set(const chart_set&) = delete;
  chart_set& operator=(const chart_set&) = delete;

  /// The charts of row `row` of the view, in kind order.
  std::vector<chart> charts_for(std::size_t row) const;

  /// A note for the whole report when charts are missing (gnuplot not found), else "".
  const std::string& note() const { return note_; }

  /// The tooltip starts that the charts' untitled points refer to by number (their position),
  /// in the order of first use; the page lists them once (#tip-keys).
  const std::vector<std::string>& tip_keys() const { return key_list_; }

  /// Charts planned, and how many gnuplot drew.
  std::size_t planned() const;
  std::size_t drawn() const;

  struct plan;  ///< one chart's plan, files and outcome (charts.cpp)

 private:
  std::string overlay(const detail::chart_plan& chart) const;

  const report_view* view_;
  std::filesystem::path dir_;
  std::vector<plan> plans_;  // by row, then kind
  std::string note_;
  std::unordered_map<std::string, std::size_t> tip_keys_;  // key -> its position in key_list_
  std::vector<std::string> key_list_;
};

}  // namespace perfcheck::reports
