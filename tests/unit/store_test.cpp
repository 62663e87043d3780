// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE store
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <sqlite3.h>
#include <boost/json.hpp>

#include "temp_folder.hpp"
#include "store_results.hpp"
#include "test_store.hpp"

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/recording.hpp"
#include "perfcheck/store/sqlite_handle.hpp"
#include "perfcheck/store/sqlite_history_store.hpp"

using namespace perfcheck;
using namespace perfcheck::store;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs SQL on a file with the plain C API, as another program would.
void raw_sql(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

// The first column of the first row of `sql`, as an integer.
std::int64_t raw_count(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    value = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return value;
}

// The first column of the first row of `sql`, as text.
std::string raw_text(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  std::string value = "(none)";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return value;
}

std::string refusal(const fs::path& path, sqlite_store_options options = {}) {
  try {
    sqlite_history_store store(path, std::move(options));
  } catch (const history_error& e) {
    BOOST_TEST(e.refused());
    return e.what();
  }
  return "(no error)";
}

// The schema version this perfcheck writes.
int latest_version() { return static_cast<int>(sqlite_migrations().size()); }

// A history with one result, closed again (so its WAL is checkpointed into the file).
void make_history(const fs::path& path, sqlite_store_options options = {}) {
  sqlite_history_store store(path, std::move(options));
  store.record(make_result({}));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recording)

BOOST_AUTO_TEST_CASE(record_and_read_back_every_field) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  const run_result original = make_result({.outcome = verdict::failed});
  {
    sqlite_history_store store(path);
    BOOST_TEST(store.schema_version() == latest_version());
    BOOST_TEST(store.record(original));
    const auto all = store.all_results();
    BOOST_REQUIRE(all.size() == 1u);
    BOOST_TEST(all[0].key == result_key(original));
    BOOST_TEST((all[0].result == original));
    BOOST_TEST(all[0].recorded_at.size() == 24u);
    const auto session = store.session_results("sess-1");
    BOOST_REQUIRE(session.size() == 1u);
    BOOST_TEST((session[0] == all[0]));
    BOOST_TEST(store.session_results("other").empty());
  }
  // Every sample of every metric_columns metric, one row each; summaries; messages; context.
  const auto columns = metric_columns(original.runs);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM samples") ==
             static_cast<std::int64_t>(columns.size() * original.runs.size()));
  BOOST_TEST(raw_count(path, "SELECT COUNT(DISTINCT metric) FROM samples") ==
             static_cast<std::int64_t>(columns.size()));
  BOOST_TEST(raw_count(path, "SELECT value FROM samples WHERE metric = 'cpu' AND run_index = 2") ==
             60 + 30);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries") == 2);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM result_messages WHERE kind = 'reason'") == 1);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM result_messages WHERE kind = 'warning'") == 1);
  BOOST_TEST(raw_count(path,
                       "SELECT COUNT(*) FROM results WHERE verdict = 'failed' AND git_commit = "
                       "'abc123' AND compiler = 'GNU 12.2.0' AND build_type = 'Release' AND "
                       "machine = 'm1' AND spec_hash = 's1' AND session_id = 'sess-1'") == 1);
  BOOST_TEST(raw_text(path, "PRAGMA journal_mode") == "wal");
}

// Rows written before results carried the threshold's parts read with them: the one reader
// parses the text of such a row once.
BOOST_AUTO_TEST_CASE(rows_without_threshold_parts_read_typed) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  const run_result original = make_result({});
  make_history(path);
  raw_sql(path, "UPDATE results SET result_json = json_remove(result_json, '$.thresholds[0].metric', "
                "'$.thresholds[0].statistic', '$.thresholds[0].op', '$.thresholds[0].limit', "
                "'$.thresholds[0].unit', '$.thresholds[0].form', '$.thresholds[0].source', "
                "'$.thresholds[0].measured')");
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM results WHERE json_extract(result_json, '$.thresholds[0].metric') IS NULL") == 1);
  sqlite_history_store store(path);
  const auto all = store.all_results();
  BOOST_REQUIRE(all.size() == 1u);
  BOOST_REQUIRE(all[0].result.thresholds.size() == 1u);
  const threshold_outcome& t = all[0].result.thresholds[0];
  BOOST_TEST(t.typed);
  BOOST_TEST(t.expr.metric == "wall");
  BOOST_TEST(t.expr.statistic == "p95");
  BOOST_TEST(t.expr.limit == 1e6);
  BOOST_TEST((t == original.thresholds[0]));
}

BOOST_AUTO_TEST_CASE(the_same_result_is_stored_once, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  const auto r = make_result({});
  BOOST_TEST(store.record(r));
  BOOST_TEST(!store.record(r));
  auto other = r;
  other.started_at = minute(5);
  BOOST_TEST(result_key(other) != result_key(r));
  BOOST_TEST(store.record(other));
  BOOST_TEST(store.all_results().size() == 2u);
}

BOOST_AUTO_TEST_CASE(sessions_are_listed_with_verdict_counts, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  store.record(make_result({.name = "a", .started_at = minute(1), .session = "s1"}));
  store.record(make_result(
      {.name = "b", .started_at = minute(2), .session = "s1", .outcome = verdict::regressed}));
  store.record(make_result({.name = "a", .started_at = minute(0), .session = "s0"}));
  const auto sessions = store.sessions();
  BOOST_REQUIRE(sessions.size() == 2u);
  BOOST_TEST(sessions[0].id == "s0");
  BOOST_TEST(sessions[1].id == "s1");
  BOOST_TEST(sessions[1].results == 2u);
  BOOST_TEST(sessions[1].verdicts.at(verdict::pass) == 1u);
  BOOST_TEST(sessions[1].verdicts.at(verdict::regressed) == 1u);
  BOOST_TEST(sessions[1].started_at == minute(1));
  BOOST_TEST(sessions[1].git_branch == "main");
  const auto results = store.session_results("s1");
  BOOST_REQUIRE(results.size() == 2u);
  BOOST_TEST(results[0].result.name == "a");
  BOOST_TEST(results[1].result.name == "b");
}

BOOST_AUTO_TEST_CASE(series_is_time_ordered_and_filtered, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  // Recorded out of order: the series follows started_at, not insertion.
  for (int m : {3, 1, 2})
    store.record(make_result({.started_at = minute(m), .walls = {m * 100, m * 100, m * 100}}));
  store.record(make_result({.started_at = minute(4), .machine = "m2"}));
  store.record(make_result({.started_at = minute(5), .branch = "feature"}));
  store.record(make_result({.name = "other", .started_at = minute(6)}));

  const auto all = store.series({.name = "parse"});
  BOOST_REQUIRE(all.size() == 5u);
  BOOST_TEST(all[0].started_at == minute(1));
  BOOST_TEST(all[4].started_at == minute(5));
  BOOST_TEST(all[0].summary.at("wall").median == 100.0);
  BOOST_TEST(all[0].summary.at("wall").stddev == 11686.774362461327);
  BOOST_TEST(all[0].git_commit == "abc123");
  BOOST_TEST(all[0].session_id == "sess-1");

  const auto one_machine = store.series({.name = "parse", .machine = "m1", .git_branch = "main"});
  BOOST_REQUIRE(one_machine.size() == 3u);
  BOOST_TEST(one_machine[2].summary.at("wall").median == 300.0);

  const auto last_two = store.series({.name = "parse", .machine = "m1", .last = 2});
  BOOST_REQUIRE(last_two.size() == 2u);
  BOOST_TEST(last_two[0].started_at == minute(3));
  BOOST_TEST(last_two[1].started_at == minute(5));
  BOOST_TEST(store.series({.name = "parse", .spec_hash = "nope"}).empty());

  // Only the metrics asked for; one that was never measured is simply absent.
  const auto wall_only = store.series({.name = "parse", .metrics = {"wall", "cycles"}});
  BOOST_REQUIRE(wall_only.size() == 5u);
  for (const auto& p : wall_only) {
    BOOST_TEST(p.summary.size() == 1u);
    BOOST_TEST(p.summary.contains("wall"));
  }
  BOOST_TEST(wall_only[0].summary.at("wall").median == 100.0);
  BOOST_TEST(all[0].summary.size() == 2u);  // wall and rss without a filter
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(baselines)

BOOST_AUTO_TEST_CASE(a_branch_is_compared_with_the_default_branch_never_with_itself, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  const auto main1 = make_result({.started_at = minute(1), .walls = {1, 2}, .commit = "c1"});
  const auto main2 = make_result({.started_at = minute(2), .walls = {3, 4}, .commit = "c2"});
  const auto feat = make_result(
      {.started_at = minute(3), .branch = "feature", .walls = {5, 6}, .commit = "f1"});
  const auto main3 = make_result({.started_at = minute(4), .walls = {7, 8}, .commit = "c3"});
  for (const auto& r : {main1, main2, feat, main3}) store.record(r);

  baseline_query q{.name = "parse",
                   .spec_hash = "s1",
                   .machine = "m1",
                   .git_branch = "feature",
                   .default_branch = "main"};
  auto pool = store.baseline(q);  // merge base unknown: main's newest, not the branch's own
  BOOST_TEST(pool.git_branch == "main");
  BOOST_TEST(pool.samples == (std::vector<double>{7, 8, 3, 4, 1, 2}));
  BOOST_TEST(pool.merge_base.empty());

  q.merge_base = "c2";  // the branch left main at c2: main's results up to c2's
  pool = store.baseline(q);
  BOOST_TEST(pool.git_branch == "main");
  BOOST_TEST(pool.result_keys == (std::vector<std::string>{result_key(main2), result_key(main1)}));
  BOOST_TEST(pool.merge_base == "c2");
  q.merge_base = "not-recorded";  // no result of that commit: main's newest again
  BOOST_TEST(store.baseline(q).result_keys.size() == 3u);
  BOOST_TEST(store.baseline(q).merge_base.empty());
  q.merge_base.clear();

  q.git_branch = "fresh-branch";  // nothing of its own either: main as well
  BOOST_TEST(store.baseline(q).result_keys.size() == 3u);

  q.git_branch = "feature";
  q.default_branch = "";  // no default branch: every branch is its own
  pool = store.baseline(q);
  BOOST_TEST(pool.git_branch == "feature");
  BOOST_TEST(pool.result_keys == (std::vector<std::string>{result_key(feat)}));

  q.git_branch = "main";
  q.default_branch = "main";
  q.before = minute(2);  // only results started before: main1
  pool = store.baseline(q);
  BOOST_TEST(pool.result_keys == (std::vector<std::string>{result_key(main1)}));

  q.before.clear();
  q.metric = "rss";
  BOOST_TEST(store.baseline(q).samples == (std::vector<double>{4103, 4104, 4099, 4100, 4097, 4098}));
  q.metric = "no-such-metric";
  BOOST_TEST(store.baseline(q).result_keys.empty());

  // An acceptance on the branch gives it an epoch of its own: then it is its own baseline.
  q = {.name = "parse", .spec_hash = "s1", .machine = "m1", .git_branch = "feature",
       .default_branch = "main"};
  const auto feat2 = make_result(
      {.started_at = minute(5), .branch = "feature", .session = "sess-f", .walls = {9}});
  store.record(feat2);
  BOOST_TEST((store.accept({.name = "parse", .session_id = "sess-f"}).outcome ==
              acceptance::status::accepted));
  pool = store.baseline(q);
  BOOST_TEST(pool.git_branch == "feature");
  BOOST_TEST(pool.result_keys == (std::vector<std::string>{result_key(feat2)}));
  BOOST_TEST(pool.epoch == 1);
}

BOOST_AUTO_TEST_CASE(other_machines_specs_tests_and_errors_never_count, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  const auto good = make_result({.started_at = minute(1), .walls = {7}});
  store.record(good);
  store.record(make_result({.started_at = minute(2), .machine = "m2", .walls = {1}}));
  store.record(make_result({.started_at = minute(3), .spec_hash = "s2", .walls = {1}}));
  store.record(make_result({.name = "other", .started_at = minute(4), .walls = {1}}));
  store.record(make_result({.started_at = minute(5), .outcome = verdict::error, .walls = {1}}));
  const auto pool = store.baseline({.name = "parse",
                                    .spec_hash = "s1",
                                    .machine = "m1",
                                    .git_branch = "main",
                                    .default_branch = "main"});
  BOOST_TEST(pool.samples == (std::vector<double>{7}));
  BOOST_TEST(pool.result_keys == (std::vector<std::string>{result_key(good)}));
}

BOOST_AUTO_TEST_CASE(whole_results_are_pooled_up_to_the_sample_cap, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  for (int m = 1; m <= 3; ++m) {
    store.record(make_result({.started_at = minute(m), .walls = std::vector<std::int64_t>(10, m)}));
  }
  baseline_query q{.name = "parse", .spec_hash = "s1", .machine = "m1", .git_branch = "main"};
  q.sample_cap = 25;  // two whole results; the third would pass the cap
  auto pool = store.baseline(q);
  BOOST_TEST(pool.samples.size() == 20u);
  BOOST_TEST(pool.result_keys.size() == 2u);
  BOOST_TEST(pool.samples.front() == 3.0);
  BOOST_TEST(pool.samples.back() == 2.0);
  q.sample_cap = 30;
  BOOST_TEST(store.baseline(q).result_keys.size() == 3u);
  q.sample_cap = 1000;
  BOOST_TEST(store.baseline(q).samples.size() == 30u);
  q.sample_cap = 4;  // the newest result alone is cut to the cap
  pool = store.baseline(q);
  BOOST_TEST(pool.samples == (std::vector<double>{3, 3, 3, 3}));
  BOOST_TEST(pool.result_keys.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(baseline_epochs)

// The keys of the results the baseline pools (wall, newest first) on branch main.
std::vector<std::string> baseline_keys(history_store& store) {
  return store
      .baseline({.name = "parse", .spec_hash = "s1", .machine = "m1", .git_branch = "main",
                 .default_branch = "main"})
      .result_keys;
}

std::vector<std::string> keys_of(std::initializer_list<const run_result*> results) {
  std::vector<std::string> out;
  for (const auto* r : results) out.push_back(result_key(*r));
  return out;
}

const series_identity main_series{"parse", "s1", "m1", "main"};

BOOST_AUTO_TEST_CASE(each_verdict_takes_its_state) {
  using enum baseline_state;
  BOOST_TEST((state_for(verdict::pass, true, false) == accepted));
  BOOST_TEST((state_for(verdict::improved, true, false) == accepted));
  BOOST_TEST((state_for(verdict::inconclusive, false, false) == accepted));
  BOOST_TEST((state_for(verdict::inconclusive, true, false) == pending));
  BOOST_TEST((state_for(verdict::regressed, false, true) == pending));
  BOOST_TEST((state_for(verdict::failed, false, false) == pending));
  BOOST_TEST((state_for(verdict::failed, false, true) == accepted));  // a first result is the level
  BOOST_TEST((state_for(verdict::error, false, true) == excluded));
  BOOST_TEST(to_string(pending) == "pending");
}

BOOST_AUTO_TEST_CASE(a_regression_stays_out_of_the_baseline_until_accepted) {
  temp_folder tmp;
  sqlite_history_store store(tmp.file("h.sqlite"));
  const auto p1 = make_result({.started_at = minute(1), .session = "s-1", .walls = {10}});
  const auto p2 = make_result({.started_at = minute(2), .session = "s-2", .walls = {11}});
  const auto r3 = make_result({.started_at = minute(3), .session = "s-3",
                               .outcome = verdict::regressed, .walls = {30}, .commit = "slow1"});
  const auto i4 = make_result({.started_at = minute(4), .session = "s-4",
                               .outcome = verdict::inconclusive, .walls = {29}});
  const auto r5 = make_result({.started_at = minute(5), .session = "s-5",
                               .outcome = verdict::regressed, .walls = {31}});
  for (const auto* r : {&p1, &p2}) store.record(*r);
  BOOST_TEST(!store.pending(main_series).has_value());
  for (const auto* r : {&r3, &i4, &r5}) {
    store.record(*r);
    // Every later session is still compared with the level before the regression.
    BOOST_TEST(baseline_keys(store) == keys_of({&p2, &p1}));
  }
  auto waiting = store.pending(main_series);
  BOOST_REQUIRE(waiting.has_value());
  BOOST_TEST(waiting->first_key == result_key(r3));
  BOOST_TEST(waiting->first_commit == "slow1");
  BOOST_TEST(waiting->first_session == "s-3");
  BOOST_TEST((waiting->first_outcome == verdict::regressed));
  BOOST_TEST(waiting->results == 3u);
  BOOST_TEST(waiting->epoch == 0);

  const auto done = store.accept({.name = "parse", .accepted_at = minute(9)});
  BOOST_TEST((done.outcome == acceptance::status::accepted));
  BOOST_TEST(done.epoch == 1);
  BOOST_TEST(done.first_key == result_key(r3));
  BOOST_TEST(done.first_commit == "slow1");
  BOOST_TEST(done.results == 3u);
  BOOST_TEST((done.series == main_series));
  // The new epoch: only the accepted results from the change on; the old level no longer pools.
  BOOST_TEST(baseline_keys(store) == keys_of({&r5, &i4, &r3}));
  BOOST_TEST(!store.pending(main_series).has_value());
  BOOST_TEST(raw_count(tmp.file("h.sqlite"), "SELECT COUNT(*) FROM acceptances WHERE epoch = 1 "
                                              "AND accepted_at = '" + minute(9) + "'") == 1);
  // Nothing waits any more: a second accept says so and changes nothing.
  BOOST_TEST((store.accept({.name = "parse"}).outcome == acceptance::status::nothing_pending));
  BOOST_TEST((store.accept({.name = "nope"}).outcome == acceptance::status::no_such_result));
  BOOST_TEST(baseline_keys(store) == keys_of({&r5, &i4, &r3}));
  // Results of the new level join automatically again.
  const auto p6 = make_result({.started_at = minute(6), .walls = {30}});
  store.record(p6);
  BOOST_TEST(baseline_keys(store) == keys_of({&p6, &r5, &i4, &r3}));
}

BOOST_AUTO_TEST_CASE(a_pass_ends_the_streak_and_errors_never_count, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  const auto f1 = make_result({.started_at = minute(1), .outcome = verdict::failed, .walls = {5}});
  const auto e2 = make_result({.started_at = minute(2), .outcome = verdict::error, .walls = {5}});
  const auto f3 = make_result({.started_at = minute(3), .outcome = verdict::failed, .walls = {6}});
  const auto p4 = make_result({.started_at = minute(4), .walls = {5}});
  const auto i5 = make_result({.started_at = minute(5), .outcome = verdict::inconclusive,
                               .walls = {5}});
  store.record(f1);  // the first result starts the level, even when a threshold failed
  store.record(e2);
  BOOST_TEST(baseline_keys(store) == keys_of({&f1}));
  BOOST_TEST(!store.pending(main_series).has_value());
  store.record(f3);  // a later failure waits
  BOOST_TEST(baseline_keys(store) == keys_of({&f1}));
  BOOST_REQUIRE(store.pending(main_series).has_value());
  BOOST_TEST((store.pending(main_series)->first_outcome == verdict::failed));
  store.record(p4);  // agrees with the accepted level: joins, and nothing waits any more
  BOOST_TEST(!store.pending(main_series).has_value());
  store.record(i5);  // inconclusive outside a streak joins as before
  BOOST_TEST(baseline_keys(store) == keys_of({&i5, &p4, &f1}));
}

BOOST_AUTO_TEST_CASE(accept_with_a_session_starts_the_epoch_at_its_result) {
  temp_folder tmp;
  sqlite_history_store store(tmp.file("h.sqlite"));
  const auto p1 = make_result({.started_at = minute(1), .session = "s-1", .walls = {1}});
  const auto p2 = make_result({.started_at = minute(2), .session = "s-2", .walls = {2}});
  const auto p3 = make_result({.started_at = minute(3), .session = "s-3", .walls = {3}});
  const auto other = make_result({.name = "other", .started_at = minute(4), .session = "s-4"});
  for (const auto* r : {&p1, &p2, &p3, &other}) store.record(*r);
  BOOST_TEST((store.accept({.name = "parse", .session_id = "s-4"}).outcome ==
              acceptance::status::no_such_result));
  const auto done = store.accept({.name = "parse", .session_id = "s-2"});
  BOOST_TEST((done.outcome == acceptance::status::accepted));
  BOOST_TEST(done.first_key == result_key(p2));
  BOOST_TEST(done.results == 2u);
  BOOST_TEST(baseline_keys(store) == keys_of({&p3, &p2}));
  // A later acceptance starts epoch 2; epoch 1's results no longer count.
  BOOST_TEST(store.accept({.name = "parse", .session_id = "s-3"}).epoch == 2);
  BOOST_TEST(baseline_keys(store) == keys_of({&p3}));
}

// Each result's state and epoch, oldest first: "accepted@0 pending@1 ...".
std::string epoch_states(const fs::path& path) {
  return raw_text(path, "SELECT group_concat(baseline_state || '@' || epoch, ' ') FROM "
                        "(SELECT * FROM results ORDER BY started_at)");
}

BOOST_AUTO_TEST_CASE(export_then_import_gives_the_same_baselines) {
  temp_folder tmp;
  sqlite_history_store source(tmp.file("a.sqlite"));
  const auto p1 = make_result({.started_at = minute(1), .walls = {10}});
  const auto p2 = make_result({.started_at = minute(2), .walls = {11}});
  const auto r3 = make_result({.started_at = minute(3), .outcome = verdict::regressed, .walls = {30}});
  const auto p4 = make_result({.started_at = minute(4), .walls = {31}});
  const auto r5 = make_result({.started_at = minute(5), .outcome = verdict::regressed, .walls = {60}});
  const auto i6 = make_result({.started_at = minute(6), .outcome = verdict::inconclusive, .walls = {59}});
  for (const auto* r : {&p1, &p2, &r3}) source.record(*r);
  BOOST_TEST((source.accept({.name = "parse"}).outcome == acceptance::status::accepted));
  for (const auto* r : {&p4, &r5, &i6}) source.record(*r);
  const std::string states = "accepted@0 accepted@0 accepted@1 accepted@1 pending@1 pending@1";
  BOOST_TEST(epoch_states(tmp.file("a.sqlite")) == states);
  BOOST_TEST(baseline_keys(source) == keys_of({&p4, &r3}));

  std::string exported;
  write_history_export(source, [&](std::string_view text) { exported += text; });
  BOOST_TEST(contains(exported, R"("baseline": {)"));
  std::ofstream(tmp.file("export.json")) << exported;
  sqlite_history_store copy(tmp.file("b.sqlite"));
  const auto batch = copy.begin_batch();
  stream_history_file(tmp.file("export.json"), [&](stored_result&& r) { batch->add(r); });
  batch->commit();
  BOOST_TEST(epoch_states(tmp.file("b.sqlite")) == states);
  BOOST_TEST(baseline_keys(copy) == baseline_keys(source));
  BOOST_TEST((copy.pending(main_series) == source.pending(main_series)));
  BOOST_TEST(copy.pending(main_series)->first_key == result_key(r5));
  // The copy exports the same bytes, and a later accept starts the epoch after the copied ones.
  std::string again;
  write_history_export(copy, [&](std::string_view text) { again += text; });
  BOOST_TEST((again == exported));
  BOOST_TEST(copy.accept({.name = "parse"}).epoch == 2);

  // An export without epochs (an older perfcheck's): the rules, in file order.
  auto old = parse_json_text(exported, "export.json");
  for (auto& entry : old.as_object()["results"].as_array()) entry.as_object().erase("baseline");
  sqlite_history_store rules(tmp.file("c.sqlite"));
  rules.add(history_from_json(old, "old.json"));
  BOOST_TEST(epoch_states(tmp.file("c.sqlite")) ==
             "accepted@0 accepted@0 pending@0 accepted@0 pending@0 pending@0");
}

BOOST_AUTO_TEST_CASE(a_batch_prepares_its_statements_once) {
  temp_folder tmp;
  { sqlite_history_store store(tmp.file("h.sqlite")); }  // schema v3, with epochs
  detail::sqlite_connection db(tmp.file("h.sqlite"), SQLITE_OPEN_READWRITE, std::chrono::seconds(5));
  const auto batch = detail::begin_sql_batch(db, static_cast<int>(sqlite_migrations().size()));
  // A statement per shape of rows (a regressed result has a reason more than a pass): once the
  // batch has seen both shapes, no result prepares anything.
  BOOST_TEST(batch->add(stored_result_for(make_result({.started_at = minute(0)}))));
  const std::size_t after_first = db.statements_prepared();
  BOOST_TEST(batch->add(stored_result_for(make_result({.started_at = minute(0), .outcome = verdict::regressed,
                                                       .walls = {7, 8, 9}}))));
  const std::size_t prepared = db.statements_prepared();
  BOOST_TEST(prepared <= after_first + 1);
  for (int m = 1; m <= 20; ++m) {
    const verdict v = m % 3 == 0 ? verdict::regressed : verdict::pass;
    BOOST_TEST(batch->add(stored_result_for(make_result({.started_at = minute(m), .outcome = v}))));
  }
  BOOST_TEST(db.statements_prepared() == prepared);
  batch->commit();
}

BOOST_AUTO_TEST_CASE(an_imported_baseline_state_must_fit_the_verdict) {
  auto with_baseline = [](const boost::json::value& baseline, verdict v) {
    const run_result r = make_result({.outcome = v});
    boost::json::value entry = {{"key", result_key(r)}, {"recorded_at", minute(0)}, {"baseline", baseline},
                                {"result", result_to_json(r)}};
    const boost::json::value file = {{"schema", history_schema}, {"results", boost::json::array{entry}}};
    try {
      const auto entries = history_from_json(file, "x.json");
      return entries.at(0).baseline == epoch_membership{3, baseline_state::pending} ? std::string("read")
                                                                                     : std::string("other");
    } catch (const usage_error& e) {
      return std::string(e.what());
    }
  };
  BOOST_TEST(with_baseline({{"epoch", 3}, {"state", "pending"}}, verdict::regressed) == "read");
  std::string message = with_baseline({{"epoch", 3}, {"state", "accepted"}}, verdict::error);
  BOOST_TEST(contains(message, "field 'results[0].baseline.state': 'accepted' does not fit the result's "
                               "verdict 'error'"), message);
  message = with_baseline({{"epoch", 3}, {"state", "excluded"}}, verdict::pass);
  BOOST_TEST(contains(message, "does not fit the result's verdict 'pass'"), message);
  message = with_baseline({{"epoch", 3}, {"state", "waiting"}}, verdict::pass);
  BOOST_TEST(contains(message, "'waiting' is not a baseline state; use accepted, pending or excluded"), message);
  message = with_baseline({{"epoch", -1}, {"state", "pending"}}, verdict::regressed);
  BOOST_TEST(contains(message, "results[0].baseline.epoch"), message);
  message = with_baseline({{"state", "pending"}}, verdict::regressed);
  BOOST_TEST(contains(message, "results[0].baseline.epoch"), message);
  message = with_baseline({{"epoch", 1}, {"state", "pending"}, {"when", 1}}, verdict::regressed);
  BOOST_TEST(contains(message, "when"), message);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(a_new_file_is_created_at_the_current_version) {
  temp_folder tmp;
  const auto path = tmp.file("sub-h.sqlite");
  { sqlite_history_store store(path); }
  BOOST_TEST(
      raw_count(path, "SELECT CAST(value AS INTEGER) FROM perfcheck_meta WHERE name = 'version'") ==
      latest_version());
  BOOST_TEST(raw_count(path,
                       "SELECT COUNT(*) FROM perfcheck_meta WHERE name = 'format' AND value = "
                       "'perfcheck/history'") == 1);
}

BOOST_AUTO_TEST_CASE(a_v0_file_migrates_to_the_latest_version) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  raw_sql(path,
          "CREATE TABLE perfcheck_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "INSERT INTO perfcheck_meta VALUES ('format', 'perfcheck/history'), ('version', '0');");
  sqlite_history_store store(path);
  BOOST_TEST(store.schema_version() == latest_version());
  BOOST_TEST(store.record(make_result({})));
}

BOOST_AUTO_TEST_CASE(a_v1_file_migrates_to_v2_and_keeps_its_data) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  sqlite_store_options v1;
  v1.migrations.resize(1);
  std::vector<run_result> written;
  {
    sqlite_history_store store(path, v1);
    BOOST_TEST(store.schema_version() == 1);
    for (int i = 0; i < 3; ++i) {
      written.push_back(make_result({.started_at = minute(i), .outcome = i == 1 ? verdict::error
                                                                               : verdict::pass}));
      BOOST_TEST(store.record(written.back()));
    }
  }
  const auto index_count = [&](const std::string& name) {
    return raw_count(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '" +
                               name + "'");
  };
  BOOST_TEST(index_count("results_by_series") == 1);
  sqlite_store_options v2;
  v2.migrations.resize(2);
  sqlite_history_store store(path, v2);
  BOOST_TEST(store.schema_version() == 2);
  BOOST_TEST(index_count("results_series_columns") == 1);
  BOOST_TEST(index_count("results_session_columns") == 1);
  BOOST_TEST(index_count("results_by_series") == 0);
  BOOST_TEST(index_count("results_by_session") == 0);
  const auto all = store.all_results();
  BOOST_REQUIRE(all.size() == written.size());
  for (std::size_t i = 0; i < all.size(); ++i) BOOST_TEST((all[i].result == written[i]));
  const auto points = store.series({.name = "parse"});
  BOOST_REQUIRE(points.size() == 3u);
  BOOST_TEST((points[1].outcome == verdict::error));
  BOOST_TEST(points[2].summary.at("wall").median == written[2].summary.at("wall").median);
  BOOST_TEST(store.sessions().size() == 1u);
  BOOST_TEST(store.sessions()[0].results == 3u);
  BOOST_TEST(store.session_results("sess-1").size() == 3u);
  BOOST_TEST(store.record(make_result({.started_at = minute(9)})));
  // On to the latest version (the baseline query needs v3's columns): the same data.
  sqlite_history_store latest(path);
  const auto pool = latest.baseline({.name = "parse", .spec_hash = "s1", .machine = "m1",
                                     .git_branch = "main", .metric = "wall", .sample_cap = 100});
  BOOST_TEST(pool.result_keys.size() == 3u);  // the error result never counts
}

BOOST_AUTO_TEST_CASE(a_v2_file_migrates_to_v3_with_every_result_accepted_in_epoch_0) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  sqlite_store_options v2;
  v2.migrations.resize(2);
  const auto p = make_result({.started_at = minute(1)});
  const auto r = make_result({.started_at = minute(2), .outcome = verdict::regressed});
  const auto e = make_result({.started_at = minute(3), .outcome = verdict::error});
  {
    sqlite_history_store store(path, v2);
    for (const auto* x : {&p, &r, &e}) BOOST_TEST(store.record(*x));
  }
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'acceptances'") == 0);
  sqlite_store_options v3;
  v3.migrations.resize(3);
  sqlite_history_store store(path, v3);
  BOOST_TEST(store.schema_version() == 3);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM results WHERE epoch = 0") == 3);
  BOOST_TEST(raw_text(path, "SELECT group_concat(baseline_state, ',') FROM "
                            "(SELECT baseline_state FROM results ORDER BY started_at)") ==
             "accepted,accepted,excluded");
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                             "'results_epoch_columns'") == 1);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                             "'results_series_columns'") == 0);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM acceptances") == 0);
  // What a v2 history pooled, v3 pools: the earlier regression was accepted by being kept.
  const auto pool = store.baseline({.name = "parse", .spec_hash = "s1", .machine = "m1",
                                    .git_branch = "main", .default_branch = "main"});
  BOOST_TEST(pool.result_keys == (std::vector<std::string>{result_key(r), result_key(p)}));
  BOOST_TEST(!store.pending({"parse", "s1", "m1", "main"}).has_value());
  BOOST_TEST(store.all_results().size() == 3u);
  // New results follow the epoch rules.
  BOOST_TEST(store.record(make_result({.started_at = minute(4), .outcome = verdict::regressed})));
  BOOST_TEST(store.pending({"parse", "s1", "m1", "main"}).has_value());
}

BOOST_AUTO_TEST_CASE(a_v3_file_migrates_to_v4_with_every_summary_named_and_reads_the_same) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  sqlite_store_options v3;
  v3.migrations.resize(3);
  {
    sqlite_history_store store(path, v3);
    for (int m : {1, 2, 3}) {
      BOOST_TEST(store.record(make_result({.started_at = minute(m), .walls = {m * 100, m * 110}})));
      BOOST_TEST(store.record(make_result({.name = "other", .started_at = minute(m)})));
    }
  }
  const std::string index_query =
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
      "'summaries_series_columns'";
  BOOST_TEST(raw_count(path, index_query) == 0);
  // An older file opened read-only is read as it is (not migrated): the same series.
  std::vector<series_point> before;
  {
    sqlite_store_options read_only;
    read_only.read_only = true;
    read_only.create = false;
    sqlite_history_store store(path, read_only);
    BOOST_TEST(store.schema_version() == 3);
    before = store.series({.name = "parse", .metrics = {"wall"}});
  }
  BOOST_REQUIRE(before.size() == 3u);
  BOOST_TEST(before[2].summary.at("wall").median == 330.0);
  BOOST_TEST(before[2].summary.size() == 1u);

  {
    sqlite_store_options v4;
    v4.migrations.resize(4);
    sqlite_history_store store(path, v4);
    BOOST_TEST(raw_count(path, index_query) == 1);
  }
  sqlite_history_store store(path);
  BOOST_TEST(store.schema_version() == latest_version());
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE name = 'parse'") == 6);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE name = 'other'") == 6);
  BOOST_TEST((store.series({.name = "parse", .metrics = {"wall"}}) == before));
  // New results name their summaries too; the series has them.
  BOOST_TEST(store.record(make_result({.started_at = minute(4)})));
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE name = 'parse'") == 8);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE name = ''") == 0);
  const auto after = store.series({.name = "parse"});
  BOOST_REQUIRE(after.size() == 4u);
  BOOST_TEST(after[3].summary.size() == 2u);
  BOOST_TEST(after[3].summary.at("wall").median == 110.0);
}

BOOST_AUTO_TEST_CASE(a_test_only_next_step_migrates_forward_and_keeps_the_data) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  make_history(path);
  sqlite_store_options next;
  const int v = latest_version() + 1;
  next.migrations.push_back({v, fmt::format("v{}: results.note (test only)", v),
                             "ALTER TABLE results ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated';"
                             "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"});
  {
    sqlite_history_store store(path, next);
    BOOST_TEST(store.schema_version() == v);
    BOOST_TEST(store.all_results().size() == 1u);
    BOOST_TEST(store.record(make_result({.started_at = minute(9)})));  // older writes still work
  }
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM results WHERE note = 'migrated'") == 2);
  {
    sqlite_history_store again(path, next);
    BOOST_TEST(again.schema_version() == v);
  }

  // This perfcheck now meets a newer file: refused, byte-identical.
  const std::string before = bytes_of(path);
  const std::string message = refusal(path);
  BOOST_TEST(contains(message, path.string()), message);
  BOOST_TEST(contains(message, fmt::format("version {} is newer than this perfcheck understands "
                                           "(up to {})",
                                           v, v - 1)),
             message);
  BOOST_TEST(contains(message, "use a newer perfcheck"), message);
  BOOST_TEST((bytes_of(path) == before));
}

BOOST_AUTO_TEST_CASE(a_failing_step_is_rolled_back_whole) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  make_history(path);
  sqlite_store_options bad;
  const int v = latest_version() + 1;
  bad.migrations.push_back({v, fmt::format("v{}: broken (test only)", v),
                            "ALTER TABLE results ADD COLUMN note TEXT; THIS IS NOT SQL;"});
  try {
    sqlite_history_store store(path, bad);
    BOOST_FAIL("a broken migration must throw");
  } catch (const history_error& e) {
    BOOST_TEST(contains(e.what(), path.string()), e.what());
    BOOST_TEST(contains(e.what(), fmt::format("migrate the schema to v{}: broken", v)), e.what());
  }
  sqlite_history_store store(path);
  BOOST_TEST(store.schema_version() == latest_version());
  BOOST_TEST(store.all_results().size() == 1u);
  BOOST_TEST(
      raw_count(path, "SELECT COUNT(*) FROM pragma_table_info('results') WHERE name = 'note'") ==
      0);
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_and_left_untouched) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  make_history(path);
  raw_sql(path, "UPDATE perfcheck_meta SET value = '7' WHERE name = 'version'");
  const std::string before = bytes_of(path);
  const std::string message = refusal(path);
  BOOST_TEST(contains(message, "history " + path.string() + ": history schema version 7 is newer"),
             message);
  BOOST_TEST((bytes_of(path) == before));

  // The same with the newer perfcheck's last write still in the WAL beside the file (it
  // closed without a checkpoint): refusing must not checkpoint it into the file either.
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  BOOST_REQUIRE(sqlite3_exec(db, "UPDATE perfcheck_meta SET value = '8' WHERE name = 'version'",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  BOOST_REQUIRE(fs::exists(path.string() + "-wal"));
  const std::string with_wal = bytes_of(path);
  BOOST_TEST(contains(refusal(path), "version 8 is newer"));
  BOOST_TEST((bytes_of(path) == with_wal));
}

BOOST_AUTO_TEST_CASE(a_foreign_sqlite_file_is_refused_and_left_untouched) {
  temp_folder tmp;
  const auto path = tmp.file("shop.db");
  raw_sql(path,
          "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
          "INSERT INTO customers VALUES (1, 'Ada');");
  const std::string before = bytes_of(path);
  const std::string message = refusal(path);
  BOOST_TEST(contains(message, path.string()), message);
  BOOST_TEST(
      contains(message,
               "not a perfcheck history (it has the tables customers and no perfcheck_meta)"),
      message);
  BOOST_TEST(contains(message, "point --history"), message);
  BOOST_TEST((bytes_of(path) == before));

  // A perfcheck_meta of someone else's making is not ours either.
  const auto other = tmp.file("other.db");
  raw_sql(other,
          "CREATE TABLE perfcheck_meta (name TEXT, value TEXT);"
          "INSERT INTO perfcheck_meta VALUES ('format', 'something/else');");
  const std::string other_before = bytes_of(other);
  BOOST_TEST(contains(refusal(other), "format 'something/else'"));
  BOOST_TEST((bytes_of(other) == other_before));
}

BOOST_AUTO_TEST_CASE(a_corrupted_file_is_refused_and_left_untouched) {
  temp_folder tmp;
  const auto text = tmp.file("notes.txt");
  {
    std::ofstream out(text, std::ios::binary);
    for (int i = 0; i < 300; ++i) out << "this is not a database, line " << i << "\n";
  }
  const std::string text_before = bytes_of(text);
  std::string message = refusal(text);
  BOOST_TEST(contains(message, "history " + text.string()), message);
  BOOST_TEST(contains(message, "not a database"), message);
  BOOST_TEST(contains(message, "leaves it untouched"), message);
  BOOST_TEST((bytes_of(text) == text_before));

  // A real history whose schema page (page 1 after the 100-byte header) is overwritten.
  const auto damaged = tmp.file("damaged.sqlite");
  make_history(damaged);
  {
    std::fstream f(damaged, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    const std::string junk(400, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const std::string damaged_before = bytes_of(damaged);
  message = refusal(damaged);
  BOOST_TEST(contains(message, "history " + damaged.string()), message);
  BOOST_TEST(contains(message, "malformed"), message);
  BOOST_TEST((bytes_of(damaged) == damaged_before));
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_error_when_not_creating) {
  temp_folder tmp;
  const auto path = tmp.file("none.sqlite");
  sqlite_store_options options;
  options.create = false;
  const std::string message = refusal(path, options);
  BOOST_TEST(contains(message, path.string() + ": no such file"), message);
  BOOST_TEST(!fs::exists(path));
  // A folder that does not exist cannot hold a new file either.
  BOOST_TEST(contains(refusal(tmp.file("no/such/folder/h.sqlite")), "cannot open"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(export_import)

BOOST_AUTO_TEST_CASE(export_then_import_round_trips_exactly, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  std::string first;
  {
    TEST_STORE(store, tmp.file("a.sqlite"));
    for (int m : {2, 0, 1})
      store.record(make_result(
          {.started_at = minute(m), .outcome = m == 1 ? verdict::improved : verdict::pass}));
    first = pretty_json(history_to_json(store.all_results()));
  }
  const auto entries =
      history_from_json(parse_json_text(first, "export.json"), "export.json");
  BOOST_REQUIRE(entries.size() == 3u);
  TEST_STORE(copy, tmp.file("b.sqlite"));
  BOOST_TEST(copy.add(entries) == 3u);
  const std::string second = pretty_json(history_to_json(copy.all_results()));
  BOOST_TEST((first == second));
  BOOST_TEST(contains(first, "\"schema\": \"perfcheck/history/v1\""));
  // Kept as they were: the keys and when the first history got them.
  BOOST_TEST(copy.all_results()[0].recorded_at == entries[0].recorded_at);
}

BOOST_AUTO_TEST_CASE(real_numbers_are_read_exactly) {
  for (double d : {1.0000000000000007, 11686.774362461327, 1265.6674110889435, 90832028464.29883,
                   0.1, 5e-324}) {
    const std::string text =
        boost::json::serialize(boost::json::value{{"x", d}, {"n", 3}, {"s", "t"}});
    const auto v = parse_json_text(text, "t.json");
    BOOST_TEST(v.at("x").as_double() == d, text);
    BOOST_TEST(v.at("n").as_int64() == 3);
    BOOST_TEST(v.at("s").as_string() == "t");
  }
  try {
    parse_json_text("{\n  \"x\": [1,\n  }", "bad.json");
    BOOST_FAIL("malformed JSON must throw");
  } catch (const usage_error& e) {
    BOOST_TEST(contains(e.what(), "bad.json:3:"), e.what());
  }
}

BOOST_AUTO_TEST_CASE(import_merges_without_duplicates, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(a, tmp.file("a.sqlite"));
  TEST_STORE(b, tmp.file("b.sqlite"));
  for (int m = 0; m < 4; ++m) a.record(make_result({.started_at = minute(m)}));
  for (int m = 2; m < 6; ++m) b.record(make_result({.started_at = minute(m)}));  // 2, 3 overlap
  const auto from_b = history_from_json(history_to_json(b.all_results()), "b.json");
  BOOST_TEST(a.add(from_b) == 2u);
  BOOST_TEST(a.add(from_b) == 0u);
  BOOST_TEST(a.all_results().size() == 6u);
  // A plain result file imports too, once.
  const auto one =
      history_from_json(result_to_json(make_result({.started_at = minute(7)})), "r.json");
  BOOST_REQUIRE(one.size() == 1u);
  BOOST_TEST(a.add(one) == 1u);
  BOOST_TEST(a.add(history_from_json(result_to_json(make_result({.started_at = minute(7)})),
                                     "r.json")) == 0u);
  BOOST_TEST(a.all_results().size() == 7u);
}

BOOST_AUTO_TEST_CASE(bad_export_files_are_rejected_with_the_place) {
  auto error = [](const std::string& text) {
    try {
      history_from_json(parse_json_text(text, "x.json"), "x.json");
    } catch (const usage_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  BOOST_TEST(contains(error(R"({"schema": "perfcheck/spec/v1"})"), "neither a history export"));
  BOOST_TEST(contains(error(R"({"schema": "perfcheck/history/v1"})"), "results"));
  BOOST_TEST(
      contains(error(R"({"schema": "perfcheck/history/v1", "results": [], "extra": 1})"), "extra"));
  const std::string bad_key = error(R"({"schema": "perfcheck/history/v1", "results": [
      {"key": "x'; DROP TABLE results; --", "recorded_at": "t", "result": {}}]})");
  BOOST_TEST(contains(bad_key, "x.json"), bad_key);
  BOOST_TEST(contains(bad_key, "results[0].key"), bad_key);
  const std::string bad_result = error(R"({"schema": "perfcheck/history/v1", "results": [
      {"key": "5b0d6c3e-2f4a-4f7e-9a51-3c8e1d7b2a90", "recorded_at": "t", "result": {"schema": "perfcheck/result/v1"}}]})");
  BOOST_TEST(contains(bad_result, "results[0].result"), bad_result);
  BOOST_TEST(contains(bad_result, "name"), bad_result);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pruning)

BOOST_AUTO_TEST_CASE(prune_by_age_and_by_count_per_series) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  {
    sqlite_history_store store(path);
    for (int m = 0; m < 6; ++m) store.record(make_result({.started_at = minute(m)}));
    for (int m = 0; m < 3; ++m)
      store.record(make_result({.started_at = minute(m), .branch = "feature"}));
    BOOST_TEST(store.prune({.started_before = minute(1)}) == 2u);  // minute 0 of both branches
    BOOST_TEST(store.prune({.keep_last = 3}) == 2u);               // main 1, 2 go
    const auto main = store.series({.name = "parse", .git_branch = "main"});
    BOOST_REQUIRE(main.size() == 3u);
    BOOST_TEST(main.front().started_at == minute(3));
    BOOST_TEST(store.series({.name = "parse", .git_branch = "feature"}).size() == 2u);
    BOOST_TEST(store.prune({}) == 0u);
  }
  // The removed results' rows go with them.
  BOOST_TEST(
      raw_count(path,
                "SELECT COUNT(*) FROM samples WHERE result_id NOT IN (SELECT id FROM results)") ==
      0);
  BOOST_TEST(
      raw_count(path,
                "SELECT COUNT(*) FROM summaries WHERE result_id NOT IN (SELECT id FROM results)") ==
      0);
  const auto metrics = static_cast<std::int64_t>(metric_columns(make_result({}).runs).size());
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM samples") ==
             5 * 3 * metrics);  // 5 results, 3 runs
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(context)

BOOST_AUTO_TEST_CASE(environment_and_session_file_fill_the_context) {
  temp_folder tmp;
  write_json_file_atomic(tmp.file("session.json"),
                         boost::json::value{{"schema", "perfcheck/session/v1"},
                                            {"id", "from-file"},
                                            {"started_at", "2026-01-01T00:00:00.000Z"}});
  ::unsetenv("PERFCHECK_SESSION_ID");
  ::setenv("PERFCHECK_GIT_COMMIT", "deadbeef", 1);
  ::setenv("PERFCHECK_GIT_BRANCH", "feature/x", 1);
  ::setenv("PERFCHECK_COMPILER", "", 1);  // set but empty: left alone
  run_context c;
  c.compiler = "kept";
  apply_context_environment(c, tmp.dir);
  BOOST_TEST(c.session_id == "from-file");
  BOOST_TEST(c.git_commit == "deadbeef");
  BOOST_TEST(c.git_branch == "feature/x");
  BOOST_TEST(c.compiler == "kept");

  ::setenv("PERFCHECK_SESSION_ID", "from-env", 1);
  run_context d;
  apply_context_environment(d, tmp.dir);
  BOOST_TEST(d.session_id == "from-env");
  ::unsetenv("PERFCHECK_SESSION_ID");
  run_context e;
  apply_context_environment(e, tmp.file("no-such-dir"));
  BOOST_TEST(e.session_id.empty());
  for (const char* v : {"PERFCHECK_GIT_COMMIT", "PERFCHECK_GIT_BRANCH", "PERFCHECK_COMPILER"})
    ::unsetenv(v);
}

BOOST_AUTO_TEST_CASE(history_location_prefers_the_flag) {
  ::setenv("PERFCHECK_HISTORY", "/env/h.sqlite", 1);
  BOOST_TEST(history_location("") == "/env/h.sqlite");
  BOOST_TEST(history_location("flag.sqlite") == "flag.sqlite");
  ::unsetenv("PERFCHECK_HISTORY");
  BOOST_TEST(history_location("").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hostile_input)

// The message of the usage_error that importing `json` (an export or a result) throws.
std::string import_error(const boost::json::value& json) {
  try {
    history_from_json(json, "x.json");
  } catch (const usage_error& e) {
    return e.what();
  }
  return "(no error)";
}

// An export of one result whose JSON `edit` changed, keeping its key.
boost::json::value edited_export(const std::function<void(boost::json::object&)>& edit) {
  const run_result r = make_result({});
  boost::json::value entry = {{"key", result_key(r)}, {"recorded_at", minute(0)}, {"result", result_to_json(r)}};
  edit(entry.as_object()["result"].as_object());
  return {{"schema", history_schema}, {"results", boost::json::array{entry}}};
}

BOOST_AUTO_TEST_CASE(import_checks_names_thresholds_runs_and_keys_as_run_does) {
  // A name that would move the cursor, forge a line or be cut at NUL.
  for (const std::string& name : {std::string("a\nb"), std::string("a\x1b[2Jb"), std::string("a\0b", 3)}) {
    auto json = result_to_json(make_result({.name = name}));
    const std::string message = import_error(json);
    BOOST_TEST(contains(message, "x.json: field 'name': contains a control character"), message);
  }
  // Threshold text the grammar does not accept, or that does not say what its parts say.
  std::string message = import_error(edited_export([](boost::json::object& r) {
    r["thresholds"].as_array()[0].as_object()["expr"] = "wall.p95 <\x1b 1ms";
  }));
  BOOST_TEST(contains(message, "x.json: field 'results[0].result.thresholds[0].expr': is not a threshold"), message);
  message = import_error(edited_export([](boost::json::object& r) {
    r["thresholds"].as_array()[0].as_object()["expr"] = "wall.p95 < 1s";
  }));
  BOOST_TEST(contains(message, "does not say what its parts"), message);
  // A measured run that took no time: every regression gate against it would be undecidable.
  message = import_error(edited_export([](boost::json::object& r) {
    r["runs"].as_array()[1].as_object()["wall_ns"] = 0;
  }));
  BOOST_TEST(contains(message, "x.json: field 'results[0].result.runs[1]': has wall_ns 0"), message);
  // A key that is not the key of the content (here: another result's) is refused; none is computed.
  const run_result other = make_result({.started_at = minute(9)});
  auto forged = edited_export([](boost::json::object&) {});
  forged.as_object()["results"].as_array()[0].as_object()["key"] = result_key(other);
  message = import_error(forged);
  BOOST_TEST(contains(message, "field 'results[0].key'"), message);
  BOOST_TEST(contains(message, "is not the key of this result's content (" + result_key(make_result({})) + ")"),
             message);
  auto keyless = edited_export([](boost::json::object&) {});
  keyless.as_object()["results"].as_array()[0].as_object().erase("key");
  const auto entries = history_from_json(keyless, "x.json");
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].key == result_key(make_result({})));
}

BOOST_AUTO_TEST_CASE(a_forged_key_no_longer_drops_a_different_result, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("h.sqlite"));
  const run_result present = make_result({});
  store.record(present);
  const run_result incoming = make_result({.started_at = minute(5)});
  const auto path = tmp.file("forged.json");
  std::ofstream(path) << boost::json::serialize(boost::json::value{
      {"schema", history_schema},
      {"results", boost::json::array{{{"key", result_key(present)}, {"recorded_at", minute(5)},
                                      {"result", result_to_json(incoming)}}}}});
  BOOST_CHECK_THROW(read_history_file(path), usage_error);
  BOOST_TEST(store.all_results().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_trigger_or_view_in_the_file_is_refused_and_never_runs) {
  for (const std::string& object :
       {std::string("CREATE TRIGGER audit AFTER INSERT ON results BEGIN "
                    "UPDATE perfcheck_meta SET value = 'pwned' WHERE name = 'format'; END"),
        std::string("CREATE VIEW recent AS SELECT * FROM results"),
        std::string("CREATE TABLE extra (x)")}) {
    temp_folder tmp;
    const auto path = tmp.file("h.sqlite");
    make_history(path);
    raw_sql(path, object);
    const std::string before = bytes_of(path);
    const std::string message = refusal(path);
    BOOST_TEST(contains(message, "history " + path.string() + ": has a "), message);
    BOOST_TEST(contains(message, "that perfcheck did not create"), message);
    const std::string name = contains(object, "audit") ? "trigger 'audit'"
                             : contains(object, "recent") ? "view 'recent'"
                                                          : "table 'extra'";
    BOOST_TEST(contains(message, name), message);
    BOOST_TEST((bytes_of(path) == before));
    BOOST_TEST(raw_text(path, "SELECT value FROM perfcheck_meta WHERE name = 'format'") == "perfcheck/history");
  }
  // What perfcheck and SQLite create themselves is fine: indexes of every version, ANALYZE's.
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  make_history(path);
  raw_sql(path, "ANALYZE");
  sqlite_history_store store(path);
  BOOST_TEST(store.record(make_result({.started_at = minute(3)})));
}

BOOST_AUTO_TEST_CASE(a_read_only_open_reads_and_writes_nothing) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  make_history(path);
  const std::string before = bytes_of(path);
  const bool had_wal = fs::exists(path.string() + "-wal");
  {
    sqlite_store_options options;
    options.read_only = true;
    options.create = false;
    sqlite_history_store store(path, options);
    BOOST_TEST(store.all_results().size() == 1u);
    BOOST_TEST(store.sessions().size() == 1u);
    try {
      store.record(make_result({.started_at = minute(4)}));
      BOOST_FAIL("a read-only history must refuse a write");
    } catch (const history_error& e) {
      BOOST_TEST(contains(e.what(), "readonly"), e.what());
    }
  }
  BOOST_TEST((bytes_of(path) == before));
  // In a writable folder SQLite's WAL readers share an -shm index; any -wal stays empty.
  BOOST_TEST((had_wal || !fs::exists(path.string() + "-wal") || fs::file_size(path.string() + "-wal") == 0));
  // An empty file (a writer may be creating it) reads as a history without results, unwritten.
  const auto empty = tmp.file("empty.sqlite");
  std::ofstream{empty};
  {
    sqlite_store_options options;
    options.read_only = true;
    sqlite_history_store store(empty, options);
    BOOST_TEST(store.sessions().empty());
    BOOST_TEST(store.all_results().empty());
    BOOST_TEST(store.series({.name = "parse"}).empty());
  }
  BOOST_TEST(fs::file_size(empty) == 0u);
  // The URI of a folder that cannot be written (and no -wal): immutable, so no -shm is needed.
  BOOST_TEST(contains(detail::read_only_uri(tmp.file("missing/h.sqlite")), "mode=ro&immutable=1"));
  BOOST_TEST(!contains(detail::read_only_uri(path), "immutable"));
  BOOST_TEST(contains(detail::read_only_uri(tmp.file("a?b#c%d.sqlite")), "a%3Fb%23c%25d.sqlite?mode=ro"));
}

BOOST_AUTO_TEST_CASE(export_and_import_stream_one_result_at_a_time, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(store, tmp.file("a.sqlite"));
  std::string whole;
  std::string streamed;
  // Empty, then three results: the streamed export is the bytes of the whole one.
  for (int round = 0; round < 2; ++round) {
    if (round == 1) {
      for (int m : {2, 0, 1}) store.record(make_result({.started_at = minute(m)}));
    }
    whole = pretty_json(history_to_json(store.all_results()));
    streamed.clear();
    const std::size_t n = write_history_export(store, [&](std::string_view s) { streamed += s; });
    BOOST_TEST(n == store.all_results().size());
    BOOST_TEST((streamed == whole));
  }
  const auto path = tmp.file("export.json");
  std::ofstream(path) << streamed;
  std::vector<std::string> keys;
  BOOST_TEST(stream_history_file(path, [&](stored_result&& r) { keys.push_back(r.key); }) == 3u);
  BOOST_REQUIRE(keys.size() == 3u);
  BOOST_TEST(keys[0] == store.all_results()[0].key);
  // One batch, one transaction: nothing is kept without commit.
  TEST_STORE(copy, tmp.file("b.sqlite"));
  {
    const auto batch = copy.begin_batch();
    stream_history_file(path, [&](stored_result&& r) { BOOST_TEST(batch->add(r)); });
  }
  BOOST_TEST(copy.all_results().empty());
  const auto batch = copy.begin_batch();
  stream_history_file(path, [&](stored_result&& r) { batch->add(r); });
  batch->commit();
  BOOST_TEST((pretty_json(history_to_json(copy.all_results())) == whole));
  // "schema" must come first, as export writes it; syntax errors name line and column.
  std::ofstream(tmp.file("late.json")) << R"({"results": [], "schema": "perfcheck/history/v1"})";
  BOOST_TEST(stream_history_file(tmp.file("late.json"), [](stored_result&&) {}) == 0u);
  std::ofstream(tmp.file("late2.json")) << boost::json::serialize(boost::json::value{
      {"results", history_to_json(store.all_results()).at("results")}, {"schema", history_schema}});
  BOOST_CHECK_EXCEPTION(stream_history_file(tmp.file("late2.json"), [](stored_result&&) {}), usage_error,
                        [](const usage_error& e) { return contains(e.what(), "expected 'perfcheck/history/v1' before 'results'"); });
  std::ofstream(tmp.file("bad.json")) << "{\"schema\": \"perfcheck/history/v1\",\n \"results\": [{\"key\":\n }";
  BOOST_CHECK_EXCEPTION(stream_history_file(tmp.file("bad.json"), [](stored_result&&) {}), usage_error,
                        [](const usage_error& e) { return contains(e.what(), "bad.json:3:"); });
}

BOOST_AUTO_TEST_SUITE_END()

// A sweep of two levels: each point has its own runs (walls scaled by the level) and summaries.
namespace {

run_result make_sweep(const result_options& o, std::int64_t slower_at_500 = 1) {
  run_result sweep = make_result(o);
  for (const char* n : {"10", "500"}) {
    run_result point = make_result({.walls = o.walls});
    const std::int64_t factor = std::string(n) == "500" ? 50 * slower_at_500 : 1;
    for (auto& run : point.runs) run.wall_ns *= factor;
    point.summary["wall"].median *= static_cast<double>(factor);
    sweep.points.push_back({{{"n", n}}, verdict::pass, point.runs, {}, point.summary, {}, {}});
  }
  sweep.runs.clear();
  sweep.warmup_runs.clear();
  sweep.summary.clear();
  sweep.point_order = {0, 1, 1, 0};
  sweep.point_seed = 7;
  return sweep;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(points)

BOOST_AUTO_TEST_CASE(a_sweep_stores_every_point_as_its_own_series) {
  temp_folder tmp;
  sqlite_history_store store(tmp.file("h.sqlite"));
  for (int m : {1, 2, 3}) BOOST_TEST(store.record(make_sweep({.started_at = minute(m), .walls = {m * 100, m * 110}})));
  BOOST_TEST(store.record(make_result({.name = "plain", .started_at = minute(4)})));
  const auto at500 = store.series({.name = "parse", .metrics = {"wall"}, .level = "n=500"});
  const auto at10 = store.series({.name = "parse", .metrics = {"wall"}, .level = "n=10"});
  BOOST_REQUIRE(at500.size() == 3u);
  BOOST_REQUIRE(at10.size() == 3u);
  BOOST_TEST(at500[2].summary.at("wall").median == 50 * 330.0);
  BOOST_TEST(at10[2].summary.at("wall").median == 330.0);
  // The sweep has no point with the empty level; the plain test has nothing else.
  BOOST_TEST(store.series({.name = "parse"})[0].summary.empty());
  BOOST_TEST(store.series({.name = "plain", .level = "n=10"})[0].summary.empty());
  BOOST_TEST(store.series({.name = "plain"})[0].summary.at("wall").median == 110.0);
  const auto path = tmp.file("h.sqlite");
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM samples WHERE level = 'n=500' AND metric = 'wall'") == 6);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM samples WHERE level = '' AND metric = 'wall'") == 3);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE level = 'n=10' AND name = 'parse'") == 6);
  // The baseline of a level pools that level's samples of each result, never another level's.
  auto query = [&](const std::string& level) {
    return baseline_query{.name = "parse", .spec_hash = "s1", .machine = "m1", .git_branch = "main",
                          .level = level};
  };
  const auto pool = store.baseline(query("n=500"));
  BOOST_TEST(pool.result_keys.size() == 3u);
  BOOST_TEST((pool.samples == std::vector<double>{15000, 16500, 10000, 11000, 5000, 5500}));
  BOOST_TEST((store.baseline(query("n=10")).samples == std::vector<double>{300, 330, 200, 220, 100, 110}));
  BOOST_TEST(store.baseline(query("")).samples.empty());
  BOOST_TEST(store.baseline(query("n=7")).samples.empty());
}

BOOST_AUTO_TEST_CASE(points_travel_through_export_and_import, *boost::unit_test::label("portable")) {
  temp_folder tmp;
  TEST_STORE(source, tmp.file("a.sqlite"));
  for (int m : {1, 2}) source.record(make_sweep({.started_at = minute(m), .walls = {m * 100}}));
  source.record(make_result({.started_at = minute(3)}));
  std::string exported;
  write_history_export(source, [&](std::string_view text) { exported += text; });
  BOOST_TEST(contains(exported, R"("points": [)"));
  std::ofstream(tmp.file("export.json")) << exported;
  TEST_STORE(copy, tmp.file("b.sqlite"));
  const auto batch = copy.begin_batch();
  BOOST_TEST(stream_history_file(tmp.file("export.json"), [&](stored_result&& r) { batch->add(r); }) == 3u);
  batch->commit();
  for (const std::string level : {"", "n=10", "n=500"}) {
    BOOST_TEST((copy.series({.name = "parse", .level = level}) == source.series({.name = "parse", .level = level})));
  }
  BOOST_TEST(copy.series({.name = "parse", .level = "n=500"})[1].summary.at("wall").median == 50 * 200.0);
  BOOST_TEST((copy.all_results() == source.all_results()));
}

BOOST_AUTO_TEST_CASE(a_v4_file_migrates_to_v5_with_every_row_the_empty_level) {
  temp_folder tmp;
  const auto path = tmp.file("h.sqlite");
  sqlite_store_options v4;
  v4.migrations.resize(4);
  {
    sqlite_history_store store(path, v4);
    for (int m : {1, 2, 3}) BOOST_TEST(store.record(make_result({.started_at = minute(m), .walls = {m * 100, m * 110}})));
    // A v4 history kept a sweep's result but none of its points' rows.
    BOOST_TEST(store.record(make_sweep({.name = "sweep", .started_at = minute(4)})));
  }
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE name = 'sweep'") == 0);
  const std::int64_t samples = raw_count(path, "SELECT COUNT(*) FROM samples");
  BOOST_TEST(samples > 0);
  const auto query = baseline_query{.name = "parse", .spec_hash = "s1", .machine = "m1", .git_branch = "main"};
  std::vector<series_point> before;
  baseline_pool pool_before;
  {
    sqlite_store_options read_only;
    read_only.read_only = true;
    read_only.create = false;
    sqlite_history_store store(path, read_only);
    BOOST_TEST(store.schema_version() == 4);
    before = store.series({.name = "parse"});
    pool_before = store.baseline(query);
    // An older file's results are one point each: no level has rows.
    BOOST_TEST(store.series({.name = "parse", .level = "n=10"})[0].summary.empty());
    auto at_level = query;
    at_level.level = "n=10";
    BOOST_TEST(store.baseline(at_level).samples.empty());
  }
  BOOST_REQUIRE(before.size() == 3u);
  BOOST_TEST(before[2].summary.at("wall").median == 330.0);
  BOOST_TEST(pool_before.samples.size() == 6u);

  sqlite_history_store store(path);
  BOOST_TEST(store.schema_version() == 5);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'summaries_level_columns'") == 1);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('summaries_series_columns', "
                             "'summaries_v5', 'samples_v5')") == 0);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM summaries WHERE level = '' AND name = 'parse'") == 6);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM samples WHERE level = ''") == samples);
  BOOST_TEST((store.series({.name = "parse"}) == before));
  BOOST_TEST((store.baseline(query) == pool_before));
  // Deleting a result still removes its rows (the rebuilt tables keep the cascade).
  BOOST_TEST(store.prune({.keep_last = 1}) == 2u);
  BOOST_TEST(raw_count(path, "SELECT COUNT(*) FROM samples WHERE metric = 'wall'") == 2);
  // New sweeps store their points.
  BOOST_TEST(store.record(make_sweep({.name = "sweep", .started_at = minute(5)})));
  BOOST_TEST(store.series({.name = "sweep", .level = "n=500"}).back().summary.at("wall").median == 50 * 110.0);
}

BOOST_AUTO_TEST_SUITE_END()
