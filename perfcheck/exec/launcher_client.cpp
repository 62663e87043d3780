// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/launcher_client.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::exec {
namespace detail {
namespace {

// The protocol's limit numbers are limit_kind's values.
static_assert(static_cast<int>(limit_kind::memory) == PERFCHECK_LIMIT_MEMORY);
static_assert(static_cast<int>(limit_kind::cpu_time) == PERFCHECK_LIMIT_CPU_TIME);
static_assert(static_cast<int>(limit_kind::timeout) == PERFCHECK_LIMIT_TIMEOUT);
static_assert(static_cast<int>(limit_kind::processes) == PERFCHECK_LIMIT_PROCESSES);
static_assert(static_cast<int>(limit_kind::open_files) == PERFCHECK_LIMIT_OPEN_FILES);
static_assert(static_cast<int>(limit_kind::file_size) == PERFCHECK_LIMIT_FILE_SIZE);
static_assert(static_cast<int>(limit_kind::output) == PERFCHECK_LIMIT_OUTPUT);

template <typename Message, std::size_t N>
std::array<char, N> bytes_of(const Message& message) {
  static_assert(sizeof(Message) == N);
  std::array<char, N> bytes;
  std::memcpy(bytes.data(), &message, N);
  return bytes;
}

bool well_formed(const perfcheck_launcher_reply& reply, std::size_t size) {
  if (size < PERFCHECK_LAUNCHER_REPLY_SIZE(0) || reply.magic != PERFCHECK_LAUNCHER_MAGIC ||
      reply.version != PERFCHECK_LAUNCHER_VERSION)
    return false;
  if (reply.type == PERFCHECK_LAUNCHER_SKIPPED)  // a header and nothing in it
    return reply.point_count == 0 && size == PERFCHECK_LAUNCHER_REPLY_SIZE(0);
  const bool figures = reply.type == PERFCHECK_LAUNCHER_REPLY || reply.type == PERFCHECK_LAUNCHER_ROUND_END;
  return figures && reply.instance >= 0 && reply.instance < PERFCHECK_LAUNCHER_MAX_COPIES &&
         reply.point_count <= PERFCHECK_LAUNCHER_MAX_POINTS &&
         size == PERFCHECK_LAUNCHER_REPLY_SIZE(reply.point_count);
}

run_sample to_sample(const perfcheck_launcher_reply& reply) {
  run_sample sample;
  sample.wall_ns = reply.wall_ns;
  sample.user_ns = reply.user_ns;
  sample.sys_ns = reply.sys_ns;
  sample.max_rss_bytes = reply.max_rss_bytes;
  if (WIFEXITED(reply.wait_status)) sample.exit_code = WEXITSTATUS(reply.wait_status);
  if (WIFSIGNALED(reply.wait_status)) sample.signal = WTERMSIG(reply.wait_status);
  sample.rss_tree_bytes = reply.rss_tree_bytes;
  sample.io_read_bytes = reply.read_bytes;
  sample.io_write_bytes = reply.write_bytes;
  sample.io_read_chars = reply.read_chars;
  sample.io_write_chars = reply.write_chars;
  sample.ctx_voluntary = reply.voluntary_cs;
  sample.ctx_involuntary = reply.involuntary_cs;
  sample.faults_major = reply.major_faults;
  sample.faults_minor = reply.minor_faults;
  sample.leaked_processes = reply.leaked_processes;
  sample.threads_max = reply.threads_peak;
  if (reply.limit >= static_cast<int>(limit_kind::memory) &&
      reply.limit <= static_cast<int>(limit_kind::output)) {
    sample.limit = static_cast<limit_kind>(reply.limit);
    sample.limit_observed = static_cast<double>(reply.limit_observed);
  }
  sample.memory_timeline.reserve(reply.point_count);
  for (std::uint32_t i = 0; i < reply.point_count; ++i) {
    sample.memory_timeline.push_back(
        {reply.points[i].t_ns, reply.points[i].rss_bytes, reply.points[i].processes, reply.points[i].threads});
  }
  return sample;
}

}  // namespace
}  // namespace detail

run_message encode_run(const run_request& request) {
  perfcheck_launcher_run run{};
  run.magic = PERFCHECK_LAUNCHER_MAGIC;
  run.version = PERFCHECK_LAUNCHER_VERSION;
  run.type = PERFCHECK_LAUNCHER_RUN;
  const resource_limits& limits = request.limits;
  run.timeout_ns = limits.timeout_ns;
  run.memory_bytes = limits.memory_bytes;
  run.cpu_time_ns = limits.cpu_time_ns;
  run.file_size_bytes = limits.file_size_bytes;
  run.processes = static_cast<std::int32_t>(limits.processes);
  run.open_files = static_cast<std::int32_t>(limits.open_files);
  run.grace_ns = request.grace_ns;
  run.sample_interval_ns = request.sample_interval_ns;
  const bool sampled_limit = limits.memory_bytes > 0 || limits.cpu_time_ns > 0 ||
                             limits.processes > 0 || limits.open_files > 0;
  if (run.sample_interval_ns <= 0 && sampled_limit)
    run.sample_interval_ns = default_sample_interval_ns;
  if (run.sample_interval_ns < 0) run.sample_interval_ns = 0;
  if (!request.cpus.empty()) {
    run.flags |= PERFCHECK_LAUNCHER_AFFINITY;
    for (int cpu : request.cpus) run.cpus[cpu / 64] |= std::uint64_t{1} << (cpu % 64);
  }
  if (request.nice) {
    run.flags |= PERFCHECK_LAUNCHER_NICE;
    run.nice = *request.nice;
  }
  if (request.no_aslr) run.flags |= PERFCHECK_LAUNCHER_NO_ASLR;
  if (request.cgroup) run.flags |= PERFCHECK_LAUNCHER_CGROUP;
  if (request.redirect) run.flags |= PERFCHECK_LAUNCHER_REDIRECT;
  if (request.after_clean) run.flags |= PERFCHECK_LAUNCHER_AFTER_CLEAN;
  run.run_index = request.run_index;
  if (request.after_clean && request.failures_allowed) run.flags |= PERFCHECK_LAUNCHER_FAILURES_ALLOWED;
  if (request.copies > 0) {
    run.flags |= PERFCHECK_LAUNCHER_ROUND;
    run.copies = static_cast<std::uint32_t>(request.copies);
  }
  return detail::bytes_of<perfcheck_launcher_run, sizeof(perfcheck_launcher_run)>(run);
}

stop_message encode_stop(int limit, std::int64_t observed) {
  const perfcheck_launcher_stop stop{PERFCHECK_LAUNCHER_MAGIC, PERFCHECK_LAUNCHER_VERSION,
                                     PERFCHECK_LAUNCHER_STOP, limit, observed};
  return detail::bytes_of<perfcheck_launcher_stop, sizeof(perfcheck_launcher_stop)>(stop);
}

launcher_reply decode_reply(std::span<const char> packet, const std::string& sender) {
  // Heap, not stack: the reply carries up to 256 timeline points (6 KiB).
  auto raw = std::make_unique<perfcheck_launcher_reply>();
  if (!packet.empty()) std::memcpy(raw.get(), packet.data(), std::min(packet.size(), sizeof *raw));
  if (!detail::well_formed(*raw, packet.size()))
    throw std::runtime_error(sender +
                             " sent a malformed reply (is it from another perfcheck version?)");
  launcher_reply reply;
  if (raw->type == PERFCHECK_LAUNCHER_SKIPPED) {
    reply.skipped = true;
    return reply;
  }
  reply.round_end = raw->type == PERFCHECK_LAUNCHER_ROUND_END;
  reply.instance = raw->instance;
  reply.spawn_errno = raw->spawn_errno;
  reply.spawn_step = raw->spawn_step;
  reply.counters = {raw->minor_faults,   raw->major_faults, raw->voluntary_cs,
                    raw->involuntary_cs, raw->blocks_in,    raw->blocks_out};
  if (reply.spawn_errno == 0) reply.sample = detail::to_sample(*raw);
  return reply;
}

void throw_spawn_error(const spawn_context& context, int step, int error) {
  const std::string reason = detail::error_text(error);
  switch (step) {
    case PERFCHECK_STEP_EXEC:
      throw_cannot_execute(context.program, error);
    case PERFCHECK_STEP_CGROUP:
      throw command_error("cannot move the command into the memory cgroup " +
                          context.cgroup.string() + ": " + reason +
                          "; set PERFCHECK_CGROUP_PARENT=none to limit memory by sampling only");
    case PERFCHECK_STEP_AFFINITY:
      throw usage_error("cpus " + format_cpu_list(context.cpus) +
                        ": cannot pin the command to them (" + reason +
                        "); pick CPUs this machine lets perfcheck use");
    case PERFCHECK_STEP_NICE:
      throw usage_error("nice " + std::to_string(context.nice.value_or(0)) +
                        ": cannot set the command's nice value (" + reason +
                        "); a value below the current one needs root or CAP_SYS_NICE");
    case PERFCHECK_STEP_PERSONALITY:
      throw usage_error("no-aslr: cannot turn address space randomization off (" + reason +
                        "); drop the option on this system");
    case PERFCHECK_STEP_RLIMIT:
      throw usage_error("limits: cannot set the command's resource limits (" + reason + ")");
    default:
      throw std::system_error(
          error, std::generic_category(),
          "perfcheck-launcher: starting the command (step " + std::to_string(step) + ")");
  }
}

}  // namespace perfcheck::exec
