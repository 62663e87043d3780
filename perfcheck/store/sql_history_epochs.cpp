// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Baseline epochs in the history (every SQL backend): where a new result goes, which results form a
// baseline, what waits for acceptance, and `history accept`. See docs/history.md.
#include <fmt/format.h>

#include "perfcheck/store/sql_history_store.hpp"

namespace perfcheck::store {

using detail::sql_connection;
using detail::sql_statement;
using detail::sql_transaction;

namespace {

// One series' rows: ?1 name, ?2 spec_hash, ?3 machine, ?4 git_branch.
constexpr const char* in_series =
    "name = ?1 AND spec_hash = ?2 AND machine = ?3 AND git_branch = ?4";

// A stored result, by what the epoch queries need of it.
struct row_ref {
  std::int64_t id = 0;
  std::string started_at, key, commit, session;
  verdict outcome = verdict::pass;
};

void bind_series(sql_statement& s, const series_identity& series) {
  s.bind(1, series.name)
      .bind(2, series.spec_hash)
      .bind(3, series.machine)
      .bind(4, series.git_branch);
}

// The series' current epoch: the highest epoch of its results, 0 when it has none. With a
// cutoff (?5 started_at, ?6 id), only results up to that one count; with ?7, only results
// started before it.
std::string current_epoch_sql() {
  return fmt::format("SELECT COALESCE(MAX(epoch), 0) FROM results WHERE {} "
                     "AND (?5 = '' OR started_at < ?5 OR (started_at = ?5 AND id <= ?6))"
                     " AND (?7 = '' OR started_at < ?7)",
                     in_series);
}

std::int64_t current_epoch(sql_statement& s, const series_identity& series,
                           const std::optional<row_ref>& cutoff = std::nullopt,
                           const std::string& before = {}) {
  bind_series(s, series);
  s.bind(5, cutoff ? std::string_view(cutoff->started_at) : std::string_view(""))
      .bind(6, cutoff ? cutoff->id : std::int64_t{0})
      .bind(7, before);
  const std::int64_t epoch = s.step() ? s.integer(0) : 0;
  s.reset();
  return epoch;
}

std::int64_t current_epoch(sql_connection& db, const series_identity& series,
                           const std::optional<row_ref>& cutoff = std::nullopt,
                           const std::string& before = {}) {
  sql_statement s(db, current_epoch_sql(), "find the baseline epoch");
  return current_epoch(s, series, cutoff, before);
}

// Reads the id, started_at, result_key, git_commit, session_id, verdict columns.
row_ref read_row(const sql_statement& s) {
  return {s.integer(0), s.text(1), s.text(2),
          s.text(3),    s.text(4), verdict_from_string(s.text(5)).value_or(verdict::error)};
}

constexpr const char* row_columns = "id, started_at, result_key, git_commit, session_id, verdict";

// The first pending result after the last accepted one of epoch ?5, and how many there are.
std::string pending_streak_sql() {
  return fmt::format(R"sql(
    WITH last_accepted AS (
      SELECT started_at, id FROM results WHERE {0} AND epoch = ?5 AND baseline_state = 'accepted'
      ORDER BY started_at DESC, id DESC LIMIT 1)
    SELECT {1}, COUNT(*) OVER () FROM results
    WHERE {0} AND epoch = ?5 AND baseline_state = 'pending'
      AND NOT EXISTS (SELECT 1 FROM last_accepted a WHERE results.started_at < a.started_at
                      OR (results.started_at = a.started_at AND results.id < a.id))
    ORDER BY started_at, id LIMIT 1)sql",
                     in_series, row_columns);
}

std::optional<std::pair<row_ref, std::size_t>> pending_streak(sql_statement& s,
                                                              const series_identity& series,
                                                              std::int64_t epoch) {
  bind_series(s, series);
  s.bind(5, epoch);
  std::optional<std::pair<row_ref, std::size_t>> out;
  if (s.step()) out = std::pair{read_row(s), static_cast<std::size_t>(s.integer(6))};
  s.reset();
  return out;
}

std::optional<std::pair<row_ref, std::size_t>> pending_streak(sql_connection& db,
                                                              const series_identity& series,
                                                              std::int64_t epoch) {
  sql_statement s(db, pending_streak_sql(), "find results waiting for acceptance");
  return pending_streak(s, series, epoch);
}

// Whether epoch ?5 of the series has a result that is not excluded.
std::string epoch_has_results_sql() {
  return fmt::format(
      "SELECT 1 FROM results WHERE {} AND epoch = ?5 AND baseline_state <> 'excluded' LIMIT 1",
      in_series);
}

series_identity series_of(const run_result& r) {
  return {r.name, r.context.spec_hash, r.context.machine, r.context.git_branch};
}

}  // namespace

namespace detail {

struct epoch_placer::statements {
  explicit statements(sql_connection& db)
      : epoch(db, current_epoch_sql(), "find the baseline epoch"),
        streak(db, pending_streak_sql(), "find results waiting for acceptance"),
        has_results(db, epoch_has_results_sql(), "look into the baseline epoch") {}
  sql_statement epoch, streak, has_results;
};

epoch_placer::epoch_placer(sql_connection& db) : db_(db), s_(std::make_unique<statements>(db)) {}

epoch_placer::~epoch_placer() = default;

epoch_place epoch_placer::place(const run_result& result) {
  const series_identity series = series_of(result);
  db_.lock_series(fmt::format("{}\n{}\n{}\n{}", series.name, series.spec_hash, series.machine, series.git_branch));
  epoch_place out;
  out.epoch = current_epoch(s_->epoch, series);
  const bool pending = pending_streak(s_->streak, series, out.epoch).has_value();
  bind_series(s_->has_results, series);
  s_->has_results.bind(5, out.epoch);
  const bool first = !s_->has_results.step();
  s_->has_results.reset();
  out.state = state_for(result.outcome, pending, first);
  return out;
}

}  // namespace detail

namespace {

// The newest result of `series` at commit `commit`: where a branch left it.
std::optional<row_ref> newest_at_commit(sql_connection& db, const series_identity& series,
                                        const std::string& commit) {
  sql_statement s(db,
                     fmt::format("SELECT {} FROM results WHERE {} AND git_commit = ?5 "
                                 "ORDER BY started_at DESC, id DESC LIMIT 1",
                                 row_columns, in_series),
                     "find the merge base's result");
  bind_series(s, series);
  s.bind(5, commit);
  if (!s.step()) return std::nullopt;
  return read_row(s);
}

// Which series a query's baseline comes from (see baseline_query), and where it is cut.
std::pair<series_identity, std::optional<row_ref>> baseline_series(sql_connection& db,
                                                                   const baseline_query& q) {
  series_identity own{q.name, q.spec_hash, q.machine, q.git_branch};
  if (q.default_branch.empty() || q.git_branch.empty() || q.git_branch == q.default_branch ||
      current_epoch(db, own) > 0) {
    return {own, std::nullopt};
  }
  series_identity base{q.name, q.spec_hash, q.machine, q.default_branch};
  std::optional<row_ref> cutoff;
  if (!q.merge_base.empty()) cutoff = newest_at_commit(db, base, q.merge_base);
  return {base, cutoff};
}

// Appends the metric's samples of the result `id` while the pool stays within the cap (the
// first result alone is cut to it); false when the pool is full.
bool pool_result(sql_statement& samples, std::int64_t id, const std::string& key,
                 const baseline_query& q, baseline_pool& pool) {
  samples.bind(1, id).bind(2, q.metric).bind(3, q.level);
  std::vector<double> values;
  while (samples.step()) values.push_back(samples.real(0));
  samples.reset();
  if (values.empty()) return true;  // the metric was not measured in that result
  const std::size_t room = q.sample_cap - pool.samples.size();
  if (values.size() > room) {
    if (!pool.result_keys.empty()) return false;  // whole results only, except the newest
    values.resize(room);
  }
  pool.samples.insert(pool.samples.end(), values.begin(), values.end());
  pool.result_keys.push_back(key);
  return true;
}

}  // namespace

baseline_pool sql_history_store::baseline(const baseline_query& q) {
  auto& db = connection();
  sql_transaction tx(db, sql_transaction::mode::read);
  const auto [series, cutoff] = baseline_series(db, q);
  baseline_pool pool;
  pool.epoch = current_epoch(db, series, cutoff, q.before);
  sql_statement candidates(db,
                              fmt::format(R"sql(
    SELECT id, result_key FROM results
    WHERE {} AND epoch = ?5 AND baseline_state = 'accepted' AND verdict <> 'error'
      AND (?6 = '' OR started_at < ?6 OR (started_at = ?6 AND id <= ?7))
      AND (?8 = '' OR started_at < ?8)
    ORDER BY started_at DESC, id DESC)sql",
                                          in_series),
                              "find baseline results");
  bind_series(candidates, series);
  candidates.bind(5, pool.epoch)
      .bind(6, cutoff ? std::string_view(cutoff->started_at) : std::string_view(""))
      .bind(7, cutoff ? cutoff->id : std::int64_t{0})
      .bind(8, q.before);
  // Before schema v5 (a read-only older file) every result is one point, the empty level.
  sql_statement samples(db,
                           fmt::format("SELECT value FROM samples WHERE result_id = ?1 AND "
                                       "metric = ?2 AND {} ORDER BY run_index",
                                       schema_version() >= 5 ? "level = ?3" : "?3 = ''"),
                           "read baseline samples");
  while (pool.samples.size() < q.sample_cap && candidates.step()) {
    if (!pool_result(samples, candidates.integer(0), candidates.text(1), q, pool)) break;
  }
  if (!pool.result_keys.empty()) {
    pool.git_branch = series.git_branch;
    if (cutoff) pool.merge_base = q.merge_base;
  }
  tx.commit();
  return pool;
}

std::optional<pending_change> sql_history_store::pending(const series_identity& series) {
  auto& db = connection();
  sql_transaction tx(db, sql_transaction::mode::read);
  const std::int64_t epoch = current_epoch(db, series);
  const auto streak = pending_streak(db, series, epoch);
  tx.commit();
  if (!streak) return std::nullopt;
  const row_ref& first = streak->first;
  return pending_change{series,        first.key,     first.commit,   first.started_at,
                        first.session, first.outcome, streak->second, epoch};
}

namespace {

// The result that names the series of an acceptance: the test's newest non-error result, or
// its newest in the request's session, on the request's machine.
std::optional<std::pair<row_ref, series_identity>> accept_target(sql_connection& db,
                                                                 const accept_request& request) {
  sql_statement s(db,
                     fmt::format("SELECT {}, spec_hash, machine, git_branch FROM results "
                                 "WHERE name = ?1 AND verdict <> 'error' AND (?2 = 0 OR "
                                 "session_id = ?3) AND (?4 = 0 OR machine = ?5) "
                                 "ORDER BY started_at DESC, id DESC LIMIT 1",
                                 row_columns),
                     "find the result to accept");
  s.bind(1, request.name)
      .bind(2, std::int64_t{request.session_id.has_value()})
      .bind(3, request.session_id.value_or(""))
      .bind(4, std::int64_t{request.machine.has_value()})
      .bind(5, request.machine.value_or(""));
  if (!s.step()) return std::nullopt;
  return std::pair{read_row(s), series_identity{request.name, s.text(6), s.text(7), s.text(8)}};
}

}  // namespace

acceptance sql_history_store::accept(const accept_request& request) {
  auto& db = connection();
  sql_transaction tx(db, sql_transaction::mode::write);
  acceptance out;
  const auto target = accept_target(db, request);
  if (!target) return out;  // no_such_result; nothing written
  out.series = target->second;
  const std::int64_t epoch = current_epoch(db, out.series);
  row_ref first = target->first;
  if (!request.session_id) {
    const auto streak = pending_streak(db, out.series, epoch);
    if (!streak) {
      out.outcome = acceptance::status::nothing_pending;
      return out;
    }
    first = streak->first;
  }
  out.epoch = epoch + 1;
  sql_statement move(db,
                        fmt::format(R"sql(
    UPDATE results SET epoch = ?5,
      baseline_state = CASE WHEN verdict = 'error' THEN 'excluded' ELSE 'accepted' END
    WHERE {} AND (started_at > ?6 OR (started_at = ?6 AND id >= ?7)))sql",
                                    in_series),
                        "accept results into a new baseline epoch");
  bind_series(move, out.series);
  move.bind(5, out.epoch).bind(6, first.started_at).bind(7, first.id).run();
  out.results = static_cast<std::size_t>(db.changes());
  sql_statement record(db, R"sql(
    INSERT INTO acceptances (name, spec_hash, machine, git_branch, epoch, first_result_key,
                             accepted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql",
                          "record the acceptance");
  bind_series(record, out.series);
  record.bind(5, out.epoch).bind(6, first.key).bind(7, request.accepted_at).run();
  tx.commit();
  out.outcome = acceptance::status::accepted;
  out.first_key = first.key;
  out.first_commit = first.commit;
  out.first_started_at = first.started_at;
  return out;
}

}  // namespace perfcheck::store
