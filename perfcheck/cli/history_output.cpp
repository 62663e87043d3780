// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/history_output.hpp"

#include <cerrno>
#include <cstdio>
#include <system_error>

#include <boost/json.hpp>

#include "perfcheck/cli/standard_output.hpp"
#include "perfcheck/model/json_file.hpp"

namespace perfcheck::cli {

boost::json::value sessions_to_json(const std::string& location,
                                    const std::vector<store::session_info>& sessions) {
  boost::json::array list;
  for (const auto& s : sessions) {
    boost::json::object verdicts;
    for (const auto& [v, n] : s.verdicts) verdicts[to_string(v)] = n;
    list.push_back({{"id", s.id},
                    {"started_at", s.started_at},
                    {"finished_at", s.finished_at},
                    {"results", s.results},
                    {"verdicts", std::move(verdicts)},
                    {"machine", s.machine},
                    {"git_branch", s.git_branch},
                    {"git_commit", s.git_commit}});
  }
  return {{"schema", "perfcheck/history-sessions/v1"}, {"history", location}, {"sessions", std::move(list)}};
}

boost::json::value series_to_json(const std::string& location, const std::string& test,
                                  const std::vector<store::series_point>& points) {
  boost::json::array list;
  for (const auto& p : points) {
    list.push_back({{"key", p.key},
                    {"started_at", p.started_at},
                    {"git_commit", p.git_commit},
                    {"git_branch", p.git_branch},
                    {"machine", p.machine},
                    {"spec_hash", p.spec_hash},
                    {"session_id", p.session_id},
                    {"verdict", to_string(p.outcome)},
                    {"summary", boost::json::value_from(p.summary)}});
  }
  return {{"schema", "perfcheck/history-series/v1"},
          {"history", location},
          {"test", test},
          {"points", std::move(list)}};
}

void write_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    throw std::system_error(errno != 0 ? errno : EIO, std::generic_category(), "write to standard output");
  }
}

std::size_t export_history_to(store::history_store& history, const std::string& output) {
  if (output == "-") {
    const std::size_t count = store::write_history_export(history, write_stdout);
    check_stdout();
    return count;
  }
  std::size_t count = 0;
  write_file_atomic(output, [&](const text_sink& write) {
    count = store::write_history_export(history, write);
  });
  return count;
}

}  // namespace perfcheck::cli
