// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What the command runs and with which environment: the execvp-like program lookup, done by
// perfcheck so that a missing or unusable program is a clear error before any run.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perfcheck::exec {

/// Environment of the command: `base` (only its PATH when `clean`) with each "VAR=value" of
/// `extra` replacing or adding VAR. Throws usage_error for an entry without a name and '='.
std::vector<std::string> merge_environment(char** base, const std::vector<std::string>& extra,
                                           bool clean);

/// The value of NAME in "NAME=value" entries, or nullopt when none names it.
std::optional<std::string> environment_value(const std::vector<std::string>& environment,
                                             std::string_view name);

/// 0 when `path` is a regular file this process may execute, else the errno execve would give
/// (EISDIR for a folder, EACCES for other non-regular files).
int executable_error(const std::filesystem::path& path);

/// The folder the command runs in, absolute: `working_directory` (empty: perfcheck's own).
/// Throws command_error when it is missing or not a folder.
std::filesystem::path command_directory(const std::filesystem::path& working_directory);

/// argv[0] resolved like execvp: a name with '/' is a path (from `base` when relative);
/// otherwise the first executable file in the environment's PATH (default "/bin:/usr/bin",
/// empty entries mean `base`). As execvp, a found but unusable file is reported only when no
/// later PATH entry has a usable one. Throws command_error: "command not found: NAME",
/// "cannot execute PATH: REASON".
std::filesystem::path resolve_program(const std::string& name,
                                      const std::vector<std::string>& environment,
                                      const std::filesystem::path& base);

/// Throws command_error "cannot execute PATH: REASON" for an errno value.
[[noreturn]] void throw_cannot_execute(const std::filesystem::path& path, int error);

}  // namespace perfcheck::exec
