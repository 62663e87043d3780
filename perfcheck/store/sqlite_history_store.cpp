// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The SQL stays portable (standard types, ?N parameters, ON CONFLICT, RETURNING, window
// functions) so a PostgreSQL store can share it; only the file handling below is SQLite's.
#include "perfcheck/store/sqlite_history_store.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/store/sqlite_handle.hpp"

namespace perfcheck::store {

using detail::sqlite_connection;
using detail::sql_statement;

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
      sql_statement s(db, "SELECT name, type = 'table' FROM sqlite_master ORDER BY name",
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
    const int v = detail::read_meta_version(db, known_version());
    refuse_unknown_objects();
    return v;
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

  detail::schema_keeper keeper() {
    return {db, options.migrations, [this] { return inspect(); },
            [](const std::string& sql) { return sql; }};
  }

  void open() {
    // Inspect before anything writes: a refused file stays byte-identical. Closing must not
    // checkpoint either: a refused file in WAL mode may have another program's WAL beside it.
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    const std::optional<int> found = inspect();
    if (options.read_only) {
      // Nothing to migrate or switch: a read-only history is read as it is (an older schema's
      // tables answer the same queries).
      if (!found) detail::empty_schema_in_temp(keeper());
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
    if (!found || *found < known_version()) version = detail::migrate_schema(keeper(), version);
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

detail::sql_connection& sqlite_history_store::connection() { return impl_->db; }

}  // namespace perfcheck::store
