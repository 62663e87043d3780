// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/sqlite_handle.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "perfcheck/store/history_store.hpp"

namespace perfcheck::store::detail {

std::string_view sqlite_fix(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process held the history longer than the busy timeout; retry, or give "
             "each job its own history file and merge them with 'perfcheck history import'";
    case SQLITE_FULL:
      return "the disk is full; free space and retry";
    case SQLITE_CANTOPEN:
      return "check that the folder exists and that the file and folder are writable";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "make the file and its folder writable, or choose another history file";
    case SQLITE_IOERR:
      return "the disk reported an I/O error; check the file system and retry";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "perfcheck leaves it untouched; restore it from a backup or an export "
             "('perfcheck history import'), or point --history at a new file";
    default:
      return "retry; if it persists, report it with this message";
  }
}

bool sqlite_means_corrupt(int code) {
  return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

std::string sqlite_file_uri(const std::filesystem::path& path, std::string_view query) {
  std::string out = "file:";
  for (const char c : std::filesystem::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  if (!query.empty()) out += fmt::format("?{}", query);
  return out;
}

sqlite_connection::sqlite_connection(const std::filesystem::path& path, int flags,
                                     std::chrono::milliseconds busy_timeout, const std::string& uri)
    : path_(path.string()), busy_timeout_(busy_timeout) {
  const std::string& name = (flags & SQLITE_OPEN_URI) != 0 ? uri : path_;
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw history_error(
        fmt::format("history {}: cannot open: {}; {}", path_, message, sqlite_fix(rc)),
        sqlite_means_corrupt(rc) || (rc & 0xff) == SQLITE_CANTOPEN);
  }
  sqlite3_extended_result_codes(db_, 1);
  // A history file is untrusted input: nothing in its schema may call a function with side
  // effects, and SQL cannot rewrite the schema behind perfcheck's back.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
}

sqlite_connection::~sqlite_connection() {
  // close_v2: statements are finalized first by their own RAII, so this always succeeds.
  sqlite3_close_v2(db_);
}

namespace {

// One prepared statement of the file; finalized on destruction.
class sqlite_cursor final : public sql_cursor {
 public:
  sqlite_cursor(sqlite_connection& db, std::string_view sql, std::string_view what)
      : db_(db), what_(what) {
    const int rc =
        sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) db_.fail(what_, rc);
  }
  ~sqlite_cursor() override { sqlite3_finalize(stmt_); }
  sqlite_cursor(const sqlite_cursor&) = delete;
  sqlite_cursor& operator=(const sqlite_cursor&) = delete;

  void bind_text(int index, std::string_view text) override {
    check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_integer(int index, std::int64_t value) override {
    check(sqlite3_bind_int64(stmt_, index, value));
  }
  void bind_real(int index, double value) override {
    check(std::isnan(value) ? sqlite3_bind_null(stmt_, index) : sqlite3_bind_double(stmt_, index, value));
  }
  bool step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail(what_, rc);
  }
  void reset() override {
    sqlite3_reset(stmt_);  // its code repeats the last step's error, already reported
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const override {
    const auto* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL)
      return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(stmt_, column);
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) db_.fail(what_, rc);
  }
  sqlite_connection& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

}  // namespace

std::unique_ptr<sql_cursor> sqlite_connection::prepare(std::string_view sql, std::string_view what) {
  auto cursor = std::make_unique<sqlite_cursor>(*this, sql, what);
  ++prepared_;
  return cursor;
}

void sqlite_connection::exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(what, rc);
}

void sqlite_connection::fail(std::string_view what, int code) const {
  throw history_error(
      fmt::format("history {}: {}: {}; {}", path_, what, sqlite3_errmsg(db_), sqlite_fix(code)),
      sqlite_means_corrupt(code));
}

std::int64_t sqlite_connection::changes() const { return sqlite3_changes64(db_); }

void sqlite_connection::begin(bool write) {
  exec(write ? "BEGIN IMMEDIATE" : "BEGIN",
       write ? "start a write transaction" : "start a read transaction");
}

void sqlite_connection::commit() { exec("COMMIT", "commit"); }

void sqlite_connection::rollback() noexcept {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace perfcheck::store::detail
