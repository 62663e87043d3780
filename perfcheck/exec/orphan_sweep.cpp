// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/orphan_sweep.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {
namespace {

// The children perfcheck started itself; not thread-safe, like the executors.
std::set<pid_t>& own_children() {
  static std::set<pid_t> children;
  return children;
}

// The parent pid from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold ')'), or 0.
pid_t parent_of(long pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  unique_fd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  char text[512];
  const ssize_t n = ::read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return 0;
  text[n] = '\0';
  std::string_view stat(text, static_cast<std::size_t>(n));
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || close + 4 >= stat.size()) return 0;
  return static_cast<pid_t>(std::atol(text + close + 4));  // ") S " then ppid
}

// Every process's children, from one walk of /proc.
std::map<pid_t, std::vector<pid_t>> children_by_parent() {
  std::map<pid_t, std::vector<pid_t>> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    const long pid = std::atol(entry->d_name);
    if (const pid_t parent = parent_of(pid); parent > 0) children[parent].push_back(static_cast<pid_t>(pid));
  }
  ::closedir(proc);
  return children;
}

// `root` and everything below it in `children`.
std::vector<pid_t> subtree(const std::map<pid_t, std::vector<pid_t>>& children, pid_t root) {
  std::vector<pid_t> tree{root};
  for (std::size_t i = 0; i < tree.size(); ++i)
    if (auto it = children.find(tree[i]); it != children.end())
      tree.insert(tree.end(), it->second.begin(), it->second.end());
  return tree;
}

}  // namespace

void become_subreaper() {
  static bool done = false;
  if (done) return;
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) detail::throw_errno("prctl PR_SET_CHILD_SUBREAPER");
  done = true;
}

void own_child(pid_t pid) { own_children().insert(pid); }
void forget_child(pid_t pid) { own_children().erase(pid); }

int sweep_orphans() {
  int killed = 0;
  // Each round kills whole subtrees; a process forked between the walk and the kill is
  // reparented to perfcheck when its parent dies, and the next round finds it.
  for (int round = 0; round < 1000; ++round) {
    const auto children = children_by_parent();
    std::vector<pid_t> orphans;
    if (auto it = children.find(::getpid()); it != children.end())
      for (pid_t pid : it->second)
        if (!own_children().contains(pid)) orphans.push_back(pid);
    if (orphans.empty()) break;
    for (pid_t orphan : orphans) {
      for (pid_t pid : subtree(children, orphan))
        if (::kill(pid, SIGKILL) == 0) ++killed;
      while (::waitpid(orphan, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
  return killed;
}

std::vector<pid_t> descendants_of(pid_t root) {
  std::vector<pid_t> tree = subtree(children_by_parent(), root);
  tree.erase(tree.begin());
  return tree;
}

}  // namespace perfcheck::exec
