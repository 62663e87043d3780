// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The real executor: each run is a fresh process, spawned, timed and reaped by
// perfcheck-launcher (see launcher/launcher.c for why a separate launcher). It strings
// together program_lookup, memory_cgroup, launcher_process, launcher_client and output_pump.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/exec/launcher_client.hpp"
#include "perfcheck/exec/launcher_process.hpp"
#include "perfcheck/exec/memory_cgroup.hpp"
#include "perfcheck/exec/output_pump.hpp"
#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {

/// From SIGTERM to SIGKILL when a run's tree is stopped (a limit, or processes left behind):
/// long enough for a process to flush and remove its temporary files, short enough that a
/// process ignoring SIGTERM costs little.
inline constexpr std::int64_t stop_grace_ns = 500'000'000;

/// Runs one command as real processes through a perfcheck-launcher that it starts in its
/// constructor and ends in its destructor. The launcher dies with the *thread* that
/// constructed the executor (PR_SET_PDEATHSIG), so construct it on a thread that outlives it.
/// Not thread-safe: one run at a time.
class process_executor final : public executor {
 public:
  /// Resolves argv[0] as execvp would (PATH of the command's environment, relative paths from
  /// the working directory) and starts the launcher. With a MEMORY limit, also creates a
  /// cgroup v2 with memory.max when a delegated one is available (find_memory_cgroup_parent),
  /// with a PROCESSES limit one with pids.max (find_pids_cgroup_parent; the same cgroup when
  /// it can hold both); otherwise the sampler alone enforces them. Throws usage_error for an empty argv, an
  /// environment entry without '=', or CPUs this process may not use; command_error when the
  /// program is not found ("command not found: NAME"), not executable ("cannot execute PATH:
  /// REASON") or the working directory is unusable, std::runtime_error when the launcher is
  /// missing, std::system_error when the OS refuses (socketpair, posix_spawn).
  explicit process_executor(command_line command);
  /// Ends the launcher (and a command still running after a failed run) and reaps it.
  ~process_executor() override;
  process_executor(const process_executor&) = delete;
  process_executor& operator=(const process_executor&) = delete;

  /// Runs the command once under the limits; stdin is /dev/null. Captured output is written to
  /// the capture's files (truncated first) up to limit_bytes per stream; output still
  /// arriving 100 ms after the run ended is dropped. With an OUTPUT limit the output goes
  /// through pipes even when no file keeps it, and the run is stopped once stdout + stderr
  /// pass the limit. Every process the run started is gone when this returns, even when the
  /// command killed the launcher (perfcheck is a child subreaper and stops what it inherits).
  /// Throws command_error when exec fails or the launcher was killed, usage_error when the
  /// pinning or nice value is refused (or OUTPUT is limited while the output passes through),
  /// std::system_error when an output file cannot be opened or written (after the run),
  /// std::runtime_error when the launcher failed.
  run_report run(const output_capture& capture) override;
  /// With output discarded (no files, not passed through), no OUTPUT limit and no cgroup,
  /// the next run() sends the following run's RUN along with its own, flagged to start only if
  /// the next run ends clean (launcher_protocol.h: AFTER_CLEAN): the launcher starts it as soon
  /// as it has replied, without a round trip through perfcheck. Otherwise ignored. A run that
  /// does not follow after all is answered SKIPPED (never started) or, if the executor is
  /// destroyed first, killed with its tree.
  void expect_follow_up(bool failures_allowed) override;

  /// A round of `copies` concurrent copies through the one launcher (launcher_protocol.h:
  /// ROUND). Each copy is limited on its own by the launcher; no cgroup is used (its limit
  /// would hold for the whole round), so MEMORY and PROCESSES are enforced by the sampler.
  /// The OUTPUT limit holds for the round's output together, and a STOP stops every copy.
  /// Never pipelined. Throws as run() does (the first copy that could not start).
  round_report run_round(const output_capture& capture, int copies) override;

  /// The file each run executes: argv[0] resolved to an absolute path.
  const std::filesystem::path& program() const noexcept { return program_; }

  /// The cgroup that enforces the MEMORY or PROCESSES limit, or empty when the sampler alone does.
  std::filesystem::path memory_cgroup_path() const;
  /// pids.max of that cgroup, 0 when the kernel does not hold the PROCESSES limit.
  std::int64_t kernel_task_limit() const noexcept { return cgroup_ ? cgroup_->max_tasks() : 0; }

 private:
  /// The RUN request of one run whose output is redirected or not.
  run_request request_for(bool redirect) const;
  /// Whether a run with this capture may be sent ahead (see expect_follow_up).
  bool pipelinable(const output_capture& capture) const noexcept;
  /// Prepares a run's output and sends its RUN (pipelined with after_clean: failures allowed
  /// or not); returns the output to pump for its reply.
  std::unique_ptr<output_pump> send_run(const output_capture& capture, std::optional<bool> after_clean);
  /// Checks that a run or round may start now (the launcher is alive, nothing is half done).
  void check_ready(const output_capture& capture) const;
  /// Pumps the output of the oldest run in flight until its reply is in; returns it.
  launcher_reply await_reply(output_pump& output);
  /// Turns what only perfcheck sees into the run's limit: an OOM kill in the cgroup (MEMORY),
  /// a fork refused at pids.max (PROCESSES) and output past the OUTPUT limit after the
  /// launcher's last look.
  void add_late_limits(run_report& report, std::int64_t oom_kills_before, std::int64_t refused_before) const;
  /// The cgroup for the kernel's share of the limits, or nullptr when none can be made.
  static std::unique_ptr<memory_cgroup> kernel_limits(const resource_limits& limits);

  /// A private folder for the runs' metric-channel files, removed (with what is left in it)
  /// after the launcher, whose runs write there, is gone.
  struct channel_folder {
    std::filesystem::path path;  // empty: no channel
    unique_fd fd;                // the folder, open: a run's file is looked up without a path walk
    /// Whether the folder holds `name` (or cannot tell): a run that reported nothing then
    /// costs one lookup, not an open, a probe and a removal by path.
    bool may_hold(const std::string& name) const;
    channel_folder() = default;
    channel_folder(const channel_folder&) = delete;
    channel_folder& operator=(const channel_folder&) = delete;
    ~channel_folder();
  };

  command_line command_;
  channel_folder channel_;
  std::uint32_t runs_sent_ = 0;  // RUN requests sent: the next one's run_index is this + 1
  std::filesystem::path program_;
  std::unique_ptr<memory_cgroup> cgroup_;  // removed after the launcher reaped every process
  launcher_process launcher_;
  bool in_run_ = false;  // a run is under way (or was abandoned by an exception)
  std::optional<bool> follow_up_;  // expect_follow_up for the next run: failures allowed
  std::deque<std::unique_ptr<output_pump>> in_flight_;  // runs sent, replies not yet read
  std::deque<std::uint32_t> in_flight_index_;            // their run_index, in the same order
  std::vector<char> buffer_;
  std::vector<char> reply_buffer_;
};

/// The command line of a spec: command, working directory, environment, limits, sampling
/// interval, CPUs, nice, clean environment and ASLR.
command_line command_line_for(const run_spec& spec);

/// Median wall time in ns of `runs` runs of a no-op program (`perfcheck-launcher --noop`)
/// through a launcher, output captured and discarded: what any run costs before the command
/// does anything. Throws std::invalid_argument when runs < 1, and what process_executor throws.
std::int64_t measure_launch_overhead(int runs = 20);

}  // namespace perfcheck::exec
