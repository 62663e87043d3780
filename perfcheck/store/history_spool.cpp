// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/history_spool.hpp"

#include <cstdlib>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "perfcheck/store/sqlite_history_store.hpp"

namespace perfcheck::store {

std::filesystem::path spool_location(const std::string& flag, const std::filesystem::path& results_dir) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv(spool_environment_variable); env != nullptr && *env != '\0') return env;
  return results_dir.empty() ? std::filesystem::path(spool_file_name) : results_dir / spool_file_name;
}

void queue_in_spool(const std::filesystem::path& spool, const run_result& result) {
  if (spool.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(spool.parent_path(), ec);
    if (ec) {
      throw history_error(fmt::format("spool {}: cannot create its folder: {}; set {} to a writable "
                                      "place",
                                      spool.string(), ec.message(), spool_environment_variable),
                          false);
    }
  }
  sqlite_history_store queue(spool);
  queue.record(result);
}

namespace {

// Each result in a transaction of its own: the ones the history refuses stay queued.
void send_one_by_one(const std::vector<stored_result>& queued, history_store& history, spool_sent& out,
                     std::vector<std::string>& keys) {
  for (const auto& entry : queued) {
    try {
      out.sent += history.add(std::span<const stored_result>(&entry, 1));
      keys.push_back(entry.key);
    } catch (const history_unreachable&) {
      throw;
    } catch (const history_error& e) {
      if (out.refused++ == 0) out.problem = e.what();
    }
  }
}

}  // namespace

spool_sent send_spool(const std::filesystem::path& spool, history_store& history) {
  spool_sent out;
  std::error_code ec;
  if (!std::filesystem::exists(spool, ec)) return out;
  sqlite_store_options options;
  options.create = false;
  sqlite_history_store queue(spool, std::move(options));
  std::vector<stored_result> queued = queue.all_results();
  if (queued.empty()) return out;
  for (auto& entry : queued) entry.baseline.reset();  // placed by the history's rules, not the spool's
  std::vector<std::string> keys;
  try {
    out.sent = history.add(queued);
    for (const auto& entry : queued) keys.push_back(entry.key);
  } catch (const history_unreachable&) {
    throw;
  } catch (const history_error&) {
    send_one_by_one(queued, history, out, keys);
  }
  out.already = keys.size() - out.sent;
  queue.remove_results(keys);  // only those the history committed
  out.left = queue.all_results().size();
  return out;
}

}  // namespace perfcheck::store
