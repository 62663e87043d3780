// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The PostgreSQL backend of the shared SQL (sql_handle.hpp), on libpq: a connection whose
// statements are prepared once per connection and read row by row, and whose failures become a
// history_error (history_unreachable when the server is away) naming the history without its
// password.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "perfcheck/store/sql_handle.hpp"

struct pg_conn;
struct pg_result;

namespace perfcheck::store::detail {

/// The fix to suggest for a PostgreSQL SQLSTATE ("53100": free disk space on the server, ...).
std::string_view pg_fix(std::string_view sqlstate);

class pg_cursor;
struct libpq_api;

/// One connection to a PostgreSQL server; closed on destruction. Every session sets
/// search_path to `schema` (perfcheck's tables live in a schema of their own) and the lock
/// timeout. A write transaction takes the history's advisory lock, so writers take turns; a
/// series write takes it shared, and then the series' own lock (lock_series), so writers of
/// different series write at once.
class pg_connection final : public sql_connection {
 public:
  /// Connects (libpq URI; connect_timeout 10 s unless the URI says); throws history_unreachable
  /// when the server cannot be reached, history_error (refused) for a refusal (credentials, no
  /// such database), naming the masked URI.
  pg_connection(const std::string& uri, std::string_view schema, std::chrono::milliseconds lock_timeout);
  ~pg_connection() override;
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  std::unique_ptr<sql_cursor> prepare(std::string_view sql, std::string_view what) override;
  void exec(std::string_view sql, std::string_view what) override;
  void begin(bool write) override;
  void begin_series_write() override;
  void lock_series(std::string_view key) override;
  void commit() override;
  void rollback() noexcept override;
  std::int64_t changes() const override { return changes_; }
  const std::string& path() const override { return location_; }

  /// Throws for the failed `result` (or the connection's own error when it is null): the
  /// history, `what`, the server's message and the fix; history_unreachable when the
  /// connection is gone. Takes ownership of `result`.
  [[noreturn]] void fail(std::string_view what, pg_result* result);

  /// From now on every transaction is read-only, and a write one is refused before it starts.
  void set_read_only();

 private:
  friend class pg_cursor;
  /// The name of the server-side prepared statement for `sql` (prepared on first use).
  const std::string& statement_for(const std::string& sql, std::string_view what);
  /// Reads what is left of the statement whose rows are being read, so that the connection
  /// can take the next command.
  void finish_active();

  std::string location_;
  const libpq_api& pq_;  ///< libpq, loaded on first use (pg_library.hpp)
  pg_conn* conn_ = nullptr;
  std::map<std::string, std::string> statements_;  ///< SQL → prepared statement name
  pg_cursor* active_ = nullptr;
  std::int64_t changes_ = 0;
  bool read_only_ = false;
  bool series_write_ = false;  ///< in a begin_series_write transaction
};

}  // namespace perfcheck::store::detail
