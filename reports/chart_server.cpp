// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The server chart, "Server during the test": the server's RSS over the current result's runs,
// sample by sample, with its threads on a second axis and the runs' boundaries dotted
// (templates/server.gp.tpl). The samples carry no times, so the x axis counts them.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/series_thinning.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

namespace {

constexpr double mib = 1024.0 * 1024.0;
constexpr std::size_t drawn_samples = 600;  // LTTB keeps the shape, the peak always stays
constexpr std::size_t marked_runs = 50;     // more run boundaries would hide the line

std::size_t peak_of(const std::vector<double>& values) {
  return static_cast<std::size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

// Sample i (0-based) is drawn at x = i + 1; `divisor` turns the values into the axis's unit.
std::string sample_block(const std::vector<double>& values, double divisor) {
  std::string block;
  for (std::size_t i : thin_series(values, {peak_of(values)}, drawn_samples))
    block += fmt::format("{}\t{}\n", i + 1, num(values[i] / divisor));
  return block;
}

// The run (1-based) and the sample within it (1-based) of sample `i`.
std::pair<std::size_t, std::size_t> run_of(const server_figures& f, std::size_t i) {
  const auto next = std::upper_bound(f.run_starts.begin(), f.run_starts.end(), i);
  const auto run = static_cast<std::size_t>(next - f.run_starts.begin());
  return {run, i - f.run_starts[run - 1] + 1};
}

// The threads on the second axis (integer tics, some air above the most).
void add_threads(const server_figures& f, data_file& file, ctemplate::TemplateDictionary& dict) {
  const double top = std::max(1.0, *f.threads_max);
  const double hi = std::max(top + 1, std::ceil(top * 1.15));
  auto* t = dict.AddSectionDictionary("THREADS");
  t->SetValue("Y2HI", num(hi));
  t->SetValue("Y2STEP", num(std::max(1.0, std::ceil(hi / 5))));
  t->SetIntValue("INDEX", file.add(sample_block(f.threads, 1)));
}

// A dotted segment across the plot between each two runs.
void add_run_marks(const server_figures& f, const frame& g, data_file& file, ctemplate::TemplateDictionary& dict) {
  if (f.run_starts.size() < 2 || f.run_starts.size() > marked_runs) return;
  std::string block;
  for (std::size_t k = 1; k < f.run_starts.size(); ++k) {
    const double x = static_cast<double>(f.run_starts[k]) + 0.5;
    block += fmt::format("{}\t{}\n{}\t{}\n\n", num(x), num(g.y_lo), num(x), num(g.y_hi));
  }
  dict.SetValueAndShowSection("INDEX", std::to_string(file.add(block)), "RUNS");
}

}  // namespace

bool has_server_chart(const test_row& row) { return !row.server.rss.empty(); }

chart_plan plan_server(const test_row& row, const std::string& stem) {
  const server_figures& f = row.server;
  const std::size_t n = f.rss.size();
  chart_plan p;
  frame& g = p.geometry;
  g = small_frame();
  g.unit = {mib, "MiB"};  // the chart is in MiB, whatever the size, like the line beside it
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(n) + 0.5;
  g.y_lo = 0;
  g.y_hi = *f.rss_max > 0 ? *f.rss_max / mib * 1.08 : 1;
  const bool threads = !f.threads.empty();
  if (threads) g.right = 0.84;  // room for the threads' axis
  data_file file;
  file.add(sample_block(f.rss, mib));
  ctemplate::TemplateDictionary dict("server");
  set_frame(dict, g, stem);
  if (threads) add_threads(f, file, dict);
  add_run_marks(f, g, file, dict);
  dict.SetValue("X_LABEL", fmt::format("sample, {} runs in order", f.run_starts.size()));
  dict.SetValue("DATA", stem + ".dat");
  expand_template("server.gp.tpl", dict, p.script);
  p.data = file.text();
  p.weight = std::min(n, drawn_samples) * (threads ? 2 : 1) + 30;
  const std::size_t peak = peak_of(f.rss);
  const auto [run, sample] = run_of(f, peak);
  p.caption = fmt::format(
      "Server during the test: the resident memory (RSS) of the server's process tree{}, in the order "
      "sampled, {} samples over {} runs of the current result{}; the samples carry no times. The dot "
      "marks the peak, {:.1f} MiB (run {}, sample {}).",
      threads ? " and its threads (dashed, right axis)" : "", n, f.run_starts.size(),
      f.run_starts.size() >= 2 && f.run_starts.size() <= marked_runs ? ", dotted lines between runs" : "",
      *f.rss_max / mib, run, sample);
  p.points.push_back({static_cast<double>(peak + 1), f.rss[peak],
                      fmt::format("server peak {:.1f} MiB, run {}, sample {}", f.rss[peak] / mib, run, sample),
                      "pt peak", {}, {}, true});
  return p;
}

}  // namespace perfcheck::reports::detail
