// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The SQL stays portable (standard types, ?N parameters, ON CONFLICT, RETURNING, window
// functions) so a PostgreSQL store can share it; only the file handling below is SQLite's.
#include "perfcheck/store/sqlite_history_store.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
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
        db(file, open_flags(options), options.busy_timeout,
           options.read_only ? detail::read_only_uri(file) : std::string()) {}

  static int open_flags(const sqlite_store_options& o) {
    if (o.read_only) return SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    return SQLITE_OPEN_READWRITE | (o.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  }

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
    std::size_t objects = 0;
    {
      sqlite_statement s(db, "SELECT name, type = 'table' FROM sqlite_master ORDER BY name",
                         "read it as an SQLite database");
      for (; s.step(); ++objects) {
        if (s.integer(1) != 0) tables.push_back(s.text(0));
      }
    }
    if (objects == 0) return std::nullopt;
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
    refuse_unknown_objects();
    return v;
  }

  // An empty file opened for reading (a writer may be creating it right now) is a history with
  // no results: the schema is made in the connection's own TEMP database, which the queries
  // find first, so every query answers "nothing" without writing the file.
  void empty_schema_in_temp() {
    static const std::regex create_table(R"(CREATE\s+TABLE\s)", std::regex::icase);
    for (const auto& step : options.migrations) {
      db.exec(std::regex_replace(step.sql, create_table, "CREATE TEMP TABLE "),
              fmt::format("read an empty history ({})", step.description));
    }
  }

  // A trigger, view, table or index perfcheck did not create would run inside perfcheck's
  // transactions or change what its queries read: refuse the file before anything runs.
  void refuse_unknown_objects() {
    const std::string object = detail::unknown_schema_object(db, options.migrations);
    if (object.empty()) return;
    refuse(fmt::format("has a {} that perfcheck did not create (a history holds perfcheck's own "
                       "tables and indexes only, and a trigger or view would run inside its "
                       "writes); perfcheck leaves the file untouched: remove the object (sqlite3 "
                       "'DROP ...') if it is not needed, or point --history at another file",
                       object));
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
    if (options.read_only) {
      // Nothing to migrate or switch: a read-only history is read as it is (an older schema's
      // tables answer the same queries).
      if (!found) empty_schema_in_temp();
      version = found.value_or(known_version());
      return;
    }
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
    version = found.value_or(0);
    set_wal();
    // FULL: a commit is on disk before the write returns (kill -9 needs less; power loss
    // needs this). foreign_keys: deleting a result removes its samples and summaries.
    db.exec("PRAGMA synchronous=FULL", "set synchronous=FULL");
    db.exec("PRAGMA foreign_keys=ON", "enable foreign keys");
    if (!found || *found < known_version()) migrate();
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
  const auto batch = begin_batch();
  std::size_t added = 0;
  for (const auto& entry : results) added += batch->add(entry) ? 1 : 0;
  batch->commit();
  return added;
}

std::unique_ptr<history_batch> sqlite_history_store::begin_batch() {
  // Baseline epochs exist from schema v3 on, summaries.name from v4 (an older file is written
  // only by the tests that build one to migrate).
  return detail::begin_sqlite_batch(impl_->db, impl_->version);
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
