// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// summary.md from templates/summary.md.tpl.
#include <ctemplate/template.h>
#include <fmt/format.h>

#include "perfcheck/model/trend_text.hpp"
#include "reports/profile_view.hpp"
#include "reports/report_writer.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports {

namespace {

constexpr const char* icons[] = {"❌", "🔺", "⚠️", "❔", "🟢", "✅", "⏭️", "☑️"};

std::string headline(const test_row& row) {
  return row.value ? fmt::format("{} {} {}", row.metric, row.statistic, row.value_text) : "";
}

// The first warning, cut short for a table cell (index.html has them all).
std::string warnings_text(const test_row& row) {
  if (!row.current || row.current->warnings.empty()) return "";
  const auto& w = row.current->warnings;
  const std::string first = warning_headline(w.front());
  return w.size() == 1 ? first : fmt::format("{} warnings: {}", w.size(), first);
}

void set_name(ctemplate::TemplateDictionary& d, const test_row& row, const std::string& base_url) {
  if (base_url.empty()) {
    d.SetValueAndShowSection("NAME", row.name, "PLAIN");
  } else {
    auto* link = d.AddSectionDictionary("LINK");
    link->SetValue("URL", test_link(base_url, row));
    link->SetValue("NAME", row.name);
  }
}

// A sweep's table: one row per level (level, runs, the headline metric's median with its 95%
// interval, each reported metric's median and p95, the thresholds checked at that level).
void level_table(ctemplate::TemplateDictionary& dict, const test_row& row, const std::string& base_url) {
  auto* table = dict.AddSectionDictionary("LEVELS");
  set_name(*table, row, base_url);
  set_level_heads(*table, row);
  for (const auto& level : row.levels) {
    auto* r = table->AddSectionDictionary("LEVEL");
    r->SetValue("LEVEL", level.level);
    r->SetIntValue("RUNS", static_cast<long>(level.runs));
    r->SetValue("MEDIAN", level.median_text.empty() ? "-" : level.median_text);
    for (const auto& line : level.reported) r->SetValueAndShowSection("TEXT", reported_cell(line), "CELL");
    r->SetValue("THRESHOLDS", level.thresholds_text);
  }
}

// The per-machine table (--machine all|FINGERPRINT): each test's newest headline value per
// machine class.
void machine_rows(ctemplate::TemplateDictionary& dict, const report_view& view, const std::string& base_url) {
  const auto lines = machine_table(view);
  if (lines.empty()) return;
  auto* table = dict.AddSectionDictionary("MACHINES");
  table->SetValue("SCOPE", view.model->machine_scope == "all" ? "every machine class"
                                                              : "machine " + view.model->machine_scope);
  for (const auto& l : lines) {
    auto* r = table->AddSectionDictionary("LINE");
    set_name(*r, *l.row, base_url);
    r->SetValue("MACHINE", l.machine.empty() ? "(no fingerprint)" : l.machine);
    if (l.own) r->ShowSection("OWN");
    r->SetIntValue("RESULTS", static_cast<long>(l.results));
    r->SetValue("LATEST", l.latest ? fmt::format("{} {} {}", l.row->metric, l.row->statistic, l.latest_text)
                                   : l.latest_text);
    if (!l.latest_date.empty()) r->SetValueAndShowSection("TEXT", l.latest_date, "DATE");
  }
}

// A row of the table of tests that need a look.
void table_row(ctemplate::TemplateDictionary& r, const test_row& row, const std::string& base_url) {
  r.SetValue("ICON", icons[row.severity]);
  r.SetValue("VERDICT", row.verdict_text);
  set_name(r, row, base_url);
  r.SetValue("HEADLINE", headline(row));
  if (row.change) {
    auto* delta = r.AddSectionDictionary("DELTA");
    delta->SetValue("TEXT", row.change_text);
    delta->SetValue("INTERVAL", row.interval_text);
  } else {
    r.ShowSection("NO_DELTA");
  }
  r.SetValue("SINCE", row.unaccepted_text.empty() || row.since_text.empty()
                         ? row.unaccepted_text + row.since_text
                         : row.unaccepted_text + "; " + row.since_text);
  r.SetValue("THRESHOLDS", thresholds_summary(row.thresholds));
  r.SetValue("WARNINGS", warnings_text(row));
}

// A test's metadata and reported metrics (docs/metrics.md), one list item; none without them.
void details_item(ctemplate::TemplateDictionary*& details, ctemplate::TemplateDictionary& dict, const test_row& row) {
  const bool soak = row.test && !row.test->trends.empty();
  if (row.metadata.empty() && row.reported.empty() && !soak) return;
  if (!details) details = dict.AddSectionDictionary("DETAILS");
  auto* t = details->AddSectionDictionary("TEST");
  t->SetValue("NAME", row.name);
  for (const auto& [key, value] : row.metadata) {
    auto* m = t->AddSectionDictionary("META");
    m->SetValue("KEY", key);
    m->SetValue("VALUE", value);
  }
  for (const auto& r : row.reported) {
    auto* m = t->AddSectionDictionary("METRIC");
    m->SetValue("METRIC", r.metric);
    m->SetValue("MEDIAN", r.median_text);
    m->SetValue("P95", r.p95_text);
  }
  if (!soak) return;
  for (const auto& [level, metric, trend] : row.test->trends) {
    t->SetValueAndShowSection("TEXT", level.empty() ? trend_text(metric, trend) : level + ": " + trend_text(metric, trend),
                              "TREND");
  }
}

// The server's line of each test that named one (docs/servers.md, "Reports"), and the load line
// of each load test without levels (docs/load.md).
void server_lines(ctemplate::TemplateDictionary& dict, const report_view& view) {
  ctemplate::TemplateDictionary* list = nullptr;
  for (const auto& row : view.rows) {
    for (const std::string& line : {server_line(row.server), row.load_text}) {
      if (line.empty()) continue;
      if (!list) list = dict.AddSectionDictionary("SERVERS");
      auto* t = list->AddSectionDictionary("TEST");
      t->SetValue("NAME", row.name);
      t->SetValue("TEXT", line);
    }
  }
}

class markdown_writer : public report_writer {
 public:
  explicit markdown_writer(std::string base_url) : base_url_(std::move(base_url)) {}
  std::string file_name() const override { return "summary.md"; }

  void write(const report_view& view, std::ostream& out) const override {
    ctemplate::TemplateDictionary dict("summary.md");
    dict.SetValue("COUNTS", view.counts_text);
    const report_session& s = view.model->session;
    auto* session = dict.AddSectionDictionary("SESSION");
    session->SetValue("ID", s.id.empty() ? "(none)" : s.id);
    session->SetValue("COMMIT", s.commit.empty() ? "unknown" : short_commit(s.commit));
    if (!s.branch.empty()) session->SetValueAndShowSection("NAME", s.branch, "BRANCH");
    session->SetValue("MACHINE", s.hostname.empty() ? s.machine : s.hostname);
    session->SetValue("DATE", s.date);
    if (!base_url_.empty())
      session->SetValueAndShowSection("URL", test_link(base_url_, test_row{}), "REPORT");
    std::size_t unchanged = 0;
    for (const auto& row : view.rows) unchanged += row.unchanged;
    if (view.rows.empty()) dict.ShowSection("EMPTY");
    if (!view.rows.empty() && unchanged == view.rows.size()) {
      dict.SetValueAndShowSection("N", std::to_string(unchanged), "ALL_UNCHANGED");
    }
    ctemplate::TemplateDictionary* table = nullptr;
    ctemplate::TemplateDictionary* reasons = nullptr;
    ctemplate::TemplateDictionary* folded = nullptr;
    ctemplate::TemplateDictionary* details = nullptr;
    for (const auto& row : view.rows) {
      details_item(details, dict, row);
      if (row.unchanged) {
        if (!folded) {
          folded = dict.AddSectionDictionary("UNCHANGED");
          folded->SetIntValue("N", static_cast<long>(unchanged));
          folded->SetValue("TESTS", unchanged == 1 ? "test" : "tests");
        }
        auto* item = folded->AddSectionDictionary("ITEM");
        set_name(*item, row, base_url_);
        item->SetValue("HEADLINE", headline(row));
        if (row.change) item->SetValueAndShowSection("TEXT", row.change_text, "DELTA");
        continue;
      }
      if (!table) table = dict.AddSectionDictionary("TABLE");
      table_row(*table->AddSectionDictionary("ROW"), row, base_url_);
      if (row.current && !row.current->reasons.empty()) {
        if (!reasons) reasons = dict.AddSectionDictionary("REASONS");
        for (const auto& reason : row.current->reasons) {
          auto* t = reasons->AddSectionDictionary("TEST");
          t->SetValue("NAME", row.name);
          t->SetValue("TEXT", reason);
        }
      }
    }
    server_lines(dict, view);
    for (const auto& row : view.rows) {
      if (!row.levels.empty()) level_table(dict, row, base_url_);
      fill_profile(dict, row, view.out_dir);
    }
    machine_rows(dict, view, base_url_);
    std::string text;
    expand_template("summary.md.tpl", dict, text);
    out << text;
  }

 private:
  std::string base_url_;
};

}  // namespace

std::unique_ptr<report_writer> make_markdown_writer(std::string base_url) {
  return std::make_unique<markdown_writer>(std::move(base_url));
}

std::string test_link(const std::string& base_url, const test_row& row) {
  if (base_url.empty()) return "";
  std::string page = base_url;
  if (!page.ends_with(".html")) {
    while (!page.empty() && page.back() == '/') page.pop_back();
    page += "/index.html";
  }
  return row.anchor.empty() ? page : page + "#" + row.anchor;
}

}  // namespace perfcheck::reports
