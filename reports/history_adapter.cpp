// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/history_adapter.hpp"
#include "reports/machine_series.hpp"
#include "reports/profile_view.hpp"
#include "reports/trend_level.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/run/baseline.hpp"
#include "perfcheck/stats/compare.hpp"

namespace perfcheck::reports {

namespace {

// The gate's default: regression rules are tested at alpha 0.01, so a 99% interval (findings
// do not record their alpha).
constexpr double change_confidence = 0.99;

std::vector<std::string> valid_all(const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(valid_utf8(t));
  return out;
}

std::vector<metric_figures> figures_of(const std::map<std::string, metric_summary>& summary) {
  std::vector<metric_figures> out;
  out.reserve(summary.size());
  for (const auto& [metric, s] : summary) out.push_back({valid_utf8(metric), s, std::nullopt});
  return out;
}

// A sweep's level as the per-level tables show it: its summaries and the shapes of the metrics
// the command reported at it.
level_figures level_of(const result_point& p) {
  level_figures out{valid_utf8(to_string(p.at)), figures_of(p.summary), {}, p.outcome};
  for (const auto& [name, shape] : reported_shapes(p.runs)) out.reported.emplace(valid_utf8(name), shape);
  return out;
}

// The soak trends of a result: its own (a test without levels), then each level's in plan order.
std::vector<soak_trend> trends_of(const run_result& res) {
  std::vector<soak_trend> out;
  for (const auto& [metric, t] : res.trends) out.push_back({"", valid_utf8(metric), t});
  for (const auto& p : res.points) {
    for (const auto& [metric, t] : p.trends) out.push_back({valid_utf8(to_string(p.at)), valid_utf8(metric), t});
  }
  return out;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// valid_utf8(text), moving `text` itself when it is ASCII (nearly always): 200 tests x 1,000
// results are four strings fewer to copy each.
std::string valid_utf8_taken(std::string& text) {
  return is_ascii(text) ? std::move(text) : valid_utf8(text);
}

}  // namespace

// (The current result keeps every metric: result_of(run_result, ...) below.)
report_result result_of(store::series_point& p, const std::vector<std::string>& keep) {
  report_result r;
  r.session = valid_utf8_taken(p.session_id);
  r.commit = valid_utf8_taken(p.git_commit);
  r.branch = valid_utf8_taken(p.git_branch);
  r.date = valid_utf8_taken(p.started_at);
  r.outcome = p.outcome;
  for (const auto& metric : keep) {
    if (const auto it = p.summary.find(metric); it != p.summary.end()) {
      r.metrics.push_back({valid_utf8(metric), it->second, std::nullopt});
    }
  }
  return r;
}

namespace {

// The current result in full: messages, thresholds, every metric of `summary` (its trend point's).

report_result result_of(const run_result& res, const std::map<std::string, metric_summary>& summary) {
  report_result r;
  r.session = valid_utf8(res.context.session_id);
  r.commit = valid_utf8(res.context.git_commit);
  r.branch = valid_utf8(res.context.git_branch);
  r.date = valid_utf8(res.started_at);
  r.outcome = res.outcome;
  r.expected_failure = is_expected_failure(res);
  r.reasons = valid_all(res.reasons);
  r.warnings = valid_all(res.warnings);
  for (threshold_outcome t : res.thresholds) {
    t.expr.text = valid_utf8(t.expr.text);
    if (t.expr.level) t.expr.level = valid_utf8(*t.expr.level);
    r.thresholds.push_back(std::move(t));
  }
  r.metrics = figures_of(summary);
  for (const auto& [key, value] : res.metadata) r.metadata.emplace(valid_utf8(key), valid_utf8(value));
  r.profile = valid_profile(res.profile);
  return r;
}

// Severity of a regression decision, to pick the finding a reader must see.
int decision_rank(verdict v) {
  switch (v) {
    case verdict::regressed:
      return 4;
    case verdict::inconclusive:
      return 3;
    case verdict::improved:
      return 2;
    default:
      return 1;
  }
}

// The memory timeline of the run that used the most memory, when any run has one.
std::vector<memory_reading> memory_of(const std::vector<run_sample>& runs) {
  const run_sample* best = nullptr;
  for (const auto& run : runs) {
    if (run.memory_timeline.empty()) continue;
    if (!best || run.max_rss_bytes > best->max_rss_bytes) best = &run;
  }
  std::vector<memory_reading> out;
  if (!best) return out;
  for (const auto& p : best->memory_timeline) {
    out.push_back({static_cast<double>(p.t_ns) / 1e9, static_cast<double>(p.rss_bytes)});
  }
  return out;
}

// The gate's own comparison when the result was checked against regression rules: the most
// severe finding (a sweep's: at the trend level `level`); nullptr without one.
const regression_finding* most_severe_finding(const run_result& res, const std::string& level) {
  const regression_finding* finding = nullptr;
  for (const auto& f : res.regressions) {
    if (f.at != level) continue;
    if (!finding || decision_rank(f.decision) > decision_rank(finding->decision)) finding = &f;
  }
  return finding;
}

// Where the newest pooled baseline result came from.
struct baseline_origin {
  std::string commit;
  std::string date;
};

// Fills test.history and test.current from the test's series; returns the commit and date of
// the result keyed `newest_pooled`, when the series has it.
std::optional<baseline_origin> read_series(store::history_store& history,
                                           const store::stored_result& stored,
                                           const std::vector<std::string>& keep,
                                           const std::string& newest_pooled, const point_view& at,
                                           report_test& test) {
  const run_result& res = stored.result;
  std::optional<baseline_origin> origin;
  auto points = history.series({.name = res.name,
                                .spec_hash = res.context.spec_hash,
                                .machine = res.context.machine,
                                .metrics = keep,
                                .level = at.level});
  test.history.reserve(points.size());
  for (auto& p : points) {
    if (p.key == newest_pooled) origin = baseline_origin{p.git_commit, p.started_at};
    if (p.key == stored.key) {
      test.current = test.history.size();
      test.history.push_back(result_of(res, *at.summary));
    } else {
      test.history.push_back(reports::result_of(p, keep));  // takes p's strings
    }
    p.summary.clear();  // keep the peak low on long histories
  }
  if (!test.current) {  // not in its own series (a filter mismatch): still report it
    test.current = test.history.size();
    test.history.push_back(result_of(res, *at.summary));
  }
  return origin;
}

// The gate's finding as the report shows it, with the baseline's runs of its metric.
void compare_by_finding(const run_result& res, const regression_finding& finding,
                        const std::optional<baseline_origin>& origin, report_test& test) {
  baseline_comparison b;
  b.metric = valid_utf8(finding.metric);
  // The rule's statistic: "wall.p95 +5%" compares p95.
  const std::string subject = finding.rule.substr(0, finding.rule.find_first_of(" \t+-"));
  const auto dot = subject.rfind('.');
  b.statistic = dot == std::string::npos ? "median" : valid_utf8(subject.substr(dot + 1));
  b.rule = valid_utf8(finding.rule);
  b.baseline_value = finding.baseline_median;
  b.change = finding.change;
  b.change_low = finding.ci_low;
  b.change_high = finding.ci_high;
  b.confidence = finding.confidence;  // the gate's level (1 - alpha over the looks); 0 in old results
  b.possible_regression = finding.possible_regression();
  b.runs_to_decide = finding.runs_to_decide;
  if (origin && res.baseline && res.baseline->kind == "history") {
    b.baseline_commit = valid_utf8(origin->commit);
    b.baseline_date = valid_utf8(origin->date);
  }
  if (res.baseline && !res.baseline->samples.empty()) {
    const auto base_columns = metric_columns(res.baseline->samples);
    if (const auto it = base_columns.find(finding.metric); it != base_columns.end()) {
      test.baseline_samples = it->second;
    }
  }
  test.baseline = b;
}

// Without a finding, the change against the pool, computed the way the gate does (relative
// Hodges-Lehmann shift, interval at the gate's default 1 - alpha); nothing when either side
// has a value that is not positive.
void compare_with_pool(const std::vector<run_sample>& runs, const std::vector<double>& pool,
                       const std::optional<baseline_origin>& origin, report_test& test) {
  const auto columns = metric_columns(runs);
  const auto it = columns.find(test.headline_metric);
  if (it == columns.end()) return;
  const auto& candidate = it->second;
  const auto positive = [](const std::vector<double>& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
  };
  if (!positive(pool) || !positive(candidate)) return;
  const auto change = stats::relative_change(pool, candidate, change_confidence);
  baseline_comparison b;
  b.metric = test.headline_metric;
  b.statistic = "median";
  b.baseline_value = stats::median(pool);
  b.change = change.estimate;
  b.change_low = change.low;
  b.change_high = change.high;
  // The documented 99% (the interval reaches at least that), or the coverage the sizes reached.
  b.too_few_runs = change.confidence < change_confidence - 1e-9;
  b.confidence = b.too_few_runs ? change.confidence : change_confidence;
  if (origin) {
    b.baseline_commit = valid_utf8(origin->commit);
    b.baseline_date = valid_utf8(origin->date);
  }
  test.baseline = b;
  test.baseline_samples = pool;
}

// The series' change waiting for acceptance, when `res` is part of it.
std::optional<unaccepted_change> unaccepted_of(store::history_store& history,
                                               const run_result& res) {
  const auto p = history.pending(
      {res.name, res.context.spec_hash, res.context.machine, res.context.git_branch});
  if (!p || res.started_at < p->first_started_at) return std::nullopt;
  return unaccepted_change{p->first_outcome, valid_utf8(p->first_commit),
                           valid_utf8(p->first_started_at)};
}

report_test test_of(store::history_store& history, const store::stored_result& stored,
                    std::string_view machine_scope) {
  const run_result& res = stored.result;
  report_test test;
  test.name = valid_utf8(res.name);
  const point_view at = trend_point(res);
  test.trend_level = valid_utf8(at.level);
  for (const auto& p : res.points) test.levels.push_back(level_of(p));
  test.trends = trends_of(res);
  // The baseline pool the gate would use (on a feature branch, the default branch's at the
  // merge base), of the results that started before this one.
  test.headline_metric = headline_metric_of(res, at);
  store::baseline_query query = run::history_baseline_query(res.name, res.context, test.headline_metric,
                                                            store::baseline_query{}.sample_cap);
  query.before = res.started_at;
  query.level = at.level;
  const auto pool = history.baseline(query);
  const std::string newest_pooled = pool.result_keys.empty() ? "" : pool.result_keys.front();
  const regression_finding* finding = most_severe_finding(res, at.level);
  std::vector<std::string> keep = {"wall", "rss"};
  if (test.headline_metric != "wall") keep.push_back(test.headline_metric);
  if (finding && std::find(keep.begin(), keep.end(), finding->metric) == keep.end())
    keep.push_back(finding->metric);
  const auto origin = read_series(history, stored, keep, newest_pooled, at, test);
  if (!own_machine_scope(machine_scope))
    detail::read_machine_series(history, stored, keep, at.level, machine_scope, test);
  test.samples = *at.runs;
  for (auto& s : test.samples) s.memory_timeline.clear();
  test.memory = memory_of(*at.runs);
  if (finding)
    compare_by_finding(res, *finding, origin, test);
  else
    compare_with_pool(*at.runs, pool.samples, origin, test);
  test.unaccepted = unaccepted_of(history, res);
  return test;
}

}  // namespace

namespace {

// The session named `session` ("latest", "(none)" or an id); throws usage_error for none such.
const store::session_info& chosen_session(const store::history_store& history,
                                          const std::vector<store::session_info>& sessions,
                                          std::string_view session) {
  if (session == "latest") return sessions.back();
  const std::string id = session == "(none)" ? "" : std::string(session);
  const store::session_info* chosen = nullptr;
  for (const auto& s : sessions) {
    if (s.id == id) chosen = &s;
  }
  if (!chosen) {
    throw usage_error(fmt::format(
        "--session {}: history {} has no such session; 'perfcheck history list --history {}' "
        "shows them, or use --session latest",
        session, history.location(), history.location()));
  }
  return *chosen;
}

report_session session_of(const store::session_info& chosen,
                          const std::vector<store::stored_result>& results) {
  report_session s;
  s.id = valid_utf8(chosen.id);
  s.commit = valid_utf8(chosen.git_commit);
  s.branch = valid_utf8(chosen.git_branch);
  s.machine = valid_utf8(chosen.machine);
  s.date = valid_utf8(chosen.started_at);
  if (!results.empty()) {
    const auto& env = results.front().result.environment;
    s.hostname = valid_utf8(env.hostname);
    s.cpu_model = valid_utf8(env.cpu_model);
    s.perfcheck_version = valid_utf8(env.perfcheck_version);
  }
  return s;
}

// Each test's series is one read of the history: with more connections, several threads read
// at once (a store object is one connection, used by one thread).
void read_tests(store::history_store& history,
                const std::vector<const store::stored_result*>& order,
                const std::function<std::unique_ptr<store::history_store>()>& open_connection,
                unsigned connections, std::string_view scope, std::vector<report_test>& tests) {
  const std::size_t threads =
      open_connection ? std::min<std::size_t>(std::max(1u, connections), order.size()) : 1;
  if (threads <= 1) {
    for (std::size_t i = 0; i < order.size(); ++i) tests[i] = test_of(history, *order[i], scope);
    return;
  }
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      try {
        std::unique_ptr<store::history_store> own;
        if (w > 0) own = open_connection();
        store::history_store& reader = w == 0 ? history : *own;
        for (std::size_t i = w; i < order.size(); i += threads)
          tests[i] = test_of(reader, *order[i], scope);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : workers) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace

report_model model_from_history(
    store::history_store& history, std::string_view session, std::string generator_version,
    const std::function<std::unique_ptr<store::history_store>()>& open_connection,
    unsigned connections, std::string_view machine_scope) {
  report_model model;
  model.generator_version = std::move(generator_version);
  model.machine_scope = own_machine_scope(machine_scope) ? "" : std::string(machine_scope);
  const auto sessions = history.sessions();
  if (sessions.empty()) return model;
  const store::session_info& chosen = chosen_session(history, sessions, session);
  const auto results = history.session_results(chosen.id);
  model.session = session_of(chosen, results);
  // One test per name; a name run twice in the session reports its later result.
  std::map<std::string, const store::stored_result*> by_name;
  for (const auto& r : results) by_name[r.result.name] = &r;
  std::vector<const store::stored_result*> order;
  for (const auto& entry : by_name) order.push_back(entry.second);
  model.tests.resize(order.size());
  read_tests(history, order, open_connection, connections, model.machine_scope, model.tests);
  detail::check_machine_scope(history, model);
  return model;
}

}  // namespace perfcheck::reports
