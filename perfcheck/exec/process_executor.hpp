// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The real executor: each run is a fresh process, spawned, timed and reaped by
// perfcheck-launcher (see launcher/launcher.c for why a separate launcher).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {

/// Runs one command as real processes through a perfcheck-launcher that it starts in its
/// constructor and ends in its destructor. The launcher dies with the *thread* that
/// constructed the executor (PR_SET_PDEATHSIG), so construct it on a thread that outlives it.
/// Not thread-safe: one run at a time.
class process_executor final : public executor {
 public:
  /// Resolves argv[0] as execvp would (PATH of the command's environment, relative paths from
  /// the working directory) and starts the launcher. Throws usage_error for an empty argv or
  /// an environment entry without '=', command_error when the program is not found ("command
  /// not found: NAME"), not executable ("cannot execute PATH: REASON") or the working
  /// directory is unusable, std::runtime_error when the launcher is missing,
  /// std::system_error when the OS refuses (socketpair, posix_spawn).
  explicit process_executor(command_line command);
  /// Ends the launcher (and a command still running after a failed run) and reaps it.
  ~process_executor() override;
  process_executor(const process_executor&) = delete;
  process_executor& operator=(const process_executor&) = delete;

  /// Runs the command once; stdin is /dev/null. Captured output is written to the capture's
  /// files (truncated first) up to limit_bytes per stream; output still arriving 100 ms after
  /// the command ended (a background child holding the pipe) is dropped. Throws command_error
  /// when exec fails, std::system_error when an output file cannot be opened or written
  /// (after the run), std::runtime_error when the launcher died.
  run_report run(const output_capture& capture) override;

  /// The file each run executes: argv[0] resolved to an absolute path.
  const std::filesystem::path& program() const noexcept { return program_; }

 private:
  [[noreturn]] void launcher_died();

  command_line command_;
  std::filesystem::path program_;
  std::filesystem::path launcher_;
  unique_fd control_;
  pid_t launcher_pid_ = -1;
  bool in_run_ = false;  // a run is under way (or was abandoned by an exception)
  std::vector<char> buffer_;
};

/// Median wall time in ns of `runs` runs of a no-op program (`perfcheck-launcher --noop`)
/// through a launcher, output captured and discarded: what any run costs before the command
/// does anything. Throws std::invalid_argument when runs < 1, and what process_executor throws.
std::int64_t measure_launch_overhead(int runs = 20);

/// The perfcheck-launcher executable: $PERFCHECK_LAUNCHER when set and non-empty (then it
/// must exist), else beside the running executable (the build tree's bin folder), else in
/// <exe dir>/../libexec/perfcheck (the installed layout). Throws std::runtime_error naming
/// every path tried when none is an executable file.
std::filesystem::path find_launcher();

}  // namespace perfcheck::exec
