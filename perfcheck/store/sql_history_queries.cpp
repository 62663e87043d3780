// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The read side of the history (every SQL backend): sessions, series, whole results (baselines and
// epochs: sql_history_epochs.cpp).
#include "perfcheck/store/sql_history_store.hpp"

#include <algorithm>
#include <iterator>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/model/json_file.hpp"

namespace perfcheck::store {

using detail::sql_connection;
using detail::sql_statement;
using detail::sql_transaction;

namespace {

// Reads the summary columns starting at `first` (in detail::summary_columns order).
metric_summary read_summary(const sql_statement& s, int first) {
  metric_summary m;
  m.n = static_cast<std::size_t>(s.integer(first));
  double* fields[] = {&m.min, &m.max, &m.mean, &m.median, &m.stddev, &m.mad,
                      &m.p90, &m.p95, &m.p99,  &m.ci_low, &m.ci_high};
  int column = first + 1;
  for (double* f : fields) *f = s.real(column++);
  return m;
}

// The columns read_stored reads: with `epochs` (schema v3 on), where the result stands in its
// series' epochs too, so that an export of it keeps that.
std::string stored_columns(bool epochs) {
  return epochs ? "result_key, recorded_at, result_json, epoch, baseline_state"
                : "result_key, recorded_at, result_json";
}

// A stored result from the stored_columns(epochs) starting at column 0.
stored_result read_stored(const sql_connection& db, const sql_statement& s, bool epochs) {
  stored_result out;
  out.key = s.text(0);
  out.recorded_at = s.text(1);
  const std::string origin = fmt::format("history {}: result {}", db.path(), out.key);
  out.result = result_from_json(parse_json_text(s.text(2), origin), origin);
  if (epochs) {
    out.baseline = epoch_membership{
        s.integer(3), baseline_state_from_string(s.text(4)).value_or(baseline_state::excluded)};
  }
  return out;
}

// The summaries of the test ?1 at the level ?2, of the metrics ?3, ?4, ... (`metrics` of them;
// none: every metric). From schema v5 on they are one run of summaries_level_columns, from v4 on
// of summaries_series_columns (one point per result, the empty level: ?2 must be ''); an older
// file (opened read-only, so not migrated) finds them through results.
sql_statement summaries_statement(sql_connection& db, int version, std::size_t metrics) {
  std::string metric_filter;
  for (std::size_t i = 0; i < metrics; ++i)
    metric_filter += fmt::format("{}?{}", i == 0 ? "" : ", ", i + 3);
  if (!metric_filter.empty()) metric_filter = fmt::format(" AND s.metric IN ({})", metric_filter);
  const char* level_filter = version >= 5 ? "s.level = ?2" : "?2 = ''";
  const std::string sql =
      version >= 4 ? fmt::format("SELECT s.result_id, s.metric, {} FROM summaries s "
                                 "WHERE s.name = ?1 AND {}{}",
                                 detail::summary_columns, level_filter, metric_filter)
                   : fmt::format("SELECT s.result_id, s.metric, {} FROM summaries s "
                                 "JOIN results r ON r.id = s.result_id WHERE r.name = ?1 AND {}{}",
                                 detail::summary_columns, level_filter, metric_filter);
  return sql_statement(db, sql, "read a test's summaries");
}

}  // namespace

std::vector<session_info> sql_history_store::sessions() {
  auto& db = connection();
  // One pass over results_session_columns in its own order (no sort of 200,000 rows): the
  // verdicts are counted beside the other columns, one SUM per verdict.
  constexpr verdict verdicts[] = {verdict::pass,   verdict::improved,     verdict::regressed,
                                  verdict::failed, verdict::inconclusive, verdict::error,
                                  verdict::skipped};
  static_assert(std::size(verdicts) == static_cast<std::size_t>(verdict::skipped) + 1,
                "every verdict is counted: add a new one to the list");
  std::string counts;
  for (verdict v : verdicts)
    counts += fmt::format(", SUM(CASE WHEN verdict = '{}' THEN 1 ELSE 0 END)", to_string(v));
  sql_statement s(db, fmt::format(R"sql(
      SELECT session_id, MIN(started_at), MAX(finished_at), COUNT(*), MIN(machine), MIN(git_branch),
             MIN(git_commit){}
      FROM results GROUP BY session_id ORDER BY MIN(started_at), session_id)sql",
                                     counts),
                     "list sessions");
  std::vector<session_info> out;
  while (s.step()) {
    session_info info;
    info.id = s.text(0);
    info.started_at = s.text(1);
    info.finished_at = s.text(2);
    info.results = static_cast<std::size_t>(s.integer(3));
    info.machine = s.text(4);
    info.git_branch = s.text(5);
    info.git_commit = s.text(6);
    int column = 7;
    for (verdict v : verdicts) {
      if (const auto n = s.integer(column++); n > 0) info.verdicts[v] = static_cast<std::size_t>(n);
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<stored_result> sql_history_store::session_results(std::string_view session_id) {
  auto& db = connection();
  const bool epochs = schema_version() >= 3;
  sql_statement s(db,
                     fmt::format("SELECT {} FROM results WHERE session_id = ?1 ORDER BY started_at, id",
                                 stored_columns(epochs)),
                     "read a session's results");
  s.bind(1, session_id);
  std::vector<stored_result> out;
  while (s.step()) out.push_back(read_stored(db, s, epochs));
  return out;
}

std::vector<series_point> sql_history_store::series(const series_query& q) {
  auto& db = connection();
  sql_transaction tx(db, sql_transaction::mode::read);
  // Empty filters match everything: (?N = '' OR column = ?N).
  constexpr const char* filter =
      "r.name = ?1 AND (?2 = '' OR r.spec_hash = ?2) AND (?3 = '' OR r.machine = ?3) "
      "AND (?4 = '' OR r.git_branch = ?4)";
  auto bind_filter = [&](sql_statement& s) {
    s.bind(1, q.name).bind(2, q.spec_hash).bind(3, q.machine).bind(4, q.git_branch);
  };
  std::vector<series_point> points;  // newest first until reversed
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    sql_statement s(
        db,
        fmt::format("SELECT r.id, r.result_key, r.started_at, r.git_commit, r.git_branch, "
                    "r.machine, r.spec_hash, r.session_id, r.verdict FROM results r "
                    "WHERE {} ORDER BY r.started_at DESC, r.id DESC",
                    filter),
        "read a test's series");
    bind_filter(s);
    while ((q.last == 0 || points.size() < q.last) && s.step()) {
      series_point p;
      p.key = s.text(1);
      p.started_at = s.text(2);
      p.git_commit = s.text(3);
      p.git_branch = s.text(4);
      p.machine = s.text(5);
      p.spec_hash = s.text(6);
      p.session_id = s.text(7);
      p.outcome = verdict_from_string(s.text(8)).value_or(verdict::error);
      index[s.integer(0)] = points.size();
      points.push_back(std::move(p));
    }
  }
  // Only the points' own rows are kept (index): rows of the name's other specs, machines or
  // branches are read and dropped.
  sql_statement s = summaries_statement(db, schema_version(), q.metrics.size());
  s.bind(1, q.name).bind(2, q.level);
  for (std::size_t i = 0; i < q.metrics.size(); ++i) s.bind(static_cast<int>(i) + 3, q.metrics[i]);
  while (s.step()) {
    const auto it = index.find(s.integer(0));
    if (it != index.end()) points[it->second].summary[s.text(1)] = read_summary(s, 2);
  }
  tx.commit();
  std::reverse(points.begin(), points.end());
  return points;
}

std::vector<stored_result> sql_history_store::all_results() {
  std::vector<stored_result> out;
  each_result([&](const stored_result& r) { out.push_back(r); });
  return out;
}

void sql_history_store::each_result(const std::function<void(const stored_result&)>& each) {
  auto& db = connection();
  // One read transaction: an export is one consistent state of the history.
  sql_transaction tx(db, sql_transaction::mode::read);
  const bool epochs = schema_version() >= 3;
  sql_statement s(db,
                     fmt::format("SELECT {} FROM results ORDER BY started_at, result_key",
                                 stored_columns(epochs)),
                     "read every result");
  while (s.step()) each(read_stored(db, s, epochs));
}

std::size_t sql_history_store::add(std::span<const stored_result> results) {
  // One result is one series: its writers take turns, the other series' need not wait.
  const auto batch = results.size() == 1 ? detail::begin_sql_batch(connection(), schema_version(), true)
                                         : begin_batch();
  std::size_t added = 0;
  for (const auto& entry : results) added += batch->add(entry) ? 1 : 0;
  batch->commit();
  return added;
}

std::unique_ptr<history_batch> sql_history_store::begin_batch() {
  // Baseline epochs exist from schema v3 on, summaries.name from v4 (an older file is written
  // only by the tests that build one to migrate).
  return detail::begin_sql_batch(connection(), schema_version());
}

std::size_t sql_history_store::prune(const prune_policy& policy) {
  auto& db = connection();
  sql_transaction tx(db, sql_transaction::mode::write);
  std::int64_t removed = 0;
  if (!policy.started_before.empty()) {
    sql_statement s(db, "DELETE FROM results WHERE started_at < ?1", "prune by age");
    s.bind(1, policy.started_before).run();
    removed += db.changes();
  }
  if (policy.keep_last) {
    sql_statement s(db, R"sql(
      DELETE FROM results WHERE id IN (
        SELECT id FROM (
          SELECT id, ROW_NUMBER() OVER (PARTITION BY name, spec_hash, machine, git_branch
                                        ORDER BY started_at DESC, id DESC) AS position
          FROM results) ranked
        WHERE position > ?1))sql",
                       "prune by count per series");
    s.bind(1, static_cast<std::int64_t>(*policy.keep_last)).run();
    removed += db.changes();
  }
  tx.commit();
  return static_cast<std::size_t>(removed);
}

std::size_t sql_history_store::remove_results(const std::vector<std::string>& keys) {
  auto& db = connection();
  sql_transaction tx(db, sql_transaction::mode::write);
  sql_statement s(db, "DELETE FROM results WHERE result_key = ?1", "remove a result");
  std::size_t removed = 0;
  for (const auto& key : keys) {
    s.bind(1, key).run();
    removed += static_cast<std::size_t>(db.changes());
    s.reset();
  }
  tx.commit();
  return removed;
}

}  // namespace perfcheck::store
