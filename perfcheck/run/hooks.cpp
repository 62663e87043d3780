// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/hooks.hpp"

#include <unistd.h>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/limits.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/run/environment.hpp"

namespace perfcheck::run {
namespace {

// The most output lines and characters of a failed hook quoted in its error.
constexpr std::size_t quoted_lines = 5;
constexpr std::size_t quoted_chars = 600;

const std::vector<std::string>& argv_of(const run_spec& spec, hook_kind kind) {
  switch (kind) {
    case hook_kind::setup: return spec.setup;
    case hook_kind::prepare: return spec.prepare;
    case hook_kind::cleanup: return spec.cleanup;
  }
  return spec.setup;
}

const char* file_word(hook_kind kind) {
  switch (kind) {
    case hook_kind::setup: return "setup";
    case hook_kind::prepare: return "prepare";
    case hook_kind::cleanup: return "cleanup";
  }
  return "setup";
}

// The last lines of a file, joined by " | "; "" when it is empty or unreadable.
std::string last_lines(const std::filesystem::path& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    lines.push_back(line);
    if (lines.size() > quoted_lines) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : " | ") + l;
  if (out.size() > quoted_chars) out = "..." + out.substr(out.size() - quoted_chars);
  return out;
}

// How a hook's run ended badly, or "" when it succeeded.
std::string failure_of(const run_sample& s) {
  if (s.limit) {
    return fmt::format("was stopped by its {} limit ({})", limit_key(*s.limit),
                       format_limit_value(*s.limit, s.limit_observed));
  }
  if (s.signal) return fmt::format("was killed by {}", signal_name(*s.signal));
  if (s.exit_code.value_or(0) != 0) return fmt::format("exited with status {}", *s.exit_code);
  return {};
}

class process_hook_runner final : public hook_runner {
 public:
  explicit process_hook_runner(const run_spec& spec) : spec_(spec) {}
  ~process_hook_runner() override {
    std::error_code ignored;
    if (!temp_.empty()) std::filesystem::remove_all(temp_, ignored);
  }
  process_hook_runner(const process_hook_runner&) = delete;
  process_hook_runner& operator=(const process_hook_runner&) = delete;

  void run(hook_kind kind) override;

 private:
  exec::output_capture capture_for(hook_kind kind);
  exec::executor& executor_for(hook_kind kind);

  run_spec spec_;
  std::filesystem::path temp_;  // the output folder when the test keeps no output
  std::array<std::unique_ptr<exec::executor>, 3> executors_;
};

exec::output_capture process_hook_runner::capture_for(hook_kind kind) {
  exec::output_capture capture;
  capture.pass_through = spec_.show_output;
  capture.limit_bytes = spec_.output_limit_bytes;
  if (spec_.show_output) return capture;
  // The first hook that runs makes the private folder (mkdtemp, swept after a kill -9).
  if (spec_.output_dir.empty() && temp_.empty()) temp_ = make_temp_folder("perfcheck-hooks");
  const std::filesystem::path dir = temp_.empty() ? std::filesystem::path(spec_.output_dir) : temp_;
  std::filesystem::create_directories(dir);
  const std::string stem = fmt::format("{}.{}", safe_file_stem(spec_.name), file_word(kind));
  capture.stdout_path = dir / (stem + ".stdout");
  capture.stderr_path = dir / (stem + ".stderr");
  return capture;
}

exec::executor& process_hook_runner::executor_for(hook_kind kind) {
  auto& slot = executors_[static_cast<std::size_t>(kind)];
  if (slot) return *slot;
  run_spec as_command = spec_;
  as_command.command = argv_of(spec_, kind);
  exec::command_line line = exec::command_line_for(as_command);
  line.limits.output_bytes = 0;  // its output is bounded by the capture, not a reason to fail
  if (line.limits.timeout_ns == 0) line.limits.timeout_ns = default_hook_timeout_ns;
  slot = std::make_unique<exec::process_executor>(std::move(line));
  return *slot;
}

void process_hook_runner::run(hook_kind kind) {
  const auto& argv = argv_of(spec_, kind);
  if (argv.empty()) return;
  const std::string name = fmt::format("{} command '{}'", to_string(kind), argv.front());
  std::optional<exec::run_report> report;
  const exec::output_capture capture = capture_for(kind);
  try {
    report = executor_for(kind).run(capture);
  } catch (const command_error& e) {
    throw command_error(fmt::format("{}: {}", name, e.what()));
  }
  const std::string how = failure_of(report->sample);
  if (how.empty()) return;
  std::string tail = last_lines(capture.stderr_path);
  if (tail.empty()) tail = last_lines(capture.stdout_path);
  const std::string kept = spec_.output_dir.empty() || spec_.show_output
                               ? std::string()
                               : fmt::format(" (its output: {})", capture.stderr_path.string());
  throw command_error(fmt::format("{} {}{}{}; fix it or drop {}", name, how,
                                  tail.empty() ? std::string() : fmt::format(", its output ends: {}", tail), kept,
                                  to_string(kind)));
}

// Runs PREPARE before every run of the command it wraps; never pipelines.
class prepared_executor final : public exec::executor {
 public:
  prepared_executor(std::unique_ptr<exec::executor> inner, std::shared_ptr<hook_runner> hooks)
      : inner_(std::move(inner)), hooks_(std::move(hooks)) {}
  exec::run_report run(const exec::output_capture& capture) override {
    hooks_->run(hook_kind::prepare);
    return inner_->run(capture);
  }
  // A round's copies start together after one PREPARE; the default run_round (copies one
  // after another) would make throughput and efficiency meaningless.
  exec::round_report run_round(const exec::output_capture& capture, int copies) override {
    hooks_->run(hook_kind::prepare);
    return inner_->run_round(capture, copies);
  }
  // expect_follow_up is not passed on: a pipelined run would start before its PREPARE.

 private:
  std::unique_ptr<exec::executor> inner_;
  std::shared_ptr<hook_runner> hooks_;
};

// Whether substituting the level changes `text`: it uses a placeholder.
bool uses_placeholder(const std::string& text, const level& at) { return substitute(text, at) != text; }

}  // namespace

const char* to_string(hook_kind kind) {
  switch (kind) {
    case hook_kind::setup: return "SETUP";
    case hook_kind::prepare: return "PREPARE";
    case hook_kind::cleanup: return "CLEANUP";
  }
  return "SETUP";
}

std::unique_ptr<hook_runner> process_hooks(const run_spec& spec) {
  return std::make_unique<process_hook_runner>(spec);
}

std::unique_ptr<exec::executor> with_prepare(std::unique_ptr<exec::executor> inner,
                                             std::shared_ptr<hook_runner> hooks) {
  return std::make_unique<prepared_executor>(std::move(inner), std::move(hooks));
}

bool hooks_per_level(const test_plan& plan) {
  if (plan.levels.empty()) return false;
  const level& at = plan.levels.front();
  for (const auto* argv : {&plan.spec.setup, &plan.spec.cleanup}) {
    for (const auto& a : *argv) {
      if (uses_placeholder(a, at)) return true;
    }
  }
  return uses_placeholder(plan.spec.working_directory, at);
}

run_spec test_hook_spec(const test_plan& plan) {
  run_spec out = plan.spec;
  if (plan.levels.empty()) return out;
  std::erase_if(out.environment, [&](const std::string& e) {
    return uses_placeholder(e.substr(std::min(e.find('='), e.size())), plan.levels.front());
  });
  return out;
}

void cleanup_failed(run_result& result, const std::string& reason) {
  result.outcome = verdict::error;
  result.reasons.push_back(reason);
}

run_result around(hook_runner& hooks, const std::function<run_result()>& body, const std::string& label) {
  hooks.run(hook_kind::setup);
  run_result result;
  try {
    result = body();
  } catch (...) {
    try {
      hooks.run(hook_kind::cleanup);
    } catch (...) {
      // the body's error is the one reported; CLEANUP's output file still tells its own
    }
    throw;
  }
  try {
    hooks.run(hook_kind::cleanup);
  } catch (const command_error& e) {
    cleanup_failed(result, label.empty() ? e.what() : fmt::format("{}: {}", label, e.what()));
  }
  return result;
}

}  // namespace perfcheck::run
