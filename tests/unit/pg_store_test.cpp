// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The PostgreSQL history against a real server (the pg fixture: tests/pg/pg_server.py): what it
// refuses and leaves untouched, an empty database read without writing, an unreachable server,
// a connection dropped in the middle of a transaction, concurrent writers, passwords masked.
#define BOOST_TEST_MODULE pg_store
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "store_results.hpp"
#include "temp_folder.hpp"
#include "test_store.hpp"

#include "perfcheck/store/history_spool.hpp"
#include "perfcheck/store/pg_history_store.hpp"
#include "perfcheck/store/recording.hpp"

using namespace perfcheck;
using namespace perfcheck::store;
using test_store_detail::admin;

namespace {

// Without the test server there is nothing to test against: CTest's skip code.
struct needs_server {
  needs_server() { test_store_detail::exit_unless_server(); }
};

// A fresh, empty database of its own.
std::string fresh(const std::string& name) {
  const std::string db = "pc_unit_" + name;
  admin(fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", db));
  admin(fmt::format("CREATE DATABASE \"{}\"", db));
  return test_store_detail::with_database(test_store_detail::server_uri(), db);
}

// The first column of the first row of `sql` on `uri`, as another client would read it.
std::string query(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn, sql.c_str());
  std::string out = "(error) " + std::string(PQerrorMessage(conn));
  if (PQresultStatus(r) == PGRES_TUPLES_OK) out = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "(no rows)";
  if (PQresultStatus(r) == PGRES_COMMAND_OK) out = "(ok)";
  PQclear(r);
  PQfinish(conn);
  return out;
}

std::string refusal_of(const std::string& uri, pg_store_options options = {}) {
  try {
    pg_history_store store(uri, std::move(options));
  } catch (const history_error& e) {
    BOOST_TEST(e.refused());
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(needs_server);

BOOST_AUTO_TEST_CASE(a_new_database_gets_the_schema_at_the_current_version) {
  const std::string uri = fresh("new");
  {
    pg_history_store store(uri);
    BOOST_TEST(store.schema_version() == static_cast<int>(sqlite_migrations().size()));
    BOOST_TEST(store.record(make_result({})));
  }
  BOOST_TEST(query(uri, "SELECT value FROM perfcheck.perfcheck_meta WHERE name = 'version'") ==
             std::to_string(sqlite_migrations().size()));
  BOOST_TEST(query(uri, "SELECT count(*) FROM perfcheck.samples WHERE metric = 'wall'") == "3");
  // Text compares byte by byte, as in SQLite: the orders are the same on both backends.
  BOOST_TEST(query(uri, "SELECT collation_name FROM information_schema.columns WHERE table_schema = "
                        "'perfcheck' AND table_name = 'results' AND column_name = 'started_at'") == "C");
}

BOOST_AUTO_TEST_CASE(an_older_schema_migrates_forward_and_keeps_its_results) {
  const std::string uri = fresh("migrate");
  pg_store_options v4;
  v4.migrations.resize(4);
  {
    pg_history_store store(uri, v4);
    BOOST_TEST(store.schema_version() == 4);
    for (int m : {1, 2}) BOOST_TEST(store.record(make_result({.started_at = minute(m)})));
  }
  pg_history_store store(uri);
  BOOST_TEST(store.schema_version() == 5);
  const auto points = store.series({.name = "parse"});
  BOOST_TEST(points.size() == 2u);
  BOOST_TEST(points[1].summary.at("wall").median == 110.0);
  BOOST_TEST(store.baseline({.name = "parse", .spec_hash = "s1", .machine = "m1", .git_branch = "main"})
                 .samples.size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_foreign_schema_is_refused_and_left_untouched) {
  const std::string uri = fresh("foreign");
  BOOST_TEST(query(uri, "CREATE SCHEMA perfcheck; CREATE TABLE perfcheck.orders (id int)") == "(ok)");
  const std::string message = refusal_of(uri);
  BOOST_TEST(contains(message, "schema 'perfcheck' that is not a perfcheck history"));
  BOOST_TEST(contains(message, "table 'orders'"));
  BOOST_TEST(query(uri, "SELECT count(*) FROM pg_tables WHERE schemaname = 'perfcheck'") == "1");
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_and_left_untouched) {
  const std::string uri = fresh("newer");
  { pg_history_store store(uri); }
  BOOST_TEST(query(uri, "UPDATE perfcheck.perfcheck_meta SET value = '99' WHERE name = 'version'") == "(ok)");
  const std::string message = refusal_of(uri);
  BOOST_TEST(contains(message, "history schema version 99 is newer than this perfcheck understands"));
  BOOST_TEST(query(uri, "SELECT value FROM perfcheck.perfcheck_meta WHERE name = 'version'") == "99");
}

BOOST_AUTO_TEST_CASE(a_trigger_in_the_schema_is_refused_and_never_runs) {
  const std::string uri = fresh("trigger");
  { pg_history_store store(uri); }
  BOOST_TEST(query(uri, R"sql(
    CREATE TABLE public.audit (n int);
    CREATE FUNCTION public.audit_add() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN INSERT INTO public.audit VALUES (1); RETURN NEW; END $$;
    CREATE TRIGGER audit AFTER INSERT ON perfcheck.results FOR EACH ROW EXECUTE FUNCTION public.audit_add())sql") ==
             "(ok)");
  const std::string message = refusal_of(uri);
  BOOST_TEST(contains(message, "has a trigger 'audit' that perfcheck did not create"));
  BOOST_TEST(query(uri, "SELECT count(*) FROM public.audit") == "0");
}

BOOST_AUTO_TEST_CASE(an_empty_database_read_only_answers_nothing_and_writes_nothing) {
  const std::string uri = fresh("readonly");
  pg_store_options read_only;
  read_only.read_only = true;
  read_only.create = false;
  {
    pg_history_store store(uri, read_only);
    BOOST_TEST(store.sessions().empty());
    BOOST_TEST(store.series({.name = "parse"}).empty());
    BOOST_TEST(store.baseline({.name = "parse"}).samples.empty());
    BOOST_CHECK_THROW(store.record(make_result({})), history_error);
  }
  BOOST_TEST(query(uri, "SELECT count(*) FROM pg_namespace WHERE nspname = 'perfcheck'") == "0");
  pg_store_options no_create;
  no_create.create = false;
  BOOST_TEST(contains(refusal_of(uri, no_create), "has no perfcheck history yet"));
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_says_so_without_the_password) {
  temp_folder tmp;  // a socket folder where no server listens
  const std::string uri = fmt::format("postgresql://someone:s3cret@/db?host={}&port=1&connect_timeout=2",
                                      tmp.dir.string());
  try {
    pg_history_store store(uri);
    BOOST_FAIL("no error");
  } catch (const history_unreachable& e) {
    const std::string message = e.what();
    BOOST_TEST(contains(message, "cannot reach the server"));
    BOOST_TEST(contains(message, "someone:***@"));
    BOOST_TEST(!contains(message, "s3cret"));
  }
  // libpq quotes a token it cannot decode, which here is the password itself.
  try {
    pg_history_store store("postgresql://someone:50%off@/db?host=/nonexistent");
    BOOST_FAIL("no error");
  } catch (const history_error& e) {
    BOOST_TEST(!contains(e.what(), "50%off"), e.what());
    BOOST_TEST(contains(e.what(), "someone:***@"));
  }
  const std::string wrong_db = test_store_detail::with_database(test_store_detail::server_uri(), "pc_no_such_db");
  const std::string message = refusal_of(wrong_db);
  BOOST_TEST(contains(message, "pc_no_such_db"));
  BOOST_TEST(contains(message, "does not exist"));
}

BOOST_AUTO_TEST_CASE(passwords_are_masked_in_every_form) {
  BOOST_TEST(mask_password("postgresql://ci:hunter2@db.example:5432/perf?sslmode=require") ==
             "postgresql://ci:***@db.example:5432/perf?sslmode=require");
  BOOST_TEST(mask_password("postgres://db/perf?user=ci&password=hunter2&sslmode=verify-full") ==
             "postgres://db/perf?user=ci&password=***&sslmode=verify-full");
  BOOST_TEST(mask_password("postgresql://db:5432/perf") == "postgresql://db:5432/perf");
  BOOST_TEST(mask_password("/tmp/history.sqlite") == "/tmp/history.sqlite");
  // libpq reads the password up to the '@': a '?' or '#' in it is still the password.
  BOOST_TEST(mask_password("postgresql://ci:pa?ss#w@db/perf") == "postgresql://ci:***@db/perf");
  BOOST_TEST(uri_password("postgresql://ci:pa?ss#w@db/perf") == "pa?ss#w");
  BOOST_TEST(uri_password("postgres://db/perf?password=x%20y&user=ci") == "x%20y");
  BOOST_TEST(uri_password("postgresql://ci@db/perf").empty());
}

BOOST_AUTO_TEST_CASE(a_connection_dropped_mid_transaction_keeps_what_was_committed) {
  const std::string uri = fresh("dropped");
  pg_history_store store(uri);
  BOOST_TEST(store.record(make_result({.started_at = minute(1)})));
  const auto batch = store.begin_batch();
  BOOST_TEST(batch->add(stored_result_for(make_result({.started_at = minute(2)}))));
  // Another client ends this connection's backend, as a server restart or a network cut would.
  admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'pc_unit_dropped' "
        "AND application_name = 'perfcheck'");
  BOOST_CHECK_THROW(batch->commit(), history_unreachable);
  pg_history_store again(uri);
  const auto all = again.all_results();
  BOOST_TEST(all.size() == 1u);
  BOOST_TEST(all.at(0).result.started_at == minute(1));
}

BOOST_AUTO_TEST_CASE(concurrent_writers_lose_nothing_and_store_nothing_twice) {
  const std::string uri = fresh("writers");
  { pg_history_store store(uri); }
  constexpr int writers = 8, each = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      try {
        pg_history_store store(uri);
        for (int i = 0; i < each; ++i) {
          const auto r = make_result({.name = fmt::format("t{}", w % 3), .started_at = minute(i % 60),
                                      .session = fmt::format("w{}-{}", w, i)});
          store.record(r);
          store.record(r);  // sent twice: stored once
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %d: %s\n", w, e.what());
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(query(uri, "SELECT count(*) FROM perfcheck.results") == std::to_string(writers * each));
  BOOST_TEST(query(uri, "SELECT count(DISTINCT result_key) FROM perfcheck.results") == std::to_string(writers * each));
}

BOOST_AUTO_TEST_CASE(the_spool_is_sent_once_and_emptied) {
  temp_folder tmp;
  const auto spool = tmp.file("spool.sqlite");
  for (int m : {1, 2, 3}) queue_in_spool(spool, make_result({.started_at = minute(m)}));
  const std::string uri = fresh("spool");
  pg_history_store store(uri);
  BOOST_TEST(store.record(make_result({.started_at = minute(2)})));  // one of them arrived before a crash
  const auto sent = send_spool(spool, store);
  BOOST_TEST(sent.sent == 2u);
  BOOST_TEST(sent.already == 1u);
  BOOST_TEST(sent.left == 0u);
  BOOST_TEST(store.all_results().size() == 3u);
  BOOST_TEST(send_spool(spool, store).sent == 0u);
}
