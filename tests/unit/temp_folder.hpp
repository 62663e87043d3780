// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A fresh folder per test case, removed at the end, for the unit tests that write files.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

#include <fmt/format.h>

/// A new folder under the system's temp folder, named `<prefix>-<random>`; removed with all
/// it holds when the object goes.
struct temp_folder {
  std::filesystem::path dir;
  explicit temp_folder(const std::string& prefix = "perfcheck-test") {
    std::random_device entropy;
    dir = std::filesystem::temp_directory_path() / fmt::format("{}-{:08x}", prefix, entropy());
    std::filesystem::create_directories(dir);
  }
  ~temp_folder() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  /// A path inside the folder.
  std::filesystem::path file(const std::string& name) const { return dir / name; }
};
