// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What the tests that start real processes share: the test programs' folder, a temporary
// directory, and waiting for a process to end.
#pragma once

#include <stdlib.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

namespace perfcheck::test {

/// The path of a test program (tests/programs) in the build's bin folder.
inline std::string bin(const std::string& program) {
  return std::string(PERFCHECK_TEST_BIN_DIR) + "/" + program;
}

/// A fresh directory, removed with everything in it at the end of the test.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "perfcheck-exec-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

/// True once `pid` is gone or a zombie, polling for up to `patience`.
inline bool process_ends(pid_t pid, std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  do {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    if (!(stat >> pid_field >> comm >> state) || state == "Z") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace perfcheck::test
