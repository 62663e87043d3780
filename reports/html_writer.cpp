// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// index.html from templates/report_{head,test,foot}.html.tpl, written test by test so that a
// large history never holds the whole page in memory.
#include <algorithm>

#include <boost/json.hpp>
#include <ctemplate/template.h>
#include <fmt/format.h>

#include "perfcheck/model/trend_text.hpp"
#include "reports/charts.hpp"
#include "reports/profile_view.hpp"
#include "reports/report_writer.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports {

namespace {

// CSS class of a verdict badge; "passed" and "not-run" for the tally words.
std::string css_class(const test_row& row) {
  return row.severity == 7 ? "expected" : row.severity == 6 ? "notrun" : row.severity == 5 ? "passed" : row.verdict_word;
}

const char* change_class(const test_row& row) {
  if (!row.change) return "";
  const bool higher_is_better = row.kind == unit_kind::rate;
  const bool significant = row.change->change_low > 0 || row.change->change_high < 0;
  if (!significant) return "";
  return (row.change->change > 0) != higher_is_better ? "worse" : "better";
}

void headline(ctemplate::TemplateDictionary& d, const test_row& row) {
  if (!row.value) return;
  auto* h = d.AddSectionDictionary("HEADLINE");
  h->SetValue("LABEL", fmt::format("{} {}", row.metric, row.statistic));
  h->SetValue("TEXT", row.value_text);
}

// The DELTA section: the change against the baseline and its interval.
ctemplate::TemplateDictionary* delta(ctemplate::TemplateDictionary& d, const test_row& row) {
  auto* section = d.AddSectionDictionary("DELTA");
  section->SetValue("CLASS", change_class(row));
  section->SetValue("TEXT", row.change_text);
  section->SetValue("INTERVAL", row.interval_text);
  return section;
}

// One row of the summary table.
void summary_row(ctemplate::TemplateDictionary& r, const test_row& row) {
  r.SetValue("CLASS", css_class(row));
  r.SetIntValue("SEVERITY", row.severity);
  r.SetValue("VERDICT", row.verdict_text);
  r.SetValue("ANCHOR", row.anchor);
  r.SetValue("NAME", row.name);
  r.SetValue("VALUE", row.value ? fmt::format("{}", *row.value) : "Infinity");
  headline(r, row);
  if (row.change) {
    r.SetValue("CHANGE", fmt::format("{}", row.change->change));
    delta(r, row);
  } else {
    r.SetValue("CHANGE", "Infinity");
    r.ShowSection("NO_DELTA");
  }
  if (!row.unaccepted_text.empty()) {
    auto* since = r.AddSectionDictionary("SINCE");
    since->SetValue("CLASS", "worse");
    since->SetValue("TEXT", row.unaccepted_text);
  }
  if (!row.since_text.empty()) {
    auto* since = r.AddSectionDictionary("SINCE");
    since->SetValue("CLASS", row.changes.back().worse ? "worse" : "better");
    since->SetValue("TEXT", row.since_text);
  }
  r.SetIntValue("THRESHOLDS_FAILED", static_cast<long>(row.thresholds_failed));
  if (!row.thresholds.empty()) {
    auto* t = r.AddSectionDictionary("THRESHOLDS");
    t->SetValue("CLASS", row.thresholds_failed ? "worse" : "");
    t->SetValue("TEXT",
                row.thresholds_failed
                    ? fmt::format("{} of {} failed", row.thresholds_failed, row.thresholds.size())
                    : fmt::format("{} held", row.thresholds.size()));
  }
  const std::size_t warnings = row.current ? row.current->warnings.size() : 0;
  r.SetIntValue("WARNING_COUNT", static_cast<long>(warnings));
  if (warnings) {
    auto* w = r.AddSectionDictionary("WARNINGS");
    std::string all;
    for (const auto& text : row.current->warnings) all += (all.empty() ? "" : "\n") + text;
    w->SetValue("ALL", all);
    w->SetIntValue("COUNT", static_cast<long>(warnings));
    w->SetValue("FIRST", warning_headline(row.current->warnings.front()));
  }
}

// The per-machine table (--machine all|FINGERPRINT): each test's newest headline value per
// machine class.
void machine_rows(ctemplate::TemplateDictionary& dict, const report_view& view) {
  const auto lines = machine_table(view);
  if (lines.empty()) return;
  auto* table = dict.AddSectionDictionary("MACHINES");
  table->SetValue("SCOPE", view.model->machine_scope == "all" ? "every machine class of the history"
                                                              : "machine " + view.model->machine_scope);
  for (const auto& l : lines) {
    auto* r = table->AddSectionDictionary("LINE");
    r->SetValue("ANCHOR", l.row->anchor);
    r->SetValue("NAME", l.row->name);
    r->SetValue("MACHINE", l.machine.empty() ? "(no fingerprint)" : l.machine);
    if (l.own) r->ShowSection("OWN");
    r->SetIntValue("RESULTS", static_cast<long>(l.results));
    r->SetValue("LABEL", fmt::format("{} {}", l.row->metric, l.row->statistic));
    r->SetValue("VALUE", l.latest ? fmt::format("{}", *l.latest) : "Infinity");
    r->SetValue("LATEST", l.latest_text);
    r->SetValue("DATE", l.latest_date);
  }
}

void head(const report_view& view, const chart_set& charts, std::ostream& out) {
  ctemplate::TemplateDictionary dict("head");
  const report_model& model = *view.model;
  const report_session& s = model.session;
  dict.SetValue("GENERATOR_VERSION", model.generator_version);
  dict.SetValue("COUNTS", view.counts_text);
  bool any = false;
  for (std::size_t i = 0; i < view.counts.size(); ++i) {
    if (view.counts[i] == 0) continue;
    any = true;
    auto* c = dict.AddSectionDictionary("COUNT");
    c->SetValue("CLASS", i == 7 ? "expected" : i == 6 ? "notrun" : severity_word(i));
    c->SetIntValue("N", static_cast<long>(view.counts[i]));
    c->SetValue("WORD", severity_word(i));
  }
  if (!any) dict.ShowSection("NO_COUNT");
  const auto or_unknown = [](const std::string& v) {
    return v.empty() ? std::string("unknown") : v;
  };
  dict.SetValue("SESSION_ID", or_unknown(s.id));
  dict.SetValue("COMMIT", or_unknown(s.commit));
  dict.SetValue("BRANCH", or_unknown(s.branch));
  std::string machine = s.hostname;
  if (!s.cpu_model.empty()) machine += (machine.empty() ? "" : " · ") + s.cpu_model;
  if (!s.machine.empty()) machine += (machine.empty() ? "" : " · ") + s.machine;
  dict.SetValue("MACHINE", or_unknown(machine));
  dict.SetValue("DATE", or_unknown(s.date));
  dict.SetValue("PERFCHECK_VERSION", or_unknown(s.perfcheck_version));
  if (!charts.note().empty()) dict.SetValueAndShowSection("TEXT", charts.note(), "CHART_NOTE");
  if (view.rows.empty()) dict.ShowSection("EMPTY");
  ctemplate::TemplateDictionary* table =
      view.rows.empty() ? nullptr : dict.AddSectionDictionary("TABLE");
  for (const auto& row : view.rows) summary_row(*table->AddSectionDictionary("ROW"), row);
  machine_rows(dict, view);
  std::string text;
  expand_template("report_head.html.tpl", dict, text);
  out << text;
}

// The facts of a test's current result: change, run, reasons, warnings.
void result_facts(ctemplate::TemplateDictionary& dict, const test_row& row) {
  if (row.change) {
    delta(dict, row)->SetValueAndShowSection(
        "VALUE",
        fmt::format("{} {}", row.statistic, format_quantity(row.change->baseline_value, row.kind)),
        "BASE");
  }
  if (!row.current) {
    dict.ShowSection("NOT_RUN");
    return;
  }
  auto* run = dict.AddSectionDictionary("RUN");
  run->SetValue("COMMIT",
                row.current->commit.empty() ? "unknown" : short_commit(row.current->commit));
  run->SetValue("DATE", row.current->date);
  run->SetValue("RUNS", row.runs_text);
  if (!row.current->reasons.empty()) {
    auto* list = dict.AddSectionDictionary("REASONS");
    for (const auto& reason : row.current->reasons)
      list->SetValueAndShowSection("TEXT", reason, "REASON");
  }
  if (!row.current->warnings.empty()) {
    auto* list = dict.AddSectionDictionary("WARNINGS");
    for (const auto& w : row.current->warnings) list->SetValueAndShowSection("TEXT", w, "WARNING");
  }
}

// The latest five change points, newest first, and how many earlier ones the chart has.
void change_list(ctemplate::TemplateDictionary& dict, const test_row& row) {
  if (row.changes.empty()) return;
  auto* list = dict.AddSectionDictionary("CHANGES");
  constexpr std::size_t shown = 5;
  const std::size_t first = row.changes.size() > shown ? row.changes.size() - shown : 0;
  const bool time = row.kind == unit_kind::duration || row.kind == unit_kind::rate;
  for (std::size_t i = row.changes.size(); i-- > first;) {
    const change_point& c = row.changes[i];
    auto* item = list->AddSectionDictionary("CHANGE");
    item->SetValue("CLASS", c.worse ? "worse" : "better");
    item->SetValue("WORD", time ? (c.worse ? "slower" : "faster") : (c.worse ? "higher" : "lower"));
    item->SetValue("TEXT", format_change(c.change));
    item->SetValue("COMMIT", c.commit.empty() ? fmt::format("result {}", c.index + 1)
                                              : short_commit(c.commit));
    item->SetValue("DATE", short_date(c.date));
    item->SetValue("BEFORE", format_quantity(c.before, row.kind));
    item->SetValue("AFTER", format_quantity(c.after, row.kind));
  }
  if (first > 0) list->SetValueAndShowSection("N", std::to_string(first), "MORE");
}

void threshold_table(ctemplate::TemplateDictionary& dict, const test_row& row) {
  if (row.thresholds.empty()) return;
  auto* table = dict.AddSectionDictionary("THRESHOLDS");
  for (const auto& t : row.thresholds) {
    auto* line = table->AddSectionDictionary("THRESHOLD");
    line->SetValue("EXPR", t.at.empty() ? t.expr : fmt::format("{} at {}", t.expr, t.at));
    line->SetValue("VALUE", t.value_text);
    line->SetValue("CLASS", t.ok ? "good" : "bad");
    line->SetValue("OUTCOME", t.ok ? "held" : "failed");
  }
}

// The metrics the command reported, the soak trends, the server's line and the metadata of the
// current result (docs/metrics.md, docs/servers.md).
void reported_table(ctemplate::TemplateDictionary& dict, const test_row& row) {
  if (!row.reported.empty()) {
    auto* table = dict.AddSectionDictionary("REPORTED");
    for (const auto& m : row.reported) {
      auto* line = table->AddSectionDictionary("METRIC");
      line->SetValue("NAME", m.metric);
      line->SetValue("MEDIAN", m.median_text);
      line->SetValue("P95", m.p95_text);
      line->SetIntValue("N", static_cast<long>(m.n));
    }
  }
  if (row.test) {
    for (const auto& [level, metric, trend] : row.test->trends) {
      auto* item = dict.AddSectionDictionary("TREND");
      item->SetValue("TEXT", trend_text(metric, trend));
      if (!level.empty()) item->SetValueAndShowSection("LEVEL", level, "AT");
      item->SetValue("CLASS", trend.significant && trend.change > 0 ? "bad" : "good");
    }
  }
  if (const std::string server = server_line(row.server); !server.empty())
    dict.SetValueAndShowSection("TEXT", server, "SERVER");
  if (!row.load_text.empty()) dict.SetValueAndShowSection("TEXT", row.load_text, "LOAD");
  if (row.metadata.empty()) return;
  auto* list = dict.AddSectionDictionary("METADATA");
  for (const auto& [key, value] : row.metadata) {
    auto* item = list->AddSectionDictionary("ITEM");
    item->SetValue("KEY", key);
    item->SetValue("VALUE", value);
  }
}

// A sweep's table: level, runs, the headline metric's median with its interval, each reported
// metric's median and p95, the thresholds checked at the level.
void level_table(ctemplate::TemplateDictionary& dict, const test_row& row) {
  if (row.levels.empty()) return;
  auto* table = dict.AddSectionDictionary("LEVELS");
  set_level_heads(*table, row);
  for (const auto& level : row.levels) {
    auto* line = table->AddSectionDictionary("LEVEL");
    line->SetValue("LEVEL", level.level);
    line->SetIntValue("RUNS", static_cast<long>(level.runs));
    line->SetValue("MEDIAN", level.median_text.empty() ? "-" : level.median_text);
    for (const auto& r : level.reported) line->SetValueAndShowSection("TEXT", reported_cell(r), "CELL");
    line->SetValue("CLASS", level.bad ? "bad" : "good");
    line->SetValue("THRESHOLDS", level.thresholds_text);
  }
}

// Each chart: chart_start, the SVG with its tooltips, chart_end. `text` holds what precedes the
// first chart and, on return, what follows the last.
void write_charts(const std::vector<chart>& list, std::string& text, std::ostream& out) {
  for (const auto& c : list) {
    ctemplate::TemplateDictionary start("chart_start");
    start.SetValue("KIND", to_string(c.kind));
    expand_template("chart_start.html.tpl", start, text);
    // The SVG is not a template value: it is gnuplot's output after sanitize_svg (no scripts,
    // no event handlers, no external references), streamed as it is, with the tooltips (escaped
    // by chart_overlay.svg.tpl) before its end tag.
    out << text;
    text.clear();
    const std::size_t end = c.svg.rfind("</svg>");
    if (end != std::string::npos) {
      out.write(c.svg.data(), static_cast<std::streamsize>(end));
      out << c.overlay << "</svg>";
    }
    ctemplate::TemplateDictionary finish("chart_end");
    if (!c.note.empty()) finish.SetValueAndShowSection("NOTE", c.note, "MISSING");
    finish.SetValue("CAPTION", c.caption);
    expand_template("chart_end.html.tpl", finish, text);
  }
}

void test_section(const report_view& view, std::size_t index, const chart_set& charts,
                  std::ostream& out) {
  const test_row& row = view.rows[index];
  ctemplate::TemplateDictionary dict("test");
  dict.SetValue("CLASS", css_class(row));
  dict.SetValue("ANCHOR", row.anchor);
  dict.SetValue("VERDICT", row.verdict_text);
  dict.SetValue("NAME", row.name);
  headline(dict, row);
  result_facts(dict, row);
  dict.SetIntValue("RESULTS", static_cast<long>(row.test->history.size()));
  change_list(dict, row);
  threshold_table(dict, row);
  reported_table(dict, row);
  level_table(dict, row);
  fill_profile(dict, row, view.out_dir);
  const auto list = charts.charts_for(index);
  if (list.empty()) dict.ShowSection("NO_CHART");
  std::string text;
  expand_template("report_test.html.tpl", dict, text);
  write_charts(list, text, out);
  expand_template("report_test_end.html.tpl", ctemplate::TemplateDictionary("test_end"), text);
  out << text;
}

class html_writer : public report_writer {
 public:
  explicit html_writer(const chart_set& charts) : charts_(&charts) {}
  std::string file_name() const override { return "index.html"; }

  void write(const report_view& view, std::ostream& out) const override {
    head(view, *charts_, out);
    for (std::size_t i = 0; i < view.rows.size(); ++i) test_section(view, i, *charts_, out);
    ctemplate::TemplateDictionary dict("foot");
    dict.SetValue("GENERATOR_VERSION", view.model->generator_version);
    if (!charts_->tip_keys().empty()) {
      // A JSON array, HTML-escaped by the template like every value.
      boost::json::array keys(charts_->tip_keys().begin(), charts_->tip_keys().end());
      dict.SetValueAndShowSection("LIST", boost::json::serialize(keys), "TIP_KEYS");
    }
    std::string text;
    expand_template("report_foot.html.tpl", dict, text);
    out << text;
  }

 private:
  const chart_set* charts_;
};

}  // namespace

std::unique_ptr<report_writer> make_html_writer(const chart_set& charts) {
  return std::make_unique<html_writer>(charts);
}

}  // namespace perfcheck::reports
