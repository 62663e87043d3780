// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/accept_hint.hpp"

#include <fmt/format.h>

#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/terminal_text.hpp"

namespace perfcheck::cli {
namespace {

bool plain_shell_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_-./:=@%+,").find(c) != std::string_view::npos;
}

// A shell word on its way to a terminal that CTest may be reading.
std::string shown(std::string_view word) { return escape_ctest_tags(terminal_safe(shell_word(word))); }

std::string joined(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += separator;
    out += w;
  }
  return out;
}

}  // namespace

std::string shell_word(std::string_view word) {
  bool plain = !word.empty();
  for (char c : word) plain = plain && plain_shell_character(c);
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string accept_commands(const accept_target& target) {
  std::string command = "perfcheck history accept";
  for (const auto& test : target.tests) command += " " + shown(test);
  command += " --history " + shown(target.history);
  if (!target.session.empty()) command += " --session " + shown(target.session);
  std::string out = fmt::format("    {}\n", command);
  const std::string list = joined(target.tests, ";");
  for (const auto& test : target.tests) {
    if (test.find_first_of(";,") != std::string::npos) return out;  // the list's separators
  }
  std::string cmake = "PERFCHECK_ACCEPT_TESTS=" + shown(list);
  if (!target.session.empty()) cmake += " PERFCHECK_ACCEPT_SESSION=" + shown(target.session);
  out += fmt::format("    {} cmake --build <build> --target perf_accept   (CMake)\n", cmake);
  return out;
}

std::string accept_hint(const store::pending_change& change, const std::string& history,
                        const std::string& session) {
  const char* what = change.first_outcome == verdict::failed ? "failed" : "regressed";
  std::string since = change.first_commit.empty()
                          ? std::string()
                          : fmt::format(" since commit {}", change.first_commit.substr(0, 12));
  std::string out = fmt::format(
      "  not in the baseline: the test {}{}, not accepted ({} result(s)); later runs compare with "
      "the last accepted level and keep failing. If the change is intended, accept it as the new "
      "baseline:\n",
      what, escape_ctest_tags(terminal_safe(since)), change.results);
  out += accept_commands({.tests = {change.series.name}, .history = history});
  if (!session.empty() && change.first_session != session) {
    out += fmt::format(
        "  (the change waits since session {}; to start the new baseline at this session's "
        "result instead, add --session {})\n",
        shown(change.first_session.empty() ? "(none)" : change.first_session), shown(session));
  }
  return out;
}

}  // namespace perfcheck::cli
