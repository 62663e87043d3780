// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck load --url URL ...`: the built-in load generator (perfcheck/load/) against a server
// on this machine, its figures gated like any test's: verdict, console, result file, history.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/run_flags.hpp"
#include "perfcheck/cli/server_state.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/load/capacity.hpp"
#include "perfcheck/load/generator.hpp"
#include "perfcheck/load/load_result.hpp"
#include "perfcheck/load/staged_result.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

struct load_flags {
  std::string url, name = "load", method = "GET", body, expect_body, expect_size;
  std::string rate, duration, timeout = "5s", start_bound, stages, capacity, step = "5s";
  CLI::Option* stages_option = nullptr;  // given: --stages, even empty
  std::vector<std::string> headers, thresholds, allowed_hosts, body_files;
  bool check = false;  // --check: the options only, nothing sent
  int connections = 0, expect_status = 0, threads = 1;
  std::int64_t requests = 0;
  run_flags output;  // --json, --quiet; the result file and history below
  std::string output_dir, history;
  std::string server, server_state_dir = "perf-servers";  // --server: {port} in --url is its port
};

std::string with_port(std::string url, int port) {
  for (std::size_t at = 0; (at = url.find("{port}", at)) != std::string::npos;) url.replace(at, 6, std::to_string(port));
  return url;
}

// --url with {port} replaced by the port of the running server --server names (add_perf_test's
// SERVER); with --check, by a stand-in port (the server runs only when the tests do). Throws
// command_error when that server is not running.
std::string url_of(const load_flags& f) {
  if (f.check && !f.server.empty()) return with_port(f.url, 1);
  if (f.server.empty()) return f.url;
  const auto file = state_file_path(f.server_state_dir, f.server);
  const auto state = read_server_state(file);
  if (!state || state->status != "running") {
    throw command_error(fmt::format("--server '{}' is not running ({}); its CTest fixture starts it (the setup test "
                                    "perfcheck_server_{}_start), or start it with perfcheck server start",
                                    f.server, state ? "it ended with " + state->exit : "no state file " + file.string(),
                                    f.server));
  }
  return with_port(f.url, state->port);
}

double rate_of(const std::string& text) {
  quantity q;
  try {
    q = parse_quantity(text);
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("--rate '{}': {}", text, e.what()));
  }
  if (q.kind != unit_kind::rate || !(q.value > 0)) {
    throw usage_error(fmt::format("--rate '{}': give requests per second above 0, e.g. --rate 200/s", text));
  }
  return q.value;
}

std::int64_t duration_of(const char* flag, const std::string& text) {
  try {
    return static_cast<std::int64_t>(std::llround(parse_duration_ns(text)));
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("{} '{}': {}", flag, text, e.what()));
  }
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error(fmt::format("--body-file '{}': cannot read it; give an existing file", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

load::capacity_range capacity_of(const load_flags& f) {
  auto range = load::parse_capacity(f.capacity, "--capacity");
  range.step_ns = duration_of("--step", f.step);
  if (range.step_ns < 100'000'000) throw usage_error(fmt::format("--step '{}': a step takes at least 100ms", f.step));
  return range;
}

load::load_spec spec_of(const load_flags& f) {
  load::load_spec spec;
  spec.url = url_of(f);  // read once: the server's port as the requests go to it
  spec.target = load::parse_target(spec.url, "--url", f.allowed_hosts);
  spec.method = f.method;
  for (const auto& h : f.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos) throw usage_error(fmt::format("--header '{}': write 'Name: value'", h));
    const auto value = h.find_first_not_of(' ', colon + 1);
    spec.headers.emplace_back(h.substr(0, colon), value == std::string::npos ? std::string() : h.substr(value));
  }
  if (!f.body.empty() && !f.body_files.empty()) throw usage_error("--body and --body-file: give one of them");
  if (!f.body.empty()) spec.bodies = {f.body};
  for (const auto& file : f.body_files) spec.bodies.push_back(file_text(file));
  spec.check = {f.expect_status, f.expect_body};
  if (!f.expect_size.empty()) load::parse_size_range(f.expect_size, "--expect-size", spec.check);
  if (!f.rate.empty()) spec.rate = rate_of(f.rate);
  if (f.stages_option != nullptr && f.stages_option->count() > 0) spec.stages = load::parse_stages(f.stages, "--stages");
  const bool open = spec.rate > 0 || !spec.stages.empty();
  spec.connections = f.connections > 0 ? f.connections : (open ? 16 : 1);
  spec.threads = f.threads;
  if (!f.duration.empty()) spec.duration_ns = duration_of("--duration", f.duration);
  spec.requests = f.requests;
  spec.timeout_ns = duration_of("--timeout", f.timeout);
  spec.start_bound_ns = f.start_bound.empty() ? spec.timeout_ns : duration_of("--start-bound", f.start_bound);
  if (!f.capacity.empty()) {  // the first step's rate and every step's length
    if (open || !f.duration.empty() || f.requests > 0) {
      throw usage_error("--capacity runs its own steps: give it without --rate, --stages, --duration or --requests "
                        "(--step sets each step's length)");
    }
    const auto range = capacity_of(f);
    spec.rate = range.from;
    spec.duration_ns = range.step_ns;
    spec.connections = f.connections > 0 ? f.connections : 16;
  }
  load::check_spec(spec);
  return spec;
}

// "body=120B", or for bodies cycled "bodies=3:120B,98B,301B": what a series is filed under.
std::string body_words(const load::load_spec& spec) {
  if (spec.bodies.size() <= 1) return fmt::format("body={}B", spec.bodies.empty() ? 0 : spec.bodies.front().size());
  std::vector<std::string> sizes;
  for (const auto& b : spec.bodies) sizes.push_back(fmt::format("{}B", b.size()));
  return fmt::format("bodies={}:{}", spec.bodies.size(), fmt::join(sizes, ","));
}

// The spec a load result is filed under: its name, what it sends (the port left out, so an
// automatic port keeps the history series) and its outputs.
run_spec result_spec(const load_flags& f, const load::load_spec& spec) {
  run_spec r;
  r.name = f.name;
  const std::string model = !f.capacity.empty()    ? fmt::format("capacity={} step={}", f.capacity, f.step)
                            : !spec.stages.empty() ? "stages=" + load::stages_text(spec.stages)
                            : spec.rate > 0        ? fmt::format("rate={}/s", spec.rate)
                                                   : std::string("closed");
  r.command = {"perfcheck", "load", spec.method, spec.target.path, model,
               fmt::format("connections={}", spec.connections), fmt::format("duration={}ns", spec.duration_ns),
               fmt::format("requests={}", spec.requests), body_words(spec)};
  if (spec.threads > 1) r.command.push_back(fmt::format("threads={}", spec.threads));  // one: as before
  r.thresholds = f.thresholds;
  r.output_dir = f.output_dir;
  r.result_file = f.output.json == "-" ? std::string() : f.output.json;
  return r;
}

// Gated like any test; without a threshold on errors, any error fails the run (every stage).
// A threshold's '@stage=k' names one of the spec's stages.
std::vector<threshold_expr> thresholds_of(const load_flags& f, const load::load_spec& spec) {
  auto texts = f.thresholds;
  const bool on_errors = std::any_of(texts.begin(), texts.end(), [](const std::string& t) {
    return t.find("errors.") != std::string::npos;
  });
  if (!on_errors) texts.push_back("errors.count == 0");
  auto thresholds = gate::parse_thresholds(texts, "--threshold");
  for (const auto& t : thresholds) {
    if (t.metric == "capacity" && f.capacity.empty()) {
      throw usage_error(fmt::format("--threshold '{}': capacity is measured by a capacity search; give --capacity "
                                    "FROM/s..TO/s (e.g. 50/s..5000/s)",
                                    t.text));
    }
  }
  load::check_stage_levels(thresholds, spec.stages.size(), "--threshold");
  return thresholds;
}

rusage usage() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u;
}

double ns_of(const timeval& t) { return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_usec) * 1e3; }

// The capacity search: each step printed as it ends (unless --quiet), each a level rate=R.
void search(const load_flags& f, const load::load_spec& spec, const std::vector<threshold_expr>& thresholds,
            run_result& result) {
  const auto range = capacity_of(f);
  const auto [capacity_gates, step_gates] = load::split_capacity_gates(thresholds);
  std::FILE* progress = f.output.json == "-" ? stderr : stdout;
  const auto found = load::search_capacity(
      range,
      [&](double rate) {
        auto at = spec;
        at.rate = rate;
        return load::run_load(at);
      },
      [&](double rate, const load::load_report& r) { return load::step_problem(rate, r, step_gates); },
      [&](const load::capacity_step& s) {
        if (f.output.quiet) return;
        fmt::print(progress, "  capacity: {} {}\n", format_quantity(s.rate, unit_kind::rate),
                   s.held() ? fmt::format("held (latency p99 {}, {} responses)",
                                          format_duration(s.report.latency.quantile(0.99).value_or(0)), s.report.responses)
                            : terminal_safe("did not hold: " + s.broke));
        std::fflush(progress);
      });
  result.metadata["capacity.range"] = f.capacity;
  load::add_capacity_points(result, found, range, capacity_gates, spec.url);
}

// Runs the load the flags ask for and puts its figures, levels and verdict in `result`.
void measure(const load_flags& f, const load::load_spec& spec, const std::vector<threshold_expr>& thresholds,
             run_result& result) {
  const auto before = usage();
  std::vector<load::load_report> stages;
  if (f.capacity.empty()) {
    stages = load::run_load_stages(spec);
  } else {
    search(f, spec, thresholds, result);
  }
  const auto after = usage();
  result.finished_at = run::rfc3339(std::chrono::system_clock::now());
  load::add_generator_usage(result, ns_of(after.ru_utime) - ns_of(before.ru_utime), ns_of(after.ru_stime) - ns_of(before.ru_stime),
                            static_cast<double>(after.ru_maxrss) * 1024);
  if (!f.capacity.empty()) return;
  if (spec.stages.empty()) {
    const auto& report = stages.front();
    load::add_load_summaries(result, report, spec.rate > 0);
    load::judge_load(result, report, thresholds, spec.url);
  } else {
    load::add_stage_points(result, stages, thresholds, spec.url);  // each stage a level: stage=1 ...
  }
}

// --check, add_perf_test's build-time check of a LOAD test: the options as a run reads them,
// each mistake naming the test.
int check_only(const load_flags& f) {
  try {
    thresholds_of(f, spec_of(f));
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("perf test '{}' (LOAD): {}", f.name, e.what()));
  }
  if (!f.output.quiet) fmt::print("{}: load options valid\n", terminal_safe(f.name));
  return exit_ok;
}

int execute(const load_flags& f) {
  if (f.check) return check_only(f);
  const auto spec = spec_of(f);
  const auto thresholds = thresholds_of(f, spec);  // before anything is sent: a bad one is exit 2
  const run_spec filed = result_spec(f, spec);
  run_result result;
  result.name = f.name;
  result.command = filed.command;
  result.environment = run::collect_environment();
  store::apply_context_environment(result.context, f.output_dir);
  result.context.machine = run::machine_fingerprint(result.environment);
  result.context.spec_hash = spec_hash(filed);
  result.metadata["url"] = spec.url;  // as sent: {port} is the server's port of this session
  if (!spec.stages.empty()) result.metadata["stages"] = load::stages_text(spec.stages);
  result.started_at = run::rfc3339(std::chrono::system_clock::now());
  measure(f, spec, thresholds, result);
  report_result(result, filed, f.output);
  std::FILE* human = f.output.json == "-" ? stderr : stdout;
  const std::string history = store::history_location(f.history);
  const int code = result.outcome == verdict::error    ? exit_command_failed
                   : result.outcome == verdict::failed ? exit_verdict_failed
                                                       : exit_ok;
  return record_result(result, history, filed, human).value_or(code);
}

void add_options(CLI::App& sub, load_flags& f) {
  sub.add_option("--url", f.url, "The server: http://127.0.0.1:PORT/PATH (or [::1], localhost; another host only with --allow-host)")->required();
  sub.add_option("--allow-host", f.allowed_hosts, "Allow --url to name this host although it is not a loopback address (repeat for more); without it, load goes only to this machine");
  sub.add_flag("--check", f.check, "Check the options (URL, rates, stages, capacity, thresholds, body file) and exit 0 or 2, sending nothing; {port} needs no running server");
  sub.add_option("--server", f.server, "The server under test (add_perf_server) whose port {port} in --url stands for");
  sub.add_option("--server-state-dir", f.server_state_dir, "Where the servers' state files are [default: perf-servers]");
  sub.add_option("--name", f.name, "Test name in the console, result and history [default: load]");
  sub.add_option("--rate", f.rate, "Open model: start requests at this constant rate, e.g. 200/s, whatever the server does [default: closed model]");
  f.stages_option = sub.add_option("--stages", f.stages, "Open model in stages, back to back on one schedule, each a level of the result (stage=1, stage=2 ...): 'DURATION:RATE/s ...' or a ramp DURATION:RATE/s..RATE/s, e.g. '10s:50/s 5s:1000/s 30s:50/s'; instead of --rate and --duration");
  sub.add_option("--capacity", f.capacity, "Search the highest rate that holds the gates: the open model at FROM, doubling, then halving the gap, each step --step long and a level rate=R; e.g. 50/s..5000/s. Gate the rate found with 'capacity >= 500/s'");
  sub.add_option("--step", f.step, "--capacity: each step's length [default: 5s]");
  sub.add_option("--connections", f.connections, "Closed model: requests kept in flight; open model: the most connections used [default: 1 closed, 16 open]");
  sub.add_option("--threads", f.threads, "Generator threads, each with an event loop and a share of the connections, for a server faster than one core can drive [default: 1]");
  sub.add_option("--duration", f.duration, "How long to send, e.g. 10s (with --requests, whichever ends first)");
  sub.add_option("--requests", f.requests, "How many requests to start (with --duration, whichever ends first)");
  sub.add_option("--method", f.method, "The request's method [default: GET]");
  sub.add_option("--header", f.headers, "A request header 'Name: value' (repeat for more)");
  sub.add_option("--body", f.body, "The request's body, as given");
  sub.add_option("--body-file", f.body_files, "The request's body, read from FILE; several files (seeded payloads) are cycled, request k sending file k mod N")->type_name("FILE...");
  sub.add_option("--expect-status", f.expect_status, "The status a right response has [default: any 2xx or 3xx]");
  sub.add_option("--expect-body", f.expect_body, "Text a right response's body contains [default: anything]");
  sub.add_option("--expect-size", f.expect_size, "The sizes a right response's body has, MIN..MAX, e.g. 100B..64KiB, ..1MiB, 1KiB.. (else an errors.body) [default: any]");
  sub.add_option("--timeout", f.timeout, "The longest a connect, or a request's response, may take [default: 5s]");
  sub.add_option("--start-bound", f.start_bound, "Open model: the longest a start may wait for a free connection before it is dropped [default: the timeout]");
  sub.add_option("--threshold", f.thresholds, "A gate, e.g. 'latency.p99 < 200ms', 'throughput.median >= 333/s', 'errors.rate < 1%' (repeat for more) [default: errors.count == 0]");
  sub.add_option("--json", f.output.json, "Write the result (perfcheck/result/v1) to FILE; '-' writes it to stdout and the summary to stderr");
  sub.add_option("--output-dir", f.output_dir, "Write the result file <name>.json here");
  sub.add_option("--history", f.history, "Also record the result in this history file [default: $PERFCHECK_HISTORY, else none]");
  sub.add_flag("-q,--quiet", f.output.quiet, "Print only the verdict line (and errors)");
}

}  // namespace

command_action add_load_command(CLI::App& app) {
  auto flags = std::make_shared<load_flags>();
  CLI::App* sub = app.add_subcommand("load", "Send HTTP load to a server on this machine and gate its latency, throughput and errors");
  sub->description(
      "Usage: perfcheck load --url http://127.0.0.1:PORT/PATH [--rate N/s | --connections N] [--duration D | --requests N]\n"
      "       perfcheck load --url http://127.0.0.1:PORT/PATH --stages 'D:N/s D:N/s ...'\n"
      "       perfcheck load --url http://127.0.0.1:PORT/PATH --capacity N/s..N/s [--step D]\n\n"
      "The closed model (default) keeps --connections requests in flight; the open model (--rate) starts\n"
      "requests on a fixed schedule and times each from its intended start, so a stalled server shows in\n"
      "the latency tail (no coordinated omission); --stages runs it at several rates in turn, each stage a\n"
      "level (gate one with 'latency.p99@stage=2 < 200ms'); --capacity searches the highest rate that holds\n"
      "the gates, each step a level rate=R (gate the rate found with 'capacity >= 500/s').\n"
      "Metrics: latency, service, lag, response_bytes (p50 p90 p95 p99 max), throughput, errors.count,\n"
      "errors.rate, errors.<connect|timeout|status|body|io>, dropped, capacity.\n"
      "Exit codes: 0 pass (or inconclusive), 1 a threshold failed, 2 usage error, 3 no response at all,\n"
      "4 perfcheck failed. See docs/load.md.");
  add_options(*sub, *flags);
  return [flags] { return execute(*flags); };
}

}  // namespace perfcheck::cli
