// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What identifies a test, apart from spec.cpp's reading and writing of specs: its name's rules
// and its spec_hash, which makes two results comparable (the history's series).
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "perfcheck/model/hash.hpp"
#include "perfcheck/model/limits.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck {

std::string test_name_problem(std::string_view name) {
  if (name.empty()) return "is empty; give the test a name";
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "contains a control character; use printable characters only";
    }
  }
  return {};
}

std::string spec_hash(const run_spec& spec) {
  // FNV-1a over length-prefixed fields: stable across builds and platforms.
  std::uint64_t h = fnv1a64("");
  auto mix = [&](std::string_view s) { h = fnv1a64(fmt::format("{}:{}", s.size(), s), h); };
  for (const auto& a : spec.command) mix(a);
  mix("|");
  mix(spec.working_directory);
  mix("|");
  for (const auto& e : spec.environment) mix(e);
  // Only when set, so that the hash of a spec without them is what it always was.
  if (!spec.cpus.empty()) mix("cpus=" + format_cpu_list(spec.cpus));
  if (spec.nice) mix(fmt::format("nice={}", *spec.nice));
  if (spec.clean_environment) mix("clean_env");
  if (spec.no_aslr) mix("no_aslr");
  if (spec.subtract_overhead) mix("subtract_overhead");  // corrected figures are not comparable
  // A sweep's names, not its values: each level is its own series within the test, so a value
  // added later is a level without a baseline yet, and the others keep theirs.
  for (const auto& p : spec.parameters) mix(fmt::format("param {}", p.name));
  if (!spec.concurrency.empty()) mix("concurrency");
  // PREPARE changes what is measured (a cold cache); SETUP and CLEANUP only surround the runs.
  if (!spec.prepare.empty()) mix(fmt::format("prepare {}", fmt::join(spec.prepare, " ")));
  // Counts of different sources differ (valgrind counts what perf does not): another series.
  if (!spec.count.empty()) mix(fmt::format("count {} by {}", fmt::join(spec.count, ","), spec.count_source));
  return fmt::format("{:016x}", h);
}

}  // namespace perfcheck
