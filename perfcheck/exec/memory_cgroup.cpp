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

/// True when a list of controllers separated by `separator` (cgroup.subtree_control: ' ';
/// mount options: ',') names `controller`.
bool lists(std::string_view controllers, std::string_view controller, char separator = ' ') {
  bool found = false;
  std::size_t at = 0;
  while ((at = controllers.find(controller, at)) != std::string::npos) {
    const bool starts = at == 0 || controllers[at - 1] == separator;
    const std::size_t after = at + controller.size();
    const bool ends =
        after >= controllers.size() || controllers[after] == separator || controllers[after] == '\n';
    found = found || (starts && ends);
    at = after;
  }
  return found;
}

/// The folder of a cgroup v1 hierarchy holding `controller`, from /proc/self/mountinfo and
/// /proc/self/cgroup: its mount point joined with perfcheck's own cgroup there ("N:pids:/x").
std::optional<fs::path> v1_cgroup(std::string_view mountinfo, std::string_view self_cgroup,
                                  std::string_view controller) {
  std::optional<fs::path> mount;
  for (std::size_t begin = 0; begin < mountinfo.size() && !mount;) {
    const std::size_t end = std::min(mountinfo.find('\n', begin), mountinfo.size());
    const std::string_view line = mountinfo.substr(begin, end - begin);
    begin = end + 1;
    const auto dash = line.find(" - cgroup ");
    if (dash == std::string_view::npos) continue;
    const std::string_view super = line.substr(line.rfind(' ') + 1);  // super options, last field
    if (!lists(super, controller, ',')) continue;
    std::size_t at = 0;
    for (int field = 0; field < 4 && at != std::string_view::npos; ++field) {
      at = line.find(' ', at);
      if (at != std::string_view::npos) ++at;
    }
    if (at == std::string_view::npos || line.substr(at).find('\\') < line.find(' ', at) - at) continue;
    mount = fs::path(std::string(line.substr(at, line.find(' ', at) - at)));
  }
  if (!mount) return std::nullopt;
  for (std::size_t begin = 0; begin < self_cgroup.size();) {
    const std::size_t end = std::min(self_cgroup.find('\n', begin), self_cgroup.size());
    const std::string_view line = self_cgroup.substr(begin, end - begin);
    begin = end + 1;
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (second == std::string_view::npos || !lists(line.substr(first + 1, second - first - 1), controller, ','))
      continue;
    return *mount / fs::path(std::string(line.substr(second + 1))).relative_path();
  }
  return std::nullopt;
}

}  // namespace
}  // namespace detail

namespace fs = std::filesystem;

std::unique_ptr<memory_cgroup> memory_cgroup::create(const fs::path& parent, std::int64_t max_bytes,
                                                     std::int64_t max_tasks) {
  static int counter = 0;
  auto group = std::unique_ptr<memory_cgroup>(new memory_cgroup);
  group->path_ =
      parent / ("perfcheck-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  if (::mkdir(group->path_.c_str(), 0755) != 0) return nullptr;
  group->created_ = true;
  if (max_bytes > 0) {
    if (!detail::write_control(group->path_ / "memory.max", std::to_string(max_bytes))) return nullptr;
    (void)detail::write_control(group->path_ / "memory.swap.max",
                                "0");  // over the limit means over, not swapped out
    (void)detail::write_control(group->path_ / "memory.oom.group",
                                "1");  // the OOM killer takes the whole tree
  }
  if (max_tasks > 0) {
    if (!detail::write_control(group->path_ / "pids.max", std::to_string(max_tasks))) return nullptr;
    group->max_tasks_ = max_tasks;
  }
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

std::int64_t memory_cgroup::refused_forks() const {
  auto text = detail::slurp(path_ / "pids.events");
  return text ? detail::keyed_value(*text, "max") : 0;
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
  if (!controllers || !detail::lists(*controllers, "memory")) return std::nullopt;
  if (::access(candidate->c_str(), W_OK) != 0 ||
      ::access((*candidate / "cgroup.procs").c_str(), W_OK) != 0)
    return std::nullopt;
  return candidate;
}

}  // namespace perfcheck::exec

namespace perfcheck::exec {

std::optional<fs::path> find_pids_cgroup_parent() {
  const char* configured = std::getenv("PERFCHECK_CGROUP_PARENT");
  const bool named = configured != nullptr && *configured != '\0';
  if (named && std::string_view(configured) == "none") return std::nullopt;
  const auto usable = [](const fs::path& folder) {
    return ::access(folder.c_str(), W_OK) == 0 && ::access((folder / "cgroup.procs").c_str(), W_OK) == 0;
  };
  // cgroup v2: a folder whose children get the pids controller; v1: any folder of a hierarchy.
  const auto v2 = [&](const fs::path& folder) {
    auto controllers = detail::slurp(folder / "cgroup.subtree_control");
    return controllers && detail::lists(*controllers, "pids") && usable(folder);
  };
  if (named) {
    const fs::path folder(configured);
    if (v2(folder) || (fs::exists(folder / "tasks") && usable(folder))) return folder;
    return std::nullopt;
  }
  auto mountinfo = detail::slurp("/proc/self/mountinfo");
  auto own = detail::slurp("/proc/self/cgroup");
  if (!mountinfo || !own) return std::nullopt;
  if (auto candidate = cgroup_parent_candidate(*mountinfo, *own); candidate && v2(*candidate)) return candidate;
  if (auto v1 = detail::v1_cgroup(*mountinfo, *own, "pids"); v1 && usable(*v1)) return v1;
  return std::nullopt;
}

}  // namespace perfcheck::exec
