// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The message of the exception that a call throws, for tests of error texts.
#pragma once

#include <exception>
#include <string>

namespace perfcheck_test {

/// what() of the `Exception` that `call()` throws, or "(no error)" when it returns.
template <class Exception = std::exception, class Call>
std::string error_text(Call&& call) {
  try {
    call();
  } catch (const Exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace perfcheck_test
