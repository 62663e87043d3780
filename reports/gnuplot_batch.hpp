// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// gnuplot processes for the charts: an owning handle of a child process (a process that was
// started is always reaped), and a batch of gnuplot scripts run at once in one folder.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace perfcheck::reports {

/// An owning handle of a started child process. Whatever path leaves its scope (success, an
/// exception), a child that was not waited for is killed (SIGKILL) and reaped.
class child_process {
 public:
  /// No process.
  child_process() = default;
  /// Takes ownership of the child `pid` (> 0).
  explicit child_process(pid_t pid) : pid_(pid) {}
  ~child_process();
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Whether a child is owned and not yet reaped.
  bool running() const { return pid_ > 0; }

  /// Waits for the child until `deadline`, then kills it; returns its wait status (a killed
  /// child's says SIGKILL). Without a child: 0.
  int wait_until(std::chrono::steady_clock::time_point deadline);

 private:
  void kill_and_reap() noexcept;
  pid_t pid_ = -1;
};

/// How one gnuplot process of a batch ended.
struct gnuplot_outcome {
  bool started = false;  ///< false: the script was empty or posix_spawn failed
  int spawn_error = 0;   ///< errno of posix_spawn; ENOENT, EACCES: not found
  int status = 0;        ///< wait status when started
};

/// Runs `program` (a name looked up in PATH, or a path) on every non-empty script at once, in
/// `dir`: script i is written to batch<i>.gp, its output goes to batch<i>.log. Waits at most
/// `limit` for all of them, then kills what is left. gnuplot gets the environment with HOME set
/// to `dir` (no ~/.gnuplot) and LC_ALL=C, stdin from /dev/null. Throws std::system_error naming
/// the file when a script cannot be written; the processes already started are then killed
/// and reaped before the exception leaves.
std::vector<gnuplot_outcome> run_gnuplot_batch(const std::string& program,
                                               const std::filesystem::path& dir,
                                               const std::vector<std::string>& scripts,
                                               std::chrono::seconds limit);

namespace detail {

/// Writes `text` to `path` (created or truncated); throws std::system_error "writing <path>".
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace detail

}  // namespace perfcheck::reports
