// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/memory_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace perfcheck::exec {
namespace detail {
namespace {

namespace fs = std::filesystem;

/// Reads a whole small file; nullopt when it cannot be read.
std::optional<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The number after `key` + ' ' on a line of a cgroup "key value" file, or 0.
std::int64_t keyed_value(const std::string& text, std::string_view key) {
  std::size_t at = 0;
  while ((at = text.find(key, at)) != std::string::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const std::size_t after = at + key.size();
    if (line_start && after < text.size() && text[after] == ' ')
      return std::atoll(text.c_str() + after + 1);
    at = after;
  }
  return 0;
}

/// Writes `text` to a cgroup control file in one write; false when that fails.
bool write_control(const fs::path& file, const std::string& text) {
  unique_fd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  return fd && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

/// The mount point of the first cgroup2 line of /proc/self/mountinfo, unescaped.
std::optional<std::string> cgroup2_mount(std::string_view mountinfo) {
  std::size_t begin = 0;
  while (begin < mountinfo.size()) {
    std::size_t end = std::min(mountinfo.find('\n', begin), mountinfo.size());
    std::string_view line = mountinfo.substr(begin, end - begin);
    begin = end + 1;
    // "<id> <parent> <major:minor> <root> <mount point> <options> [optional...] - <type> ..."
    const auto dash = line.find(" - ");
    if (dash == std::string_view::npos || !line.substr(dash + 3).starts_with("cgroup2 ")) continue;
    std::size_t field = 0, at = 0;
    while (field < 4 && at != std::string_view::npos) {
      at = line.find(' ', at);
      if (at != std::string_view::npos) ++at;
      ++field;
    }
    if (at == std::string_view::npos) continue;
    const std::size_t stop = line.find(' ', at);
    if (stop == std::string_view::npos) continue;
    std::string point;
    // mountinfo escapes space, tab, newline and backslash as \ooo.
    for (std::size_t i = at; i < stop; ++i) {
      if (line[i] == '\\' && i + 3 < stop) {
        point += static_cast<char>((line[i + 1] - '0') * 64 + (line[i + 2] - '0') * 8 +
                                   (line[i + 3] - '0'));
        i += 3;
      } else {
        point += line[i];
      }
    }
    return point;
  }
  return std::nullopt;
}

/// True when a cgroup.subtree_control text lists the memory controller.
bool lists_memory(const std::string& controllers) {
  bool memory = false;
  std::size_t at = 0;
  while ((at = controllers.find("memory", at)) != std::string::npos) {
    const bool starts = at == 0 || controllers[at - 1] == ' ';
    const std::size_t after = at + 6;
    const bool ends =
        after >= controllers.size() || controllers[after] == ' ' || controllers[after] == '\n';
    memory = memory || (starts && ends);
    at = after;
  }
  return memory;
}

}  // namespace
}  // namespace detail

namespace fs = std::filesystem;

std::unique_ptr<memory_cgroup> memory_cgroup::create(const fs::path& parent,
                                                     std::int64_t max_bytes) {
  static int counter = 0;
  auto group = std::unique_ptr<memory_cgroup>(new memory_cgroup);
  group->path_ =
      parent / ("perfcheck-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  if (::mkdir(group->path_.c_str(), 0755) != 0) return nullptr;
  group->created_ = true;
  if (!detail::write_control(group->path_ / "memory.max", std::to_string(max_bytes)))
    return nullptr;
  (void)detail::write_control(group->path_ / "memory.swap.max",
                              "0");  // over the limit means over, not swapped out
  (void)detail::write_control(group->path_ / "memory.oom.group",
                              "1");  // the OOM killer takes the whole tree
  group->procs_.reset(::open((group->path_ / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!group->procs_) return nullptr;
  return group;
}

memory_cgroup::~memory_cgroup() {
  procs_.reset();
  if (created_) (void)::rmdir(path_.c_str());
}

std::int64_t memory_cgroup::oom_kills() const {
  auto text = detail::slurp(path_ / "memory.events");
  return text ? detail::keyed_value(*text, "oom_kill") : 0;
}

std::int64_t memory_cgroup::peak() const {
  auto text = detail::slurp(path_ / "memory.peak");
  return text ? std::atoll(text->c_str()) : 0;
}

std::optional<fs::path> cgroup_parent_candidate(std::string_view mountinfo,
                                                std::string_view self_cgroup) {
  std::optional<std::string> mount = detail::cgroup2_mount(mountinfo);
  if (!mount) return std::nullopt;
  std::optional<std::string> own;
  std::size_t begin = 0;
  while (begin < self_cgroup.size()) {
    std::size_t end = std::min(self_cgroup.find('\n', begin), self_cgroup.size());
    std::string_view line = self_cgroup.substr(begin, end - begin);
    begin = end + 1;
    if (line.starts_with("0::")) own = std::string(line.substr(3));
  }
  if (!own || own->empty() || own->front() != '/') return std::nullopt;
  fs::path relative = fs::path(*own).relative_path();
  fs::path parent = relative.empty() ? relative : relative.parent_path();
  return parent.empty() ? fs::path(*mount) : fs::path(*mount) / parent;
}

std::optional<fs::path> find_memory_cgroup_parent() {
  std::optional<fs::path> candidate;
  if (const char* configured = std::getenv("PERFCHECK_CGROUP_PARENT");
      configured != nullptr && *configured != '\0') {
    if (std::string_view(configured) == "none") return std::nullopt;
    candidate = fs::path(configured);
  } else {
    auto mountinfo = detail::slurp("/proc/self/mountinfo");
    auto own = detail::slurp("/proc/self/cgroup");
    if (!mountinfo || !own) return std::nullopt;
    candidate = cgroup_parent_candidate(*mountinfo, *own);
  }
  if (!candidate) return std::nullopt;
  auto controllers = detail::slurp(*candidate / "cgroup.subtree_control");
  if (!controllers || !detail::lists_memory(*controllers)) return std::nullopt;
  if (::access(candidate->c_str(), W_OK) != 0 ||
      ::access((*candidate / "cgroup.procs").c_str(), W_OK) != 0)
    return std::nullopt;
  return candidate;
}

}  // namespace perfcheck::exec
