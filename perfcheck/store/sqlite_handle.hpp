// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The SQLite backend of the shared SQL (sql_handle.hpp): a connection whose statements and
// transactions turn every failure into a history_error naming the file, the step, SQLite's
// message and a fix.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "perfcheck/store/sql_handle.hpp"

namespace perfcheck::store::detail {

/// The fix to suggest for an SQLite result code ("retry", "free disk space", ...).
std::string_view sqlite_fix(int code);

/// The file: URI of `path` for sqlite3_open_v2 with SQLITE_OPEN_URI ('%', '?' and '#' escaped)
/// with `query` ("mode=ro") appended.
std::string sqlite_file_uri(const std::filesystem::path& path, std::string_view query);

/// True for the result codes that mean the file is not a usable database (refuse it).
bool sqlite_means_corrupt(int code);

/// One open database file; closed on destruction.
class sqlite_connection final : public sql_connection {
 public:
  /// Opens `path` with sqlite3_open_v2 `flags` (with SQLITE_OPEN_URI: opens `uri`, a file: URI
  /// of `path`); throws history_error naming the file. The schema is not trusted: functions
  /// with side effects cannot run from triggers, views or indexes (trusted_schema=OFF), and the
  /// schema cannot be edited through writable_schema (SQLITE_DBCONFIG_DEFENSIVE).
  sqlite_connection(const std::filesystem::path& path, int flags,
                    std::chrono::milliseconds busy_timeout, const std::string& uri = {});
  ~sqlite_connection() override;
  sqlite_connection(const sqlite_connection&) = delete;
  sqlite_connection& operator=(const sqlite_connection&) = delete;

  std::unique_ptr<sql_cursor> prepare(std::string_view sql, std::string_view what) override;
  void exec(std::string_view sql, std::string_view what) override;
  /// BEGIN (read) or BEGIN IMMEDIATE (write: the write lock at once, so the busy timeout applies).
  void begin(bool write) override;
  void commit() override;
  void rollback() noexcept override;
  std::int64_t changes() const override;
  const std::string& path() const override { return path_; }

  /// Throws history_error "history <file>: <what>: <SQLite message>; <fix>" for `code`.
  [[noreturn]] void fail(std::string_view what, int code) const;

  /// The raw handle, for the few calls this wrapper does not cover.
  sqlite3* get() const { return db_; }
  /// How long a statement waits for a lock before SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout() const { return busy_timeout_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::chrono::milliseconds busy_timeout_;
};

}  // namespace perfcheck::store::detail
