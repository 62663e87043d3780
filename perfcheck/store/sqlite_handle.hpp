// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// RAII for the SQLite C API: a connection, a prepared statement, a transaction. Every
// failure becomes a history_error naming the file, the step, SQLite's message and a fix.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace perfcheck::store::detail {

/// The fix to suggest for an SQLite result code ("retry", "free disk space", ...).
std::string_view sqlite_fix(int code);

/// The file: URI of `path` for sqlite3_open_v2 with SQLITE_OPEN_URI ('%', '?' and '#' escaped)
/// with `query` ("mode=ro") appended.
std::string sqlite_file_uri(const std::filesystem::path& path, std::string_view query);

/// True for the result codes that mean the file is not a usable database (refuse it).
bool sqlite_means_corrupt(int code);

/// One open database file; closed on destruction.
class sqlite_connection {
 public:
  /// Opens `path` with sqlite3_open_v2 `flags` (with SQLITE_OPEN_URI: opens `uri`, a file: URI
  /// of `path`); throws history_error naming the file. The schema is not trusted: functions
  /// with side effects cannot run from triggers, views or indexes (trusted_schema=OFF), and the
  /// schema cannot be edited through writable_schema (SQLITE_DBCONFIG_DEFENSIVE).
  sqlite_connection(const std::filesystem::path& path, int flags,
                    std::chrono::milliseconds busy_timeout, const std::string& uri = {});
  ~sqlite_connection();
  sqlite_connection(const sqlite_connection&) = delete;
  sqlite_connection& operator=(const sqlite_connection&) = delete;

  /// Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  void exec(std::string_view sql, std::string_view what);

  /// Throws history_error "history <file>: <what>: <SQLite message>; <fix>" for `code`.
  [[noreturn]] void fail(std::string_view what, int code) const;

  /// Rows changed by the last INSERT, UPDATE or DELETE (not counting cascades).
  std::int64_t changes() const;

  /// The raw handle, for the few calls this wrapper does not cover.
  sqlite3* get() const { return db_; }
  /// The file, as given.
  const std::string& path() const { return path_; }
  /// How long a statement waits for a lock before SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout() const { return busy_timeout_; }
  /// How many statements were prepared on this connection (a batch prepares its own once, not
  /// once per result: the tests count).
  std::size_t statements_prepared() const { return prepared_; }

 private:
  friend class sqlite_statement;
  sqlite3* db_ = nullptr;
  std::size_t prepared_ = 0;
  std::string path_;
  std::chrono::milliseconds busy_timeout_;
};

/// One prepared statement; finalized on destruction. Parameters are numbered ?1, ?2, ...
class sqlite_statement {
 public:
  /// Prepares `sql`; `what` names the step in error messages ("add a result").
  sqlite_statement(sqlite_connection& db, std::string_view sql, std::string_view what);
  ~sqlite_statement();
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  /// Binds text (copied) to parameter `index` (1-based).
  sqlite_statement& bind(int index, std::string_view text);
  /// Binds an integer.
  sqlite_statement& bind(int index, std::int64_t value);
  /// Binds a real; NaN is stored as NULL (SQLite has no NaN).
  sqlite_statement& bind(int index, double value);

  /// Advances; true when a row is available, false when the statement is done.
  bool step();
  /// Steps to the end, expecting no rows (INSERT, UPDATE, DELETE).
  void run();
  /// Makes the statement ready to run again with new bindings.
  void reset();

  /// Column `column` (0-based) of the current row as text; NULL reads as "".
  std::string text(int column) const;
  /// Column as an integer; NULL reads as 0.
  std::int64_t integer(int column) const;
  /// Column as a real; NULL reads as NaN.
  double real(int column) const;

 private:
  sqlite_connection& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

/// A transaction: BEGIN (read) or BEGIN IMMEDIATE (write, takes the write lock at once so
/// the busy timeout applies); rolled back on destruction unless committed.
class sqlite_transaction {
 public:
  /// Whether the transaction will write.
  enum class mode { read, write };
  sqlite_transaction(sqlite_connection& db, mode m);
  ~sqlite_transaction();
  sqlite_transaction(const sqlite_transaction&) = delete;
  sqlite_transaction& operator=(const sqlite_transaction&) = delete;
  /// Commits; throws history_error (and rolls back) when it cannot.
  void commit();

 private:
  sqlite_connection& db_;
  bool open_ = true;
};

}  // namespace perfcheck::store::detail
