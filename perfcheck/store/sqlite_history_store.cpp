// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The SQL stays portable (standard types, ?N parameters, ON CONFLICT, RETURNING, window
// functions) so a PostgreSQL store can share it; only the file handling below is SQLite's.
#include "perfcheck/store/sqlite_history_store.hpp"

#include <algorithm>
#include <charconv>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/model/json_file.hpp"
#include "perfcheck/store/sqlite_handle.hpp"

namespace perfcheck::store {

using detail::sqlite_connection;
using detail::sqlite_statement;
using detail::sqlite_transaction;

namespace {

// What the format row of perfcheck_meta says; anything else is not our file.
constexpr const char* meta_format = "perfcheck/history";

constexpr const char* schema_v1 = R"sql(
CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  result_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  machine TEXT NOT NULL,
  git_branch TEXT NOT NULL,
  git_commit TEXT NOT NULL,
  session_id TEXT NOT NULL,
  compiler TEXT NOT NULL,
  build_type TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  verdict TEXT NOT NULL,
  run_count INTEGER NOT NULL,
  result_json TEXT NOT NULL
);
CREATE INDEX results_by_series ON results (name, spec_hash, machine, git_branch, started_at);
CREATE INDEX results_by_session ON results (session_id, started_at);
CREATE INDEX results_by_start ON results (started_at);
CREATE TABLE samples (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  run_index INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (result_id, metric, run_index)
);
CREATE TABLE summaries (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  n INTEGER NOT NULL,
  min DOUBLE PRECISION,
  max DOUBLE PRECISION,
  mean DOUBLE PRECISION,
  median DOUBLE PRECISION,
  stddev DOUBLE PRECISION,
  mad DOUBLE PRECISION,
  p90 DOUBLE PRECISION,
  p95 DOUBLE PRECISION,
  p99 DOUBLE PRECISION,
  ci_low DOUBLE PRECISION,
  ci_high DOUBLE PRECISION,
  PRIMARY KEY (result_id, metric)
);
CREATE TABLE result_messages (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  position INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (result_id, kind, position)
);
)sql";

constexpr const char* summary_columns =
    "n, min, max, mean, median, stddev, mad, p90, p95, p99, ci_low, ci_high";

// Reads the summary columns starting at `first` (in summary_columns order).
metric_summary read_summary(const sqlite_statement& s, int first) {
  metric_summary m;
  m.n = static_cast<std::size_t>(s.integer(first));
  double* fields[] = {&m.min, &m.max, &m.mean, &m.median, &m.stddev, &m.mad,
                      &m.p90, &m.p95, &m.p99,  &m.ci_low, &m.ci_high};
  int column = first + 1;
  for (double* f : fields) *f = s.real(column++);
  return m;
}

std::optional<int> parse_version(const std::string& text) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

const std::vector<schema_migration>& sqlite_migrations() {
  static const std::vector<schema_migration> steps{
      {1, "v1: results, samples, summaries, result_messages", schema_v1},
  };
  return steps;
}

struct sqlite_history_store::impl {
  impl(std::filesystem::path file, sqlite_store_options opts)
      : options(std::move(opts)),
        db(file,
           SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX,
           options.busy_timeout) {}

  sqlite_store_options options;
  sqlite_connection db;
  int version = 0;

  int known_version() const { return static_cast<int>(options.migrations.size()); }

  [[noreturn]] void refuse(const std::string& problem) const {
    throw history_error(fmt::format("history {}: {}", db.path(), problem), true);
  }

  // The state of the file as found: nullopt when it is empty (a new history), else its
  // schema version. Refuses a foreign file, a corrupted one and a newer schema. Reads only.
  std::optional<int> inspect() {
    std::vector<std::string> tables;
    {
      sqlite_statement s(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                         "read it as an SQLite database");
      while (s.step()) tables.push_back(s.text(0));
    }
    if (tables.empty()) return std::nullopt;
    if (std::find(tables.begin(), tables.end(), "perfcheck_meta") == tables.end()) {
      std::string names;
      for (std::size_t i = 0; i < tables.size() && i < 5; ++i) names += (i ? ", " : "") + tables[i];
      if (tables.size() > 5) names += ", ...";
      refuse(
          fmt::format("an SQLite database but not a perfcheck history (it has the tables {} "
                      "and no perfcheck_meta); perfcheck leaves it untouched: point --history "
                      "(or PERFCHECK_HISTORY) at a new file",
                      names));
    }
    std::string format;
    std::string version_text;
    {
      sqlite_statement s(db, "SELECT name, value FROM perfcheck_meta", "read perfcheck_meta");
      while (s.step()) {
        if (s.text(0) == "format") format = s.text(1);
        if (s.text(0) == "version") version_text = s.text(1);
      }
    }
    if (format != meta_format) {
      refuse(
          fmt::format("perfcheck_meta says format '{}', expected '{}'; this is not a perfcheck "
                      "history, perfcheck leaves it untouched: point --history at a new file",
                      format, meta_format));
    }
    const auto v = parse_version(version_text);
    if (!v) {
      refuse(
          fmt::format("perfcheck_meta has version '{}', which is not a number; the file is "
                      "damaged: restore it from a backup or an export",
                      version_text));
    }
    if (*v > known_version()) {
      refuse(
          fmt::format("history schema version {} is newer than this perfcheck understands "
                      "(up to {}); perfcheck leaves it untouched: use a newer perfcheck, or "
                      "point --history at another file",
                      *v, known_version()));
    }
    return v;
  }

  void set_wal() {
    // Switching to WAL needs an exclusive lock for a moment; several processes opening a new
    // history at once may each see SQLITE_BUSY here without the busy handler being called,
    // so retry within the busy timeout.
    const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
    for (;;) {
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v2(db.get(), "PRAGMA journal_mode=WAL", -1, &raw, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_step(raw);
      sqlite3_finalize(raw);
      if (rc == SQLITE_ROW || rc == SQLITE_DONE || rc == SQLITE_OK) return;
      const int primary = rc & 0xff;
      if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
          std::chrono::steady_clock::now() >= deadline) {
        db.fail("switch to write-ahead logging (journal_mode=WAL)", rc);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Applies every step above the file's version, each in its own write transaction that
  // re-reads the version (another process may have migrated meanwhile).
  void migrate() {
    for (std::size_t i = 0; i < options.migrations.size(); ++i) {
      const auto& step = options.migrations[i];
      if (step.version != static_cast<int>(i) + 1) {
        throw std::logic_error(
            fmt::format("history migrations must be numbered 1, 2, ...; "
                        "step {} has version {}",
                        i + 1, step.version));
      }
      if (step.version <= version) continue;
      sqlite_transaction tx(db, sqlite_transaction::mode::write);
      const std::optional<int> now = inspect();
      if (!now) {
        db.exec("CREATE TABLE perfcheck_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
                "create perfcheck_meta");
        sqlite_statement s(db, "INSERT INTO perfcheck_meta (name, value) VALUES (?1, ?2)",
                           "write perfcheck_meta");
        s.bind(1, std::string_view("format")).bind(2, std::string_view(meta_format)).run();
        s.reset();
        s.bind(1, std::string_view("version")).bind(2, std::string_view("0")).run();
      }
      version = now.value_or(0);
      if (step.version <= version) continue;  // rolled back: nothing written
      db.exec(step.sql, fmt::format("migrate the schema to {}", step.description));
      sqlite_statement s(db, "UPDATE perfcheck_meta SET value = ?1 WHERE name = 'version'",
                         "write the schema version");
      s.bind(1, std::to_string(step.version)).run();
      tx.commit();
      version = step.version;
    }
  }

  void open() {
    // Inspect before anything writes: a refused file stays byte-identical. Closing must not
    // checkpoint either: a refused file in WAL mode may have another program's WAL beside it.
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    const std::optional<int> found = inspect();
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
    version = found.value_or(0);
    set_wal();
    // FULL: a commit is on disk before the write returns (kill -9 needs less; power loss
    // needs this). foreign_keys: deleting a result removes its samples and summaries.
    db.exec("PRAGMA synchronous=FULL", "set synchronous=FULL");
    db.exec("PRAGMA foreign_keys=ON", "enable foreign keys");
    if (!found || *found < known_version()) migrate();
  }

  void insert_rows(std::int64_t id, const run_result& r) {
    sqlite_statement sample(db,
                            "INSERT INTO samples (result_id, metric, run_index, value) "
                            "VALUES (?1, ?2, ?3, ?4)",
                            "add a sample");
    for (const auto& [metric, values] : metric_columns(r.runs)) {
      for (std::size_t i = 0; i < values.size(); ++i) {
        sample.bind(1, id).bind(2, metric).bind(3, static_cast<std::int64_t>(i)).bind(4, values[i]);
        sample.run();
        sample.reset();
      }
    }
    sqlite_statement summary(
        db,
        fmt::format("INSERT INTO summaries (result_id, metric, {}) VALUES "
                    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    summary_columns),
        "add a summary");
    for (const auto& [metric, m] : r.summary) {
      summary.bind(1, id).bind(2, metric).bind(3, static_cast<std::int64_t>(m.n));
      int index = 4;
      for (double v : {m.min, m.max, m.mean, m.median, m.stddev, m.mad, m.p90, m.p95, m.p99,
                       m.ci_low, m.ci_high}) {
        summary.bind(index++, v);
      }
      summary.run();
      summary.reset();
    }
    sqlite_statement message(db,
                             "INSERT INTO result_messages (result_id, kind, position, message) "
                             "VALUES (?1, ?2, ?3, ?4)",
                             "add a reason or warning");
    const std::pair<std::string_view, const std::vector<std::string>*> kinds[] = {
        {"reason", &r.reasons}, {"warning", &r.warnings}};
    for (const auto& [kind, texts] : kinds) {
      for (std::size_t i = 0; i < texts->size(); ++i) {
        message.bind(1, id)
            .bind(2, kind)
            .bind(3, static_cast<std::int64_t>(i))
            .bind(4, (*texts)[i]);
        message.run();
        message.reset();
      }
    }
  }

  stored_result read_stored(const sqlite_statement& s, int first) {
    stored_result out;
    out.key = s.text(first);
    out.recorded_at = s.text(first + 1);
    const std::string origin = fmt::format("history {}: result {}", db.path(), out.key);
    out.result = result_from_json(parse_json_text(s.text(first + 2), origin), origin);
    return out;
  }
};

sqlite_history_store::sqlite_history_store(std::filesystem::path path,
                                           sqlite_store_options options) {
  if (!options.create && !std::filesystem::exists(path)) {
    throw history_error(fmt::format("history {}: no such file; record results into it first "
                                    "('perfcheck run --history {}') or check the path",
                                    path.string(), path.string()),
                        true);
  }
  impl_ = std::make_unique<impl>(std::move(path), std::move(options));
  impl_->open();
}

sqlite_history_store::~sqlite_history_store() = default;

int sqlite_history_store::schema_version() const { return impl_->version; }

std::string sqlite_history_store::location() const { return impl_->db.path(); }

std::size_t sqlite_history_store::add(std::span<const stored_result> results) {
  auto& db = impl_->db;
  sqlite_transaction tx(db, sqlite_transaction::mode::write);
  sqlite_statement insert(db, R"sql(
    INSERT INTO results (result_key, name, spec_hash, machine, git_branch, git_commit, session_id,
                         compiler, build_type, started_at, finished_at, recorded_at, verdict,
                         run_count, result_json)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
    ON CONFLICT (result_key) DO NOTHING
    RETURNING id)sql",
                          "add a result");
  std::size_t added = 0;
  for (const auto& entry : results) {
    const run_result& r = entry.result;
    insert.bind(1, entry.key)
        .bind(2, r.name)
        .bind(3, r.context.spec_hash)
        .bind(4, r.context.machine)
        .bind(5, r.context.git_branch)
        .bind(6, r.context.git_commit)
        .bind(7, r.context.session_id)
        .bind(8, r.context.compiler)
        .bind(9, r.environment.build_type)
        .bind(10, r.started_at)
        .bind(11, r.finished_at)
        .bind(12, entry.recorded_at)
        .bind(13, std::string_view(to_string(r.outcome)))
        .bind(14, static_cast<std::int64_t>(r.runs.size()))
        .bind(15, boost::json::serialize(result_to_json(r)));
    if (insert.step()) {
      const std::int64_t id = insert.integer(0);
      insert.run();
      impl_->insert_rows(id, r);
      ++added;
    }
    insert.reset();
  }
  tx.commit();
  return added;
}

std::vector<session_info> sqlite_history_store::sessions() {
  auto& db = impl_->db;
  sqlite_transaction tx(db, sqlite_transaction::mode::read);
  std::vector<session_info> out;
  std::unordered_map<std::string, std::size_t> index;
  {
    sqlite_statement s(db, R"sql(
      SELECT session_id, MIN(started_at), MAX(finished_at), COUNT(*), MIN(machine), MIN(git_branch),
             MIN(git_commit)
      FROM results GROUP BY session_id ORDER BY MIN(started_at), session_id)sql",
                       "list sessions");
    while (s.step()) {
      session_info info;
      info.id = s.text(0);
      info.started_at = s.text(1);
      info.finished_at = s.text(2);
      info.results = static_cast<std::size_t>(s.integer(3));
      info.machine = s.text(4);
      info.git_branch = s.text(5);
      info.git_commit = s.text(6);
      index[info.id] = out.size();
      out.push_back(std::move(info));
    }
  }
  sqlite_statement s(
      db, "SELECT session_id, verdict, COUNT(*) FROM results GROUP BY session_id, verdict",
      "count verdicts per session");
  while (s.step()) {
    const auto v = verdict_from_string(s.text(1));
    const auto it = index.find(s.text(0));
    if (v && it != index.end())
      out[it->second].verdicts[*v] = static_cast<std::size_t>(s.integer(2));
  }
  tx.commit();
  return out;
}

std::vector<stored_result> sqlite_history_store::session_results(std::string_view session_id) {
  auto& db = impl_->db;
  sqlite_statement s(db,
                     "SELECT result_key, recorded_at, result_json FROM results "
                     "WHERE session_id = ?1 ORDER BY started_at, id",
                     "read a session's results");
  s.bind(1, session_id);
  std::vector<stored_result> out;
  while (s.step()) out.push_back(impl_->read_stored(s, 0));
  return out;
}

std::vector<series_point> sqlite_history_store::series(const series_query& q) {
  auto& db = impl_->db;
  sqlite_transaction tx(db, sqlite_transaction::mode::read);
  // Empty filters match everything: (?N = '' OR column = ?N).
  constexpr const char* filter =
      "r.name = ?1 AND (?2 = '' OR r.spec_hash = ?2) AND (?3 = '' OR r.machine = ?3) "
      "AND (?4 = '' OR r.git_branch = ?4)";
  auto bind_filter = [&](sqlite_statement& s) {
    s.bind(1, q.name).bind(2, q.spec_hash).bind(3, q.machine).bind(4, q.git_branch);
  };
  std::vector<series_point> points;  // newest first until reversed
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    sqlite_statement s(
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
  sqlite_statement s(db,
                     fmt::format("SELECT s.result_id, s.metric, {} FROM summaries s "
                                 "JOIN results r ON r.id = s.result_id WHERE {}",
                                 summary_columns, filter),
                     "read a test's summaries");
  bind_filter(s);
  while (s.step()) {
    const auto it = index.find(s.integer(0));
    if (it != index.end()) points[it->second].summary[s.text(1)] = read_summary(s, 2);
  }
  tx.commit();
  std::reverse(points.begin(), points.end());
  return points;
}

baseline_pool sqlite_history_store::baseline(const baseline_query& q) {
  auto& db = impl_->db;
  sqlite_transaction tx(db, sqlite_transaction::mode::read);
  sqlite_statement candidates(db, R"sql(
    SELECT id, result_key FROM results
    WHERE name = ?1 AND spec_hash = ?2 AND machine = ?3 AND git_branch = ?4 AND verdict <> 'error'
      AND (?5 = '' OR started_at < ?5)
    ORDER BY started_at DESC, id DESC)sql",
                              "find baseline results");
  sqlite_statement samples(db,
                           "SELECT value FROM samples WHERE result_id = ?1 AND metric = ?2 "
                           "ORDER BY run_index",
                           "read baseline samples");
  baseline_pool pool;
  std::vector<std::string> branches{q.git_branch};
  if (!q.default_branch.empty() && q.default_branch != q.git_branch)
    branches.push_back(q.default_branch);
  for (const auto& branch : branches) {
    candidates.bind(1, q.name)
        .bind(2, q.spec_hash)
        .bind(3, q.machine)
        .bind(4, branch)
        .bind(5, q.before);
    while (pool.samples.size() < q.sample_cap && candidates.step()) {
      samples.bind(1, candidates.integer(0)).bind(2, q.metric);
      std::vector<double> values;
      while (samples.step()) values.push_back(samples.real(0));
      samples.reset();
      if (values.empty()) continue;  // the metric was not measured in that result
      const std::size_t room = q.sample_cap - pool.samples.size();
      if (values.size() > room) {
        if (!pool.result_keys.empty()) break;  // whole results only, except the newest
        values.resize(room);
      }
      pool.samples.insert(pool.samples.end(), values.begin(), values.end());
      pool.result_keys.push_back(candidates.text(1));
    }
    candidates.reset();
    if (!pool.result_keys.empty()) {
      pool.git_branch = branch;
      break;
    }
  }
  tx.commit();
  return pool;
}

std::vector<stored_result> sqlite_history_store::all_results() {
  auto& db = impl_->db;
  sqlite_statement s(db,
                     "SELECT result_key, recorded_at, result_json FROM results "
                     "ORDER BY started_at, result_key",
                     "read every result");
  std::vector<stored_result> out;
  while (s.step()) out.push_back(impl_->read_stored(s, 0));
  return out;
}

std::size_t sqlite_history_store::prune(const prune_policy& policy) {
  auto& db = impl_->db;
  sqlite_transaction tx(db, sqlite_transaction::mode::write);
  std::int64_t removed = 0;
  if (!policy.started_before.empty()) {
    sqlite_statement s(db, "DELETE FROM results WHERE started_at < ?1", "prune by age");
    s.bind(1, policy.started_before).run();
    removed += db.changes();
  }
  if (policy.keep_last) {
    sqlite_statement s(db, R"sql(
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

}  // namespace perfcheck::store
