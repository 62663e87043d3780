// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// report.json (perfcheck/report/v1), built with Boost.JSON, which escapes every string.
#include <boost/json.hpp>

#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/trend_text.hpp"
#include "reports/report_writer.hpp"

namespace perfcheck::reports {

namespace {

boost::json::value or_null(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

boost::json::value change_json(const test_row& row) {
  if (!row.change) return nullptr;
  const auto& c = *row.change;
  return {{"metric", c.metric},
          {"statistic", c.statistic},
          {"value", c.change},
          {"low", c.change_low},
          {"high", c.change_high},
          {"confidence", c.confidence},
          {"baseline_value", c.baseline_value},
          {"baseline_commit", or_null(c.baseline_commit)},
          {"baseline_date", or_null(c.baseline_date)},
          {"text", row.change_text},
          {"interval_text", row.interval_text},
          {"possible_regression", c.possible_regression},
          {"runs_to_decide", c.runs_to_decide},
          {"too_few_runs", c.too_few_runs}};
}

// The reported metrics that have figures: median and p95 in base units and as shown.
boost::json::array reported_json(const std::vector<reported_line>& lines) {
  boost::json::array reported;
  for (const auto& r : lines) {
    if (r.n == 0) continue;
    reported.push_back({{"metric", r.metric},
                        {"median", r.median},
                        {"p95", r.p95},
                        {"n", r.n},
                        {"median_text", r.median_text},
                        {"p95_text", r.p95_text}});
  }
  return reported;
}

// The current result's soak trends: the test's own (level null), then each level's.
boost::json::array trends_json(const std::vector<soak_trend>& trends) {
  boost::json::array out;
  for (const auto& [level, metric, t] : trends) {
    out.push_back({{"level", or_null(level)},
                   {"metric", metric},
                   {"change", t.change},
                   {"slope", t.slope},
                   {"p_value", t.p_value},
                   {"significant", t.significant},
                   {"n", t.n},
                   {"window_ns", t.window_ns},
                   {"text", trend_text(metric, t)}});
  }
  return out;
}

// A sweep's levels in plan order: the headline metric's median, the thresholds checked there and
// the reported metrics that have figures at the level.
boost::json::array levels_json(const test_row& row) {
  boost::json::array out;
  for (const auto& level : row.levels) {
    out.push_back({{"level", level.level},
                   {"runs", level.runs},
                   {"median", level.median ? boost::json::value(*level.median) : boost::json::value(nullptr)},
                   {"median_text", or_null(level.median_text)},
                   {"thresholds_text", or_null(level.thresholds_text)},
                   {"reported", reported_json(level.reported)}});
  }
  return out;
}

// The server's figures during the test (docs/servers.md); null where not measured.
boost::json::object server_json(const server_figures& f) {
  auto value = [](const std::optional<double>& v) { return v ? boost::json::value(*v) : boost::json::value(nullptr); };
  return {{"rss_max", value(f.rss_max)},
          {"threads_max", value(f.threads_max)},
          {"cpu_ns", value(f.cpu_ns)},
          {"ready_text", or_null(f.ready_text)},
          {"text", server_line(f)}};
}

// The fields only some tests have: reported metrics, soak trends, a server, a load run's line and
// a sweep's levels (a test without them: no field).
void add_test_kind_fields(boost::json::object& t, const test_row& row) {
  if (auto reported = reported_json(row.reported); !reported.empty()) t["reported"] = std::move(reported);
  if (row.test && !row.test->trends.empty()) t["trends"] = trends_json(row.test->trends);  // a soak's
  if (row.server.any()) t["server"] = server_json(row.server);
  if (!row.runs_text.empty()) t["runs_text"] = row.runs_text;
  if (!row.load_text.empty()) t["load_text"] = row.load_text;  // a load run without levels
  if (!row.levels.empty()) {  // a sweep; a plain test's object is what it was
    t["trend_level"] = row.test->trend_level;
    t["levels"] = levels_json(row);
  }
}

boost::json::object row_json(const test_row& row) {
  boost::json::object t;
  t["name"] = row.name;
  t["anchor"] = row.anchor;
  t["verdict"] = row.verdict_word;
  if (row.value) {
    t["headline"] = {{"metric", row.metric},
                     {"statistic", row.statistic},
                     {"value", *row.value},
                     {"text", row.value_text}};
  } else {
    t["headline"] = nullptr;
  }
  t["change"] = change_json(row);
  boost::json::array thresholds;
  if (row.current) {
    for (std::size_t i = 0; i < row.thresholds.size(); ++i) {
      boost::json::object entry{{"expr", row.thresholds[i].expr},
                                {"value", row.current->thresholds[i].value},
                                {"text", row.thresholds[i].value_text},
                                {"ok", row.thresholds[i].ok}};
      // A gate across levels carries its fit or breaking level, for charts drawn from report.json.
      const threshold_outcome& outcome = row.current->thresholds[i];
      if (outcome.complexity) entry["complexity"] = complexity_part_to_json(*outcome.complexity);
      if (outcome.breaking_point) entry["breaking_point"] = breaking_point_part_to_json(*outcome.breaking_point);
      thresholds.push_back(std::move(entry));
    }
  }
  t["thresholds"] = std::move(thresholds);
  t["reasons"] = row.current ? boost::json::value_from(row.current->reasons) : boost::json::array();
  t["warnings"] =
      row.current ? boost::json::value_from(row.current->warnings) : boost::json::array();
  // A failed test's profile, as its result file has it (docs/profiles.md).
  if (row.current && row.current->profile) t["profile"] = profile_to_json(*row.current->profile);
  t["commit"] = row.current ? or_null(row.current->commit) : nullptr;
  t["branch"] = row.current ? or_null(row.current->branch) : nullptr;
  t["date"] = row.current ? or_null(row.current->date) : nullptr;
  t["results"] = row.test->history.size();
  boost::json::array changes;
  for (const auto& c : row.changes) {
    changes.push_back({{"index", c.index},
                       {"commit", or_null(c.commit)},
                       {"date", or_null(c.date)},
                       {"before", c.before},
                       {"after", c.after},
                       {"change", c.change},
                       {"worse", c.worse}});
  }
  t["change_points"] = std::move(changes);
  t["since"] = or_null(row.since_text);
  t["unchanged"] = row.unchanged;
  add_test_kind_fields(t, row);
  return t;
}

// Each machine class's line of the trend (--machine all|FINGERPRINT), with every value drawn.
boost::json::array machines_json(const test_row& row) {
  boost::json::array out;
  for (const auto& line : row.machine_lines) {
    boost::json::array values;
    for (std::size_t k = 0; k < line.values.size(); ++k) {
      const report_result& r = line.source->history[line.index[k]];
      values.push_back({{"value", line.values[k]}, {"commit", or_null(r.commit)}, {"date", or_null(r.date)}});
    }
    out.push_back({{"machine", line.machine},
                   {"label", line.label},
                   {"own", line.own},
                   {"results", line.values.size()},
                   {"latest", line.values.empty() ? boost::json::value(nullptr) : boost::json::value(line.values.back())},
                   {"values", std::move(values)}});
  }
  return out;
}

class json_writer : public report_writer {
 public:
  std::string file_name() const override { return "report.json"; }

  void write(const report_view& view, std::ostream& out) const override {
    const report_session& s = view.model->session;
    boost::json::object root;
    root["schema"] = report_schema;
    root["generator"] = "perfcheck " + view.model->generator_version;
    root["session"] = {{"id", or_null(s.id)},
                       {"commit", or_null(s.commit)},
                       {"branch", or_null(s.branch)},
                       {"machine", or_null(s.machine)},
                       {"hostname", or_null(s.hostname)},
                       {"cpu_model", or_null(s.cpu_model)},
                       {"date", or_null(s.date)},
                       {"perfcheck_version", or_null(s.perfcheck_version)}};
    boost::json::object counts;
    const char* keys[] = {"failed",   "regressed", "error",  "inconclusive",
                          "improved", "pass",      "not_run", "expected_failure", "skipped"};
    for (std::size_t i = 0; i < view.counts.size(); ++i) {
      if (i == 8 && view.counts[i] == 0) continue;  // skipped: only when some test was
      counts[keys[i]] = view.counts[i];
    }
    root["counts"] = std::move(counts);
    root["changepoint_method"] = {
        {"name", "PELT"},
        {"reference", "Killick, Fearnhead & Eckley (2012), JASA 107:1590-1598"},
        {"cost", "Normal mean change, noise scale 1.4826 MAD of successive differences / sqrt(2)"},
        {"penalty", "3 ln n"},
        {"min_segment", 2}};
    boost::json::array tests;
    const std::string& scope = view.model->machine_scope;
    if (!scope.empty()) root["machine_scope"] = scope;
    for (const auto& row : view.rows) {
      boost::json::object t = row_json(row);
      if (!scope.empty()) t["machines"] = machines_json(row);
      tests.push_back(std::move(t));
    }
    root["tests"] = std::move(tests);
    out << pretty_json(root);
  }
};

}  // namespace

std::unique_ptr<report_writer> make_json_writer() { return std::make_unique<json_writer>(); }

}  // namespace perfcheck::reports
