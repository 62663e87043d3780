// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/gnuplot_batch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

extern char** environ;

namespace perfcheck::reports {

namespace fs = std::filesystem;

child_process::~child_process() { kill_and_reap(); }

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

void child_process::kill_and_reap() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

int child_process::wait_until(std::chrono::steady_clock::time_point deadline) {
  int status = 0;
  while (pid_ > 0) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      pid_ = -1;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status;
}

void detail::write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    throw std::system_error(errno ? errno : EIO, std::generic_category(),
                            fmt::format("writing {}", path.string()));
  }
}

namespace {

class spawn_actions {
 public:
  spawn_actions() { posix_spawn_file_actions_init(&actions_); }
  ~spawn_actions() { posix_spawn_file_actions_destroy(&actions_); }
  spawn_actions(const spawn_actions&) = delete;
  spawn_actions& operator=(const spawn_actions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// The environment of gnuplot: ours, with HOME pointing at the temporary folder so that no
// ~/.gnuplot changes the charts, and the C locale for numbers.
std::vector<std::string> gnuplot_environment(const fs::path& dir) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("HOME=") || entry.starts_with("LC_ALL=") ||
        entry.starts_with("GNUPLOT_") || entry.starts_with("GNUTERM=")) {
      continue;
    }
    env.emplace_back(entry);
  }
  env.push_back("HOME=" + dir.string());
  env.push_back("LC_ALL=C");
  return env;
}

// Starts `program script` in `dir` with stdout and stderr to `log`; on a spawn failure the
// outcome carries its errno and the handle is empty.
child_process start_gnuplot(gnuplot_outcome& outcome, const std::string& program,
                            const fs::path& dir, const std::string& script,
                            const std::string& log) {
  spawn_actions actions;
  posix_spawn_file_actions_addchdir_np(actions.get(), dir.c_str());
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(actions.get(), 1, 2);
  const bool path_given = program.find('/') != std::string::npos;
  // The child changes folder before exec, so a relative path is made absolute first.
  const std::string exe = path_given ? fs::absolute(program).string() : program;
  std::vector<std::string> env = gnuplot_environment(dir);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = exe, arg1 = script;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  outcome.spawn_error =
      path_given ? posix_spawn(&pid, exe.c_str(), actions.get(), nullptr, argv, envp.data())
                 : posix_spawnp(&pid, exe.c_str(), actions.get(), nullptr, argv, envp.data());
  outcome.started = outcome.spawn_error == 0;
  return outcome.started ? child_process(pid) : child_process();
}

}  // namespace

std::vector<gnuplot_outcome> run_gnuplot_batch(const std::string& program, const fs::path& dir,
                                               const std::vector<std::string>& scripts,
                                               std::chrono::seconds limit) {
  std::vector<gnuplot_outcome> outcomes(scripts.size());
  std::vector<child_process> children(scripts.size());  // their destructors reap on a throw
  for (std::size_t j = 0; j < scripts.size(); ++j) {
    if (scripts[j].empty()) continue;
    const std::string script = fmt::format("batch{}.gp", j);
    detail::write_file(dir / script, scripts[j]);
    children[j] = start_gnuplot(outcomes[j], program, dir, script, fmt::format("batch{}.log", j));
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (std::size_t j = 0; j < scripts.size(); ++j) {
    if (children[j].running()) outcomes[j].status = children[j].wait_until(deadline);
  }
  return outcomes;
}

}  // namespace perfcheck::reports
