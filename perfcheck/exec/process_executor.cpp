// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/process_executor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "perfcheck/exec/launcher/launcher_protocol.h"
#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/stats/descriptive.hpp"

#ifndef PERFCHECK_LAUNCHER_INSTALL_RELPATH
#define PERFCHECK_LAUNCHER_INSTALL_RELPATH "../libexec/perfcheck"
#endif

namespace perfcheck::exec {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr std::string_view launcher_name = "perfcheck-launcher";
constexpr std::size_t read_chunk = 128 * 1024;
// Reads per stream per wake-up: enough to empty a full pipe, few enough that one chatty
// stream cannot starve the other or the reply.
constexpr int reads_per_wake = 8;
// A bigger pipe means fewer stalls of a chatty command while perfcheck drains it; the
// unprivileged maximum is /proc/sys/fs/pipe-max-size (1 MiB by default).
constexpr int pipe_size = 1 << 20;
// How long output may keep arriving once the command has been reaped (from a background
// child that inherited the pipe).
constexpr auto drain_grace = std::chrono::milliseconds(100);

using detail::error_text;
using detail::throw_errno;

fs::path executable_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::system_error(ec, "readlink /proc/self/exe");
  return self.parent_path();
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write");
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

/// One captured stream of one run: the pipe perfcheck reads and where the bytes go.
struct stream_sink {
  unique_fd read_end;
  unique_fd file;  // none: discard
  fs::path path;
  std::int64_t limit = 0;
  std::int64_t total = 0;
  std::int64_t kept = 0;
  char last = '\n';
  int write_error = 0;  // first failed write; the run goes on, run() throws afterwards

  void consume(const char* data, std::size_t size) {
    total += static_cast<std::int64_t>(size);
    if (!file || write_error != 0) return;
    auto room = static_cast<std::size_t>(std::max<std::int64_t>(limit - kept, 0));
    std::size_t keep = std::min(size, room);
    if (keep == 0) return;
    try {
      write_all(file.get(), data, keep);
    } catch (const std::system_error& e) {
      write_error = e.code().value();
      return;
    }
    kept += static_cast<std::int64_t>(keep);
    last = data[keep - 1];
  }

  bool truncated() const { return file && total > kept; }

  /// Appends the truncation note and closes the file; returns the first write error or 0.
  int finish() {
    if (truncated() && write_error == 0) {
      std::string note = last == '\n' ? "" : "\n";
      note += "[perfcheck: output truncated: kept " + std::to_string(kept) + " of " +
              std::to_string(total) + " bytes]\n";
      try {
        write_all(file.get(), note.data(), note.size());
      } catch (const std::system_error& e) {
        write_error = e.code().value();
      }
    }
    if (file && ::close(file.release()) != 0 && write_error == 0) write_error = errno;
    return write_error;
  }
};

/// Opens the capture file (truncating it) and the pipe whose write end goes to the command.
stream_sink open_sink(const fs::path& path, std::int64_t limit, unique_fd& write_end) {
  stream_sink sink;
  sink.path = path;
  sink.limit = std::max<std::int64_t>(limit, 0);
  if (!path.empty()) {
    sink.file.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (!sink.file) throw_errno("open " + path.string());
  }
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw_errno("pipe2");
  sink.read_end.reset(ends[0]);
  write_end.reset(ends[1]);
  if (::fcntl(ends[0], F_SETFL, O_NONBLOCK) != 0) throw_errno("fcntl");
  (void)::fcntl(ends[0], F_SETPIPE_SZ, pipe_size);  // best effort
  return sink;
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
  if (reply.limit >= static_cast<int>(limit_kind::memory) &&
      reply.limit <= static_cast<int>(limit_kind::output)) {
    sample.limit = static_cast<limit_kind>(reply.limit);
    sample.limit_observed = static_cast<double>(reply.limit_observed);
  }
  sample.memory_timeline.reserve(reply.point_count);
  for (std::uint32_t i = 0; i < reply.point_count; ++i) {
    sample.memory_timeline.push_back(
        {reply.points[i].t_ns, reply.points[i].rss_bytes, reply.points[i].processes});
  }
  return sample;
}

// The protocol's limit numbers are limit_kind's values.
static_assert(static_cast<int>(limit_kind::memory) == PERFCHECK_LIMIT_MEMORY);
static_assert(static_cast<int>(limit_kind::cpu_time) == PERFCHECK_LIMIT_CPU_TIME);
static_assert(static_cast<int>(limit_kind::timeout) == PERFCHECK_LIMIT_TIMEOUT);
static_assert(static_cast<int>(limit_kind::processes) == PERFCHECK_LIMIT_PROCESSES);
static_assert(static_cast<int>(limit_kind::open_files) == PERFCHECK_LIMIT_OPEN_FILES);
static_assert(static_cast<int>(limit_kind::file_size) == PERFCHECK_LIMIT_FILE_SIZE);
static_assert(static_cast<int>(limit_kind::output) == PERFCHECK_LIMIT_OUTPUT);

/// What failed when the launcher could not start the command, as the exception to throw.
[[noreturn]] void throw_spawn_error(const fs::path& program, const command_line& command,
                                    const fs::path& cgroup, int step, int error) {
  const std::string reason = error_text(error);
  switch (step) {
    case PERFCHECK_STEP_EXEC: throw_cannot_execute(program, error);
    case PERFCHECK_STEP_CGROUP:
      throw command_error("cannot move the command into the memory cgroup " + cgroup.string() + ": " +
                          reason + "; set PERFCHECK_CGROUP_PARENT=none to limit memory by sampling only");
    case PERFCHECK_STEP_AFFINITY:
      throw usage_error("cpus " + format_cpu_list(command.cpus) + ": cannot pin the command to them (" +
                        reason + "); pick CPUs this machine lets perfcheck use");
    case PERFCHECK_STEP_NICE:
      throw usage_error("nice " + std::to_string(command.nice.value_or(0)) +
                        ": cannot set the command's nice value (" + reason +
                        "); a value below the current one needs root or CAP_SYS_NICE");
    case PERFCHECK_STEP_PERSONALITY:
      throw usage_error("no-aslr: cannot turn address space randomization off (" + reason +
                        "); drop the option on this system");
    case PERFCHECK_STEP_RLIMIT:
      throw usage_error("limits: cannot set the command's resource limits (" + reason + ")");
    default:
      throw std::system_error(error, std::generic_category(),
                              "perfcheck-launcher: starting the command (step " + std::to_string(step) + ")");
  }
}

/// RAII for posix_spawn's attribute and file-action objects.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    if (int e = ::posix_spawn_file_actions_init(&actions); e != 0)
      throw std::system_error(e, std::generic_category(), "posix_spawn_file_actions_init");
    if (int e = ::posix_spawnattr_init(&attr); e != 0) {
      ::posix_spawn_file_actions_destroy(&actions);
      throw std::system_error(e, std::generic_category(), "posix_spawnattr_init");
    }
  }
  ~spawn_setup() {
    ::posix_spawnattr_destroy(&attr);
    ::posix_spawn_file_actions_destroy(&actions);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

void check(int error, const char* what) {
  if (error != 0) throw std::system_error(error, std::generic_category(), what);
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

fs::path find_launcher() {
  if (const char* configured = std::getenv("PERFCHECK_LAUNCHER");
      configured != nullptr && *configured != '\0') {
    if (executable_error(configured) != 0)
      throw std::runtime_error(std::string("PERFCHECK_LAUNCHER names ") + configured +
                               ", which is not an executable file; point it at a built " +
                               std::string(launcher_name) + " or unset it");
    return configured;
  }
  fs::path dir = executable_dir();
  const fs::path tried[] = {dir / launcher_name,
                            dir / PERFCHECK_LAUNCHER_INSTALL_RELPATH / launcher_name};
  for (const fs::path& candidate : tried)
    if (executable_error(candidate) == 0) return candidate;
  throw std::runtime_error(std::string(launcher_name) + " not found (tried " + tried[0].string() +
                           " and " + tried[1].string() +
                           "); build or install it, or set PERFCHECK_LAUNCHER to its path");
}

process_executor::process_executor(command_line command)
    : command_(std::move(command)), buffer_(read_chunk) {
  if (command_.argv.empty()) throw usage_error("the command is empty: give a program to run");
  std::vector<std::string> environment =
      merge_environment(environ, command_.extra_environment, command_.clean_environment);
  if (!command_.cpus.empty()) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0) throw_errno("sched_getaffinity");
    std::vector<int> usable;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &allowed)) usable.push_back(cpu);
    for (int cpu : command_.cpus)
      if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
        throw usage_error("cpus " + format_cpu_list(command_.cpus) + ": CPU " + std::to_string(cpu) +
                          " is not available to perfcheck here; use CPUs from " + format_cpu_list(usable));
  }

  const fs::path base = command_directory(command_.working_directory);
  program_ = resolve_program(command_.argv.front(), environment, base);
  launcher_ = find_launcher();

  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) throw_errno("socketpair");
  unique_fd mine(ends[0]);
  unique_fd theirs(ends[1]);

  spawn_setup setup;
  check(::posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0),
        "posix_spawn_file_actions_addopen");
  // A fixed slot, so the socket can never land on 0..2 even if perfcheck's were closed.
  check(::posix_spawn_file_actions_adddup2(&setup.actions, theirs.get(),
                                           PERFCHECK_LAUNCHER_CONTROL_FD),
        "posix_spawn_file_actions_adddup2");
  if (!command_.working_directory.empty())
    check(::posix_spawn_file_actions_addchdir_np(&setup.actions, base.c_str()),
          "posix_spawn_file_actions_addchdir_np");
  // perfcheck's own signal mask and ignored signals (SIGPIPE, say) must not reach the command.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  check(::posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
  check(::posix_spawnattr_setsigdefault(&setup.attr, &all), "posix_spawnattr_setsigdefault");
  check(::posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
        "posix_spawnattr_setflags");

  std::vector<std::string> args{launcher_.string(), std::to_string(PERFCHECK_LAUNCHER_CONTROL_FD),
                                program_.string(), "--"};
  args.insert(args.end(), command_.argv.begin(), command_.argv.end());
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(environment);
  pid_t pid = -1;
  if (int e = ::posix_spawn(&pid, launcher_.c_str(), &setup.actions, &setup.attr, argv.data(),
                            envp.data());
      e != 0)
    throw std::system_error(e, std::generic_category(), "posix_spawn " + launcher_.string());
  launcher_pid_ = pid;
  control_ = std::move(mine);

  if (command_.limits.memory_bytes > 0)
    if (auto parent = find_memory_cgroup_parent())
      cgroup_ = memory_cgroup::create(*parent, command_.limits.memory_bytes);
}

fs::path process_executor::memory_cgroup_path() const { return cgroup_ ? cgroup_->path() : fs::path(); }

process_executor::~process_executor() {
  if (launcher_pid_ > 0) {
    // Mid-run (an exception left it): SIGTERM makes the launcher kill the command's tree.
    if (in_run_) ::kill(launcher_pid_, SIGTERM);
    control_.reset();  // end of file: an idle launcher exits, a busy one kills the tree first
    while (::waitpid(launcher_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  cgroup_.reset();  // empty now: the launcher reaped every process
}

void process_executor::launcher_died() {
  int status = 0;
  pid_t reaped;
  while ((reaped = ::waitpid(launcher_pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  launcher_pid_ = -1;
  control_.reset();
  std::string how = reaped < 0 ? "vanished"
                    : WIFSIGNALED(status)
                        ? "was killed by signal " + std::to_string(WTERMSIG(status))
                        : "exited with status " + std::to_string(WEXITSTATUS(status));
  throw std::runtime_error(launcher_.string() + " " + how +
                           " while running a command; see its message above, if any");
}

run_report process_executor::run(const output_capture& capture) {
  if (!control_)
    throw std::runtime_error("process_executor: the launcher is gone; create a new executor");
  if (in_run_)
    throw std::runtime_error("process_executor: a run failed midway; create a new executor");
  const resource_limits& limits = command_.limits;
  if (limits.output_bytes > 0 && capture.pass_through)
    throw usage_error("limit OUTPUT needs the output captured, but it passes through; drop "
                      "--show-output or the OUTPUT limit");

  perfcheck_launcher_run request{};
  request.magic = PERFCHECK_LAUNCHER_MAGIC;
  request.version = PERFCHECK_LAUNCHER_VERSION;
  request.type = PERFCHECK_LAUNCHER_RUN;
  request.timeout_ns = limits.timeout_ns;
  request.memory_bytes = limits.memory_bytes;
  request.cpu_time_ns = limits.cpu_time_ns;
  request.file_size_bytes = limits.file_size_bytes;
  request.processes = static_cast<std::int32_t>(limits.processes);
  request.open_files = static_cast<std::int32_t>(limits.open_files);
  request.grace_ns = stop_grace_ns;
  request.sample_interval_ns = command_.sample_interval_ns;
  const bool sampled_limit = limits.memory_bytes > 0 || limits.cpu_time_ns > 0 || limits.processes > 0 ||
                             limits.open_files > 0;
  if (request.sample_interval_ns <= 0 && sampled_limit) request.sample_interval_ns = default_sample_interval_ns;
  if (request.sample_interval_ns < 0) request.sample_interval_ns = 0;
  if (!command_.cpus.empty()) {
    request.flags |= PERFCHECK_LAUNCHER_AFFINITY;
    for (int cpu : command_.cpus) request.cpus[cpu / 64] |= std::uint64_t{1} << (cpu % 64);
  }
  if (command_.nice) {
    request.flags |= PERFCHECK_LAUNCHER_NICE;
    request.nice = *command_.nice;
  }
  if (command_.no_aslr) request.flags |= PERFCHECK_LAUNCHER_NO_ASLR;
  if (cgroup_) request.flags |= PERFCHECK_LAUNCHER_CGROUP;
  const std::int64_t oom_kills_before = cgroup_ ? cgroup_->oom_kills() : 0;

  std::vector<stream_sink> sinks;
  {
    unique_fd write_ends[2];
    const bool keep_nothing = capture.stdout_path.empty() && capture.stderr_path.empty();
    if (!capture.pass_through && keep_nothing && limits.output_bytes == 0) {
      // Nothing is kept: /dev/null, as hyperfine does. Pipes would cost the command a few
      // percent of a short run (measured: 1.99 vs 1.84 ms for a no-op program).
      write_ends[0] = unique_fd(::open("/dev/null", O_WRONLY | O_CLOEXEC));
      if (!write_ends[0]) throw_errno("open /dev/null");
      write_ends[1] = unique_fd(::fcntl(write_ends[0].get(), F_DUPFD_CLOEXEC, 3));
      if (!write_ends[1]) throw_errno("fcntl F_DUPFD_CLOEXEC");
      request.flags |= PERFCHECK_LAUNCHER_REDIRECT;
    } else if (!capture.pass_through) {
      sinks.push_back(open_sink(capture.stdout_path, capture.limit_bytes, write_ends[0]));
      sinks.push_back(open_sink(capture.stderr_path, capture.limit_bytes, write_ends[1]));
      request.flags |= PERFCHECK_LAUNCHER_REDIRECT;
    }
    int fds[3];
    std::size_t fd_count = 0;
    if ((request.flags & PERFCHECK_LAUNCHER_REDIRECT) != 0) {
      fds[fd_count++] = write_ends[0].get();
      fds[fd_count++] = write_ends[1].get();
    }
    if (cgroup_) fds[fd_count++] = cgroup_->procs_fd();
    iovec iov{&request, sizeof request};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control_bytes[CMSG_SPACE(3 * sizeof(int))];
    if (fd_count > 0) {
      msg.msg_control = control_bytes;
      msg.msg_controllen = CMSG_SPACE(fd_count * sizeof(int));
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(fd_count * sizeof(int));
      std::memcpy(CMSG_DATA(c), fds, fd_count * sizeof(int));
    }
    ssize_t sent;
    while ((sent = ::sendmsg(control_.get(), &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (sent < 0) {
      if (errno == EPIPE || errno == ECONNRESET) launcher_died();
      throw_errno("sendmsg");
    }
    // The write ends close here: from now on only the command (and its children) hold them,
    // so end of file means they are done with the output.
  }
  in_run_ = true;

  // Heap, not stack: the reply carries up to 256 timeline points (6 KiB).
  auto reply = std::make_unique<perfcheck_launcher_reply>();
  bool have_reply = false;
  bool stop_sent = false;
  clock_type::time_point drain_deadline{};
  for (;;) {
    pollfd fds[3];
    nfds_t count = 0;
    stream_sink* polled[3] = {nullptr, nullptr, nullptr};
    if (!have_reply) fds[count++] = {control_.get(), POLLIN, 0};
    for (stream_sink& sink : sinks) {
      if (!sink.read_end) continue;
      polled[count] = &sink;
      fds[count++] = {sink.read_end.get(), POLLIN, 0};
    }
    if (count == 0) break;  // reply in, every pipe at end of file
    int timeout = -1;
    if (have_reply) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(drain_deadline - clock_type::now());
      if (left.count() <= 0) break;
      timeout = static_cast<int>(left.count());
    }
    int ready = ::poll(fds, count, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (ready == 0) break;  // grace period over
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (polled[i] == nullptr) {  // the control socket
        ssize_t n;
        while ((n = ::recv(control_.get(), reply.get(), sizeof *reply, 0)) < 0 && errno == EINTR) {
        }
        if (n < 0) throw_errno("recv");
        if (n == 0) launcher_died();
        const auto size = static_cast<std::size_t>(n);
        if (size < PERFCHECK_LAUNCHER_REPLY_SIZE(0) || reply->magic != PERFCHECK_LAUNCHER_MAGIC ||
            reply->version != PERFCHECK_LAUNCHER_VERSION || reply->type != PERFCHECK_LAUNCHER_REPLY ||
            reply->point_count > PERFCHECK_LAUNCHER_MAX_POINTS ||
            size != PERFCHECK_LAUNCHER_REPLY_SIZE(reply->point_count))
          throw std::runtime_error(launcher_.string() + " sent a malformed reply (is it from " +
                                   "another perfcheck version?)");
        have_reply = true;
        drain_deadline = clock_type::now() + drain_grace;
        continue;
      }
      stream_sink& sink = *polled[i];
      for (int r = 0; r < reads_per_wake && sink.read_end; ++r) {
        ssize_t n = ::read(sink.read_end.get(), buffer_.data(), buffer_.size());
        if (n > 0) {
          sink.consume(buffer_.data(), static_cast<std::size_t>(n));
          if (static_cast<std::size_t>(n) < buffer_.size()) break;
        } else if (n == 0) {
          sink.read_end.reset();
        } else if (errno == EAGAIN || errno == EINTR) {
          break;
        } else {
          throw_errno("read");
        }
      }
    }
    if (limits.output_bytes > 0 && !stop_sent && !have_reply && sinks.size() == 2) {
      const std::int64_t total = sinks[0].total + sinks[1].total;
      if (total > limits.output_bytes) {
        perfcheck_launcher_stop stop{PERFCHECK_LAUNCHER_MAGIC, PERFCHECK_LAUNCHER_VERSION,
                                     PERFCHECK_LAUNCHER_STOP, PERFCHECK_LIMIT_OUTPUT, total};
        ssize_t sent;
        while ((sent = ::send(control_.get(), &stop, sizeof stop, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
        }
        if (sent < 0 && errno != EPIPE && errno != ECONNRESET) throw_errno("send");
        stop_sent = true;  // a dead launcher shows as end of file on the next poll
      }
    }
  }
  in_run_ = false;

  run_report report;
  report.counters = {reply->minor_faults,   reply->major_faults, reply->voluntary_cs,
                     reply->involuntary_cs, reply->blocks_in,    reply->blocks_out};
  if (!sinks.empty()) {
    report.stdout_bytes = sinks[0].total;
    report.stderr_bytes = sinks[1].total;
    report.output_truncated = sinks[0].truncated() || sinks[1].truncated();
    std::optional<std::system_error> failure;
    for (stream_sink& sink : sinks) {
      sink.read_end.reset();
      if (int error = sink.finish(); error != 0 && !failure)
        failure.emplace(error, std::generic_category(), "write " + sink.path.string());
    }
    if (failure) throw *failure;
  }
  if (reply->spawn_errno != 0)
    throw_spawn_error(program_, command_, memory_cgroup_path(), reply->spawn_step, reply->spawn_errno);
  report.sample = to_sample(*reply);
  run_sample& sample = report.sample;
  // The kernel's OOM killer in the run's cgroup: the MEMORY limit, even when the sampler
  // never saw the tree above it (a spike between two samples).
  if (cgroup_ && !sample.limit && cgroup_->oom_kills() > oom_kills_before) {
    sample.limit = limit_kind::memory;
    sample.limit_observed = static_cast<double>(std::max(cgroup_->peak(), limits.memory_bytes));
  }
  // Output that arrived after the launcher replied (or the run ended before perfcheck caught
  // up) still passed the limit.
  if (limits.output_bytes > 0 && !sample.limit && report.stdout_bytes + report.stderr_bytes > limits.output_bytes) {
    sample.limit = limit_kind::output;
    sample.limit_observed = static_cast<double>(report.stdout_bytes + report.stderr_bytes);
  }
  return report;
}

command_line command_line_for(const run_spec& spec) {
  command_line command(spec.command, spec.working_directory, spec.environment);
  command.limits = spec.limits;
  command.sample_interval_ns = spec.sample_interval_ns;
  command.cpus = spec.cpus;
  command.nice = spec.nice;
  command.clean_environment = spec.clean_environment;
  command.no_aslr = spec.no_aslr;
  return command;
}

std::int64_t measure_launch_overhead(int runs) {
  if (runs < 1) throw std::invalid_argument("measure_launch_overhead: runs must be at least 1");
  process_executor noop(command_line{{find_launcher().string(), "--noop"}, {}, {}});
  const output_capture discard;  // pipes but no files, as a typical captured run
  std::vector<double> walls;
  walls.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i)
    walls.push_back(static_cast<double>(noop.run(discard).sample.wall_ns));
  return std::llround(stats::median(walls));
}

}  // namespace perfcheck::exec
