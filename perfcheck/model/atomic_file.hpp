// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Every file perfcheck writes goes through here: a temp file in the target's folder, named so
// that it is recognisably perfcheck's and carries the writer's pid, renamed over the target
// once complete, and removed on every path perfcheck controls (errors, exceptions, SIGINT,
// SIGTERM, SIGHUP). A temp file left by a killed writer is swept by the next writer in that
// folder once its pid is no longer alive.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string_view>

namespace perfcheck {

/// The temp name of a write to `target` by process `pid`:
/// `<folder>/.<file name>.perfcheck-<pid>-<serial>.tmp`.
std::filesystem::path temp_path_for(const std::filesystem::path& target, pid_t pid,
                                    unsigned serial = 0);

/// The pid in a temp name made by temp_path_for, or 0 when `file_name` is not one.
pid_t temp_file_owner(std::string_view file_name);

/// Removes the temp files of `dir` (temp_path_for names) whose writer is no longer alive
/// (kill(pid, 0) says ESRCH), and those of earlier perfcheck versions that are stale
/// (is_stale_legacy_temp), and returns how many. Never throws: a folder that cannot be read
/// sweeps nothing. Each folder is swept once per process.
std::size_t sweep_stale_temp_files(const std::filesystem::path& dir);

/// Whether `path` is a temp file that an earlier perfcheck left and no writer can still be
/// using: a regular file (not a link) of this user named
/// - `.<name>.json.XXXXXX` (mkstemp: six letters or digits), empty or holding perfcheck JSON
///   (`"perfcheck/` in its first 512 bytes), not modified for an hour (such a write took
///   milliseconds);
/// - `.<report file>.tmp<pid>` for index.html, summary.md, junit.xml or report.json, whose pid
///   is no longer alive (and is not this process);
/// - `<name>.stdout.tmp` or `<name>.stderr.tmp` (captured output), not modified for a day (a
///   run may be silent for long).
/// `now`: the current time (seconds since the epoch).
bool is_stale_legacy_temp(const std::filesystem::path& path, std::int64_t now);

/// Creates a private folder `<system temp folder>/<prefix>-<pid>-XXXXXX` (mkdtemp); `prefix`
/// is "perfcheck-<word>". The first call of a process first removes every such folder whose pid
/// is no longer alive (left by kill -9), whatever its word. Throws std::system_error
/// "mkdtemp <pattern>".
std::filesystem::path make_temp_folder(std::string_view prefix);

/// Installs SIGINT, SIGTERM and SIGHUP handlers that remove every temp file registered by a
/// temp_file_guard, then die of the signal as before (default disposition, re-raised).
void install_temp_file_cleanup();

/// A temp file that must not outlive this object: registered for the signal handlers while
/// alive, removed when destroyed (unless released, e.g. after it was renamed).
class temp_file_guard {
 public:
  explicit temp_file_guard(std::filesystem::path path);
  ~temp_file_guard();
  temp_file_guard(const temp_file_guard&) = delete;
  temp_file_guard& operator=(const temp_file_guard&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Forgets the file without removing it.
  void release() noexcept;

 private:
  std::filesystem::path path_;
  int slot_ = -1;  // in the signal handlers' table; -1 when not registered
  bool released_ = false;
};

/// A file written under a temp name (temp_path_for) and renamed over its target by commit();
/// the temp file is removed when the object is destroyed before that. Every write is checked:
/// errors throw std::system_error "write <target>: <strerror>" (from write, stream() at
/// commit, fsync, close), "create <temp>" or "rename <target>".
class atomic_file {
 public:
  /// Sweeps stale temp files of the folder, then creates the temp file (mode 0644).
  explicit atomic_file(std::filesystem::path target);
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  /// Appends `text`; throws on the first failed write.
  void write(std::string_view text);
  /// A buffered stream onto the file, for writers that take std::ostream; its first error is
  /// kept and thrown by commit().
  std::ostream& stream();
  /// Flushes, fsyncs, closes and renames the temp file over the target.
  void commit();

  const std::filesystem::path& target() const { return target_; }

 private:
  class buffer;
  std::filesystem::path target_;
  temp_file_guard temp_;
  int fd_ = -1;
  std::unique_ptr<buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
};

/// Writes `text` to `path` through an atomic_file.
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace perfcheck
