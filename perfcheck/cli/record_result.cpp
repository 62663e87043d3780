// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// After the result file: the result into the history, or into the spool while a PostgreSQL
// history is away. Nothing is lost either way, and the console says where the result went.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "perfcheck/cli/accept_hint.hpp"
#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/run_flags.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/run/output_keeper.hpp"
#include "perfcheck/store/history_spool.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

void print_error(const char* prefix, const std::string& text) {
  std::fprintf(stderr, "%s%s\n", prefix, escape_ctest_tags(terminal_safe_lines(text)).c_str());
}

// The history could not take the result: the result file is all there is.
int lost_to_history(const store::history_error& e, const std::string& where, const run_spec& spec) {
  print_error("error: ", e.what());
  if (const auto path = run::result_path_for(spec); !path.empty()) {
    const std::string kept = escape_ctest_tags(path.string());
    const std::string shown = escape_ctest_tags(where);
    std::fprintf(stderr, "the result is kept in %s; once the history is usable, add it with "
                 "'perfcheck history import --history %s %s'\n", kept.c_str(), shown.c_str(), kept.c_str());
  }
  return e.refused() ? exit_usage : exit_internal;
}

// The server is away or cannot take the result now (its disk full): the result waits in the
// spool, and the verdict stands.
std::optional<int> queue(const run_result& result, const store::history_unreachable& away,
                         const std::string& where, const run_spec& spec, std::FILE* human) {
  const auto spool = store::spool_location("", spec.output_dir);
  try {
    store::queue_in_spool(spool, result);
  } catch (const store::history_error& e) {
    print_error("error: ", away.what());
    return lost_to_history(e, where, spec);
  }
  print_error("warning: ", away.what());
  const std::string queued = escape_ctest_tags(spool.string());
  std::fprintf(human, "  history: queued in %s (the server cannot take it now); it is sent with the next result "
               "recorded, or with 'perfcheck history sync --history %s --spool %s'\n",
               queued.c_str(), escape_ctest_tags(where).c_str(), queued.c_str());
  std::fflush(human);
  return std::nullopt;
}

// What the spool holds goes first, so the history keeps the order the results were measured in.
void send_queued(store::history_store& history, const run_spec& spec, std::FILE* human) {
  const auto spool = store::spool_location("", spec.output_dir);
  store::spool_sent sent;
  try {
    sent = store::send_spool(spool, history);
  } catch (const store::history_unreachable&) {
    throw;  // the server went away: this result waits in the spool too
  } catch (const store::history_error& e) {  // the spool stays as it is; this result goes on
    print_error("warning: the queued results were not sent: ", e.what());
    return;
  }
  if (sent.refused > 0) {
    print_error("warning: queued results the history refused stay in the spool: ", sent.problem);
  }
  if (sent.sent + sent.already == 0) return;
  std::fprintf(human, "  history: sent %zu queued result(s) from %s (%zu were there already)\n", sent.sent,
               escape_ctest_tags(spool.string()).c_str(), sent.already);
}

void print_pending(store::history_store& history, const run_result& result, const std::string& where,
                   std::FILE* human) {
  if (result.outcome == verdict::error) return;  // never a baseline: nothing to accept
  try {
    const store::series_identity series{result.name, result.context.spec_hash, result.context.machine,
                                        result.context.git_branch};
    if (const auto change = history.pending(series)) {
      std::fputs(accept_hint(*change, where, result.context.session_id).c_str(), human);
      std::fflush(human);
    }
  } catch (const store::history_error& e) {  // the result is recorded; only the hint is missing
    print_error("note: cannot tell whether the result joined the baseline: ", e.what());
  }
}

}  // namespace

std::optional<int> record_result(const run_result& result, const std::string& history, const run_spec& spec,
                                 std::FILE* human) {
  if (history.empty()) return std::nullopt;
  const std::string where = store::mask_password(history);
  const bool server = store::is_postgresql_uri(history);
  std::unique_ptr<store::history_store> store;
  try {
    store = store::open_history(history, true);
    if (server) send_queued(*store, spec, human);
    store->record(result);
  } catch (const store::history_unreachable& e) {
    if (server) return queue(result, e, where, spec, human);
    return lost_to_history(e, where, spec);
  } catch (const store::history_error& e) {
    return lost_to_history(e, where, spec);
  }
  print_pending(*store, result, where, human);
  return std::nullopt;
}

}  // namespace perfcheck::cli
