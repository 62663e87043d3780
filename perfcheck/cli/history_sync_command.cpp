// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck history sync` (the spool to its server) and `perfcheck history copy SRC DST`
// (every result of one history into another, SQLite or PostgreSQL, idempotently).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/store/history_spool.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

struct sync_flags {
  std::string history;  // --history, else PERFCHECK_HISTORY
  std::string spool;    // --spool, else PERFCHECK_SPOOL
  std::string source, target;
};

int sync(const sync_flags& f) {
  const std::string location = store::history_location(f.history);
  if (location.empty()) throw usage_error("no history; give --history URI or set PERFCHECK_HISTORY");
  if (f.spool.empty() && store::spool_location("", "") == store::spool_file_name) {
    throw usage_error(fmt::format("which spool? give --spool FILE or set {} (a run queues its results in "
                                  "its results folder, as {})",
                                  store::spool_environment_variable, store::spool_file_name));
  }
  const auto spool = store::spool_location(f.spool, "");
  std::error_code ec;
  if (!std::filesystem::exists(spool, ec)) {
    std::printf("spool %s: nothing queued (no such file)\n", terminal_safe(spool.string()).c_str());
    return exit_ok;
  }
  auto history = store::open_history(location, true);
  const auto sent = store::send_spool(spool, *history);
  std::printf("sent %zu result(s) from %s to %s (%zu were there already); %zu left queued\n", sent.sent,
              terminal_safe(spool.string()).c_str(), terminal_safe(history->location()).c_str(), sent.already,
              sent.left);
  if (sent.refused > 0) {
    std::fprintf(stderr, "error: %zu queued result(s) refused, kept in the spool: %s\n", sent.refused,
                 terminal_safe(sent.problem).c_str());
    return exit_internal;
  }
  return exit_ok;
}

// Every result, with where it stood in its baseline epochs, in one transaction of the target.
int copy(const sync_flags& f) {
  if (f.source == f.target) throw usage_error("history copy: SRC and DST are the same history");
  auto source = store::open_history_read_only(f.source);
  auto target = store::open_history(f.target, true);
  const auto batch = target->begin_batch();
  std::size_t read = 0, added = 0;
  source->each_result([&](const store::stored_result& entry) {
    ++read;
    added += batch->add(entry) ? 1 : 0;
  });
  batch->commit();
  std::printf("copied %zu result(s) from %s to %s (%zu were there already)\n", added,
              terminal_safe(source->location()).c_str(), terminal_safe(target->location()).c_str(),
              read - added);
  return exit_ok;
}

}  // namespace

std::function<int()> add_history_sync_verbs(CLI::App* history) {
  auto f = std::make_shared<sync_flags>();
  CLI::App* sync_cmd = history->add_subcommand(
      "sync", "Send the results a run queued while the history's server was away");
  sync_cmd->description(
      "A run whose PostgreSQL history cannot be reached queues its result in a spool (an SQLite\n"
      "file in its results folder, or $PERFCHECK_SPOOL); the next result recorded sends them, and\n"
      "so does 'sync'. Sending twice stores nothing twice. See docs/history-fleet.md.");
  sync_cmd->add_option("--history", f->history, "The history (postgresql://...) [default: $PERFCHECK_HISTORY]")
      ->type_name("URI");
  sync_cmd->add_option("--spool", f->spool, "The spool file [default: $PERFCHECK_SPOOL]")->type_name("FILE");
  CLI::App* copy_cmd =
      history->add_subcommand("copy", "Copy every result of one history into another (SQLite or PostgreSQL)");
  copy_cmd->description(
      "Results already in DST are skipped (each result has a unique key), so copying again adds\n"
      "only what is new; baseline epochs come along. DST is created when it does not exist.");
  copy_cmd->add_option("SRC", f->source, "The history to copy from (a file or postgresql://...)")->required();
  copy_cmd->add_option("DST", f->target, "The history to copy into (a file or postgresql://...)")->required();
  return [f, sync_cmd, copy_cmd]() -> int {
    if (sync_cmd->parsed()) return sync(*f);
    if (copy_cmd->parsed()) return copy(*f);
    return -1;
  };
}

}  // namespace perfcheck::cli
