// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The measured command's stdout and stderr during one run: pipes that perfcheck drains with
// poll while it waits for the launcher's reply, each into a file up to a limit, the rest
// counted and dropped, so memory stays flat however much the command prints.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/exec/unique_fd.hpp"

namespace perfcheck::exec {
namespace detail {

/// One captured stream of one run: the pipe perfcheck reads and where the bytes go.
struct stream_sink {
  unique_fd read_end;          ///< perfcheck's end of the pipe; none at end of file
  unique_fd file;              ///< where kept bytes go; none: discard
  std::filesystem::path path;  ///< the file's path, for errors
  std::int64_t limit = 0;      ///< bytes kept in the file at most
  std::int64_t total = 0;      ///< bytes read
  std::int64_t kept = 0;       ///< bytes written to the file
  char last = '\n';            ///< last byte kept
  int write_error = 0;         ///< first failed write; the run goes on, finish() reports it

  /// Counts `size` bytes and writes what fits under the limit.
  void consume(const char* data, std::size_t size);
  /// Reads what the pipe holds (a few reads at most), closing the read end at end of file.
  /// Throws std::system_error "read".
  void drain(std::span<char> buffer);
  /// True when bytes were dropped from a file.
  bool truncated() const { return file && total > kept; }
  /// Appends the truncation note and closes the file; returns the first write error or 0.
  int finish();
};

}  // namespace detail

/// Where one run's stdout and stderr go, and the loop that drains them.
class output_pump {
 public:
  /// Called when the control socket is readable: receives the launcher's reply (or throws).
  using reply_reader = std::function<void()>;
  /// Called once when stdout + stderr pass the OUTPUT limit, with their byte count.
  using limit_handler = std::function<void(std::int64_t total)>;

  /// Prepares one run's output. pass_through: nothing (the command inherits perfcheck's
  /// streams). No file to keep and `count` false: /dev/null for both, no pipes (cheaper for
  /// short runs; one descriptor opened once per process). Otherwise a pipe per stream,
  /// written to the capture's file (truncated now) up to limit_bytes. Throws
  /// std::system_error naming the call (open, pipe2, fcntl).
  output_pump(const output_capture& capture, bool count);

  /// True when the command's stdout and stderr are replaced by write_ends().
  bool redirects() const noexcept { return redirect_; }
  /// The command's stdout and stderr, to send to the launcher; -1 when not redirected.
  std::array<int, 2> write_ends() const noexcept;
  /// Closes perfcheck's copies of the write ends once they were sent: from then on only the
  /// command (and its children) hold them, so end of file means they are done with the output.
  void close_write_ends() noexcept;

  /// Polls `control` and the pipes: reads output as it comes, calls `read_reply` when the
  /// socket is readable, and `on_limit` once when limit_bytes > 0 and stdout + stderr pass it
  /// before the reply. Returns when the reply is in and every pipe is at end of file, or 100 ms
  /// after the reply (output still arriving then, from a background child, is dropped).
  /// `buffer` is the read buffer. Throws std::system_error "poll" or "read", and what the
  /// callbacks throw.
  void pump(int control, const reply_reader& read_reply, std::int64_t limit_bytes,
            const limit_handler& on_limit, std::span<char> buffer);

  /// Closes the pipes and files and fills the report's byte counts and truncation flag.
  /// Throws std::system_error "write PATH" for the first failed write of either file.
  void finish(run_report& report);

 private:
  std::vector<detail::stream_sink> sinks_;  // stdout, stderr; empty without pipes
  unique_fd write_ends_[2];
  int null_fd_ = -1;  // /dev/null for both streams, the process's own (never closed here)
  bool redirect_ = false;
};

}  // namespace perfcheck::exec
