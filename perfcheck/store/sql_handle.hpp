// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The SQL the history stores share: a connection, a prepared statement and a transaction of
// either backend (SQLite, PostgreSQL). The queries (sql_history_*.cpp) are written once against
// these; each backend turns their failures into a history_error naming the history.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace perfcheck::store::detail {

/// One prepared statement of a backend. Parameters are numbered ?1, ?2, ... in the SQL.
class sql_cursor {
 public:
  virtual ~sql_cursor() = default;
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_integer(int index, std::int64_t value) = 0;
  /// NaN is stored as NULL (neither backend keeps NaN the same way).
  virtual void bind_real(int index, double value) = 0;
  /// Runs the statement on the first call after binding; true while a row is available.
  virtual bool step() = 0;
  /// Ready to run again with new bindings (the rest of the rows are dropped).
  virtual void reset() = 0;
  /// Columns of the current row (0-based): NULL reads as "", 0 and NaN.
  virtual std::string text(int column) const = 0;
  virtual std::int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
};

/// One connection to a history.
class sql_connection {
 public:
  virtual ~sql_connection() = default;
  /// Prepares `sql`; `what` names the step in error messages ("add a result").
  virtual std::unique_ptr<sql_cursor> prepare(std::string_view sql, std::string_view what) = 0;
  /// Runs one or more statements without results (DDL, BEGIN/COMMIT).
  virtual void exec(std::string_view sql, std::string_view what) = 0;
  /// Starts a transaction; a write one takes the history's write lock at once, so that writers
  /// take turns as SQLite's BEGIN IMMEDIATE makes them.
  virtual void begin(bool write) = 0;
  /// Starts a write transaction that adds to one series only: writers of other series need not
  /// wait for it (PostgreSQL: a shared lock, then lock_series); the same as begin(true) where
  /// writers take turns anyway (SQLite).
  virtual void begin_series_write() { begin(true); }
  /// Inside begin_series_write: waits for the other writers of this series (`key` names it).
  virtual void lock_series(std::string_view key) { (void)key; }
  /// Commits; throws history_error (and the transaction is gone) when it cannot.
  virtual void commit() = 0;
  /// Rolls back what is open; never throws.
  virtual void rollback() noexcept = 0;
  /// Rows changed by the last INSERT, UPDATE or DELETE (not counting cascades).
  virtual std::int64_t changes() const = 0;
  /// The history, for messages (a file, or a URL without its password).
  virtual const std::string& path() const = 0;
  /// How many statements were prepared on this connection (a batch prepares its own once, not
  /// once per result: the tests count).
  std::size_t statements_prepared() const { return prepared_; }

 protected:
  std::size_t prepared_ = 0;
};

/// A prepared statement of any backend, with the calls the queries make.
class sql_statement {
 public:
  sql_statement(sql_connection& db, std::string_view sql, std::string_view what)
      : cursor_(db.prepare(sql, what)) {}

  /// Binds text (copied) to parameter `index` (1-based).
  sql_statement& bind(int index, std::string_view text) {
    cursor_->bind_text(index, text);
    return *this;
  }
  sql_statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  sql_statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  /// Binds an integer.
  sql_statement& bind(int index, std::int64_t value) {
    cursor_->bind_integer(index, value);
    return *this;
  }
  /// Binds a real; NaN is stored as NULL.
  sql_statement& bind(int index, double value) {
    cursor_->bind_real(index, value);
    return *this;
  }
  /// Advances; true when a row is available, false when the statement is done.
  bool step() { return cursor_->step(); }
  /// Steps to the end, expecting no rows (INSERT, UPDATE, DELETE).
  void run() {
    while (step()) {
    }
  }
  void reset() { cursor_->reset(); }
  std::string text(int column) const { return cursor_->text(column); }
  std::int64_t integer(int column) const { return cursor_->integer(column); }
  double real(int column) const { return cursor_->real(column); }

 private:
  std::unique_ptr<sql_cursor> cursor_;
};

/// A transaction: read, or write (the write lock taken at once); rolled back on destruction
/// unless committed.
class sql_transaction {
 public:
  /// read; write (writers take turns); series_write (adds to one series: see begin_series_write).
  enum class mode { read, write, series_write };
  sql_transaction(sql_connection& db, mode m) : db_(db) {
    if (m == mode::series_write) {
      db_.begin_series_write();
    } else {
      db_.begin(m == mode::write);
    }
  }
  ~sql_transaction() {
    if (open_) db_.rollback();
  }
  sql_transaction(const sql_transaction&) = delete;
  sql_transaction& operator=(const sql_transaction&) = delete;
  /// Commits; throws history_error when it cannot.
  void commit() {
    db_.commit();
    open_ = false;
  }

 private:
  sql_connection& db_;
  bool open_ = true;
};

}  // namespace perfcheck::store::detail
