// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck session start|finish`: the CTest fixture that ties one `ctest -L perf` together.
// start records who and where (session id, machine fingerprint) in <results>/session.json;
// finish reads the result files of that session, prints the verdict counts and, given a
// history and a report folder, writes the session's report there.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "perfcheck/cli/accept_hint.hpp"
#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* session_schema = "perfcheck/session/v1";

// Text from files (names, ids, paths, messages quoting them) as the session's CTest tests print
// it: control characters written out, and nothing that CTest would read as a tag of its own.
std::string shown(std::string_view text) { return escape_ctest_tags(terminal_safe_lines(text)); }
constexpr const char* session_file_name = "session.json";

// "20261123T100000Z-3f9a2c1d": sorts by start time; the random part tells apart two sessions
// started in the same second (two build folders sharing one results folder).
std::string new_session_id(std::chrono::system_clock::time_point now) {
  const std::string t = run::rfc3339(now);  // 2026-11-23T10:00:00.123Z
  std::string compact;
  for (char c : t.substr(0, 19)) {
    if (c != '-' && c != ':') compact += c;
  }
  std::random_device entropy;
  return fmt::format("{}Z-{:08x}", compact, entropy());
}

// The environment object exactly as result files carry it, so the two can be compared.
boost::json::value environment_json(const environment_info& env) {
  run_result carrier;
  carrier.environment = env;
  return result_to_json(carrier).as_object().at("environment");
}

// The session is recorded first, so that the cleanup counts this session (none of its tests
// ran) even when a spec does not compile.
int start_session(const fs::path& dir, const std::vector<std::string>& specs) {
  const auto now = std::chrono::system_clock::now();
  const environment_info env = run::collect_environment();
  const std::string id = new_session_id(now);
  const std::string fingerprint = run::machine_fingerprint(env);
  boost::json::object session;
  session["schema"] = session_schema;
  session["id"] = id;
  session["started_at"] = run::rfc3339(now);
  session["machine"] = fingerprint;
  session["environment"] = environment_json(env);
  fs::create_directories(dir);
  write_json_file_atomic(dir / session_file_name, session);
  std::printf("perfcheck session %s started on machine %s; results in %s\n", id.c_str(),
              fingerprint.c_str(), dir.c_str());
  if (specs.empty()) return exit_ok;
  std::fflush(stdout);
  const std::size_t bad = print_spec_errors(specs);
  if (bad == 0) {
    std::printf("perfcheck session: %zu perf test spec(s) compile\n", specs.size());
    return exit_ok;
  }
  std::fprintf(stderr,
               "perfcheck session: %zu of %zu perf test spec(s) do not compile, so no perf test "
               "of this session runs (CTest reports them as not run: the setup of their fixture "
               "perfcheck_session failed). Fix each one named above (its add_perf_test call), then "
               "configure and build again: the build-time check perfcheck_validate_specs reports "
               "the same.\n",
               bad, specs.size());
  return exit_usage;
}

struct session_record {
  std::string id;
  std::string started_at;
};

// The session file, or nullopt (with a note) when it is missing or unreadable: finish still
// counts what it finds.
std::optional<session_record> read_session(const fs::path& dir) {
  const fs::path path = dir / session_file_name;
  if (!fs::exists(path)) {
    std::printf(
        "note: no %s; counting every result in the folder (run 'perfcheck session "
        "start' first to count only one session)\n",
        path.c_str());
    return std::nullopt;
  }
  try {
    const boost::json::value json = read_json_file(path);
    const json_reader r(json, path.string());
    const std::string schema = r.required_string("schema");
    if (schema != session_schema) {
      r.fail("schema",
             fmt::format("'{}' is not a session file; expected '{}'", schema, session_schema));
    }
    return session_record{r.required_string("id"), r.required_string("started_at")};
  } catch (const usage_error& e) {
    std::printf("warning: %s; counting every result in the folder\n", shown(e.what()).c_str());
    return std::nullopt;
  }
}

struct session_tally {
  std::array<int, 7> counts{};                               ///< indexed by verdict
  int expected_failures = 0;  ///< WILL_FAIL tests that failed (not in counts)
  std::vector<std::string> unexpected_passes;  ///< WILL_FAIL tests that passed: CTest fails them
  std::vector<std::pair<std::string, verdict>> not_passing;  ///< name, verdict
  std::vector<store::series_identity> unaccepted;  ///< series of the regressed and failed results
  int older = 0;                                             ///< results of other sessions
  std::vector<std::string> unreadable;                       ///< "file: problem"
  int total() const {
    int n = expected_failures;
    for (int c : counts) n += c;
    return n;
  }
};

session_tally tally_results(const fs::path& dir, const std::optional<session_record>& session) {
  session_tally tally;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& p = entry.path();
    if (entry.is_regular_file() && p.extension() == ".json" && p.filename() != session_file_name) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      const boost::json::value json = read_json_file(file);
      if (schema_of(json) != result_schema) continue;
      const run_result result = result_from_json(json, file.string());
      // A result that names its session belongs to that one; an older result without a
      // session id belongs to this session when it started after it (RFC 3339 UTC stamps of
      // one format order as strings).
      const bool earlier =
          session && (result.context.session_id.empty() ? result.started_at < session->started_at
                                                        : result.context.session_id != session->id);
      if (earlier) {
        ++tally.older;
        continue;
      }
      if (is_expected_failure(result)) {
        ++tally.expected_failures;
        continue;
      }
      ++tally.counts[static_cast<std::size_t>(result.outcome)];
      if (result.expected_failure && (result.outcome == verdict::pass || result.outcome == verdict::improved)) {
        tally.unexpected_passes.push_back(result.name);
      }
      if (result.outcome != verdict::pass && result.outcome != verdict::improved) {
        tally.not_passing.emplace_back(result.name, result.outcome);
      }
      if (result.outcome == verdict::regressed || result.outcome == verdict::failed) {
        tally.unaccepted.push_back({result.name, result.context.spec_hash, result.context.machine,
                                    result.context.git_branch});
      }
    } catch (const usage_error& e) {
      tally.unreadable.push_back(e.what());
    }
  }
  return tally;
}

// The report of the session that just finished, into `report_dir`, from `history` (empty:
// PERFCHECK_HISTORY). Whatever keeps a report from being written (no history, a session the
// history does not know because no test recorded into it, a history that cannot be read, a
// folder that cannot be written) is a note, not a failure: the session's verdicts stand. The path is printed last, where a person reading CI output looks.
int report_session(const std::optional<session_record>& session, const std::string& history,
                   const fs::path& report_dir) {
  const std::string location = store::history_location(history);
  if (!session) {
    std::printf("note: no report: without a session record there is no session to report\n");
    return exit_ok;
  }
  if (location.empty()) {
    std::printf("note: no report: no history (PERFCHECK_HISTORY is empty); the report reads "
                "the history\n");
    return exit_ok;
  }
  if (!store::history_exists(location)) {
    std::printf("note: no report: no history at %s yet (no perf test recorded into it)\n",
                location.c_str());
    return exit_ok;
  }
  report_request request;
  request.history = location;
  request.out = report_dir.string();
  request.session = session->id;
  try {
    const int code = write_report(request);
    if (code != exit_ok) return code;
  } catch (const std::exception& e) {
    // A bad or busy history, an unwritable folder: the verdicts of the session stand.
    std::printf("note: no report: %s\n", shown(e.what()).c_str());
    return exit_ok;
  }
  std::printf("perfcheck report: %s\n", (fs::absolute(report_dir) / "index.html").c_str());
  return exit_ok;
}

// The session's regressions and failures that the history keeps out of the baseline (see
// docs/history.md, "Baseline epochs"), and the commands that accept them.
void print_accept_hint(const std::vector<store::series_identity>& candidates, const std::string& history) {
  const std::string location = store::history_location(history);
  if (candidates.empty() || location.empty() || !store::history_exists(location)) return;
  accept_target target{.tests = {}, .history = store::mask_password(location)};
  try {
    auto store = store::open_history_read_only(location);
    for (const auto& series : candidates) {
      if (store->pending(series)) target.tests.push_back(series.name);
    }
  } catch (const store::history_error& e) {
    std::printf("note: cannot tell which results wait for acceptance: %s\n", shown(e.what()).c_str());
    return;
  }
  if (target.tests.empty()) return;
  std::printf("%zu test(s) regressed or failed and are kept out of their baseline until accepted, so "
              "later sessions keep failing against the last accepted level. If the changes are "
              "intended, accept them:\n%s",
              target.tests.size(), accept_commands(target).c_str());
}

int finish_session(const fs::path& dir, const std::string& history, const std::string& report_dir) {
  if (!fs::is_directory(dir)) {
    std::printf("perfcheck session: no results folder %s (no perf test ran)\n", dir.c_str());
    return exit_ok;
  }
  const auto session = read_session(dir);
  const session_tally tally = tally_results(dir, session);

  std::string counts;
  for (std::size_t i = 0; i < tally.counts.size(); ++i) {
    if (tally.counts[i] == 0) continue;
    if (!counts.empty()) counts += ", ";
    counts += fmt::format("{} {}", tally.counts[i], to_string(static_cast<verdict>(i)));
  }
  if (tally.expected_failures > 0) {
    counts += fmt::format("{}{} expected failure{} (WILL_FAIL)", counts.empty() ? "" : ", ",
                          tally.expected_failures, tally.expected_failures == 1 ? "" : "s");
  }
  std::string line = fmt::format("perfcheck session {}: {} result(s)",
                                 session ? session->id : std::string("(unknown)"), tally.total());
  if (!counts.empty()) line += ": " + counts;
  if (tally.older > 0)
    line += fmt::format(" ({} result(s) of earlier sessions not counted)", tally.older);
  std::printf("%s in %s\n", shown(line).c_str(), shown(dir.string()).c_str());
  for (const auto& [name, outcome] : tally.not_passing) {
    std::printf("  %-12s %s\n", to_string(outcome), shown(name).c_str());
  }
  for (const auto& name : tally.unexpected_passes) {
    std::printf("  %-12s %s (marked WILL_FAIL, so CTest counts it as failed)\n", "passed", shown(name).c_str());
  }
  for (const auto& problem : tally.unreadable) {
    std::printf("warning: unreadable result: %s\n", shown(problem).c_str());
  }
  print_accept_hint(tally.unaccepted, history);
  if (report_dir.empty()) return exit_ok;
  std::fflush(stdout);
  return report_session(session, history, report_dir);
}

}  // namespace

command_action add_session_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto history = std::make_shared<std::string>();
  auto report_dir = std::make_shared<std::string>();
  auto specs = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand(
      "session", "Start or finish a perf session (the CTest fixture of add_perf_test)");
  sub->description(
      "add_perf_test registers these as the setup and cleanup of the 'perfcheck_session' CTest\n"
      "fixture, so every 'ctest -L perf' (or 'ctest -R one_test') is one session.");
  sub->require_subcommand(1);
  CLI::App* start = sub->add_subcommand(
      "start", "Record a new session id and the machine fingerprint in DIR/session.json");
  start
      ->add_option(
          "--results-dir", *dir,
          "The results folder of the perf tests (PERFCHECK_RESULTS_DIR); created when missing")
      ->type_name("DIR")
      ->required();
  start
      ->add_option("--spec", *specs,
                   "Compile these spec files (the session's perf tests) as 'perfcheck validate' "
                   "does; exit 2 when any does not compile, so that CTest runs none of the tests")
      ->type_name("FILE");
  CLI::App* finish = sub->add_subcommand(
      "finish",
      "Print the verdict counts of the session's result files in DIR, and write its report");
  finish
      ->add_option("--results-dir", *dir,
                   "The results folder of the perf tests (PERFCHECK_RESULTS_DIR)")
      ->type_name("DIR")
      ->required();
  finish
      ->add_option("--report-dir", *report_dir,
                   "Also write the session's report (as 'perfcheck report') into this folder "
                   "[default: no report]")
      ->type_name("DIR");
  finish
      ->add_option("--history", *history,
                   "The history the report reads [default: $PERFCHECK_HISTORY]")
      ->type_name("FILE");
  return [dir, start, history, report_dir, specs] {
    return start->parsed() ? start_session(*dir, *specs)
                           : finish_session(*dir, *history, *report_dir);
  };
}

}  // namespace perfcheck::cli
