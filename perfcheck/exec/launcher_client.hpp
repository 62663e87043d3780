// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The perfcheck side of the launcher protocol (launcher/launcher_protocol.h) as pure functions:
// the RUN and STOP messages from a request, the reply checked and turned into a run's figures,
// and a failed spawn turned into the exception to throw. No sockets, no processes.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/exec/launcher/launcher_protocol.h"
#include "perfcheck/model/sample.hpp"

namespace perfcheck::exec {

/// What one RUN message asks of the launcher.
struct run_request {
  resource_limits limits;               ///< 0 fields: no limit (OUTPUT is perfcheck's own)
  std::int64_t sample_interval_ns = 0;  ///< 0: off, unless a sampled limit needs the default
  std::int64_t grace_ns = 0;            ///< from SIGTERM to SIGKILL when a tree is stopped
  std::vector<int> cpus;                ///< pin to these (0..1023); empty: no pinning
  std::optional<int> nice;              ///< the command's nice value; none: inherited
  bool no_aslr = false;                 ///< address space randomization off
  bool redirect = false;                ///< stdout and stderr fds ride along
  bool cgroup = false;                  ///< a cgroup.procs fd rides along (after the output fds)
  /// Pipelined: sent before the reply to the run before it, started only if that run ended
  /// clean (started, no limit, exit 0), else answered with a skipped reply.
  bool after_clean = false;
  bool failures_allowed = false;        ///< with after_clean: any exit status counts as clean
  /// A round of this many concurrent copies (1..PERFCHECK_LAUNCHER_MAX_COPIES, answered with a
  /// reply per copy and a round_end reply); 0: one run. Not with after_clean.
  int copies = 0;
  /// Not 0: the run's PERFCHECK_METRICS gets ".<run_index>" appended (the metric channel).
  std::uint32_t run_index = 0;
};

/// The bytes of a RUN message.
using run_message = std::array<char, sizeof(perfcheck_launcher_run)>;
/// The bytes of a STOP message.
using stop_message = std::array<char, sizeof(perfcheck_launcher_stop)>;

/// The RUN message of a request. A sampled limit (MEMORY, CPU_TIME, PROCESSES, OPEN_FILES)
/// turns sampling on at default_sample_interval_ns when the interval is 0 or negative; a
/// negative interval is sent as 0. CPUs outside 0..1023 are the caller's to refuse.
run_message encode_run(const run_request& request);

/// The STOP message for a limit (PERFCHECK_LIMIT_*) passed with `observed` (base unit).
stop_message encode_stop(int limit, std::int64_t observed);

/// A checked reply: the run's figures, or why the command could not be started.
struct launcher_reply {
  run_sample sample;          ///< wall, CPU, memory, I/O, exit status, limit, timeline
  process_counters counters;  ///< faults, context switches, block I/O
  int spawn_errno = 0;        ///< 0, or why starting the command failed
  int spawn_step = 0;         ///< PERFCHECK_STEP_* that failed, with spawn_errno
  bool skipped = false;       ///< an after_clean run not started; nothing else is set
  bool round_end = false;     ///< the last reply of a round: the figures of the whole round
  int instance = 0;           ///< a round's copy this reply is of
};

/// The reply in one received packet. Throws std::runtime_error "SENDER sent a malformed reply
/// (is it from another perfcheck version?)" when the size, magic, version, type or point count
/// is wrong. A SKIPPED packet (header only) gives a reply with `skipped` set, a ROUND_END one `round_end`. A limit number outside the known kinds leaves sample.limit empty.
launcher_reply decode_reply(std::span<const char> packet, const std::string& sender);

/// What the launcher was asked for, to name it when starting the command failed.
struct spawn_context {
  std::filesystem::path program;  ///< the file executed
  std::filesystem::path cgroup;   ///< the memory cgroup, or empty
  std::vector<int> cpus;          ///< the pinning asked for
  std::optional<int> nice;        ///< the nice value asked for
};

/// Throws the error for a failed step (PERFCHECK_STEP_*) with its errno: command_error for
/// exec ("cannot execute PATH: REASON") and the cgroup, usage_error for the pinning, nice,
/// no-aslr and rlimits (each says what to change), std::system_error for the other steps.
[[noreturn]] void throw_spawn_error(const spawn_context& context, int step, int error);

}  // namespace perfcheck::exec
