// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck history import`: exported histories, result files, and the JSON of Google
// Benchmark and hyperfine, each file one transaction.
#pragma once

#include <string>
#include <vector>

namespace perfcheck::cli {

/// What `history import` was asked to do.
struct import_request {
  std::string location;            ///< the history file
  std::vector<std::string> files;  ///< in the order given
  /// For Google Benchmark and hyperfine results, which carry no perfcheck context: the machine
  /// fingerprint ("this": this machine's), the branch and the commit they are recorded under.
  std::string machine, branch, commit;
};

/// Imports every file; prints a line per file once it is committed. Returns exit_ok, or
/// exit_usage when a file was refused (the others are still imported).
int import_history_files(const import_request& request);

}  // namespace perfcheck::cli
