// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/launch_overhead.hpp"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <system_error>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "perfcheck/exec/launcher_process.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/version.hpp"

namespace perfcheck::run {
namespace {

constexpr const char* cache_schema = "perfcheck.launch-overhead/v1";

std::int64_t now_unix() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// The launcher's path, size and modification time: a rebuilt launcher is measured again.
std::string launcher_identity() {
  const auto path = exec::find_launcher();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return {};
  return fmt::format("{}|{}|{}", path.string(), size, mtime.time_since_epoch().count());
}

std::optional<boost::json::value> read_cache(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto value = boost::json::parse(text.str(), ec);
  if (ec) return std::nullopt;
  return value;
}

const boost::json::string* string_member(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

}  // namespace

std::filesystem::path overhead_cache_path() {
  const char* own = std::getenv("PERFCHECK_CACHE_DIR");
  if (own) return *own ? std::filesystem::path(own) / "launch-overhead.json" : std::filesystem::path();
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') {
    return std::filesystem::path(xdg) / "perfcheck" / "launch-overhead.json";
  }
  if (const char* home = std::getenv("HOME"); home && *home == '/') {
    return std::filesystem::path(home) / ".cache" / "perfcheck" / "launch-overhead.json";
  }
  return {};
}

boost::json::value overhead_cache_document(const overhead_cache_key& key, std::int64_t overhead_ns,
                                           std::int64_t measured_at_unix) {
  return boost::json::object{{"schema", cache_schema},         {"machine", key.machine},
                             {"launcher", key.launcher},       {"version", key.version},
                             {"overhead_ns", overhead_ns},     {"measured_at", measured_at_unix}};
}

std::optional<std::int64_t> usable_cached_overhead(const boost::json::value& cache, const overhead_cache_key& key,
                                                   std::int64_t now, std::int64_t max_age_s) {
  const auto* o = cache.if_object();
  if (!o) return std::nullopt;
  const auto* schema = string_member(*o, "schema");
  const auto* machine = string_member(*o, "machine");
  const auto* launcher = string_member(*o, "launcher");
  const auto* version = string_member(*o, "version");
  if (!schema || *schema != cache_schema || !machine || !launcher || !version) return std::nullopt;
  if (overhead_cache_key{std::string(*machine), std::string(*launcher), std::string(*version)} != key) {
    return std::nullopt;
  }
  const auto* overhead = o->if_contains("overhead_ns");
  const auto* measured = o->if_contains("measured_at");
  if (!overhead || !measured || !overhead->is_int64() || !measured->is_int64()) return std::nullopt;
  const std::int64_t ns = overhead->as_int64(), at = measured->as_int64();
  // A figure from the future (a clock set back) or older than a day is measured again.
  if (ns <= 0 || at > now || now - at > max_age_s) return std::nullopt;
  return ns;
}

std::int64_t launch_overhead(const std::string& machine, bool fresh) {
  const auto path = overhead_cache_path();
  const overhead_cache_key key{machine, launcher_identity(), version};
  if (!fresh && !path.empty() && !key.launcher.empty()) {
    if (auto cache = read_cache(path)) {
      if (auto ns = usable_cached_overhead(*cache, key, now_unix(), overhead_cache_max_age_s)) return *ns;
    }
  }
  const std::int64_t measured = exec::measure_launch_overhead();
  if (!path.empty() && !key.launcher.empty()) {
    try {
      std::filesystem::create_directories(path.parent_path());
      write_json_file_atomic(path, overhead_cache_document(key, measured, now_unix()));
    } catch (const std::exception&) {
      // The cache only saves time: a read-only or full home folder costs the next run 20 launches.
    }
  }
  return measured;
}

}  // namespace perfcheck::run
