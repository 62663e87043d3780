// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// OS errors of the exec layer as std::system_error naming the failed call.
#pragma once

#include <cerrno>
#include <string>
#include <system_error>

namespace perfcheck::exec::detail {

/// Throws std::system_error for `error` (an errno value) with the failed call as its text.
[[noreturn]] inline void throw_os_error(int error, const std::string& call) {
  throw std::system_error(error, std::generic_category(), call);
}

/// Throws std::system_error for the current errno with the failed call as its text.
[[noreturn]] inline void throw_errno(const std::string& call) { throw_os_error(errno, call); }

/// Throws for a nonzero return value of a call that returns its error (posix_spawn*).
inline void check_result(int error, const char* call) {
  if (error != 0) throw_os_error(error, call);
}

/// strerror's text for an errno value.
inline std::string error_text(int error) { return std::generic_category().message(error); }

}  // namespace perfcheck::exec::detail
