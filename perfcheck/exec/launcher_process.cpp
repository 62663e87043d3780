// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/launcher_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "perfcheck/exec/launcher/launcher_protocol.h"
#include "perfcheck/exec/orphan_sweep.hpp"
#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/error.hpp"

#ifndef PERFCHECK_LAUNCHER_INSTALL_RELPATH
#define PERFCHECK_LAUNCHER_INSTALL_RELPATH "../libexec/perfcheck"
#endif

namespace perfcheck::exec {
namespace detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view launcher_name = "perfcheck-launcher";

fs::path executable_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::system_error(ec, "readlink /proc/self/exe");
  return self.parent_path();
}

/// RAII for posix_spawn's attribute and file-action objects.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    check_result(::posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
    if (int e = ::posix_spawnattr_init(&attr); e != 0) {
      ::posix_spawn_file_actions_destroy(&actions);
      throw_os_error(e, "posix_spawnattr_init");
    }
  }
  ~spawn_setup() {
    ::posix_spawnattr_destroy(&attr);
    ::posix_spawn_file_actions_destroy(&actions);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

/// stdin /dev/null, the socket on the launcher's fixed fd, the folder, and perfcheck's own
/// signal mask and ignored signals (SIGPIPE, say) kept from the command.
void prepare(spawn_setup& setup, int socket, const fs::path& directory) {
  check_result(::posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0),
               "posix_spawn_file_actions_addopen");
  // A fixed slot, so the socket can never land on 0..2 even if perfcheck's were closed.
  check_result(
      ::posix_spawn_file_actions_adddup2(&setup.actions, socket, PERFCHECK_LAUNCHER_CONTROL_FD),
      "posix_spawn_file_actions_adddup2");
  if (!directory.empty())
    check_result(::posix_spawn_file_actions_addchdir_np(&setup.actions, directory.c_str()),
                 "posix_spawn_file_actions_addchdir_np");
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  check_result(::posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
  check_result(::posix_spawnattr_setsigdefault(&setup.attr, &all), "posix_spawnattr_setsigdefault");
  check_result(
      ::posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
      "posix_spawnattr_setflags");
}

}  // namespace
}  // namespace detail

namespace {

/// exec's E2BIG as the command's error: the arguments and environment, with the sizes.
[[noreturn]] void throw_too_long(const std::filesystem::path& program, const std::vector<std::string>& argv,
                                 const std::vector<std::string>& environment) {
  std::size_t arg_bytes = 0, env_bytes = 0, longest = 0;
  for (const auto& a : argv) {
    arg_bytes += a.size() + 1;
    longest = std::max(longest, a.size() + 1);
  }
  for (const auto& e : environment) {
    env_bytes += e.size() + 1;
    longest = std::max(longest, e.size() + 1);
  }
  throw command_error(fmt::format(
      "cannot execute {}: the argument list is too long for exec ({} arguments of {} bytes, {} environment "
      "entries of {} bytes, the longest {} bytes; this system allows {} bytes in all and {} per string); "
      "pass fewer or shorter arguments, e.g. through a file",
      program.string(), argv.size(), arg_bytes, environment.size(), env_bytes, longest, ::sysconf(_SC_ARG_MAX),
      32 * ::sysconf(_SC_PAGESIZE)));
}

}  // namespace

namespace fs = std::filesystem;

fs::path find_launcher() {
  using detail::launcher_name;
  if (const char* configured = std::getenv("PERFCHECK_LAUNCHER");
      configured != nullptr && *configured != '\0') {
    if (executable_error(configured) != 0)
      throw std::runtime_error(std::string("PERFCHECK_LAUNCHER names ") + configured +
                               ", which is not an executable file; point it at a built " +
                               std::string(launcher_name) + " or unset it");
    return configured;
  }
  fs::path dir = detail::executable_dir();
  const fs::path tried[] = {dir / launcher_name,
                            dir / PERFCHECK_LAUNCHER_INSTALL_RELPATH / launcher_name};
  for (const fs::path& candidate : tried)
    if (executable_error(candidate) == 0) return candidate;
  throw std::runtime_error(std::string(launcher_name) + " not found (tried " + tried[0].string() +
                           " and " + tried[1].string() +
                           "); build or install it, or set PERFCHECK_LAUNCHER to its path");
}

void launcher_process::start(const fs::path& launcher, const fs::path& program,
                             const std::vector<std::string>& argv,
                             std::vector<std::string> environment, const fs::path& directory) {
  path_ = launcher;
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0)
    detail::throw_errno("socketpair");
  unique_fd mine(ends[0]);
  unique_fd theirs(ends[1]);

  detail::spawn_setup setup;
  detail::prepare(setup, theirs.get(), directory);
  std::vector<std::string> args{launcher.string(), std::to_string(PERFCHECK_LAUNCHER_CONTROL_FD),
                                program.string(), "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  std::vector<char*> c_argv = detail::c_strings(args);
  std::vector<char*> c_envp = detail::c_strings(environment);
  // Should the command kill the launcher, what the launcher was reaping comes to perfcheck.
  become_subreaper();
  pid_t pid = -1;
  if (int e = ::posix_spawn(&pid, launcher.c_str(), &setup.actions, &setup.attr, c_argv.data(),
                            c_envp.data());
      e != 0) {
    if (e == E2BIG) throw_too_long(program, argv, environment);
    detail::throw_os_error(e, "posix_spawn " + launcher.string());
  }
  pid_ = pid;
  own_child(pid);
  control_ = std::move(mine);
}

launcher_process::~launcher_process() {
  if (pid_ <= 0) return;
  control_.reset();  // end of file: an idle launcher exits, a busy one kills the tree first
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  forget_child(pid_);
}

void launcher_process::interrupt() noexcept {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
}

void launcher_process::send(std::span<const char> packet, std::span<const int> fds) {
  iovec iov{const_cast<char*>(packet.data()), packet.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control_bytes[CMSG_SPACE(3 * sizeof(int))];
  if (fds.size() > 3) throw std::invalid_argument("launcher_process::send: at most 3 fds");
  if (!fds.empty()) {
    msg.msg_control = control_bytes;
    msg.msg_controllen = CMSG_SPACE(fds.size() * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  }
  ssize_t sent;
  while ((sent = ::sendmsg(control_.get(), &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (sent < 0) {
    if (errno == EPIPE || errno == ECONNRESET) died();
    detail::throw_errno("sendmsg");
  }
}

void launcher_process::send_if_alive(std::span<const char> packet) {
  ssize_t sent;
  while ((sent = ::send(control_.get(), packet.data(), packet.size(), MSG_NOSIGNAL)) < 0 &&
         errno == EINTR) {
  }
  if (sent < 0 && errno != EPIPE && errno != ECONNRESET) detail::throw_errno("send");
}

std::span<const char> launcher_process::receive(std::span<char> buffer) {
  ssize_t n;
  while ((n = ::recv(control_.get(), buffer.data(), buffer.size(), 0)) < 0 && errno == EINTR) {
  }
  if (n < 0) detail::throw_errno("recv");
  if (n == 0) died();
  return buffer.first(static_cast<std::size_t>(n));
}

void launcher_process::died() {
  int status = 0;
  pid_t reaped;
  while ((reaped = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  forget_child(pid_);
  pid_ = -1;
  control_.reset();
  // Its children and every orphan it was to reap are perfcheck's now (a child subreaper).
  const int stopped = sweep_orphans();
  if (reaped > 0 && WIFSIGNALED(status)) {
    // Killed, not failed: by the command (its child) or by the system. The run is the command's.
    throw command_error(fmt::format(
        "{} (the parent of the measured command) was killed by signal {} ({}) during the run, so "
        "the run cannot be measured; perfcheck stopped the {} process{} it left. If the command "
        "kills its parent process, make it stop doing that",
        path_.string(), WTERMSIG(status), ::strsignal(WTERMSIG(status)), stopped, stopped == 1 ? "" : "es"));
  }
  std::string how = reaped < 0 ? "vanished" : "exited with status " + std::to_string(WEXITSTATUS(status));
  throw std::runtime_error(path_.string() + " " + how +
                           " while running a command; see its message above, if any");
}

}  // namespace perfcheck::exec
