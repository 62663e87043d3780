// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/pg_handle.hpp"

#include <charconv>
#include <deque>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "perfcheck/store/pg_library.hpp"

#include <fmt/format.h>

#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/recording.hpp"
#include "perfcheck/store/sql_handle.hpp"

namespace perfcheck::store::detail {
namespace {

// Any value: the lock every perfcheck writer of a database takes for its transaction (a series
// write shared, every other write exclusive).
constexpr const char* write_lock = "SELECT pg_advisory_xact_lock(7305712950420211973)";
constexpr const char* shared_write_lock = "SELECT pg_advisory_xact_lock_shared(7305712950420211973)";
// A series' own lock: hashtext of its key, in the second key space (two int4 keys).
constexpr const char* series_lock = "SELECT pg_advisory_xact_lock(730571295, hashtext(?1))";

// ?1, ?2, ... (the shared SQL's parameters) as PostgreSQL's $1, $2, ...; the SQL has no '?' in
// its literals.
std::string dollar_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const bool parameter = sql[i] == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9';
    out += parameter ? '$' : sql[i];
  }
  return out;
}

// The server's message without its trailing newline.
std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) c = c == '\n' ? ' ' : c;
  return out;
}

// A connection failure that retrying will not mend: the credentials or the database.
bool refusal(const std::string& message) {
  return message.find("authentication failed") != std::string::npos ||
         message.find("does not exist") != std::string::npos ||
         message.find("no password supplied") != std::string::npos ||
         message.find("pg_hba.conf") != std::string::npos || message.find("invalid ") != std::string::npos ||
         message.find("SSL") != std::string::npos || message.find("certificate") != std::string::npos;
}

std::string double_text(double value) {
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);
}

}  // namespace

std::string_view pg_fix(std::string_view sqlstate) {
  if (sqlstate.starts_with("53")) {
    return "the database server is out of disk space or memory; free space on the server and "
           "retry (every result written before is kept)";
  }
  if (sqlstate.starts_with("28")) {
    return "check the user and password (in the URI, PGPASSWORD, ~/.pgpass or PGPASSFILE)";
  }
  if (sqlstate == "3D000") return "create the database (createdb) or fix the database name in the URI";
  if (sqlstate == "42501") {
    return "grant the user CREATE on the database, or create schema perfcheck for it";
  }
  if (sqlstate == "55P03") {
    return "another writer held the history longer than the lock timeout; retry";
  }
  if (sqlstate == "25006") return "the server is read-only (a standby?): point --history at the primary";
  if (sqlstate.starts_with("40")) return "another writer got in the way; retry";
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
    return "the server went away (stopped, restarted or unreachable); retry when it is back";
  }
  return "retry; if it persists, report it with this message";
}

// One statement: bound values are sent as text (the server infers their types once, when the
// statement is prepared), and the rows are read one at a time (single-row mode), so reading a
// whole history holds one row in memory.
class pg_cursor final : public sql_cursor {
 public:
  pg_cursor(pg_connection& db, std::string_view sql, std::string_view what)
      : db_(db), pq_(db.pq_), sql_(dollar_parameters(sql)), what_(what) {}
  ~pg_cursor() override {
    drain();
    pq_.PQclear(row_);
  }
  pg_cursor(const pg_cursor&) = delete;
  pg_cursor& operator=(const pg_cursor&) = delete;

  void bind_text(int index, std::string_view text) override { slot(index) = std::string(text); }
  void bind_integer(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind_real(int index, double value) override {
    if (std::isnan(value)) {
      slot(index).reset();
    } else {
      slot(index) = double_text(value);
    }
  }

  bool step() override {
    if (state_ == state::idle) send();
    if (state_ == state::done) return false;
    pq_.PQclear(row_);
    row_ = next_result();
    const auto status = pq_.PQresultStatus(row_);
    if (row_ != nullptr && status == PGRES_SINGLE_TUPLE) return true;
    if (row_ != nullptr && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)) {
      const char* tuples = pq_.PQcmdTuples(row_);
      db_.changes_ = tuples != nullptr && *tuples != '\0' ? std::stoll(tuples) : 0;
      pq_.PQclear(row_);
      row_ = nullptr;
      drain();
      return false;
    }
    pg_result* failed = row_;
    row_ = nullptr;
    drain();
    db_.fail(what_, failed);
  }

  void reset() override {
    drain();
    pq_.PQclear(row_);
    row_ = nullptr;
    params_.clear();
    state_ = state::idle;
  }

  std::string text(int column) const override {
    if (row_ == nullptr || pq_.PQgetisnull(row_, 0, column)) return {};
    return std::string(pq_.PQgetvalue(row_, 0, column), static_cast<std::size_t>(pq_.PQgetlength(row_, 0, column)));
  }
  std::int64_t integer(int column) const override {
    const std::string t = text(column);
    std::int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  }
  double real(int column) const override {
    if (row_ == nullptr || pq_.PQgetisnull(row_, 0, column)) return std::numeric_limits<double>::quiet_NaN();
    const std::string t = text(column);
    if (t == "Infinity") return std::numeric_limits<double>::infinity();
    if (t == "-Infinity") return -std::numeric_limits<double>::infinity();
    double v = std::numeric_limits<double>::quiet_NaN();
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  }

  /// Drops what is left of the statement's results.
  void drain() {
    if (db_.active_ == this) {
      while (PGresult* rest = pq_.PQgetResult(db_.conn_)) pq_.PQclear(rest);
      db_.active_ = nullptr;
    }
    for (PGresult* r : buffered_) pq_.PQclear(r);
    buffered_.clear();
    if (state_ == state::reading) state_ = state::done;
  }

  /// Reads the rest of the statement's rows into memory, so the connection can take another
  /// statement while these rows are still being stepped through (a query inside a loop).
  void buffer_rest() {
    while (PGresult* rest = pq_.PQgetResult(db_.conn_)) buffered_.push_back(rest);
    db_.active_ = nullptr;
  }

 private:
  enum class state { idle, reading, done };

  // The next result of the statement: read ahead, or from the connection.
  pg_result* next_result() {
    if (!buffered_.empty()) {
      pg_result* r = buffered_.front();
      buffered_.pop_front();
      return r;
    }
    return db_.active_ == this ? pq_.PQgetResult(db_.conn_) : nullptr;
  }

  std::optional<std::string>& slot(int index) {
    if (params_.size() < static_cast<std::size_t>(index)) params_.resize(static_cast<std::size_t>(index));
    return params_[static_cast<std::size_t>(index) - 1];
  }

  void send() {
    const std::string& name = db_.statement_for(sql_, what_);
    db_.finish_active();
    std::vector<const char*> values;
    for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
    if (pq_.PQsendQueryPrepared(db_.conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0) != 1) {
      db_.fail(what_, nullptr);
    }
    pq_.PQsetSingleRowMode(db_.conn_);
    db_.active_ = this;
    state_ = state::reading;
  }

  pg_connection& db_;
  const libpq_api& pq_;
  std::string sql_;
  std::string what_;
  std::vector<std::optional<std::string>> params_;
  std::deque<pg_result*> buffered_;  ///< rows read ahead by buffer_rest, in order
  pg_result* row_ = nullptr;
  state state_ = state::idle;
};

std::unique_ptr<sql_cursor> pg_connection::prepare(std::string_view sql, std::string_view what) {
  ++prepared_;
  return std::make_unique<pg_cursor>(*this, sql, what);
}

void pg_connection::finish_active() {
  if (active_ != nullptr) active_->buffer_rest();
}

pg_connection::pg_connection(const std::string& uri, std::string_view schema,
                             std::chrono::milliseconds lock_timeout)
    : location_(mask_password(uri)), pq_(libpq(location_)) {
  // The URI comes last so that its own settings win over these defaults.
  // Keepalives: a connection whose network is cut in the middle of a query fails within about a
  // minute instead of waiting for the kernel to give up.
  const char* keywords[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                            "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "30", "10", "3", "perfcheck", uri.c_str(), nullptr};
  conn_ = pq_.PQconnectdbParams(keywords, values, 1);
  if (conn_ == nullptr || pq_.PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ != nullptr ? trimmed(pq_.PQerrorMessage(conn_)) : "out of memory";
    // libpq quotes what it could not read of the URI, which may be the password itself.
    if (const std::string secret = uri_password(uri); !secret.empty()) {
      for (std::size_t at = 0; (at = message.find(secret, at)) != std::string::npos;) message.replace(at, secret.size(), "***");
    }
    pq_.PQfinish(conn_);
    conn_ = nullptr;
    if (refusal(message)) {
      throw history_error(fmt::format("history {}: cannot connect: {}; check the URI, the user and "
                                      "the password (PGPASSWORD, ~/.pgpass or PGPASSFILE)",
                                      location_, message),
                          true);
    }
    throw history_unreachable(fmt::format("history {}: cannot reach the server: {}; check that it "
                                          "runs and that the URI's host and port are right",
                                          location_, message));
  }
  pq_.PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  exec(fmt::format("SET search_path TO {}; SET lock_timeout = {}; SET client_min_messages = warning",
                   schema, lock_timeout.count()),
       "set up the session");
}

pg_connection::~pg_connection() { pq_.PQfinish(conn_); }

void pg_connection::fail(std::string_view what, pg_result* result) {
  const std::string sqlstate = result != nullptr && pq_.PQresultErrorField(result, PG_DIAG_SQLSTATE) != nullptr
                                   ? pq_.PQresultErrorField(result, PG_DIAG_SQLSTATE)
                                   : "";
  std::string message = trimmed(result != nullptr ? pq_.PQresultErrorMessage(result) : pq_.PQerrorMessage(conn_));
  if (message.empty()) message = trimmed(pq_.PQerrorMessage(conn_));
  if (message.starts_with("ERROR:  ")) message.erase(0, 8);
  pq_.PQclear(result);
  // Away, busy for now (another writer held the lock too long, a deadlock) or its disk full for
  // now (53100; the rest of class 53 may be a limit one batch always trips, which the spool's
  // one-by-one retry handles as an error): a run queues its result in the spool rather than
  // fail, and it is sent once the server can take it.
  const bool gone = pq_.PQstatus(conn_) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate.starts_with("57P") ||
                    sqlstate == "53100" || sqlstate == "55P03" || sqlstate == "40P01";
  const std::string text = fmt::format("history {}: {}: {}; {}", location_, what, message,
                                       pg_fix(sqlstate.empty() && pq_.PQstatus(conn_) != CONNECTION_OK ? "08000" : sqlstate));
  if (gone) throw history_unreachable(text);
  throw history_error(text, sqlstate.starts_with("28") || sqlstate == "3D000" || sqlstate == "42501");
}

const std::string& pg_connection::statement_for(const std::string& sql, std::string_view what) {
  const auto found = statements_.find(sql);
  if (found != statements_.end()) return found->second;
  const std::string name = fmt::format("perfcheck_{}", statements_.size() + 1);
  finish_active();
  PGresult* result = pq_.PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  if (pq_.PQresultStatus(result) != PGRES_COMMAND_OK) fail(what, result);
  pq_.PQclear(result);
  return statements_.emplace(sql, name).first->second;
}

void pg_connection::exec(std::string_view sql, std::string_view what) {
  finish_active();
  PGresult* result = pq_.PQexec(conn_, std::string(sql).c_str());
  const auto status = pq_.PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(what, result);
  pq_.PQclear(result);
}

void pg_connection::set_read_only() {
  exec("SET default_transaction_read_only = on", "open the history for reading only");
  read_only_ = true;
}

void pg_connection::begin(bool write) {
  if (write && read_only_) {
    throw history_error(fmt::format("history {}: opened for reading only, so nothing can be written; "
                                    "this is perfcheck's bug: report it with this message",
                                    location_),
                        false);
  }
  if (!write) {
    exec("BEGIN ISOLATION LEVEL REPEATABLE READ", "start a read transaction");
    return;
  }
  try {  // one round trip: the transaction and its lock (the server runs both, or neither)
    exec(fmt::format("BEGIN; {}", series_write_ ? shared_write_lock : write_lock),
         "start a write transaction and wait for the other writers (the history's write lock)");
  } catch (...) {  // the transaction is open (and aborted): end it, the connection stays usable
    rollback();
    throw;
  }
}

void pg_connection::begin_series_write() {
  series_write_ = true;
  try {
    begin(true);
  } catch (...) {
    series_write_ = false;
    throw;
  }
}

void pg_connection::lock_series(std::string_view key) {
  if (!series_write_) return;  // an exclusive write: every writer waits already
  sql_statement s(*this, series_lock, "wait for the other writers of the series");
  s.bind(1, key).run();
}

void pg_connection::commit() {
  series_write_ = false;
  finish_active();
  PGresult* result = pq_.PQexec(conn_, "COMMIT");
  if (pq_.PQresultStatus(result) != PGRES_COMMAND_OK) fail("commit", result);
  // A transaction that failed earlier ends with ROLLBACK, not an error: nothing was kept.
  const bool rolled_back = std::string_view(pq_.PQcmdStatus(result)) == "ROLLBACK";
  pq_.PQclear(result);
  if (rolled_back) {
    throw history_error(fmt::format("history {}: commit: the server rolled the transaction back; "
                                    "nothing of it was kept: retry",
                                    location_),
                        false);
  }
}

void pg_connection::rollback() noexcept {
  series_write_ = false;
  if (conn_ == nullptr || pq_.PQstatus(conn_) != CONNECTION_OK) return;
  try {
    finish_active();
  } catch (...) {  // the connection is gone: so is the transaction
    return;
  }
  if (pq_.PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  pq_.PQclear(pq_.PQexec(conn_, "ROLLBACK"));
}

}  // namespace perfcheck::store::detail
