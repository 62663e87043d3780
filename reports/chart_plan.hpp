// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The shared frame of every chart (plot area, axis ranges, display unit, common script part)
// and the planners of the chart kinds: a report row in; data, script and caption out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ctemplate/template.h>

#include "perfcheck/model/threshold.hpp"
#include "reports/report_view.hpp"

namespace perfcheck::reports::detail {

/// A unit to show the values of one chart in: value / divisor, labelled `name`.
struct display_unit {
  double divisor = 1;     ///< base units per display unit (1e6 for ms)
  const char* name = "";  ///< "ms", "MiB", ...; "" for counts
};

/// The unit that shows `largest` (base unit of `kind`) with a short number: ns..s, B..GiB.
display_unit unit_for(unit_kind kind, double largest);

/// The plot area in screen fractions and the axis ranges. gnuplot gets these numbers (margins
/// "at screen", fixed ranges), so the tooltip overlay can place points exactly.
struct frame {
  int width = 760, height = 260;                                 ///< SVG size, px
  double left = 0.09, right = 0.955, bottom = 0.13, top = 0.86;  ///< plot area, screen fractions
  double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;  ///< axis ranges; y in the display unit
  display_unit unit;                              ///< of the y axis

  /// SVG x of data x.
  double px(double x) const { return width * (left + (x - x_lo) / (x_hi - x_lo) * (right - left)); }
  /// SVG y of `y_base` (base unit).
  double py(double y_base) const {
    const double y = y_base / unit.divisor;
    return height * (1 - (bottom + (y - y_lo) / (y_hi - y_lo) * (top - bottom)));
  }
};

/// The frame of the small charts (distribution, memory, series): half the trend's width.
frame small_frame();

/// Sets the unit and the y range from the smallest and largest value drawn (base units), with
/// some air; a range of non-negative values never goes below zero.
void fit_y(frame& f, unit_kind kind, double lo, double hi);

/// A number for a data file or a script: "%.6g", "NaN" when not finite.
std::string num(double v);

/// A tic label for a data file: x-gp's whitelist, spaces as '_', at most 16 characters, "_"
/// when nothing is left.
std::string tic_label(std::string_view text);

/// "wall median (ms)", or "wall median" without a unit name.
std::string axis_label(const test_row& row, const display_unit& unit);

/// A point that gets a tooltip in the overlay.
struct tip_point {
  double x = 0;            ///< data units
  double y = 0;            ///< base units
  std::string tip;         ///< tooltip text after `key` (escaped by the overlay template)
  const char* css = "pt";  ///< class of the circle: "pt", "pt cur", "pt med", "pt peak"
  /// The start of the tooltip that many points of the page share ("commit · date · median"),
  /// shown as `key + " " + tip + tail`; "" when the tip is all in `tip`.
  std::string key;
  /// The end of the tooltip, shared the same way (" · pass"); only with a key.
  std::string tail;
  /// Whether the page carries the whole tooltip as a <title>. Else a record with the numbers
  /// of key and tail in the page's key list and `tip` (the page's script makes the circle and
  /// the title): key and tail are then written once per page, not once per point.
  bool titled = true;
};

/// The data of one chart as gnuplot data sets (`index 0`, `index 1`, ...) in one file: fewer
/// files to create than one per data set, which counts with hundreds of charts.
class data_file {
 public:
  /// Adds a data set; returns its index.
  int add(std::string block);
  /// The file's text, ending with a newline.
  std::string text() const { return text_ + '\n'; }

 private:
  std::string text_;
  int count_ = 0;
};

/// One planned chart: what gnuplot reads and runs, and what the page shows around it.
struct chart_plan {
  frame geometry;                 ///< what gnuplot is told, and where the tooltips go
  std::string data;               ///< the text of <stem>.dat
  std::string script;             ///< this chart's part of its batch's gnuplot script
  std::string caption;            ///< what is drawn, in words
  std::vector<tip_point> points;  ///< the points that get a tooltip
  std::size_t weight = 0;         ///< relative gnuplot work, to balance the batches
};

/// Adds the FRAME include (chart_frame.gp.tpl: terminal, output <stem>.svg, margins, ranges).
void set_frame(ctemplate::TemplateDictionary& dict, const frame& geometry, const std::string& stem);

/// What a chart draws of a threshold.
struct threshold_mark {
  std::string text;                              ///< the expression as written, for captions
  std::string metric;                            ///< "wall"
  bool has_level = false;                        ///< the threshold is on one level of a series
  comparison op = comparison::less;  ///< "<", "<=", ...
  double limit = 0;                              ///< base unit of the metric
};

/// The one place where charts read a threshold outcome (no chart touches its fields): nullopt
/// for an expression this version cannot parse (it is listed in the table, not drawn).
std::optional<threshold_mark> threshold_mark_of(const threshold_outcome& outcome);

// The planners, one per chart kind: `stem` names the chart's files (<stem>.dat, <stem>.svg).
// charts.cpp calls each only when the row has something to draw.

/// The trend of the headline statistic over the history; the row must have a series.
chart_plan plan_trend(const test_row& row, const std::string& stem);
/// The trend with one line per machine class (--machine all|FINGERPRINT); the row must have a
/// machine line with values (has_machine_trend).
chart_plan plan_machine_trend(const test_row& row, const std::string& stem);
/// Whether the row has a machine line with values to draw.
bool has_machine_trend(const test_row& row);
/// This session's runs against the baseline's; the row must have current_values.
chart_plan plan_distribution(const test_row& row, const std::string& stem);
/// The memory timeline of the current result; the test must have one.
chart_plan plan_memory(const test_row& row, const std::string& stem);
/// "Server during the test": the server's RSS and threads over the current result's runs,
/// sample by sample; the row must have has_server_chart (chart_server.cpp).
chart_plan plan_server(const test_row& row, const std::string& stem);
/// Whether the row's server figures have RSS samples to draw.
bool has_server_chart(const test_row& row);
/// The headline statistic per level; the row must have has_levels.
chart_plan plan_series(const test_row& row, const std::string& stem);

/// The current result's runs of the headline metric; empty without stored runs.
std::vector<double> current_values(const test_row& row);

/// Whether the series chart has levels to draw.
bool has_levels(const test_row& row);

/// One level of the series chart: the headline statistic and its interval (the median's 95%
/// interval; the value itself for other statistics), base units.
struct series_level {
  std::string level;
  double value = 0, low = 0, high = 0;
};

/// The levels of the current result that have the headline metric, in plan order.
std::vector<series_level> series_levels(const test_row& row);

/// The tooltip of a series level drawn at data x `x`.
tip_point series_tip(const test_row& row, const series_level& level, double x);

/// The x axis of a sweep over one numeric parameter: each level's x (its value, or log10 of it
/// on a log axis), the parameter's name and whether the axis is logarithmic.
struct sweep_axis {
  std::vector<double> x;  ///< in series_levels order
  std::string parameter;
  bool log = false;  ///< a geometric sweep (chart_sweep.cpp says when)
};

/// The axis when every level is one numeric parameter ("n=500") and there are at least two;
/// nullopt otherwise (drawn by position).
std::optional<sweep_axis> sweep_axis_of(const test_row& row);

/// Adds to a sweep's series chart (frame `geometry`, data `file`, dictionary of sweep.gp.tpl) what
/// the row's current result found across the levels of the axis's parameter: the fitted curve of
/// every complexity gate on the row's metric and statistic (FIT), the level of every breaking
/// point, whatever its inner gate's metric (BREAK); each in words appended to `caption`
/// ("; dash-dot orange: ..."). Gates over a group of levels (`at` set) are left out.
void add_series_gates(const test_row& row, const sweep_axis& axis, const frame& geometry, data_file& file,
                      ctemplate::TemplateDictionary& dict, std::string& caption);

/// The series chart of a sweep on its parameter's axis (plan_series calls it).
chart_plan plan_sweep_series(const test_row& row, const sweep_axis& axis, const std::string& stem);

}  // namespace perfcheck::reports::detail
