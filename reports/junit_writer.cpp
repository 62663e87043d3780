// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// junit.xml from templates/junit.xml.tpl.
#include <ctemplate/template.h>
#include <fmt/format.h>

#include "reports/report_writer.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports {

namespace {

// Numbers in properties: shortest round-trip form, so the figures are exact.
std::string number(double v) { return fmt::format("{}", v); }

void property(ctemplate::TemplateDictionary& d, const char* section, const std::string& key,
              const std::string& value) {
  auto* p = d.AddSectionDictionary(section);
  p->SetValue("KEY", key);
  p->SetValue("VALUE", value);
}

double seconds_measured(const report_result& r) {
  const metric_figures* wall = r.find("wall");
  return wall ? wall->summary.mean * static_cast<double>(wall->summary.n) / 1e9 : 0.0;
}

// "<prefix><metric>.<stat>" for the figures of every metric: n, median, mean, ...
void metric_properties(ctemplate::TemplateDictionary& tc, const std::string& prefix,
                       const std::vector<metric_figures>& metrics) {
  for (const auto& m : metrics) {
    for (const char* stat : {"n", "median", "mean", "min", "max", "p95", "ci_low", "ci_high"}) {
      const double v =
          std::string_view(stat) == "n" ? static_cast<double>(m.summary.n) : *m.summary.get(stat);
      property(tc, "PROPERTY", fmt::format("{}{}.{}", prefix, m.metric, stat), number(v));
    }
  }
}

// The properties of the current result: commit, date, every metric (a sweep's: its trend
// level's, and every level's as "level.<level>.<metric>.<stat>"), every threshold (a sweep's
// with the level it was checked at).
void current_properties(ctemplate::TemplateDictionary& tc, const test_row& row) {
  property(tc, "PROPERTY", "commit", row.current->commit);
  property(tc, "PROPERTY", "date", row.current->date);
  metric_properties(tc, "", row.current->metrics);
  if (!row.levels.empty()) {
    property(tc, "PROPERTY", "trend_level", row.test->trend_level);
    for (const auto& level : row.test->levels) {
      metric_properties(tc, fmt::format("level.{}.", level.level), level.metrics);
    }
  }
  for (const auto& [key, value] : row.metadata) property(tc, "PROPERTY", "meta." + key, value);
  for (std::size_t i = 0; i < row.thresholds.size(); ++i) {
    const auto& t = row.thresholds[i];
    property(tc, "PROPERTY", fmt::format("threshold.{}", i + 1),
             fmt::format("{}{}{}: {} ({})", t.at, t.at.empty() ? "" : ": ", t.expr, t.value_text,
                         t.ok ? "held" : "failed"));
  }
}

// The failure, error or skip of a test case, and its warnings as system-out.
void case_outcome(ctemplate::TemplateDictionary& tc, const test_row& row) {
  std::string reasons;
  if (row.current) {
    for (const auto& r : row.current->reasons) reasons += r + "\n";
  }
  if (row.severity <= 1) {
    auto* f = tc.AddSectionDictionary("FAILURE");
    f->SetValue("TYPE", row.verdict_word);
    f->SetValue("MESSAGE", row.current && !row.current->reasons.empty()
                               ? row.current->reasons.front()
                               : row.verdict_word);
    f->SetValue("TEXT", reasons);
  } else if (row.severity == 2) {
    auto* e = tc.AddSectionDictionary("ERROR");
    e->SetValue("MESSAGE", row.current && !row.current->reasons.empty()
                               ? row.current->reasons.front()
                               : "error");
    e->SetValue("TEXT", reasons);
  } else if (row.severity == 6) {
    tc.SetValueAndShowSection("SKIP_MESSAGE", "did not run in this session", "SKIPPED");
  } else if (row.severity == 8) {  // a gate nothing here could measure (COUNT instructions)
    tc.SetValueAndShowSection("SKIP_MESSAGE", row.current && !row.current->reasons.empty()
                                                  ? row.current->reasons.front()
                                                  : std::string("skipped"), "SKIPPED");
  }
  if (row.current && !row.current->warnings.empty()) {
    std::string text;
    for (const auto& w : row.current->warnings) text += "warning: " + w + "\n";
    tc.SetValueAndShowSection("TEXT", text, "SYSTEM_OUT");
  }
}

// One <testcase>; returns its time in seconds.
double test_case(ctemplate::TemplateDictionary& tc, const test_row& row) {
  tc.SetValue("NAME", row.name);
  const double time = row.current ? seconds_measured(*row.current) : 0.0;
  tc.SetValue("TIME", fmt::format("{:.3f}", time));
  property(tc, "PROPERTY", "verdict", row.verdict_word);
  if (row.value) {
    property(tc, "PROPERTY", "headline", fmt::format("{}.{}", row.metric, row.statistic));
    property(tc, "PROPERTY", "headline.value", number(*row.value));
    property(tc, "PROPERTY", "headline.text", row.value_text);
  }
  if (row.change) {
    property(tc, "PROPERTY", "change", number(row.change->change));
    property(tc, "PROPERTY", "change.low", number(row.change->change_low));
    property(tc, "PROPERTY", "change.high", number(row.change->change_high));
    property(tc, "PROPERTY", "change.confidence", number(row.change->confidence));
    property(tc, "PROPERTY", "baseline.value", number(row.change->baseline_value));
    if (!row.change->baseline_commit.empty()) {
      property(tc, "PROPERTY", "baseline.commit", row.change->baseline_commit);
    }
  }
  if (!row.since_text.empty()) property(tc, "PROPERTY", "trend", row.since_text);
  if (row.current) current_properties(tc, row);
  case_outcome(tc, row);
  return time;
}

class junit_writer : public report_writer {
 public:
  std::string file_name() const override { return "junit.xml"; }

  void write(const report_view& view, std::ostream& out) const override {
    ctemplate::TemplateDictionary dict("junit.xml");
    const report_session& s = view.model->session;
    const auto& c = view.counts;
    dict.SetIntValue("TESTS", static_cast<long>(view.rows.size()));
    dict.SetIntValue("FAILURES", static_cast<long>(c[0] + c[1]));
    dict.SetIntValue("ERRORS", static_cast<long>(c[2]));
    dict.SetIntValue("SKIPPED", static_cast<long>(c[6] + c[8]));
    dict.SetValue("DATE", s.date.substr(0, 19));  // xs:dateTime without zone, as JUnit has it
    dict.SetValue("HOSTNAME", s.hostname);
    property(dict, "SUITE_PROPERTY", "session", s.id);
    property(dict, "SUITE_PROPERTY", "commit", s.commit);
    property(dict, "SUITE_PROPERTY", "branch", s.branch);
    property(dict, "SUITE_PROPERTY", "machine", s.machine);
    property(dict, "SUITE_PROPERTY", "cpu_model", s.cpu_model);
    property(dict, "SUITE_PROPERTY", "perfcheck_version", s.perfcheck_version);
    double total = 0;
    for (const auto& row : view.rows) total += test_case(*dict.AddSectionDictionary("CASE"), row);
    dict.SetValue("TIME", fmt::format("{:.3f}", total));
    std::string text;
    expand_template("junit.xml.tpl", dict, text);
    out << text;
  }
};

}  // namespace

std::unique_ptr<report_writer> make_junit_writer() { return std::make_unique<junit_writer>(); }

}  // namespace perfcheck::reports
