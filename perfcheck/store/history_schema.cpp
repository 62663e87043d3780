// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history's schema, one versioned description: v1 and every forward step. The SQL stays
// portable (standard types, ?N parameters) so that a PostgreSQL store can share it.
#include "perfcheck/store/sql_history_store.hpp"

namespace perfcheck::store {
namespace {

constexpr const char* schema_v1 = R"sql(
CREATE TABLE results (
  id INTEGER PRIMARY KEY,
  result_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  machine TEXT NOT NULL,
  git_branch TEXT NOT NULL,
  git_commit TEXT NOT NULL,
  session_id TEXT NOT NULL,
  compiler TEXT NOT NULL,
  build_type TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  verdict TEXT NOT NULL,
  run_count INTEGER NOT NULL,
  result_json TEXT NOT NULL
);
CREATE INDEX results_by_series ON results (name, spec_hash, machine, git_branch, started_at);
CREATE INDEX results_by_session ON results (session_id, started_at);
CREATE INDEX results_by_start ON results (started_at);
CREATE TABLE samples (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  run_index INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (result_id, metric, run_index)
);
CREATE TABLE summaries (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  n INTEGER NOT NULL,
  min DOUBLE PRECISION,
  max DOUBLE PRECISION,
  mean DOUBLE PRECISION,
  median DOUBLE PRECISION,
  stddev DOUBLE PRECISION,
  mad DOUBLE PRECISION,
  p90 DOUBLE PRECISION,
  p95 DOUBLE PRECISION,
  p99 DOUBLE PRECISION,
  ci_low DOUBLE PRECISION,
  ci_high DOUBLE PRECISION,
  PRIMARY KEY (result_id, metric)
);
CREATE TABLE result_messages (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  position INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (result_id, kind, position)
);
)sql";

// v2: the series, baseline and session queries read their columns from an index alone. A
// results row carries its whole result JSON, so every row read from the table is a page of its
// own; these indexes hold just the columns those queries read (the rowid comes with every
// index entry), in the order they filter and sort, and replace the v1 indexes they extend.
constexpr const char* schema_v2 = R"sql(
CREATE INDEX results_series_columns ON results
  (name, spec_hash, machine, git_branch, started_at, verdict, result_key, git_commit, session_id);
DROP INDEX results_by_series;
CREATE INDEX results_session_columns ON results
  (session_id, started_at, finished_at, verdict, machine, git_branch, git_commit);
DROP INDEX results_by_session;
)sql";

// v3: baseline epochs. A result that regressed or failed waits for acceptance ('pending')
// instead of joining the baseline; `history accept` starts a new epoch of its series from the
// accepted results, and only the current epoch's accepted results form a baseline. Existing
// results are accepted members of epoch 0 (the column defaults). The series index gains the
// two columns at its end so that the baseline query still reads no results row.
constexpr const char* schema_v3 = R"sql(
ALTER TABLE results ADD COLUMN baseline_state TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE results ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
UPDATE results SET baseline_state = 'excluded' WHERE verdict = 'error';
CREATE INDEX results_epoch_columns ON results
  (name, spec_hash, machine, git_branch, started_at, verdict, result_key, git_commit, session_id,
   epoch, baseline_state);
DROP INDEX results_series_columns;
CREATE TABLE acceptances (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  machine TEXT NOT NULL,
  git_branch TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  first_result_key TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  UNIQUE (name, spec_hash, machine, git_branch, epoch)
);
)sql";

// v4: a test's trend reads its summaries from one run of an index. A summaries row sits with
// the other tests' rows of its session, so the series query (by name) read one page per result
// of the series, most of it other tests' rows; summaries.name (the result's test name) and an
// index ordered by it and holding every column the query reads put a series' rows together.
constexpr const char* schema_v4 = R"sql(
ALTER TABLE summaries ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE summaries SET name = (SELECT r.name FROM results r WHERE r.id = summaries.result_id);
CREATE INDEX summaries_series_columns ON summaries
  (name, metric, result_id, n, min, max, mean, median, stddev, mad, p90, p95, p99, ci_low,
   ci_high);
)sql";

// v5: a result's points. A sweep stores each level's samples and summaries beside the others,
// keyed by the level's text ("n=500", to_string(level)); a test without levels is one point with
// the empty level, so every older row becomes that point. The level joins the primary keys, and
// SQLite cannot change a primary key in place: both tables are rebuilt. A series is (test,
// level): the covering index puts the level right after the name.
constexpr const char* schema_v5 = R"sql(
CREATE TABLE samples_v5 (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  level TEXT NOT NULL DEFAULT '',
  metric TEXT NOT NULL,
  run_index INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (result_id, level, metric, run_index)
);
INSERT INTO samples_v5 (result_id, level, metric, run_index, value)
  SELECT result_id, '', metric, run_index, value FROM samples;
DROP TABLE samples;
ALTER TABLE samples_v5 RENAME TO samples;
CREATE TABLE summaries_v5 (
  result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  level TEXT NOT NULL DEFAULT '',
  metric TEXT NOT NULL,
  n INTEGER NOT NULL,
  min DOUBLE PRECISION,
  max DOUBLE PRECISION,
  mean DOUBLE PRECISION,
  median DOUBLE PRECISION,
  stddev DOUBLE PRECISION,
  mad DOUBLE PRECISION,
  p90 DOUBLE PRECISION,
  p95 DOUBLE PRECISION,
  p99 DOUBLE PRECISION,
  ci_low DOUBLE PRECISION,
  ci_high DOUBLE PRECISION,
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (result_id, level, metric)
);
INSERT INTO summaries_v5 (result_id, level, metric, n, min, max, mean, median, stddev, mad, p90,
                          p95, p99, ci_low, ci_high, name)
  SELECT result_id, '', metric, n, min, max, mean, median, stddev, mad, p90, p95, p99, ci_low,
         ci_high, name FROM summaries;
DROP TABLE summaries;
ALTER TABLE summaries_v5 RENAME TO summaries;
CREATE INDEX summaries_level_columns ON summaries
  (name, level, metric, result_id, n, min, max, mean, median, stddev, mad, p90, p95, p99, ci_low,
   ci_high);
)sql";

}  // namespace

const std::vector<schema_migration>& sqlite_migrations() {
  static const std::vector<schema_migration> steps{
      {1, "v1: results, samples, summaries, result_messages", schema_v1},
      {2, "v2: covering indexes for series, baselines and sessions", schema_v2},
      {3, "v3: baseline epochs (baseline_state, epoch, acceptances)", schema_v3},
      {4, "v4: summaries by test name (summaries.name, summaries_series_columns)", schema_v4},
      {5, "v5: points (samples.level, summaries.level, summaries_level_columns)", schema_v5},
  };
  return steps;
}

}  // namespace perfcheck::store
