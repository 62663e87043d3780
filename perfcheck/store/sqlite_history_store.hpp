// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history in one SQLite file: WAL, a busy timeout, versioned schema with forward
// migrations. See docs/history.md for the schema and the guarantees.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "perfcheck/store/sql_history_store.hpp"

namespace perfcheck::store {

namespace detail {
class sqlite_connection;
/// The first schema object of the open file that `migrations` do not create (a trigger, a view,
/// a foreign table or index), as "trigger 'audit'"; "" when there is none.
std::string unknown_schema_object(sqlite_connection& db, const std::vector<schema_migration>& migrations);
/// The URI that opens `path` for reading only: mode=ro, and immutable=1 when its folder is not
/// writable and it has no write-ahead log (so no -shm file is needed).
std::string read_only_uri(const std::filesystem::path& path);
}  // namespace detail

/// How a sqlite_history_store opens its file. Reading only (SQLITE_OPEN_READONLY) switches nothing
/// either, not even to WAL, so a history on a read-only mount can be read.
struct sqlite_store_options : history_open_options {
  /// How long a write waits for another writer before it fails.
  std::chrono::milliseconds busy_timeout{60'000};
};

/// A history_store in one SQLite 3 file. Opening refuses a file that is not a perfcheck
/// history, is corrupted or has a newer schema, and leaves it byte-identical; an older
/// schema is migrated forward. One object is one connection: use it from one thread.
class sqlite_history_store final : public sql_history_store {
 public:
  /// Opens (or creates) the history at `path`; throws history_error naming the file.
  explicit sqlite_history_store(std::filesystem::path path, sqlite_store_options options = {});
  ~sqlite_history_store() override;
  sqlite_history_store(const sqlite_history_store&) = delete;
  sqlite_history_store& operator=(const sqlite_history_store&) = delete;

  int schema_version() const override;
  std::string location() const override;

 private:
  detail::sql_connection& connection() override;

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace perfcheck::store
