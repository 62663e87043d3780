// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The error kinds that map onto perfcheck's documented exit codes.
#pragma once

#include <stdexcept>

namespace perfcheck {

/// A problem with what the user gave us (flags, spec file, expression): exit code 2.
/// The message names the argument or file, what is wrong, and how to fix it.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The measured command could not be started at all (not found, not executable): exit code 3.
class command_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace perfcheck
