// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/program_lookup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/model/error.hpp"

namespace perfcheck::exec {

namespace fs = std::filesystem;

std::vector<std::string> merge_environment(char** base, const std::vector<std::string>& extra,
                                           bool clean) {
  std::vector<std::string> merged;
  for (char** entry = base; entry != nullptr && *entry != nullptr; ++entry)
    if (!clean || std::string_view(*entry).starts_with("PATH=")) merged.emplace_back(*entry);
  for (const std::string& assignment : extra) {
    auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0)
      throw usage_error("environment entry '" + assignment +
                        "' is not of the form VAR=value; write it as NAME=VALUE");
    std::string_view prefix(assignment.data(), equals + 1);
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const std::string& e) { return e.starts_with(prefix); });
    if (same != merged.end())
      *same = assignment;
    else
      merged.push_back(assignment);
  }
  return merged;
}

std::optional<std::string> environment_value(const std::vector<std::string>& environment,
                                             std::string_view name) {
  for (const std::string& entry : environment)
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
  return std::nullopt;
}

int executable_error(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) return EISDIR;
  if (!S_ISREG(st.st_mode)) return EACCES;
  if (::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) != 0) return errno;
  return 0;
}

void throw_cannot_execute(const fs::path& path, int error) {
  throw command_error("cannot execute " + path.string() + ": " + detail::error_text(error));
}

fs::path command_directory(const fs::path& working_directory) {
  if (working_directory.empty()) return fs::current_path();
  fs::path base = fs::absolute(working_directory);
  struct stat st {};
  int error = ::stat(base.c_str(), &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  if (error != 0)
    throw command_error("cannot use working directory " + working_directory.string() + ": " +
                        detail::error_text(error));
  return base;
}

fs::path resolve_program(const std::string& name, const std::vector<std::string>& environment,
                         const fs::path& base) {
  if (name.empty()) throw command_error("command not found: (empty program name)");
  if (name.find('/') != std::string::npos) {
    fs::path path = base / name;  // an absolute name replaces base
    int error = executable_error(path);
    if (error == ENOENT || error == ENOTDIR) throw command_error("command not found: " + name);
    if (error != 0) throw_cannot_execute(path, error);
    return path;
  }
  std::string search = environment_value(environment, "PATH").value_or("/bin:/usr/bin");
  std::optional<std::pair<fs::path, int>> unusable;
  std::size_t begin = 0;
  while (begin <= search.size()) {
    std::size_t end = std::min(search.find(':', begin), search.size());
    std::string dir = search.substr(begin, end - begin);
    begin = end + 1;
    fs::path candidate = base / (dir.empty() ? fs::path(".") : fs::path(dir)) / name;
    int error = executable_error(candidate);
    if (error == 0) return candidate;
    if (error != ENOENT && error != ENOTDIR && !unusable) unusable.emplace(candidate, error);
  }
  if (unusable) throw_cannot_execute(unusable->first, unusable->second);
  throw command_error("command not found: " + name);
}

}  // namespace perfcheck::exec
