// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/process_executor.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/output_pump.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::exec {
namespace detail {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t read_chunk = 128 * 1024;

/// Throws usage_error unless every CPU of `cpus` is one this process may run on.
void check_cpus(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0) throw_errno("sched_getaffinity");
  std::vector<int> usable;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) usable.push_back(cpu);
  for (int cpu : cpus)
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
      throw usage_error("cpus " + format_cpu_list(cpus) + ": CPU " + std::to_string(cpu) +
                        " is not available to perfcheck here; use CPUs from " +
                        format_cpu_list(usable));
}

/// The round from its replies (one per copy, then the round's) and its shared output: the
/// first copy that could not start throws; output past the OUTPUT limit is every copy's limit.
round_report round_of(std::vector<launcher_reply>& replies, const run_report& output,
                      const spawn_context& context, std::int64_t output_limit) {
  round_report round;
  round.stdout_bytes = output.stdout_bytes;
  round.stderr_bytes = output.stderr_bytes;
  round.output_truncated = output.output_truncated;
  for (std::size_t i = 0; i + 1 < replies.size(); ++i) {
    launcher_reply& reply = replies[i];
    if (reply.spawn_errno != 0) throw_spawn_error(context, reply.spawn_step, reply.spawn_errno);
    run_report copy;
    copy.counters = reply.counters;
    copy.sample = std::move(reply.sample);
    round.rss_total_bytes += copy.sample.rss_tree_bytes;
    round.copies.push_back(std::move(copy));
  }
  const launcher_reply& end = replies.back();
  round.wall_ns = end.sample.wall_ns;
  if (end.sample.rss_tree_bytes > 0) round.rss_total_bytes = end.sample.rss_tree_bytes;
  round.threads_total = end.sample.threads_max;
  round.leaked_processes = end.sample.leaked_processes;
  const std::int64_t total = round.stdout_bytes + round.stderr_bytes;
  if (output_limit > 0 && total > output_limit)
    for (auto& copy : round.copies)
      if (!copy.sample.limit) {
        copy.sample.limit = limit_kind::output;
        copy.sample.limit_observed = static_cast<double>(total);
      }
  return round;
}

}  // namespace
}  // namespace detail

namespace fs = std::filesystem;

process_executor::channel_folder::~channel_folder() {
  std::error_code ignored;  // what is left is only a run's unread channel: best effort
  if (!path.empty()) fs::remove_all(path, ignored);
}

bool process_executor::channel_folder::may_hold(const std::string& name) const {
  if (!fd) return true;
  struct stat st {};
  return ::fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

process_executor::process_executor(command_line command)
    : command_(std::move(command)),
      buffer_(detail::read_chunk),
      reply_buffer_(sizeof(perfcheck_launcher_reply)) {
  if (command_.argv.empty()) throw usage_error("the command is empty: give a program to run");
  if (command_.metric_channel) {
    channel_.path = make_temp_folder("perfcheck-metrics");  // swept after a kill -9
    // Last, so that it wins over an inherited or given PERFCHECK_METRICS; the launcher adds
    // ".<run_index>" per run.
    command_.extra_environment.push_back("PERFCHECK_METRICS=" + (channel_.path / "run").string());
    channel_.fd.reset(::open(channel_.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  std::vector<std::string> environment =
      merge_environment(environ, command_.extra_environment, command_.clean_environment);
  detail::check_cpus(command_.cpus);
  const fs::path base = command_directory(command_.working_directory);
  program_ = resolve_program(command_.argv.front(), environment, base);
  launcher_.start(find_launcher(), program_, command_.argv, std::move(environment),
                  command_.working_directory.empty() ? fs::path() : base);
  cgroup_ = kernel_limits(command_.limits);
}

std::unique_ptr<memory_cgroup> process_executor::kernel_limits(const resource_limits& limits) {
  // pids.max = N + 1 tasks: the tree can reach N + 1, which the sampler sees as over N, and no
  // more, however fast it forks.
  const std::int64_t tasks = limits.processes > 0 ? limits.processes + 1 : 0;
  std::unique_ptr<memory_cgroup> group;
  if (limits.memory_bytes > 0)
    if (auto parent = find_memory_cgroup_parent()) {
      const bool pids = tasks > 0 && find_pids_cgroup_parent() == parent;
      group = memory_cgroup::create(*parent, limits.memory_bytes, pids ? tasks : 0);
    }
  if (!group && tasks > 0)
    if (auto parent = find_pids_cgroup_parent()) group = memory_cgroup::create(*parent, 0, tasks);
  return group;
}

fs::path process_executor::memory_cgroup_path() const {
  return cgroup_ ? cgroup_->path() : fs::path();
}

process_executor::~process_executor() {
  // Mid-run (an exception left it), or a pipelined run sent: SIGTERM makes the launcher kill
  // the command's tree (or die idle) rather than start what was queued.
  if (in_run_ || !in_flight_.empty()) launcher_.interrupt();
}

void process_executor::expect_follow_up(bool failures_allowed) { follow_up_ = failures_allowed; }

bool process_executor::pipelinable(const output_capture& capture) const noexcept {
  // Only perfcheck sees an OOM kill or a refused fork in the cgroup and the OUTPUT limit, after
  // the reply; the launcher must be able to tell alone whether the run ended the test. Pipes
  // and files belong to one run, so only discarded output is pipelined.
  return !cgroup_ && command_.limits.output_bytes == 0 && !capture.pass_through &&
         capture.stdout_path.empty() && capture.stderr_path.empty();
}

run_request process_executor::request_for(bool redirect) const {
  run_request request;
  request.limits = command_.limits;
  request.sample_interval_ns = command_.sample_interval_ns;
  request.grace_ns = stop_grace_ns;
  request.cpus = command_.cpus;
  request.nice = command_.nice;
  request.no_aslr = command_.no_aslr;
  request.redirect = redirect;
  request.cgroup = cgroup_ != nullptr;
  return request;
}

std::unique_ptr<output_pump> process_executor::send_run(const output_capture& capture,
                                                        std::optional<bool> after_clean) {
  auto output = std::make_unique<output_pump>(capture, command_.limits.output_bytes > 0);
  std::vector<int> fds;
  if (output->redirects()) fds = {output->write_ends()[0], output->write_ends()[1]};
  if (cgroup_) fds.push_back(cgroup_->procs_fd());
  run_request request = request_for(output->redirects());
  request.after_clean = after_clean.has_value();
  request.failures_allowed = after_clean.value_or(false);
  if (!channel_.path.empty()) request.run_index = ++runs_sent_;
  in_flight_index_.push_back(request.run_index);
  in_run_ = true;
  launcher_.send(encode_run(request), fds);
  output->close_write_ends();
  return output;
}

launcher_reply process_executor::await_reply(output_pump& output) {
  std::optional<launcher_reply> reply;
  output.pump(
      launcher_.control(),
      [&] { reply = decode_reply(launcher_.receive(reply_buffer_), launcher_.path().string()); },
      command_.limits.output_bytes,
      [&](std::int64_t total) {
        launcher_.send_if_alive(encode_stop(PERFCHECK_LIMIT_OUTPUT, total));
      },
      buffer_);
  return std::move(*reply);
}

void process_executor::check_ready(const output_capture& capture) const {
  if (!launcher_.running())
    throw std::runtime_error("process_executor: the launcher is gone; create a new executor");
  if (in_run_)
    throw std::runtime_error("process_executor: a run failed midway; create a new executor");
  if (command_.limits.output_bytes > 0 && capture.pass_through)
    throw usage_error(
        "limit OUTPUT needs the output captured, but it passes through; drop "
        "--show-output or the OUTPUT limit");
}

run_report process_executor::run(const output_capture& capture) {
  check_ready(capture);
  if (!in_flight_.empty() && !pipelinable(capture))
    throw std::logic_error("process_executor: a follow-up run was promised with the output "
                           "discarded, but this run captures it");
  const std::optional<bool> follow_up = std::exchange(follow_up_, std::nullopt);
  const std::int64_t oom_kills_before = cgroup_ ? cgroup_->oom_kills() : 0;
  const std::int64_t refused_before = cgroup_ ? cgroup_->refused_forks() : 0;

  if (in_flight_.empty()) in_flight_.push_back(send_run(capture, std::nullopt));
  // The promised next run goes out now, so the launcher starts it the moment this one ends.
  if (follow_up && pipelinable(capture) && in_flight_.size() == 1)
    in_flight_.push_back(send_run(capture, *follow_up));
  std::unique_ptr<output_pump> output = std::move(in_flight_.front());
  in_flight_.pop_front();
  std::uint32_t index = in_flight_index_.front();
  in_flight_index_.pop_front();
  launcher_reply reply = await_reply(*output);
  if (reply.skipped) {
    // The run before ended the test, yet the caller goes on: drop what is queued (skipped
    // as well) and run afresh.
    for (; !in_flight_.empty(); in_flight_.pop_front()) (void)await_reply(*in_flight_.front());
    in_flight_index_.clear();
    output = send_run(capture, std::nullopt);
    index = in_flight_index_.front();
    in_flight_index_.pop_front();
    reply = await_reply(*output);
  }
  in_run_ = false;

  run_report report;
  if (index != 0)
    if (const std::string name = "run." + std::to_string(index); channel_.may_hold(name))
      report.metrics_path = channel_.path / name;
  report.counters = reply.counters;
  output->finish(report);
  if (reply.spawn_errno != 0)
    throw_spawn_error({program_, memory_cgroup_path(), command_.cpus, command_.nice},
                      reply.spawn_step, reply.spawn_errno);
  report.sample = std::move(reply.sample);
  add_late_limits(report, oom_kills_before, refused_before);
  return report;
}

round_report process_executor::run_round(const output_capture& capture, int copies) {
  check_ready(capture);
  if (copies < 1 || copies > PERFCHECK_LAUNCHER_MAX_COPIES || !in_flight_.empty())
    throw std::logic_error("process_executor: a round needs 1..1000 copies and no run in flight");
  follow_up_.reset();
  auto output = std::make_unique<output_pump>(capture, command_.limits.output_bytes > 0);
  std::vector<int> fds;
  if (output->redirects()) fds = {output->write_ends()[0], output->write_ends()[1]};
  run_request request = request_for(output->redirects());
  request.cgroup = false;  // a cgroup's memory.max and pids.max would hold for all copies together
  request.copies = copies;
  if (!channel_.path.empty()) request.run_index = ++runs_sent_;  // copy i writes run.<index>.<i>
  in_run_ = true;
  launcher_.send(encode_run(request), fds);
  output->close_write_ends();

  // The launcher sends every reply at once, after the round: read them all in one go.
  std::vector<launcher_reply> replies;
  output->pump(
      launcher_.control(),
      [&] {
        do {
          replies.push_back(decode_reply(launcher_.receive(reply_buffer_), launcher_.path().string()));
        } while (!replies.back().round_end && replies.size() <= static_cast<std::size_t>(copies));
      },
      command_.limits.output_bytes,
      [&](std::int64_t total) { launcher_.send_if_alive(encode_stop(PERFCHECK_LIMIT_OUTPUT, total)); },
      buffer_);
  in_run_ = false;
  if (replies.size() != static_cast<std::size_t>(copies) + 1 || !replies.back().round_end)
    throw std::runtime_error(launcher_.path().string() + " sent a round without its end");

  run_report output_total;
  output->finish(output_total);
  round_report round = detail::round_of(replies, output_total, {program_, {}, command_.cpus, command_.nice},
                                        command_.limits.output_bytes);
  if (request.run_index != 0) {
    for (std::size_t i = 0; i < round.copies.size(); ++i)
      if (const std::string name = fmt::format("run.{}.{}", request.run_index, i); channel_.may_hold(name))
        round.copies[i].metrics_path = channel_.path / name;
  }
  return round;
}

void process_executor::add_late_limits(run_report& report, std::int64_t oom_kills_before,
                                       std::int64_t refused_before) const {
  run_sample& sample = report.sample;
  const resource_limits& limits = command_.limits;
  // The kernel's OOM killer in the run's cgroup: the MEMORY limit, even when the sampler
  // never saw the tree above it (a spike between two samples).
  if (cgroup_ && !sample.limit && cgroup_->oom_kills() > oom_kills_before) {
    sample.limit = limit_kind::memory;
    sample.limit_observed = static_cast<double>(std::max(cgroup_->peak(), limits.memory_bytes));
  }
  // pids.max refused a fork: the tree tried to pass PROCESSES, even if it then shrank unseen.
  if (cgroup_ && cgroup_->max_tasks() > 0 && !sample.limit && cgroup_->refused_forks() > refused_before) {
    sample.limit = limit_kind::processes;
    sample.limit_observed = static_cast<double>(cgroup_->max_tasks());
  }
  // Output that arrived after the launcher replied (or the run ended before perfcheck caught
  // up) still passed the limit.
  const std::int64_t output = report.stdout_bytes + report.stderr_bytes;
  if (limits.output_bytes > 0 && !sample.limit && output > limits.output_bytes) {
    sample.limit = limit_kind::output;
    sample.limit_observed = static_cast<double>(output);
  }
}

command_line command_line_for(const run_spec& spec) {
  command_line command(spec.command, spec.working_directory, spec.environment);
  command.limits = spec.limits;
  command.sample_interval_ns = spec.sample_interval_ns;
  command.cpus = spec.cpus;
  command.nice = spec.nice;
  command.clean_environment = spec.clean_environment;
  command.no_aslr = spec.no_aslr;
  command.metric_channel = true;
  return command;
}

std::int64_t measure_launch_overhead(int runs) {
  if (runs < 1) throw std::invalid_argument("measure_launch_overhead: runs must be at least 1");
  process_executor noop(command_line{{find_launcher().string(), "--noop"}, {}, {}});
  const output_capture discard;  // pipes but no files, as a typical captured run
  std::vector<double> walls;
  walls.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    if (i + 1 < runs) noop.expect_follow_up(false);  // pipelined: no round trip between runs
    walls.push_back(static_cast<double>(noop.run(discard).sample.wall_ns));
  }
  return std::llround(stats::median(walls));
}

}  // namespace perfcheck::exec
