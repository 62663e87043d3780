// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Sole ownership of a POSIX file descriptor.
#pragma once

#include <unistd.h>

#include <utility>

namespace perfcheck::exec {

/// Owns one file descriptor and closes it on destruction; -1 means none. Move-only.
class unique_fd {
 public:
  /// No descriptor.
  unique_fd() noexcept = default;
  /// Takes ownership of fd (-1: none).
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }

  /// The descriptor, still owned; -1 when none.
  int get() const noexcept { return fd_; }
  /// True when a descriptor is owned.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership without closing; returns the descriptor (-1 when none).
  int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the owned descriptor (errors ignored: the fd is gone either way), then owns fd.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0 && fd_ != fd) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace perfcheck::exec
