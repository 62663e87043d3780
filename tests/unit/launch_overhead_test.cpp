// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE launch_overhead
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "perfcheck/model/json_file.hpp"
#include "perfcheck/run/launch_overhead.hpp"
#include "temp_folder.hpp"

using namespace perfcheck;
using namespace perfcheck::run;

namespace {

const overhead_cache_key key{"machine-1", "/bin/launcher|1000|42", "1.2.3"};
constexpr std::int64_t now = 1'800'000'000;
constexpr std::int64_t day = overhead_cache_max_age_s;

// Sets an environment variable for one test case and restores it afterwards.
struct scoped_env {
  std::string name;
  std::optional<std::string> old;
  scoped_env(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    if (value) ::setenv(name.c_str(), value, 1); else ::unsetenv(name.c_str());
  }
  ~scoped_env() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1); else ::unsetenv(name.c_str());
  }
};

std::int64_t cached_ns(const std::filesystem::path& file) {
  return read_json_file(file).as_object().at("overhead_ns").as_int64();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_fresh_document_for_the_same_key_is_used) {
  auto doc = overhead_cache_document(key, 350'000, now - 60);
  BOOST_TEST(usable_cached_overhead(doc, key, now, day).value_or(-1) == 350'000);
}

BOOST_AUTO_TEST_CASE(another_machine_launcher_or_version_measures_again) {
  auto doc = overhead_cache_document(key, 350'000, now - 60);
  for (auto other : {overhead_cache_key{"machine-2", key.launcher, key.version},
                     overhead_cache_key{key.machine, "/bin/launcher|1000|43", key.version},
                     overhead_cache_key{key.machine, key.launcher, "1.2.4"}}) {
    BOOST_TEST(!usable_cached_overhead(doc, other, now, day).has_value());
  }
}

BOOST_AUTO_TEST_CASE(an_old_or_future_figure_measures_again) {
  BOOST_TEST(usable_cached_overhead(overhead_cache_document(key, 350'000, now - day), key, now, day).has_value());
  BOOST_TEST(!usable_cached_overhead(overhead_cache_document(key, 350'000, now - day - 1), key, now, day));
  BOOST_TEST(!usable_cached_overhead(overhead_cache_document(key, 350'000, now + 1), key, now, day));
}

BOOST_AUTO_TEST_CASE(a_malformed_document_measures_again) {
  BOOST_TEST(!usable_cached_overhead(boost::json::value(42), key, now, day));
  BOOST_TEST(!usable_cached_overhead(overhead_cache_document(key, 0, now), key, now, day));
  BOOST_TEST(!usable_cached_overhead(overhead_cache_document(key, -5, now), key, now, day));
  auto doc = overhead_cache_document(key, 350'000, now);
  doc.as_object()["overhead_ns"] = "350000";
  BOOST_TEST(!usable_cached_overhead(doc, key, now, day));
  doc = overhead_cache_document(key, 350'000, now);
  doc.as_object()["schema"] = "perfcheck.launch-overhead/v0";
  BOOST_TEST(!usable_cached_overhead(doc, key, now, day));
  doc = overhead_cache_document(key, 350'000, now);
  doc.as_object().erase("machine");
  BOOST_TEST(!usable_cached_overhead(doc, key, now, day));
}

BOOST_AUTO_TEST_CASE(the_cache_folder_follows_the_environment) {
  {
    scoped_env own("PERFCHECK_CACHE_DIR", "/x/own");
    scoped_env xdg("XDG_CACHE_HOME", "/x/xdg");
    BOOST_TEST(overhead_cache_path() == "/x/own/launch-overhead.json");
  }
  {
    scoped_env own("PERFCHECK_CACHE_DIR", "");
    BOOST_TEST(overhead_cache_path().empty());
  }
  {
    scoped_env own("PERFCHECK_CACHE_DIR", nullptr);
    scoped_env xdg("XDG_CACHE_HOME", "/x/xdg");
    BOOST_TEST(overhead_cache_path() == "/x/xdg/perfcheck/launch-overhead.json");
  }
  {
    scoped_env own("PERFCHECK_CACHE_DIR", nullptr);
    scoped_env xdg("XDG_CACHE_HOME", "relative");  // not absolute: ignored, as the XDG spec says
    scoped_env home("HOME", "/x/home");
    BOOST_TEST(overhead_cache_path() == "/x/home/.cache/perfcheck/launch-overhead.json");
  }
}

// Real launches: the first call measures and writes the cache, a second call reads it back
// (a doctored figure proves nothing was measured), `fresh` measures again.
BOOST_AUTO_TEST_CASE(a_measured_figure_is_cached_and_reused) {
  temp_folder tmp("perfcheck-overhead");
  scoped_env own("PERFCHECK_CACHE_DIR", tmp.dir.c_str());
  const auto file = tmp.file("launch-overhead.json");
  const std::int64_t measured = launch_overhead("machine-x", false);
  BOOST_TEST(measured > 0);
  BOOST_REQUIRE(std::filesystem::exists(file));
  BOOST_TEST(cached_ns(file) == measured);

  auto doc = read_json_file(file);
  doc.as_object()["overhead_ns"] = 123'456'789;  // no launch takes 123 ms
  write_json_file_atomic(file, doc);
  BOOST_TEST(launch_overhead("machine-x", false) == 123'456'789);
  BOOST_TEST(launch_overhead("machine-y", false) != 123'456'789);  // another machine: measured
  write_json_file_atomic(file, doc);
  BOOST_TEST(launch_overhead("machine-x", true) != 123'456'789);  // fresh: measured
  BOOST_TEST(cached_ns(file) != 123'456'789);                       // and the cache updated
}

BOOST_AUTO_TEST_CASE(an_unwritable_cache_costs_only_time) {
  temp_folder tmp("perfcheck-overhead");
  const auto blocker = tmp.file("not-a-folder");
  { std::ofstream(blocker) << "x"; }
  scoped_env own("PERFCHECK_CACHE_DIR", (blocker / "sub").c_str());
  BOOST_TEST(launch_overhead("machine-x", false) > 0);
}
