// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What perfcheck records about the machine and the moment of a run.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/timestamp.hpp"

namespace perfcheck::run {

/// Reads the CPU model and count (/proc/cpuinfo), kernel (uname), hostname, 1-minute load
/// average, and the cpufreq governor of cpu0 when readable; fields that cannot be read stay
/// empty or zero.
environment_info collect_environment();

/// Names the machine class of a fleet's runners (docs/history-fleet.md): runners that set the
/// same name share their baselines, whichever host they are.
inline constexpr const char* machine_class_variable = "PERFCHECK_MACHINE_CLASS";

/// A stable short identifier of the machine: $PERFCHECK_MACHINE_CLASS when set (at most 64 bytes,
/// characters other than letters, digits, '.', '_' and '-' as '_'), else the hash (hex) of CPU
/// model, CPU count, kernel release and hostname. Results are compared only between equal
/// fingerprints.
std::string machine_fingerprint(const environment_info& env);

/// RFC 3339 UTC with milliseconds (model/timestamp.hpp).
using perfcheck::rfc3339;

/// A file-name-safe form of a test name: [A-Za-z0-9._-] kept, anything else '_', and a short
/// hash of the original appended when anything was replaced, so two names never collide.
std::string safe_file_stem(const std::string& name);

/// Warnings about the machine before the test: a 1-minute load average above 0.75 per CPU, a
/// CPU frequency governor other than "performance" (when known).
std::vector<std::string> machine_warnings(const environment_info& env);

}  // namespace perfcheck::run
