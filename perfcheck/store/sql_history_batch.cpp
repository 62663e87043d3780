// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The write side of the history (every SQL backend): results added in one transaction, each statement
// prepared once per batch (an import of 100,000 results prepares a few statements, not 700,000), and
// a result's samples, summaries and messages written many rows to a statement (sql_rows.hpp).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/store/sql_history_store.hpp"
#include "perfcheck/store/sql_rows.hpp"

namespace perfcheck::store::detail {
namespace {

class sql_batch final : public history_batch {
 public:
  sql_batch(sql_connection& db, int version, bool one_series)
      : epochs_(version >= 3),
        names_(version >= 4),
        levels_(version >= 5),
        tx_(db, one_series ? sql_transaction::mode::series_write : sql_transaction::mode::write),
        insert_(db, fmt::format(R"sql(
    INSERT INTO results (result_key, name, spec_hash, machine, git_branch, git_commit, session_id,
                         compiler, build_type, started_at, finished_at, recorded_at, verdict,
                         run_count, result_json{})
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15{})
    ON CONFLICT (result_key) DO NOTHING
    RETURNING id)sql",
                                epochs_ ? ", epoch, baseline_state" : "", epochs_ ? ", ?16, ?17" : ""),
                "add a result"),
        sample_(db,
                fmt::format("samples (result_id, metric, run_index, value{})", levels_ ? ", level" : ""),
                levels_ ? 5 : 4, "add the samples"),
        summary_(db,
                 fmt::format("summaries (result_id, metric, {}{}{})", summary_columns, names_ ? ", name" : "",
                             levels_ ? ", level" : ""),
                 14 + (names_ ? 1 : 0) + (levels_ ? 1 : 0), "add the summaries"),
        message_(db, "result_messages (result_id, kind, position, message)", 4, "add the reasons and warnings") {
    if (epochs_) placer_ = std::make_unique<epoch_placer>(db);
  }

  bool add(const stored_result& entry) override {
    const run_result& r = entry.result;
    insert_.bind(1, entry.key)
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
    if (placer_) {
      // As it stood in the history it was exported from, when the file says; else placed after
      // the results before it in this batch (a regression's followers see it pending).
      const epoch_place place = entry.baseline
                                    ? epoch_place{entry.baseline->epoch, entry.baseline->state}
                                    : placer_->place(r);
      insert_.bind(16, place.epoch).bind(17, to_string(place.state));
    }
    const bool added = insert_.step();
    if (added) {
      const std::int64_t id = insert_.integer(0);
      insert_.run();
      insert_rows(id, r);
    }
    insert_.reset();
    return added;
  }

  void commit() override { tx_.commit(); }

 private:
  // A plain test's runs and summaries are its one point, with the empty level; a sweep's are
  // each point's, with the point's level, and a capacity search's rate found has the empty
  // level (before schema v5 only the plain test's are kept).
  void insert_rows(std::int64_t id, const run_result& r) {
    if (r.points.empty()) {
      insert_point(id, r.name, "", r.runs, r.summary);
    } else if (levels_) {
      for (const auto& p : r.points) insert_point(id, r.name, to_string(p.at), p.runs, p.summary);
      // A capacity search's rate found is the whole's (its steps are the points): the empty level.
      if (const auto c = r.summary.find("capacity"); c != r.summary.end() && r.runs.empty())
        insert_point(id, r.name, "", {}, {{c->first, c->second}});
    }
    insert_messages(id, r);
    sample_.flush();
    summary_.flush();
    message_.flush();
  }

  void insert_point(std::int64_t id, const std::string& name, const std::string& at,
                    const std::vector<run_sample>& runs,
                    const std::map<std::string, metric_summary>& summary) {
    for (const auto& [metric, values] : metric_columns(runs)) {
      for (std::size_t i = 0; i < values.size(); ++i) {
        std::vector<sql_value> row{id, metric, static_cast<std::int64_t>(i), values[i]};
        if (levels_) row.emplace_back(at);
        sample_.add(std::move(row));
      }
    }
    for (const auto& [metric, m] : summary) {
      std::vector<sql_value> row{id, metric, static_cast<std::int64_t>(m.n)};
      for (double v : {m.min, m.max, m.mean, m.median, m.stddev, m.mad, m.p90, m.p95, m.p99, m.ci_low, m.ci_high}) {
        row.emplace_back(v);
      }
      if (names_) row.emplace_back(name);
      if (levels_) row.emplace_back(at);
      summary_.add(std::move(row));
    }
  }

  void insert_messages(std::int64_t id, const run_result& r) {
    const std::pair<std::string_view, const std::vector<std::string>*> kinds[] = {
        {"reason", &r.reasons}, {"warning", &r.warnings}};
    for (const auto& [kind, texts] : kinds) {
      for (std::size_t i = 0; i < texts->size(); ++i) {
        message_.add({id, std::string(kind), static_cast<std::int64_t>(i), (*texts)[i]});
      }
    }
  }

  bool epochs_;  ///< schema v3: results carry their epoch and baseline state
  bool names_;   ///< schema v4: summaries carry the test's name
  bool levels_;  ///< schema v5: samples and summaries carry their point's level
  // Declared before the statements: they are finalized before the transaction ends.
  sql_transaction tx_;
  sql_statement insert_;
  sql_row_writer sample_, summary_, message_;
  std::unique_ptr<epoch_placer> placer_;  ///< with schema v3's epoch columns only
};

}  // namespace

std::unique_ptr<history_batch> begin_sql_batch(sql_connection& db, int version, bool one_series) {
  return std::make_unique<sql_batch>(db, version, one_series);
}

}  // namespace perfcheck::store::detail
