// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The executor of COUNT instructions: every run wrapped by its counter, its counts read back.
#include <unistd.h>

#include <cstdlib>

#include "perfcheck/exec/instruction_count.hpp"
#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/error.hpp"

extern char** environ;

namespace perfcheck::exec {
namespace fs = std::filesystem;
namespace {

// The counters' folder, private to the executor: mkdtemp under TMPDIR (else /tmp), removed with it.
struct count_folder {
  fs::path path;
  count_folder() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (tmp != nullptr && *tmp != '\0' ? std::string(tmp) : std::string("/tmp")) +
                          "/perfcheck-count-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) detail::throw_errno("mkdtemp " + pattern);
    path = pattern;
  }
  count_folder(const count_folder&) = delete;
  count_folder& operator=(const count_folder&) = delete;
  ~count_folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  void clear() const {
    for (const auto& entry : fs::directory_iterator(path)) fs::remove(entry.path());
  }
};

class counted_executor final : public executor {
 public:
  counted_executor(command_line line, count_choice choice) : choice_(std::move(choice)) {
    if (line.argv.empty()) throw usage_error("the command is empty: give a program to run");
    // The counter runs the program: resolve it as the executor would, in the clean environment.
    const auto environment = merge_environment(environ, line.extra_environment, true);
    line.argv[0] = resolve_program(line.argv[0], environment, command_directory(line.working_directory)).string();
    line.argv = counted_argv(choice_, folder_.path, line.argv);
    line.clean_environment = true;  // the environment's size and content move the counts
    line.no_aslr = true;            // so do the stack and heap addresses
    if (choice_.source == count_source::valgrind) {  // a run of the command, not of valgrind, is limited
      line.limits.timeout_ns *= valgrind_time_allowance;
      line.limits.cpu_time_ns *= valgrind_time_allowance;
    }
    inner_ = std::make_unique<process_executor>(std::move(line));
  }

  // Not pipelined: each run's files are read before the next one starts.
  run_report run(const output_capture& capture) override {
    folder_.clear();
    run_report report = inner_->run(capture);
    // A run stopped, crashed or failed may leave no (or a cut) file: it is an error or a failure
    // anyway, so its count is kept only when there is one.
    if (report.sample.stopped_by_limit() || report.sample.signal || report.sample.failed()) {
      try {
        report.sample.instructions = read_counts(choice_.source, folder_.path);
      } catch (const std::exception&) {
        report.sample.instructions = 0;
      }
      return report;
    }
    report.sample.instructions = read_counts(choice_.source, folder_.path);
    return report;
  }

  round_report run_round(const output_capture&, int) override {
    throw usage_error("COUNT instructions counts one run at a time: it cannot be combined with CONCURRENCY");
  }

 private:
  count_choice choice_;
  count_folder folder_;
  std::unique_ptr<process_executor> inner_;
};

}  // namespace

std::unique_ptr<executor> make_counted_executor(command_line line, const std::optional<count_choice>& choice) {
  if (!choice || choice->source == count_source::none) return std::make_unique<process_executor>(std::move(line));
  return std::make_unique<counted_executor>(std::move(line), *choice);
}

}  // namespace perfcheck::exec
