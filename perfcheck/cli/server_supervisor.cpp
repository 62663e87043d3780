// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/server_supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "perfcheck/exec/orphan_sweep.hpp"
#include "perfcheck/exec/tree_usage.hpp"
#include "perfcheck/model/limits.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/exec/unique_fd.hpp"
#include "perfcheck/cli/server_state.hpp"

namespace perfcheck::cli {
namespace {

using clock_type = std::chrono::steady_clock;

// The supervisor's running state: its server child, the signals it waits for, its lifeline.
struct supervisor {
  const server_launch& launch;
  pid_t server = 0;
  int server_status = -1;  // the wait status once reaped
  exec::unique_fd signals;
  exec::unique_fd lifeline;  // a pidfd; none when the kernel has no pidfd_open: then polled
};

void report(int fd, const std::string& line) {
  const std::string text = line + "\n";
  if (fd >= 0) (void)!::write(fd, text.data(), text.size());
}

// Standard input from /dev/null, output to the supervisor's log, and every other descriptor but
// `keep` closed: nothing of ctest's (its pipes above all) stays open in the supervisor's tree.
void detach_descriptors(const server_launch& launch, int keep) {
  const int null_fd = ::open("/dev/null", O_RDONLY);
  const int log_fd = ::open(server_log_path(launch, ".supervisor.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(null_fd, 0);
  ::dup2(log_fd >= 0 ? log_fd : null_fd, 1);
  ::dup2(log_fd >= 0 ? log_fd : null_fd, 2);
  if (null_fd > 2) ::close(null_fd);
  if (log_fd > 2) ::close(log_fd);
  const auto close_from_to = [](unsigned first, unsigned last) {
    if (first > last || ::syscall(SYS_close_range, first, last, 0) == 0) return;
    for (unsigned fd = first; fd <= last && fd < 65536; ++fd) ::close(static_cast<int>(fd));  // before Linux 5.9
  };
  close_from_to(3, static_cast<unsigned>(keep) - 1);
  close_from_to(static_cast<unsigned>(keep) + 1, ~0U);
}

// The server's child side: own process group, killed with the supervisor, output to its logs.
[[noreturn]] void exec_server(const server_launch& launch, pid_t supervisor_pid, const sigset_t& old_mask) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != supervisor_pid) ::_exit(127);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) ::signal(sig, SIG_DFL);  // nothing ignored is inherited
  const int out = ::open(server_log_path(launch, ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = ::open(server_log_path(launch, ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
  if (::chdir(launch.working_directory.c_str()) != 0) {
    std::fprintf(stderr, "perfcheck: cannot enter %s: %s\n", launch.working_directory.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  std::vector<char*> argv, env;
  for (const auto& a : launch.argv) argv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : launch.environment) env.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  env.push_back(nullptr);
  ::execve(launch.program.c_str(), argv.data(), env.data());
  std::fprintf(stderr, "perfcheck: cannot execute %s: %s\n", launch.program.c_str(), std::strerror(errno));
  ::_exit(127);
}

// Blocks the signals the supervisor waits for (read from a signalfd), opens the lifeline's
// pidfd and starts the server.
void start(supervisor& s) {
  sigset_t mask, old_mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, &old_mask);
  s.signals = exec::unique_fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (s.launch.lifeline > 0) s.lifeline = exec::unique_fd(static_cast<int>(::syscall(SYS_pidfd_open, s.launch.lifeline, 0)));
  const pid_t self = ::getpid();
  s.server = ::fork();
  if (s.server == 0) exec_server(s.launch, self, old_mask);
}

bool lifeline_gone(const supervisor& s) {
  if (s.launch.lifeline <= 0) return false;
  if (s.lifeline) {
    pollfd p{s.lifeline.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  return ::kill(s.launch.lifeline, 0) != 0 && errno == ESRCH;
}

// Reaps every child that has ended; true when the server itself was one of them.
bool reap(supervisor& s) {
  bool server_ended = false;
  for (int status = 0;;) {
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (pid == s.server) {
      s.server_status = status;
      server_ended = true;
    }
  }
  return server_ended;
}

// SIGTERM to the whole tree, up to the grace period for it to end, then SIGKILL to what is
// left (daemons included: as a subreaper the supervisor is their ancestor). Returns how many
// processes had to be killed.
int stop_tree(supervisor& s) {
  for (pid_t pid : exec::descendants_of(::getpid())) ::kill(pid, SIGTERM);
  const auto deadline = clock_type::now() + std::chrono::nanoseconds(s.launch.grace_ns);
  while (clock_type::now() < deadline) {
    reap(s);
    if (exec::descendants_of(::getpid()).empty()) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (s.server_status < 0 && ::kill(s.server, SIGKILL) == 0) {
    while (::waitpid(s.server, &s.server_status, 0) < 0 && errno == EINTR) {
    }
    reap(s);  // zombies the server left unreaped, now the supervisor's: ended, not killed
    return 1 + exec::sweep_orphans();
  }
  return exec::sweep_orphans();
}

// Waits for the ready check; reports and ends the supervisor on an early exit or a timeout.
void wait_ready(supervisor& s, int report_fd, double& ready_ms) {
  const auto started = clock_type::now();
  const auto deadline = started + std::chrono::nanoseconds(s.launch.ready_timeout_ns);
  const std::vector<std::filesystem::path> logs{server_log_path(s.launch, ".out"), server_log_path(s.launch, ".err")};
  std::string seen = "not probed yet";
  for (;;) {
    if (reap(s)) {
      stop_tree(s);
      report(report_fd, "exited " + describe_wait_status(s.server_status));
      ::_exit(0);
    }
    if (lifeline_gone(s)) {
      stop_tree(s);
      ::_exit(0);
    }
    seen = probe(s.launch.check, s.launch.port, logs);
    if (seen.empty()) break;
    if (clock_type::now() >= deadline) {
      stop_tree(s);
      report(report_fd, "timeout " + seen);
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ready_ms = std::chrono::duration<double, std::milli>(clock_type::now() - started).count();
}

// What of the server's LIMITS its tree has passed, "" when none: summed RSS of the live
// processes, CPU time of the live ones and of those the supervisor has reaped.
std::string over_limit(const server_launch& launch) {
  const exec::tree_usage u = exec::read_tree_usage(::getpid());
  if (launch.memory_limit_bytes > 0 && u.rss_bytes > launch.memory_limit_bytes) {
    return fmt::format("LIMITS MEMORY {} (the server's tree used {})",
                       format_limit_value(limit_kind::memory, double(launch.memory_limit_bytes)), format_size(double(u.rss_bytes)));
  }
  rusage reaped{};
  ::getrusage(RUSAGE_CHILDREN, &reaped);
  const auto ns = [](const timeval& t) { return std::int64_t(t.tv_sec) * 1'000'000'000 + std::int64_t(t.tv_usec) * 1000; };
  const std::int64_t cpu = u.cpu_ns + ns(reaped.ru_utime) + ns(reaped.ru_stime);
  if (launch.cpu_limit_ns > 0 && cpu > launch.cpu_limit_ns) {
    return fmt::format("LIMITS CPU_TIME {} (the server's tree used {})",
                       format_limit_value(limit_kind::cpu_time, double(launch.cpu_limit_ns)), format_duration(double(cpu)));
  }
  return "";
}

// Kills the whole tree at once (a limit does not wait for a grace period) and records why.
void stop_at_limit(supervisor& s, server_state& state, std::string what) {
  for (pid_t pid : exec::descendants_of(::getpid())) ::kill(pid, SIGKILL);
  while (s.server_status < 0 && ::waitpid(s.server, &s.server_status, 0) < 0 && errno == EINTR) {
  }
  exec::sweep_orphans();
  state.status = "exited";
  state.exit = describe_wait_status(s.server_status);
  state.limit = std::move(what);
}

// Until a stop signal or the lifeline's end: reaps, records a server that exits by itself, and
// stops one that passes its LIMITS (checked every 50 ms).
void serve(supervisor& s, server_state& state, const std::filesystem::path& file) {
  const bool limited = s.launch.memory_limit_bytes > 0 || s.launch.cpu_limit_ns > 0;
  for (;;) {
    pollfd fds[2] = {{s.signals.get(), POLLIN, 0}, {s.lifeline.get(), POLLIN, 0}};
    ::poll(fds, s.lifeline ? 2 : 1, limited ? 50 : s.lifeline ? -1 : 200);
    if (lifeline_gone(s)) return;
    bool stop = false;
    for (signalfd_siginfo info{}; ::read(s.signals.get(), &info, sizeof info) == sizeof info;) {
      if (info.ssi_signo != SIGCHLD) stop = true;
    }
    if (reap(s) && state.status == "running") {
      state.status = "exited";
      state.exit = describe_wait_status(s.server_status);
      write_server_state(file, state);
    }
    if (limited && state.status == "running") {
      if (std::string what = over_limit(s.launch); !what.empty()) {
        stop_at_limit(s, state, std::move(what));
        write_server_state(file, state);
      }
    }
    if (stop) return;
  }
}

}  // namespace

std::filesystem::path server_log_path(const server_launch& launch, const char* suffix) {
  return launch.state_dir / (launch.name + suffix);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return fmt::format("signal SIG{} ({})", name ? name : "?", WTERMSIG(status));
  }
  return fmt::format("wait status {}", status);
}

void run_supervisor(const server_launch& launch, int report_fd) {
  ::setsid();
  detach_descriptors(launch, report_fd);
  supervisor s{launch, 0, -1, exec::unique_fd(), exec::unique_fd()};
  try {
    exec::become_subreaper();
    start(s);
    if (s.server < 0) throw std::system_error(errno, std::generic_category(), "fork");
    server_state state;
    state.name = launch.name;
    state.supervisor_pid = ::getpid();
    state.server_pid = s.server;
    state.port = launch.port;
    state.stdout_log = server_log_path(launch, ".out").string();
    state.stderr_log = server_log_path(launch, ".err").string();
    state.ready_check = describe(launch.check, launch.port);
    wait_ready(s, report_fd, state.ready_ms);
    const auto file = state_file_path(launch.state_dir, launch.name);
    write_server_state(file, state);
    report(report_fd, fmt::format("ready {:.3f}", state.ready_ms));
    ::close(report_fd);
    report_fd = -1;
    serve(s, state, file);
    state.left_killed = stop_tree(s);
    state.status = "stopped";
    if (state.exit.empty() && s.server_status >= 0) state.exit = describe_wait_status(s.server_status);
    write_server_state(file, state);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perfcheck server supervisor: %s\n", e.what());
    if (s.server > 0) stop_tree(s);
    report(report_fd, std::string("error ") + e.what());
    ::_exit(4);
  }
  ::_exit(0);
}

}  // namespace perfcheck::cli
