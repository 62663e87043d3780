// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The SQL stays portable (standard types, ?N parameters, ON CONFLICT, RETURNING, window
// functions) so a PostgreSQL store can share it; only the file handling below is SQLite's.
#include "perfcheck/store/sqlite_history_store.hpp"

#include <algorithm>
#include <charconv>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/store/sqlite_handle.hpp"

namespace perfcheck::store {

using detail::sqlite_connection;
using detail::sqlite_statement;
using detail::sqlite_transaction;

namespace {

// What the format row of perfcheck_meta says; anything else is not our file.
constexpr const char* meta_format = "perfcheck/history";


std::optional<int> parse_version(const std::string& text) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

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
                    detail::summary_columns),
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

detail::sqlite_connection& sqlite_history_store::connection() { return impl_->db; }

std::size_t sqlite_history_store::add(std::span<const stored_result> results) {
  auto& db = impl_->db;
  sqlite_transaction tx(db, sqlite_transaction::mode::write);
  // Baseline epochs exist from schema v3 on (an older file is written only by the tests that
  // build one to migrate).
  const bool epochs = impl_->version >= 3;
  sqlite_statement insert(db, fmt::format(R"sql(
    INSERT INTO results (result_key, name, spec_hash, machine, git_branch, git_commit, session_id,
                         compiler, build_type, started_at, finished_at, recorded_at, verdict,
                         run_count, result_json{})
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15{})
    ON CONFLICT (result_key) DO NOTHING
    RETURNING id)sql",
                                          epochs ? ", epoch, baseline_state" : "",
                                          epochs ? ", ?16, ?17" : ""),
                          "add a result");
  std::size_t added = 0;
  for (const auto& entry : results) {
    const run_result& r = entry.result;
    const detail::epoch_place place =
        epochs ? detail::place_in_epoch(db, r) : detail::epoch_place{};
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
    if (epochs) insert.bind(16, place.epoch).bind(17, to_string(place.state));
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
