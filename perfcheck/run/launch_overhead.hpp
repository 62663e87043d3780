// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The launch overhead of this machine (an empty program's launch through perfcheck's
// launcher), measured at most once a day per machine and kept in a small cache file, so that
// a short `perfcheck run` does not pay 20 extra launches every time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace perfcheck::run {

/// What a cached figure must match to be used: the machine (its fingerprint), the launcher
/// binary (path, size and modification time) and perfcheck's version.
struct overhead_cache_key {
  std::string machine;
  std::string launcher;
  std::string version;
  bool operator==(const overhead_cache_key&) const = default;
};

/// A cached figure is used for at most a day.
inline constexpr std::int64_t overhead_cache_max_age_s = 24 * 3600;

/// The cache file: $PERFCHECK_CACHE_DIR, else $XDG_CACHE_HOME/perfcheck, else
/// $HOME/.cache/perfcheck, each with "launch-overhead.json". Empty when PERFCHECK_CACHE_DIR is
/// set to "" (no cache) or no folder is known.
std::filesystem::path overhead_cache_path();

/// The cache document for a figure measured at `measured_at_unix` (seconds).
boost::json::value overhead_cache_document(const overhead_cache_key& key, std::int64_t overhead_ns,
                                           std::int64_t measured_at_unix);

/// The cached figure when `cache` is a well-formed document for `key`, measured between
/// `max_age_s` seconds ago and now; nullopt otherwise (the caller measures again).
std::optional<std::int64_t> usable_cached_overhead(const boost::json::value& cache, const overhead_cache_key& key,
                                                   std::int64_t now_unix, std::int64_t max_age_s);

/// This machine's launch overhead in ns. `fresh` (as for --subtract-overhead, where the figure
/// changes every wall time) always measures; otherwise a usable cached figure is returned.
/// A measured figure is written to the cache; a cache that cannot be read or written is
/// ignored (it only saves time).
std::int64_t launch_overhead(const std::string& machine, bool fresh);

}  // namespace perfcheck::run
