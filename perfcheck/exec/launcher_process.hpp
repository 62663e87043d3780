// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The perfcheck-launcher child of one process_executor and its control socket: started with
// posix_spawn, spoken to in whole packets, ended and reaped on destruction.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {

/// The perfcheck-launcher executable: $PERFCHECK_LAUNCHER when set and non-empty (then it
/// must exist), else beside the running executable (the build tree's bin folder), else in
/// <exe dir>/../libexec/perfcheck (the installed layout). Throws std::runtime_error naming
/// every path tried when none is an executable file.
std::filesystem::path find_launcher();

/// One running perfcheck-launcher and the perfcheck end of its SOCK_SEQPACKET socket.
/// Neither copied nor moved: it owns a child process. Not thread-safe.
class launcher_process {
 public:
  /// Nothing started yet.
  launcher_process() = default;
  /// Closes the socket (an idle launcher exits, a busy one stops its tree first) and reaps it.
  ~launcher_process();
  launcher_process(const launcher_process&) = delete;
  launcher_process& operator=(const launcher_process&) = delete;

  /// Starts `launcher` for `program` run as `argv`, in `directory` (empty: perfcheck's own)
  /// with exactly `environment`; stdin /dev/null, the socket on PERFCHECK_LAUNCHER_CONTROL_FD,
  /// default signal dispositions and an empty mask. Throws std::system_error naming the call
  /// (socketpair, posix_spawn, ...). Call once.
  void start(const std::filesystem::path& launcher, const std::filesystem::path& program,
             const std::vector<std::string>& argv, std::vector<std::string> environment,
             const std::filesystem::path& directory);

  /// True while the launcher is started and not known to be dead.
  bool running() const noexcept { return static_cast<bool>(control_); }
  /// The perfcheck end of the control socket (to poll), -1 when not running.
  int control() const noexcept { return control_.get(); }
  /// The launcher's path, for messages.
  const std::filesystem::path& path() const noexcept { return path_; }

  /// Sends one packet with `fds` attached (SCM_RIGHTS, at most 3). A launcher that is gone
  /// throws as died() does; other failures std::system_error "sendmsg".
  void send(std::span<const char> packet, std::span<const int> fds = {});
  /// Sends one packet and ignores a launcher that is gone (its end of file shows on the next
  /// receive). Throws std::system_error "send" for other failures.
  void send_if_alive(std::span<const char> packet);
  /// Receives one packet of at most buffer.size() bytes; returns what arrived. End of file
  /// throws as died() does; other failures std::system_error "recv".
  std::span<const char> receive(std::span<char> buffer);
  /// SIGTERM to the launcher, which then stops the command's tree (used mid-run).
  void interrupt() noexcept;

  /// Reaps the dead launcher and throws std::runtime_error saying how it ended.
  [[noreturn]] void died();

 private:
  std::filesystem::path path_;
  unique_fd control_;
  pid_t pid_ = -1;
};

}  // namespace perfcheck::exec
