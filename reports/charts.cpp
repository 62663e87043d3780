// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The chart set of a report: one plan per chart (reports/chart_*.cpp), their data files in a
// private temporary folder, gnuplot batches of about equal work (reports/gnuplot_batch.*), and
// the SVG sanitized, compacted and given tooltips when a test's charts are read back.
// Nothing from the history reaches a gnuplot command: scripts come from templates whose values
// pass the x-gp whitelist, data files hold numbers and whitelisted tic labels, and gnuplot runs
// in the temporary folder on file names made of row numbers.
#include "reports/charts.hpp"

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include <ctemplate/template.h>
#include <fmt/format.h>

#include "perfcheck/model/atomic_file.hpp"
#include "reports/chart_plan.hpp"
#include "reports/gnuplot_batch.hpp"
#include "reports/svg_compaction.hpp"
#include "reports/svg_sanitizer.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports {

namespace fs = std::filesystem;

struct chart_set::plan {
  std::size_t row = 0;
  chart_kind kind = chart_kind::trend;
  std::string stem;  // file names: <stem>.svg, <stem>.dat
  detail::chart_plan chart;
  std::string note;  // set when gnuplot did not draw it
};

namespace {

using plan = chart_set::plan;

// A fresh private folder, removed with everything in it unless released.
class temp_folder {
 public:
  // Named with the pid, so that a report killed with kill -9 has its folder removed by the next.
  temp_folder() : path_(make_temp_folder("perfcheck-report")) {}
  ~temp_folder() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  const fs::path& path() const { return path_; }
  fs::path release() { return std::exchange(path_, fs::path()); }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether gnuplot finished the file: it ends with the root's end tag.
bool svg_complete(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  const std::streamoff tail = std::min<std::streamoff>(size, 32);
  std::string end(static_cast<std::size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(end.data(), tail);
  return end.find("</svg>") != std::string::npos;
}

// The most telling line of a gnuplot log: the first that names an error, else the last.
std::string error_line(const std::string& log) {
  std::istringstream lines(log);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    if (line.find("rror") != std::string::npos) return line;
    last = line;
  }
  return last.empty() ? "no output" : last;
}

// Every chart of every row, in row then kind order; the data files are written to `dir`.
std::vector<plan> plan_charts(const report_view& view, const fs::path& dir) {
  std::vector<plan> plans;
  for (std::size_t r = 0; r < view.rows.size(); ++r) {
    const test_row& row = view.rows[r];
    const auto add = [&](chart_kind kind, auto planner) {
      plan p;
      p.row = r;
      p.kind = kind;
      p.stem = fmt::format("r{}-{}", r, to_string(kind));
      p.chart = planner(row, p.stem);
      detail::write_file(dir / (p.stem + ".dat"), p.chart.data);
      p.chart.data = std::string();
      plans.push_back(std::move(p));
    };
    // With --machine all|FINGERPRINT the trend is the machines' (none when none has results).
    if (view.model && !view.model->machine_scope.empty()) {
      if (detail::has_machine_trend(row)) add(chart_kind::trend, detail::plan_machine_trend);
    } else if (!row.series.empty()) {
      add(chart_kind::trend, detail::plan_trend);
    }
    if (!detail::current_values(row).empty())
      add(chart_kind::distribution, detail::plan_distribution);
    if (!row.test->memory.empty()) add(chart_kind::memory, detail::plan_memory);
    if (detail::has_server_chart(row)) add(chart_kind::server, detail::plan_server);
    if (detail::has_levels(row)) add(chart_kind::series, detail::plan_series);
  }
  return plans;
}

// Contiguous batches of about equal weight, one gnuplot script each; `members` gets the plans
// of each batch. The plans' scripts move into the batches.
std::vector<std::string> batch_scripts(std::vector<plan>& plans, unsigned jobs,
                                       std::vector<std::vector<std::size_t>>& members) {
  std::size_t total = 0;
  for (const auto& p : plans) total += p.chart.weight;
  std::vector<std::string> scripts(jobs);
  members.assign(jobs, {});
  std::size_t acc = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const std::size_t batch =
        std::min<std::size_t>(jobs - 1, acc * jobs / std::max<std::size_t>(total, 1));
    acc += plans[i].chart.weight;
    scripts[batch] += plans[i].chart.script;
    plans[i].chart.script = std::string();
    members[batch].push_back(i);
  }
  return scripts;
}

// Why the charts of a batch are missing ("" when gnuplot ran fine); `report_note` gets the
// note for the whole report when gnuplot could not be started.
std::string batch_problem(const gnuplot_outcome& run, const std::string& program,
                          const fs::path& log, std::string& report_note) {
  if (run.spawn_error == ENOENT || run.spawn_error == EACCES) {
    report_note = fmt::format(
        "Chart not drawn: gnuplot was not found ('{}'{}); install gnuplot (Debian: gnuplot-nox; "
        "tools/setup.sh does) or give its path with --gnuplot PATH.",
        program, program.find('/') == std::string::npos ? " in PATH" : "");
    return report_note;
  }
  if (run.spawn_error != 0) {
    report_note = fmt::format("Chart not drawn: gnuplot could not be started: {}.",
                              std::generic_category().message(run.spawn_error));
    return report_note;
  }
  if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0)
    return fmt::format("Chart not drawn: gnuplot failed: {}", error_line(read_text(log)));
  return "";
}

// The letter of a kind in the SVG ids of its chart (the first of its name; "v" for the server,
// whose "s" the series has), so that two charts of a test never share an id.
char id_letter(chart_kind kind) { return kind == chart_kind::server ? 'v' : to_string(kind)[0]; }

}  // namespace

// The tooltips of one chart (chart_overlay.svg.tpl).
std::string chart_set::overlay(const detail::chart_plan& chart) const {
  ctemplate::TemplateDictionary dict("overlay");
  std::string records;
  for (const auto& pt : chart.points) {
    const std::string x = detail::num(std::round(chart.geometry.px(pt.x) * 10) / 10);
    const std::string y = detail::num(std::round(chart.geometry.py(pt.y) * 10) / 10);
    if (pt.titled || pt.key.empty() || std::string_view(pt.css) != "pt") {
      auto* d = dict.AddSectionDictionary("POINT");
      d->SetValue("X", x);
      d->SetValue("Y", y);
      if (std::string_view(pt.css) != "pt") d->SetValueAndShowSection("CLASS", pt.css, "CSS");
      d->SetValue("TIP", pt.key.empty() ? pt.tip : pt.key + " " + pt.tip + pt.tail);
      continue;
    }
    std::string rest = pt.tip;
    std::replace(rest.begin(), rest.end(), '|', '/');  // "|" ends a record
    records += fmt::format("{}{} {} {} {} {}", records.empty() ? "" : "|", x, y,
                           tip_keys_.at(pt.key), tip_keys_.at(pt.tail), rest);
  }
  if (!records.empty()) dict.SetValueAndShowSection("POINTS", records, "DATA");
  std::string text;
  expand_template("chart_overlay.svg.tpl", dict, text);
  return text;
}

const char* to_string(chart_kind kind) {
  switch (kind) {
    case chart_kind::trend:
      return "trend";
    case chart_kind::distribution:
      return "distribution";
    case chart_kind::memory:
      return "memory";
    case chart_kind::series:
      return "series";
    case chart_kind::server:
      return "server";
  }
  return "?";
}

chart_set::chart_set(const report_view& view, const chart_settings& settings) : view_(&view) {
  temp_folder folder;
  plans_ = plan_charts(view, folder.path());
  for (const auto& p : plans_) {
    for (const auto& pt : p.chart.points) {
      if (pt.titled || pt.key.empty() || std::string_view(pt.css) != "pt") continue;
      for (const std::string& key : {pt.key, pt.tail}) {
        if (tip_keys_.emplace(key, key_list_.size()).second) key_list_.push_back(key);
      }
    }
  }
  if (!plans_.empty()) {
    unsigned jobs =
        settings.jobs ? settings.jobs : std::max(1u, std::thread::hardware_concurrency());
    jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, plans_.size()));
    std::vector<std::vector<std::size_t>> members;
    const auto runs =
        run_gnuplot_batch(settings.gnuplot, folder.path(), batch_scripts(plans_, jobs, members),
                          std::chrono::seconds(300));
    for (unsigned j = 0; j < jobs; ++j) {
      if (members[j].empty()) continue;
      const std::string why = batch_problem(runs[j], settings.gnuplot,
                                            folder.path() / fmt::format("batch{}.log", j), note_);
      for (std::size_t i : members[j]) {
        if (!svg_complete(folder.path() / (plans_[i].stem + ".svg")))
          plans_[i].note = why.empty() ? "Chart not drawn: gnuplot wrote no complete SVG." : why;
      }
    }
  }
  dir_ = folder.release();
}

chart_set::~chart_set() {
  if (dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::size_t chart_set::planned() const { return plans_.size(); }

std::size_t chart_set::drawn() const {
  return static_cast<std::size_t>(
      std::count_if(plans_.begin(), plans_.end(), [](const plan& p) { return p.note.empty(); }));
}

std::vector<chart> chart_set::charts_for(std::size_t row) const {
  std::vector<chart> out;
  const auto first = std::lower_bound(plans_.begin(), plans_.end(), row,
                                      [](const plan& p, std::size_t r) { return p.row < r; });
  for (auto it = first; it != plans_.end() && it->row == row; ++it) {
    chart c;
    c.kind = it->kind;
    c.caption = it->chart.caption;
    c.note = it->note;
    if (c.note.empty()) {
      std::string svg = read_text(dir_ / (it->stem + ".svg"));
      if (svg.find("</svg>") == std::string::npos) {
        c.note = "Chart not drawn: gnuplot's SVG was cut short.";
      } else {
        c.overlay = overlay(it->chart);
        c.svg = compact_svg(sanitize_svg(svg, fmt::format("c{}{}-", row, id_letter(it->kind))));
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace perfcheck::reports
