// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/tree_usage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "perfcheck/exec/orphan_sweep.hpp"
#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {
namespace {

// The contents of a small /proc file, "" when it cannot be read.
std::string_view read_small(const char* path, char (&buffer)[1024]) {
  unique_fd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  const ssize_t n = ::read(fd.get(), buffer, sizeof buffer - 1);
  if (n <= 0) return {};
  buffer[n] = '\0';
  return {buffer, static_cast<std::size_t>(n)};
}

// Adds one process's usage; false when it is gone (or a zombie: no memory, no threads of its own).
bool add_process(pid_t pid, tree_usage& u) {
  static const long page = ::sysconf(_SC_PAGESIZE);
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  char path[64], buffer[1024];
  std::snprintf(path, sizeof path, "/proc/%ld/stat", static_cast<long>(pid));
  const std::string_view stat = read_small(path, buffer);
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z') return false;
  // After "pid (comm)": field 3 is the state; utime, stime, cutime, cstime are 14-17, num_threads 20.
  const char* at = buffer + close + 2;
  long long fields[21] = {};
  for (int field = 3; field <= 20 && *at != '\0'; ++field) {
    char* end = nullptr;
    fields[field] = field == 3 ? 0 : std::strtoll(at, &end, 10);
    at = field == 3 ? at + 1 : end;
    while (*at == ' ') ++at;
  }
  std::snprintf(path, sizeof path, "/proc/%ld/statm", static_cast<long>(pid));
  const std::string_view statm = read_small(path, buffer);
  const auto space = statm.find(' ');
  const long long resident = space == std::string_view::npos ? 0 : std::atoll(statm.data() + space + 1);
  u.rss_bytes += resident * page;
  u.cpu_ns += (fields[14] + fields[15] + fields[16] + fields[17]) * (1'000'000'000LL / ticks);
  u.threads += static_cast<int>(fields[20]);
  ++u.processes;
  return true;
}

}  // namespace

tree_usage read_tree_usage(pid_t root) {
  tree_usage u;
  for (const pid_t pid : descendants_of(root)) add_process(pid, u);
  return u;
}

}  // namespace perfcheck::exec
